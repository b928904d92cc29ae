//! A stand-in for the identity exchange and API facts generated code supplies, with names
//! unlike any the documents use, so the tests show the transport takes every path, header
//! and body part from them and knows none itself.

#![allow(dead_code)]

use cloudservers_runtime::client::{
    ApiFacts, AuthError, CatalogEndpoint, Credential, Format, IdentityCall, IdentityExchange, Method, Session, V1_0Call,
};
use cloudservers_runtime::faults::FaultParts;
use cloudservers_runtime::Secret;
use serde_json::{json, Value};

/// The stub service's fault bodies: `{"<name>": {"status": ..., "reason": ..., "notBefore": ...}}`.
pub static PARTS: FaultParts = FaultParts {
    code: &["status"],
    message: &["reason"],
    details: &[],
    created: &[],
    retry_at: &["notBefore"],
    retry_after: &[],
    retry_header: &["X-Stub-Retry"],
};

/// The header the stub API's operations send the token in.
pub const TOKEN_HEADER: &str = "X-Stub-Token";

/// The stub identity service: `PUT /login/tokens` with `{"who", "password"|"key"}`,
/// answering `{"ticket": {"value", "until"}, "where": [{"svc", "href", "zone"}]}`; and a
/// header exchange `GET /login` with `X-Stub-User`/`X-Stub-Key`, answering `X-Stub-Ticket`
/// and `X-Stub-Endpoint`.
#[derive(Debug)]
pub struct Stub;

pub static STUB: Stub = Stub;

impl IdentityExchange for Stub {
    fn tokens_call(&self) -> Option<IdentityCall> {
        Some(IdentityCall { operation: "stub.tokens", method: Method::PUT, path: "/login/tokens", format: Format::Json })
    }

    fn tokens_request(&self, username: &str, credential: &Credential) -> Result<Vec<u8>, AuthError> {
        let body = match credential {
            Credential::Password(p) => json!({"who": username, "password": p.expose()}),
            Credential::ApiKey(k) => json!({"who": username, "key": k.expose()}),
        };
        Ok(body.to_string().into_bytes())
    }

    fn tokens_response(&self, body: &[u8]) -> Result<Session, AuthError> {
        let v: Value = serde_json::from_slice(body).map_err(|e| AuthError::BadResponse(e.to_string()))?;
        let token = v["ticket"]["value"].as_str().ok_or_else(|| AuthError::BadResponse("no ticket".into()))?;
        let catalog = v["where"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| CatalogEndpoint {
                service: e["svc"].as_str().unwrap_or_default().into(),
                url: e["href"].as_str().unwrap_or_default().into(),
                region: e["zone"].as_str().map(str::to_string),
                tenant_id: e["account"].as_str().map(str::to_string),
            })
            .collect();
        Ok(Session {
            token: Some(Secret::new(token)),
            expires: v["ticket"]["until"].as_str().and_then(|t| t.parse().ok()),
            tenant_id: None,
            catalog,
            endpoint: None,
        })
    }

    fn v1_0_call(&self) -> Option<V1_0Call> {
        Some(V1_0Call {
            call: IdentityCall { operation: "stub.login", method: Method::GET, path: "/login", format: Format::Json },
            user_header: "X-Stub-User",
            key_header: "X-Stub-Key",
            token_header: "X-Stub-Ticket",
            endpoint_header: "X-Stub-Endpoint",
        })
    }

    fn faults(&self) -> &'static FaultParts {
        &PARTS
    }
}

/// The stub API, listed in the catalog as `compute`.
pub static API: ApiFacts = ApiFacts { api: "stub", catalog_service: Some("compute"), faults: &PARTS, identity: Some(&STUB) };

/// A stub API the catalog does not list.
pub static UNLISTED: ApiFacts = ApiFacts { api: "unlisted", catalog_service: None, faults: &PARTS, identity: Some(&STUB) };

/// A token response with `token` valid until `until`, listing `compute` in DFW and ORD
/// and `other` at `uri`.
pub fn ticket(uri: &str, token: &str, until: &str) -> Value {
    json!({
        "ticket": {"value": token, "until": until},
        "where": [
            {"svc": "other", "href": format!("{uri}/other")},
            {"svc": "compute", "href": format!("{uri}/dfw/v9"), "zone": "DFW"},
            {"svc": "compute", "href": format!("{uri}/ord/v9"), "zone": "ORD"},
        ]
    })
}
