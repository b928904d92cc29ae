//! The provider through the generated clients: identity (v2.0 by password and API key,
//! v1.0 headers), the seeded flavors and images, a server walked through the documented
//! machine on a virtual clock, the documented faults, both formats, and isolation.

use crate::support;

use cloudservers::v2::machines::SERVER_STATUS;
use cloudservers::{v1_0, v2};
use runtime::client::{Format, IdentityV2, Transport, V1_0};
use runtime::machines::StateKind;
use std::time::Duration;

const STEP: Duration = Duration::from_secs(5);

async fn cloud() -> provider::Handle {
    provider::spawn(provider::Config::default().virtual_clock().step(STEP).control(true)).await.expect("the provider starts")
}

fn client(cloud: &provider::Handle, format: Format) -> v2::client::Client {
    let a = &cloud.accounts()[0];
    let t = Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).format(format).build().expect("a transport");
    v2::client::Client::new(t)
}

fn create_request(cloud: &provider::Handle) -> v2::models::CreateServerRequest {
    let mut r = v2::models::CreateServerRequest::default();
    r.name = "api-test".into();
    r.flavor_ref = cloud_flavor(cloud);
    r.image_ref = "image".into();
    r
}

fn cloud_flavor(_: &provider::Handle) -> String {
    provider::Seed::documented(&schema::Schema::load_default().expect("schema")).expect("seed").flavors[0].id.clone()
}

