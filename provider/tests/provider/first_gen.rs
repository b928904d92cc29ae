//! Cloud Servers v1.0 on the provider, through the generated v1.0 client in JSON and XML:
//! servers walked through the documented machine on a virtual clock (build, reboot,
//! resize with confirm and revert, password change, rebuild), the documented faults
//! (404, 409, 400, 403), images walked through the image machine, backup schedules,
//! shared IP groups with shared addresses, and the documents' flavors, images, versions
//! and limits.

use cloudservers::v1_0;
use cloudservers::v1_0::machines::{IMAGE_STATUS, SERVER_STATUS};
use runtime::client::{Format, Transport, V1_0};
use runtime::machines::StateKind;
use schema::examples::{Direction, ExampleFormat};
use std::time::Duration;
use v1_0::models as m;

const STEP: Duration = Duration::from_secs(5);

async fn cloud() -> provider::Handle {
    provider::spawn(provider::Config::default().virtual_clock().step(STEP)).await.expect("the provider starts")
}

fn client(cloud: &provider::Handle, format: Format) -> v1_0::client::Client {
    let a = &cloud.accounts()[0];
    let auth = V1_0::new(format!("{}/v1.0", cloud.identity_url()), &a.username, &a.api_key);
    v1_0::client::Client::new(Transport::builder().auth(auth).format(format).build().expect("a transport"))
}

/// The schema, loaded once for every test.
fn schema() -> &'static schema::Schema {
    static SCHEMA: std::sync::OnceLock<schema::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| schema::Schema::load_default().expect("the schema"))
}

/// The documented JSON response of the v1.0 operation `op`, read as `T` from inside `wrap`.
fn documented<T: serde::de::DeserializeOwned>(op: &str, wrap: Option<&str>) -> T {
    let e = schema()
        .examples
        .iter()
        .find(|e| e.operation == op && e.direction == Direction::Response && e.format == ExampleFormat::Json)
        .unwrap_or_else(|| panic!("no example of {op}"));
    let body = e.body.clone().expect("a body");
    let inner = match wrap {
        Some(w) => body.get(w).cloned().expect("the wrap key"),
        None => body,
    };
    serde_json::from_value(inner).expect("the example reads as the model")
}

fn flavors() -> Vec<m::Flavor> {
    documented::<m::FlavorsDetail>("v1.0.flavors.list-detail", None).flavors
}

/// A documented image servers can be built from.
fn active_image() -> i64 {
    let images = documented::<m::ImagesDetail>("v1.0.images.list-detail", None).images;
    images.iter().find(|i| IMAGE_STATUS.kind_of(i.status.as_str()) == Some(StateKind::Stable)).expect("an active image").id
}

fn create_request(name: &str) -> m::CreateServerRequest {
    m::CreateServerRequest::new(name, active_image(), flavors()[0].id)
}

fn kind(s: &m::Server) -> Option<StateKind> {
    SERVER_STATUS.kind_of(s.status.as_str())
}

fn status<E: runtime::faults::FaultError>(e: &runtime::client::ClientError<E>) -> Option<u16> {
    e.fault().map(|f| f.fault().status)
}

fn fault_name<E: runtime::faults::FaultError>(e: &runtime::client::ClientError<E>) -> Option<String> {
    e.fault().and_then(|f| f.fault().name.clone())
}

async fn server(c: &v1_0::client::Client, id: i64) -> m::Server {
    c.servers_get(id).await.unwrap_or_else(|e| panic!("get {id}: {e}")).body
}

