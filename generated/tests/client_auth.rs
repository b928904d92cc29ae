//! Generated clients authenticating against a stub (wiremock on 127.0.0.1), with the
//! documented identity exchanges: v2.0 by password (Example 1.2) and API key (Example
//! 1.3) with the endpoint chosen from the catalog of Example 1.5 by service name and
//! region; v1.0 header auth (Authentication / Sample Request and Response); renewal on
//! 401; and no secret in `Debug`.

// Needs the v2, v1_0, identity APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "identity"))]

mod client_support;

use client_support::*;
use cloudservers::{v1_0, v2};
use runtime::client::{Auth, Credential, Transport, IDENTITY_V1_0_PATH, IDENTITY_V2_TOKENS_PATH};
use runtime::Secret;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[test]
fn the_runtime_auth_paths_are_the_schemas() {
    let s = schema();
    let path_of = |id: &str| s.operation(id).map(|o| o.path.clone());
    assert_eq!(path_of("identity.v2.tokens.create").as_deref(), Some(IDENTITY_V2_TOKENS_PATH));
    assert_eq!(path_of("identity.v1.0.auth").as_deref(), Some(IDENTITY_V1_0_PATH));
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

    let next_gen = v2::client::Client::new(
        Transport::builder()
            .auth(Auth::password(server.uri(), &user, &password, "cloudServersOpenStack", Some("ORD")))
            .build()
            .unwrap(),
    );
    let flavor = next_gen.flavors_get("2").await.unwrap();
    assert_eq!(flavor.status, 200);
    assert_eq!(flavor.body.name, "512MB Standard Instance");

    // The region-less first generation endpoint serves any region.
    let first_gen = v1_0::client::Client::new(
        Transport::builder()
            .auth(Auth::password(server.uri(), &user, &password, "cloudServers", Some("ORD")))
            .build()
            .unwrap(),
    );
    let flavor = first_gen.flavors_get(1).await.unwrap().into_body();
    assert_eq!(flavor.name, "256 MB Server");
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
            .auth(Auth::IdentityV2 {
                identity_url: format!("{}/v2.0", server.uri()),
                username: c["username"].as_str().unwrap().into(),
                credential: Credential::ApiKey(Secret::new(c["apiKey"].as_str().unwrap())),
                tenant: Some("010101".into()),
                service_name: "cloudServersOpenStack".into(),
                region: Some("DFW".into()),
            })
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
            .auth(Auth::V1_0 {
                auth_url: format!("{}/v1.0", server.uri()),
                user: shown_header(request, "X-Auth-User"),
                key: Secret::new(shown_header(request, "X-Auth-Key")),
            })
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
        Transport::builder()
            .auth(Auth::password(server.uri(), &user, &password, "cloudServersOpenStack", Some("DFW")))
            .build()
            .unwrap(),
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
    let auths = [
        Auth::password(server.uri(), &user, &password, "cloudServersOpenStack", Some("DFW")),
        Auth::api_key(server.uri(), &user, api_key, "cloudServersOpenStack", Some("DFW")),
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
