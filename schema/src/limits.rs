//! Limits: rate limits, absolute limits, field limits, pagination, polling and token lifetime.
//!
//! A limit is loaded with its provenance (source, errata, notes) and turned by
//! [`Limit::table`] into the table form of [`shapes::limits`], which generated code holds
//! too and whose rules (which requests a rate limit counts, its window, a field limit's
//! bound) both use.

use crate::provenance::{Api, Erratum, Source};
use crate::Schema;
use serde::{Deserialize, Serialize};
use shapes::limits as table;
use std::borrow::Cow;

pub use shapes::limits::{Exceeded, RateUnit};

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

/// A limit in table form, by kind: what generated code holds for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitTable {
    /// A rate limit.
    Rate(table::RateLimit),
    /// An absolute limit.
    Absolute(table::AbsoluteLimit),
    /// A usage counter.
    Usage(table::UsageCounter),
    /// A field limit.
    Field(table::FieldLimit),
    /// Page sizes.
    Pagination(table::Pagination),
    /// Polling for changes.
    ChangesSince(table::ChangesSince),
    /// A token lifetime.
    Token(table::TokenLifetime),
    /// Cached responses.
    Caching(table::Caching),
}

impl Limit {
    /// The limit in table form, with what it refers to resolved in `schema`: each
    /// `exceeded` gets its fault's name, a field limit its `account_limit` (the name of
    /// its `absolute` limit) and its `refused_with` (`exceeded`, or 400 with the API's
    /// `badRequest` fault when the document names no status), an absolute limit's value
    /// is read as an integer, and the source is written `document, place`.
    pub fn table(&self, schema: &Schema) -> LimitTable {
        let text = |s: &str| Cow::Owned(s.to_string());
        let texts = |v: &[String]| v.iter().map(|s| text(s)).collect::<Cow<'static, [_]>>();
        let resolve = |e: &Exceeded| Exceeded {
            fault_name: e.fault.as_deref().and_then(|f| schema.fault(f)).map(|f| text(&f.name)),
            ..e.clone()
        };
        let exceeded = |e: &Option<Exceeded>| e.as_ref().map(resolve);
        let id = text(&self.id);
        let source: Cow<'static, str> = Cow::Owned(self.source.to_string());
        match &self.kind {
            LimitKind::Rate { verb, uri, regex, value, unit, exceeded: e } => LimitTable::Rate(table::RateLimit {
                id,
                verb: text(verb),
                uri: text(uri),
                regex: regex.as_deref().map(text),
                value: *value,
                unit: *unit,
                exceeded: exceeded(e),
                source,
            }),
            LimitKind::Absolute { name, value, unit, account, enforced_by, exceeded: e } => LimitTable::Absolute(table::AbsoluteLimit {
                id,
                name: text(name),
                value: value.as_ref().and_then(serde_json::Value::as_i64),
                unit: unit.as_deref().map(text),
                account: *account,
                enforced_by: texts(enforced_by),
                exceeded: exceeded(e),
                source,
            }),
            LimitKind::Usage { name, unit, counts } => LimitTable::Usage(table::UsageCounter {
                id,
                name: text(name),
                unit: unit.as_deref().map(text),
                counts: counts.as_deref().map(text),
                source,
            }),
            LimitKind::Field { name, max_bytes, max_count, field, absolute, applies_to, exceeded: e } => {
                let account_limit = match absolute.as_deref().and_then(|a| schema.limit(a)).map(|a| &a.kind) {
                    Some(LimitKind::Absolute { name, .. }) => Some(text(name)),
                    _ => None,
                };
                let bad_request = || Exceeded {
                    status: 400,
                    fault: schema.faults.iter().find(|f| f.api == self.api && f.name == "badRequest").map(|f| text(&f.id)),
                    fault_name: None,
                    retry_header: None,
                };
                LimitTable::Field(table::FieldLimit {
                    id,
                    name: text(name),
                    max_bytes: *max_bytes,
                    max_count: *max_count,
                    field: field.as_deref().map(text),
                    account_limit,
                    applies_to: texts(applies_to),
                    exceeded: exceeded(e),
                    refused_with: resolve(&e.clone().unwrap_or_else(bad_request)),
                    source,
                })
            }
            LimitKind::Pagination { max, default, params, id_field, next_rel, applies_to, exceeded: e } => LimitTable::Pagination(table::Pagination {
                id,
                max: *max,
                default: *default,
                size_param: text(&params.size),
                marker_param: params.marker.as_deref().map(text),
                offset_param: params.offset.as_deref().map(text),
                id_field: id_field.as_deref().map(text),
                next_rel: next_rel.as_deref().map(text),
                applies_to: texts(applies_to),
                exceeded: exceeded(e),
                source,
            }),
            LimitKind::ChangesSince { param, format, retention_days, applies_to, not_modified_status } => {
                LimitTable::ChangesSince(table::ChangesSince {
                    id,
                    param: text(param),
                    format: text(format),
                    retention_days: *retention_days,
                    applies_to: texts(applies_to),
                    not_modified_status: *not_modified_status,
                    source,
                })
            }
            LimitKind::Token { hours, applies_to, exceeded: e } => {
                LimitTable::Token(table::TokenLifetime { id, hours: *hours, applies_to: texts(applies_to), exceeded: exceeded(e), source })
            }
            LimitKind::Caching { status, applies_to } => {
                LimitTable::Caching(table::Caching { id, status: *status, applies_to: texts(applies_to), source })
            }
        }
    }
}
