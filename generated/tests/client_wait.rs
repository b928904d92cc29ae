//! Polling with generated clients against a stub (wiremock on 127.0.0.1) answering the
//! documented bodies exactly: a wait ended by the embedded fault of Examples 1.53/1.54 (JSON
//! and XML) and of an image, and changes-since polling from the server's `Date`. Waits
//! through real walks, timeouts and polling that sees a change are tested against the
//! provider (`provider/tests/provider/waits.rs`).

// Needs the v2 API.
#![cfg(feature = "v2")]

mod client_support;

use client_support::*;
use cloudservers::v2;
use runtime::client::{ClientError, Format, FormatStyle, StreamExt, WaitOptions};
use std::time::{Duration, UNIX_EPOCH};
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Example 1.54 (a server in ERROR with its fault).
const SERVER: &str = "52415800-8b69-11e0-9b19-734f0000ffff";

/// Example 1.54 with another status and no fault.
fn server_in(status: &str) -> serde_json::Value {
    let mut v = json("v2.example.1.54");
    v["server"]["status"] = status.into();
    v["server"].as_object_mut().unwrap().remove("fault");
    v
}

fn fast() -> WaitOptions {
    WaitOptions { interval: Duration::from_millis(10), timeout: Duration::from_secs(60) }
}

async fn answer_in_turn(server: &MockServer, bodies: Vec<ResponseTemplate>) {
    let p = format!("/v2/010101/servers/{SERVER}");
    let last = bodies.len();
    for (n, body) in bodies.into_iter().enumerate() {
        let m = Mock::given(path(p.as_str())).respond_with(body).with_priority(u8::try_from(n + 1).unwrap());
        let m = if n + 1 < last { m.up_to_n_times(1) } else { m };
        m.mount(server).await;
    }
}

fn ok_json(v: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(v)
}

#[tokio::test]
async fn build_to_error_fails_fast_with_the_embedded_fault() {
    let server = MockServer::start().await;
    answer_in_turn(&server, vec![ok_json(server_in("BUILD")), ok_json(json("v2.example.1.54"))]).await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let e = client.wait_for_server_status(SERVER, v2::models::ServerStatus::Active, fast()).await.unwrap_err();
    let documented = json("v2.example.1.54")["server"]["fault"]["message"].as_str().unwrap().to_string();
    match &e {
        ClientError::Failed { status, fault } => {
            assert_eq!(status, "ERROR");
            let fault = fault.as_ref().expect("the embedded fault");
            assert_eq!(fault.message, documented);
            assert_eq!(fault.code, Some(404));
            assert_eq!(fault.created.as_deref(), Some("2010-08-10T11:59:59Z"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains(&documented), "{e}");
    assert_eq!(requests_to(&server, &format!("/v2/010101/servers/{SERVER}")).await.len(), 2, "no poll after ERROR");
}

#[tokio::test]
async fn build_to_error_in_xml() {
    let server = MockServer::start().await;
    let mut build = text("v2.example.1.53").replace("status=\"ERROR\"", "status=\"BUILD\"");
    let start = build.find("<fault").unwrap();
    let end = build.find("</fault>").unwrap() + "</fault>".len();
    build.replace_range(start..end, "");
    answer_in_turn(
        &server,
        vec![
            ResponseTemplate::new(200).set_body_raw(build, "application/xml"),
            ResponseTemplate::new(200).set_body_raw(text("v2.example.1.53"), "application/xml"),
        ],
    )
    .await;
    let client = v2::client::Client::new(transport(&server, Format::Xml, FormatStyle::Headers));
    match client.wait_for_server_status(SERVER, v2::models::ServerStatus::Active, fast()).await {
        Err(ClientError::Failed { status, fault: Some(f) }) => {
            assert_eq!(status, "ERROR");
            assert_eq!(f.message, "Could not find image 52415800-8b69-11e0-9b19-734f6f007777");
            assert_eq!(f.details.as_deref(), Some("Fault details"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_image_in_error_shows_its_fault() {
    let server = MockServer::start().await;
    let image = json("v2.example.1.56");
    let id = image["image"]["id"].as_str().unwrap().to_string();
    Mock::given(path(format!("/v2/010101/images/{id}").as_str())).respond_with(ok_json(image.clone())).mount(&server).await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let e = client.wait_for_image_status(&id, v2::models::ImageStatus::Active, fast()).await.unwrap_err();
    assert!(e.to_string().contains(image["image"]["fault"]["message"].as_str().unwrap()), "{e}");
}

#[tokio::test]
async fn changes_since_polls_from_the_last_listing() {
    let server = MockServer::start().await;
    let page = json("v2.example.1.19");
    // The first listing asks from `since`; the next from the server's Date of the first.
    Mock::given(path("/v2/010101/images"))
        .and(query_param("changes-since", "2010-08-01T00:00:00Z"))
        .respond_with(ok_json(page.clone()).insert_header("Date", "Sun, 01 Aug 2010 01:00:00 GMT"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/010101/images"))
        .and(query_param("changes-since", "2010-08-01T01:00:00Z"))
        .and(query_param("name", "Backup 2"))
        .respond_with(ok_json(serde_json::json!({"images": []})).insert_header("Date", "Sun, 01 Aug 2010 01:05:00 GMT"))
        .expect(1)
        .mount(&server)
        .await;
    let client = v2::client::Client::new(transport(&server, Format::Json, FormatStyle::Headers));
    let since = UNIX_EPOCH + Duration::from_secs(1_280_620_800);
    let query = v2::client::ImagesListQuery { name: Some("Backup 2".into()), ..Default::default() };
    let listings: Vec<_> = client
        .images_list_changes(&query, since, Duration::from_millis(10))
        .take(2)
        .map(|r| r.unwrap().into_body())
        .collect()
        .await;
    assert_eq!(listings[0].images.len(), 1);
    assert!(listings[1].images.is_empty());
}
