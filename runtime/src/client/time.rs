//! Times on the wire: ISO 8601 date-times (`2012-09-27T14:52:39Z`, offsets, fractions),
//! Unix seconds, and HTTP dates (`Retry-After`, `Date`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(s: &str, from: usize, len: usize) -> Option<i64> {
    let part = s.get(from..from + len)?;
    if part.bytes().all(|b| b.is_ascii_digit()) {
        part.parse().ok()
    } else {
        None
    }
}

/// A time from signed seconds and nanoseconds since the epoch.
fn from_unix(secs: i64, nanos: u32) -> Option<SystemTime> {
    if secs >= 0 {
        UNIX_EPOCH.checked_add(Duration::new(secs.unsigned_abs(), nanos))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(secs.unsigned_abs()))?.checked_add(Duration::from_nanos(u64::from(nanos)))
    }
}

/// Parses an ISO 8601 date-time: `CCYY-MM-DDThh:mm[:ss[.fff]]` with `Z`, `±hh:mm`,
/// `±hhmm` or `±hh`, UTC when no offset is given (as the v2 guide's changes-since says).
/// A space may stand for `T`. Returns `None` for anything else.
pub fn parse_datetime(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let year = digits(s, 0, 4)?;
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" {
        return None;
    }
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let sep = s.get(10..11)?;
    if sep != "T" && sep != "t" && sep != " " {
        return None;
    }
    let hour = digits(s, 11, 2)?;
    if s.get(13..14)? != ":" {
        return None;
    }
    let minute = digits(s, 14, 2)?;
    let mut pos = 16;
    let mut second = 0;
    let mut nanos: u32 = 0;
    if s.get(pos..pos + 1) == Some(":") {
        second = digits(s, pos + 1, 2)?;
        pos += 3;
        if s.get(pos..pos + 1) == Some(".") || s.get(pos..pos + 1) == Some(",") {
            pos += 1;
            let frac: String = s.get(pos..)?.chars().take_while(char::is_ascii_digit).collect();
            if frac.is_empty() {
                return None;
            }
            pos += frac.len();
            let padded: String = frac.chars().chain(std::iter::repeat('0')).take(9).collect();
            nanos = padded.parse().ok()?;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let rest = s.get(pos..)?;
    let offset_secs: i64 = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let body = rest.get(1..)?.replace(':', "");
            let (h, m) = match body.len() {
                2 => (digits(&body, 0, 2)?, 0),
                4 => (digits(&body, 0, 2)?, digits(&body, 2, 2)?),
                _ => return None,
            };
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    from_unix(secs, nanos)
}

/// Writes a time as `CCYY-MM-DDThh:mm:ssZ` (whole seconds, UTC), the form
/// `changes-since` takes in the v2 API.
pub fn format_datetime(t: SystemTime) -> String {
    let secs = unix_seconds(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Whole seconds since the Unix epoch (negative before it), the form `changes-since`
/// takes in the v1.0 API.
pub fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -whole - 1
            } else {
                -whole
            }
        }
    }
}

/// Parses an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT` and the obsolete forms).
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

/// Parses a point in time or a delay as the services write them: whole seconds
/// (a delay from `now`), an ISO 8601 date-time, or an HTTP date. Returns the delay
/// from `now`, zero when the time has passed.
pub fn parse_delay(s: &str, now: SystemTime) -> Option<Duration> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(Duration::from_secs);
    }
    let at = parse_datetime(s).or_else(|| parse_http_date(s))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn iso_8601_forms() {
        // 2010-08-01T00:00:00Z, the overLimit example's retryAt.
        assert_eq!(parse_datetime("2010-08-01T00:00:00Z"), Some(at(1_280_620_800)));
        assert_eq!(parse_datetime("2010-08-01T00:00:00"), Some(at(1_280_620_800)));
        assert_eq!(parse_datetime("2010-08-01T02:00:00+02:00"), Some(at(1_280_620_800)));
        assert_eq!(parse_datetime("2010-07-31T19:00:00.000-05:00"), Some(at(1_280_620_800)));
        assert_eq!(parse_datetime("2010-07-31T19:00:00-0500"), Some(at(1_280_620_800)));
        assert_eq!(parse_datetime("2010-08-01 00:00"), Some(at(1_280_620_800)));
        assert_eq!(
            parse_datetime("2010-08-01T00:00:00.25Z"),
            Some(at(1_280_620_800) + Duration::from_millis(250))
        );
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), UNIX_EPOCH.checked_sub(Duration::from_secs(1)));
    }

    #[test]
    fn malformed_times_are_none() {
        for s in ["", "2010", "2010-13-01T00:00:00Z", "2010-08-01X00:00:00Z", "2010-08-01T25:00:00Z", "2010-08-01T00:00:00+5", "2010-08-01T00:00:00.Z", "2010-08-01T00:00:00Q", "２０１０-08-01T00:00:00Z"] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }

    #[test]
    fn writing_round_trips() {
        for secs in [0u64, 1_280_620_800, 951_782_400 /* 2000-02-29 */, 4_102_444_799] {
            let t = at(secs);
            assert_eq!(parse_datetime(&format_datetime(t)), Some(t), "{}", format_datetime(t));
        }
        assert_eq!(format_datetime(at(1_280_620_800)), "2010-08-01T00:00:00Z");
        assert_eq!(unix_seconds(at(1_244_012_982)), 1_244_012_982);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(1500)), -2);
    }

    #[test]
    fn delays() {
        let now = at(1_000);
        assert_eq!(parse_delay("5", now), Some(Duration::from_secs(5)));
        assert_eq!(parse_delay("1970-01-01T00:17:00Z", now), Some(Duration::from_secs(20)));
        assert_eq!(parse_delay("Thu, 01 Jan 1970 00:16:50 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_delay("1969-01-01T00:00:00Z", now), Some(Duration::ZERO));
        assert_eq!(parse_delay("soon", now), None);
        assert_eq!(parse_delay("-5", now), None);
    }
}
