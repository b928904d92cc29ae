//! Generated clients on the wire, against a stub (wiremock on 127.0.0.1) answering with
//! documented examples: format negotiation by `Accept` and by `.json`/`.xml` extension
//! (XML responses decoded, XML requests encoded), fault decoding, pagination by `next`
//! link and by marker, the bounded 413 retry, RackConnect's `format` parameter and text
//! bodies, and field limits checked before sending.

// Needs the v2, v1_0, rackconnect APIs.
#![cfg(all(feature = "v2", feature = "v1_0", feature = "rackconnect"))]

mod client_support;

use client_support::*;
use cloudservers::{rackconnect, v1_0, v2};
use runtime::client::{ClientError, Format, FormatStyle, RetryPolicy, StreamExt, Transport};
use runtime::Secret;
use std::time::Duration;
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ERROR_SERVER: &str = "52415800-8b69-11e0-9b19-734f0000ffff";

fn xml_response(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text(id), "application/xml")
}

#[tokio::test]
async fn format_by_accept_header_both_ways() {
    let server = MockServer::start().await;
    let p = format!("/v2/010101/servers/{ERROR_SERVER}");
    Mock::given(path(p.as_str()))
        .and(header("Accept", "application/xml"))
        .respond_with(xml_response("v2.example.1.53"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(p.as_str()))
        .and(header("Accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.54")))
        .expect(1)
        .mount(&server)
        .await;
    let xml = v2::client::Client::new(transport(&server, Format::Xml, FormatStyle::Headers));
    let js = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let from_xml = xml.servers_get(ERROR_SERVER).await.unwrap().into_body();
    let from_json = js.servers_get(ERROR_SERVER).await.unwrap().into_body();
    // Examples 1.53 and 1.54 show the same server in both formats.
    assert_eq!(from_xml.id, ERROR_SERVER);
    assert_eq!(from_xml.id, from_json.id);
    assert_eq!(from_xml.status, from_json.status);
    assert_eq!(from_xml.status.as_ref().map(|s| s.as_str()), Some("ERROR"));
    assert_eq!(from_xml.fault.as_ref().map(|f| &f.message), from_json.fault.as_ref().map(|f| &f.message));
    assert_eq!(from_xml.image, from_json.image);
}