fn kind(status: &Option<v2::models::ServerStatus>) -> Option<StateKind> {
    SERVER_STATUS.kind_of(status.as_ref().map(|s| s.as_str()).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_walks_the_documented_machine_in_both_formats() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let flavors = c.flavors_list_detail(&Default::default()).await.expect("flavors");
        assert_eq!(flavors.body.flavors.len(), provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap().flavors.len());
        let created = c.servers_create(&create_request(&cloud)).await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(created.status, 202);
        assert!(!created.body.admin_pass.expose().is_empty());
        let id = created.body.id.clone();
        let s = c.servers_get(&id).await.expect("get").body;
        assert!(SERVER_STATUS.is_initial(s.status.as_ref().unwrap().as_str()), "{format:?}: {:?}", s.status);
        assert!(s.os_ext_sts_vm_state.is_some(), "the extended status accompanies the status");

        // Asking for an action in a transient state gets the documented 409 fault.
        let e = c.servers_confirm_resize(&id).await.expect_err("busy");
        assert_eq!(e.fault().map(|f| f.status()), Some(409), "{e}");

        cloud.clock().advance(STEP * 4);
        let s = c.servers_get(&id).await.expect("get").body;
        assert_eq!(kind(&s.status), Some(StateKind::Stable));
        assert_eq!(s.progress, Some(100));

        let mut hard = v2::models::RebootAction::default();
        hard.type_ = Some(v2::models::RebootType::from("HARD"));
        c.servers_reboot(&id, &hard).await.expect("reboot");
        let s = c.servers_get(&id).await.expect("get").body;
        assert_eq!(kind(&s.status), Some(StateKind::Transient));
        // The state is the one of the transition whose condition the request meets.
        let asked = |r: &v2::models::RebootAction| {
            let body = serde_json::to_value(r).unwrap();
            SERVER_STATUS.transitions_by("v2.servers.reboot").find(|t| t.when.as_ref().is_some_and(|w| w.holds(&body))).map(|t| t.to.to_string())
        };
        assert_eq!(s.status.as_ref().map(|x| x.as_str().to_string()), asked(&hard));
        cloud.clock().advance(STEP * 4);
        assert_eq!(kind(&c.servers_get(&id).await.unwrap().body.status), Some(StateKind::Stable));
        // Without a type the reboot is the documented default one, another state.
        let plain = v2::models::RebootAction::default();
        c.servers_reboot(&id, &plain).await.expect("reboot");
        let s = c.servers_get(&id).await.expect("get").body;
        assert_eq!(s.status.as_ref().map(|x| x.as_str().to_string()), asked(&plain));
        assert_ne!(asked(&plain), asked(&hard));
        cloud.clock().advance(STEP * 4);

        let listed = c.servers_list_detail(&Default::default()).await.expect("list").body;
        assert!(listed.servers.iter().any(|s| s.id == id));
        c.servers_delete(&id).await.expect("delete");
        let e = c.servers_get(&id).await.expect_err("gone");
        assert_eq!(e.fault().map(|f| f.status()), Some(404));
        assert_eq!(e.fault().and_then(|f| f.fault().name.clone()).as_deref(), Some(v2::faults::ITEM_NOT_FOUND.name));
    }
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_create_ends_in_error_with_an_embedded_fault() {
    let cloud = cloud().await;
    let http = reqwest::Client::new();
    let queued = http
        .post(format!("{}{}/outcomes", cloud.base_url(), provider::CONTROL_PREFIX))
        .body(r#"{"operation": "v2.servers.create", "outcome": "fails"}"#)
        .send()
        .await
        .expect("control");
    assert_eq!(queued.status(), 200);
    let c = client(&cloud, Format::Json);
    let id = c.servers_create(&create_request(&cloud)).await.expect("create").body.id;
    cloud.clock().advance(STEP * 4);
    let s = c.servers_get(&id).await.expect("get").body;
    assert_eq!(kind(&s.status), Some(StateKind::Error));
    assert!(s.fault.is_some(), "a server in ERROR carries its fault");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_by_api_key_and_v1_0_headers_and_bad_tokens() {
    let cloud = cloud().await;
    let a = &cloud.accounts()[0];
    let by_key = v2::client::Client::new(Transport::builder().auth(IdentityV2::api_key(cloud.identity_url(), &a.username, &a.api_key)).build().unwrap());
    assert!(by_key.flavors_list(&Default::default()).await.is_ok());
    let wrong = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, "wrong")).build().unwrap());
    assert!(wrong.flavors_list(&Default::default()).await.is_err());

    let v1 = v1_0::client::Client::new(Transport::builder().auth(V1_0::new(format!("{}/v1.0", cloud.identity_url()), &a.username, &a.api_key)).build().unwrap());
    let endpoint = v1.transport().endpoint().await.expect("the v1.0 endpoint");
    assert!(endpoint.path().ends_with(&a.tenant), "{endpoint}");

    // No token, and an unknown token: 401 with the documented fault.
    let http = reqwest::Client::new();
    let url = format!("{}/v2/{}/flavors", cloud.host_url("v2").expect("v2"), a.tenant);
    for token in [None, Some("nope")] {
        let mut req = http.get(&url);
        if let Some(t) = token {
            req = req.header("X-Auth-Token", t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body.get(v2::faults::UNAUTHORIZED.name).is_some(), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_documented_faults_never_a_5xx() {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    let endpoint = c.transport().endpoint().await.unwrap().to_string();
    let token = c.transport().session().await.and_then(|s| s.token).map(|t| t.expose().to_string()).expect("a token");
    let http = reqwest::Client::new();
    let cases: [(&str, &str, Option<&str>, &str, u16); 6] = [
        ("POST", "/servers", Some("application/json"), "{", 400),
        ("POST", "/servers", Some("application/json"), r#"{"server": {"name": 1}}"#, 400),
        ("POST", "/servers", Some("text/csv"), "a,b", 415),
        ("POST", "/servers/x/action", Some("application/json"), r#"{"explode": {}}"#, 400),
        ("PATCH", "/servers", None, "", 405),
        ("GET", "/nowhere/%ff%00", None, "", 404),
    ];
    for (method, path, ct, body, want) in cases {
        let mut req = http.request(method.parse().unwrap(), format!("{}{path}", endpoint.trim_end_matches('/'))).header("X-Auth-Token", &token).body(body.to_string());
        if let Some(ct) = ct {
            req = req.header("Content-Type", ct);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status().as_u16(), want, "{method} {path} {body}");
        let doc: serde_json::Value = r.json().await.unwrap_or_else(|e| panic!("{method} {path}: not JSON: {e}"));
        let name = doc.as_object().and_then(|o| o.keys().next()).cloned().unwrap_or_default();
        let fault = v2::faults::FAULTS.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{method} {path}: {doc}"));
        assert!(fault.codes.contains(&want) || fault.more_codes, "{method} {path}: {name} with {want}");
    }
    // A body over the cap.
    let big = "x".repeat(2 << 20);
    let r = http.post(format!("{endpoint}/servers")).header("X-Auth-Token", &token).header("Content-Type", "application/json").body(big).send().await.unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_do_not_see_each_other() {
    let dir = std::env::temp_dir().join(format!("provider-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut seed = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap();
    seed.accounts.push(provider::Account::new("other", "pw2", "key2", "424242"));
    let path = dir.join("seed.json");
    std::fs::write(&path, serde_json::to_vec(&seed).unwrap()).unwrap();
    let cloud = provider::spawn(provider::Config::default().virtual_clock().seed(&path)).await.expect("starts");
    let [a, b] = [&cloud.accounts()[0], &cloud.accounts()[1]];
    let ca = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &a.username, &a.password)).build().unwrap());
    let cb = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), &b.username, &b.password)).build().unwrap());
    let id = ca.servers_create(&create_request(&cloud)).await.expect("create").body.id;
    assert_eq!(cb.servers_get(&id).await.expect_err("not b's").fault().map(|f| f.status()), Some(404));
    assert!(cb.servers_list(&Default::default()).await.unwrap().body.servers.is_empty());
    assert_eq!(ca.servers_list(&Default::default()).await.unwrap().body.servers.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_addresses_images_and_attachments() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let id = c.servers_create(&create_request(&cloud)).await.expect("create").body.id;
        cloud.clock().advance(STEP * 4);
        let md = v2::models::Metadata([("a".to_string(), "1".to_string())].into_iter().collect());
        assert_eq!(c.server_metadata_set(&id, &md).await.expect("set").body, md);
        let item = v2::models::MetaItem([("b".to_string(), "2".to_string())].into_iter().collect());
        c.server_metadata_set_item(&id, "b", &item).await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let listed = c.server_metadata_list(&id).await.expect("list").body;
        assert_eq!(listed.0.len(), 2);
        assert_eq!(c.server_metadata_get_item(&id, "b").await.expect("item").body, item);
        c.server_metadata_delete_item(&id, "a").await.expect("delete item");
        assert_eq!(c.server_metadata_get_item(&id, "a").await.expect_err("gone").fault().map(|f| f.status()), Some(404));

        let ips = c.addresses_list(&id).await.expect("ips").body;
        let (network, addrs) = ips.0.iter().next().expect("a network");
        match c.addresses_list_by_network(&id, network).await.expect("by network").body {
            v2::models::NetworkAddresses::Network(n) => assert_eq!(&n.ip, addrs),
            other => panic!("{other:?}"),
        }

        let mut image = v2::models::CreateImageAction::default();
        image.name = "snap".into();
        let made = c.servers_create_image(&id, &image).await.expect("create image");
        let location = made.headers.get("location").and_then(|v| v.to_str().ok()).map(str::to_string).expect("a Location");
        let image_id = location.rsplit('/').next().unwrap().to_string();
        let saving = c.images_get(&image_id).await.expect("image").body;
        assert!(v2::machines::IMAGE_STATUS.is_initial(saving.status.as_ref().unwrap().as_str()));
        cloud.clock().advance(STEP * 4);
        let saved = c.images_get(&image_id).await.expect("image").body;
        assert_eq!(v2::machines::IMAGE_STATUS.kind_of(saved.status.as_ref().unwrap().as_str()), Some(StateKind::Stable));
        assert_eq!(saved.server.map(|s| s.id), Some(id.clone()));
        c.images_delete(&image_id).await.expect("delete image");
        assert_eq!(c.images_get(&image_id).await.expect_err("gone").fault().map(|f| f.status()), Some(404));

        let mut attach = v2::models::AttachVolumeRequest::default();
        attach.volume_id = "521752a6-acf6-4b2d-bc7a-119f9148cd8c".into();
        attach.device = Some("/dev/xvdb".into());
        let a = c.volume_attachments_create(&id, &attach).await.expect("attach").body;
        assert_eq!(c.volume_attachments_list(&id).await.expect("list").body.volume_attachments, vec![a.clone()]);
        c.volume_attachments_delete(&id, &a.id).await.expect("detach");
        assert!(c.volume_attachments_get(&id, &a.id).await.is_err());

        let versions = c.versions_list().await.expect("versions").body;
        assert!(!versions.versions.is_empty());
        let ext = c.extensions_list().await.expect("extensions").body.extensions;
        let alias = ext.first().map(|e| e.alias.clone()).expect("an extension");
        assert_eq!(c.extensions_get(&alias).await.expect("extension").body.alias, alias);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_after_the_documented_lifetime() {
    let cloud = cloud().await;
    let a = &cloud.accounts()[0];
    let http = reqwest::Client::new();
    let (token, endpoint) = support::token_and_endpoint(&http, &cloud, a).await;
    let url = format!("{endpoint}/flavors");
    let get = || http.get(&url).header("X-Auth-Token", &token).send();
    assert_eq!(get().await.unwrap().status(), 200);
    let hours = cloudservers::identity::limits::TOKEN_LIFETIME.hours.expect("documented");
    cloud.clock().advance(Duration::from_secs(hours * 3600 - 60));
    assert_eq!(get().await.unwrap().status(), 200, "still valid a minute before");
    cloud.clock().advance(Duration::from_secs(120));
    assert_eq!(get().await.unwrap().status(), 401, "expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_interrupts_any_walk_and_other_operations_wait() {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    // Deleted while it builds: the documents let a server be deleted in any state.
    let building = c.servers_create(&create_request(&cloud)).await.expect("create").body.id;
    assert_eq!(kind(&c.servers_get(&building).await.expect("get").body.status), Some(StateKind::Transient));
    assert!(SERVER_STATUS.transitions_by("v2.servers.delete").any(|t| SERVER_STATUS.kind_of(&t.from) == Some(StateKind::Transient)));
    c.servers_delete(&building).await.expect("delete while building");
    let e = c.servers_get(&building).await.expect_err("gone at once");
    assert_eq!(e.fault().map(|f| f.status()), Some(404), "{e}");
    // Time passing does not bring it back by finishing the build.
    cloud.clock().advance(STEP * 4);
    assert!(c.servers_get(&building).await.is_err());

    // An operation without a transition out of a transient state is refused there, and
    // the same operation again is refused while its walk is under way.
    let id = c.servers_create(&create_request(&cloud)).await.expect("create").body.id;
    cloud.clock().advance(STEP * 4);
    let hard = {
        let mut r = v2::models::RebootAction::default();
        r.type_ = Some(v2::models::RebootType::from("HARD"));
        r
    };
    c.servers_reboot(&id, &hard).await.expect("reboot");
    let again = c.servers_reboot(&id, &hard).await.expect_err("already rebooting");
    assert_eq!(again.fault().map(|f| f.status()), Some(409), "{again}");
    c.servers_delete(&id).await.expect("delete while rebooting");
    assert!(c.servers_get(&id).await.is_err());
}
