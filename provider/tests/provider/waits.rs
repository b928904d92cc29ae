//! The generated clients' waiting and polling against the provider on a real clock with
//! short steps: a server through its documented walk to a lasting state, in both formats;
//! a failing build answered with the embedded fault; a stalled one timing out with its
//! last status; an image saved; changes-since polling that sees a change made between
//! two listings.

use cloudservers::v2;
use runtime::client::{ClientError, Format, IdentityV2, StreamExt, Transport, WaitOptions};
use serde_json::json;
use std::time::{Duration, SystemTime};

const STEP: Duration = Duration::from_millis(40);

async fn cloud() -> provider::Handle {
    provider::spawn(provider::Config::default().step(STEP).control(true).rate_limits(false)).await.expect("starts")
}

fn client(cloud: &provider::Handle, format: Format) -> v2::client::Client {
    let a = &cloud.accounts()[0];
    v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).format(format).build().expect("transport"))
}

fn quick() -> WaitOptions {
    WaitOptions { interval: Duration::from_millis(10), timeout: Duration::from_secs(20) }
}

async fn create(c: &v2::client::Client, name: &str) -> String {
    let flavor = c.flavors_list(&Default::default()).await.expect("flavors").body.flavors[0].id.clone();
    let mut r = v2::models::CreateServerRequest::default();
    r.name = name.into();
    r.flavor_ref = flavor;
    r.image_ref = "image".into();
    c.servers_create(&r).await.expect("create").body.id
}

/// A provider, a JSON client, and a server of that name in its lasting state.
async fn active_server(name: &str) -> (provider::Handle, v2::client::Client, String) {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    let id = create(&c, name).await;
    c.wait_for_server_status(&id, active(), quick()).await.expect("active");
    (cloud, c, id)
}

async fn behaviour(cloud: &provider::Handle, b: serde_json::Value) {
    let r = reqwest::Client::new().post(format!("{}{}/behaviours", cloud.base_url(), provider::CONTROL_PREFIX)).json(&b).send().await.expect("control");
    assert_eq!(r.status(), 200);
}

/// The lasting state the documented create walk ends in when it succeeds.
fn active() -> v2::models::ServerStatus {
    let m = &v2::machines::SERVER_STATUS;
    let end = m
        .transitions_by("v2.servers.create")
        .find(|t| !t.on_error && m.kind_of(&t.to) == Some(runtime::machines::StateKind::Stable))
        .expect("a create that ends in a lasting state");
    v2::models::ServerStatus::from(end.to.as_ref())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_is_waited_for_through_its_walk_in_both_formats() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let id = create(&c, "waited").await;
        let s = c.wait_for_server_status(&id, active(), quick()).await.expect("reaches its lasting state");
        assert_eq!(s.status, Some(active()), "{format:?}");
        assert_eq!(s.progress, Some(100), "{format:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_build_ends_the_wait_with_its_fault_and_a_stalled_one_times_out() {
    let cloud = cloud().await;
    behaviour(&cloud, json!({"operation": "v2.servers.create", "name": "^doomed", "reaction": {"kind": "fails"}})).await;
    behaviour(&cloud, json!({"operation": "v2.servers.create", "name": "^stuck", "reaction": {"kind": "stalls"}})).await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let doomed = create(&c, "doomed").await;
        match c.wait_for_server_status(&doomed, active(), quick()).await {
            Err(ClientError::Failed { status, fault }) => {
                assert_eq!(v2::machines::SERVER_STATUS.kind_of(&status), Some(runtime::machines::StateKind::Error), "{format:?}");
                assert!(fault.is_some_and(|f| !f.message.is_empty()), "{format:?}: the embedded fault");
            }
            other => panic!("{format:?}: {other:?}"),
        }
        let stuck = create(&c, "stuck").await;
        let opts = WaitOptions { interval: Duration::from_millis(10), timeout: STEP * 10 };
        match c.wait_for_server_status(&stuck, active(), opts).await {
            Err(ClientError::Timeout { last_status, .. }) => {
                assert!(last_status.as_deref().is_some_and(|s| v2::machines::SERVER_STATUS.is_initial(s)), "{format:?}: {last_status:?}");
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_is_waited_for_until_saved() {
    let (_cloud, c, id) = active_server("imaged").await;
    let mut image = v2::models::CreateImageAction::default();
    image.name = "snap".into();
    let made = c.servers_create_image(&id, &image).await.expect("create image").body;
    let m = &v2::machines::IMAGE_STATUS;
    let saved = m.transitions.iter().find(|t| !t.on_error && m.kind_of(&t.to) == Some(runtime::machines::StateKind::Stable)).map(|t| v2::models::ImageStatus::from(t.to.as_ref())).expect("a lasting image state");
    let i = c.wait_for_image_status(&made.id, saved.clone(), quick()).await.expect("saved");
    assert_eq!(i.status, Some(saved));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_since_polling_sees_a_change_made_between_listings() {
    let (_cloud, c, id) = active_server("polled").await;
    let since = SystemTime::now() - Duration::from_secs(60);
    let mut changes = Box::pin(c.servers_list_detail_changes(&Default::default(), since, Duration::from_millis(1200)));
    let first = changes.next().await.expect("a first listing").expect("listed").into_body();
    assert!(first.servers.iter().any(|s| s.id == id), "the first listing has the server");
    // Changes-since has whole seconds: the rename happens a second after the listing.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut rename = v2::models::UpdateServerRequest::default();
    rename.name = Some("renamed".into());
    c.servers_update(&id, &rename).await.expect("rename");
    let second = changes.next().await.expect("a second listing").expect("listed").into_body();
    let seen: Vec<_> = second.servers.iter().map(|s| (s.id.as_str(), s.name.as_deref())).collect();
    assert!(seen.contains(&(id.as_str(), Some("renamed"))), "{seen:?}");
}
