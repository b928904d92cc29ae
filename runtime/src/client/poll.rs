//! Polling: re-listing with `changes-since`, and waiting for a resource to reach a status.

use super::codec::EmbeddedFault;
use super::error::ClientError;
use shapes::time::{format_datetime, unix_seconds, Timestamp};
use super::transport::Reply;
use futures::stream::{self, Stream};
use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

/// How a `changes-since` value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// ISO 8601 (`2010-08-01T00:00:00Z`, v2).
    DateTime,
    /// Unix seconds (`1244012982`, v1.0).
    UnixTime,
}

impl TimeFormat {
    /// Writes a time in this format (a time outside the range of dates, the nearest one).
    pub fn write(self, t: SystemTime) -> String {
        let t = Timestamp::try_from(t).unwrap_or(if t < SystemTime::UNIX_EPOCH { Timestamp::MIN } else { Timestamp::MAX });
        match self {
            TimeFormat::DateTime => format_datetime(t),
            TimeFormat::UnixTime => unix_seconds(t).to_string(),
        }
    }
}

struct Changes<F> {
    fetch: F,
    since: SystemTime,
    first: bool,
}

/// A stream that lists changes every `interval`: the first call asks for changes since
/// `since`, each later one for changes since the previous listing, timed by the server's
/// `Date` header when present (else the local clock when the listing started), so no
/// change between two listings is missed. Errors are yielded and polling goes on; the
/// stream never ends by itself: take from it what you need.
pub fn changes_since<T, E, Fut, F>(
    since: SystemTime,
    interval: Duration,
    format: TimeFormat,
    fetch: F,
) -> impl Stream<Item = Result<Reply<T>, E>>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<Reply<T>, E>>,
{
    stream::unfold(Changes { fetch, since, first: true }, move |mut st| async move {
        if !st.first {
            tokio::time::sleep(interval).await;
        }
        st.first = false;
        let started = SystemTime::now();
        let r = (st.fetch)(format.write(st.since)).await;
        if let Ok(reply) = &r {
            st.since = reply.date().unwrap_or(started);
        }
        Some((r, st))
    })
}

/// A resource whose status can be waited for (a generated server or image model).
pub trait Watched {
    /// The status type.
    type Status: Clone + PartialEq + fmt::Display;
    /// The current status, if the resource shows one.
    fn status(&self) -> Option<Self::Status>;
    /// The fault the resource carries (in an error state), if any.
    fn embedded_fault(&self) -> Option<EmbeddedFault> {
        None
    }
}

/// How often and how long to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// The time between two polls.
    pub interval: Duration,
    /// The most time to wait in all.
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions { interval: Duration::from_secs(5), timeout: Duration::from_secs(30 * 60) }
    }
}

/// Polls `get` every `interval` until the resource shows `target`. Fails at once when it
/// shows a status for which `gives_up` is true (an error or terminal state), with the
/// resource's embedded fault; fails with [`ClientError::Timeout`] naming the last
/// status seen when the next poll would fall after the timeout (it never sleeps past
/// it). Errors of `get` end the wait.
pub async fn wait_for_status<R, E, Fut, G>(
    mut get: G,
    target: &R::Status,
    gives_up: impl Fn(&R::Status) -> bool,
    opts: WaitOptions,
    what: &str,
) -> Result<R, ClientError<E>>
where
    R: Watched,
    G: FnMut() -> Fut,
    Fut: Future<Output = Result<R, ClientError<E>>>,
{
    let deadline = tokio::time::Instant::now() + opts.timeout;
    loop {
        let r = get().await?;
        let status = r.status();
        match &status {
            Some(s) if s == target => return Ok(r),
            Some(s) if gives_up(s) => {
                return Err(ClientError::Failed { status: s.to_string(), fault: r.embedded_fault() });
            }
            _ => {}
        }
        tracing::debug!(what, status = status.as_ref().map(ToString::to_string), "waiting");
        if tokio::time::Instant::now() + opts.interval > deadline {
            return Err(ClientError::Timeout {
                what: format!("waiting for {what} to become {target}"),
                after: opts.timeout,
                last_status: status.map(|s| s.to_string()),
            });
        }
        tokio::time::sleep(opts.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Clone)]
    struct Thing(&'static str, Option<&'static str>);

    impl Watched for Thing {
        type Status = String;
        fn status(&self) -> Option<String> {
            Some(self.0.to_string())
        }
        fn embedded_fault(&self) -> Option<EmbeddedFault> {
            self.1.map(|m| EmbeddedFault { code: Some(500), message: m.into(), ..Default::default() })
        }
    }

    fn fast() -> WaitOptions {
        WaitOptions { interval: Duration::from_millis(1), timeout: Duration::from_secs(60) }
    }

    async fn wait(seq: Vec<Thing>, opts: WaitOptions) -> (Result<Thing, ClientError<String>>, usize) {
        let calls = Arc::new(Mutex::new(0usize));
        let c = calls.clone();
        let r = wait_for_status(
            move || {
                let mut n = c.lock().unwrap();
                let t = seq.get(*n).or(seq.last()).cloned();
                *n += 1;
                async move { t.ok_or_else(|| ClientError::Config("empty".into())) }
            },
            &"ACTIVE".to_string(),
            |s: &String| s == "ERROR" || s == "DELETED",
            opts,
            "server 1",
        )
        .await;
        let n = *calls.lock().unwrap();
        (r, n)
    }

    #[tokio::test]
    async fn reaches_the_target() {
        let (r, n) = wait(vec![Thing("BUILD", None), Thing("BUILD", None), Thing("ACTIVE", None)], fast()).await;
        assert_eq!(r.unwrap().0, "ACTIVE");
        assert_eq!(n, 3);
    }

    #[tokio::test]
    async fn fails_fast_with_the_fault() {
        let (r, n) = wait(vec![Thing("BUILD", None), Thing("ERROR", Some("No valid host was found"))], fast()).await;
        match r {
            Err(e @ ClientError::Failed { .. }) => {
                let text = e.to_string();
                assert!(text.contains("ERROR") && text.contains("No valid host was found"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(n, 2);
    }

    #[tokio::test]
    async fn times_out_with_the_last_status() {
        let opts = WaitOptions { interval: Duration::from_millis(5), timeout: Duration::from_millis(12) };
        let (r, n) = wait(vec![Thing("BUILD", None)], opts).await;
        match r {
            Err(ClientError::Timeout { last_status, .. }) => assert_eq!(last_status.as_deref(), Some("BUILD")),
            other => panic!("{other:?}"),
        }
        // Polls at most at 0, 5 and 10 ms: a fourth would fall after the 12 ms bound.
        assert!((1..=3).contains(&n), "{n} polls");
    }

    #[tokio::test]
    async fn changes_since_moves_the_time_forward() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_244_012_982);
        let mut dated = reqwest::header::HeaderMap::new();
        dated.insert("date", "Sun, 01 Aug 2010 00:00:00 GMT".parse().unwrap());
        let replies: Vec<Result<Reply<u32>, String>> = changes_since(start, Duration::from_millis(1), TimeFormat::UnixTime, |since| {
            s.lock().unwrap().push(since);
            let h = dated.clone();
            async move { Ok(Reply { status: 200, headers: h, body: 1 }) }
        })
        .take(2)
        .collect()
        .await;
        assert_eq!(replies.len(), 2);
        assert_eq!(*seen.lock().unwrap(), vec!["1244012982".to_string(), "1280620800".to_string()]);
        assert_eq!(TimeFormat::DateTime.write(start), "2009-06-03T07:09:42Z");
    }
}
