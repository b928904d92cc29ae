//! Limits as data (rate, absolute, usage, field, pagination, changes-since, token
//! lifetime, caching) and the rules on them: which requests a rate limit counts, its
//! window, the bound a field limit sets for an account.
//!
//! The schema loads [`RateUnit`] and [`Exceeded`] as its data files write them and turns
//! each loaded limit into one of the table structs below (owned strings); generated code
//! holds the same structs as constants (borrowed strings). Either way the rules are the
//! ones implemented here.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::time::Duration;

/// The time unit of a rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
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
    /// Every unit.
    pub const ALL: [RateUnit; 4] = [RateUnit::Second, RateUnit::Minute, RateUnit::Hour, RateUnit::Day];

    /// The unit's length in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            RateUnit::Second => 1,
            RateUnit::Minute => 60,
            RateUnit::Hour => 3600,
            RateUnit::Day => 86_400,
        }
    }

    /// The unit's length.
    pub fn duration(self) -> Duration {
        Duration::from_secs(self.seconds())
    }

    /// The unit as the schema and the limits call spell it (`MINUTE`).
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exceeded {
    /// The HTTP status.
    pub status: u16,
    /// The fault id (`v2.overLimit`), if the response carries a fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Cow<'static, str>>,
    /// The fault's name (`overLimit`): the JSON key and XML root element. Not written in
    /// the schema's data (`None` as loaded): the table form of a limit resolves it from
    /// `fault`.
    #[serde(skip)]
    pub fault_name: Option<Cow<'static, str>>,
    /// The header that says when to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_header: Option<Cow<'static, str>>,
}

/// Requests allowed per unit of time for a verb and URI pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The HTTP method (`*` or `ALL` for any).
    pub verb: Cow<'static, str>,
    /// The URI pattern as documented (`*` for any text).
    pub uri: Cow<'static, str>,
    /// The regular expression the service matches against the path.
    pub regex: Option<Cow<'static, str>>,
    /// Requests allowed per unit.
    pub value: u64,
    /// The unit.
    pub unit: RateUnit,
    /// What the service answers when it is exceeded.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl RateLimit {
    /// The window the value counts requests in.
    pub fn window(&self) -> Duration {
        self.unit.duration()
    }

    /// Whether the limit counts requests of this method (`*` and `ALL` count all).
    pub fn counts_method(&self, method: &str) -> bool {
        self.verb == "*" || self.verb.eq_ignore_ascii_case("ALL") || self.verb.eq_ignore_ascii_case(method)
    }

    /// The regular expression that decides which request targets the limit counts: its
    /// `regex`, or, when it has none, its `uri` read as a wildcard pattern (`*` any text)
    /// that must match the whole target.
    pub fn pattern(&self) -> Cow<'_, str> {
        match &self.regex {
            Some(r) => Cow::Borrowed(r.as_ref()),
            None => {
                let parts: Vec<String> = self.uri.split('*').map(regex::escape).collect();
                Cow::Owned(format!("^{}$", parts.join(".*")))
            }
        }
    }

    /// [`RateLimit::pattern`] compiled, or why it is no regular expression.
    pub fn matcher(&self) -> Result<regex::Regex, regex::Error> {
        regex::Regex::new(&self.pattern())
    }

    /// Whether the limit counts a request with this method and target (the path after
    /// the endpoint root, with the query string if any). A pattern that does not compile
    /// matches nothing (`schema check` reports it). The pattern is compiled on each call;
    /// keep [`RateLimit::matcher`] to match many targets.
    pub fn applies(&self, method: &str, target: &str) -> bool {
        self.counts_method(method) && self.matcher().is_ok_and(|re| re.is_match(target))
    }
}

