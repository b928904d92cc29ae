//! Generated clients authenticating against a stub (wiremock on 127.0.0.1), with the
//! documented identity exchanges, run by the generated identity exchange
//! (`identity::auth::EXCHANGE`, built from the schema's identity operations and models):
//! v2.0 by password (Example 1.2) and API key (Example 1.3) with the endpoint chosen from
//! the catalog of Example 1.5 by the client API's catalog name and the region; v1.0 header
//! auth (Authentication / Sample Request and Response); renewal before expiry and on 401;
//! bounded identity responses; and no secret in `Debug`.

// Needs the v2, v1_0, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "identity"))]

mod client_support;

use client_support::*;
use cloudservers::{identity, v1_0, v2};
use runtime::client::{Auth, AuthError, Credential, IdentityExchange, IdentityV2, Transport, TransportError, V1_0};
use runtime::Secret;
use schema::operations::HeaderRole;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn the_exchange_is_the_schemas() {
    let s = schema();
    let x = &identity::auth::EXCHANGE;
    let tokens = s.operation("identity.v2.tokens.create").expect("the token operation");
    let call = x.tokens_call().expect("a token call");
    assert_eq!((call.operation, call.method.as_str(), call.path), (tokens.id.as_str(), tokens.method.as_str(), tokens.path.as_str()));
    let auth = s.operation("identity.v1.0.auth").expect("the v1.0 operation");
    let v = x.v1_0_call().expect("a v1.0 call");
    assert_eq!((v.call.operation, v.call.path), (auth.id.as_str(), auth.path.as_str()));
    let named = |role| auth.request_header_with_role(role).map(|h| h.name.as_str());
    assert_eq!((Some(v.user_header), Some(v.key_header)), (named(HeaderRole::AuthUser), named(HeaderRole::AuthKey)));
    let answered = |role| auth.response_header_with_role(role).map(|h| h.name.as_str());
    assert_eq!((Some(v.token_header), Some(v.endpoint_header)), (answered(HeaderRole::AuthToken), answered(HeaderRole::Endpoint)));
    assert_eq!(x.faults(), &identity::faults::FAULT_PARTS);
}

#[test]
fn each_client_knows_its_catalog_name_from_the_schema() {
    let s = schema();
    let named = |key| s.api(schema::Api::new(key)).and_then(|a| a.catalog.as_ref()).map(|c| c.name.as_str());
    assert_eq!(v2::client::API.catalog_service, named("v2"));
    assert_eq!(v1_0::client::API.catalog_service, named("v1.0"));
    assert_eq!(v2::client::API.catalog_service, Some("cloudServersOpenStack"));
    assert_eq!(v1_0::client::API.catalog_service, Some("cloudServers"));
    assert_eq!(cloudservers::rackconnect::client::API.catalog_service, None);
    assert!(v2::client::API.identity.is_some());
}

