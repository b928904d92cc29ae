//! RackConnect through the generated client: a server bound to the caller's address
//! reports its automation status, which walks the documented machine and shows in the
//! server's metadata under the key the schema names; text, JSON and XML by `format`;
//! an unbound caller gets the documented 403; the per-minute count then 403.

use cloudservers::{rackconnect, v2};
use runtime::client::{Format, IdentityV2, Transport};
use runtime::machines::StateKind;
use std::time::Duration;

const STEP: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_sees_its_automation_status_walk() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap();
    seed.accounts[0] = seed.accounts[0].clone().automation(true);
    let path = dir.path().join("seed.json");
    std::fs::write(&path, serde_json::to_vec(&seed).unwrap()).unwrap();
    let cloud = provider::spawn(provider::Config::default().virtual_clock().step(STEP).control(true).seed(&path)).await.expect("starts");
    let a = cloud.accounts()[0].clone();
    let compute = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).build().unwrap());
    let flavor = compute.flavors_list(&Default::default()).await.unwrap().body.flavors[0].id.clone();
    let mut req = v2::models::CreateServerRequest::default();
    req.name = "rc".into();
    req.flavor_ref = flavor;
    req.image_ref = "image".into();
    let id = compute.servers_create(&req).await.expect("create").body.id;

    let rc = |format: Format| rackconnect::client::Client::new(Transport::builder().base_url(cloud.host_url("rackconnect").unwrap()).format(format).build().unwrap());
    // Not bound yet: the documented 403.
    let e = rc(Format::Json).automation_status_get(&Default::default()).await.expect_err("unbound");
    assert_eq!(e.fault().map(|f| f.status()), Some(rackconnect::faults::FORBIDDEN.codes[0]));

    let http = reqwest::Client::new();
    let bound = http
        .post(format!("{}{}/bindings", cloud.base_url(), provider::CONTROL_PREFIX))
        .json(&serde_json::json!({"address": "127.0.0.1", "tenant": a.tenant, "server": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(bound.status(), 200);

    let machine = rackconnect::machines::AUTOMATION_STATUS.clone();
    let key = machine.metadata.as_ref().map(|s| s.key.to_string()).expect("the schema names the metadata key");
    let status = rc(Format::Json).automation_status_get(&Default::default()).await.expect("status").body.0;
    assert!(machine.is_initial(status.as_str()), "{status:?}");
    let md = compute.servers_get(&id).await.unwrap().body.metadata.unwrap().0;
    assert_eq!(md.get(&key).map(String::as_str), Some(status.as_str()), "the metadata shows the same status");

    cloud.clock().advance(STEP * 4);
    for format in [Format::Text, Format::Json, Format::Xml] {
        let now = rc(format).automation_status_get(&Default::default()).await.unwrap_or_else(|e| panic!("{format:?}: {e}")).body.0;
        assert_eq!(machine.kind_of(now.as_str()), Some(StateKind::Stable), "{format:?}");
    }
    let text = http.get(format!("{}/v1/automation_status?format=text", cloud.host_url("rackconnect").unwrap())).send().await.unwrap();
    assert!(text.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/plain")));
    let md = compute.servers_get(&id).await.unwrap().body.metadata.unwrap().0;
    assert_eq!(machine.kind_of(md.get(&key).unwrap()), Some(StateKind::Stable));
    assert!(rc(Format::Json).gateway_ip_get(&Default::default()).await.is_ok());
    assert!(!rc(Format::Json).automation_features_get(&Default::default()).await.expect("features").body.0.is_empty());

    // The per-minute count, then its documented status.
    let limit = &rackconnect::limits::RATE_LIMITS[0];
    let mut last = 0;
    for _ in 0..=limit.value {
        last = http.get(format!("{}/v1/gateway_ip", cloud.host_url("rackconnect").unwrap())).send().await.unwrap().status().as_u16();
    }
    assert_eq!(Some(last), limit.exceeded.as_ref().map(|e| e.status));
}
