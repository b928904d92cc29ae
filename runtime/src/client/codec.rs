//! Request and response bodies for generated client methods: JSON with or without a
//! wrapping key, XML with a root element in a namespace, plain text, and faults.

use super::error::ClientError;
use super::format::Format;
use super::transport::Response;
use crate::faults::FaultError;
use crate::xml::{FromXml, ToXml};
use crate::DecodeError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// The root element of an XML body: its namespace and local name. A root without a
/// name accepts any root element (models whose element the schema does not name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XmlRoot {
    /// The namespace URI.
    pub ns: Option<&'static str>,
    /// The local name; `None` accepts any.
    pub local: Option<&'static str>,
}

impl XmlRoot {
    /// A root element of this name.
    pub const fn named(ns: Option<&'static str>, local: &'static str) -> Self {
        XmlRoot { ns, local: Some(local) }
    }

    /// Any root element.
    pub const ANY: XmlRoot = XmlRoot { ns: None, local: None };
}

fn utf8(body: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(body).map_err(|e| DecodeError::Json(format!("body is not UTF-8: {e}")))
}

/// How many characters of a response body a [`ClientError::Decode`] shows.
pub const EXCERPT_CHARS: usize = 200;

/// What a generated method knows about a response body it decodes: the operation (for
/// errors), the JSON wrapping key, the XML root, and whether the model holds secrets (a
/// password, a token), in which case a decode error shows no excerpt of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodySpec {
    /// The schema id of the operation.
    pub operation: &'static str,
    /// The JSON key that wraps the model, if any.
    pub wrap: Option<&'static str>,
    /// The XML root element.
    pub root: XmlRoot,
    /// Whether the model (or a model inside it) has a field of type `secret`.
    pub holds_secrets: bool,
}

/// A decode failure and where in the body it happened.
struct Failure {
    path: Option<String>,
    source: DecodeError,
}

impl From<DecodeError> for Failure {
    fn from(source: DecodeError) -> Self {
        Failure { path: None, source }
    }
}

fn joined(wrap: Option<&str>, path: &serde_path_to_error::Path) -> Option<String> {
    let inner = (path.iter().next().is_some()).then(|| path.to_string());
    match (wrap, inner) {
        (Some(w), Some(p)) if p.starts_with('[') => Some(format!("{w}{p}")),
        (Some(w), Some(p)) => Some(format!("{w}.{p}")),
        (Some(w), None) => Some(w.to_string()),
        (None, p) => p,
    }
}

fn json_at<T: DeserializeOwned>(body: &[u8], wrap: Option<&str>) -> Result<T, Failure> {
    let json = |path: Option<String>, e: serde_json::Error| Failure {
        source: DecodeError::Json(match &path {
            Some(p) => format!("{p}: {e}"),
            None => e.to_string(),
        }),
        path,
    };
    match wrap {
        None => {
            let mut de = serde_json::Deserializer::from_slice(body);
            let v = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = joined(None, e.path());
                json(path, e.into_inner())
            })?;
            de.end().map_err(|e| json(None, e))?;
            Ok(v)
        }
        Some(key) => {
            let mut doc: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(body).map_err(|e| json(None, e))?;
            let inner = doc.remove(key).ok_or_else(|| DecodeError::MissingWrap(key.to_string()))?;
            serde_path_to_error::deserialize(inner).map_err(|e| {
                let path = joined(Some(key), e.path());
                json(path, e.into_inner())
            })
        }
    }
}

/// Where in an XML body a decode error points: the element, and the attribute or child
/// it lacks or could not read (`flavor@swap`).
fn xml_path(e: &DecodeError) -> Option<String> {
    match e {
        DecodeError::Value { element, message, .. } => Some(match message.strip_prefix('@').and_then(|m| m.split_once(':')) {
            Some((attr, _)) => format!("{element}@{attr}"),
            None => element.clone(),
        }),
        DecodeError::Missing { element, what, .. } => Some(
            match what.strip_prefix("attribute `").and_then(|w| w.strip_suffix('`')) {
                Some(attr) => format!("{element}@{attr}"),
                None => format!("{element}/{what}"),
            },
        ),
        _ => None,
    }
}

/// Decodes a JSON body, taking the value under `wrap` when given. The error message
/// names the field at fault (`flavor.swap: invalid type...`).
pub fn decode_json<T: DeserializeOwned>(body: &[u8], wrap: Option<&str>) -> Result<T, DecodeError> {
    json_at(body, wrap).map_err(|f| f.source)
}

/// Decodes an XML body whose root is `root`.
pub fn decode_xml<T: FromXml>(body: &[u8], root: XmlRoot) -> Result<T, DecodeError> {
    let text = utf8(body)?;
    match root.local {
        Some(local) => crate::xml::decode_root(text, root.ns, local),
        None => T::from_xml(&crate::xml::parse(text)?),
    }
}

