//! The generic transport against a local stub server (wiremock on 127.0.0.1), with a stub
//! identity exchange and API (`stub/mod.rs`) whose names are unlike the documents': the
//! transport runs the exchange it is given, picks the catalog endpoint of the API it
//! serves, sends the token in the request's token header, renews the token before it
//! expires and once on 401, retries 413/503 within bounds, negotiates formats, times out,
//! and keeps secrets out of `Debug`.

mod stub;

use cloudservers_runtime::client::{
    AuthError, Base, ClientError, Format, FormatStyle, IdentityV2, Method, Request, RetryPolicy, Transport, TransportError, V1_0,
};
use serde_json::json;
use std::time::Duration;
use stub::{ticket, API, STUB, TOKEN_HEADER, UNLISTED};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request as Seen, ResponseTemplate};

const FAR: &str = "2999-01-01T00:00:00Z";

fn get(segments: &[&str]) -> Request {
    Request::new("test.get", Method::GET, Base::Endpoint, segments.iter().map(|s| s.to_string()).collect())
        .accept(Format::Json)
        .token_header(TOKEN_HEADER)
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Seen> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == p).collect()
}

/// A time `secs` from now, as ISO 8601.
fn in_secs(secs: i64) -> String {
    let t = cloudservers_runtime::jiff::Timestamp::now().checked_add(cloudservers_runtime::jiff::SignedDuration::from_secs(secs)).unwrap();
    cloudservers_runtime::client::time::format_datetime(t)
}

fn password(server: &MockServer, region: &str) -> Transport {
    Transport::builder().auth(IdentityV2::password(server.uri(), "me", "pw").region(region)).build().unwrap().for_api(&API)
}

#[tokio::test]
async fn the_exchange_it_is_given_runs_and_the_apis_catalog_endpoint_is_chosen() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/login/tokens"))
        .and(header("Content-Type", "application/json"))
        .and(body_json(json!({"who": "me", "password": "pw"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t-1", FAR)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ord/v9/servers"))
        .and(header(TOKEN_HEADER, "t-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .expect(2)
        .mount(&server)
        .await;
    let t = password(&server, "ord");
    for _ in 0..2 {
        assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
    }
    assert_eq!(t.endpoint().await.unwrap().path(), "/ord/v9");
    let s = t.session().await.unwrap();
    assert_eq!(s.catalog.len(), 3);
    assert_eq!(s.expires, Some(FAR.parse().unwrap()));
    let seen = requests_to(&server, "/ord/v9/servers").await;
    assert!(seen.iter().all(|r| !r.headers.contains_key("x-auth-token")), "no header name of the runtime's own");
}

#[tokio::test]
async fn clones_for_two_apis_share_one_session() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .and(body_json(json!({"who": "me", "key": "k-1"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t-1", FAR)))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder().auth(IdentityV2::api_key(server.uri(), "me", "k-1").region("DFW")).build().unwrap();
    assert_eq!(t.for_api(&API).endpoint().await.unwrap().path(), "/dfw/v9");
    // The same login, another API: not in the catalog, so no endpoint without a base URL.
    match t.for_api(&UNLISTED).endpoint().await {
        Err(TransportError::Auth(AuthError::NoService)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(t.for_api(&API).api().map(|a| a.api), Some("stub"));
}

#[tokio::test]
async fn refusals_are_read_with_the_exchanges_fault_parts_and_a_missing_region_lists_the_catalog() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .and(body_json(json!({"who": "me", "password": "wrong"})))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"denied": {"status": 401, "reason": "bad password"}})))
        .mount(&server)
        .await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t-1", FAR)))
        .mount(&server)
        .await;
    let refused = Transport::builder().auth(IdentityV2::password(server.uri(), "me", "wrong")).build().unwrap().for_api(&API);
    match refused.send(&get(&["servers"])).await {
        Err(TransportError::Auth(AuthError::Rejected { status: 401, message })) => assert_eq!(message, "bad password"),
        other => panic!("{other:?}"),
    }
    let nowhere = password(&server, "LON");
    let e: ClientError<String> = nowhere.send(&get(&["servers"])).await.unwrap_err().into();
    let text = e.to_string();
    assert!(text.contains("LON") && text.contains("compute/ORD") && text.contains("`compute`"), "{text}");
}

#[tokio::test]
async fn without_an_exchange_identity_cannot_run() {
    let t = Transport::builder().auth(IdentityV2::password("http://127.0.0.1:9", "me", "pw")).build().unwrap();
    assert!(matches!(t.send(&get(&["servers"])).await, Err(TransportError::Auth(AuthError::NoExchange))));
    // Given to the builder, the exchange serves a transport bound to no API.
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t-1", FAR)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/base/servers")).and(header(TOKEN_HEADER, "t-1")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    let t = Transport::builder()
        .base_url(format!("{}/base", server.uri()))
        .identity(&STUB)
        .auth(IdentityV2::password(server.uri(), "me", "pw"))
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
}

#[tokio::test]
async fn the_header_exchange_uses_the_header_names_it_is_given() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/login"))
        .and(header("X-Stub-User", "jdoe"))
        .and(header("X-Stub-Key", "k-2"))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Stub-Endpoint", format!("{}/v9/35428", server.uri()).as_str())
                .insert_header("X-Stub-Ticket", "t-2"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v9/35428/images/detail"))
        .and(header(TOKEN_HEADER, "t-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": []})))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder().auth(V1_0::new(server.uri(), "jdoe", "k-2")).build().unwrap().for_api(&API);
    assert_eq!(t.send(&get(&["images", "detail"])).await.unwrap().status, 200);
    let shown = format!("{t:?}");
    assert!(!shown.contains("t-2") && !shown.contains("k-2"), "{shown}");
}