/// A cap on the total of a resource for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbsoluteLimit {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The name the limits call reports it under.
    pub name: Cow<'static, str>,
    /// The default value (`-1`: unlimited), when the document gives one.
    pub value: Option<i64>,
    /// The unit of the value (`MB`, `GB`, `bytes`).
    pub unit: Option<Cow<'static, str>>,
    /// Whether the value is only a default: each account has its own.
    pub account: bool,
    /// The operations that consume it.
    pub enforced_by: Cow<'static, [Cow<'static, str>]>,
    /// What the service answers when it is exceeded.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl AbsoluteLimit {
    /// Whether the default value means "no limit" (`-1`).
    pub fn is_unlimited(&self) -> bool {
        self.value == Some(-1)
    }
}

/// A usage counter reported beside the absolute limits (`totalRAMUsed`): what the account
/// uses now, never enforced by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageCounter {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The name in limit reports.
    pub name: Cow<'static, str>,
    /// The unit, when the document gives one.
    pub unit: Option<Cow<'static, str>>,
    /// The id of the absolute limit it is counted against, if any.
    pub counts: Option<Cow<'static, str>>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

/// The account's own values of absolute limits (`maxServerMeta`...), as its limits report
/// gives them. Empty, the default, means "not known": field limits bound by an
/// account's value are then not checked, and only the documents' fixed bounds are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountLimits {
    values: BTreeMap<String, i64>,
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
                        match (limits.iter().find(|l| l.name == k.as_str()), val.as_i64()) {
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

/// A bound on one field of a request, checked before the request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldLimit {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// What is bounded, in words.
    pub name: Cow<'static, str>,
    /// Maximum length in bytes (UTF-8 for text, decoded for base64).
    pub max_bytes: Option<u64>,
    /// Maximum number of items or entries.
    pub max_count: Option<u64>,
    /// The field path in the request (syntax in the schema's FORMAT.md).
    pub field: Option<Cow<'static, str>>,
    /// The name of the absolute limit whose account value is the real bound, when the
    /// documented maximum is only a default (`maxServerMeta`).
    pub account_limit: Option<Cow<'static, str>>,
    /// The operations whose requests it bounds.
    pub applies_to: Cow<'static, [Cow<'static, str>]>,
    /// What the document says the service answers, if it says.
    pub exceeded: Option<Exceeded>,
    /// What a violation reports: `exceeded`, or 400 `badRequest` when the document
    /// names no status.
    pub refused_with: Exceeded,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl FieldLimit {
    /// The bound that applies: the account's value when the limit is the account's and
    /// the value is known (none when it is `-1`, unlimited), nothing when it is the
    /// account's and unknown (the documented number is only a default), else `documented`.
    pub fn bound(&self, documented: Option<u64>, account: &AccountLimits) -> Option<u64> {
        match &self.account_limit {
            Some(name) => account.get(name).and_then(|v| u64::try_from(v).ok()),
            None => documented,
        }
    }

    /// The bound on the length in bytes for `account` (see [`FieldLimit::bound`]).
    pub fn max_bytes_for(&self, account: &AccountLimits) -> Option<u64> {
        self.bound(self.max_bytes, account)
    }

    /// The bound on the number of items for `account` (see [`FieldLimit::bound`]).
    pub fn max_count_for(&self, account: &AccountLimits) -> Option<u64> {
        self.bound(self.max_count, account)
    }
}

/// What a field limit's path measures at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// The length in bytes of a text value, checked against `max_bytes`.
    Bytes,
    /// The number of a map's entries or an array's items (or whether a single field is
    /// present), checked against `max_count`.
    Count,
}

impl Measure {
    /// What a path measures under a limit with these maxima: a count when the path ends in
    /// a count (`{}` or `[]`) or the limit has no `max_bytes`, else bytes; an error when
    /// the limit has no `max_count` for a count.
    pub fn of(ends_in_count: bool, max_bytes: Option<u64>, max_count: Option<u64>) -> Result<Measure, &'static str> {
        if !ends_in_count && max_bytes.is_some() {
            Ok(Measure::Bytes)
        } else if max_count.is_some() {
            Ok(Measure::Count)
        } else {
            Err("it counts entries or items but the limit has no `max_count`")
        }
    }
}