/// The format a response body is in: its `Content-Type`, else what it looks like,
/// else the format asked for.
pub fn response_format(resp: &Response, asked: Format) -> Format {
    resp.content_format().or_else(|| Format::sniff(&resp.body)).unwrap_or(asked)
}

/// The start of a body for an error message: at most [`EXCERPT_CHARS`] characters,
/// whitespace runs collapsed to one space, `…` when cut; `None` for an empty body.
pub fn body_excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut words = text.split_whitespace();
    let mut cut = false;
    if let Some(first) = words.next() {
        out.push_str(first);
    }
    for w in words {
        out.push(' ');
        out.push_str(w);
        if out.chars().count() > EXCERPT_CHARS {
            break;
        }
    }
    if out.chars().count() > EXCERPT_CHARS {
        out = out.chars().take(EXCERPT_CHARS).collect();
        cut = true;
    }
    if out.is_empty() {
        return None;
    }
    if cut {
        out.push('…');
    }
    Some(out)
}

/// The [`ClientError::Decode`] of a response that is not the documented model.
pub fn decode_error<F>(spec: &BodySpec, resp: &Response, path: Option<String>, source: DecodeError) -> ClientError<F> {
    ClientError::Decode {
        operation: spec.operation,
        status: resp.status,
        content_type: resp.header("content-type").map(str::to_string),
        path,
        excerpt: if spec.holds_secrets { None } else { body_excerpt(&resp.body) },
        source: Box::new(source),
    }
}

/// Decodes a response body as the documented model, in whichever format it came.
pub fn decode_body<T: DeserializeOwned + FromXml, F>(resp: &Response, asked: Format, spec: &BodySpec) -> Result<T, ClientError<F>> {
    let r = match response_format(resp, asked) {
        // A body that is neither labelled nor looks like XML is read as JSON, whose error
        // says what it is instead.
        Format::Json | Format::Text => json_at(&resp.body, spec.wrap),
        Format::Xml => decode_xml(&resp.body, spec.root).map_err(|source| Failure { path: xml_path(&source), source }),
    };
    r.map_err(|f| decode_error(spec, resp, f.path, f.source))
}

/// The text of a plain-text body, trimmed, for `from_text_body` of text models.
pub fn decode_text<'r, F>(resp: &'r Response, spec: &BodySpec) -> Result<&'r str, ClientError<F>> {
    utf8(&resp.body).map(str::trim).map_err(|source| decode_error(spec, resp, None, source))
}

/// What a `Location` header points at: the URL as sent and its last path segment, the
/// id of the resource an operation created (`…/images/<id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedLocation {
    /// The `Location` value, as sent.
    pub url: String,
    /// The last non-empty path segment, percent-decoded.
    pub id: String,
}