#[tokio::test]
async fn a_token_that_expires_within_the_margin_is_renewed_before_the_next_request() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "soon", &in_secs(30))))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "fresh", &in_secs(3600))))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = password(&server, "DFW");
    // The first request takes the token it just got, however soon it expires.
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
    // 30 s is within the default margin of 60 s: renewed before the second, with no 401.
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
    let tokens: Vec<String> = requests_to(&server, "/dfw/v9/servers")
        .await
        .iter()
        .map(|r| r.headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string())
        .collect();
    assert_eq!(tokens, ["soon", "fresh", "fresh"]);
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 2, "an hour left: not renewed again");
}

#[tokio::test]
async fn the_expiry_is_read_on_the_identity_services_clock() {
    let server = MockServer::start().await;
    // The identity service's clock is an hour behind: its token, valid for 30 more minutes
    // by that clock, looks 30 minutes expired by this one.
    let behind = cloudservers_runtime::jiff::Timestamp::now().checked_sub(cloudservers_runtime::jiff::SignedDuration::from_hours(1)).unwrap();
    let until = cloudservers_runtime::client::time::format_datetime(behind.checked_add(cloudservers_runtime::jiff::SignedDuration::from_mins(30)).unwrap());
    Mock::given(path("/login/tokens"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Date", cloudservers_runtime::client::time::format_http_date(behind).as_str())
                .set_body_json(ticket(&server.uri(), "t", &until)),
        )
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = password(&server, "DFW");
    for _ in 0..3 {
        t.send(&get(&["servers"])).await.unwrap();
    }
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 1, "not renewed on every request");
    let expires = t.session().await.and_then(|s| s.expires).unwrap();
    let left = expires.duration_since(cloudservers_runtime::jiff::Timestamp::now());
    assert!(left > cloudservers_runtime::jiff::SignedDuration::from_mins(29), "{left:?} left");
}

#[tokio::test]
async fn the_margin_is_configurable() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t", &in_secs(600))))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let short = password(&server, "DFW");
    assert_eq!(short.renew_before(), cloudservers_runtime::client::DEFAULT_RENEW_BEFORE);
    let long = Transport::builder()
        .auth(IdentityV2::password(server.uri(), "me", "pw").region("DFW"))
        .renew_before(Duration::from_secs(900))
        .build()
        .unwrap()
        .for_api(&API);
    for t in [&short, &long] {
        for _ in 0..2 {
            t.send(&get(&["servers"])).await.unwrap();
        }
    }
    // Ten minutes left: within 15 minutes (renewed for the second request), not within 60 s.
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 3);
}

