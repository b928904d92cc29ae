//! Limits as data (rate, absolute, field, pagination, changes-since, token lifetime,
//! caching) and the checks the generated validators run on a request before it is sent.
//!
//! The generated `limits` module of each API holds one constant per limit of the schema
//! and `validate_<operation>` functions that check the field limits of a request; a
//! request they refuse is one the service would refuse too, and [`LimitViolation`]
//! names the status and fault the service would answer with.

use crate::faults::FaultBody;
use std::time::Duration;

/// The time unit of a rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateUnit {
    /// Per second.
    Second,
    /// Per minute.
    Minute,
    /// Per hour.
    Hour,
    /// Per day.
    Day,
}

impl RateUnit {
    /// The length of the unit.
    pub fn duration(self) -> Duration {
        Duration::from_secs(match self {
            RateUnit::Second => 1,
            RateUnit::Minute => 60,
            RateUnit::Hour => 3600,
            RateUnit::Day => 86_400,
        })
    }

    /// The unit as the limits call spells it (`MINUTE`).
    pub fn as_str(self) -> &'static str {
        match self {
            RateUnit::Second => "SECOND",
            RateUnit::Minute => "MINUTE",
            RateUnit::Hour => "HOUR",
            RateUnit::Day => "DAY",
        }
    }
}

/// What the service answers when a limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    /// The HTTP status.
    pub status: u16,
    /// The fault id (`v2.overLimit`), if the response carries a fault.
    pub fault: Option<&'static str>,
    /// The fault's name (`overLimit`): the JSON key and XML root element.
    pub fault_name: Option<&'static str>,
    /// The header that says when to retry.
    pub retry_header: Option<&'static str>,
}

/// Requests allowed per unit of time for a verb and URI pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The schema id.
    pub id: &'static str,
    /// The HTTP method (`*` for any).
    pub verb: &'static str,
    /// The URI pattern as documented.
    pub uri: &'static str,
    /// The regular expression the service matches against the path.
    pub regex: Option<&'static str>,
    /// Requests allowed per unit.
    pub value: u64,
    /// The unit.
    pub unit: RateUnit,
    /// What the service answers when it is exceeded.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl RateLimit {
    /// The window the value counts requests in.
    pub fn window(&self) -> Duration {
        self.unit.duration()
    }

    /// Whether the limit counts requests of this method (`*` counts all).
    pub fn counts_method(&self, method: &str) -> bool {
        self.verb == "*" || self.verb.eq_ignore_ascii_case(method)
    }
}

/// A cap on the total of a resource for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbsoluteLimit {
    /// The schema id.
    pub id: &'static str,
    /// The name the limits call reports it under.
    pub name: &'static str,
    /// The default value (`-1`: unlimited); `None` for a usage counter with no default.
    pub value: Option<i64>,
    /// The unit of the value (`MB`, `GB`, `bytes`).
    pub unit: Option<&'static str>,
    /// The operations that consume it.
    pub enforced_by: &'static [&'static str],
    /// What the service answers when it is exceeded.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl AbsoluteLimit {
    /// Whether the default value means "no limit" (`-1`).
    pub fn is_unlimited(&self) -> bool {
        self.value == Some(-1)
    }
}

/// A bound on one field of a request, checked before the request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLimit {
    /// The schema id.
    pub id: &'static str,
    /// What is bounded, in words.
    pub name: &'static str,
    /// Maximum length in bytes (UTF-8 for text, decoded for base64).
    pub max_bytes: Option<u64>,
    /// Maximum number of items or entries.
    pub max_count: Option<u64>,
    /// The field path in the request (syntax in the schema's FORMAT.md).
    pub field: Option<&'static str>,
    /// The operations whose requests it bounds.
    pub applies_to: &'static [&'static str],
    /// What the document says the service answers, if it says.
    pub exceeded: Option<Exceeded>,
    /// What a violation reports: `exceeded`, or 400 `badRequest` when the document
    /// names no status.
    pub refused_with: Exceeded,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl FieldLimit {
    /// Checks a length in bytes against `max_bytes`.
    pub fn check_bytes(&self, len: usize) -> Result<(), LimitViolation> {
        match self.max_bytes {
            Some(max) if len as u64 > max => Err(self.violation(len as u64, max, "bytes")),
            _ => Ok(()),
        }
    }

    /// Checks a number of items against `max_count`.
    pub fn check_count(&self, count: usize) -> Result<(), LimitViolation> {
        match self.max_count {
            Some(max) if count as u64 > max => Err(self.violation(count as u64, max, "items")),
            _ => Ok(()),
        }
    }

    fn violation(&self, actual: u64, max: u64, unit: &str) -> LimitViolation {
        let field = self.field.unwrap_or(self.name);
        LimitViolation {
            limit: self.id,
            field,
            status: self.refused_with.status,
            fault: self.refused_with.fault,
            fault_name: self.refused_with.fault_name,
            documented: self.exceeded.is_some(),
            max,
            actual,
            message: format!("{} is {actual} {unit}, more than the {max} allowed (limit {}, field {field})", self.name, self.id),
        }
    }
}

