//! Hostile bodies through a generated client, against a stub (wiremock on 127.0.0.1):
//! XML nested a hundred thousand levels deep as a `404` fault, as a `413` and as the
//! `200` of `servers_get` asked in XML each end in a typed error (a fault or a decode
//! error), never a stack overflow; a body over the transport's size limit is the size
//! error, whatever its status.

// Needs the v2 API.
#![cfg(feature = "v2")]

mod client_support;

use client_support::*;
use cloudservers::v2;
use runtime::client::{Auth, ClientError, Format, FormatStyle, RetryPolicy, Transport};
use runtime::{DecodeError, Secret};
use std::time::Duration;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const V2_NS: &str = "http://docs.openstack.org/compute/api/v1.1";
const DEPTH: usize = 100_000;

/// A document whose root is `<root xmlns=V2_NS>` with `DEPTH` levels of `<a>` inside.
fn deep(root: &str, attrs: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root} xmlns=\"{V2_NS}\" {attrs}>{}{}</{root}>",
        "<a>".repeat(DEPTH),
        "</a>".repeat(DEPTH)
    )
}

fn xml(status: u16, body: String) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body, "application/xml")
}

async fn mount(server: &MockServer, p: &str, resp: ResponseTemplate) {
    Mock::given(path(p)).respond_with(resp).mount(server).await;
}

fn client(server: &MockServer) -> v2::client::Client {
    let t = Transport::builder()
        .base_url(format!("{}/v2/010101", server.uri()))
        .auth(Auth::Token(Secret::new("test-token")))
        .format(Format::Xml)
        .retry(RetryPolicy { max_attempts: 2, max_wait: Duration::from_secs(1) })
        .build()
        .expect("transport");
    v2::client::Client::new(t)
}

#[tokio::test]
async fn a_deeply_nested_fault_body_is_a_fault() {
    let server = MockServer::start().await;
    mount(&server, "/v2/010101/servers/deep", xml(404, deep("itemNotFound", "code=\"404\""))).await;
    let e = client(&server).servers_get("deep").await.unwrap_err();
    match &e {
        ClientError::Fault(f) => assert!(matches!(f, v2::faults::ServersGetError::ItemNotFound(_)), "{e:?}"),
        other => panic!("expected the 404 fault, got {other:?}"),
    }
}

#[tokio::test]
async fn a_deeply_nested_413_body_is_a_fault_and_not_retried_forever() {
    let server = MockServer::start().await;
    mount(&server, "/v2/010101/servers/deep", xml(413, deep("overLimit", "code=\"413\""))).await;
    let e = client(&server).servers_get("deep").await.unwrap_err();
    assert!(matches!(e, ClientError::Fault(v2::faults::ServersGetError::OverLimit(_))), "{e:?}");
    assert!(requests_to(&server, "/v2/010101/servers/deep").await.len() <= 2);
}

#[tokio::test]
async fn a_deeply_nested_200_body_is_a_decode_error() {
    let server = MockServer::start().await;
    let id = "52415800-8b69-11e0-9b19-734f0000ffff";
    let body = deep("server", &format!("id=\"{id}\" name=\"deep\""));
    mount(&server, &format!("/v2/010101/servers/{id}"), xml(200, body)).await;
    let e = client(&server).servers_get(id).await.unwrap_err();
    match &e {
        ClientError::Decode { operation, status: 200, source, .. } => {
            assert_eq!(*operation, "v2.servers.get");
            match &**source {
                DecodeError::XmlSyntax(x) => assert!(x.is_too_deep(), "{x}"),
                other => panic!("expected the depth error, got {other:?}"),
            }
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(e.to_string().contains("deeper than the limit of 256 levels"), "{e}");
}

#[tokio::test]
async fn a_deeply_nested_body_by_extension_is_a_decode_error_too() {
    let server = MockServer::start().await;
    mount(&server, "/v2/010101/servers/deep.xml", xml(200, deep("server", "id=\"deep\""))).await;
    let c = v2::client::Client::new(transport(&server, Format::Xml, FormatStyle::Extension));
    let e = c.servers_get("deep").await.unwrap_err();
    assert!(matches!(e, ClientError::Decode { status: 200, .. }), "{e:?}");
}

#[tokio::test]
async fn an_oversized_body_is_the_size_error() {
    let server = MockServer::start().await;
    let big = format!("<server xmlns=\"{V2_NS}\" id=\"big\" name=\"{}\"/>", "n".repeat(8192));
    mount(&server, "/v2/010101/servers/big", xml(200, big.clone())).await;
    mount(&server, "/v2/010101/servers/big-fault", xml(404, big)).await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/010101", server.uri()))
        .format(Format::Xml)
        .max_body_bytes(4096)
        .build()
        .unwrap();
    let c = v2::client::Client::new(t);
    for (id, status) in [("big", 200), ("big-fault", 404)] {
        match c.servers_get(id).await {
            Err(ClientError::BodyTooLarge { operation, status: s, limit: 4096 }) => {
                assert_eq!(operation, "v2.servers.get");
                assert_eq!(s, status);
            }
            other => panic!("{id}: expected the size error, got {other:?}"),
        }
    }
}
