//! The generic transport against a local stub server (wiremock on 127.0.0.1): identity
//! v2.0 and v1.0 authentication, token renewal on 401, bounded retry on 413/503, format
//! negotiation, timeouts, and secrets kept out of `Debug`.

use cloudservers_runtime::client::{
    Auth, Base, ClientError, Credential, Format, FormatStyle, Method, Request, RetryPolicy, Transport, TransportError,
};
use cloudservers_runtime::Secret;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request as Seen, ResponseTemplate};

const TOKEN: &str = "858fb4c2-bf15-4dac-917d-8ec750ae9baa";

fn access(server: &MockServer, token: &str) -> serde_json::Value {
    let uri = server.uri();
    json!({"access": {
        "token": {"id": token, "expires": "2012-09-14T15:11:57.585-05:00", "tenant": {"id": "010101", "name": "010101"}},
        "serviceCatalog": [
            {"name": "cloudServers", "type": "compute", "endpoints": [{"publicURL": format!("{uri}/global/v1.0/010101"), "tenantId": "010101"}]},
            {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [
                {"publicURL": format!("{uri}/dfw/v2/010101"), "region": "DFW", "tenantId": "010101"},
                {"publicURL": format!("{uri}/ord/v2/010101"), "region": "ORD", "tenantId": "010101"}]}]}})
}

fn get(segments: &[&str]) -> Request {
    Request::new("test.get", Method::GET, Base::Endpoint, segments.iter().map(|s| s.to_string()).collect())
        .accept(Format::Json)
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Seen> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == p).collect()
}

#[tokio::test]
async fn identity_v2_password_picks_the_region_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2.0/tokens"))
        .and(body_json(json!({"auth": {"passwordCredentials": {"username": "MyRackspaceAcct", "password": "MyRackspacePwd"}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, TOKEN)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/ord/v2/010101/flavors"))
        .and(header("X-Auth-Token", TOKEN))
        .and(header("Accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"flavors": []})))
        .expect(2)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .auth(Auth::password(server.uri(), "MyRackspaceAcct", "MyRackspacePwd", "cloudServersOpenStack", Some("ORD")))
        .build()
        .unwrap();
    for _ in 0..2 {
        let r = t.send(&get(&["flavors"])).await.unwrap();
        assert_eq!(r.status, 200);
    }
    let s = t.session().await.unwrap();
    assert_eq!(s.endpoint.unwrap().path(), "/ord/v2/010101");
    assert_eq!(s.tenant_id.as_deref(), Some("010101"));
}

#[tokio::test]
async fn identity_v2_api_key_and_the_global_v1_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2.0/tokens"))
        .and(body_json(json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": "MyRackspaceAcct", "apiKey": "00000000000000000000"}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, TOKEN)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/global/v1.0/010101/servers"))
        .and(header("X-Auth-Token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .auth(Auth::IdentityV2 {
            identity_url: format!("{}/v2.0/", server.uri()),
            username: "MyRackspaceAcct".into(),
            credential: Credential::ApiKey(Secret::new("00000000000000000000")),
            tenant: Some("010101".into()),
            service_name: "cloudServers".into(),
            region: Some("DFW".into()),
        })
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
}

#[tokio::test]
async fn identity_refusal_and_missing_service_are_auth_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/v2.0/tokens"))
        .and(body_json(json!({"auth": {"passwordCredentials": {"username": "u", "password": "wrong"}}})))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"unauthorized": {"code": 401, "message": "Username or password is invalid"}})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, TOKEN)))
        .mount(&server)
        .await;
    let refused = Transport::builder()
        .auth(Auth::password(server.uri(), "u", "wrong", "cloudServersOpenStack", Some("DFW")))
        .build()
        .unwrap();
    match refused.send(&get(&["servers"])).await {
        Err(TransportError::Auth(cloudservers_runtime::client::AuthError::Rejected { status: 401, message })) => {
            assert_eq!(message, "Username or password is invalid")
        }
        other => panic!("{other:?}"),
    }
    let nowhere = Transport::builder()
        .auth(Auth::password(server.uri(), "u", "right", "cloudServersOpenStack", Some("LON")))
        .build()
        .unwrap();
    let e: ClientError<String> = nowhere.send(&get(&["servers"])).await.unwrap_err().into();
    let text = e.to_string();
    assert!(text.contains("LON") && text.contains("cloudServersOpenStack/ORD"), "{text}");
}