#[tokio::test]
async fn a_failed_early_renewal_keeps_the_token_until_it_expires() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "soon", &in_secs(30))))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/login/tokens")).respond_with(ResponseTemplate::new(503)).with_priority(2).mount(&server).await;
    Mock::given(path("/dfw/v9/servers")).and(header(TOKEN_HEADER, "soon")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = password(&server, "DFW");
    for _ in 0..2 {
        assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
    }
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 2, "the renewal was tried");
}

#[tokio::test]
async fn an_expired_token_that_cannot_be_renewed_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "old", &in_secs(-5))))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"broken": {"status": 500, "reason": "down"}})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = password(&server, "DFW");
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 204);
    match t.send(&get(&["servers"])).await {
        Err(TransportError::Auth(AuthError::Rejected { status: 500, message })) => assert_eq!(message, "down"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "old-token", FAR)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "new-token", FAR)))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers"))
        .and(header(TOKEN_HEADER, "old-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"unauthorized": {"code": 401, "message": "expired"}})))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers"))
        .and(header(TOKEN_HEADER, "new-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .mount(&server)
        .await;
    let t = password(&server, "DFW");
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 2);
    assert_eq!(requests_to(&server, "/dfw/v9/servers").await.len(), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_not_renewed_again() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t", FAR)))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"unauthorized": {"code": 401, "message": "no"}})))
        .mount(&server)
        .await;
    let t = password(&server, "DFW");
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 401);
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 2, "one renewal");
    assert_eq!(requests_to(&server, "/dfw/v9/servers").await.len(), 2, "one retry");
}

#[tokio::test]
async fn a_request_without_a_token_header_is_sent_without_the_token_and_not_renewed() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "t", FAR)))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/versions")).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let t = password(&server, "DFW");
    let bare = Request::new("test.versions", Method::GET, Base::Endpoint, vec!["versions".into()]);
    assert_eq!(t.send(&bare).await.unwrap().status, 401);
    let seen = requests_to(&server, "/dfw/v9/versions").await;
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].headers.contains_key(TOKEN_HEADER));
    assert_eq!(requests_to(&server, "/login/tokens").await.len(), 1);
}

#[tokio::test]
async fn a_given_token_is_never_renewed() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/servers"))
        .and(header(TOKEN_HEADER, "given"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/1", server.uri()))
        .auth(cloudservers_runtime::client::Auth::token("given"))
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 401);
}

#[tokio::test]
async fn a_413_is_retried_at_the_time_its_body_names_by_the_apis_fault_parts() {
    let server = MockServer::start().await;
    let body = json!({"slowDown": {"status": 413, "reason": "later", "notBefore": in_secs(-1)}});
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(413).set_body_json(body))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/servers")).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;
    let base = format!("{}/v2/1", server.uri());
    // Bound to no API, the transport cannot read the body's retry time: no retry.
    let unbound = Transport::builder().base_url(&base).build().unwrap();
    assert_eq!(unbound.send(&get(&["servers"])).await.unwrap().status, 413);
    server.reset().await;
    let body = json!({"slowDown": {"status": 413, "reason": "later", "notBefore": in_secs(-1)}});
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(413).set_body_json(body))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/servers")).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;
    let bound = unbound.for_api(&API);
    assert_eq!(bound.send(&get(&["servers"])).await.unwrap().status, 200);
    assert_eq!(requests_to(&server, "/v2/1/servers").await.len(), 2);
}

