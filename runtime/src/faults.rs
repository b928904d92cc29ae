//! Fault bodies: decoding the error documents the Cloud Servers APIs return, in JSON,
//! XML or plain text, and reading when a request may be retried.
//!
//! A fault document names the fault by its JSON wrapping key or XML root element
//! (`{"itemNotFound": {"code": 404, "message": "..."}}`, `<itemNotFound code="404">
//! <message>...</message></itemNotFound>`). [`FaultBody::decode`] reads any such
//! document generically, without regard to namespaces, so a fault the schema does not
//! list still decodes; the generated error enums then map it to a variant by its name.
//! Which keys, attributes and child elements hold the code, the message and the other
//! parts is not known here: the generated code of each API passes them in as a
//! [`FaultParts`] table built from the roles of its fault models in the schema. Nothing
//! here panics on any input: what cannot be read is left `None`, and the raw body is kept.

use std::fmt;
use std::time::{Duration, SystemTime};

/// The format of a body: the one format type of the schema, the clients and this decoder.
pub use shapes::Format;
/// When a request may be retried: the one reader of `Retry-After` headers and of fault
/// bodies' retry fields (see [`FaultBody::retry_hint`]).
pub use shapes::time::RetryAfter;

/// How many characters of a body [`FaultBody`]'s `Display` shows when the body names no
/// fault and carries no message.
const DISPLAY_EXCERPT: usize = 200;

/// The names of the parts of an API's fault responses, by role: for each part of a body,
/// the JSON keys and XML local names (attributes or child elements) that may hold it, and
/// the header that says when to retry. Generated code builds one per API
/// (`<api>::faults::FAULT_PARTS`) from the fields of its fault models that have the
/// schema's roles `fault-code`, `fault-message`, `fault-details`, `fault-created`,
/// `retry-at` and `retry-after`, and from its faults' `retry_header`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FaultParts {
    /// Where the numeric fault code (the HTTP status, repeated) is (`code`).
    pub code: &'static [&'static str],
    /// Where the human-readable message is (`message`).
    pub message: &'static [&'static str],
    /// Where the details are (`details`).
    pub details: &'static [&'static str],
    /// Where the time the fault happened is (`created`).
    pub created: &'static [&'static str],
    /// Where the date-time the request may be retried at is (`retryAt`).
    pub retry_at: &'static [&'static str],
    /// Where the time, or the seconds, after which the request may be retried is
    /// (`retryAfter`).
    pub retry_after: &'static [&'static str],
    /// The response headers that say when the request may be retried (`Retry-After`),
    /// from the faults' `retry_header`.
    pub retry_header: &'static [&'static str],
}

impl FaultParts {
    /// No parts: only the fault's name (and a plain-text message) can be read.
    pub const NONE: FaultParts =
        FaultParts { code: &[], message: &[], details: &[], created: &[], retry_at: &[], retry_after: &[], retry_header: &[] };

    /// The value of the first of [`FaultParts::retry_header`] that `header` finds.
    pub fn retry_header_in<'h>(&self, header: impl Fn(&str) -> Option<&'h str>) -> Option<&'h str> {
        self.retry_header.iter().find_map(|name| header(name))
    }

    /// Whether an object whose keys `has` tells names a fault part that only fault
    /// documents carry: a code or a message.
    fn names_fault(&self, has: impl Fn(&str) -> bool) -> bool {
        self.code.iter().chain(self.message).any(|n| has(n))
    }
}

