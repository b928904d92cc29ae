//! Requests in, answers out: which API and operation a request is for (the generated
//! operation tables and their router), its token, its formats, and the handler of the
//! operation; every refusal is the API's documented fault.

use crate::deviations::Deviation;
use crate::mounts::Mount;
use crate::state::App;
use crate::wire::{self, Fault, FaultStyle, Refusal};
use crate::{compute, control, first_gen, identity};
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, State};
use std::net::SocketAddr;
use axum::http::{HeaderMap, Method, Request};
use axum::response::Response;
use axum::Router;
use runtime::shapes::operations::{AuthKind, Base, Operation, Route};
use runtime::shapes::Format;
use std::sync::Arc;

/// A request as a handler sees it.
pub struct Call<'a> {
    /// The provider.
    pub app: &'a App,
    /// The API.
    pub mount: &'a Mount,
    /// The operation.
    pub op: &'static Operation<'static>,
    /// The path parameters, percent-decoded.
    pub params: Vec<(String, String)>,
    /// The query parameters, percent-decoded.
    pub query: Vec<(String, String)>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
    /// The tenant of the token (for token-authenticated operations), or of the calling
    /// server (for source-address ones).
    pub tenant: String,
    /// The calling server, for operations authenticated by the source address.
    pub server: Option<String>,
    /// The format the answer is written in.
    pub format: Format,
    /// The endpoint's URL and its bookmark form, made once per call.
    hrefs: std::cell::OnceCell<(String, String)>,
}

impl Call<'_> {
    /// The URL of the tenant's endpoint of the call's API, and that URL without its
    /// version segment (the base of bookmark links).
    pub fn endpoint(&self) -> (&str, &str) {
        let (endpoint, bookmark) = self.hrefs.get_or_init(|| {
            let bookmark = self.app.bookmark_url(self.mount, &self.tenant);
            let endpoint = self.app.endpoint_url(self.mount, &self.tenant);
            (endpoint, bookmark)
        });
        (endpoint, bookmark)
    }

    /// A path parameter.
    pub fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// The fault of this status for this operation.
    pub fn fault(&self, status: u16, message: impl Into<String>) -> Fault {
        let message = message.into();
        wire::fault_for(style(self.mount), Some(self.op), status, message.clone())
            .unwrap_or_else(|| generic_fault(self.mount, status, message))
    }

    /// The fault of a body in a media type the operation does not read: its badMediaType
    /// (415) where the operation documents one, else its badRequest (400; v1.0 documents
    /// no 415).
    pub fn media_type_fault(&self, message: impl Into<String>) -> Fault {
        let status = if self.op.faults.iter().any(|f| f.codes.contains(&415)) { 415 } else { 400 };
        self.fault(status, message)
    }

    /// Reads the request body strictly as `T`.
    pub fn read<T: runtime::strict::Shaped + serde::de::DeserializeOwned + runtime::xml::FromXml>(&self) -> Result<T, Fault> {
        if self.app.switches.on(Deviation::JsonOnly) && wire::request_format(self.headers) == Some(Format::Xml) {
            return Err(self.media_type_fault("this provider reads no XML"));
        }
        wire::read::<T>(self.op, self.headers, self.body).map_err(|r| match r {
            Refusal::MediaType(m) => self.media_type_fault(m),
            Refusal::Body(m) => self.fault(400, m),
        })
    }

    /// A walk of this operation through `machine`, starting `now`.
    pub fn walk<'m>(&'m self, machine: &'m runtime::machines::StateMachine, now: jiff::Timestamp, outcome: crate::lifecycle::Outcome) -> crate::lifecycle::Walk<'m> {
        let on = |d| self.app.switches.on(d);
        crate::lifecycle::Walk {
            machine,
            operation: &self.op.id,
            now,
            step: self.app.config.step,
            outcome,
            skip_transient: on(Deviation::SkipTransientStates),
            illegal_end: on(Deviation::IllegalTransition),
        }
    }

    /// The documented success status of the operation.
    pub fn success(&self) -> u16 {
        self.op.success().map(|r| r.status).unwrap_or(200)
    }
}

/// What the answer to an operation without a handler says, after its id.
pub const UNSERVED: &str = "is not served by this provider";

/// The fault of an operation the provider has no handler for.
pub fn unserved(call: &Call<'_>) -> Fault {
    call.fault(405, format!("{} {UNSERVED}", call.op.id))
}

/// What a handler answers: a response, or a fault.
pub type Answer = Result<Response, Fault>;

/// The fault style of an API.
pub fn style(m: &Mount) -> &'static dyn FaultStyle {
    match m.key.as_str() {
        k if k == cloudservers::v1_0::client::API.api => &compute::V1_0_FAULTS,
        k if k == cloudservers::rackconnect::client::API.api => &crate::rackconnect::FAULTS,
        _ => &compute::V2_FAULTS,
    }
}

