//! The control API, for tests (served with `--control` under [`crate::CONTROL_PREFIX`]):
//!
//! - `GET /` lists what it offers;
//! - `POST /clock` with `{"advance_seconds": N}` moves a virtual clock;
//! - `POST /outcomes` with `{"operation": "v2.servers.create", "outcome": "fails"}` (or
//!   `"stalls"`) makes the next walk of that operation end in its error state, or stay in
//!   its first transient state;
//! - `POST /behaviours` with `{"operation"?: ID, "name"?: REGEX, "metadata"?: {K: V},
//!   "reaction": {"kind": "fault", "status": 503} | {"kind": "fails"} | {"kind": "stalls"},
//!   "times"?: N}` adds a behaviour (every matching request when `times` is absent);
//!   `DELETE /behaviours` removes them all;
//! - `POST /bindings` with `{"address": "127.0.0.1", "tenant": "010101", "server": ID}`
//!   makes requests from that address come from that server (RackConnect);
//! - `POST /deviations` with `{"name": "json-only", "on": true}` switches a deliberate
//!   departure from the documents on or off (`GET /` lists them all).

use crate::behaviours::{Behaviour, Reaction};
use crate::state::App;
use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Queue {
    operation: String,
    outcome: OutcomeName,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Binding {
    address: std::net::IpAddr,
    tenant: String,
    server: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Switch {
    name: String,
    on: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum OutcomeName {
    Fails,
    Stalls,
}

/// Answers a control request (`path` below the prefix).
pub fn handle(app: &App, method: &Method, path: &str, body: &[u8]) -> Response {
    match (method.as_str(), path.trim_end_matches('/')) {
        ("GET", "") => json(
            StatusCode::OK,
            serde_json::json!({
                "clock": {"virtual": app.clock.is_virtual(), "now": app.clock.now().to_string()},
                "endpoints": [
                    {"method": "POST", "path": "/clock", "body": {"advance_seconds": "number"}, "does": "moves the virtual clock forward"},
                    {"method": "POST", "path": "/outcomes", "body": {"operation": "operation id", "outcome": "fails | stalls"}, "does": "the next walk of the operation ends in its error state, or stays in its first transient state"},
                    {"method": "POST", "path": "/behaviours", "body": {"operation": "operation id (optional)", "name": "server name regex (optional)", "metadata": {"key": "value"}, "reaction": {"kind": "fault | fails | stalls", "status": "for a fault", "message": "optional"}, "times": "N, or absent for every matching request"}, "does": "adds a behaviour"},
                    {"method": "DELETE", "path": "/behaviours", "does": "removes every behaviour"},
                    {"method": "POST", "path": "/bindings", "body": {"address": "IP address", "tenant": "tenant id", "server": "server id"}, "does": "requests from the address come from the server (RackConnect)"},
                    {"method": "POST", "path": "/deviations", "body": {"name": "switch name", "on": "boolean"}, "does": "switches a deliberate departure from the documents on or off"},
                ],
                "deviations": crate::deviations::Deviation::ALL.iter().map(|(d, name, does)| serde_json::json!({"name": name, "does": does, "on": app.switches.on(*d)})).collect::<Vec<_>>(),
            }),
        ),
        ("POST", "/clock") => match serde_json::from_slice::<Advance>(body) {
            Ok(a) if a.advance_seconds.is_finite() && a.advance_seconds >= 0.0 => {
                match app.clock.advance(Duration::from_secs_f64(a.advance_seconds.min(1e12))) {
                    Some(now) => json(StatusCode::OK, serde_json::json!({"now": now.to_string()})),
                    None => problem(StatusCode::CONFLICT, "the clock is real; start the provider with a virtual clock"),
                }
            }
            Ok(_) => problem(StatusCode::BAD_REQUEST, "advance_seconds must be a finite number of seconds, not negative"),
            Err(e) => problem(StatusCode::BAD_REQUEST, &format!("expected {{\"advance_seconds\": N}}: {e}")),
        },
        ("POST", "/outcomes") => match serde_json::from_slice::<Queue>(body) {
            Ok(q) if app.mounts.iter().any(|m| m.operations.iter().any(|o| o.id == q.operation)) || crate::compute::automation_machines().iter().any(|m| m.id == q.operation) => {
                let reaction = match q.outcome {
                    OutcomeName::Fails => Reaction::Fails,
                    OutcomeName::Stalls => Reaction::Stalls,
                };
                let b = Behaviour { operation: Some(q.operation), name: None, metadata: Default::default(), reaction, times: Some(1) };
                let mut store = app.store();
                store.behaviours.push(b);
                json(StatusCode::OK, serde_json::json!({"behaviours": store.behaviours.len()}))
            }
            Ok(q) => problem(StatusCode::BAD_REQUEST, &format!("no operation {} is documented", q.operation)),
            Err(e) => problem(StatusCode::BAD_REQUEST, &format!("expected {{\"operation\": ID, \"outcome\": \"fails\"|\"stalls\"}}: {e}")),
        },
        ("POST", "/behaviours") => match serde_json::from_slice::<Behaviour>(body) {
            Ok(b) => match b.check() {
                Ok(()) => {
                    let mut store = app.store();
                    store.behaviours.push(b);
                    json(StatusCode::OK, serde_json::json!({"behaviours": store.behaviours.len()}))
                }
                Err(m) => problem(StatusCode::BAD_REQUEST, &m),
            },
            Err(e) => problem(StatusCode::BAD_REQUEST, &format!("expected {{\"operation\"?, \"name\"?, \"metadata\"?, \"reaction\": {{\"kind\": \"fault\"|\"fails\"|\"stalls\", ...}}, \"times\"?}}: {e}")),
        },
        ("DELETE", "/behaviours") => {
            app.store().behaviours.clear();
            json(StatusCode::OK, serde_json::json!({"behaviours": 0}))
        }
        ("POST", "/bindings") => match serde_json::from_slice::<Binding>(body) {
            Ok(b) => {
                let exists = app.store().tenants.get(&b.tenant).is_some_and(|t| t.servers.iter().any(|s| s.id == b.server));
                if exists {
                    app.store().bindings.insert(b.address.to_string(), (b.tenant, b.server));
                    json(StatusCode::OK, serde_json::json!({"bound": b.address.to_string()}))
                } else {
                    problem(StatusCode::NOT_FOUND, &format!("tenant {} has no server {}", b.tenant, b.server))
                }
            }
            Err(e) => problem(StatusCode::BAD_REQUEST, &format!("expected {{\"address\": IP, \"tenant\": ID, \"server\": ID}}: {e}")),
        },
        ("POST", "/deviations") => match serde_json::from_slice::<Switch>(body) {
            Ok(s) => match crate::deviations::Deviation::named(&s.name) {
                Some(d) => {
                    app.switches.set(d, s.on);
                    json(StatusCode::OK, serde_json::json!({"name": s.name, "on": s.on}))
                }
                None => problem(StatusCode::BAD_REQUEST, &format!("no deviation is named {}; GET / lists them", s.name)),
            },
            Err(e) => problem(StatusCode::BAD_REQUEST, &format!("expected {{\"name\": NAME, \"on\": true|false}}: {e}")),
        },
        _ => problem(StatusCode::NOT_FOUND, &format!("the control API has no {method} {path}")),
    }
}

fn problem(status: StatusCode, message: &str) -> Response {
    json(status, serde_json::json!({"error": message}))
}

fn json(status: StatusCode, v: serde_json::Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec(&v).unwrap_or_default()));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}
