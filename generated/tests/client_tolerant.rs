//! Generated clients reading what real servers send and checking requests as the account
//! allows: an empty optional body, tolerant bodies end to end, account-dependent limits
//! and switching request checks off.

// Needs the v2, v1_0 APIs.
#![cfg(all(feature = "v2", feature = "v1_0"))]

mod client_support;

use client_support::*;
use cloudservers::{v1_0, v2};
use runtime::client::{ClientError, Format, FormatStyle, Transport};
use runtime::limits::AccountLimits;
use runtime::Secret;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn v1_transport(server: &MockServer) -> Transport {
    Transport::builder()
        .base_url(format!("{}/v1.0/1", server.uri()))
        .auth(runtime::client::Auth::Token(Secret::new("t")))
        .build()
        .expect("transport")
}

#[tokio::test]
async fn an_empty_body_where_the_documents_make_it_optional_is_none() {
    let server = MockServer::start().await;
    Mock::given(path("/v1.0/1/servers")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = v1_0::client::Client::new(v1_transport(&server));
    let reply = client.servers_list(&Default::default()).await.expect("an empty 200 is read");
    assert_eq!(reply.body, None);
}

#[tokio::test]
async fn bodies_as_real_servers_send_them_decode_through_the_client() {
    let server = MockServer::start().await;
    // Numbers as strings and blanks, a null, an undocumented status and extension key.
    let body = serde_json::json!({"flavor": {
        "id": 1, "name": "512MB Standard Instance", "ram": "512", "disk": 20, "vcpus": "1",
        "swap": "", "rxtx_factor": "2.0", "OS-FLV-EXT-DATA:ephemeral": 0, "links": null
    }});
    Mock::given(path("/v2/010101/flavors/1")).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let flavor = client.flavors_get("1").await.expect("tolerant read").into_body();
    assert_eq!((flavor.id.as_str(), flavor.ram, flavor.vcpus, flavor.swap, flavor.rxtx_factor), ("1", 512, 1, None, Some(2.0)));
    assert_eq!(flavor.links, None);
}

fn create_with_metadata(items: usize) -> v2::models::CreateServerRequest {
    let metadata = v2::models::Metadata((0..items).map(|i| (format!("key{i}"), "v".to_string())).collect());
    v2::models::CreateServerRequest::new("web", "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001", "2").metadata(metadata)
}

async fn accepting_creates() -> MockServer {
    let server = MockServer::start().await;
    let created = serde_json::json!({"server": {"id": "ef08aa7a-b5e4-4bb8-86df-5ac56230f841", "adminPass": "x", "links": []}});
    Mock::given(method("POST"))
        .and(path("/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(202).set_body_json(created))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_account_may_allow_more_than_the_documented_default() {
    let server = accepting_creates().await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    // maxServerMeta "default 20" is only a default: with the account's limit unknown,
    // 25 items go to the service, which decides.
    client.servers_create(&create_with_metadata(25)).await.expect("sent");
    assert_eq!(requests_to(&server, "/v2/010101/servers").await.len(), 1);
    // Once the account's limits are known, they are what the client checks.
    client.transport().set_account_limits(AccountLimits::unknown().with("maxServerMeta", 24));
    let e = client.servers_create(&create_with_metadata(25)).await.unwrap_err();
    assert!(matches!(&e, ClientError::Limit(v) if &*v.limit == "v2.field.server-metadata-items" && v.max == 24), "{e:?}");
    assert_eq!(requests_to(&server, "/v2/010101/servers").await.len(), 1, "refused before sending");
    client.transport().set_account_limits(AccountLimits::unknown().with("maxServerMeta", 40));
    client.servers_create(&create_with_metadata(25)).await.expect("within the account's 40");
}

#[tokio::test]
async fn request_checks_can_be_switched_off() {
    let server = accepting_creates().await;
    let mut req = create_with_metadata(1);
    req.metadata.get_or_insert_with(Default::default).0.insert("k".repeat(300), "v".into());
    let checking = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let e = checking.servers_create(&req).await.unwrap_err();
    assert!(matches!(&e, ClientError::Limit(v) if &*v.limit == "v2.field.metadata-key"), "{e:?}");
    let unchecked = v2::client::Client::new(
        Transport::builder()
            .base_url(format!("{}/v2/010101", server.uri()))
            .auth(runtime::client::Auth::Token(Secret::new("t")))
            .validate(false)
            .build()
            .expect("transport"),
    );
    unchecked.servers_create(&req).await.expect("sent as built");
    assert_eq!(requests_to(&server, "/v2/010101/servers").await.len(), 1);
}

#[test]
fn request_bodies_have_constructors_and_setters() {
    let req = v2::models::CreateServerRequest::new("web", "img", "2")
        .metadata(v2::models::Metadata([("a".to_string(), "b".to_string())].into_iter().collect()))
        .os_dcf_disk_config(v2::models::DiskConfig::Auto);
    assert_eq!((req.name.as_str(), req.image_ref.as_str(), req.flavor_ref.as_str()), ("web", "img", "2"));
    assert_eq!(req.os_dcf_disk_config, Some(v2::models::DiskConfig::Auto));
    assert_eq!(req.personality, None);
    let json = serde_json::to_value(&req).expect("encodes");
    assert_eq!(json["OS-DCF:diskConfig"], "AUTO");
    assert!(json.get("personality").is_none(), "unset optional fields are not sent");
    // Rebuild asks only for the image: the server keeps the name and makes a password.
    let rebuild = v2::models::RebuildAction::new("img");
    assert_eq!(rebuild.name, None);
    assert_eq!(rebuild.admin_pass, None);
}

#[tokio::test]
async fn a_callers_http_client_is_used() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/010101/flavors/1"))
        .and(wiremock::matchers::header("x-from-caller", "yes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"flavor": {"id": "1", "name": "f"}})))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = runtime::reqwest::header::HeaderMap::new();
    headers.insert("x-from-caller", runtime::reqwest::header::HeaderValue::from_static("yes"));
    let http = runtime::reqwest::Client::builder().default_headers(headers).build().expect("client");
    let client = v2::client::Client::new(
        Transport::builder()
            .base_url(format!("{}/v2/010101", server.uri()))
            .auth(runtime::client::Auth::Token(Secret::new("t")))
            .http_client(http)
            .build()
            .expect("transport"),
    );
    client.flavors_get("1").await.expect("sent through the caller's client");
}

#[tokio::test]
async fn a_refused_connection_keeps_its_cause() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let client = v2::client::Client::new(
        Transport::builder()
            .base_url(format!("http://127.0.0.1:{port}/v2/010101"))
            .auth(runtime::client::Auth::Token(Secret::new("t")))
            .build()
            .expect("transport"),
    );
    let e = client.flavors_get("1").await.unwrap_err();
    assert!(matches!(&e, ClientError::Transport { what, .. } if what == "v2.flavors.get"), "{e:?}");
    assert!(std::error::Error::source(&e).is_some(), "the HTTP client's error is the source");
    let shown = e.to_string().to_lowercase();
    assert!(shown.contains("refused"), "the cause is not lost: {shown}");
    assert!(!shown.contains("127.0.0.1"), "no URL in the message: {shown}");
}
