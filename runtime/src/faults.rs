//! Fault bodies: decoding the error documents the Cloud Servers APIs return, in JSON,
//! XML or plain text, and reading when a request may be retried.
//!
//! A fault document names the fault by its JSON wrapping key or XML root element
//! (`{"itemNotFound": {"code": 404, "message": "..."}}`, `<itemNotFound code="404">
//! <message>...</message></itemNotFound>`). [`FaultBody::decode`] reads any such
//! document generically, by local names and without regard to namespaces, so a fault
//! the schema does not list still decodes; the generated error enums then map it to a
//! variant by its name. Nothing here panics on any input: what cannot be read is left
//! `None`, and the raw body is kept.

use std::fmt;
use std::time::{Duration, SystemTime};

/// How many characters of a body [`FaultBody`]'s `Display` shows when the body names no
/// fault and carries no message.
const DISPLAY_EXCERPT: usize = 200;

/// The wire format of a body, as told by `Content-Type` or guessed from its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyFormat {
    /// `application/json`.
    Json,
    /// `application/xml`.
    Xml,
    /// Anything else (plain text, HTML, empty).
    Text,
}

impl BodyFormat {
    /// The format a `Content-Type` value names, if it names JSON or XML.
    pub fn from_content_type(content_type: &str) -> Option<BodyFormat> {
        let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if media.ends_with("json") || media.ends_with("+json") {
            Some(BodyFormat::Json)
        } else if media.ends_with("/xml") || media.ends_with("+xml") {
            Some(BodyFormat::Xml)
        } else {
            None
        }
    }

    /// Guesses the format from the first non-blank character (`{` or `[`: JSON, `<`: XML).
    pub fn sniff(body: &str) -> BodyFormat {
        match body.trim_start().chars().next() {
            Some('{') | Some('[') => BodyFormat::Json,
            Some('<') => BodyFormat::Xml,
            _ => BodyFormat::Text,
        }
    }
}

/// When a request may be retried, as a `Retry-After` header says it: a delay in
/// seconds, or a moment (an HTTP-date; ISO 8601 is accepted as well).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryAfter {
    /// Retry after this long from when the response was received.
    Delay(Duration),
    /// Retry at this moment.
    At(SystemTime),
}

impl RetryAfter {
    /// Reads a `Retry-After` value: `120` (seconds), `Sun, 01 Aug 2010 00:00:00 GMT`
    /// (HTTP-date), or `2010-08-01T00:00:00Z` (ISO 8601, which some services send).
    /// `None` when it is none of these.
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let v = value.trim();
        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
            return v.parse::<u64>().ok().map(|s| RetryAfter::Delay(Duration::from_secs(s)));
        }
        if let Ok(t) = httpdate::parse_http_date(v) {
            return Some(RetryAfter::At(t));
        }
        parse_datetime(v).map(RetryAfter::At)
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

/// Reads an ISO 8601 / XML Schema `dateTime` (`2010-08-01T00:00:00Z`,
/// `2010-08-01T00:00:00.123Z`, `2010-08-01T02:00:00+02:00`; without a zone it is UTC).
/// `None` when it cannot be read or is before 1970.
pub fn parse_datetime(value: &str) -> Option<SystemTime> {
    let v = value.trim();
    let (base, offset) = split_offset(v)?;
    let t = humantime::parse_rfc3339_weak(base).ok()?;
    let shift = Duration::from_secs(offset.unsigned_abs());
    // Local time = UTC + offset, so UTC = local - offset.
    if offset >= 0 {
        t.checked_sub(shift)
    } else {
        t.checked_add(shift)
    }
}

/// Splits a trailing `+hh:mm`, `-hh:mm`, `+hhmm` or `+hh` zone off a date-time, giving
/// the offset in seconds; `Z` and no zone give 0. `None` if the zone is malformed.
fn split_offset(v: &str) -> Option<(&str, i64)> {
    // The zone can only follow the time, which starts after `YYYY-MM-DDT`.
    let Some(i) = v.rfind(['+', '-']).filter(|&i| i > 10) else {
        return Some((v, 0));
    };
    let base = v.get(..i)?;
    let zone = v.get(i + 1..)?;
    let digits: String = zone.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (digits.get(..2)?.parse::<i64>().ok()?, digits.get(2..)?.parse::<i64>().ok()?),
        _ => return None,
    };
    if h > 23 || m > 59 {
        return None;
    }
    let secs = h * 3600 + m * 60;
    Some((base, if v.as_bytes().get(i) == Some(&b'-') { -secs } else { secs }))
}