#[tokio::test]
async fn secrets_stay_out_of_debug_after_authenticating() {
    let server = MockServer::start().await;
    Mock::given(path("/login/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(ticket(&server.uri(), "tok-abcdef-123", FAR)))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v9/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = Transport::builder()
        .auth(IdentityV2::api_key(server.uri(), "me", "key-0123456789").region("DFW"))
        .build()
        .unwrap()
        .for_api(&API);
    let r = t.send(&get(&["servers"])).await.unwrap();
    let session = t.session().await;
    let all = format!("{t:?} {t:#?} {session:?} {r:?} {:?}", t.auth());
    for s in ["tok-abcdef-123", "key-0123456789"] {
        assert!(!all.contains(s), "{s} in {all}");
    }
    assert_eq!(session.and_then(|s| s.token).map(|t| t.expose().to_string()).as_deref(), Some("tok-abcdef-123"));
}

fn over_limit() -> serde_json::Value {
    json!({"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details...", "retryAt": "2010-08-01T00:00:00Z"}})
}

#[tokio::test]
async fn a_413_is_retried_after_the_apis_retry_header() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(413).insert_header("X-Stub-Retry", "1").set_body_json(over_limit()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .with_priority(2)
        .mount(&server)
        .await;
    let t = Transport::builder().base_url(format!("{}/v2/1", server.uri())).build().unwrap().for_api(&API);
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
    assert_eq!(requests_to(&server, "/v2/1/servers").await.len(), 2);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_bound_and_never_wait_past_max_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/a"))
        .respond_with(ResponseTemplate::new(413).insert_header("X-Stub-Retry", "0").set_body_json(over_limit()))
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/b"))
        .respond_with(ResponseTemplate::new(413).insert_header("X-Stub-Retry", "3600").set_body_json(over_limit()))
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/c"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/1", server.uri()))
        .retry(RetryPolicy { max_attempts: 4, max_wait: Duration::from_secs(5) })
        .build()
        .unwrap()
        .for_api(&API);
    let a = t.send(&get(&["a"])).await.unwrap();
    assert_eq!(a.status, 413);
    assert_eq!(requests_to(&server, "/v2/1/a").await.len(), 4, "max_attempts sends");
    // An hour is past the 5 s bound: the fault comes back at once, unretried.
    assert_eq!(t.send(&get(&["b"])).await.unwrap().status, 413);
    assert_eq!(requests_to(&server, "/v2/1/b").await.len(), 1);
    // A 503 without the retry header is not retried.
    assert_eq!(t.send(&get(&["c"])).await.unwrap().status, 503);
    assert_eq!(requests_to(&server, "/v2/1/c").await.len(), 1);
}

#[tokio::test]
async fn formats_by_header_or_extension() {
    let server = MockServer::start().await;
    Mock::given(path("/v1.0/1/flavors/1.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<flavor/>"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/1/flavors/1"))
        .and(header("Accept", "application/xml"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<flavor/>"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/1/servers.json"))
        .and(method("POST"))
        .and(header("Content-Type", "application/json"))
        .and(query_param("x", "1"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    let base = format!("{}/v1.0/1", server.uri());
    let by_ext = Transport::builder().base_url(&base).format(Format::Xml).style(FormatStyle::Extension).build().unwrap();
    let by_header = Transport::builder().base_url(&base).format(Format::Xml).build().unwrap();
    let flavor = Request::new("f", Method::GET, Base::Endpoint, vec!["flavors".into(), "1".into()]).accept(Format::Xml);
    assert_eq!(by_ext.send(&flavor).await.unwrap().status, 200);
    assert_eq!(by_header.send(&flavor).await.unwrap().status, 200);
    let seen = requests_to(&server, "/v1.0/1/flavors/1.xml").await;
    let accept = seen[0].headers.get("accept").and_then(|v| v.to_str().ok());
    assert!(matches!(accept, None | Some("*/*")), "the extension replaces Accept: {accept:?}");
    let post = Request::new("s", Method::POST, Base::Endpoint, vec!["servers".into()])
        .query(vec![("x".into(), "1".into())])
        .accept(Format::Json)
        .body(Format::Json, b"{}".to_vec());
    assert_eq!(by_ext.send(&post).await.unwrap().status, 202);
}

#[tokio::test]
async fn every_request_has_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let t = Transport::builder().base_url(server.uri()).timeout(Duration::from_millis(200)).build().unwrap();
    match t.send(&get(&["slow"])).await {
        Err(TransportError::Timeout { what, after }) => {
            assert_eq!(what, "test.get");
            assert_eq!(after, Duration::from_millis(200));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn no_endpoint_is_a_configuration_error() {
    let t = Transport::builder().build().unwrap();
    assert!(matches!(t.send(&get(&["servers"])).await, Err(TransportError::Config(_))));
}
