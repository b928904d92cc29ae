//! One reading of times everywhere: the strict validator, a model's `Timestamp`, a fault's
//! retry time, the transport's retry delay and a token's expiry all read a date-time text
//! alike (offsets, fractions, `Z`, no zone meaning UTC, no February 31), and Unix seconds
//! and HTTP dates are read and written by the same module.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "identity"))]

use cloudservers::{identity, v1_0, v2};
use runtime::client::time::{format_datetime, format_http_date, parse_http_date, parse_unix_seconds, unix_seconds};
use runtime::client::{retry_delay, HeaderMap, IdentityExchange};
use runtime::faults::FaultBody;
use runtime::jiff::Timestamp;
use serde_json::json;
use std::time::{Duration, SystemTime};

/// Texts and the instant each stands for (`None`: no date-time).
fn cases() -> Vec<(&'static str, Option<Timestamp>)> {
    let t = |s: &str| Some(s.parse::<Timestamp>().expect("a test instant"));
    vec![
        ("2010-08-01T00:00:00Z", t("2010-08-01T00:00:00Z")),
        ("2010-08-01T02:00:00+02:00", t("2010-08-01T00:00:00Z")),
        ("2010-07-31T19:00:00-0500", t("2010-08-01T00:00:00Z")),
        ("2010-07-31T19:00:00-05", t("2010-08-01T00:00:00Z")),
        ("2010-08-01T00:00:00.250Z", t("2010-08-01T00:00:00.25Z")),
        ("2012-09-14T15:11:57.585-05:00", t("2012-09-14T20:11:57.585Z")),
        // No zone: UTC, as the v2 guide says (Section 1.7).
        ("2010-08-01T00:00:00", t("2010-08-01T00:00:00Z")),
        ("2011-01-24T17:08", t("2011-01-24T17:08:00Z")),
        ("2010-08-01 00:00:00.000000", t("2010-08-01T00:00:00Z")),
        // No such day, no such hour, no time, no date-time.
        ("2010-02-31T00:00:00Z", None),
        ("2010-02-31T00:00:00", None),
        ("2010-08-01T24:30:00Z", None),
        ("2010-08-01", None),
        ("soon", None),
    ]
}

#[test]
fn every_reader_of_a_date_time_agrees() {
    let received = SystemTime::UNIX_EPOCH;
    for (text, expected) in cases() {
        // A model's timestamp.
        assert_eq!(runtime::Timestamp::from(text).parse().ok(), expected, "{text}: Timestamp::parse");
        // The strict validator.
        let body = serde_json::to_vec(&json!({"server": {"id": "52415800-8b69-11e0-9b19-734f000004d2", "created": text}})).unwrap();
        let findings = runtime::strict::decode_json::<v2::models::Server>(&body, Some("server")).expect("decodes").1;
        assert_eq!(findings.is_empty(), expected.is_some(), "{text}: the validator: {findings:?}");
        // A v2 fault's retryAt and a v1.0 fault's retryAfter; the transport's retry.
        let at = expected.map(SystemTime::from);
        let v2_body = serde_json::to_vec(&json!({"overLimit": {"code": 413, "message": "m", "retryAt": text}})).unwrap();
        let v1_body = format!(r#"<overLimit code="413" retryAfter="{text}"><message>m</message></overLimit>"#).into_bytes();
        for (parts, body) in [(&v2::faults::FAULT_PARTS, &v2_body), (&v1_0::faults::FAULT_PARTS, &v1_body)] {
            let f = FaultBody::from_response_at(parts, 413, None, None, body, received);
            assert_eq!(f.retry_at(), at, "{text}: the fault's retry time");
            let delay = retry_delay(413, &HeaderMap::new(), body, parts, received);
            assert_eq!(delay, at.map(|t| t.duration_since(received).unwrap_or_default()), "{text}: the transport's retry");
        }
        // A token's expiry, read by the generated identity exchange.
        let token = json!({"access": {"token": {"id": "t", "expires": text}, "serviceCatalog": []}});
        let session = identity::auth::EXCHANGE.tokens_response(token.to_string().as_bytes()).expect("a token");
        assert_eq!(session.expires, expected, "{text}: the token's expiry");
    }
}

#[test]
fn unix_seconds_and_http_dates() {
    // The v1.0 guide: changes-since=1244012982 is Wed, 03 Jun 2009 07:09:42 UTC.
    let t = parse_unix_seconds("1244012982").expect("Unix seconds");
    assert_eq!(parse_http_date("Wed, 03 Jun 2009 07:09:42 GMT"), Some(t));
    assert_eq!(format_http_date(t), "Wed, 03 Jun 2009 07:09:42 GMT");
    assert_eq!(format_datetime(t), "2009-06-03T07:09:42Z");
    assert_eq!(unix_seconds(t), 1_244_012_982);
    assert_eq!(runtime::client::TimeFormat::UnixTime.write(SystemTime::from(t)), "1244012982");
    assert_eq!(runtime::client::TimeFormat::DateTime.write(SystemTime::from(t)), "2009-06-03T07:09:42Z");
    // An HTTP date in a Retry-After header, and seconds.
    let now = SystemTime::from(t);
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", "Wed, 03 Jun 2009 07:10:42 GMT".parse().unwrap());
    assert_eq!(retry_delay(503, &headers, b"", &v2::faults::FAULT_PARTS, now), Some(Duration::from_secs(60)));
    headers.insert("retry-after", "90".parse().unwrap());
    assert_eq!(retry_delay(503, &headers, b"", &v2::faults::FAULT_PARTS, now), Some(Duration::from_secs(90)));
}