/// A decoded fault document, with the HTTP status and `Retry-After` header of the
/// response that carried it. Every field the document lacks is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultBody {
    /// The HTTP status of the response.
    pub status: u16,
    /// The fault's name: the JSON wrapping key or XML root element (`itemNotFound`);
    /// `None` when the body names none (empty, plain text, or a document with neither a
    /// `code` nor a `message`, such as a proxy's HTML page).
    pub name: Option<String>,
    /// The `code` in the body (the HTTP status, repeated).
    pub code: Option<u16>,
    /// The `message`.
    pub message: Option<String>,
    /// The `details`.
    pub details: Option<String>,
    /// The body's `retryAt` (v2) or `retryAfter` (v1.0) value, as sent.
    pub retry_after: Option<String>,
    /// The `Retry-After` header, as sent.
    pub retry_after_header: Option<String>,
    /// When the response was received (a `Retry-After` delay counts from here).
    pub received_at: SystemTime,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl FaultBody {
    /// Decodes a fault response received now. `content_type` picks the format; without
    /// one (or with another type) the format is guessed from the body.
    pub fn from_response(status: u16, retry_after_header: Option<&str>, content_type: Option<&str>, body: &[u8]) -> FaultBody {
        Self::from_response_at(status, retry_after_header, content_type, body, SystemTime::now())
    }

    /// [`FaultBody::from_response`] for a response received at `received_at`.
    pub fn from_response_at(
        status: u16,
        retry_after_header: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
        received_at: SystemTime,
    ) -> FaultBody {
        let mut f = Self::decode(status, content_type, body);
        f.retry_after_header = retry_after_header.map(str::to_string);
        f.received_at = received_at;
        f
    }

    /// Decodes a fault body (no header, received now). Never fails: a body that is not a
    /// fault document gives a `FaultBody` with no name, and the plain text of a short
    /// text body as its message.
    pub fn decode(status: u16, content_type: Option<&str>, body: &[u8]) -> FaultBody {
        let text = String::from_utf8_lossy(body).into_owned();
        let mut f = FaultBody::empty(status, text);
        let format = content_type.and_then(BodyFormat::from_content_type).unwrap_or_else(|| BodyFormat::sniff(&f.body));
        let decoded = match format {
            BodyFormat::Json => f.read_json() || f.read_xml(),
            BodyFormat::Xml => f.read_xml() || f.read_json(),
            BodyFormat::Text => false,
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
            retry_after: None,
            retry_after_header: None,
            received_at: SystemTime::now(),
            body,
        }
    }

    /// Reads a JSON fault document; false if the body is not JSON.
    fn read_json(&mut self) -> bool {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&self.body) else {
            return false;
        };
        let Some(top) = v.as_object() else {
            return false;
        };
        let has_fault_fields = |o: &serde_json::Map<String, serde_json::Value>| o.contains_key("message") || o.contains_key("code");
        // `{"itemNotFound": {...}}`: the fault is named by the first key whose value looks
        // like a fault body (has a `message` or `code`).
        let wrapped = top.iter().find(|(_, inner)| inner.as_object().is_some_and(has_fault_fields));
        let inner = match wrapped {
            Some((name, inner)) => {
                self.name = Some(name.clone());
                inner.as_object()
            }
            None => Some(top),
        };
        let Some(inner) = inner else {
            return true;
        };
        let text = |key: &str| -> Option<String> {
            inner.get(key).and_then(|v| match v {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            })
        };
        self.code = inner.get("code").and_then(|c| match c {
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            serde_json::Value::String(s) => s.trim().parse().ok(),
            _ => None,
        });
        self.message = text("message");
        self.details = text("details");
        self.retry_after = text("retryAt").or_else(|| text("retryAfter"));
        true
    }

    /// Reads an XML fault document; false if the body is not well-formed XML.
    fn read_xml(&mut self) -> bool {
        let Ok(root) = xml_dom::parse(&self.body) else {
            return false;
        };
        // By local name only: namespaces differ between API versions and extensions.
        let value = |local: &str| -> Option<String> {
            root.attributes
                .iter()
                .find(|(n, _)| n.local == local)
                .map(|(_, v)| v.clone())
                .or_else(|| root.children.iter().find(|c| c.name.local == local).map(|c| c.text.trim().to_string()))
        };
        // Only a fault document names a fault: an HTML error page from a proxy does not.
        if value("code").is_some() || value("message").is_some() {
            self.name = Some(root.name.local.clone());
        }
        self.code = value("code").and_then(|c| c.trim().parse().ok());
        self.message = value("message");
        self.details = value("details");
        self.retry_after = value("retryAt").or_else(|| value("retryAfter"));
        true
    }

    /// When the request may be retried: from the `Retry-After` header (seconds from
    /// [`FaultBody::received_at`], or an HTTP-date), else from the body's `retryAt` /
    /// `retryAfter` (ISO 8601). `None` when neither is present and readable.
    pub fn retry_at(&self) -> Option<SystemTime> {
        self.retry_after_header
            .as_deref()
            .and_then(RetryAfter::parse)
            .and_then(|r| r.at(self.received_at))
            .or_else(|| self.retry_after.as_deref().and_then(parse_datetime))
    }

    /// How long to wait from `now` before retrying (zero if the moment has passed);
    /// `None` when the response says nothing about it.
    pub fn retry_delay(&self, now: SystemTime) -> Option<Duration> {
        self.retry_at().map(|t| t.duration_since(now).unwrap_or(Duration::ZERO))
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

    /// Decodes a fault response received now: `retry_after_header` is the `Retry-After`
    /// header, `content_type` the `Content-Type` header (the format is guessed from the
    /// body without it).
    fn from_response(status: u16, retry_after_header: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
        Self::from_fault(FaultBody::from_response(status, retry_after_header, content_type, body))
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
/// `Display`, `Error` and `From<LimitViolation>`:
/// `fault_enum!(ServersGetError, "v2.servers.get", FAULTS, [ItemNotFound = 0 => ITEM_NOT_FOUND, [404]]);`
#[macro_export]
macro_rules! fault_enum {
    ($name:ident, $operation:expr, $api:expr, [$($variant:ident = $i:literal => $fault:expr, [$($code:expr),*]);* $(;)?]) => {
        impl $crate::faults::FaultError for $name {
            const OPERATION: &'static str = $operation;
            const VARIANTS: &'static [$crate::faults::Variant] = &[$($crate::faults::Variant { fault: &$fault, codes: &[$($code),*] }),*];
            const API_FAULTS: &'static [$crate::faults::FaultInfo] = $api;
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
            /// HTTP-date), else the body's `retryAt`/`retryAfter` (ISO 8601).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    // 2010-08-01T00:00:00Z
    const AUG_1_2010: u64 = 1_280_620_800;

    #[test]
    fn retry_after_header_in_seconds_counts_from_receipt() {
        assert_eq!(RetryAfter::parse(" 120 "), Some(RetryAfter::Delay(Duration::from_secs(120))));
        let f = FaultBody::from_response_at(413, Some("120"), None, b"", at(1000));
        assert_eq!(f.retry_at(), Some(at(1120)));
        assert_eq!(f.retry_delay(at(1100)), Some(Duration::from_secs(20)));
        assert_eq!(f.retry_delay(at(5000)), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_header_as_http_date() {
        assert_eq!(RetryAfter::parse("Sun, 01 Aug 2010 00:00:00 GMT"), Some(RetryAfter::At(at(AUG_1_2010))));
        let f = FaultBody::from_response_at(413, Some("Sun, 01 Aug 2010 00:00:00 GMT"), None, b"", at(5));
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn unreadable_retry_after_is_none() {
        for bad in ["", "soon", "-5", "1.5", "Sun, 99 Aug 2010", "2010-08-01T00:00:00+2x:00"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad}");
        }
        assert_eq!(FaultBody::from_response_at(413, Some("soon"), None, b"", at(0)).retry_at(), None);
    }

    #[test]
    fn iso_8601_with_zones_and_fractions() {
        assert_eq!(parse_datetime("2010-08-01T00:00:00Z"), Some(at(AUG_1_2010)));
        assert_eq!(parse_datetime("2010-08-01T00:00:00"), Some(at(AUG_1_2010)));
        assert_eq!(parse_datetime("2010-08-01T02:00:00+02:00"), Some(at(AUG_1_2010)));
        assert_eq!(parse_datetime("2010-07-31T22:30:00-0130"), Some(at(AUG_1_2010)));
        assert_eq!(parse_datetime("2010-08-01T00:00:00.500Z"), Some(at(AUG_1_2010) + Duration::from_millis(500)));
        assert_eq!(parse_datetime("not a date"), None);
        assert_eq!(parse_datetime("1960-01-01T00:00:00Z"), None);
    }

    #[test]
    fn json_fault_with_retry_at() {
        let body = br#"{"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "d", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        let f = FaultBody::decode(413, Some("application/json"), body);
        assert_eq!(f.name.as_deref(), Some("overLimit"));
        assert_eq!(f.code, Some(413));
        assert_eq!(f.message.as_deref(), Some("OverLimit Retry..."));
        assert_eq!(f.details.as_deref(), Some("d"));
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn xml_fault_with_retry_after_any_namespace() {
        let body = br#"<overLimit xmlns="urn:x" code="413" retryAfter="2010-08-01T00:00:00Z"><message>Retry</message></overLimit>"#;
        let f = FaultBody::decode(413, None, body);
        assert_eq!(f.name.as_deref(), Some("overLimit"));
        assert_eq!(f.code, Some(413));
        assert_eq!(f.message.as_deref(), Some("Retry"));
        assert_eq!(f.details, None);
        assert_eq!(f.retry_at(), Some(at(AUG_1_2010)));
    }

    #[test]
    fn header_wins_over_body() {
        let body = br#"{"overLimit": {"code": 413, "message": "m", "retryAt": "2010-08-01T00:00:00Z"}}"#;
        let f = FaultBody::from_response_at(413, Some("60"), None, body, at(10));
        assert_eq!(f.retry_at(), Some(at(70)));
    }

    #[test]
    fn undocumented_and_broken_bodies_never_fail() {
        let f = FaultBody::decode(418, Some("application/json"), br#"{"teapot": {"message": "short and stout"}}"#);
        assert_eq!(f.name.as_deref(), Some("teapot"));
        let f = FaultBody::decode(502, Some("text/html"), b"<html><body>Bad Gateway</body></html>");
        assert_eq!(f.name, None);
        assert!(f.to_string().starts_with("HTTP 502: <html>"), "{f}");
        let f = FaultBody::decode(500, None, br#"{"error": {"x": 1}}"#);
        assert_eq!(f.name, None);
        let f = FaultBody::decode(502, Some("text/plain"), b"Bad Gateway");
        assert_eq!(f.name, None);
        assert_eq!(f.message.as_deref(), Some("Bad Gateway"));
        assert_eq!(f.to_string(), "HTTP 502: Bad Gateway");
        for body in [&b"{"[..], b"<a><b></a>", b"\xff\xfe\x00", b"", b"[1,2]", b"{\"x\": 5}", b"null"] {
            let f = FaultBody::decode(500, None, body);
            assert_eq!(f.status, 500);
            let _ = f.to_string();
        }
        let f = FaultBody::decode(500, Some("application/json"), b"{\"code\": 99999999, \"message\": 5}");
        assert_eq!(f.code, None);
        assert_eq!(f.message.as_deref(), Some("5"));
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

    #[test]
    fn content_types() {
        assert_eq!(BodyFormat::from_content_type("application/json; charset=UTF-8"), Some(BodyFormat::Json));
        assert_eq!(BodyFormat::from_content_type("application/xml"), Some(BodyFormat::Xml));
        assert_eq!(BodyFormat::from_content_type("application/atom+xml"), Some(BodyFormat::Xml));
        assert_eq!(BodyFormat::from_content_type("text/html"), None);
    }
}
