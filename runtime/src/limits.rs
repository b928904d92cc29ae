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
    /// Whether the value is only a default: each account has its own.
    pub account: bool,
    /// The operations that consume it.
    pub enforced_by: &'static [&'static str],
    /// What the service answers when it is exceeded.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// A usage counter reported beside the absolute limits (`totalRAMUsed`): what the account
/// uses now, never enforced by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageCounter {
    /// The schema id.
    pub id: &'static str,
    /// The name in limit reports.
    pub name: &'static str,
    /// The unit, when the document gives one.
    pub unit: Option<&'static str>,
    /// The id of the absolute limit it is counted against, if any.
    pub counts: Option<&'static str>,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// The account's own values of absolute limits (`maxServerMeta`...), as its limits report
/// gives them. Empty, the default, means "not known": field limits bound by an
/// account's value are then not checked, and only the documents' fixed bounds are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountLimits {
    values: std::collections::BTreeMap<String, i64>,
}

impl AccountLimits {
    /// No values known.
    pub fn unknown() -> Self {
        AccountLimits::default()
    }

    /// Sets the account's value of the absolute limit named `name`.
    #[must_use]
    pub fn with(mut self, name: &str, value: i64) -> Self {
        self.values.insert(name.to_string(), value);
        self
    }

    /// The account's value of the absolute limit named `name`, if known.
    pub fn get(&self, name: &str) -> Option<i64> {
        self.values.get(name).copied()
    }

    /// Reads the values of the absolute limits named in `limits` wherever they stand in a
    /// decoded limits report (JSON `{"maxServerMeta": 40}` entries at any depth).
    pub fn from_report(report: &serde_json::Value, limits: &[AbsoluteLimit]) -> Self {
        fn walk(v: &serde_json::Value, limits: &[AbsoluteLimit], out: &mut AccountLimits) {
            match v {
                serde_json::Value::Object(o) => {
                    for (k, val) in o {
                        match (limits.iter().find(|l| l.name == k), val.as_i64()) {
                            (Some(l), Some(n)) => {
                                out.values.insert(l.name.to_string(), n);
                            }
                            _ => walk(val, limits, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, limits, out)),
                _ => {}
            }
        }
        let mut out = AccountLimits::default();
        walk(report, limits, &mut out);
        out
    }

    /// The documents' default values of `limits` (those that have one), for checking
    /// requests as an account with the default limits would be checked.
    pub fn documented_defaults(limits: &[AbsoluteLimit]) -> Self {
        let values = limits.iter().filter_map(|l| Some((l.name.to_string(), l.value?))).collect();
        AccountLimits { values }
    }

    /// Whether no value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
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
    /// The name of the absolute limit whose account value is the real bound, when the
    /// documented maximum is only a default (`maxServerMeta`).
    pub account_limit: Option<&'static str>,
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
    /// The bound that applies: the account's value when the limit is the account's and
    /// the value is known (none when it is `-1`, unlimited), nothing when it is the
    /// account's and unknown (the documented number is only a default), else `documented`.
    pub fn bound(&self, documented: Option<u64>, account: &AccountLimits) -> Option<u64> {
        match self.account_limit {
            Some(name) => account.get(name).and_then(|v| u64::try_from(v).ok()),
            None => documented,
        }
    }

    /// Checks a length in bytes against `max_bytes` (see [`FieldLimit::bound`]).
    pub fn check_bytes(&self, len: usize, account: &AccountLimits) -> Result<(), LimitViolation> {
        match self.bound(self.max_bytes, account) {
            Some(max) if len as u64 > max => Err(self.violation(len as u64, max, "bytes")),
            _ => Ok(()),
        }
    }

    /// Checks a number of items against `max_count` (see [`FieldLimit::bound`]).
    pub fn check_count(&self, count: usize, account: &AccountLimits) -> Result<(), LimitViolation> {
        match self.bound(self.max_count, account) {
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
    /// The query parameter of the page size (`limit`).
    pub size_param: &'static str,
    /// The query parameter that names the last item seen (`marker`), for marker paging.
    pub marker_param: Option<&'static str>,
    /// The query parameter that counts the items seen (`offset`), for offset paging.
    pub offset_param: Option<&'static str>,
    /// The item field that identifies an item (`id`): the next marker, and how repeated
    /// items are recognised.
    pub id_field: Option<&'static str>,
    /// The link relation of the next page (`next`), when collections carry links.
    pub next_rel: Option<&'static str>,
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
    /// The query parameter that carries the time (`changes-since`).
    pub param: &'static str,
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
        account_limit: None,
        applies_to: &["x.op"],
        exceeded: None,
        refused_with: Exceeded { status: 400, fault: Some("x.badRequest"), fault_name: Some("badRequest"), retry_header: None },
        source: "doc, Table 1",
    };

    #[test]
    fn field_checks() {
        let none = AccountLimits::unknown();
        assert!(L.check_bytes(3, &none).is_ok());
        let v = L.check_bytes(4, &none).unwrap_err();
        assert_eq!((v.status, v.fault_name, v.max, v.actual, v.documented), (400, Some("badRequest"), 3, 4, false));
        assert!(v.message.contains("x.field.key"));
        assert!(L.check_count(1000, &none).is_ok(), "no max_count: nothing to check");
        let f = v.to_fault();
        assert_eq!((f.status, f.name.as_deref(), f.code), (400, Some("badRequest"), Some(400)));
    }

    #[test]
    fn account_limits_replace_defaults_and_unknown_ones_are_not_checked() {
        let meta = FieldLimit { account_limit: Some("maxServerMeta"), max_count: Some(20), max_bytes: None, ..L };
        assert!(meta.check_count(25, &AccountLimits::unknown()).is_ok(), "the documented 20 is only a default");
        assert!(meta.check_count(25, &AccountLimits::unknown().with("maxServerMeta", 40)).is_ok());
        let v = meta.check_count(41, &AccountLimits::unknown().with("maxServerMeta", 40)).unwrap_err();
        assert_eq!(v.max, 40);
        assert!(meta.check_count(1000, &AccountLimits::unknown().with("maxServerMeta", -1)).is_ok(), "-1 is unlimited");
    }

    #[test]
    fn account_limits_are_read_from_a_report() {
        const ABS: AbsoluteLimit = AbsoluteLimit {
            id: "x.absolute.maxServerMeta",
            name: "maxServerMeta",
            value: Some(20),
            unit: None,
            account: true,
            enforced_by: &[],
            exceeded: None,
            source: "doc",
        };
        let report = serde_json::json!({"limits": {"rate": [], "absolute": {"maxServerMeta": 40, "other": 3}}});
        let a = AccountLimits::from_report(&report, &[ABS]);
        assert_eq!(a.get("maxServerMeta"), Some(40));
        assert_eq!(a.get("other"), None, "only the schema's absolute limits are read");
    }

    #[test]
    fn base64_sizes() {
        for (text, len) in [("", 0), ("QQ==", 1), ("QUI=", 2), ("QUJD", 3), ("QUJDRA==", 4), ("QUJD\nREVG", 6)] {
            assert_eq!(base64_decoded_len(text), len, "{text}");
        }
    }
}