#[tokio::test]
async fn v1_0_header_auth_gives_token_and_management_url() {
    let server = MockServer::start().await;
    let token = "eaaafd18-0fed-4b3a-81b4-663c99ec1cbb";
    Mock::given(method("GET"))
        .and(path("/v1.0"))
        .and(header("X-Auth-User", "jdoe"))
        .and(header("X-Auth-Key", "a86850deb2742ec3cb41518e26aa2d89"))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Server-Management-Url", format!("{}/v1.0/35428", server.uri()).as_str())
                .insert_header("X-Auth-Token", token),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/35428/images/detail"))
        .and(header("X-Auth-Token", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"images": []})))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .auth(Auth::V1_0 { auth_url: server.uri(), user: "jdoe".into(), key: Secret::new("a86850deb2742ec3cb41518e26aa2d89") })
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["images", "detail"])).await.unwrap().status, 200);
    let shown = format!("{t:?}");
    assert!(!shown.contains(token) && !shown.contains("a86850deb2742ec3cb41518e26aa2d89"), "{shown}");
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let server = MockServer::start().await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, "old-token")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, "new-token")))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/servers"))
        .and(header("X-Auth-Token", "old-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"unauthorized": {"code": 401, "message": "expired"}})))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/servers"))
        .and(header("X-Auth-Token", "new-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .mount(&server)
        .await;
    let t = Transport::builder()
        .auth(Auth::password(server.uri(), "u", "p", "cloudServersOpenStack", Some("DFW")))
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
    assert_eq!(requests_to(&server, "/v2.0/tokens").await.len(), 2);
    assert_eq!(requests_to(&server, "/dfw/v2/010101/servers").await.len(), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_not_renewed_again() {
    let server = MockServer::start().await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, TOKEN)))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"unauthorized": {"code": 401, "message": "no"}})))
        .mount(&server)
        .await;
    let t = Transport::builder()
        .auth(Auth::password(server.uri(), "u", "p", "cloudServersOpenStack", Some("DFW")))
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 401);
    assert_eq!(requests_to(&server, "/v2.0/tokens").await.len(), 2, "one renewal");
    assert_eq!(requests_to(&server, "/dfw/v2/010101/servers").await.len(), 2, "one retry");
}

#[tokio::test]
async fn a_given_token_is_never_renewed() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/servers"))
        .and(header("X-Auth-Token", "given"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/1", server.uri()))
        .auth(Auth::Token(Secret::new("given")))
        .build()
        .unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 401);
}

fn over_limit() -> serde_json::Value {
    json!({"overLimit": {"code": 413, "message": "OverLimit Retry...", "details": "Error Details...", "retryAt": "2010-08-01T00:00:00Z"}})
}

#[tokio::test]
async fn a_413_is_retried_after_retry_after() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(413).insert_header("Retry-After", "1").set_body_json(over_limit()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"servers": []})))
        .with_priority(2)
        .mount(&server)
        .await;
    let t = Transport::builder().base_url(format!("{}/v2/1", server.uri())).build().unwrap();
    assert_eq!(t.send(&get(&["servers"])).await.unwrap().status, 200);
    assert_eq!(requests_to(&server, "/v2/1/servers").await.len(), 2);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_bound_and_never_wait_past_max_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/1/a"))
        .respond_with(ResponseTemplate::new(413).insert_header("Retry-After", "0").set_body_json(over_limit()))
        .mount(&server)
        .await;
    Mock::given(path("/v2/1/b"))
        .respond_with(ResponseTemplate::new(413).insert_header("Retry-After", "3600").set_body_json(over_limit()))
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
        .unwrap();
    let a = t.send(&get(&["a"])).await.unwrap();
    assert_eq!(a.status, 413);
    assert_eq!(requests_to(&server, "/v2/1/a").await.len(), 4, "max_attempts sends");
    // An hour is past the 5 s bound: the fault comes back at once, unretried.
    assert_eq!(t.send(&get(&["b"])).await.unwrap().status, 413);
    assert_eq!(requests_to(&server, "/v2/1/b").await.len(), 1);
    // A 503 without Retry-After is not retried.
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

#[tokio::test]
async fn secrets_stay_out_of_debug_after_authenticating() {
    let server = MockServer::start().await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(access(&server, "tok-abcdef-123")))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/servers")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let t = Transport::builder()
        .auth(Auth::api_key(server.uri(), "me", "key-0123456789", "cloudServersOpenStack", Some("DFW")))
        .build()
        .unwrap();
    let r = t.send(&get(&["servers"])).await.unwrap();
    let session = t.session().await;
    let all = format!("{t:?} {t:#?} {session:?} {r:?} {:?}", t.auth());
    for s in ["tok-abcdef-123", "key-0123456789"] {
        assert!(!all.contains(s), "{s} in {all}");
    }
    assert_eq!(session.and_then(|s| s.token).map(|t| t.expose().to_string()).as_deref(), Some("tok-abcdef-123"));
}