/// Page size of collections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The largest page.
    pub max: u64,
    /// The page size when none is asked for.
    pub default: Option<u64>,
    /// The query parameter of the page size (`limit`).
    pub size_param: Cow<'static, str>,
    /// The query parameter that names the last item seen (`marker`), for marker paging.
    pub marker_param: Option<Cow<'static, str>>,
    /// The query parameter that counts the items seen (`offset`), for offset paging.
    pub offset_param: Option<Cow<'static, str>>,
    /// The item field that identifies an item (`id`): the next marker, and how repeated
    /// items are recognised.
    pub id_field: Option<Cow<'static, str>>,
    /// The link relation of the next page (`next`), when collections carry links.
    pub next_rel: Option<Cow<'static, str>>,
    /// The operations that page.
    pub applies_to: Cow<'static, [Cow<'static, str>]>,
    /// What the service answers when the page asked for is too large.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

/// Polling a collection for changes since a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangesSince {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The query parameter that carries the time (`changes-since`).
    pub param: Cow<'static, str>,
    /// How the time is written: `datetime` (ISO 8601) or `unix-time`.
    pub format: Cow<'static, str>,
    /// How many days deleted items are still reported.
    pub retention_days: Option<u64>,
    /// The operations that accept it.
    pub applies_to: Cow<'static, [Cow<'static, str>]>,
    /// The status when nothing changed (v1.0: 304).
    pub not_modified_status: Option<u16>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

/// The lifetime of an authentication token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenLifetime {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// Hours a token lasts.
    pub hours: Option<u64>,
    /// The operations that issue it.
    pub applies_to: Cow<'static, [Cow<'static, str>]>,
    /// What the service answers when it has expired.
    pub exceeded: Option<Exceeded>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl TokenLifetime {
    /// The lifetime as a duration.
    pub fn lifetime(&self) -> Option<Duration> {
        self.hours.map(|h| Duration::from_secs(h.saturating_mul(3600)))
    }
}

