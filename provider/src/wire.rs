//! Bodies on the wire: the format a request is written in and the one its answer is
//! asked in, bodies read strictly with the generated models, answers written with them,
//! and fault documents built from the generated fault tables.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use runtime::faults::FaultInfo;
use runtime::shapes::operations::{Body as BodySpec, Operation};
use runtime::shapes::{Catalog, Format};
use runtime::strict::Shaped;
use runtime::xml::{FromXml, ToXml};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A fault to answer with: which one, its status and what to say.
#[derive(Debug, Clone)]
pub struct Fault {
    /// The fault of the API's table.
    pub info: &'static FaultInfo,
    /// The HTTP status (one of the fault's codes).
    pub status: u16,
    /// What went wrong.
    pub message: String,
    /// When the request may be retried (overLimit).
    pub retry_at: Option<jiff::Timestamp>,
    /// What the fault came from (the request and its operation), as the fault's details.
    pub details: Option<String>,
}

/// An API's faults and how its fault bodies are written.
pub trait FaultStyle: Send + Sync {
    /// Every fault of the API.
    fn faults(&self) -> &'static [FaultInfo];
    /// The fault document in JSON (without its wrapping key).
    fn json(&self, fault: &Fault) -> serde_json::Value;
    /// The fault document in XML, rooted at the fault's name.
    fn xml(&self, fault: &Fault) -> String;
    /// The API's faults have no body model: they are written as plain text.
    fn plain(&self) -> bool {
        false
    }
}

/// The fault for `status` among those `op` lists, else among the API's faults that any
/// request may return, else any of the API's faults with that status.
pub fn fault_for(style: &dyn FaultStyle, op: Option<&Operation<'_>>, status: u16, message: impl Into<String>) -> Option<Fault> {
    let all = style.faults();
    // The most specific fault listed for the status: a catch-all that lists several codes
    // (computeFault: 400, 500...) only when nothing else has it.
    let listed = op.and_then(|op| {
        op.faults
            .iter()
            .filter(|f| f.codes.contains(&status))
            .filter_map(|f| all.iter().find(|i| i.id == f.fault))
            .min_by_key(|i| (i.more_codes, i.codes.len()))
    });
    let info = listed
        .or_else(|| all.iter().find(|i| i.all_requests && i.codes.contains(&status)))
        .or_else(|| all.iter().find(|i| i.codes.contains(&status)))?;
    Some(Fault { info, status, message: message.into(), retry_at: None, details: None })
}

/// The format a response is written in: the path's extension, else `Accept`, else the
/// body's default, else JSON; always one the body is offered in.
pub fn response_format(extension: Option<Format>, headers: &HeaderMap, body: Option<&BodySpec<'_>>) -> Format {
    let offered = |f: Format| body.is_none_or(|b| b.formats.is_empty() || b.formats.contains(&f));
    let accepted = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).and_then(|a| {
        a.split(',').find_map(|range| {
            let media = range.split(';').next().unwrap_or_default().trim();
            Format::from_content_type(media).or_else(|| media.eq_ignore_ascii_case(Format::Text.media_type()).then_some(Format::Text))
        })
    });
    let default = body.and_then(|b| b.default_format).or_else(|| body.and_then(|b| b.formats.first().copied()));
    [extension, accepted, default, Some(Format::Json)].into_iter().flatten().find(|f| offered(*f)).unwrap_or(Format::Json)
}

/// The format a request body is written in, by `Content-Type`; `None` for a type that is
/// neither JSON nor XML. A body without a type is read as JSON.
pub fn request_format(headers: &HeaderMap) -> Option<Format> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else { return Some(Format::Json) };
    Format::from_content_type(ct.to_str().ok()?)
}

/// Why a request body was refused, as the message of a 400 or 415 fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The content type is neither JSON nor XML (415).
    MediaType(String),
    /// The body is not what the operation takes (400).
    Body(String),
}

/// Reads `op`'s request body strictly: as the generated model, and with every departure
/// from the documents (an unknown key, a missing required value, a wrong type) refused
/// with its path.
pub fn read<T: Shaped + DeserializeOwned + FromXml>(op: &Operation<'_>, headers: &HeaderMap, body: &[u8]) -> Result<T, Refusal> {
    let spec = op.request.as_ref();
    let wrap = spec.and_then(|b| b.wrap.as_deref());
    let format = body_format(op, headers)?;
    let (value, findings) = match format {
        Format::Xml => {
            let text = std::str::from_utf8(body).map_err(|e| Refusal::Body(format!("the body is not UTF-8: {e}")))?;
            let root = T::catalog().model(T::MODEL_ID).and_then(|m| m.element.as_ref()).map(|e| e.local.to_string()).filter(|l| !l.is_empty());
            runtime::strict::decode_xml::<T>(text, root.as_deref().or(wrap))
        }
        _ => runtime::strict::decode_json::<T>(body, wrap),
    }
    .map_err(|e| Refusal::Body(format!("the body is not a {}: {e}", T::MODEL_ID)))?;
    // A form the schema records as one readers accept is read (Example 2.7 sends one); every
    // other departure is refused.
    let findings: Vec<_> = findings.into_iter().filter(|f| f.kind != runtime::shapes::FindingKind::Shape).collect();
    if let Some(first) = findings.first() {
        let more = if findings.len() > 1 { format!(" (and {} more)", findings.len() - 1) } else { String::new() };
        return Err(Refusal::Body(format!("{}: {}{more}", if first.path.is_empty() { "/" } else { &first.path }, first.message)));
    }
    Ok(value)
}

