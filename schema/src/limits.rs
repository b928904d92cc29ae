//! Limits: rate limits, absolute limits, field limits, pagination, polling and token lifetime.

use crate::provenance::{Api, Erratum, Source};
use serde::{Deserialize, Serialize};

/// What happens when a limit is exceeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exceeded {
    /// The HTTP status code returned.
    pub status: u16,
    /// The fault id returned, if the response carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// The header that says when to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_header: Option<String>,
}

/// The time unit of a rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The unit's length in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            RateUnit::Second => 1,
            RateUnit::Minute => 60,
            RateUnit::Hour => 3600,
            RateUnit::Day => 86_400,
        }
    }
}

/// The kind-specific facts of a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LimitKind {
    /// Requests per unit of time for a verb and URI pattern.
    Rate {
        /// The HTTP method (`*` for any).
        verb: String,
        /// The URI pattern as documented.
        uri: String,
        /// The regular expression matched against the path.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        regex: Option<String>,
        /// Requests allowed per unit.
        value: u64,
        /// The unit of time.
        unit: RateUnit,
        /// What happens when exceeded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceeded: Option<Exceeded>,
    },
    /// A cap on the total of a resource for the account.
    Absolute {
        /// The limit's name as reported by the limits call.
        name: String,
        /// The default value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<serde_json::Value>,
        /// The unit of the value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        /// The documented value is a default: each account has its own value, which the
        /// limits call reports.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        account: bool,
        /// The operations that consume it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        enforced_by: Vec<String>,
        /// What happens when exceeded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceeded: Option<Exceeded>,
    },
    /// A usage counter reported beside the absolute limits (`totalRAMUsed`): what the
    /// account currently consumes. It is not enforced itself.
    Usage {
        /// The counter's name as reported by the limits call.
        name: String,
        /// The unit of the value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        /// The id of the absolute limit the usage is counted against, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        counts: Option<String>,
    },
    /// A bound on one field of a request.
    Field {
        /// What is bounded.
        name: String,
        /// Maximum length in bytes.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_bytes: Option<u64>,
        /// Maximum number of items.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_count: Option<u64>,
        /// The field path in the request model, when one field is meant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
        /// The id of the absolute limit whose value (for the account) is the real bound;
        /// `max_bytes`/`max_count` then hold that limit's documented default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        absolute: Option<String>,
        /// The operations whose requests it bounds.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applies_to: Vec<String>,
        /// What happens when exceeded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceeded: Option<Exceeded>,
    },
    /// Page size of collections.
    Pagination {
        /// The largest page.
        max: u64,
        /// The page size when none is asked for.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<u64>,
        /// The query parameters that page, by what they do.
        params: PageParams,
        /// The item field that identifies an item: for marker paging, the last item's
        /// value is the next page's marker; any pager recognises repeated items by it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_field: Option<String>,
        /// The link relation of the next page in a collection's links.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_rel: Option<String>,
        /// The operations that page.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applies_to: Vec<String>,
        /// What happens when `limit` is too large.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceeded: Option<Exceeded>,
    },
    /// Polling for changes since a time.
    ChangesSince {
        /// The query parameter that carries the time.
        param: String,
        /// `datetime` (ISO 8601) or `unix-time`.
        format: String,
        /// How long deleted items are still reported.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retention_days: Option<u64>,
        /// The operations that accept it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applies_to: Vec<String>,
        /// The status when nothing changed (v1.0: 304).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_modified_status: Option<u16>,
    },
    /// Lifetime of an authentication token.
    Token {
        /// Hours a token lasts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hours: Option<u64>,
        /// The operations that issue it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applies_to: Vec<String>,
        /// What happens when it expires.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exceeded: Option<Exceeded>,
    },
    /// Cached responses.
    Caching {
        /// The status of a cached response (v1.0: 203).
        status: u16,
        /// The operations that may answer from cache.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        applies_to: Vec<String>,
    },
}

/// The query parameters of a paged list, by what each does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The parameter that sets the page size.
    pub size: String,
    /// The parameter that names the last item of the previous page (marker paging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// The parameter that counts the items to skip (offset paging).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<String>,
}

