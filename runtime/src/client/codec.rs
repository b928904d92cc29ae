//! Request and response bodies for generated client methods: JSON with or without a
//! wrapping key, XML with a root element in a namespace, plain text, and faults.

use super::error::ClientError;
use super::format::Format;
use super::transport::Response;
use crate::faults::FaultError;
use crate::limits::RequestCheckError;
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

/// Decodes a JSON body, taking the value under `wrap` when given.
pub fn decode_json<T: DeserializeOwned>(body: &[u8], wrap: Option<&str>) -> Result<T, DecodeError> {
    match wrap {
        None => serde_json::from_slice(body).map_err(|e| DecodeError::Json(e.to_string())),
        Some(key) => {
            let mut doc: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(body).map_err(|e| DecodeError::Json(e.to_string()))?;
            let inner = doc.remove(key).ok_or_else(|| DecodeError::MissingWrap(key.to_string()))?;
            serde_json::from_value(inner).map_err(|e| DecodeError::Json(format!("{key}: {e}")))
        }
    }
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

/// Decodes a response body as the documented model, in whichever format it came.
pub fn decode_body<T: DeserializeOwned + FromXml, F>(
    resp: &Response,
    asked: Format,
    wrap: Option<&str>,
    root: XmlRoot,
) -> Result<T, ClientError<F>> {
    let r = match response_format(resp, asked) {
        Format::Json => decode_json(&resp.body, wrap),
        Format::Xml => decode_xml(&resp.body, root),
    };
    r.map_err(|source| ClientError::Decode { status: resp.status, source })
}

/// The text of a plain-text body, trimmed, for `from_text_body` of text models.
pub fn decode_text<F>(resp: &Response) -> Result<&str, ClientError<F>> {
    utf8(&resp.body).map(str::trim).map_err(|source| ClientError::Decode { status: resp.status, source })
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
        Format::Xml => {
            let local = root.local.or(wrap).unwrap_or("body");
            Ok(crate::xml::encode_root(value, root.ns, local, prefixes).into_bytes())
        }
    }
}

/// Turns the result of a generated `limits::validate_json` into the client's error: a
/// broken limit refuses the request; a body the validator cannot read is left to the
/// service to judge.
pub fn check_limits<F>(checked: Option<Result<(), RequestCheckError>>) -> Result<(), ClientError<F>> {
    match checked {
        Some(Err(RequestCheckError::Limit(v))) => Err(ClientError::Limit(v)),
        _ => Ok(()),
    }
}

/// The fault of an error response, decoded into the operation's error type.
pub fn fault<E: FaultError>(resp: &Response) -> ClientError<E> {
    ClientError::Fault(E::from_response(
        resp.status,
        resp.header("retry-after"),
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
    fn embedded_fault_display() {
        let f = EmbeddedFault { code: Some(500), message: "No valid host".into(), details: None, created: Some("2012-08-01T00:00:00Z".into()) };
        assert_eq!(f.to_string(), "fault 500: No valid host at 2012-08-01T00:00:00Z");
    }
}
