//! Times on the wire, read and written in one place: ISO 8601 date-times (with `jiff`),
//! Unix seconds, HTTP dates (with `httpdate`), and the `Retry-After` forms (a delay in
//! seconds or a moment in either of the date forms).
//!
//! Every reader here is used by the strict validator, the clients (changes-since,
//! token expiry) and the fault decoder alike, so they never disagree on a text.

use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;
use std::fmt;
use std::time::{Duration, SystemTime};

pub use jiff::Timestamp;

/// Why a text is not an ISO 8601 date-time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError {
    /// The text (shortened).
    pub text: String,
    /// The parser's reason.
    pub reason: String,
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an ISO 8601 date-time: {}", self.text, self.reason)
    }
}

impl std::error::Error for DateTimeError {}

/// Parses an ISO 8601 date-time as the documents and services write it:
/// `CCYY-MM-DDThh:mm[:ss[.fff]]` followed by `Z`, an offset (`±hh:mm`, `±hhmm`, `±hh`) or
/// nothing, in which case the time is UTC (the v2 guide, Section 1.7: "If you omit the
/// time zone, the UTC time zone is assumed"). Fractions may use `.` or `,`; a space may
/// stand for `T`; the date must exist (no February 31). Leading and trailing blanks are
/// ignored. A date without a time of day, or a zone name without an offset, is refused.
pub fn parse_datetime(text: &str) -> Result<Timestamp, DateTimeError> {
    let t = text.trim();
    let fail = |reason: String| DateTimeError { text: crate::scalars::short(text), reason };
    let pieces = Pieces::parse(t).map_err(|e| fail(e.to_string()))?;
    let time = pieces.time().ok_or_else(|| fail("it has no time of day".into()))?;
    let offset = match (pieces.to_numeric_offset(), pieces.time_zone_annotation()) {
        (Some(o), _) => o,
        (None, None) => Offset::UTC,
        (None, Some(_)) => return Err(fail("a zone name without an offset cannot be placed in time".into())),
    };
    offset.to_timestamp(pieces.date().to_datetime(time)).map_err(|e| fail(e.to_string()))
}

/// Writes a time as `CCYY-MM-DDThh:mm:ssZ` (whole seconds, UTC), as the documents write
/// times and as the v2 `changes-since` parameter takes them.
pub fn format_datetime(t: Timestamp) -> String {
    let d = jiff::tz::Offset::UTC.to_datetime(t);
    if (0..=9999).contains(&d.year()) {
        // The common case without the strftime interpreter (servers' times are written
        // on every answer that shows one).
        // Digits written directly: `format!` with padding costs more than the rest of a
        // server's answer put together.
        let mut out = String::with_capacity(20);
        let mut digits = |value: i32, width: u32, after: char| {
            for place in (0..width).rev() {
                out.push(char::from(b'0' + (value / 10i32.pow(place) % 10) as u8));
            }
            out.push(after);
        };
        digits(d.year().into(), 4, '-');
        digits(d.month().into(), 2, '-');
        digits(d.day().into(), 2, 'T');
        digits(d.hour().into(), 2, ':');
        digits(d.minute().into(), 2, ':');
        digits(d.second().into(), 2, 'Z');
        out
    } else {
        t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// Whole seconds since the Unix epoch, rounded down (negative before 1970): the form the
/// v1.0 `changes-since` parameter takes.
pub fn unix_seconds(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 {
        s - 1
    } else {
        s
    }
}

/// The time `secs` seconds after the Unix epoch; `None` outside the range of times.
pub fn from_unix_seconds(secs: i64) -> Option<Timestamp> {
    Timestamp::from_second(secs).ok()
}

/// Reads Unix seconds (`1244012982`, optionally signed); `None` for anything else.
pub fn parse_unix_seconds(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    from_unix_seconds(t.parse().ok()?)
}

/// Reads an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete RFC 850 and
/// asctime forms), as `Retry-After`, `Date` and `Last-Modified` carry it.
pub fn parse_http_date(text: &str) -> Option<Timestamp> {
    httpdate::parse_http_date(text.trim()).ok().and_then(|t| Timestamp::try_from(t).ok())
}

/// Writes an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`); times before 1970 are written
/// as the epoch, which HTTP dates cannot precede.
pub fn format_http_date(t: Timestamp) -> String {
    httpdate::fmt_http_date(SystemTime::from(t.max(Timestamp::UNIX_EPOCH)))
}

/// Reads a delay in whole seconds (`120`): ASCII digits only, no sign.
pub fn parse_delay_seconds(text: &str) -> Option<Duration> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<u64>().ok().map(Duration::from_secs)
}

/// When a request may be retried, as a `Retry-After` header or a fault body's retry
/// field says it: a delay, or a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// Retry after this long from when the response was received.
    Delay(Duration),
    /// Retry at this moment.
    At(SystemTime),
}