/// A decoded fault document, with the HTTP status and `Retry-After` header of the
/// response that carried it. Every part the document lacks is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultBody {
    /// The HTTP status of the response.
    pub status: u16,
    /// The fault's name: the JSON wrapping key or XML root element (`itemNotFound`);
    /// `None` when the body names none (empty, plain text, or a document with neither a
    /// code nor a message, such as a proxy's HTML page).
    pub name: Option<String>,
    /// The code in the body (the HTTP status, repeated).
    pub code: Option<u16>,
    /// The message.
    pub message: Option<String>,
    /// The details.
    pub details: Option<String>,
    /// When the fault happened, as sent.
    pub created: Option<String>,
    /// The body's retry date-time (`retryAt`, v2), as sent.
    pub retry_at: Option<String>,
    /// The body's retry time or delay (`retryAfter`, v1.0), as sent.
    pub retry_after: Option<String>,
    /// The `Retry-After` header, as sent.
    pub retry_after_header: Option<String>,
    /// When the response was received (a `Retry-After` delay counts from here).
    pub received_at: SystemTime,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl FaultBody {
    /// Decodes a fault response received now, reading the parts `parts` names.
    /// `content_type` picks the format; without one (or with another type) the format is
    /// guessed from the body.
    pub fn from_response(
        parts: &FaultParts,
        status: u16,
        retry_after_header: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> FaultBody {
        Self::from_response_at(parts, status, retry_after_header, content_type, body, SystemTime::now())
    }

    /// [`FaultBody::from_response`] for a response received at `received_at`.
    pub fn from_response_at(
        parts: &FaultParts,
        status: u16,
        retry_after_header: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
        received_at: SystemTime,
    ) -> FaultBody {
        let mut f = Self::decode(parts, status, content_type, body);
        f.retry_after_header = retry_after_header.map(str::to_string);
        f.received_at = received_at;
        f
    }

    /// Decodes a fault body (no header, received now), reading the parts `parts` names.
    /// Never fails: a body that is not a fault document gives a `FaultBody` with no name,
    /// and the plain text of a short text body as its message.
    pub fn decode(parts: &FaultParts, status: u16, content_type: Option<&str>, body: &[u8]) -> FaultBody {
        let text = String::from_utf8_lossy(body).into_owned();
        let mut f = FaultBody::empty(status, text);
        let format = content_type
            .and_then(Format::from_content_type)
            .or_else(|| Format::sniff(f.body.as_bytes()))
            .unwrap_or(Format::Text);
        let decoded = match format {
            Format::Json => f.read_json(parts) || f.read_xml(parts),
            Format::Xml => f.read_xml(parts) || f.read_json(parts),
            Format::Text => false,
        };
        if !decoded {
            let t = f.body.trim();
            if !t.is_empty() && !t.starts_with('<') && !t.starts_with('{') {
                f.message = Some(t.chars().take(1000).collect());
            }
        }
        f
    }

    /// A fault made locally, for a request refused before it is sent (a field limit).
    pub fn local(status: u16, name: Option<&str>, message: impl Into<String>) -> FaultBody {
        let message = message.into();
        let mut f = FaultBody::empty(status, String::new());
        f.name = name.map(str::to_string);
        f.code = Some(status);
        f.message = Some(message);
        f
    }

    fn empty(status: u16, body: String) -> FaultBody {
        FaultBody {
            status,
            name: None,
            code: None,
            message: None,
            details: None,
            created: None,
            retry_at: None,
            retry_after: None,
            retry_after_header: None,
            received_at: SystemTime::now(),
            body,
        }
    }

    /// Reads a JSON fault document; false if the body is not a JSON object.
    fn read_json(&mut self, parts: &FaultParts) -> bool {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&self.body) else {
            return false;
        };
        let Some(top) = v.as_object() else {
            return false;
        };
        let is_fault = |o: &serde_json::Map<String, serde_json::Value>| parts.names_fault(|k| o.contains_key(k));
        // `{"itemNotFound": {...}}`: the fault is named by the first key whose value looks
        // like a fault body (has a code or a message), whatever that key is.
        let inner = match top.iter().find(|(_, inner)| inner.as_object().is_some_and(is_fault)) {
            Some((name, inner)) => {
                self.name = Some(name.clone());
                inner.as_object().unwrap_or(top)
            }
            None => top,
        };
        let text = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|k| match inner.get(*k)? {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
        };
        self.code = parts.code.iter().find_map(|k| match inner.get(*k)? {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        self.message = text(parts.message);
        self.details = text(parts.details);
        self.created = text(parts.created);
        self.retry_at = text(parts.retry_at);
        self.retry_after = text(parts.retry_after);
        true
    }

    /// Reads an XML fault document; false if the body is not well-formed XML.
    fn read_xml(&mut self, parts: &FaultParts) -> bool {
        let Ok(root) = xml_dom::parse(&self.body) else {
            return false;
        };
        // By local name only (namespaces differ between API versions and extensions),
        // an attribute first, else a child element's text.
        let value = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|local| {
                root.attributes
                    .iter()
                    .find(|(n, _)| n.local == *local)
                    .map(|(_, v)| v.clone())
                    .or_else(|| root.children.iter().find(|c| c.name.local == *local).map(|c| c.text.trim().to_string()))
            })
        };
        // Only a fault document names a fault: an HTML error page from a proxy does not.
        if parts.names_fault(|n| value(&[n]).is_some()) {
            self.name = Some(root.name.local.clone());
        }
        self.code = value(parts.code).and_then(|c| c.trim().parse().ok());
        self.message = value(parts.message);
        self.details = value(parts.details);
        self.created = value(parts.created);
        self.retry_at = value(parts.retry_at);
        self.retry_after = value(parts.retry_after);
        true
    }

    /// What the response says about retrying: the `Retry-After` header (seconds or an
    /// HTTP date), else the body's retry date-time (`retryAt`), else its retry time or
    /// delay (`retryAfter`), each read by [`RetryAfter::parse`]; `None` when none is present
    /// and readable. The transport's retry ([`crate::client::retry_delay`]) reads the
    /// same way.
    pub fn retry_hint(&self) -> Option<RetryAfter> {
        [&self.retry_after_header, &self.retry_at, &self.retry_after]
            .into_iter()
            .find_map(|v| v.as_deref().and_then(RetryAfter::parse))
    }

    /// When the request may be retried (see [`FaultBody::retry_hint`]; a delay counts from
    /// [`FaultBody::received_at`]).
    pub fn retry_at(&self) -> Option<SystemTime> {
        self.retry_hint().and_then(|r| r.at(self.received_at))
    }

    /// How long to wait from `now` before retrying (zero if the moment has passed);
    /// `None` when the response says nothing about it.
    pub fn retry_delay(&self, now: SystemTime) -> Option<Duration> {
        self.retry_hint().map(|r| r.delay(self.received_at, now))
    }
}