#[tokio::test]
async fn format_by_uri_extension_both_ways() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/v2/010101/servers/{ERROR_SERVER}.xml").as_str()))
        .respond_with(xml_response("v2.example.1.53"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(format!("/v2/010101/servers/{ERROR_SERVER}.json").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.54")))
        .expect(1)
        .mount(&server)
        .await;
    for format in [Format::Xml, Format::Json] {
        let client = v2::client::Client::new(transport(&server, format, FormatStyle::Extension));
        let s = client.servers_get(ERROR_SERVER).await.unwrap().into_body();
        assert_eq!(s.fault.map(|f| f.code), Some(404), "{format}");
    }
}

#[tokio::test]
async fn xml_request_bodies_are_encoded_in_their_namespace() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/010101/servers"))
        .and(header("Content-Type", "application/xml"))
        .and(header("Accept", "application/xml"))
        .respond_with(ResponseTemplate::new(202).set_body_raw(text("v2.example.2.8"), "application/xml"))
        .expect(1)
        .mount(&server)
        .await;
    let request: v2::models::CreateServerRequest =
        serde_json::from_value(json("v2.example.2.5")["server"].clone()).expect("Example 2.5 decodes");
    let client = v2::client::Client::new(transport(&server, Format::Xml, FormatStyle::Headers));
    let created = client.servers_create(&request).await.unwrap();
    assert_eq!(created.status, 202);
    assert!(!created.body.admin_pass.expose().is_empty());
    let sent = requests_to(&server, "/v2/010101/servers").await;
    let body = String::from_utf8(sent[0].body.clone()).unwrap();
    let v2_ns = schema().namespace("v2").map(|n| n.uri.as_str());
    let back: v2::models::CreateServerRequest = runtime::xml::decode_root(&body, v2_ns, "server").expect("the XML sent decodes");
    assert_eq!(back, request);
}

#[tokio::test]
async fn faults_decode_from_json_and_xml() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/010101/servers/missing-json"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json("v2.example.1.49")))
        .mount(&server)
        .await;
    Mock::given(path("/v2/010101/servers/missing-xml"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(text("v2.example.1.50"), "application/xml"))
        .mount(&server)
        .await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    for id in ["missing-json", "missing-xml"] {
        match client.servers_get(id).await {
            Err(ClientError::Fault(v2::faults::ServersGetError::ItemNotFound(body))) => {
                assert_eq!(body.status, 404);
                assert_eq!(body.message.as_deref(), Some("Not Found"));
                assert_eq!(body.details.as_deref(), Some("Error Details..."));
            }
            other => panic!("{id}: {other:?}"),
        }
    }
    // The first generation's fault in XML, in its own namespace.
    Mock::given(path("/v1.0/1/servers/404"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(text("v1.0.servers-get.itemnotfound-sample-xml-error-response"), "application/xml"))
        .mount(&server)
        .await;
    let v1 = v1_0::client::Client::new(
        Transport::builder().base_url(format!("{}/v1.0/1", server.uri())).auth(runtime::client::Auth::Token(Secret::new("t"))).build().unwrap(),
    );
    let e = v1.servers_get(404).await.unwrap_err();
    assert!(matches!(e, ClientError::Fault(v1_0::faults::ServersGetError::ItemNotFound(_))), "{e:?}");
    assert_eq!(e.to_string(), "itemNotFound (HTTP 404): Not Found");
}

fn image_ids(page: &v2::models::Images) -> Vec<String> {
    page.images.iter().map(|i| i.id.clone()).collect()
}

#[tokio::test]
async fn pages_follow_next_links() {
    let pages = ["v2.example.1.17", "v2.example.1.18", "v2.example.1.19"];
    let server = linked_pages(&pages).await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let query = v2::client::ImagesListQuery { limit: Some(1), ..Default::default() };
    let got: Vec<v2::models::Images> = client.images_list_pages(&query).map(|p| p.unwrap()).collect().await;
    let ids: Vec<Vec<String>> = got.iter().map(image_ids).collect();
    assert_eq!(ids, first_ids(&pages));
    assert_eq!(requests_to(&server, "/v2/010101/images").await.len(), 3, "no request after the page without a next link");
}

#[tokio::test]
async fn items_follow_the_pages() {
    let pages = ["v2.example.1.17", "v2.example.1.18", "v2.example.1.19"];
    let server = linked_pages(&pages).await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let query = v2::client::ImagesListQuery { limit: Some(1), ..Default::default() };
    let items: Vec<String> = client.images_list_items(&query).map(|i| i.unwrap().id).collect().await;
    assert_eq!(items, first_ids(&pages).concat());
}

/// The id of the first image of each page.
fn first_ids(pages: &[&str]) -> Vec<Vec<String>> {
    pages.iter().map(|p| vec![json(p)["images"][0]["id"].as_str().unwrap().to_string()]).collect()
}

/// A stub serving `pages` in order, page n+1 asked for with the marker of page n's next link.
async fn linked_pages(pages: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/v2/010101/images"))
        .and(query_param_is_missing("marker"))
        .and(query_param("limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json(pages[0])))
        .expect(1)
        .mount(&server)
        .await;
    for (prev, next) in pages.iter().zip(&pages[1..]) {
        let marker = json(prev)["images"][0]["id"].as_str().unwrap().to_string();
        Mock::given(path("/v2/010101/images"))
            .and(query_param("marker", marker.as_str()))
            .and(query_param("limit", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json(next)))
            .expect(1)
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn pages_by_marker_without_links() {
    let server = MockServer::start().await;
    let pages: Vec<serde_json::Value> = ["v2.example.1.17", "v2.example.1.18", "v2.example.1.19"]
        .iter()
        .map(|p| {
            let mut v = json(p);
            v.as_object_mut().unwrap().remove("images_links");
            v
        })
        .collect();
    let id_of = |v: &serde_json::Value| v["images"][0]["id"].as_str().unwrap().to_string();
    Mock::given(path("/v2/010101/images"))
        .and(query_param_is_missing("marker"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pages[0].clone()))
        .mount(&server)
        .await;
    for (prev, next) in pages.iter().zip(&pages[1..]) {
        Mock::given(path("/v2/010101/images"))
            .and(query_param("marker", id_of(prev).as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(next.clone()))
            .mount(&server)
            .await;
    }
    Mock::given(path("/v2/010101/images"))
        .and(query_param("marker", id_of(&pages[2]).as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"images": []})))
        .mount(&server)
        .await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let query = v2::client::ImagesListQuery { limit: Some(1), ..Default::default() };
    let got: Vec<v2::models::Images> = client.images_list_pages(&query).map(|p| p.unwrap()).collect().await;
    let ids: Vec<String> = got.iter().flat_map(image_ids).collect();
    assert_eq!(ids, pages.iter().map(id_of).collect::<Vec<_>>());
    let sent = requests_to(&server, "/v2/010101/images").await;
    assert_eq!(sent.len(), 4, "three full pages, then the empty one that ends the list");
    assert!(sent.iter().all(|r| r.url.query_pairs().any(|(k, v)| k == "limit" && v == "1")), "limit is kept");
}

#[tokio::test]
async fn a_413_with_retry_after_is_retried() {
    let server = MockServer::start().await;
    let p = format!("/v2/010101/servers/{ERROR_SERVER}");
    Mock::given(path(p.as_str()))
        .respond_with(ResponseTemplate::new(413).insert_header("Retry-After", "1").set_body_json(json("v2.example.1.51")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(p.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.54")))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let s = client.servers_get(ERROR_SERVER).await.unwrap();
    assert_eq!(s.status, 200);
    assert_eq!(requests_to(&server, &p).await.len(), 2, "one 413, one retry");
}

#[tokio::test]
async fn a_413_past_the_bound_is_the_over_limit_fault() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/010101/servers/busy"))
        .respond_with(ResponseTemplate::new(413).insert_header("Retry-After", "3600").set_body_json(json("v2.example.1.51")))
        .mount(&server)
        .await;
    let t = Transport::builder()
        .base_url(format!("{}/v2/010101", server.uri()))
        .retry(RetryPolicy { max_attempts: 5, max_wait: Duration::from_secs(10) })
        .build()
        .unwrap();
    let client = v2::client::Client::new(t);
    match client.servers_get("busy").await {
        Err(ClientError::Fault(v2::faults::ServersGetError::OverLimit(body))) => {
            assert_eq!(body.retry_at.as_deref(), Some("2010-08-01T00:00:00Z"));
            assert_eq!(body.retry_after_header.as_deref(), Some("3600"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(requests_to(&server, "/v2/010101/servers/busy").await.len(), 1, "never waits past max_wait");
}

#[tokio::test]
async fn rackconnect_text_by_format_parameter() {
    let server = MockServer::start().await;
    let body = text("rackconnect.automation-status-get.response");
    Mock::given(path("/v1/automation_status"))
        .and(query_param("format", "text"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/automation_status"))
        .and(query_param_is_missing("format"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v1/gateway_ip"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    // RackConnect needs no authentication; its paths start at the host root.
    let client = rackconnect::client::Client::new(Transport::builder().base_url(server.uri()).build().unwrap());
    let documented = rackconnect::client::AutomationStatusGetQuery { format: Some(rackconnect::models::ResponseFormat::Text) };
    let status = client.automation_status_get(&documented).await.unwrap().into_body();
    assert_eq!(status.0.as_str(), body.trim());
    let by_default = client.automation_status_get(&Default::default()).await.unwrap().into_body();
    assert_eq!(by_default, status);
    let seen = requests_to(&server, "/v1/automation_status").await;
    assert!(seen.iter().all(|r| r.headers.get("x-auth-token").is_none()));
    let e = client.gateway_ip_get(&Default::default()).await.unwrap_err();
    assert!(matches!(e, ClientError::Fault(rackconnect::faults::GatewayIpGetError::NotFound(_))), "{e:?}");
}

#[tokio::test]
async fn field_limits_are_checked_before_sending() {
    let server = MockServer::start().await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let key = "k".repeat(256);
    let item = v2::models::MetaItem([(key.clone(), "v".to_string())].into_iter().collect());
    match client.server_metadata_set_item(ERROR_SERVER, &key, &item).await {
        Err(ClientError::Limit(v)) => assert_eq!(&*v.limit, "v2.field.metadata-key"),
        other => panic!("{other:?}"),
    }
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn pages_end_when_the_server_ignores_the_marker() {
    // The stub answers every request with the first page, marker or not, in both formats.
    for (format, page) in [(Format::Json, "v2.example.1.17"), (Format::Xml, "v2.example.1.20")] {
        let server = MockServer::start().await;
        let answer = match format {
            Format::Xml => xml_response(page),
            _ => ResponseTemplate::new(200).set_body_json(json(page)),
        };
        Mock::given(path("/v2/010101/images")).respond_with(answer).mount(&server).await;
        let client = v2::client::Client::new(transport(&server, format, FormatStyle::Headers));
        let query = v2::client::ImagesListQuery { limit: Some(1), ..Default::default() };
        let got: Vec<v2::models::Images> = client.images_list_pages(&query).map(|p| p.unwrap()).collect().await;
        let ids: Vec<String> = got.iter().flat_map(image_ids).collect();
        assert_eq!(ids.len(), 1, "{format}: each image once: {ids:?}");
        let sent = requests_to(&server, "/v2/010101/images").await;
        assert_eq!(sent.len(), 2, "{format}: the repeated page ends the stream");
        assert!(sent[1].url.query_pairs().any(|(k, v)| k == "marker" && v == ids[0]), "{format}: the marker was asked for");
    }
}

#[tokio::test]
async fn version_documents_are_found_under_the_endpoint_prefix() {
    let server = MockServer::start().await;
    Mock::given(path("/compute/"))
        .and(header("Accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.27")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/compute/v2"))
        .and(header("Accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json("v2.example.1.32")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/compute/v2.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(text("v2.example.1.34"), "application/xml"))
        .expect(1)
        .mount(&server)
        .await;
    let endpoint = format!("{}/compute/v2/010101", server.uri());
    let with = |format, style| {
        v2::client::Client::new(Transport::builder().base_url(endpoint.as_str()).format(format).style(style).build().unwrap())
    };
    let client = with(Format::Json, FormatStyle::Headers);
    let versions = client.versions_list().await.unwrap().into_body();
    assert_eq!(versions.versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(), ["v2"]);
    let version = client.versions_get().await.unwrap().into_body();
    assert_eq!(version.id, "v2");
    let by_extension = with(Format::Xml, FormatStyle::Extension).versions_get().await.unwrap().into_body();
    assert_eq!(by_extension.id, "v2");
    let paths: Vec<String> = server.received_requests().await.unwrap_or_default().iter().map(|r| r.url.path().to_string()).collect();
    assert!(paths.iter().all(|p| p.starts_with("/compute/")), "{paths:?}");
}

fn flavor_with_bad_swap(format: Format) -> ResponseTemplate {
    match format {
        Format::Json | Format::Text => {
            let mut v = json("v2.example.2.62");
            v["flavor"]["swap"] = serde_json::json!("big");
            ResponseTemplate::new(200).set_body_json(v)
        }
        Format::Xml => {
            let t = text("v2.example.2.63").replacen("swap=\"512\"", "swap=\"big\"", 1);
            assert!(t.contains("swap=\"big\""), "Example 2.63 shows swap");
            ResponseTemplate::new(200).set_body_raw(t, "application/xml")
        }
    }
}

#[tokio::test]
async fn decode_errors_name_operation_status_type_field_and_body() {
    for (format, ct, field) in [(Format::Json, "application/json", "flavor.swap"), (Format::Xml, "application/xml", "flavor@swap")] {
        let server = MockServer::start().await;
        Mock::given(path("/v2/010101/flavors/2")).respond_with(flavor_with_bad_swap(format)).mount(&server).await;
        let client = v2::client::Client::new(transport(&server, format, FormatStyle::Headers));
        let e = client.flavors_get("2").await.unwrap_err();
        let ClientError::Decode { operation, status, content_type, path, excerpt, .. } = &e else { panic!("{format}: {e:?}") };
        assert_eq!((*operation, *status), ("v2.flavors.get", 200));
        assert_eq!(content_type.as_deref(), Some(ct));
        assert_eq!(path.as_deref(), Some(field), "{format}");
        let excerpt = excerpt.as_deref().expect("an excerpt");
        assert!(excerpt.chars().count() <= runtime::client::EXCERPT_CHARS + 1, "{excerpt}");
        assert!(excerpt.starts_with(if format == Format::Json { "{\"flavor\":" } else { "<?xml" }), "{excerpt}");
        assert!(excerpt.ends_with('…'), "the long body is cut: {excerpt}");
        let shown = e.to_string();
        let start = format!("cannot decode the 200 response of v2.flavors.get ({ct}) at `{field}`: ");
        assert!(shown.starts_with(&start), "{shown}");
        assert!(shown.contains("; body: "), "{shown}");
        assert!(std::error::Error::source(&e).is_some(), "the decode error is kept as the source");
    }
}

#[tokio::test]
async fn decode_errors_of_bodies_with_secrets_show_no_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({"server": {"id": {"not": "an id"}, "adminPass": "pw-secret-9"}})))
        .mount(&server)
        .await;
    let request: v2::models::CreateServerRequest = serde_json::from_value(json("v2.example.2.5")["server"].clone()).unwrap();
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let e = client.servers_create(&request).await.unwrap_err();
    assert!(matches!(&e, ClientError::Decode { excerpt: None, path: Some(p), .. } if p == "server.id"), "{e:?}");
    assert!(!e.to_string().contains("pw-secret-9"), "{e}");
    assert!(!format!("{e:?}").contains("pw-secret-9"), "{e:?}");
}

#[tokio::test]
async fn create_image_returns_the_id_from_location() {
    let image = "52415800-8b69-11e0-9b19-734f5736d2a2";
    let action_path = format!("/v2/010101/servers/{ERROR_SERVER}/action");
    for format in [Format::Json, Format::Xml] {
        let server = MockServer::start().await;
        let location = format!("{}/v2/010101/images/{image}", server.uri());
        Mock::given(method("POST"))
            .and(path(action_path.as_str()))
            .and(header("Content-Type", format.media_type()))
            .respond_with(ResponseTemplate::new(202).insert_header("Location", location.as_str()))
            .expect(1)
            .mount(&server)
            .await;
        let body: v2::models::CreateImageAction = serde_json::from_value(json("v2.example.2.50")["createImage"].clone()).unwrap();
        let client = v2::client::Client::new(transport(&server, format, FormatStyle::Headers));
        let created = client.servers_create_image(ERROR_SERVER, &body).await.unwrap();
        assert_eq!(created.status, 202);
        assert_eq!(created.body.id, image, "{format}");
        assert_eq!(created.body.url, location);
    }
    // Without the documented header: an error naming it, not a made-up id.
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(action_path.as_str())).respond_with(ResponseTemplate::new(202)).mount(&server).await;
    let body: v2::models::CreateImageAction = serde_json::from_value(json("v2.example.2.50")["createImage"].clone()).unwrap();
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    match client.servers_create_image(ERROR_SERVER, &body).await {
        Err(ClientError::MissingHeader { operation, status, header }) => {
            assert_eq!((operation, status, header), ("v2.servers.create-image", 202, "Location"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn lists_return_bodies_and_300_is_a_redirect() {
    let server = MockServer::start().await;
    Mock::given(path("/v2/010101/servers"))
        .and(query_param("name", "many"))
        .respond_with(ResponseTemplate::new(300).insert_header("Location", "https://elsewhere.example/v2/010101/servers"))
        .mount(&server)
        .await;
    Mock::given(path("/v2/010101/servers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"servers": []})))
        .mount(&server)
        .await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    // The success body is the list itself, not an Option.
    let list: v2::models::Servers = client.servers_list(&Default::default()).await.unwrap().into_body();
    assert!(list.servers.is_empty());
    let q = v2::client::ServersListQuery { name: Some("many".into()), ..Default::default() };
    match client.servers_list(&q).await {
        Err(e @ ClientError::Redirect { .. }) => {
            let ClientError::Redirect { operation, status, location } = &e else { unreachable!() };
            assert_eq!((*operation, *status), ("v2.servers.list", 300));
            assert_eq!(location.as_deref(), Some("https://elsewhere.example/v2/010101/servers"));
            assert!(e.to_string().contains("answered 300"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}
