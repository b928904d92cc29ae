//! Bounded retry of requests the service asks to repeat later (`413 overLimit`, and
//! `503` with `Retry-After`).

use crate::faults::{FaultBody, FaultParts, RetryAfter};
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use std::time::{Duration, SystemTime};

/// How often and how long a request is retried when the service says when to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The most times a request is sent, the first one included (1: never retried).
    pub max_attempts: u32,
    /// The most time spent waiting between attempts, over all attempts of one call.
    /// A wait the service asks for that would exceed it is not started: the call
    /// returns the fault at once.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, max_wait: Duration::from_secs(60) }
    }
}

impl RetryPolicy {
    /// Never retries.
    pub const NEVER: RetryPolicy = RetryPolicy { max_attempts: 1, max_wait: Duration::ZERO };
}

/// How long the service asks to wait before the request is sent again, for a response
/// received at `now`, or `None` when the response is not one to retry.
///
/// A `413` is retried when it says when, read exactly as the fault's own
/// [`FaultBody::retry_delay`] reads it: the retry header (`Retry-After`: seconds or an HTTP
/// date), else the fault body's retry field (`retryAt` in v2, `retryAfter` in v1.0; a
/// date-time or seconds, JSON or XML); `parts` names both, from the schema. A `503` is
/// retried only with the retry header. A time in the past means no wait.
pub fn retry_delay(status: u16, headers: &HeaderMap, body: &[u8], parts: &FaultParts, now: SystemTime) -> Option<Duration> {
    let header = parts.retry_header_in(|name| headers.get(name).and_then(|v| v.to_str().ok()));
    match status {
        413 => {
            let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
            FaultBody::from_response_at(parts, status, header, ct, body, now).retry_delay(now)
        }
        503 => header.and_then(RetryAfter::parse).map(|r| r.delay(now, now)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    use crate::faults::test_parts::{V1_0, V2};

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("retry-after", v.parse().unwrap());
        h
    }

    #[test]
    fn header_then_body() {
        let now = UNIX_EPOCH + Duration::from_secs(1_280_620_790);
        let none = HeaderMap::new();
        assert_eq!(retry_delay(413, &headers("7"), b"", &V2, now), Some(Duration::from_secs(7)));
        assert_eq!(retry_delay(413, &headers("Sun, 01 Aug 2010 00:00:00 GMT"), b"", &V2, now), Some(Duration::from_secs(10)));
        let v2 = br#"{"overLimit": {"code": 413, "message": "OverLimit Retry...", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        assert_eq!(retry_delay(413, &none, v2, &V2, now), Some(Duration::from_secs(10)));
        let v1 = br#"<overLimit xmlns="http://docs.rackspacecloud.com/servers/api/v1.0" code="413" retryAfter="2010-08-01T00:00:00Z"><message>m</message></overLimit>"#;
        assert_eq!(retry_delay(413, &none, v1, &V1_0, now), Some(Duration::from_secs(10)));
        let secs = br#"{"overLimit": {"code": 413, "retryAfter": 3}}"#;
        assert_eq!(retry_delay(413, &none, secs, &V1_0, now), Some(Duration::from_secs(3)));
        // The body field is the one the API's fault models name.
        assert_eq!(retry_delay(413, &none, secs, &V2, now), None);
        // The header wins over the body.
        assert_eq!(retry_delay(413, &headers("1"), v2, &V2, now), Some(Duration::from_secs(1)));
        // Past times mean no wait.
        assert_eq!(retry_delay(413, &none, v2, &V2, now + Duration::from_secs(100)), Some(Duration::ZERO));
    }

    #[test]
    fn only_413_and_503_with_header() {
        let now = SystemTime::now();
        let none = HeaderMap::new();
        assert_eq!(retry_delay(413, &none, br#"{"overLimit": {"code": 413}}"#, &V2, now), None);
        assert_eq!(retry_delay(503, &none, br#"{"serviceUnavailable": {"code": 503, "retryAfter": "5"}}"#, &V1_0, now), None);
        assert_eq!(retry_delay(503, &headers("2"), b"", &V2, now), Some(Duration::from_secs(2)));
        assert_eq!(retry_delay(500, &headers("2"), b"", &V2, now), None);
        assert_eq!(retry_delay(413, &headers("garbage"), b"", &V2, now), None);
        // The retry header is the one the API's faults name.
        assert_eq!(retry_delay(503, &headers("2"), b"", &FaultParts::NONE, now), None);
    }
}
