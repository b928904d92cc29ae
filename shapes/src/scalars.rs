//! Scalar value types and their text forms: the one place that says what a valid
//! date-time, UUID, address or base64 text is.

use crate::time::parse_datetime;
use std::fmt;

/// Scalar value types of fields, parameters and plain-text bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// Any string.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An ISO 8601 date and time.
    DateTime,
    /// Seconds since the Unix epoch.
    UnixTime,
    /// A UUID.
    Uuid,
    /// An absolute or relative URI.
    Uri,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// An IPv4 or IPv6 address.
    Ip,
    /// Base64-encoded bytes.
    Base64,
    /// A password, key or token: never logged.
    Secret,
    /// An integer (first generation IDs) or a UUID (next generation IDs).
    IntegerOrUuid,
    /// Free JSON, not checked.
    Any,
}

impl Scalar {
    /// Every scalar with its spelling in data files.
    pub const ALL: [(Scalar, &'static str); 15] = [
        (Scalar::String, "string"),
        (Scalar::Integer, "integer"),
        (Scalar::Number, "number"),
        (Scalar::Boolean, "boolean"),
        (Scalar::DateTime, "datetime"),
        (Scalar::UnixTime, "unix-time"),
        (Scalar::Uuid, "uuid"),
        (Scalar::Uri, "uri"),
        (Scalar::Ipv4, "ipv4"),
        (Scalar::Ipv6, "ipv6"),
        (Scalar::Ip, "ip"),
        (Scalar::Base64, "base64"),
        (Scalar::Secret, "secret"),
        (Scalar::IntegerOrUuid, "integer-or-uuid"),
        (Scalar::Any, "any"),
    ];

    /// The spelling in data files.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map_or("any", |(_, n)| *n)
    }

    /// Parses the spelling in data files.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(s, _)| *s)
    }

    /// Whether values of this type differ between instances by default (IDs, times, secrets).
    pub fn varies_by_default(self) -> bool {
        matches!(
            self,
            Scalar::Uuid
                | Scalar::DateTime
                | Scalar::UnixTime
                | Scalar::Ipv4
                | Scalar::Ipv6
                | Scalar::Ip
                | Scalar::Secret
                | Scalar::IntegerOrUuid
        )
    }

    /// Whether JSON carries this type as a number.
    pub fn is_numeric(self) -> bool {
        matches!(self, Scalar::Integer | Scalar::UnixTime | Scalar::Number)
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

fn is_uuid(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// Checks a text value (an XML attribute or element text, a JSON string, a plain-text
/// body) against a scalar type; the error says what the text is not.
pub fn check_text(text: &str, s: Scalar) -> Result<(), String> {
    let bad = |what: &str| Err(format!("`{}` is not {what}", short(text)));
    let ok = match s {
        Scalar::Integer | Scalar::UnixTime => text.parse::<i64>().is_ok(),
        Scalar::Number => text.parse::<f64>().is_ok(),
        Scalar::Boolean => matches!(text, "true" | "false" | "True" | "False"),
        Scalar::DateTime => return parse_datetime(text).map(|_| ()).map_err(|e| e.to_string()),
        Scalar::Ipv4 => text.is_empty() || text.parse::<std::net::Ipv4Addr>().is_ok(),
        Scalar::Ipv6 => text.is_empty() || text.parse::<std::net::Ipv6Addr>().is_ok(),
        Scalar::Ip => text.is_empty() || text.parse::<std::net::IpAddr>().is_ok(),
        Scalar::Base64 => {
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            clean.len() % 4 == 0
                && clean.trim_end_matches('=').chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
        }
        Scalar::Uuid => is_uuid(text),
        Scalar::String | Scalar::Uri | Scalar::Secret | Scalar::IntegerOrUuid | Scalar::Any => true,
    };
    if ok {
        return Ok(());
    }
    match s {
        Scalar::Integer | Scalar::UnixTime => bad("an integer"),
        Scalar::Number => bad("a number"),
        Scalar::Boolean => bad("a boolean"),
        Scalar::Ipv4 => bad("an IPv4 address"),
        Scalar::Ipv6 => bad("an IPv6 address"),
        Scalar::Ip => bad("an IP address"),
        Scalar::Base64 => bad("base64"),
        _ => bad("a UUID"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_checked_by_the_one_reader() {
        assert!(check_text("2012-08-20T21:11:09Z", Scalar::DateTime).is_ok());
        assert!(check_text("2011-01-25T12:00:00-06:00", Scalar::DateTime).is_ok());
        assert!(check_text("2012-08-20T21:11:09.123456Z", Scalar::DateTime).is_ok());
        assert!(check_text("2012-08-20 21:11:09", Scalar::DateTime).is_ok(), "no zone: UTC");
        let feb31 = check_text("2012-02-31T00:00:00Z", Scalar::DateTime).unwrap_err();
        assert!(feb31.contains("is not an ISO 8601 date-time"), "{feb31}");
        assert!(check_text("yesterday", Scalar::DateTime).is_err());
    }

    #[test]
    fn uuids_have_the_canonical_form() {
        assert!(check_text("52415800-8b69-11e0-9b19-734f5736d2a2", Scalar::Uuid).is_ok());
        assert!(check_text("52415800", Scalar::Uuid).is_err());
        assert!(check_text("", Scalar::Uuid).is_err());
    }
}