/// A new server, walked to its stable state.
async fn active_server(cloud: &provider::Handle, c: &v1_0::client::Client, name: &str) -> m::Server {
    let id = c.servers_create(&create_request(name)).await.expect("create").body.id;
    cloud.clock().advance(STEP * 4);
    let s = server(c, id).await;
    assert_eq!(kind(&s), Some(StateKind::Stable), "{:?}", s.status);
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_walks_the_v1_0_machine_in_both_formats() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let mut req = create_request("v1-test");
        req.metadata = Some(m::Metadata([("role".to_string(), "web".to_string())].into_iter().collect()));
        let created = c.servers_create(&req).await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(created.status, 202);
        let adm = created.body.admin_pass.as_ref().map(|p| p.expose().to_string()).unwrap_or_default();
        assert!(!adm.is_empty(), "the create answer carries the password");
        assert!(SERVER_STATUS.is_initial(created.body.status.as_str()), "{:?}", created.body.status);
        let id = created.body.id;

        let s = server(&c, id).await;
        assert!(SERVER_STATUS.is_initial(s.status.as_str()), "{format:?}: {:?}", s.status);
        assert!(s.admin_pass.is_none(), "later reads never return the password");
        assert_eq!(s.metadata.as_ref().and_then(|md| md.0.get("role")).map(String::as_str), Some("web"));
        assert_eq!(s.flavor_id, flavors()[0].id);
        assert!(s.progress.is_some_and(|p| p < 100));

        // An action the machine has no transition for while building: 409.
        let e = c.servers_reboot(id, &m::RebootAction::new("SOFT")).await.expect_err("busy");
        assert_eq!(status(&e), Some(409), "{e}");
        assert_eq!(fault_name(&e).as_deref(), Some(v1_0::faults::BUILD_IN_PROGRESS.name));

        cloud.clock().advance(STEP * 4);
        let s = server(&c, id).await;
        assert_eq!(kind(&s), Some(StateKind::Stable));
        assert_eq!(s.progress, Some(100));
        assert_eq!(s.addresses.public.len(), 1);
        assert_eq!(s.addresses.private.len(), 1);

        // Each reboot type passes through the state of the transition its request asks for.
        let asked = |r: &m::RebootAction| {
            let body = serde_json::to_value(r).unwrap();
            SERVER_STATUS.transitions_by("v1.0.servers.reboot").find(|t| t.when.as_ref().is_some_and(|w| w.holds(&body))).map(|t| t.to.to_string())
        };
        let (hard, soft) = (m::RebootAction::new("HARD"), m::RebootAction::new("SOFT"));
        assert_ne!(asked(&hard), asked(&soft));
        c.servers_reboot(id, &hard).await.expect("reboot");
        let s = server(&c, id).await;
        assert_eq!(kind(&s), Some(StateKind::Transient));
        assert_eq!(Some(s.status.as_str().to_string()), asked(&hard));
        cloud.clock().advance(STEP * 4);
        c.servers_reboot(id, &soft).await.expect("reboot");
        let s = server(&c, id).await;
        assert_eq!(Some(s.status.as_str().to_string()), asked(&soft));
        cloud.clock().advance(STEP * 4);

        // Resize: the queued and prepared states, then the one confirm-resize leaves.
        let before = server(&c, id).await.status;
        let to = flavors()[1].id;
        c.servers_resize(id, &m::ResizeAction::new(to)).await.expect("resize");
        let s = server(&c, id).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.servers.resize").any(|t| t.from == before.as_str() && t.to == s.status.as_str() && !t.on_error));
        cloud.clock().advance(STEP * 4);
        let s = server(&c, id).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.servers.confirm-resize").any(|t| t.from == s.status.as_str()), "{:?}", s.status);
        assert_eq!(s.flavor_id, to);
        let e = c.servers_resize(id, &m::ResizeAction::new(flavors()[0].id)).await.expect_err("awaiting confirmation");
        assert_eq!(status(&e), Some(409));
        let confirmed = c.servers_confirm_resize(id).await.expect("confirm");
        assert_eq!(confirmed.status, 204);
        let s = server(&c, id).await;
        assert_eq!(kind(&s), Some(StateKind::Stable));
        assert!(!SERVER_STATUS.transitions_by("v1.0.servers.confirm-resize").any(|t| t.from == s.status.as_str()));
        assert_eq!(s.flavor_id, to, "a confirmed resize keeps the new flavor");
        let e = c.servers_confirm_resize(id).await.expect_err("nothing to confirm");
        assert_eq!(status(&e), Some(409));

        let listed = c.servers_list(&Default::default()).await.expect("list").body.expect("a body");
        assert!(listed.servers.iter().any(|s| s.id == id && s.name == "v1-test"));
        let detail = c.servers_list_detail(&Default::default()).await.expect("list").body.expect("a body");
        assert!(detail.servers.iter().any(|s| s.id == id && s.flavor_id == to));

        c.servers_delete(id).await.expect("delete");
        let e = c.servers_get(id).await.expect_err("gone");
        assert_eq!(status(&e), Some(404));
        assert_eq!(fault_name(&e).as_deref(), Some(v1_0::faults::ITEM_NOT_FOUND.name));
        let listed = c.servers_list(&Default::default()).await.expect("list").body.expect("a body");
        assert!(!listed.servers.iter().any(|s| s.id == id));
    }
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_servers_are_404_and_ids_count_up() {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    let e = c.servers_get(987_654).await.expect_err("unknown");
    assert_eq!(status(&e), Some(404));
    assert_eq!(fault_name(&e).as_deref(), Some(v1_0::faults::ITEM_NOT_FOUND.name));
    let e = c.servers_delete(987_654).await.expect_err("unknown");
    assert_eq!(status(&e), Some(404));
    let e = c.addresses_list(987_654).await.expect_err("unknown");
    assert_eq!(status(&e), Some(404));
    let a = c.servers_create(&create_request("a")).await.expect("create").body.id;
    let b = c.servers_create(&create_request("b")).await.expect("create").body.id;
    assert!(b > a, "{a} then {b}");
    // Deleting while building: the machine has no transition for it.
    let e = c.servers_delete(a).await.expect_err("building");
    assert_eq!(status(&e), Some(409));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_name_rebuild_and_revert() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let s = active_server(&cloud, &c, "before").await;
        let id = s.id;

        c.servers_update(id, &m::UpdateServerRequest::new().name("after")).await.expect("rename");
        let s = server(&c, id).await;
        assert_eq!(s.name, "after");
        assert_eq!(kind(&s), Some(StateKind::Stable), "a new name does not walk");

        c.servers_update(id, &m::UpdateServerRequest::new().admin_pass(runtime::Secret::new("n3w-pass".to_string()))).await.expect("password");
        let s = server(&c, id).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.servers.update").any(|t| t.to == s.status.as_str() && SERVER_STATUS.kind_of(&t.to) == Some(StateKind::Transient)), "{:?}", s.status);
        let e = c.servers_update(id, &m::UpdateServerRequest::new().admin_pass(runtime::Secret::new("again".to_string()))).await.expect_err("busy");
        assert_eq!(status(&e), Some(409));
        cloud.clock().advance(STEP * 4);
        assert_eq!(kind(&server(&c, id).await), Some(StateKind::Stable));

        c.servers_rebuild(id, &m::RebuildAction::new().image_id(active_image())).await.expect("rebuild");
        let s = server(&c, id).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.servers.rebuild").any(|t| t.to == s.status.as_str() && !t.on_error), "{:?}", s.status);
        let e = c.servers_rebuild(id, &m::RebuildAction::new()).await.expect_err("busy");
        assert_eq!(status(&e), Some(409));
        cloud.clock().advance(STEP * 4);
        assert_eq!(kind(&server(&c, id).await), Some(StateKind::Stable));

        let from = s.flavor_id;
        let e = c.servers_resize(id, &m::ResizeAction::new(from)).await.expect_err("same flavor");
        assert_eq!(status(&e), Some(403));
        assert_eq!(fault_name(&e).as_deref(), Some(v1_0::faults::RESIZE_NOT_ALLOWED.name));
        let to = flavors().iter().map(|f| f.id).find(|f| *f != from).expect("another flavor");
        c.servers_resize(id, &m::ResizeAction::new(to)).await.expect("resize");
        cloud.clock().advance(STEP * 4);
        assert_eq!(server(&c, id).await.flavor_id, to);
        c.servers_revert_resize(id).await.expect("revert");
        let s = server(&c, id).await;
        assert_eq!(s.flavor_id, from, "a reverted resize restores the flavor");
        assert_eq!(kind(&s), Some(StateKind::Stable));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_walks_the_image_machine() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let building = c.servers_create(&create_request("img-src")).await.expect("create").body.id;
        let e = c.images_create(&m::CreateImageRequest::new(building, "too soon")).await.expect_err("building");
        assert_eq!(status(&e), Some(409));
        let e = c.images_create(&m::CreateImageRequest::new(987_654, "nobody")).await.expect_err("unknown");
        assert_eq!(status(&e), Some(404));

        cloud.clock().advance(STEP * 4);
        let name = format!("snapshot-{format:?}");
        let created = c.images_create(&m::CreateImageRequest::new(building, name.clone())).await.expect("image");
        assert_eq!(created.status, 202);
        let id = created.body.id;
        assert_eq!(created.body.server_id, Some(building));
        assert!(IMAGE_STATUS.is_initial(created.body.status.as_str()), "{:?}", created.body.status);
        let e = c.images_create(&m::CreateImageRequest::new(building, "second")).await.expect_err("one at a time");
        assert_eq!(status(&e), Some(409));
        assert_eq!(fault_name(&e).as_deref(), Some(v1_0::faults::BACKUP_OR_RESIZE_IN_PROGRESS.name));

        // Every state seen is reached by a documented transition, ending in a stable one.
        let mut seen = vec![created.body.status.as_str().to_string()];
        for _ in 0..6 {
            cloud.clock().advance(STEP);
            let i = c.images_get(id).await.expect("get").body;
            if seen.last().map(String::as_str) != Some(i.status.as_str()) {
                seen.push(i.status.as_str().to_string());
            }
        }
        for w in seen.windows(2) {
            assert!(IMAGE_STATUS.can_transition(&w[0], &w[1]), "{seen:?}");
        }
        assert!(seen.len() >= 4, "{seen:?}");
        assert_eq!(seen.last().and_then(|s| IMAGE_STATUS.kind_of(s)), Some(StateKind::Stable), "{seen:?}");
        let detail = c.images_list_detail(&Default::default()).await.expect("list").body.expect("a body");
        assert!(detail.images.iter().any(|i| i.id == id && i.name == name && i.progress == Some(100)));

        // A server can be built from it.
        let mut req = create_request("from-image");
        req.image_id = id;
        let s = c.servers_create(&req).await.expect("from the image").body;
        assert_eq!(s.image_id, id);
        let e = c.images_get(987_654).await.expect_err("unknown");
        assert_eq!(status(&e), Some(404));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_schedules_round_trip() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let id = active_server(&cloud, &c, "backed-up").await.id;
        let none = c.backup_schedule_get(id).await.expect("get").body;
        assert!(!none.enabled);
        assert!(none.weekly.is_none() && none.daily.is_none());
        let schedule = m::BackupSchedule::new(true).weekly(m::WeeklyBackup::Thursday).daily(m::DailyBackup::from("H_0400_0600"));
        assert_eq!(c.backup_schedule_set(id, &schedule).await.expect("set").status, 204);
        assert_eq!(c.backup_schedule_get(id).await.expect("get").body, schedule);
        c.backup_schedule_delete(id).await.expect("disable");
        let off = c.backup_schedule_get(id).await.expect("get").body;
        assert!(!off.enabled);
        assert!(off.weekly.is_none());
        let e = c.backup_schedule_get(987_654).await.expect_err("unknown");
        assert_eq!(status(&e), Some(404));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_ip_groups_and_shared_addresses() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let a = active_server(&cloud, &c, "first").await;
        let group = c.shared_ip_groups_create(&m::CreateSharedIpGroupRequest::new("group").server(a.id)).await.expect("create").body;
        assert_eq!(group.servers, vec![a.id]);
        assert_eq!(group.name, "group");
        let got = c.shared_ip_groups_get(group.id).await.expect("get").body;
        assert_eq!(got, group);
        let listed = c.shared_ip_groups_list(&Default::default()).await.expect("list").body.expect("a body");
        assert!(listed.shared_ip_groups.iter().any(|g| g.id == group.id));

        let mut req = create_request("second");
        req.shared_ip_group_id = Some(group.id);
        let b = c.servers_create(&req).await.expect("create in the group").body.id;
        cloud.clock().advance(STEP * 4);
        let detail = c.shared_ip_groups_list_detail(&Default::default()).await.expect("list").body.expect("a body");
        let members = detail.shared_ip_groups.iter().find(|g| g.id == group.id).map(|g| g.servers.clone()).unwrap_or_default();
        assert_eq!(members, vec![a.id, b]);

        let address = a.addresses.public[0].clone();
        c.addresses_share(b, &address, &m::ShareIpRequest::new(group.id)).await.expect("share");
        let s = server(&c, b).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.addresses.share").any(|t| t.to == s.status.as_str()), "{:?}", s.status);
        let extends = |t: &runtime::machines::Transition| t.to != s.status.as_str() && s.status.as_str().starts_with(t.to.as_ref());
        assert!(SERVER_STATUS.transitions_by("v1.0.addresses.share").any(extends), "not configuring the server (the default) has its own state: {:?}", s.status);
        cloud.clock().advance(STEP * 4);
        let public = c.addresses_list_public(b).await.expect("public").body;
        assert!(public.0.contains(&address), "{public:?}");
        let e = c.shared_ip_groups_delete(group.id).await.expect_err("sharing");
        assert_eq!(status(&e), Some(400));

        c.addresses_unshare(b, &address).await.expect("unshare");
        let s = server(&c, b).await;
        assert!(SERVER_STATUS.transitions_by("v1.0.addresses.unshare").any(|t| t.to == s.status.as_str()), "{:?}", s.status);
        cloud.clock().advance(STEP * 4);
        assert!(!c.addresses_list(b).await.expect("addresses").body.public.contains(&address));
        let e = c.addresses_unshare(b, &address).await.expect_err("no longer shared");
        assert_eq!(status(&e), Some(404));

        assert_eq!(c.shared_ip_groups_delete(group.id).await.expect("delete").status, 204);
        let e = c.shared_ip_groups_get(group.id).await.expect_err("gone");
        assert_eq!(status(&e), Some(404));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flavors_images_versions_and_limits_are_the_documents() {
    let cloud = cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let detail = c.flavors_list_detail(&Default::default()).await.expect("flavors").body.expect("a body");
        assert_eq!(detail.flavors, flavors());
        let summaries = c.flavors_list(&Default::default()).await.expect("flavors").body.expect("a body");
        assert_eq!(summaries.flavors.iter().map(|f| f.id).collect::<Vec<_>>(), flavors().iter().map(|f| f.id).collect::<Vec<_>>());
        let one = c.flavors_get(flavors()[1].id).await.expect("flavor").body;
        assert_eq!(one, flavors()[1]);
        let e = c.flavors_get(987_654).await.expect_err("unknown");
        assert_eq!(status(&e), Some(404));

        let documented_images = documented::<m::ImagesDetail>("v1.0.images.list-detail", None).images;
        let images = c.images_list_detail(&Default::default()).await.expect("images").body.expect("a body");
        assert_eq!(images.images, documented_images);
        let image = c.images_get(documented_images[0].id).await.expect("image").body;
        assert_eq!(image, documented_images[0]);

        let versions = c.versions_list().await.expect("versions").body;
        assert_eq!(versions, documented::<m::Versions>("v1.0.versions.list", None));
        let version = c.versions_get().await.expect("version").body;
        assert_eq!(version, documented::<m::Version>("v1.0.versions.get", Some("version")));

        let limits = c.limits_get().await.expect("limits").body;
        assert_eq!(limits.rate.len(), v1_0::limits::RATE_LIMITS.len());
        for l in v1_0::limits::RATE_LIMITS {
            assert!(limits.rate.iter().any(|r| r.verb == l.verb && r.uri == l.uri && r.value == l.value as i64 && r.unit.as_str() == l.unit.as_str()), "{}", l.id);
        }
        for l in v1_0::limits::ABSOLUTE_LIMITS {
            assert_eq!(limits.absolute.0.get(l.name.as_ref()).copied(), l.value, "{}", l.id);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_written_in_the_format_asked_for() {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    let id = c.servers_create(&create_request("formats")).await.expect("create").body.id;
    let endpoint = c.transport().endpoint().await.expect("endpoint").to_string();
    let token = c.transport().session().await.and_then(|s| s.token).map(|t| t.expose().to_string()).expect("a token");
    let http = reqwest::Client::new();
    let url = format!("{}/servers/{id}", endpoint.trim_end_matches('/'));
    let xml = http.get(&url).header("X-Auth-Token", &token).header("Accept", "application/xml").send().await.expect("sent");
    assert_eq!(xml.status(), 200);
    assert_eq!(xml.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/xml"));
    let text = xml.text().await.expect("a body");
    assert!(text.contains("<server") && text.contains(&format!("id=\"{id}\"")), "{text}");
    let json: serde_json::Value = http.get(format!("{url}.json")).header("X-Auth-Token", &token).send().await.expect("sent").json().await.expect("JSON");
    assert_eq!(json.get("server").and_then(|s| s.get("id")).and_then(serde_json::Value::as_i64), Some(id), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_documented_faults() {
    let cloud = cloud().await;
    let c = client(&cloud, Format::Json);
    let e = c.servers_create(&m::CreateServerRequest::new("x", active_image(), 987_654)).await.expect_err("unknown flavor");
    assert_eq!(status(&e), Some(400));
    let e = c.servers_create(&m::CreateServerRequest::new("x", 987_654, flavors()[0].id)).await.expect_err("unknown image");
    assert_eq!(status(&e), Some(400));

    let endpoint = c.transport().endpoint().await.expect("endpoint").to_string();
    let token = c.transport().session().await.and_then(|s| s.token).map(|t| t.expose().to_string()).expect("a token");
    let http = reqwest::Client::new();
    let too_much_metadata: serde_json::Map<String, serde_json::Value> = (0..6).map(|i| (format!("k{i}"), serde_json::json!("v"))).collect();
    let body = serde_json::json!({"server": {"name": "x", "imageId": active_image(), "flavorId": flavors()[0].id, "metadata": too_much_metadata}});
    let cases: [(&str, &str, String, u16); 5] = [
        ("POST", "/servers", "{".to_string(), 400),
        ("POST", "/servers", r#"{"server": {"name": "x"}}"#.to_string(), 400),
        ("POST", "/servers", body.to_string(), 400),
        ("POST", "/shared_ip_groups", r#"{"sharedIpGroup": {"name": "g", "server": 987654}}"#.to_string(), 400),
        ("GET", "/servers/not-a-number", String::new(), 404),
    ];
    for (method, path, body, want) in cases {
        let r = http
            .request(method.parse().expect("a method"), format!("{}{path}", endpoint.trim_end_matches('/')))
            .header("X-Auth-Token", &token)
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status().as_u16(), want, "{method} {path} {body}");
        let doc: serde_json::Value = r.json().await.expect("a JSON fault");
        let name = doc.as_object().and_then(|o| o.keys().next()).cloned().unwrap_or_default();
        let fault = v1_0::faults::FAULTS.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("{method} {path}: {doc}"));
        assert!(fault.codes.contains(&want), "{method} {path}: {name} with {want}");
    }
}

/// A provider without rate limits: the polling tests ask for changes more often than the
/// documented changes-since limit allows.
async fn unlimited_cloud() -> provider::Handle {
    provider::spawn(provider::Config::default().virtual_clock().step(STEP).rate_limits(false)).await.expect("the provider starts")
}

/// The endpoint and token of a client, for the requests the client cannot express.
async fn raw(c: &v1_0::client::Client) -> (String, String) {
    let endpoint = c.transport().endpoint().await.expect("endpoint").to_string().trim_end_matches('/').to_string();
    let token = c.transport().session().await.and_then(|s| s.token).map(|t| t.expose().to_string()).expect("a token");
    (endpoint, token)
}

/// A raw GET on the endpoint: its status and the name of its fault document, if any.
async fn raw_get(endpoint: &str, token: &str, path: &str) -> (u16, Option<String>) {
    let r = reqwest::Client::new().get(format!("{endpoint}{path}")).header("X-Auth-Token", token).send().await.expect("sent");
    let status = r.status().as_u16();
    let doc: Option<serde_json::Value> = r.json().await.ok();
    (status, doc.and_then(|d| d.as_object().and_then(|o| o.keys().next().cloned())))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_by_the_documented_size_and_offset() {
    let p = &v1_0::limits::PAGINATION;
    assert!(p.applies_to.iter().any(|o| o == "v1.0.servers.list-detail"));
    let cloud = unlimited_cloud().await;
    for format in [Format::Json, Format::Xml] {
        let c = client(&cloud, format);
        let before: Vec<i64> = c.servers_list(&Default::default()).await.expect("list").body.expect("a body").servers.iter().map(|s| s.id).collect();
        let mut ids = before.clone();
        for i in 0..5 {
            ids.push(c.servers_create(&create_request(&format!("page-{i}"))).await.expect("create").body.id);
        }
        let n = i64::try_from(before.len()).expect("a count");
        let q = v1_0::client::ServersListDetailQuery { limit: Some(2), offset: Some(n + 1), ..Default::default() };
        let page = c.servers_list_detail(&q).await.expect("a page").body.expect("a body");
        assert_eq!(page.servers.iter().map(|s| s.id).collect::<Vec<_>>(), ids[before.len() + 1..before.len() + 3], "{format:?}");
        // Past the end: an empty list, never itemNotFound.
        let q = v1_0::client::ServersListQuery { offset: Some(n + 100), ..Default::default() };
        let past = c.servers_list(&q).await.expect("past the end");
        assert_eq!(past.status, 200);
        assert!(past.body.expect("a body").servers.is_empty());
        // Above the maximum, with no fault documented for it: at most the maximum.
        let q = v1_0::client::ServersListQuery { limit: Some(i64::try_from(p.max).expect("max") + 1), ..Default::default() };
        assert_eq!(c.servers_list(&q).await.expect("above the maximum").body.expect("a body").servers.len(), ids.len());
        // The client's offset paging walks every page.
        let q = v1_0::client::ServersListQuery { limit: Some(2), ..Default::default() };
        let all: Vec<i64> = runtime::client::StreamExt::collect::<Vec<_>>(c.servers_list_items(&q)).await.into_iter().map(|s| s.expect("an item").id).collect();
        assert_eq!(all, ids, "{format:?}");
    }
    let c = client(&cloud, Format::Json);
    // The documents' flavors page too, as do images and shared IP groups.
    let q = v1_0::client::FlavorsListDetailQuery { limit: Some(1), offset: Some(1), ..Default::default() };
    let f = c.flavors_list_detail(&q).await.expect("flavors").body.expect("a body").flavors;
    assert_eq!(f, flavors()[1..2]);
    let q = v1_0::client::ImagesListQuery { limit: Some(1), ..Default::default() };
    assert_eq!(c.images_list(&q).await.expect("images").body.expect("a body").images.len(), 1);
    for name in ["g1", "g2", "g3"] {
        c.shared_ip_groups_create(&m::CreateSharedIpGroupRequest::new(name)).await.expect("a group");
    }
    let q = v1_0::client::SharedIpGroupsListQuery { limit: Some(1), offset: Some(2), ..Default::default() };
    let g = c.shared_ip_groups_list(&q).await.expect("groups").body.expect("a body").shared_ip_groups;
    assert_eq!(g.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["g3"]);

    // A size or offset that is not a whole number is the operation's 400 fault.
    let (endpoint, token) = raw(&c).await;
    let offset = p.offset_param.as_deref().expect("an offset parameter");
    for query in [format!("{}=many", p.size_param), format!("{}=-1", p.size_param), format!("{offset}=first")] {
        let (status, name) = raw_get(&endpoint, &token, &format!("/servers?{query}")).await;
        assert_eq!(status, 400, "{query}");
        let fault = v1_0::faults::FAULTS.iter().find(|f| Some(f.name) == name.as_deref()).unwrap_or_else(|| panic!("{query}: {name:?}"));
        assert!(fault.codes.contains(&400));
    }
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_since_lists_changes_deletions_and_not_modified() {
    let c_rule = &v1_0::limits::CHANGES_SINCE;
    let not_modified = c_rule.not_modified_status.expect("a documented not-modified status");
    let cloud = unlimited_cloud().await;
    let c = client(&cloud, Format::Json);
    let old = active_server(&cloud, &c, "old").await.id;
    let busy = active_server(&cloud, &c, "busy").await.id;
    // A server whose build ends, unobserved, before the time asked from.
    let quiet = c.servers_create(&create_request("quiet")).await.expect("create").body.id;
    cloud.clock().advance(STEP * 4);
    // A reboot that starts before the time and ends after it.
    c.servers_reboot(busy, &m::RebootAction::new("SOFT")).await.expect("reboot");
    let since = cloud.clock().now().as_second() + 1;
    cloud.clock().advance(Duration::from_secs(2));

    // Nothing changed since then but the reboot's end, which comes later.
    let q = v1_0::client::ServersListQuery { changes_since: Some(since), ..Default::default() };
    let r = c.flavors_list(&v1_0::client::FlavorsListQuery { changes_since: Some(since), ..Default::default() }).await.expect("flavors");
    assert_eq!((r.status, r.body.is_none()), (not_modified, true), "the documents' flavors never change");
    let r = c.images_list(&v1_0::client::ImagesListQuery { changes_since: Some(since), ..Default::default() }).await.expect("images");
    assert_eq!((r.status, r.body.is_none()), (not_modified, true), "nor do the documents' images");
    let r = c.shared_ip_groups_list(&v1_0::client::SharedIpGroupsListQuery { changes_since: Some(since), ..Default::default() }).await.expect("groups");
    assert_eq!(r.status, not_modified);
    cloud.clock().advance(STEP * 4);

    let new = c.servers_create(&create_request("new")).await.expect("create").body.id;
    c.servers_delete(old).await.expect("delete");
    let group = c.shared_ip_groups_create(&m::CreateSharedIpGroupRequest::new("later")).await.expect("group").body.id;
    let q_detail = v1_0::client::ServersListDetailQuery { changes_since: Some(since), ..Default::default() };
    let changed = c.servers_list_detail(&q_detail).await.expect("changes").body.expect("a body").servers;
    let mut ids: Vec<i64> = changed.iter().map(|s| s.id).collect();
    ids.sort_unstable();
    let mut want = vec![old, busy, new];
    want.sort_unstable();
    assert_eq!(ids, want, "quiet ({quiet}) changed before the time");
    // The deleted server is among the changes, in the machine's terminal state (the
    // table keeps deletions for {:?} days: none given, always).
    let deleted = changed.iter().find(|s| s.id == old).expect("the deleted server");
    assert_eq!(SERVER_STATUS.kind_of(deleted.status.as_str()), Some(StateKind::Terminal), "{:?}", c_rule.retention_days);
    let summaries = c.servers_list(&q).await.expect("changes").body.expect("a body").servers;
    assert_eq!(summaries.len(), 3);
    // Without changes-since, the deleted server is gone.
    let live: Vec<i64> = c.servers_list(&Default::default()).await.expect("list").body.expect("a body").servers.iter().map(|s| s.id).collect();
    assert!(live.contains(&new) && !live.contains(&old));
    // Paging applies to the changes.
    let page = v1_0::client::ServersListDetailQuery { changes_since: Some(since), limit: Some(1), offset: Some(1) };
    assert_eq!(c.servers_list_detail(&page).await.expect("a page").body.expect("a body").servers.len(), 1);
    let g = c.shared_ip_groups_list_detail(&v1_0::client::SharedIpGroupsListDetailQuery { changes_since: Some(since), ..Default::default() }).await.expect("groups");
    assert_eq!(g.body.expect("a body").shared_ip_groups.iter().map(|g| g.id).collect::<Vec<_>>(), [group]);
    // The epoch: everything is a change.
    let f = c.flavors_list_detail(&v1_0::client::FlavorsListDetailQuery { changes_since: Some(0), ..Default::default() }).await.expect("flavors");
    assert_eq!(f.body.expect("a body").flavors, flavors());
    // Now: nothing changed since.
    let later = cloud.clock().now().as_second() + 1;
    cloud.clock().advance(Duration::from_secs(2));
    let r = c.servers_list(&v1_0::client::ServersListQuery { changes_since: Some(later), ..Default::default() }).await.expect("no changes");
    assert_eq!((r.status, r.body.is_none()), (not_modified, true));

    // A time that is not seconds since the epoch is the operation's 400 fault.
    let (endpoint, token) = raw(&c).await;
    for bad in ["yesterday", "2012-08-20T21:11:09Z", "1.5"] {
        let (status, name) = raw_get(&endpoint, &token, &format!("/servers/detail?{}={bad}", c_rule.param)).await;
        assert_eq!(status, 400, "{bad}");
        let fault = v1_0::faults::FAULTS.iter().find(|f| Some(f.name) == name.as_deref()).unwrap_or_else(|| panic!("{bad}: {name:?}"));
        assert!(fault.codes.contains(&400));
    }
    let r = reqwest::Client::new().get(format!("{endpoint}/servers?{}={later}", c_rule.param)).header("X-Auth-Token", &token).send().await.expect("sent");
    assert_eq!(r.status().as_u16(), not_modified);
    assert!(r.bytes().await.expect("a body").is_empty(), "the not-modified answer has no body");
    cloud.shutdown().await;
}