/// The first fault of the API with `status`, or its catch-all fault, for answers that no
/// operation lists.
fn generic_fault(m: &Mount, status: u16, message: String) -> Fault {
    let s = style(m);
    wire::fault_for(s, None, status, message.clone())
        .or_else(|| wire::fault_for(s, None, 500, message.clone()))
        .unwrap_or_else(|| Fault { info: &s.faults()[0], status, message, retry_at: None, details: None })
}

/// The provider's router: one handler for every path.
pub fn router(app: Arc<App>) -> Router {
    Router::new().fallback(handle).with_state(app)
}

async fn handle(State(app): State<Arc<App>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let limit = app.config.max_body;
    let body = to_bytes(body, limit).await;
    let started = std::time::Instant::now();
    let response = match body {
        Ok(bytes) if app.switches.any() => {
            let r = dispatch(&app, &parts.method, &path, parts.uri.query().unwrap_or_default(), &parts.headers, &bytes, peer);
            deviate(&app, r, limit).await
        }
        Ok(bytes) => dispatch(&app, &parts.method, &path, parts.uri.query().unwrap_or_default(), &parts.headers, &bytes, peer),
        Err(_) => too_large(&app, &parts.method, &path, &parts.headers, limit),
    };
    let response = crate::persist::after(&app, &parts.method, &path, &parts.headers, response);
    tracing::info!(method = %parts.method, path = %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}

fn too_large(app: &App, method: &Method, path: &str, headers: &HeaderMap, limit: usize) -> Response {
    let mount = mount_of(app, path).map(|(m, _)| m).unwrap_or(&app.mounts[0]);
    let fault = generic_fault(mount, 413, format!("the body is larger than {limit} bytes"));
    wire::fault_response(style(mount), &fault, wire::response_format(None, headers, None), app.clock.now(), || format!("{method} {path}"))
}

fn mount_of<'a>(app: &'a App, path: &'a str) -> Option<(&'a Mount, &'a str)> {
    let rest = path.strip_prefix('/')?;
    let (first, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let m = app.mounts.iter().find(|m| m.module == first)?;
    Some((m, &path[path.len() - rest.len() - 1..]))
}

pub(crate) fn dispatch(app: &App, method: &Method, path: &str, query: &str, headers: &HeaderMap, body: &[u8], peer: SocketAddr) -> Response {
    // What a fault's details say it came from.
    let request = || format!("{method} {path}");
    let controls = path.strip_prefix(crate::CONTROL_PREFIX).is_some_and(|r| r.is_empty() || r.starts_with('/'));
    if controls && app.config.control {
        return control::handle(app, method, &path[crate::CONTROL_PREFIX.len()..], body);
    }
    let Some((mount, rest)) = mount_of(app, path) else {
        let m = &app.mounts[0];
        let fault = generic_fault(m, 404, format!("no API is served at {path}"));
        return wire::fault_response(style(m), &fault, wire::response_format(None, headers, None), app.clock.now(), request);
    };
    // The extension picks the response format and is not part of the path.
    let (rest, extension) = match rest.rsplit_once('.') {
        Some((p, "json")) if !p.ends_with('/') => (p, Some(Format::Json)),
        Some((p, "xml")) if !p.ends_with('/') => (p, Some(Format::Xml)),
        _ => (rest, None),
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    // Endpoint operations are below `/v{version}/{tenant}`.
    let endpoint = rest
        .strip_prefix('/')
        .and_then(|r| r.strip_prefix(mount.version_segment.as_str()))
        .and_then(|r| r.strip_prefix('/'))
        .map(|r| match r.find('/') {
            Some(i) => (&r[..i], &r[i..]),
            None => (r, "/"),
        });
    let host_route = mount.routes(Base::Host).route(method.as_str(), rest);
    let (found, path_tenant) = match (&host_route, &endpoint) {
        (Route::Found(..) | Route::Several(..), _) => (host_route, None),
        (_, Some((tenant, p))) if !tenant.is_empty() => (mount.routes(Base::Endpoint).route(method.as_str(), p), Some(tenant.to_string())),
        _ => (host_route, None),
    };
    let format_for = |op: Option<&Operation<'_>>| wire::response_format(extension, headers, op.and_then(|o| o.success()).and_then(|r| r.body.as_ref()));
    let (op, values): (&'static Operation<'static>, _) = match found {
        Route::Found(op, values) => (op, values),
        // A body in a media type no action reads names no action: the request is refused
        // for its media type (below, as the first action that takes a body).
        Route::Several(ops, values) if wire::request_format(headers).is_none() => match ops.iter().find(|o| o.request.is_some()).or(ops.first()) {
            Some(op) => (*op, values),
            None => {
                let f = generic_fault(mount, 415, format!("no action of {path} reads this media type"));
                return wire::fault_response(style(mount), &f, format_for(None), app.clock.now(), request);
            }
        },
        Route::Several(ops, values) => match wire::chosen_action(&ops, headers, body) {
            Ok(op) => (op, values),
            Err(key) => {
                let f = generic_fault(mount, 400, format!("no action {} is documented for {path}", key.unwrap_or_else(|| "(none)".into())));
                return wire::fault_response(style(mount), &f, format_for(ops.first().copied()), app.clock.now(), request);
            }
        },
        Route::WrongMethod(methods) => {
            let f = generic_fault(mount, 405, format!("{method} is not allowed on {path}; allowed: {}", methods.join(", ")));
            return wire::fault_response(style(mount), &f, format_for(None), app.clock.now(), request);
        }
        Route::NotFound => {
            let f = generic_fault(mount, 404, format!("nothing is documented at {path}"));
            return wire::fault_response(style(mount), &f, format_for(None), app.clock.now(), request);
        }
    };
    let params = values.into_iter().map(|(k, v)| (k.to_string(), decode(v))).collect();
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    // A documented format parameter picks the format, over the extension and Accept.
    let asked = op.query.iter().filter(|q| q.selects_format).find_map(|q| pairs.iter().find(|(k, _)| *k == q.name)).and_then(|(_, v)| Format::parse(v));
    let offered = |f: &Format| op.success().and_then(|r| r.body.as_ref()).is_none_or(|b| b.formats.contains(f));
    let format = match asked.filter(offered) {
        _ if app.switches.on(Deviation::JsonOnly) => Format::Json,
        Some(f) => f,
        None => format_for(Some(op)),
    };
    let tenant = match op.auth {
        AuthKind::Token => match authorize(app, mount, headers, path_tenant.as_deref()) {
            Ok(t) => t,
            Err(message) => {
                let f = wire::fault_for(style(mount), Some(op), 401, message.clone()).unwrap_or_else(|| generic_fault(mount, 401, message));
                return wire::fault_response(style(mount), &f, format, app.clock.now(), || format!("{} ({})", request(), op.id));
            }
        },
        _ => path_tenant.unwrap_or_default(),
    };
    // A source-authenticated call is from the server its address is bound to.
    let bound = (op.auth == AuthKind::SourceIp).then(|| app.store().bindings.get(&peer.ip().to_string()).cloned()).flatten();
    let (tenant, server) = match bound {
        Some((t, s)) => (t, Some(s)),
        None => (tenant, None),
    };
    if app.config.rate_limits && !app.switches.on(Deviation::NoRateLimits) && matches!(op.auth, AuthKind::Token | AuthKind::SourceIp) {
        // Rate limits match the path after the endpoint root, with its query.
        let target = match (&endpoint, op.base) {
            (Some((_, p)), Base::Endpoint) => p.to_string(),
            _ => rest.to_string(),
        };
        let target = if query.is_empty() { target } else { format!("{target}?{query}") };
        let now = app.clock.now();
        // RackConnect counts each cloud server's requests: by its address.
        let counted = if op.auth == AuthKind::SourceIp { peer.ip().to_string() } else { tenant.clone() };
        if let Err((f, _)) = crate::limits::admit(&mut app.store().windows, mount, &counted, method.as_str(), &target, now) {
            return wire::fault_response(style(mount), &f, format, app.clock.now(), || format!("{} ({})", request(), op.id));
        }
    }
    let call = Call { app, mount, op, params, query: pairs, headers, body, tenant, server, format, hrefs: Default::default() };
    // The media type is checked before anything the body says is looked at.
    let refused = wire::media_type_refusal(op, headers).map(|m| call.media_type_fault(m));
    let answer = match refused.or_else(|| behaviour_fault(&call)) {
        Some(f) => Err(f),
        None => answer(&call),
    };
    let mut r = match answer {
        Ok(r) => r,
        Err(mut f) => {
            if app.switches.on(Deviation::WrongFaultElement) {
                if let Some(other) = style(mount).faults().iter().find(|i| i.name != f.info.name) {
                    f.info = other;
                }
            }
            wire::fault_response(style(mount), &f, format, app.clock.now(), || format!("{} ({})", request(), op.id))
        }
    };
    r.extensions_mut().insert(Answered(op));
    r
}

/// The handler of the call's API.
fn answer(call: &Call<'_>) -> Answer {
    if call.mount.exchanges_credentials() {
        identity::handle(call)
    } else if call.mount.key == cloudservers::v1_0::client::API.api {
        first_gen::handle(call)
    } else if call.mount.key == cloudservers::rackconnect::client::API.api {
        crate::rackconnect::handle(call)
    } else {
        compute::handle(call)
    }
}

/// The fault a behaviour asked for, if one matches the call: by its operation, and by
/// the name and metadata of the server it concerns (the addressed server, or the one a
/// create describes).
fn behaviour_fault(call: &Call<'_>) -> Option<Fault> {
    let mut store = call.app.store();
    if store.behaviours.is_empty() {
        return None;
    }
    let (name, metadata) = match call.params.iter().find(|(k, _)| k == "server_id") {
        Some((_, id)) => store.tenants.get(&call.tenant).and_then(|t| t.server(id)).map(|s| (s.name.clone(), s.metadata.clone())),
        None => {
            let doc: Option<serde_json::Value> = serde_json::from_slice(call.body).ok();
            let inner = doc.as_ref().and_then(|d| call.op.request.as_ref().and_then(|b| b.wrap.as_deref()).map_or(Some(d), |w| d.get(w)));
            inner.and_then(|v| {
                let name = v.get("name")?.as_str()?.to_string();
                let md = v.get("metadata").and_then(|m| serde_json::from_value(m.clone()).ok()).unwrap_or_default();
                Some((name, md))
            })
        }
    }
    .unzip();
    let subject = crate::behaviours::Subject { operation: &call.op.id, name: name.as_deref(), metadata: metadata.as_ref() };
    let reaction = crate::behaviours::take(&mut store.behaviours, &subject, |r| matches!(r, crate::behaviours::Reaction::Fault { .. }))?;
    drop(store);
    match reaction {
        crate::behaviours::Reaction::Fault { status, message } => Some(call.fault(status, message.unwrap_or_else(|| format!("a behaviour of the control API answers {} with {status}", call.op.id)))),
        _ => None,
    }
}

/// The operation an answer is for (for the deviations that change answers).
#[derive(Clone, Copy)]
struct Answered(&'static Operation<'static>);

/// An answer, changed by the deliberate deviations that are on.
async fn deviate(app: &App, mut r: Response, limit: usize) -> Response {
    let Some(Answered(op)) = r.extensions().get::<Answered>().copied() else { return r };
    let on = |d| app.switches.on(d);
    let status = r.status().as_u16();
    let success = (200..300).contains(&status);
    if on(Deviation::WrongSuccessCode) && success {
        let other = [200u16, 201, 202, 203].into_iter().find(|s| *s != status && op.response(*s).is_none()).unwrap_or(200);
        *r.status_mut() = axum::http::StatusCode::from_u16(other).unwrap_or(axum::http::StatusCode::OK);
    }
    if on(Deviation::NoLocation) {
        r.headers_mut().remove(axum::http::header::LOCATION);
    }
    if on(Deviation::WrongContentType) && r.headers().contains_key(axum::http::header::CONTENT_TYPE) {
        r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("text/html"));
    }
    if on(Deviation::MissingRequiredField) && success {
        use runtime::shapes::{Catalog, Kind};
        let Some(body) = op.response(status).and_then(|x| x.body.as_ref()) else { return r };
        let Some(Kind::Object { fields }) = cloudservers::SHAPES.model(&body.model).map(|m| &m.kind) else { return r };
        let Some(field) = fields.iter().find(|f| f.required && f.json) else { return r };
        let (parts, b) = r.into_parts();
        let bytes = to_bytes(b, limit.max(16 << 20)).await.unwrap_or_default();
        let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Response::from_parts(parts, Body::from(bytes)) };
        let inner = match body.wrap.as_deref() {
            Some(w) => doc.get_mut(w),
            None => Some(&mut doc),
        };
        if let Some(serde_json::Value::Object(o)) = inner {
            o.remove(field.name.as_ref());
        }
        return Response::from_parts(parts, Body::from(serde_json::to_vec(&doc).unwrap_or_default()));
    }
    r
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The tenant of the request's token, which must be unexpired and, below an endpoint,
/// the endpoint's tenant.
fn authorize(app: &App, mount: &Mount, headers: &HeaderMap, path_tenant: Option<&str>) -> Result<String, String> {
    let token = headers.get(mount.token_header.as_str()).and_then(|v| v.to_str().ok()).ok_or_else(|| format!("no {} header", mount.token_header))?;
    let now = app.clock.now();
    let store = app.store();
    let rec = store.tokens.get(token).ok_or("the token is not known")?;
    if rec.expires <= now {
        return Err("the token has expired".into());
    }
    if let Some(t) = path_tenant {
        if t != rec.tenant {
            return Err("the token is not for this account".into());
        }
    }
    Ok(rec.tenant.clone())
}