/// Page size of collections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// The schema id.
    pub id: &'static str,
    /// The largest page.
    pub max: u64,
    /// The page size when none is asked for.
    pub default: Option<u64>,
    /// The query parameters that page (`limit`, `marker`).
    pub params: &'static [&'static str],
    /// The operations that page.
    pub applies_to: &'static [&'static str],
    /// What the service answers when the page asked for is too large.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// Polling a collection for changes since a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangesSince {
    /// The schema id.
    pub id: &'static str,
    /// How the time is written: `datetime` (ISO 8601) or `unix-time`.
    pub format: &'static str,
    /// How many days deleted items are still reported.
    pub retention_days: Option<u64>,
    /// The operations that accept it.
    pub applies_to: &'static [&'static str],
    /// The status when nothing changed (v1.0: 304).
    pub not_modified_status: Option<u16>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// The lifetime of an authentication token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    /// The schema id.
    pub id: &'static str,
    /// Hours a token lasts.
    pub hours: Option<u64>,
    /// The operations that issue it.
    pub applies_to: &'static [&'static str],
    /// What the service answers when it has expired.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl TokenLifetime {
    /// The lifetime as a duration.
    pub fn lifetime(&self) -> Option<Duration> {
        self.hours.map(|h| Duration::from_secs(h.saturating_mul(3600)))
    }
}

/// Responses that may come from a cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caching {
    /// The schema id.
    pub id: &'static str,
    /// The status of a cached response (v1.0: 203).
    pub status: u16,
    /// The operations that may answer from a cache.
    pub applies_to: &'static [&'static str],
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// A request refused before it is sent because a field exceeds a documented limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LimitViolation {
    /// The limit's schema id (`v2.field.metadata-key`).
    pub limit: &'static str,
    /// The field path (or the limit's name when it has no path).
    pub field: &'static str,
    /// The status the service would answer with.
    pub status: u16,
    /// The fault id the service would answer with.
    pub fault: Option<&'static str>,
    /// The fault's name (`badRequest`, `overLimit`).
    pub fault_name: Option<&'static str>,
    /// Whether the document names the status and fault; when false they are the
    /// default 400 `badRequest`.
    pub documented: bool,
    /// The limit.
    pub max: u64,
    /// What the request has.
    pub actual: u64,
    /// What is wrong, in words.
    pub message: String,
}

impl LimitViolation {
    /// The fault the service would answer with, as a local fault body for the generated
    /// error enums' `from_fault`.
    pub fn to_fault(&self) -> FaultBody {
        FaultBody::local(self.status, self.fault_name, self.message.clone())
    }
}

/// Why a request body could not be checked, or what it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestCheckError {
    /// The body does not decode into the operation's request model.
    #[error("request body does not decode: {0}")]
    Decode(String),
    /// The body breaks a field limit.
    #[error(transparent)]
    Limit(#[from] LimitViolation),
}

/// The number of bytes a base64 text decodes to (whitespace and padding ignored), without
/// decoding it; text that is not valid base64 still gets a size, by the same count.
pub fn base64_decoded_len(text: &str) -> usize {
    let symbols = text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').count();
    symbols / 4 * 3 + (symbols % 4 * 3) / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: FieldLimit = FieldLimit {
        id: "x.field.key",
        name: "metadata key",
        max_bytes: Some(3),
        max_count: None,
        field: Some("metadata{key}"),
        applies_to: &["x.op"],
        exceeded: None,
        refused_with: Exceeded { status: 400, fault: Some("x.badRequest"), fault_name: Some("badRequest"), retry_header: None },
        source: "doc, Table 1",
    };

    #[test]
    fn field_checks() {
        assert!(L.check_bytes(3).is_ok());
        let v = L.check_bytes(4).unwrap_err();
        assert_eq!((v.status, v.fault_name, v.max, v.actual, v.documented), (400, Some("badRequest"), 3, 4, false));
        assert!(v.message.contains("x.field.key"));
        assert!(L.check_count(1000).is_ok(), "no max_count: nothing to check");
        let f = v.to_fault();
        assert_eq!((f.status, f.name.as_deref(), f.code), (400, Some("badRequest"), Some(400)));
    }

    #[test]
    fn base64_sizes() {
        for (text, len) in [("", 0), ("QQ==", 1), ("QUI=", 2), ("QUJD", 3), ("QUJDRA==", 4), ("QUJD\nREVG", 6)] {
            assert_eq!(base64_decoded_len(text), len, "{text}");
        }
    }
}
