//! The suite against targets that are not the clean reference provider: one that answers
//! garbage, HTML, wrong codes or nothing at all, and the provider with XML switched off.
//! Each run must finish, with reasons, and never crash or stall.

use conformance::checks::{self, Kind, Selection};
use conformance::config::{Config, Timeouts};
use conformance::outcome::Outcome;
use conformance::report::Report;
use conformance::run::{Options, TargetSpec};
use conformance::target::Credentials;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

fn schema() -> schema::Schema {
    schema::Schema::load_default().expect("the shipped schema loads")
}

/// A server on an ephemeral port answering every request with `answer(its address, path)`.
async fn serve(answer: fn(SocketAddr, &str) -> axum::response::Response) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| async move { answer(addr, uri.path()) });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn short_timeouts() -> Config {
    Config { timeouts: Timeouts { request_s: 1.0, wait_s: 2.0, poll_s: 0.1, scale: 1.0 }, ..Config::default() }
}

fn remote(identity: String) -> Options {
    let credentials = Credentials { username: "someone".into(), secret: runtime::client::Credential::Password(runtime::Secret::new("a-secret-password")) };
    Options { target: TargetSpec::Remote { identity, credentials, region: None }, config: short_timeouts(), jobs: 8, ..Options::default() }
}

/// Runs a few checks of every kind against `opts`, within a bound.
async fn run_some(opts: &Options) -> Result<Report, conformance::run::RunError> {
    let schema = schema();
    let selection = Selection::new(&["v2.servers.*".into(), "v2.flavors.*".into(), "identity.*".into(), "rackconnect.*".into()], &[], Vec::new()).expect("globs");
    let chosen: Vec<_> = checks::all(&schema).into_iter().filter(|c| selection.takes(c)).collect();
    tokio::time::timeout(Duration::from_secs(120), conformance::run::run(&schema, chosen, opts)).await.expect("the run ends")
}

/// An identity service that answers HTML: the run stops with a target error that says so.
#[tokio::test]
async fn an_html_identity_service_is_a_target_error() {
    let addr = serve(|_, _| axum::response::Html("<html><body>Welcome</body></html>").into_response()).await;
    let err = run_some(&remote(format!("http://{addr}"))).await.expect_err("a target error");
    let text = format!("{err}: {:?}", std::error::Error::source(&err));
    assert!(text.contains("authentication"), "{text}");
    assert!(!text.contains("a-secret-password"), "no secret in the error: {text}");
}

/// A port that accepts connections and never answers: a target error within the timeout.
#[tokio::test]
async fn a_silent_port_ends_in_time() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let started = Instant::now();
    assert!(run_some(&remote(format!("http://{addr}"))).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}

use axum::response::IntoResponse;

/// A service whose identity works but whose API answers garbage, HTML, wrong codes or
/// nothing: the checks fail with reasons and the run finishes.
#[tokio::test]
async fn a_hostile_api_fails_checks_with_reasons() {
    fn answer(addr: SocketAddr, path: &str) -> axum::response::Response {
        use axum::http::{header, StatusCode};
        let addr = format!("http://{addr}");
        if path.ends_with("/tokens") {
            let body = serde_json::json!({"access": {
                "token": {"id": "tok-123456789", "expires": "2099-01-01T00:00:00Z", "tenant": {"id": "1", "name": "1"}},
                "user": {"id": "1", "name": "someone", "roles": []},
                "serviceCatalog": [{"name": cloudservers::v2::client::API.catalog_service, "type": "compute",
                    "endpoints": [{"publicURL": format!("{addr}/v2/1"), "tenantId": "1"}]}]}});
            return (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
        }
        match path.len() % 4 {
            0 => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], "{\"server\": [1, 2, ").into_response(),
            1 => (StatusCode::INTERNAL_SERVER_ERROR, axum::response::Html("<h1>oops</h1>")).into_response(),
            2 => (StatusCode::IM_A_TEAPOT, "teapot").into_response(),
            _ => (StatusCode::OK, [(header::CONTENT_TYPE, "application/xml")], "not xml at all").into_response(),
        }
    }
    let addr = serve(answer).await;
    let report = run_some(&remote(format!("http://{addr}"))).await.expect("the run finishes");
    assert!(report.failed(), "{}", report.summary());
    for r in report.results.iter().filter(|r| r.outcome == Outcome::Failed) {
        assert!(!r.message.is_empty(), "{} failed without a reason", r.id);
        assert!(!r.message.contains("tok-123456789"), "{}: the token shows: {}", r.id, r.message);
    }
    assert!(report.results.iter().any(|r| r.kind == Kind::Response && r.outcome == Outcome::Failed), "{}", report.summary());
    let json = report.to_json().expect("a JSON report");
    let junit = report.to_junit().expect("a JUnit report");
    assert!(!json.contains("tok-123456789") && !junit.contains("tok-123456789"));
    assert!(!report.summary().contains("tok-123456789"));
}

/// The reference provider with XML switched off: the XML checks are skipped with the
/// reason, not failed, and the JSON ones still run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_only_target_skips_the_xml_checks() {
    let opts = Options { provider: provider::Config::default().deviation(provider::Deviation::JsonOnly), ..Options::default() };
    let report = run_some(&opts).await.expect("the run finishes");
    let xml: Vec<_> = report.results.iter().filter(|r| r.id.ends_with("/xml")).collect();
    assert!(!xml.is_empty());
    for r in &xml {
        assert_eq!(r.outcome, Outcome::Skipped, "{}: {}", r.id, r.message);
        assert!(r.message.contains("XML"), "{}: {}", r.id, r.message);
    }
    assert!(report.results.iter().any(|r| r.id.ends_with("/json") && r.outcome == Outcome::Passed));
}