/// The format of `op`'s request body by its `Content-Type`: a type that is neither JSON
/// nor XML, or a format the operation takes no body in, is refused (415).
pub fn body_format(op: &Operation<'_>, headers: &HeaderMap) -> Result<Format, Refusal> {
    let format = request_format(headers).ok_or_else(|| {
        let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        Refusal::MediaType(format!("the content type {ct:?} is neither JSON nor XML"))
    })?;
    match op.request.as_ref() {
        Some(spec) if !spec.formats.is_empty() && !spec.formats.contains(&format) => {
            Err(Refusal::MediaType(format!("{} takes no {} body", op.id, format.as_str())))
        }
        _ => Ok(format),
    }
}

/// The media type refusal of a request to `op`: one that sends a body in a type the
/// operation does not read. A request without `Content-Type` is read as JSON, and an
/// operation without a request body reads none.
pub fn media_type_refusal(op: &Operation<'_>, headers: &HeaderMap) -> Option<String> {
    if op.request.is_none() || !headers.contains_key(header::CONTENT_TYPE) {
        return None;
    }
    match body_format(op, headers) {
        Err(Refusal::MediaType(m)) => Some(m),
        _ => None,
    }
}

/// The action among `ops` (the operations of one actions path) that a request's body
/// names: in JSON by its one key, the action's key; in XML by its root, the element of the
/// action's request model (in its namespace: an extension's action is named by its
/// namespace in XML and by its alias in JSON), else the action of that local name. A body
/// that names none is for the operation without an action, if there is one; otherwise the
/// answer is what the body named (`None` for nothing), for the refusal.
pub fn chosen_action<'o, 'a>(ops: &[&'o Operation<'a>], headers: &HeaderMap, body: &[u8]) -> Result<&'o Operation<'a>, Option<String>> {
    let (named, key) = match request_format(headers) {
        Some(Format::Xml) => match std::str::from_utf8(body).ok().and_then(|t| runtime::xml::parse(t).ok()) {
            Some(root) => {
                let element = |o: &Operation<'_>| {
                    let model = o.request.as_ref().and_then(|b| cloudservers::SHAPES.model(&b.model));
                    model.and_then(|m| m.element.as_ref()).is_some_and(|e| e.local == root.name.local.as_str() && e.ns.as_deref() == root.name.ns.as_deref())
                };
                let found = ops.iter().find(|o| element(o)).or_else(|| ops.iter().find(|o| o.action.as_deref() == Some(root.name.local.as_str())));
                (found.copied(), Some(root.name.local.to_string()))
            }
            None => (None, None),
        },
        Some(_) => {
            let key = serde_json::from_slice::<serde_json::Value>(body).ok().and_then(|v| {
                let o = v.as_object()?;
                (o.len() == 1).then(|| o.keys().next().cloned()).flatten()
            });
            (ops.iter().find(|o| o.action.is_some() && o.action.as_deref() == key.as_deref()).copied(), key)
        }
        None => (None, None),
    };
    named.or_else(|| ops.iter().find(|o| o.action.is_none()).copied()).ok_or(key)
}

/// An answer with a body written as `op`'s response of this status describes it.
pub fn reply<T: Shaped + Serialize + ToXml>(
    op: &Operation<'_>,
    status: u16,
    value: &T,
    format: Format,
    prefixes: &[(&str, &str)],
) -> Response {
    respond(status, Some(document(format)), encode(op, status, value, format, prefixes))
}

/// An answer [`encode`] wrote before, sent again while what it shows is unchanged.
pub fn replay(status: u16, format: Format, body: axum::body::Bytes) -> Response {
    respond(status, Some(document(format)), body)
}

/// The format of the document [`encode`] writes when asked for `format`.
fn document(format: Format) -> Format {
    if format == Format::Xml {
        Format::Xml
    } else {
        Format::Json
    }
}