/// Responses that may come from a cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caching {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The status of a cached response (v1.0: 203).
    pub status: u16,
    /// The operations that may answer from a cache.
    pub applies_to: Cow<'static, [Cow<'static, str>]>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn b(s: &'static str) -> Cow<'static, str> {
        Cow::Borrowed(s)
    }

    fn rate(verb: &'static str, uri: &'static str, regex: Option<&'static str>) -> RateLimit {
        RateLimit {
            id: b("x.rate"),
            verb: b(verb),
            uri: b(uri),
            regex: regex.map(b),
            value: 10,
            unit: RateUnit::Minute,
            exceeded: None,
            source: b("doc, Table 1"),
        }
    }

    #[test]
    fn rate_limits_count_by_verb_and_pattern() {
        let any = rate("*", "*", None);
        assert!(any.applies("GET", "/servers") && any.applies("delete", "/images/1"));
        let all = rate("ALL", "*", None);
        assert!(all.applies("PUT", "/servers/1"), "`ALL` counts every method");
        let post = rate("POST", "*/servers", None);
        assert!(post.applies("post", "/v2/servers"), "methods compare without case");
        assert!(!post.applies("GET", "/v2/servers"));
        assert!(!post.applies("POST", "/v2/servers/1"), "a wildcard `uri` matches the whole target");
        assert_eq!(post.pattern(), "^.*/servers$");
        let dotted = rate("GET", "/a.b", None);
        assert!(dotted.applies("GET", "/a.b") && !dotted.applies("GET", "/aXb"), "`uri` text is literal");
        let re = rate("GET", "*changes-since*", Some("^/servers"));
        assert!(re.applies("GET", "/servers/detail?changes-since=x"), "a `regex` replaces the `uri`");
        assert!(!re.applies("GET", "/images"));
        let broken = rate("GET", "*", Some("(unclosed"));
        assert!(broken.matcher().is_err());
        assert!(!broken.applies("GET", "/servers"), "a pattern that does not compile matches nothing");
    }

    #[test]
    fn windows_and_lifetimes() {
        for (unit, secs) in RateUnit::ALL.into_iter().zip([1, 60, 3600, 86_400]) {
            assert_eq!(unit.seconds(), secs);
            assert_eq!(unit.duration(), Duration::from_secs(secs));
        }
        assert_eq!(rate("GET", "*", None).window(), Duration::from_secs(60));
        let token = TokenLifetime { id: b("x.token"), hours: Some(24), applies_to: Cow::Borrowed(&[]), exceeded: None, source: b("doc") };
        assert_eq!(token.lifetime(), Some(Duration::from_secs(24 * 3600)));
    }

    #[test]
    fn units_and_exceeded_round_trip_through_serde() {
        for unit in RateUnit::ALL {
            let json = serde_json::to_value(unit).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json, serde_json::Value::from(unit.as_str()));
            assert_eq!(serde_json::from_value::<RateUnit>(json).ok(), Some(unit));
        }
        let json = serde_json::json!({"status": 413, "fault": "v2.overLimit", "retry_header": "Retry-After"});
        let e: Exceeded = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((e.status, e.fault.as_deref(), e.fault_name.as_deref()), (413, Some("v2.overLimit"), None));
        assert_eq!(serde_json::to_value(&e).ok(), Some(json), "the resolved fault name is not data");
        assert!(serde_json::from_value::<Exceeded>(serde_json::json!({"status": 413, "fault_name": "overLimit"})).is_err());
    }

    #[test]
    fn field_bounds_follow_the_account() {
        let l = FieldLimit {
            id: b("x.field.meta"),
            name: b("metadata items"),
            max_bytes: None,
            max_count: Some(20),
            field: Some(b("metadata{}")),
            account_limit: None,
            applies_to: Cow::Borrowed(&[]),
            exceeded: None,
            refused_with: Exceeded { status: 400, fault: None, fault_name: None, retry_header: None },
            source: b("doc"),
        };
        let none = AccountLimits::unknown();
        assert_eq!((l.max_count_for(&none), l.max_bytes_for(&none)), (Some(20), None));
        let acct = FieldLimit { account_limit: Some(b("maxServerMeta")), ..l };
        assert_eq!(acct.max_count_for(&none), None, "the documented 20 is only a default");
        assert_eq!(acct.max_count_for(&none.clone().with("maxServerMeta", 40)), Some(40));
        assert_eq!(acct.max_count_for(&none.with("maxServerMeta", -1)), None, "-1 is unlimited");
    }

    #[test]
    fn paths_measure_bytes_unless_they_count() {
        assert_eq!(Measure::of(false, Some(255), None), Ok(Measure::Bytes));
        assert_eq!(Measure::of(true, Some(255), Some(5)), Ok(Measure::Count), "`{{}}` and `[]` count");
        assert_eq!(Measure::of(false, None, Some(5)), Ok(Measure::Count), "a single field is counted without `max_bytes`");
        assert!(Measure::of(true, Some(255), None).is_err());
    }

    #[test]
    fn account_limits_are_read_from_a_report() {
        let abs = AbsoluteLimit {
            id: b("x.absolute.maxServerMeta"),
            name: b("maxServerMeta"),
            value: Some(20),
            unit: None,
            account: true,
            enforced_by: Cow::Borrowed(&[]),
            exceeded: None,
            source: b("doc"),
        };
        assert!(!abs.is_unlimited());
        let report = serde_json::json!({"limits": {"rate": [], "absolute": {"maxServerMeta": 40, "other": 3}}});
        let a = AccountLimits::from_report(&report, std::slice::from_ref(&abs));
        assert_eq!(a.get("maxServerMeta"), Some(40));
        assert_eq!(a.get("other"), None, "only the schema's absolute limits are read");
        assert_eq!(AccountLimits::documented_defaults(&[abs]).get("maxServerMeta"), Some(20));
    }
}