#[test]
fn the_documented_token_exchange_is_written_and_read_with_the_generated_models() {
    let x = &identity::auth::EXCHANGE;
    let (user, password) = documented_password();
    let sent: serde_json::Value = serde_json::from_slice(&x.tokens_request(&user, &Credential::Password(Secret::new(password))).unwrap()).unwrap();
    assert_eq!(sent, shell_json("v2.example.1.2"));
    let key = shell_json("v2.example.1.3");
    let c = &key["auth"]["RAX-KSKEY:apiKeyCredentials"];
    let credential = Credential::ApiKey(Secret::new(c["apiKey"].as_str().unwrap()));
    let sent: serde_json::Value = serde_json::from_slice(&x.tokens_request(c["username"].as_str().unwrap(), &credential).unwrap()).unwrap();
    assert_eq!(sent, key);

    let session = x.tokens_response(json("v2.example.1.5").to_string().as_bytes()).unwrap();
    assert_eq!(session.token.as_ref().map(Secret::expose), Some(catalog_token().as_str()));
    // 2012-09-14T15:11:57.585-05:00
    assert_eq!(session.expires, Some("2012-09-14T20:11:57.585Z".parse().unwrap()));
    assert_eq!(session.tenant_id.as_deref(), Some("010101"));
    let listed: Vec<String> = session.catalog.iter().map(|e| format!("{}/{}", e.service, e.region.as_deref().unwrap_or("-"))).collect();
    assert_eq!(listed, ["cloudFiles/DFW", "cloudFiles/ORD", "cloudServers/-", "cloudServersOpenStack/DFW", "cloudServersOpenStack/ORD"]);
    assert_eq!(session.catalog[3].url, "https://dfw.servers.api.rackspacecloud.com/v2/010101");
    assert_eq!(session.catalog[3].tenant_id.as_deref(), Some("010101"));
    // No token, no session.
    assert!(matches!(x.tokens_response(br#"{"access": {"serviceCatalog": []}}"#), Err(AuthError::BadResponse(_))));
    assert!(matches!(x.tokens_response(b"<access/>"), Err(AuthError::BadResponse(_))));
}

/// Credentials as the documented request shows them.
fn documented_password() -> (String, String) {
    let b = shell_json("v2.example.1.2");
    let c = &b["auth"]["passwordCredentials"];
    (c["username"].as_str().unwrap().to_string(), c["password"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn identity_v2_password_chooses_the_endpoint_by_name_and_region() {
    let server = MockServer::start().await;
    let (user, password) = documented_password();
    Mock::given(method("POST"))
        .and(path("/v2.0/tokens"))
        .and(header("Content-Type", "application/json"))
        // Exactly the body Example 1.2 sends.
        .and(body_json(shell_json("v2.example.1.2")))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog(&server)))
        .expect(2)
        .mount(&server)
        .await;
    let token = catalog_token();
    Mock::given(method("GET"))
        .and(path("/ord/v2/010101/flavors/2"))
        .and(header("X-Auth-Token", token.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.2.62")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/global/v1.0/010101/flavors/1"))
        .and(header("X-Auth-Token", token.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v1.0.flavors-get.sample-json-response")))
        .expect(1)
        .mount(&server)
        .await;

    // One login for both clients: each takes the endpoint of its own catalog service.
    let transport = Transport::builder().auth(IdentityV2::password(server.uri(), &user, &password).region("ORD")).build().unwrap();
    let next_gen = v2::client::Client::new(transport.clone());
    let flavor = next_gen.flavors_get("2").await.unwrap();
    assert_eq!(flavor.status, 200);
    assert_eq!(flavor.body.name, "512MB Standard Instance");

    // The region-less first generation endpoint serves any region.
    let first_gen = v1_0::client::Client::new(transport);
    let flavor = first_gen.flavors_get(1).await.unwrap().into_body();
    assert_eq!(flavor.name, "256 MB Server");
    assert_eq!(requests_to(&server, "/v2.0/tokens").await.len(), 1, "one session");

    // Another login, for the first generation client alone.
    let first_gen = v1_0::client::Client::new(Transport::builder().auth(IdentityV2::password(server.uri(), &user, &password)).build().unwrap());
    assert_eq!(first_gen.transport().endpoint().await.unwrap().path(), "/global/v1.0/010101");
}

#[tokio::test]
async fn identity_v2_api_key_as_documented() {
    let server = MockServer::start().await;
    let documented = shell_json("v2.example.1.3");
    let c = &documented["auth"]["RAX-KSKEY:apiKeyCredentials"];
    Mock::given(method("POST"))
        .and(path("/v2.0/tokens"))
        .and(body_json(documented.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog(&server)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/servers/52415800-8b69-11e0-9b19-734f0000ffff"))
        .and(header("X-Auth-Token", catalog_token().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.54")))
        .expect(1)
        .mount(&server)
        .await;
    let client = v2::client::Client::new(
        Transport::builder()
            .auth(
                IdentityV2::api_key(format!("{}/v2.0", server.uri()), c["username"].as_str().unwrap(), c["apiKey"].as_str().unwrap())
                    .tenant("010101")
                    .region("DFW"),
            )
            .build()
            .unwrap(),
    );
    let server_ = client.servers_get("52415800-8b69-11e0-9b19-734f0000ffff").await.unwrap().into_body();
    assert_eq!(server_.name.as_deref(), Some("sample-server"));
    // The sample-code document's API-key request has the same shape.
    let other = shell_json("sample-code.token-api-key");
    let keys = |v: &serde_json::Value| v["auth"]["RAX-KSKEY:apiKeyCredentials"].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&other), keys(&documented));
}

#[tokio::test]
async fn v1_0_header_auth_as_documented() {
    let server = MockServer::start().await;
    let request = "v1.0.auth.sample-request";
    let response = "v1.0.auth.sample-response";
    let token = shown_header(response, "X-Auth-Token");
    let management = shown_header(response, "X-Server-Management-Url").replace("https://servers.api.rackspacecloud.com", &server.uri());
    Mock::given(method("GET"))
        .and(path("/v1.0"))
        .and(header("X-Auth-User", shown_header(request, "X-Auth-User").as_str()))
        .and(header("X-Auth-Key", shown_header(request, "X-Auth-Key").as_str()))
        .respond_with(
            ResponseTemplate::new(204)
                .insert_header("X-Server-Management-Url", management.as_str())
                .insert_header("X-Auth-Token", token.as_str()),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/35428/servers/1234"))
        .and(header("X-Auth-Token", token.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v1.0.servers-get.sample-json-response")))
        .expect(2)
        .mount(&server)
        .await;
    let client = v1_0::client::Client::new(
        Transport::builder()
            .auth(V1_0::new(format!("{}/v1.0", server.uri()), shown_header(request, "X-Auth-User"), shown_header(request, "X-Auth-Key")))
            .build()
            .unwrap(),
    );
    for _ in 0..2 {
        let s = client.servers_get(1234).await.unwrap().into_body();
        assert_eq!((s.id, s.status.as_str()), (1234, "BUILD"));
    }
}

#[tokio::test]
async fn the_identity_client_runs_the_v1_0_exchange_itself() {
    let server = MockServer::start().await;
    let response = "v1.0.auth.sample-response";
    Mock::given(method("GET"))
        .and(path("/v1.0"))
        .and(header("X-Auth-User", "jdoe"))
        .respond_with(ResponseTemplate::new(204).insert_header("X-Auth-Token", shown_header(response, "X-Auth-Token").as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let client = cloudservers::identity::client::Client::new(Transport::builder().base_url(server.uri()).build().unwrap());
    let reply = client.v1_0_auth("jdoe", &Secret::new("a86850deb2742ec3cb41518e26aa2d89")).await.unwrap();
    assert_eq!(reply.status, 204);
    assert_eq!(reply.header("X-Auth-Token"), Some(shown_header(response, "X-Auth-Token").as_str()));
    let shown = format!("{reply:?}");
    assert!(!shown.contains(&shown_header(response, "X-Auth-Token")), "{shown}");
}

#[tokio::test]
async fn a_401_fetches_the_token_again_and_retries_once() {
    let server = MockServer::start().await;
    let (user, password) = documented_password();
    let mut renewed = catalog(&server);
    renewed["access"]["token"]["id"] = "renewed-token".into();
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog(&server)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(renewed))
        .with_priority(2)
        .mount(&server)
        .await;
    let id = "52415800-8b69-11e0-9b19-734f0000ffff";
    let server_path = format!("/dfw/v2/010101/servers/{id}");
    Mock::given(path(server_path.as_str()))
        .and(header("X-Auth-Token", catalog_token().as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({"unauthorized": {"code": 401, "message": "Token expired"}})))
        .mount(&server)
        .await;
    Mock::given(path(server_path.as_str()))
        .and(header("X-Auth-Token", "renewed-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.54")))
        .mount(&server)
        .await;
    let client = v2::client::Client::new(
        Transport::builder().auth(IdentityV2::password(server.uri(), &user, &password).region("DFW")).build().unwrap(),
    );
    let got = client.servers_get(id).await.unwrap();
    assert_eq!(got.status, 200);
    assert_eq!(requests_to(&server, "/v2.0/tokens").await.len(), 2, "the token endpoint is hit twice");
    assert_eq!(requests_to(&server, &server_path).await.len(), 2);
}

#[tokio::test]
async fn no_secret_in_debug_of_client_or_auth() {
    let server = MockServer::start().await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog(&server)))
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/flavors/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.2.62")))
        .mount(&server)
        .await;
    let (user, password) = documented_password();
    let api_key = "00a00000a000a0000000a000a00aaa0a";
    let auths: [Auth; 2] = [
        IdentityV2::password(server.uri(), &user, &password).region("DFW").into(),
        IdentityV2::api_key(server.uri(), &user, api_key).region("DFW").into(),
    ];
    for auth in auths {
        let client = v2::client::Client::new(Transport::builder().auth(auth.clone()).build().unwrap());
        client.flavors_get("2").await.unwrap();
        let shown = format!("{client:?} {client:#?} {auth:?} {:?}", client.transport().session().await);
        for secret in [password.as_str(), api_key, catalog_token().as_str()] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        assert!(shown.contains(&user), "the user name is no secret: {shown}");
    }
}

/// Example 1.5 with the token `token`, expiring `secs` from now.
fn expiring(server: &MockServer, token: &str, secs: i64) -> serde_json::Value {
    let mut doc = catalog(server);
    let at = runtime::jiff::Timestamp::now().checked_add(runtime::jiff::SignedDuration::from_secs(secs)).unwrap();
    doc["access"]["token"]["id"] = token.into();
    doc["access"]["token"]["expires"] = at.to_string().into();
    doc
}

#[tokio::test]
async fn a_token_expiring_soon_is_renewed_before_the_next_request() {
    let server = MockServer::start().await;
    let (user, password) = documented_password();
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expiring(&server, "expires-soon", 20)))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2.0/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(expiring(&server, "fresh", 86_400)))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/dfw/v2/010101/flavors/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.2.62")))
        .mount(&server)
        .await;
    let client = v2::client::Client::new(
        Transport::builder().auth(IdentityV2::password(server.uri(), &user, &password).region("DFW")).build().unwrap(),
    );
    for _ in 0..3 {
        client.flavors_get("2").await.unwrap();
    }
    let sent: Vec<String> = requests_to(&server, "/dfw/v2/010101/flavors/2")
        .await
        .iter()
        .map(|r| r.headers.get("X-Auth-Token").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string())
        .collect();
    // Twenty seconds is within the 60 s margin: the second request goes with a new token,
    // and no request was refused first.
    assert_eq!(sent, ["expires-soon", "fresh", "fresh"]);
    assert_eq!(requests_to(&server, "/v2.0/tokens").await.len(), 2);
    let session = client.transport().session().await.unwrap();
    assert!(session.expires.is_some_and(|e| e > runtime::jiff::Timestamp::now()));
}

#[tokio::test]
async fn an_oversize_identity_response_is_a_typed_error() {
    let server = MockServer::start().await;
    let (user, password) = documented_password();
    // Example 1.5 with a catalog of a hundred thousand services.
    let mut big = catalog(&server);
    let entry = big["access"]["serviceCatalog"][0].clone();
    big["access"]["serviceCatalog"] = serde_json::Value::Array(vec![entry; 100_000]);
    Mock::given(path("/v2.0/tokens")).respond_with(ResponseTemplate::new(200).set_body_json(big)).mount(&server).await;
    Mock::given(path("/v1.0")).respond_with(ResponseTemplate::new(401).set_body_string("x".repeat(1 << 20))).mount(&server).await;
    let limited = |auth: Auth| v2::client::Client::new(Transport::builder().auth(auth).max_body_bytes(64 * 1024).build().unwrap());
    let client = limited(IdentityV2::password(server.uri(), &user, &password).into());
    match client.flavors_get("2").await {
        Err(runtime::client::ClientError::BodyTooLarge { operation, status: 200, limit }) => {
            assert_eq!((operation.as_str(), limit), ("identity.v2.tokens.create", 64 * 1024))
        }
        other => panic!("{other:?}"),
    }
    match limited(V1_0::new(server.uri(), "jdoe", "key").into()).transport().endpoint().await {
        Err(TransportError::BodyTooLarge { operation, status: 401, .. }) => assert_eq!(operation, "identity.v1.0.auth"),
        other => panic!("{other:?}"),
    }
}
