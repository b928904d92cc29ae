//! Shared helpers of the client tests: documented examples from the schema, and a stub
//! server (wiremock, on 127.0.0.1) standing in for the services.
#![allow(dead_code)]

use runtime::client::{Auth, Format, FormatStyle, Transport};
use schema::{Example, Schema};
use std::sync::OnceLock;
use wiremock::{MockServer, Request};

/// The schema that ships with the repository.
pub fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::load_default().expect("the shipped schema loads"))
}

/// The documented example with this id.
pub fn example(id: &str) -> &'static Example {
    schema().examples.iter().find(|e| e.id == id).unwrap_or_else(|| panic!("no example {id}"))
}

/// The JSON body of a documented example.
pub fn json(id: &str) -> serde_json::Value {
    example(id).body.clone().unwrap_or_else(|| panic!("example {id} has no body"))
}

/// The text body (XML or plain text) of a documented example.
pub fn text(id: &str) -> String {
    example(id).body_text().unwrap_or_else(|| panic!("example {id} has no text body")).to_string()
}

/// The JSON a documented `curl ... -d '<json>'` command sends.
pub fn shell_json(id: &str) -> serde_json::Value {
    let t = text(id);
    let start = t.find("-d '").unwrap_or_else(|| panic!("example {id} sends no -d body")) + 4;
    let end = t[start..].find('\'').map(|e| start + e).expect("closing quote");
    serde_json::from_str(&t[start..end]).expect("the documented body is JSON")
}

/// A header the documented exchange shows.
pub fn shown_header(id: &str, name: &str) -> String {
    let h = &example(id).http.as_ref().expect("the example shows HTTP").headers;
    h.get(name).and_then(|v| v.as_str()).unwrap_or_else(|| panic!("example {id} shows no {name}")).to_string()
}

/// Example 1.5 (the identity v2.0 token response), with the compute endpoints moved to
/// the stub: DFW under `/dfw`, ORD under `/ord`, the region-less v1.0 one under `/global`;
/// and issued now: its token expires in 24 hours (the documented lifetime), not in 2012.
pub fn catalog(server: &MockServer) -> serde_json::Value {
    let body = json("v2.example.1.5").to_string();
    let uri = server.uri();
    let body = body
        .replace("https://dfw.servers.api.rackspacecloud.com", &format!("{uri}/dfw"))
        .replace("https://ord.servers.api.rackspacecloud.com", &format!("{uri}/ord"))
        .replace("https://servers.api.rackspacecloud.com", &format!("{uri}/global"));
    let mut doc: serde_json::Value = serde_json::from_str(&body).expect("still JSON");
    let tomorrow = runtime::jiff::Timestamp::now().checked_add(runtime::jiff::SignedDuration::from_hours(24)).expect("a time");
    doc["access"]["token"]["expires"] = tomorrow.to_string().into();
    doc
}

/// The token Example 1.5 issues.
pub fn catalog_token() -> String {
    json("v2.example.1.5")["access"]["token"]["id"].as_str().expect("token id").to_string()
}

/// A transport to `<stub>/v2/010101` with a fixed token.
pub fn transport(server: &MockServer, format: Format, style: FormatStyle) -> Transport {
    Transport::builder()
        .base_url(format!("{}/v2/010101", server.uri()))
        .auth(Auth::token("test-token"))
        .format(format)
        .style(style)
        .build()
        .expect("transport")
}

/// The requests the stub received for this path.
pub async fn requests_to(server: &MockServer, path: &str) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == path).collect()
}
