//! Behaviours asked for through the control API: matched by operation, server name and
//! metadata; a fault for the next N matching requests or every one; a create that stalls
//! in its first transient state or ends in its error state.

use cloudservers::v2;
use runtime::client::{IdentityV2, Transport};
use runtime::machines::StateKind;
use serde_json::json;
use std::time::Duration;

const STEP: Duration = Duration::from_secs(5);

/// A provider on a virtual clock with its control API, a v2 client, and plain HTTP.
async fn start() -> (provider::Handle, v2::client::Client, reqwest::Client) {
    let cloud = provider::spawn(provider::Config::default().virtual_clock().step(STEP).control(true)).await.expect("starts");
    let a = cloud.accounts()[0].clone();
    let c = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).build().unwrap());
    (cloud, c, reqwest::Client::new())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behaviours_match_and_react() {
    let (cloud, c, http) = start().await;
    let control = |b: serde_json::Value| {
        let http = http.clone();
        let url = format!("{}{}/behaviours", cloud.base_url(), provider::CONTROL_PREFIX);
        async move { http.post(url).json(&b).send().await.unwrap().status().as_u16() }
    };
    let flavor = c.flavors_list(&Default::default()).await.unwrap().body.flavors[0].id.clone();
    let create = |name: &str, md: &[(&str, &str)]| {
        let mut r = v2::models::CreateServerRequest::default();
        r.name = name.into();
        r.flavor_ref = flavor.clone();
        r.image_ref = "image".into();
        if !md.is_empty() {
            r.metadata = Some(v2::models::Metadata(md.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()));
        }
        r
    };
    let kind = |s: &v2::models::Server| v2::machines::SERVER_STATUS.kind_of(s.status.as_ref().map(|x| x.as_str()).unwrap_or_default());

    assert_eq!(control(json!({"name": "(", "reaction": {"kind": "stalls"}})).await, 400, "a bad pattern is refused");
    assert_eq!(control(json!({"operation": "v2.servers.create", "metadata": {"role": "db"}, "reaction": {"kind": "stalls"}, "times": 1})).await, 200);
    assert_eq!(control(json!({"operation": "v2.servers.create", "name": "^doomed", "reaction": {"kind": "fails"}})).await, 200);
    assert_eq!(control(json!({"operation": "v2.servers.get", "name": "^web-", "reaction": {"kind": "fault", "status": 503}, "times": 2})).await, 200);

    let web = c.servers_create(&create("web-1", &[])).await.unwrap().body.id;
    let db = c.servers_create(&create("db-1", &[("role", "db")])).await.unwrap().body.id;
    let doomed = c.servers_create(&create("doomed-1", &[])).await.unwrap().body.id;
    let doomed2 = c.servers_create(&create("doomed-2", &[])).await.unwrap().body.id;
    cloud.clock().advance(STEP * 10);

    // Two 503s for web-1, then its real answer. (The client retries a 503 by itself, so
    // ask with plain HTTP.)
    let token = c.transport().session().await.and_then(|s| s.token).unwrap();
    let endpoint = c.transport().endpoint().await.unwrap();
    for _ in 0..2 {
        let r = http.get(format!("{endpoint}/servers/{web}")).header("X-Auth-Token", token.expose()).send().await.unwrap();
        assert_eq!(r.status(), 503);
    }
    assert_eq!(kind(&c.servers_get(&web).await.unwrap().body), Some(StateKind::Stable));
    // The db server stays in its first state; doomed servers (every one: no count) fail.
    let s = c.servers_get(&db).await.unwrap().body;
    assert!(v2::machines::SERVER_STATUS.is_initial(s.status.as_ref().unwrap().as_str()));
    for id in [&doomed, &doomed2] {
        let s = c.servers_get(id).await.unwrap().body;
        assert_eq!(kind(&s), Some(StateKind::Error));
        assert!(s.fault.is_some());
    }
    let r = http.delete(format!("{}{}/behaviours", cloud.base_url(), provider::CONTROL_PREFIX)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let fine = c.servers_create(&create("doomed-3", &[])).await.unwrap().body.id;
    cloud.clock().advance(STEP * 10);
    assert_eq!(kind(&c.servers_get(&fine).await.unwrap().body), Some(StateKind::Stable), "behaviours removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_resize_keeps_the_flavor() {
    let (cloud, c, http) = start().await;
    let url = format!("{}{}/behaviours", cloud.base_url(), provider::CONTROL_PREFIX);
    let r = http.post(url).json(&json!({"operation": "v2.servers.resize", "reaction": {"kind": "fails"}})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let flavors = c.flavors_list(&Default::default()).await.unwrap().body.flavors;
    let mut create = v2::models::CreateServerRequest::default();
    create.name = "resized".into();
    create.flavor_ref = flavors[0].id.clone();
    create.image_ref = "image".into();
    let id = c.servers_create(&create).await.unwrap().body.id;
    cloud.clock().advance(STEP * 10);
    let mut resize = v2::models::ResizeAction::default();
    resize.flavor_ref = flavors[1].id.clone();
    c.servers_resize(&id, &resize).await.expect("accepted");
    cloud.clock().advance(STEP * 10);
    let s = c.servers_get(&id).await.unwrap().body;
    // The walk took the machine's error transition of resize, and the flavor is the old one.
    let ended = s.status.as_ref().map(|x| x.as_str().to_string()).unwrap_or_default();
    assert!(v2::machines::SERVER_STATUS.transitions_by("v2.servers.resize").any(|t| t.on_error && t.to == ended), "{ended}");
    assert_eq!(s.flavor.map(|f| f.id), Some(flavors[0].id.clone()));
}