impl fmt::Display for FaultBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{n} (HTTP {})", self.status)?,
            None => write!(f, "HTTP {}", self.status)?,
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        } else if self.name.is_none() && !self.body.trim().is_empty() {
            let excerpt: String = self.body.trim().chars().take(DISPLAY_EXCERPT).collect();
            write!(f, ": {excerpt}")?;
        }
        if let Some(d) = &self.details {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

/// A documented fault, as data: what the generated fault tables hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultInfo {
    /// The schema id (`v2.itemNotFound`).
    pub id: &'static str,
    /// The name: JSON wrapping key and XML root element.
    pub name: &'static str,
    /// Other spellings the documents use.
    pub aliases: &'static [&'static str],
    /// The HTTP status codes it comes with.
    pub codes: &'static [u16],
    /// The document says other codes are possible.
    pub more_codes: bool,
    /// The document says any request may return it.
    pub all_requests: bool,
    /// The body field that says when to retry (`retryAt`, `retryAfter`).
    pub retry_field: Option<&'static str>,
    /// The header that says when to retry (`Retry-After`).
    pub retry_header: Option<&'static str>,
    /// For an asynchronous fault: the models it is embedded in.
    pub embedded_in: &'static [&'static str],
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl FaultInfo {
    /// Whether `name` is this fault's name or one of its aliases (exactly).
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.contains(&name)
    }
}

/// One documented fault of an error enum, in variant order: the fault, and the status
/// codes it stands for in this enum (the operation's list, else the fault table's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// The fault.
    pub fault: &'static FaultInfo,
    /// The codes it stands for here.
    pub codes: &'static [u16],
}

/// The variant of an error enum for a received fault:
/// - a body that names a fault: the variant of that name or alias, exactly, else ignoring
///   ASCII case; a name no fault of the API knows (`api`, e.g. a server's own
///   `tooBusy`) by its status, when exactly one variant lists that status; a fault the API
///   knows by another name stays unmatched (`None`: the catch-all), so converting to the
///   API-wide enum still finds it;
/// - a body that names none (empty, text, HTML): by its status, to the most generic
///   fault with it (one code only, then one any request may return, then the first).
///
/// The body keeps the name it was sent with either way.
pub fn variant_index(name: Option<&str>, status: u16, variants: &[Variant], api: &[FaultInfo]) -> Option<usize> {
    let with_status = || variants.iter().enumerate().filter(move |(_, v)| v.codes.contains(&status));
    let Some(n) = name else {
        return with_status().min_by_key(|(i, v)| (v.fault.codes.len() != 1, !v.fault.all_requests, *i)).map(|(i, _)| i);
    };
    let named = |exact: bool| {
        variants.iter().position(|v| {
            std::iter::once(v.fault.name).chain(v.fault.aliases.iter().copied()).any(|x| if exact { x == n } else { x.eq_ignore_ascii_case(n) })
        })
    };
    named(true).or_else(|| named(false)).or_else(|| {
        let known = api.iter().any(|f| f.name.eq_ignore_ascii_case(n) || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(n)));
        let mut found = with_status();
        match (known, found.next(), found.next()) {
            (false, Some((i, _)), None) => Some(i),
            _ => None,
        }
    })
}