/// The body [`reply`] sends: `value` in the format, wrapped as the operation documents.
pub fn encode<T: Shaped + Serialize + ToXml>(op: &Operation<'_>, status: u16, value: &T, format: Format, prefixes: &[(&str, &str)]) -> Vec<u8> {
    let spec = op.response(status).and_then(|r| r.body.as_ref());
    let wrap = spec.and_then(|b| b.wrap.as_deref());
    match format {
        Format::Xml => {
            let element = T::catalog().model(T::MODEL_ID).and_then(|m| m.element.clone());
            let ns = element.as_ref().and_then(|e| e.ns.as_deref());
            let local = element.as_ref().map(|e| e.local.to_string()).filter(|l| !l.is_empty()).or(wrap.map(str::to_string)).unwrap_or_default();
            runtime::xml::encode_root(value, ns, &local, prefixes).into_bytes()
        }
        _ => {
            // Most answers are a few kilobytes: one allocation instead of a run of doublings.
            let mut body = Vec::with_capacity(4096);
            let written = match wrap {
                Some(w) => serde_json::to_writer(&mut body, &Wrapped(w, value)),
                None => serde_json::to_writer(&mut body, value),
            };
            if written.is_err() {
                body.clear();
            }
            body
        }
    }
}

/// A JSON document of one member, written straight from the value (no intermediate tree).
struct Wrapped<'a, T>(&'a str, &'a T);

impl<T: Serialize> Serialize for Wrapped<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// A plain-text answer.
pub fn text(status: u16, body: String) -> Response {
    respond(status, Some(Format::Text), body.into_bytes())
}

/// An answer without a body.
pub fn empty(status: u16) -> Response {
    respond(status, None, Vec::new())
}

/// A fault document in `format`. A fault that says when to retry (overLimit: a retry
/// header and a retry field) always says it: when the request may be retried, else `now`.
///
/// Its details are what it came from: `request` (`GET /v2/...`), unless it has its own.
pub fn fault_response(style: &dyn FaultStyle, fault: &Fault, format: Format, now: jiff::Timestamp, request: impl FnOnce() -> String) -> Response {
    let retries = fault.info.retry_header.is_some() || fault.info.retry_field.is_some();
    let details = fault.details.clone().or_else(|| Some(request()));
    let fault = &Fault { retry_at: fault.retry_at.or(retries.then_some(now)), details, ..fault.clone() };
    let mut resp = match format {
        _ if style.plain() => text(fault.status, fault.message.clone()),
        Format::Xml => respond(fault.status, Some(Format::Xml), style.xml(fault).into_bytes()),
        _ => {
            let doc = serde_json::json!({ fault.info.name: style.json(fault) });
            respond(fault.status, Some(Format::Json), serde_json::to_vec(&doc).unwrap_or_default())
        }
    };
    if let (Some(h), Some(at)) = (fault.info.retry_header, fault.retry_at) {
        if let (Ok(name), Ok(value)) = (header::HeaderName::from_bytes(h.as_bytes()), HeaderValue::from_str(&runtime::shapes::time::format_http_date(at))) {
            resp.headers_mut().insert(name, value);
        }
    }
    resp
}

fn respond(status: u16, format: Option<Format>, body: impl Into<Body>) -> Response {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Some(f) = format {
        // Plain text says its encoding; JSON and XML documents carry theirs.
        let ct = match f {
            Format::Text => HeaderValue::from_str(&format!("{}; charset=utf-8", f.media_type())),
            _ => HeaderValue::from_str(f.media_type()),
        };
        if let Ok(ct) = ct {
            resp.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
    }
    resp
}

/// The fault style of an API whose fault model is a generated type.
pub struct Typed<M> {
    faults: &'static [FaultInfo],
    prefixes: &'static [(&'static str, &'static str)],
    build: fn(&Fault) -> M,
}

impl<M> Typed<M> {
    /// A style writing `build`'s model for the faults of `faults`.
    pub const fn new(faults: &'static [FaultInfo], prefixes: &'static [(&'static str, &'static str)], build: fn(&Fault) -> M) -> Self {
        Typed { faults, prefixes, build }
    }
}

impl<M: Shaped + Serialize + ToXml + Send + Sync> FaultStyle for Typed<M> {
    fn faults(&self) -> &'static [FaultInfo] {
        self.faults
    }

    fn json(&self, fault: &Fault) -> serde_json::Value {
        serde_json::to_value((self.build)(fault)).unwrap_or(serde_json::Value::Null)
    }

    fn xml(&self, fault: &Fault) -> String {
        let ns = M::catalog().model(M::MODEL_ID).and_then(|m| m.element.as_ref()).and_then(|e| e.ns.as_deref());
        runtime::xml::encode_root(&(self.build)(fault), ns, fault.info.name, self.prefixes)
    }
}