impl RetryAfter {
    /// Reads a retry time in any form the services use: whole seconds (`120`), an HTTP
    /// date (`Sun, 01 Aug 2010 00:00:00 GMT`, the `Retry-After` header) or an ISO 8601
    /// date-time (`2010-08-01T00:00:00Z`, the fault bodies' `retryAt`/`retryAfter`; UTC
    /// when it has no zone). `None` when it is none of these.
    pub fn parse(text: &str) -> Option<RetryAfter> {
        if let Some(d) = parse_delay_seconds(text) {
            return Some(RetryAfter::Delay(d));
        }
        parse_http_date(text).or_else(|| parse_datetime(text).ok()).map(|t| RetryAfter::At(SystemTime::from(t)))
    }

    /// The moment to retry at, for a response received at `received_at`; `None` if the
    /// delay overflows the clock.
    pub fn at(&self, received_at: SystemTime) -> Option<SystemTime> {
        match self {
            RetryAfter::Delay(d) => received_at.checked_add(*d),
            RetryAfter::At(t) => Some(*t),
        }
    }

    /// How long to wait from `now` (zero when the moment has passed), for a response
    /// received at `received_at`.
    pub fn delay(&self, received_at: SystemTime, now: SystemTime) -> Duration {
        match self.at(received_at) {
            Some(t) => t.duration_since(now).unwrap_or(Duration::ZERO),
            None => Duration::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2010-08-01T00:00:00Z, the overLimit examples' retry time.
    const AUG_1_2010: i64 = 1_280_620_800;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    #[test]
    fn zones_offsets_and_fractions() {
        for (text, secs, nanos) in [
            ("2010-08-01T00:00:00Z", AUG_1_2010, 0),
            ("2010-08-01t00:00:00z", AUG_1_2010, 0),
            ("2010-08-01T02:00:00+02:00", AUG_1_2010, 0),
            ("2010-07-31T22:30:00-0130", AUG_1_2010, 0),
            ("2010-07-31T19:00:00-05", AUG_1_2010, 0),
            ("2010-07-31T19:00:00.000-05:00", AUG_1_2010, 0),
            ("2010-08-01T00:00:00-00:00", AUG_1_2010, 0),
            ("2010-08-01T00:00:00.25Z", AUG_1_2010, 250_000_000),
            ("2010-08-01T00:00:00,5Z", AUG_1_2010, 500_000_000),
            ("2012-09-14T15:11:57.585-05:00", 1_347_653_517, 585_000_000),
            (" 2010-08-01T00:00:00Z\n", AUG_1_2010, 0),
        ] {
            let t = parse_datetime(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((t.as_second(), t.subsec_nanosecond()), (secs, nanos), "{text}");
        }
    }

    #[test]
    fn no_zone_is_utc_as_the_v2_guide_says() {
        // Section 1.7: `2011-01-24T17:08` is the same time as `2011-01-24T17:08Z`.
        assert_eq!(parse_datetime("2011-01-24T17:08").unwrap(), parse_datetime("2011-01-24T17:08Z").unwrap());
        assert_eq!(parse_datetime("2010-08-01T00:00:00").unwrap(), at(AUG_1_2010));
        assert_eq!(parse_datetime("2010-08-01 00:00").unwrap(), at(AUG_1_2010));
    }

    #[test]
    fn impossible_and_malformed_times_are_refused() {
        for text in [
            "2012-02-31T00:00:00Z",
            "2012-02-31T00:00:00",
            "2011-02-29T12:00:00Z",
            "2010-13-01T00:00:00Z",
            "2010-08-01T25:00:00Z",
            "2010-08-01T00:60:00Z",
            "2010-08-01X00:00:00Z",
            "2010-08-01T00:00:00+5",
            "2010-08-01T00:00:00+26:00",
            "2010-08-01T00:00:00.Z",
            "2010-08-01T00:00:00Q",
            "2010-08-01",
            "2010-08-01T00:00[Europe/Paris]",
            "２０１０-08-01T00:00:00Z",
            "",
            "yesterday",
        ] {
            assert!(parse_datetime(text).is_err(), "{text} was accepted");
        }
        // A leap year has February 29.
        assert!(parse_datetime("2012-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn writing_round_trips() {
        for secs in [0, AUG_1_2010, 951_782_400 /* 2000-02-29 */, 4_102_444_799, -1] {
            let t = at(secs);
            assert_eq!(parse_datetime(&format_datetime(t)).unwrap(), t, "{}", format_datetime(t));
        }
        assert_eq!(format_datetime(at(AUG_1_2010)), "2010-08-01T00:00:00Z");
        assert_eq!(format_datetime(parse_datetime("2010-08-01T00:00:00.9Z").unwrap()), "2010-08-01T00:00:00Z");
        // The fast form writes what the general one does, at the edges of its years and
        // before the epoch with a fraction of a second.
        for t in [Timestamp::MIN, Timestamp::MAX, at(-62_167_219_200), at(253_370_764_800), at(-1) - jiff::SignedDuration::from_millis(500)] {
            assert_eq!(format_datetime(t), t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
        }
    }

    #[test]
    fn unix_seconds_read_and_write() {
        // The v1.0 guide: changes-since=1244012982 is Wed, 03 Jun 2009 07:09:42 UTC.
        let t = parse_unix_seconds("1244012982").unwrap();
        assert_eq!(Some(t), parse_http_date("Wed, 03 Jun 2009 07:09:42 GMT"));
        assert_eq!(t, parse_datetime("2009-06-03T07:09:42Z").unwrap());
        assert_eq!(unix_seconds(t), 1_244_012_982);
        assert_eq!(unix_seconds(Timestamp::new(-1, -500_000_000).unwrap()), -2, "rounded down");
        assert_eq!(parse_unix_seconds("-1"), Some(at(-1)));
        for bad in ["", "1.5", "12a", "--1", "99999999999999999999"] {
            assert_eq!(parse_unix_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn http_dates() {
        let t = at(AUG_1_2010);
        assert_eq!(parse_http_date("Sun, 01 Aug 2010 00:00:00 GMT"), Some(t));
        assert_eq!(parse_http_date("Sunday, 01-Aug-10 00:00:00 GMT"), Some(t), "RFC 850");
        assert_eq!(parse_http_date("Sun Aug  1 00:00:00 2010"), Some(t), "asctime");
        assert_eq!(format_http_date(t), "Sun, 01 Aug 2010 00:00:00 GMT");
        assert_eq!(parse_http_date("Sun, 99 Aug 2010 00:00:00 GMT"), None);
        assert_eq!(parse_http_date("2010-08-01T00:00:00Z"), None, "ISO 8601 is no HTTP date");
    }

    #[test]
    fn retry_after_in_every_form() {
        let aug = SystemTime::from(at(AUG_1_2010));
        assert_eq!(RetryAfter::parse(" 120 "), Some(RetryAfter::Delay(Duration::from_secs(120))));
        assert_eq!(RetryAfter::parse("Sun, 01 Aug 2010 00:00:00 GMT"), Some(RetryAfter::At(aug)));
        assert_eq!(RetryAfter::parse("2010-08-01T00:00:00Z"), Some(RetryAfter::At(aug)));
        assert_eq!(RetryAfter::parse("2010-08-01T00:00:00"), Some(RetryAfter::At(aug)), "UTC without a zone");
        for bad in ["", "soon", "-5", "1.5", "Sun, 99 Aug 2010", "2010-02-31T00:00:00Z", "2010-08-01T00:00:00+2x:00"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad}");
        }
        let received = aug - Duration::from_secs(100);
        assert_eq!(RetryAfter::Delay(Duration::from_secs(30)).delay(received, received + Duration::from_secs(10)), Duration::from_secs(20));
        assert_eq!(RetryAfter::At(aug).delay(received, received), Duration::from_secs(100));
        assert_eq!(RetryAfter::At(aug).delay(received, aug + Duration::from_secs(1)), Duration::ZERO, "past: no wait");
    }
}