/// What every generated error enum offers, so code can handle the errors of any
/// operation alike (retry on `overLimit`, show the message). Generated enums implement
/// it through [`fault_enum!`](crate::fault_enum), which also adds the methods as
/// inherent ones, `Display`, `Error` and `From<LimitViolation>`.
pub trait FaultError: std::error::Error + Sized {
    /// The id of the operation whose errors these are (the API-wide enum: the API key).
    const OPERATION: &'static str;

    /// The documented faults, in variant order.
    const VARIANTS: &'static [Variant];

    /// Every fault of the API, to tell a name the API knows from a server's own.
    const API_FAULTS: &'static [FaultInfo];

    /// Where the API's fault bodies hold their parts (from the schema's fault models).
    const PARTS: &'static FaultParts;

    /// The variant at `index` of [`FaultError::VARIANTS`] (`None`: the catch-all).
    fn from_parts(index: Option<usize>, body: FaultBody) -> Self;

    /// The index of the variant in [`FaultError::VARIANTS`] (`None`: the catch-all).
    fn index(&self) -> Option<usize>;

    /// The decoded fault document.
    fn fault(&self) -> &FaultBody;

    /// The decoded fault document, by value.
    fn into_fault(self) -> FaultBody;

    /// Maps a decoded fault to a variant (see [`variant_index`]).
    fn from_fault(body: FaultBody) -> Self {
        let index = variant_index(body.name.as_deref(), body.status, Self::VARIANTS, Self::API_FAULTS);
        Self::from_parts(index, body)
    }

    /// Decodes a fault response received now with the API's [`FaultError::PARTS`]:
    /// `retry_after_header` is the `Retry-After` header, `content_type` the `Content-Type`
    /// header (the format is guessed from the body without it).
    fn from_response(status: u16, retry_after_header: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
        Self::from_fault(FaultBody::from_response(Self::PARTS, status, retry_after_header, content_type, body))
    }

    /// The schema id of the documented fault, `None` for the catch-all.
    fn fault_id(&self) -> Option<&'static str> {
        self.index().and_then(|i| Self::VARIANTS.get(i)).map(|v| v.fault.id)
    }

    /// The HTTP status.
    fn status(&self) -> u16 {
        self.fault().status
    }

    /// When the request may be retried (see [`FaultBody::retry_at`]).
    fn retry_at(&self) -> Option<SystemTime> {
        self.fault().retry_at()
    }

    /// The message of the fault, if it has one.
    fn message(&self) -> Option<&str> {
        self.fault().message.as_deref()
    }

    /// The same fault as a variant of another enum (an operation's error as its API's):
    /// the variant of the same fault, else the other enum's own mapping.
    fn convert<E: FaultError>(self) -> E {
        let index = self.fault_id().and_then(|id| E::VARIANTS.iter().position(|v| v.fault.id == id));
        match index {
            Some(i) => E::from_parts(Some(i), self.into_fault()),
            None => E::from_fault(self.into_fault()),
        }
    }
}

/// Writes an error enum's message: the fault's, or for the catch-all, said to be
/// undocumented.
pub fn display<E: FaultError>(e: &E, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match e.index() {
        Some(_) => std::fmt::Display::fmt(e.fault(), f),
        None => write!(f, "undocumented error response: {}", e.fault()),
    }
}