impl CreatedLocation {
    /// Reads a `Location` value (absolute, or relative to the request); `None` when it
    /// has no path segment.
    pub fn parse(value: &str) -> Option<CreatedLocation> {
        let value = value.trim();
        let url = reqwest::Url::parse(value)
            .or_else(|_| reqwest::Url::parse("http://relative.invalid/").and_then(|b| b.join(value)))
            .ok()?;
        let last = url.path_segments()?.rfind(|s| !s.is_empty())?;
        let id = percent_decode(last);
        (!id.is_empty()).then(|| CreatedLocation { url: value.to_string(), id })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The resource a body-less response's `header` (`Location`, as the schema documents
/// it) points at, or [`ClientError::MissingHeader`].
pub fn created_location<F>(operation: &'static str, resp: &Response, header: &'static str) -> Result<CreatedLocation, ClientError<F>> {
    resp.header(header)
        .and_then(CreatedLocation::parse)
        .ok_or(ClientError::MissingHeader { operation, status: resp.status, header })
}

/// The [`ClientError::Redirect`] of a documented body-less `3xx` response.
pub fn redirect<F>(operation: &'static str, resp: &Response) -> ClientError<F> {
    ClientError::Redirect { operation, status: resp.status, location: resp.header("location").map(str::to_string) }
}

/// Encodes a JSON body, under `wrap` when given (`{"server": {...}}`).
pub fn encode_json<T: Serialize>(value: &T, wrap: Option<&str>) -> Result<Vec<u8>, serde_json::Error> {
    match wrap {
        None => serde_json::to_vec(value),
        Some(key) => {
            let mut doc = serde_json::Map::new();
            doc.insert(key.to_string(), serde_json::to_value(value)?);
            serde_json::to_vec(&serde_json::Value::Object(doc))
        }
    }
}

/// The JSON document of a request body, under `wrap` when given: what is sent in JSON,
/// and what the generated `limits::validate_json` checks.
pub fn json_document<T: Serialize, F>(value: &T, wrap: Option<&str>) -> Result<serde_json::Value, ClientError<F>> {
    let v = serde_json::to_value(value).map_err(|e| ClientError::Encode(e.to_string()))?;
    Ok(match wrap {
        None => v,
        Some(key) => {
            let mut doc = serde_json::Map::new();
            doc.insert(key.to_string(), v);
            serde_json::Value::Object(doc)
        }
    })
}

/// Encodes a request body in `format`: the JSON document (see [`json_document`]), or XML
/// with root `root` (falling back to `wrap` as the element name when the model names none).
pub fn encode_body<T: ToXml, F>(
    value: &T,
    json: &serde_json::Value,
    format: Format,
    wrap: Option<&str>,
    root: XmlRoot,
    prefixes: &[(&str, &str)],
) -> Result<Vec<u8>, ClientError<F>> {
    match format {
        Format::Json => serde_json::to_vec(json).map_err(|e| ClientError::Encode(e.to_string())),
        Format::Text => Err(ClientError::Encode("a model body has no plain-text form".into())),
        Format::Xml => {
            let local = root.local.or(wrap).unwrap_or("body");
            Ok(crate::xml::encode_root(value, root.ns, local, prefixes).into_bytes())
        }
    }
}

/// The fault of an error response, decoded into the operation's error type (with the
/// retry header its API's faults name).
pub fn fault<E: FaultError>(resp: &Response) -> ClientError<E> {
    ClientError::Fault(E::from_response(
        resp.status,
        E::PARTS.retry_header_in(|name| resp.header(name)),
        resp.header("content-type"),
        &resp.body,
    ))
}

/// The fault a server or image in an error state carries (`fault` of the v2 server and
/// image: `code`, `message`, `details`, `created`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbeddedFault {
    /// The error code.
    pub code: Option<i64>,
    /// What went wrong.
    pub message: String,
    /// More about it.
    pub details: Option<String>,
    /// When it happened, as written.
    pub created: Option<String>,
}

impl fmt::Display for EmbeddedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = self.code {
            write!(f, "fault {c}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(d) = &self.details {
            write!(f, " ({d})")?;
        }
        if let Some(c) = &self.created {
            write!(f, " at {c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_wrapping() {
        let v: serde_json::Value = decode_json(br#"{"server": {"id": "a"}, "other": 1}"#, Some("server")).unwrap();
        assert_eq!(v, serde_json::json!({"id": "a"}));
        assert_eq!(
            decode_json::<serde_json::Value>(br#"{"image": {}}"#, Some("server")),
            Err(DecodeError::MissingWrap("server".into()))
        );
        assert!(matches!(decode_json::<serde_json::Value>(b"[1", None), Err(DecodeError::Json(_))));
        let body = encode_json(&serde_json::json!({"type": "HARD"}), Some("reboot")).unwrap();
        assert_eq!(body, br#"{"reboot":{"type":"HARD"}}"#);
        assert_eq!(encode_json(&(), Some("confirmResize")).unwrap(), br#"{"confirmResize":null}"#);
    }

    #[test]
    fn json_errors_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Flavor {
            swap: Option<i64>,
        }
        let f = json_at::<Flavor>(br#"{"flavor": {"swap": "big"}}"#, Some("flavor")).unwrap_err();
        assert_eq!(f.path.as_deref(), Some("flavor.swap"));
        assert!(matches!(&f.source, DecodeError::Json(m) if m.starts_with("flavor.swap: invalid type")), "{:?}", f.source);
        let f = json_at::<Vec<Flavor>>(br#"[{"swap": 1}, {"swap": []}]"#, None).unwrap_err();
        assert_eq!(f.path.as_deref(), Some("[1].swap"));
        let f = json_at::<Flavor>(b"{} x", None).unwrap_err();
        assert_eq!(f.path, None, "trailing characters are no field's fault");
    }

    #[test]
    fn excerpts_are_bounded() {
        assert_eq!(body_excerpt(b"  {\"a\":\n   1}  ").as_deref(), Some("{\"a\": 1}"));
        assert_eq!(body_excerpt(b" \n "), None);
        let long = "x".repeat(1000);
        let e = body_excerpt(long.as_bytes()).unwrap();
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert!(body_excerpt(b"\xff\xfe").is_some(), "invalid UTF-8 never fails");
    }

    #[test]
    fn locations_give_the_last_segment() {
        let l = CreatedLocation::parse("https://dfw.example/v2/010101/images/abc-123").unwrap();
        assert_eq!((l.url.as_str(), l.id.as_str()), ("https://dfw.example/v2/010101/images/abc-123", "abc-123"));
        assert_eq!(CreatedLocation::parse("/v2/1/images/a%20b/").unwrap().id, "a b");
        assert_eq!(CreatedLocation::parse("images/7?x=1").unwrap().id, "7");
        assert_eq!(CreatedLocation::parse("https://dfw.example/"), None);
        assert_eq!(CreatedLocation::parse(""), None);
        assert_eq!(CreatedLocation::parse("%zz%").unwrap().id, "%zz%");
    }

    #[test]
    fn embedded_fault_display() {
        let f = EmbeddedFault { code: Some(500), message: "No valid host".into(), details: None, created: Some("2012-08-01T00:00:00Z".into()) };
        assert_eq!(f.to_string(), "fault 500: No valid host at 2012-08-01T00:00:00Z");
    }
}