impl PageParams {
    /// Every parameter named, in the order size, marker, offset.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.size.as_str()).chain(self.marker.as_deref()).chain(self.offset.as_deref())
    }
}

/// A limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// Unique id.
    pub id: String,
    /// The API it applies to.
    pub api: Api,
    /// Where it is documented.
    pub source: Source,
    /// What it bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The kind-specific facts.
    #[serde(flatten)]
    pub kind: LimitKind,
    /// Corrections of the documents about it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

impl Limit {
    /// The ids of operations this limit names.
    pub fn operations(&self) -> &[String] {
        match &self.kind {
            LimitKind::Absolute { enforced_by, .. } => enforced_by,
            LimitKind::Field { applies_to, .. }
            | LimitKind::Pagination { applies_to, .. }
            | LimitKind::ChangesSince { applies_to, .. }
            | LimitKind::Token { applies_to, .. }
            | LimitKind::Caching { applies_to, .. } => applies_to,
            LimitKind::Rate { .. } | LimitKind::Usage { .. } => &[],
        }
    }

    /// What happens when the limit is exceeded.
    pub fn exceeded(&self) -> Option<&Exceeded> {
        match &self.kind {
            LimitKind::Rate { exceeded, .. }
            | LimitKind::Absolute { exceeded, .. }
            | LimitKind::Field { exceeded, .. }
            | LimitKind::Pagination { exceeded, .. }
            | LimitKind::Token { exceeded, .. } => exceeded.as_ref(),
            LimitKind::ChangesSince { .. } | LimitKind::Caching { .. } | LimitKind::Usage { .. } => None,
        }
    }

    /// Whether `key` may appear in a limit object of `kind`; `None` for an unknown kind.
    pub fn key_allowed(kind: &str, key: &str) -> Option<bool> {
        const COMMON: [&str; 6] = ["id", "api", "source", "doc", "kind", "errata"];
        let extra: &[&str] = match kind {
            "rate" => &["verb", "uri", "regex", "value", "unit", "exceeded"],
            "absolute" => &["name", "value", "unit", "account", "enforced_by", "exceeded"],
            "usage" => &["name", "unit", "counts"],
            "field" => &["name", "max_bytes", "max_count", "field", "absolute", "applies_to", "exceeded"],
            "pagination" => &["max", "default", "params", "id_field", "next_rel", "applies_to", "exceeded"],
            "changes-since" => &["param", "format", "retention_days", "applies_to", "not_modified_status"],
            "token" => &["hours", "applies_to", "exceeded"],
            "caching" => &["status", "applies_to"],
            _ => return None,
        };
        Some(COMMON.contains(&key) || extra.contains(&key))
    }
}

impl Limit {
    /// For a rate limit: the regular expression that decides which requests it counts,
    /// its `regex`, or, when it has none, its `uri` read as a wildcard pattern (`*` any
    /// text) that must match the whole target. `None` for other kinds.
    pub fn rate_pattern(&self) -> Option<String> {
        match &self.kind {
            LimitKind::Rate { regex: Some(r), .. } => Some(r.clone()),
            LimitKind::Rate { uri, .. } => {
                let parts: Vec<String> = uri.split('*').map(regex::escape).collect();
                Some(format!("^{}$", parts.join(".*")))
            }
            _ => None,
        }
    }

    /// For a rate limit: whether it counts a request with this method and target (the path
    /// after the endpoint root, with the query string if any). An unparsable pattern
    /// matches nothing (`schema check` reports it). Always false for other kinds.
    pub fn rate_applies(&self, method: &str, target: &str) -> bool {
        let LimitKind::Rate { verb, .. } = &self.kind else { return false };
        let verb_ok = verb == "*" || verb.eq_ignore_ascii_case("ALL") || verb.eq_ignore_ascii_case(method);
        verb_ok
            && self
                .rate_pattern()
                .and_then(|p| regex::Regex::new(&p).ok())
                .is_some_and(|re| re.is_match(target))
    }
}