/// Implements [`FaultError`] for a generated error enum whose variants each hold a
/// [`FaultBody`] and whose catch-all is `Other`, with the methods also as inherent ones,
/// `Display`, `Error` and `From<LimitViolation>`; `$parts` is the API's [`FaultParts`]:
/// `fault_enum!(ServersGetError, "v2.servers.get", FAULTS, FAULT_PARTS, [ItemNotFound = 0 => ITEM_NOT_FOUND, [404]]);`
#[macro_export]
macro_rules! fault_enum {
    ($name:ident, $operation:expr, $api:expr, $parts:expr, [$($variant:ident = $i:literal => $fault:expr, [$($code:expr),*]);* $(;)?]) => {
        impl $crate::faults::FaultError for $name {
            const OPERATION: &'static str = $operation;
            const VARIANTS: &'static [$crate::faults::Variant] = &[$($crate::faults::Variant { fault: &$fault, codes: &[$($code),*] }),*];
            const API_FAULTS: &'static [$crate::faults::FaultInfo] = $api;
            const PARTS: &'static $crate::faults::FaultParts = &$parts;
            fn from_parts(index: Option<usize>, body: $crate::faults::FaultBody) -> Self {
                match index {
                    $(Some($i) => $name::$variant(body),)*
                    _ => $name::Other(body),
                }
            }
            fn index(&self) -> Option<usize> {
                match self {
                    $($name::$variant(_) => Some($i),)*
                    $name::Other(_) => None,
                }
            }
            fn fault(&self) -> &$crate::faults::FaultBody {
                match self {
                    $($name::$variant(b) => b,)*
                    $name::Other(b) => b,
                }
            }
            fn into_fault(self) -> $crate::faults::FaultBody {
                match self {
                    $($name::$variant(b) => b,)*
                    $name::Other(b) => b,
                }
            }
        }
        impl $name {
            /// The operation id (for the API-wide enum, the API key).
            pub const OPERATION: &'static str = $operation;

            /// Decodes an error response received now (see [`FaultError::from_response`](::runtime::faults::FaultError::from_response)).
            pub fn from_response(status: u16, retry_after: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
                <Self as $crate::faults::FaultError>::from_response(status, retry_after, content_type, body)
            }
            /// Maps a decoded fault: by its name or an alias; a name no fault of the API
            /// knows by its status when exactly one variant lists it; a body naming no fault
            /// by its status; else `Other`. The body keeps the name it was sent with.
            pub fn from_fault(body: $crate::faults::FaultBody) -> Self {
                <Self as $crate::faults::FaultError>::from_fault(body)
            }
            /// The decoded fault document.
            pub fn fault(&self) -> &$crate::faults::FaultBody {
                <Self as $crate::faults::FaultError>::fault(self)
            }
            /// The decoded fault document, by value.
            pub fn into_fault(self) -> $crate::faults::FaultBody {
                <Self as $crate::faults::FaultError>::into_fault(self)
            }
            /// The schema id of the documented fault; `None` for `Other`.
            pub fn fault_id(&self) -> Option<&'static str> {
                <Self as $crate::faults::FaultError>::fault_id(self)
            }
            /// The HTTP status of the response.
            pub fn status(&self) -> u16 {
                <Self as $crate::faults::FaultError>::status(self)
            }
            /// When the request may be retried: the `Retry-After` header (seconds or
            /// HTTP-date), else the body's retry field (see [`FaultBody::retry_hint`](::runtime::faults::FaultBody::retry_hint)).
            pub fn retry_at(&self) -> Option<::std::time::SystemTime> {
                <Self as $crate::faults::FaultError>::retry_at(self)
            }
            /// The message of the fault, if it has one.
            pub fn message(&self) -> Option<&str> {
                <Self as $crate::faults::FaultError>::message(self)
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                $crate::faults::display(self, f)
            }
        }
        impl ::std::error::Error for $name {}
        impl From<$crate::limits::LimitViolation> for $name {
            /// The fault the service would answer a request with that breaks a field limit.
            fn from(v: $crate::limits::LimitViolation) -> Self {
                <Self as $crate::faults::FaultError>::from_fault(v.to_fault())
            }
        }
    };
}

/// The fault parts of the documented fault models, for the unit tests of this crate.
#[cfg(test)]
pub(crate) mod test_parts {
    use super::FaultParts;

    /// The parts of the v2 fault models (`code`, `message`, `details`, `retryAt`).
    pub(crate) const V2: FaultParts = FaultParts {
        code: &["code"],
        message: &["message"],
        details: &["details"],
        created: &[],
        retry_at: &["retryAt"],
        retry_after: &[],
        retry_header: &["Retry-After"],
    };
    /// The parts of the v1.0 fault model (`retryAfter` instead of `retryAt`).
    pub(crate) const V1_0: FaultParts = FaultParts { retry_at: &[], retry_after: &["retryAfter"], ..V2 };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    // 2010-08-01T00:00:00Z
    const AUG_1_2010: u64 = 1_280_620_800;

    use super::test_parts::{V1_0, V2};

    #[test]
    fn retry_after_header_in_seconds_counts_from_receipt() {
        let f = FaultBody::from_response_at(&V2, 413, Some("120"), None, b"", at(1000));
        assert_eq!(f.retry_hint(), Some(RetryAfter::Delay(Duration::from_secs(120))));
        assert_eq!(f.retry_at(), Some(at(1120)));
        assert_eq!(f.retry_delay(at(1100)), Some(Duration::from_secs(20)));
        assert_eq!(f.retry_delay(at(5000)), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_header_as_http_date() {
        let f = FaultBody::from_response_at(&V2, 413, Some("Sun, 01 Aug 2010 00:00:00 GMT"), None, b"", at(5));
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn unreadable_retry_times_are_none() {
        assert_eq!(FaultBody::from_response_at(&V2, 413, Some("soon"), None, b"", at(0)).retry_at(), None);
        let feb31 = br#"{"overLimit": {"code": 413, "message": "m", "retryAt": "2010-02-31T00:00:00Z"}}"#;
        assert_eq!(FaultBody::decode(&V2, 413, None, feb31).retry_at(), None, "February 31 is no time");
        // An unreadable header falls back to the body.
        let body = br#"{"overLimit": {"code": 413, "message": "m", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        assert_eq!(FaultBody::from_response_at(&V2, 413, Some("soon"), None, body, at(0)).retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn json_fault_with_retry_at() {
        let body = br#"{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "d", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        let f = FaultBody::decode(&V2, 413, Some("application/json"), body);
        assert_eq!(f.name.as_deref(), Some("overLimit"));
        assert_eq!(f.code, Some(413));
        assert_eq!(f.message.as_deref(), Some("OverLimit Retry..."));
        assert_eq!(f.details.as_deref(), Some("d"));
        assert_eq!((f.retry_at.as_deref(), f.retry_after.as_deref()), (Some("2010-08-01T00:00:00Z"), None));
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn xml_fault_with_retry_after_any_namespace() {
        let body = br#"<overLimit xmlns="urn:x" code="413" retryAfter="2010-08-01T00:00:00Z"><message>Retry</message></overLimit>"#;
        let f = FaultBody::decode(&V1_0, 413, None, body);
        assert_eq!(f.name.as_deref(), Some("overLimit"));
        assert_eq!(f.code, Some(413));
        assert_eq!(f.message.as_deref(), Some("Retry"));
        assert_eq!(f.details, None);
        assert_eq!((f.retry_at.as_deref(), f.retry_after.as_deref()), (None, Some("2010-08-01T00:00:00Z")));
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn retry_after_in_seconds_in_the_body() {
        for body in [&br#"{"overLimit": {"code": 413, "retryAfter": 30}}"#[..], br#"<overLimit code="413" retryAfter="30"/>"#] {
            let f = FaultBody::from_response_at(&V1_0, 413, None, None, body, at(100));
            assert_eq!(f.retry_at(), Some(at(130)), "{}", f.body);
        }
    }

    #[test]
    fn header_wins_over_body() {
        let body = br#"{"overLimit": {"code": 413, "message": "m", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        let f = FaultBody::from_response_at(&V2, 413, Some("60"), None, body, at(10));
        assert_eq!(f.retry_at(), Some(at(70)));
    }

    #[test]
    fn the_names_come_from_the_table() {
        // A server of the family that spells its parts its own way.
        const OTHER: FaultParts = FaultParts {
            code: &["status"],
            message: &["error_message", "msg"],
            details: &["trace"],
            created: &["when"],
            retry_at: &["notBefore"],
            retry_after: &[],
            retry_header: &[],
        };
        let json = br#"{"tooBusy": {"status": "503", "msg": "later", "trace": "t", "when": "w", "notBefore": "2010-08-01T00:00:00Z"}}"#;
        let xml = br#"<tooBusy status="503" notBefore="2010-08-01T00:00:00Z"><msg>later</msg><trace>t</trace><when>w</when></tooBusy>"#;
        for body in [&json[..], xml] {
            let f = FaultBody::decode(&OTHER, 503, None, body);
            assert_eq!(f.name.as_deref(), Some("tooBusy"), "{}", f.body);
            assert_eq!(f.code, Some(503));
            assert_eq!(f.message.as_deref(), Some("later"));
            assert_eq!((f.details.as_deref(), f.created.as_deref()), (Some("t"), Some("w")));
            assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
            // With the v2 names the same body is no fault document.
            let v2 = FaultBody::decode(&V2, 503, None, body);
            assert_eq!((v2.name, v2.code, v2.message, v2.retry_at), (None, None, None, None));
        }
    }

    #[test]
    fn undocumented_and_broken_bodies_never_fail() {
        let f = FaultBody::decode(&V2, 418, Some("application/json"), br#"{"teapot": {"message": "short and stout"}}"#);
        assert_eq!(f.name.as_deref(), Some("teapot"));
        let f = FaultBody::decode(&V2, 502, Some("text/html"), b"<html><body>Bad Gateway</body></html>");
        assert_eq!(f.name, None);
        assert!(f.to_string().starts_with("HTTP 502: <html>"), "{f}");
        let f = FaultBody::decode(&V2, 500, None, br#"{"error": {"x": 1}}"#);
        assert_eq!(f.name, None);
        let f = FaultBody::decode(&V2, 502, Some("text/plain"), b"Bad Gateway");
        assert_eq!(f.name, None);
        assert_eq!(f.message.as_deref(), Some("Bad Gateway"));
        assert_eq!(f.to_string(), "HTTP 502: Bad Gateway");
        for body in [&b"{"[..], b"<a><b></a>", b"\xff\xfe\x00", b"", b"[1,2]", b"{\"x\": 5}", b"null"] {
            for parts in [&V2, &FaultParts::NONE] {
                let f = FaultBody::decode(parts, 500, None, body);
                assert_eq!(f.status, 500);
                let _ = f.to_string();
            }
        }
        let f = FaultBody::decode(&V2, 500, Some("application/json"), b"{\"code\": 99999999, \"message\": 5}");
        assert_eq!(f.code, None);
        assert_eq!(f.message.as_deref(), Some("5"));
        let f = FaultBody::decode(&FaultParts::NONE, 404, None, br#"{"itemNotFound": {"code": 404, "message": "m"}}"#);
        assert_eq!((f.name, f.message), (None, None), "no parts: nothing is read by a guessed name");
    }

    #[test]
    fn variants_are_chosen_by_name_then_status() {
        const fn info(name: &'static str, codes: &'static [u16], aliases: &'static [&'static str], all: bool) -> FaultInfo {
            FaultInfo {
                id: name,
                name,
                aliases,
                codes,
                more_codes: false,
                all_requests: all,
                retry_field: None,
                retry_header: None,
                embedded_in: &[],
                source: "",
            }
        }
        const BUILD: FaultInfo = info("buildInProgress", &[409], &[], false);
        const RESIZE: FaultInfo = info("resizeNotAllowed", &[403], &[], false);
        const FORBIDDEN: FaultInfo = info("forbidden", &[403], &[], true);
        const COMPUTE: FaultInfo = info("computeFault", &[400, 500], &["cloudServersFault"], true);
        const BAD: FaultInfo = info("badRequest", &[400], &[], true);
        let api = [BUILD, RESIZE, FORBIDDEN, COMPUTE, BAD];
        let variants = [
            Variant { fault: &BUILD, codes: &[409] },
            Variant { fault: &FORBIDDEN, codes: &[403] },
            Variant { fault: &COMPUTE, codes: &[400, 500] },
            Variant { fault: &BAD, codes: &[400] },
        ];
        let pick = |n: Option<&str>, s: u16| variant_index(n, s, &variants, &api);
        assert_eq!(pick(Some("cloudServersFault"), 500), Some(2), "an alias");
        assert_eq!(pick(Some("BADREQUEST"), 400), Some(3), "ignoring ASCII case");
        assert_eq!(pick(Some("tooBusy"), 409), Some(0), "an unknown name by its unique status");
        assert_eq!(pick(Some("forbidden"), 409), Some(1), "a known name wins over the status");
        assert_eq!(pick(Some("ResizeNotAllowed"), 403), None, "a fault the API knows is not renamed");
        assert_eq!(pick(Some("tooBusy"), 400), None, "two variants list 400: no guess");
        assert_eq!(pick(Some("teapot"), 418), None);
        assert_eq!(pick(None, 409), Some(0));
        assert_eq!(pick(None, 400), Some(3), "no name: the most generic fault with the code (one code only)");
        assert_eq!(pick(None, 500), Some(2));
    }
}
