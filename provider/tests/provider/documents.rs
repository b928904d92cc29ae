//! Answers as the documents' examples and models show them, through plain HTTP: media
//! types refused before actions are looked for, extension actions named by their XML
//! namespace, the addresses of one network as their documented element, volume
//! attachments as requested, every overLimit with its retry time, the documented
//! headers of successes, fault details, the fields the examples show.

use crate::support;
use serde_json::{json, Value};
use std::time::Duration;

const STEP: Duration = Duration::from_secs(5);

/// A provider on a virtual clock with its control API, plain HTTP, a token and the v2
/// endpoint.
struct Cloud {
    cloud: provider::Handle,
    http: reqwest::Client,
    token: String,
    v2: String,
}

impl Cloud {
    async fn start() -> Cloud {
        let cloud = provider::spawn(provider::Config::default().virtual_clock().step(STEP).control(true)).await.expect("starts");
        let http = reqwest::Client::new();
        let account = cloud.accounts()[0].clone();
        let (token, v2) = support::token_and_endpoint(&http, &cloud, &account).await;
        Cloud { cloud, http, token, v2 }
    }

    /// The v1.0 endpoint of the first account.
    fn v1(&self) -> String {
        self.cloud.endpoint_url("v1.0", &self.cloud.accounts()[0].tenant).expect("a v1.0 endpoint")
    }

    /// A request with the token, to `url` (a path below the v2 endpoint when it starts
    /// with `/`).
    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let url = if url.starts_with('/') { format!("{}{url}", self.v2) } else { url.to_string() };
        self.http.request(method, url).header("X-Auth-Token", &self.token)
    }

    /// Sends a body of this content type; the status, headers and body text.
    async fn send(&self, method: reqwest::Method, url: &str, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, reqwest::header::HeaderMap, String) {
        let r = self.request(method, url).header("Content-Type", content_type).body(body).send().await.expect("an answer");
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, headers, r.text().await.expect("a body"))
    }

    /// A v2 server, active.
    async fn server(&self) -> String {
        let flavor = provider::Seed::documented(&schema::Schema::load_default().expect("schema")).expect("seed").flavors[0].id.clone();
        let body = json!({"server": {"name": "s", "imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001", "flavorRef": flavor}});
        let r: Value = self.request(reqwest::Method::POST, "/servers").json(&body).send().await.unwrap().json().await.unwrap();
        self.cloud.clock().advance(STEP * 10);
        r["server"]["id"].as_str().expect("a server id").to_string()
    }

    /// A v1.0 server, active.
    async fn v1_server(&self) -> i64 {
        let body = json!({"server": {"name": "s", "imageId": 2, "flavorId": 1}});
        let r: Value = self.request(reqwest::Method::POST, &format!("{}/servers", self.v1())).json(&body).send().await.unwrap().json().await.unwrap();
        self.cloud.clock().advance(STEP * 10);
        r["server"]["id"].as_i64().expect("a server id")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_an_unread_media_type_is_refused_before_its_action_is_looked_for() {
    let c = Cloud::start().await;
    let id = c.server().await;
    let post = reqwest::Method::POST;
    // v2 actions, a v2 create, v1.0 actions: the documented badMediaType, not "no action".
    let (status, _, body) = c.send(post.clone(), &format!("/servers/{id}/action"), "text/plain", r#"{"reboot": {"type": "SOFT"}}"#).await;
    assert_eq!(status, 415, "{body}");
    assert!(body.contains("badMediaType"), "{body}");
    let (status, _, body) = c.send(post.clone(), "/servers", "text/plain", r#"{"server": {}}"#).await;
    assert_eq!((status, body.contains("badMediaType")), (415, true), "{body}");
    let v1 = c.v1_server().await;
    let (status, _, body) = c.send(post.clone(), &format!("{}/servers/{v1}/action", c.v1()), "text/plain", r#"{"reboot": {"type": "SOFT"}}"#).await;
    assert_eq!((status, body.contains("badMediaType")), (415, true), "{body}");
    // A readable body still picks its action; an unknown one is still a 400.
    let (status, _, body) = c.send(post.clone(), &format!("/servers/{id}/action"), "application/json", r#"{"reboot": {"type": "SOFT"}}"#).await;
    assert_eq!(status, 202, "{body}");
    c.cloud.clock().advance(STEP * 10);
    let (status, _, _) = c.send(post, &format!("/servers/{id}/action"), "application/json", r#"{"noSuchAction": {}}"#).await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_action_in_xml_is_named_by_its_namespace() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Example 1.45: the RS-CBS attach-volume action, whose XML root is in the extension's
    // namespace (its JSON key is the alias, Example 1.46).
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<attach-volume xmlns="http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.1" href="https://cbs.api.rackspacecloud.com/12934/volumes/19"/>"#;
    let (status, _, body) = c.send(reqwest::Method::POST, &format!("/servers/{id}/action"), "application/xml", xml).await;
    assert_eq!(status, 202, "{body}");
    // The same local name in another namespace names no action.
    let other = xml.replace("http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.1", "urn:elsewhere");
    let (status, _, body) = c.send(reqwest::Method::POST, &format!("/servers/{id}/action"), "application/xml", other).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_addresses_of_one_network_are_its_network_element_in_xml() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Example 2.27: <network xmlns="...compute/api/v1.1" id="public"> with its ip elements.
    let r = c.request(reqwest::Method::GET, &format!("/servers/{id}/ips/public")).header("Accept", "application/xml").send().await.unwrap();
    assert_eq!(r.status(), 200);
    let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
    assert_eq!(root.name.local, "network");
    assert_eq!(root.name.ns.as_deref(), Some(cloudservers::ns::V2));
    assert_eq!(root.attribute(&runtime::xml::Name { ns: None, local: "id".into() }), Some("public"));
    assert!(root.children.iter().any(|c| c.name.local == "ip"));
    // JSON keeps the documented wrapping key (Example 2.26).
    let v: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}/ips/public")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["network"]["id"], "public");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_attachments_are_what_the_request_asked_for() {
    let c = Cloud::start().await;
    let id = c.server().await;
    let attach = |device: Value, volume: &str| {
        let body = json!({"volumeAttachment": {"device": device, "volumeId": volume}});
        let r = c.request(reqwest::Method::POST, &format!("/servers/{id}/os-volume_attachments")).json(&body).send();
        async move {
            let r = r.await.unwrap();
            assert_eq!(r.status(), 202);
            let v: Value = r.json().await.unwrap();
            v["volumeAttachment"].clone()
        }
    };
    // Example 2.52 asks for no device (null) and gets the first free one (Example 2.53).
    let first = attach(Value::Null, "4ab50df6-7480-45df-8604-b1ee39fe857c").await;
    assert_eq!(first["device"], "/dev/xvdb");
    assert_eq!(first["volumeId"], "4ab50df6-7480-45df-8604-b1ee39fe857c");
    assert_eq!(first["serverId"], id.as_str());
    let auto = attach(json!("auto"), "0c1e9bd4-3a6b-4d5f-8e7a-9b0c1d2e3f40").await;
    assert_eq!(auto["device"], "/dev/xvdc", "auto is the service's choice too");
    let asked = attach(json!("/dev/xvdh"), "7d3f5a12-8b4c-4e6d-9f01-a2b3c4d5e6f7").await;
    assert_eq!(asked["device"], "/dev/xvdh");
    assert_eq!(asked["volumeId"], "7d3f5a12-8b4c-4e6d-9f01-a2b3c4d5e6f7");

    // The RS-CBS action (Example 1.46) attaches a volume by its URL: the server shows it
    // among its RS-CBS volumes, and the attachments stay the ones asked for by volume ID.
    let href = "https://cbs.api.rackspacecloud.com/12934/volumes/19";
    let r = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&json!({"RS-CBS:attach-volume": {"href": href}})).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let list: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}/os-volume_attachments")).send().await.unwrap().json().await.unwrap();
    let volumes: Vec<&str> = list["volumeAttachments"].as_array().unwrap().iter().map(|a| a["volumeId"].as_str().unwrap()).collect();
    assert_eq!(volumes.len(), 3);
    assert!(volumes.iter().all(|v| uuid::Uuid::parse_str(v).is_ok()), "{volumes:?}");
    let server: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(server["server"]["RS-CBS:volumes"], json!([{"name": "19", "href": href}]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_over_limit_fault_says_when_to_retry() {
    let c = Cloud::start().await;
    let id = c.server().await;
    let v1 = c.v1_server().await;
    let behaviour = |operation: &str| {
        let body = json!({"operation": operation, "reaction": {"kind": "fault", "status": 413}, "times": 1});
        c.http.post(format!("{}{}/behaviours", c.cloud.base_url(), provider::CONTROL_PREFIX)).json(&body).send()
    };
    // One a behaviour of the control API asks for, in v2 (retryAt, Example 1.51) and v1.0
    // (retryAfter), in JSON and XML.
    for (url, operation, field) in [(format!("{}/servers/{id}", c.v2), "v2.servers.get", "retryAt"), (format!("{}/servers/{v1}", c.v1()), "v1.0.servers.get", "retryAfter")] {
        for accept in ["application/json", "application/xml"] {
            assert_eq!(behaviour(operation).await.unwrap().status(), 200);
            let r = c.request(reqwest::Method::GET, &url).header("Accept", accept).send().await.unwrap();
            assert_eq!(r.status(), 413);
            let after = r.headers().get("Retry-After").and_then(|v| v.to_str().ok()).map(str::to_string);
            assert!(after.as_deref().is_some_and(httpdate_like), "{operation} {accept}: Retry-After {after:?}");
            let body = r.text().await.unwrap();
            assert!(body.contains(field), "{operation} {accept}: {body}");
        }
    }
    // One of a body too large.
    let big = vec![b' '; (1 << 20) + 1];
    let (status, headers, _) = c.send(reqwest::Method::POST, "/servers", "application/json", big).await;
    assert_eq!(status, 413);
    assert!(headers.contains_key("Retry-After"));

    // One of an absolute limit.
    let cloud = provider::spawn(provider::Config::default().virtual_clock().account_limit("maxTotalInstances", 0)).await.expect("starts");
    let account = cloud.accounts()[0].clone();
    let (token, v2) = support::token_and_endpoint(&c.http, &cloud, &account).await;
    let flavor = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap().flavors[0].id.clone();
    let body = json!({"server": {"name": "s", "imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001", "flavorRef": flavor}});
    let r = c.http.post(format!("{v2}/servers")).header("X-Auth-Token", token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert!(r.headers().contains_key("Retry-After"));
    let v: Value = r.json().await.unwrap();
    assert!(v["overLimit"]["retryAt"].is_string(), "{v}");
}

/// Whether a header reads as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn httpdate_like(h: &str) -> bool {
    h.ends_with(" GMT") && h.split(' ').count() == 6
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_answers_with_the_location_of_the_server() {
    let c = Cloud::start().await;
    let id = c.server().await;
    let body = json!({"rebuild": {"imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001"}});
    let r = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let location = r.headers().get("Location").and_then(|v| v.to_str().ok()).map(str::to_string);
    assert_eq!(location, Some(format!("{}/servers/{id}", c.v2)));
    // An action whose answer documents no Location has none.
    c.cloud.clock().advance(STEP * 10);
    let r = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&json!({"reboot": {"type": "SOFT"}})).send().await.unwrap();
    assert_eq!(r.status(), 202);
    assert!(!r.headers().contains_key("Location"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_carry_their_details() {
    let c = Cloud::start().await;
    // Examples 1.49 and 1.50 (v2), the cloudServersFault sample (v1.0): code, message and
    // details, here the request and the operation the fault answers.
    let missing = uuid::Uuid::new_v4();
    for (url, fault) in [(format!("{}/servers/{missing}", c.v2), "itemNotFound"), (format!("{}/servers/987654321", c.v1()), "itemNotFound")] {
        let v: Value = c.request(reqwest::Method::GET, &url).send().await.unwrap().json().await.unwrap();
        let details = v[fault]["details"].as_str().unwrap_or_default();
        assert!(details.contains("GET ") && details.contains("servers.get"), "{v}");
        let r = c.request(reqwest::Method::GET, &url).header("Accept", "application/xml").send().await.unwrap();
        let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
        assert!(root.children.iter().any(|e| e.name.local == "details" && e.text.contains("servers.get")), "{root:?}");
    }
    // A server whose build failed carries an asynchronous fault with details (Example 1.53).
    let body = json!({"operation": "v2.servers.create", "reaction": {"kind": "fails"}, "times": 1});
    c.http.post(format!("{}{}/behaviours", c.cloud.base_url(), provider::CONTROL_PREFIX)).json(&body).send().await.unwrap();
    let id = c.server().await;
    let v: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    let state = v["server"]["status"].as_str().unwrap_or_default();
    let doc = cloudservers::v2::machines::SERVER_STATUS.state(state).map(|s| s.doc.to_string()).unwrap_or_default();
    assert!(!doc.is_empty());
    assert_eq!(v["server"]["fault"]["details"], format!("{state}: {doc}"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_list_their_media_types_and_links() {
    let c = Cloud::start().await;
    let host = c.cloud.host_url("v2").expect("a v2 host").to_string();
    // Examples 1.29 and 1.34: an empty media-types element in each version.
    for (url, path) in [(format!("{host}/"), "version"), (format!("{host}/v2/"), "")] {
        let r = c.request(reqwest::Method::GET, &url).header("Accept", "application/xml").send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
        let version = if path.is_empty() { &root } else { root.children.iter().find(|e| e.name.local == path).expect("a version") };
        assert!(version.children.iter().any(|e| e.name.local == "media-types"), "{url}: {version:?}");
        assert!(version.children.iter().any(|e| e.name.local == "link"), "{url}: a link to the version");
    }
    // JSON shows no media types (the model has them in XML only), but the links.
    let v: Value = c.request(reqwest::Method::GET, &format!("{host}/")).send().await.unwrap().json().await.unwrap();
    assert!(v["versions"][0].get("media-types").is_none());
    assert_eq!(v["versions"][0]["links"][0]["rel"], "self");
}

/// The attribute of this namespace and local name.
fn attribute<'e>(e: &'e runtime::xml::Element, ns: &str, local: &str) -> Option<&'e str> {
    e.attribute(&runtime::xml::Name { ns: Some(ns.to_string()), local: local.to_string() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_show_their_power_and_task_state_in_both_formats() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Example 2.14: an active server is powered up and runs no task (JSON null).
    let v: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["server"]["OS-EXT-STS:vm_state"], "active");
    assert_eq!(v["server"]["OS-EXT-STS:power_state"], 1);
    assert!(v["server"].get("OS-EXT-STS:task_state").is_some_and(Value::is_null), "{v}");
    // Example 2.4: the same in XML, no task written as None; in the list too.
    for path in [format!("/servers/{id}"), "/servers/detail".to_string()] {
        let r = c.request(reqwest::Method::GET, &path).header("Accept", "application/xml").send().await.unwrap();
        let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
        let server = if root.name.local == "server" { &root } else { root.children.iter().find(|e| e.name.local == "server").expect("a server") };
        assert_eq!(attribute(server, cloudservers::ns::OS_EXT_STS, "task_state"), Some("None"), "{path}");
        assert_eq!(attribute(server, cloudservers::ns::OS_EXT_STS, "power_state"), Some("1"), "{path}");
    }
    // Example 2.15: a server being built is not powered up yet.
    let flavor = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap().flavors[0].id.clone();
    let body = json!({"server": {"name": "new", "imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001", "flavorRef": flavor}});
    let r: Value = c.request(reqwest::Method::POST, "/servers").json(&body).send().await.unwrap().json().await.unwrap();
    let new = r["server"]["id"].as_str().unwrap();
    let v: Value = c.request(reqwest::Method::GET, &format!("/servers/{new}")).send().await.unwrap().json().await.unwrap();
    assert_eq!((v["server"]["status"].as_str(), v["server"]["OS-EXT-STS:power_state"].as_i64()), (Some("BUILD"), Some(0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_show_their_bandwidth_under_the_documented_keys() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Examples 2.2 and 2.14 (rax-bandwidth:bandwidth), the sample code's get server
    // (RAX-SERVER:bandwidth): one entry per network the server is on, for the audit period.
    let v: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    let server = &v["server"];
    let networks: Vec<&String> = server["addresses"].as_object().unwrap().keys().collect();
    for key in ["rax-bandwidth:bandwidth", "RAX-SERVER:bandwidth"] {
        let interfaces = server[key].as_array().unwrap_or_else(|| panic!("{key}: {server}"));
        let names: Vec<&str> = interfaces.iter().map(|i| i["interface"].as_str().unwrap()).collect();
        assert_eq!(names, networks, "{key}");
        for i in interfaces {
            assert_eq!((i["bandwidth_inbound"].as_i64(), i["bandwidth_outbound"].as_i64()), (Some(0), Some(0)));
            assert!(i["audit_period_start"].as_str().unwrap() <= i["audit_period_end"].as_str().unwrap());
        }
    }
    assert_eq!(server["rax-bandwidth:bandwidth"], server["RAX-SERVER:bandwidth"], "the same statistics");
    // XML: the bandwidth element of the extension's namespace (Example 2.4).
    let r = c.request(reqwest::Method::GET, &format!("/servers/{id}")).header("Accept", "application/xml").send().await.unwrap();
    let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
    let bw = root.children.iter().find(|e| e.name.local == "bandwidth").expect("a bandwidth element");
    assert_eq!(bw.name.ns.as_deref(), Some(cloudservers::ns::RAX_BANDWIDTH));
    assert_eq!(bw.children.len(), networks.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_show_no_config_drive_and_no_key_pair() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Example 2.33 (rebuild) and the sample code's get server: both empty, in JSON only.
    let body = json!({"rebuild": {"imageRef": "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001"}});
    let rebuilt: Value = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&body).send().await.unwrap().json().await.unwrap();
    let got: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    for v in [&rebuilt, &got] {
        assert_eq!((&v["server"]["config_drive"], &v["server"]["key_name"]), (&json!(""), &json!("")), "{v}");
    }
    let r = c.request(reqwest::Method::GET, &format!("/servers/{id}")).header("Accept", "application/xml").send().await.unwrap();
    let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
    assert!(root.attributes.iter().all(|(n, _)| n.local != "config_drive" && n.local != "key_name"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_and_their_images_show_their_disk_configuration() {
    let c = Cloud::start().await;
    let seed = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap();
    let (flavor, image) = (seed.flavors[0].clone(), seed.images[0].clone());
    let create = |disk: Option<&str>, image: &str| {
        let mut server = json!({"name": "s", "imageRef": image, "flavorRef": flavor.id});
        if let Some(d) = disk {
            server["OS-DCF:diskConfig"] = json!(d);
        }
        let r = c.request(reqwest::Method::POST, "/servers").json(&json!({"server": server})).send();
        async move { r.await.unwrap().json::<Value>().await.unwrap()["server"].clone() }
    };
    // Example 1.10 asks for none and Example 2.6 answers AUTO: the image's, else AUTO.
    let documented = image.os_dcf_disk_config.as_ref().map(|d| d.as_str().to_string()).expect("the documented image's disk configuration");
    assert_eq!(create(None, &image.id).await["OS-DCF:diskConfig"], documented.as_str());
    assert_eq!(create(None, "3afe97b2-26dc-49c5-a2cc-a2fc8d80c001").await["OS-DCF:diskConfig"], "AUTO");
    let manual = create(Some("MANUAL"), &image.id).await;
    assert_eq!(manual["OS-DCF:diskConfig"], "MANUAL");
    let id = manual["id"].as_str().unwrap().to_string();
    c.cloud.clock().advance(STEP * 10);
    let got: Value = c.request(reqwest::Method::GET, &format!("/servers/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["server"]["OS-DCF:diskConfig"], "MANUAL");

    // An image of the server (Examples 2.64, 2.65): its disk configuration, minDisk and
    // minRam, in both formats.
    let r = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&json!({"createImage": {"name": "snap"}})).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let location = r.headers()["Location"].to_str().unwrap().to_string();
    let snap: Value = c.request(reqwest::Method::GET, &location).send().await.unwrap().json().await.unwrap();
    let want_disk = flavor.disk.max(image.min_disk.unwrap_or(0));
    assert_eq!(snap["image"]["OS-DCF:diskConfig"], "MANUAL");
    assert_eq!(snap["image"]["minDisk"].as_i64(), Some(want_disk));
    assert_eq!(snap["image"]["minRam"].as_i64(), image.min_ram);
    let r = c.request(reqwest::Method::GET, "/images/detail").header("Accept", "application/xml").send().await.unwrap();
    let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
    let snap_id = snap["image"]["id"].as_str().unwrap();
    let el = root.children.iter().find(|e| e.attribute(&runtime::xml::Name { ns: None, local: "id".into() }) == Some(snap_id)).expect("the image");
    let plain = |local: &str| el.attribute(&runtime::xml::Name { ns: None, local: local.into() }).map(str::to_string);
    assert_eq!(plain("minDisk"), Some(want_disk.to_string()));
    assert_eq!(plain("minRam"), image.min_ram.map(|r| r.to_string()));
    assert_eq!(attribute(el, cloudservers::ns::OS_DCF, "diskConfig"), Some("MANUAL"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_names_the_image_and_flavor_of_the_server() {
    let c = Cloud::start().await;
    let seed = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap();
    let (flavor, image) = (&seed.flavors[0], &seed.images[0]);
    let body = json!({"server": {"name": "s", "imageRef": image.id, "flavorRef": flavor.id}});
    let r: Value = c.request(reqwest::Method::POST, "/servers").json(&body).send().await.unwrap().json().await.unwrap();
    let id = r["server"]["id"].as_str().unwrap().to_string();
    c.cloud.clock().advance(STEP * 10);
    // Examples 2.20 to 2.23.
    let body = json!({"server": {"accessIPv4": "67.23.10.132", "accessIPv6": "::babe:67.23.10.132"}});
    let v: Value = c.request(reqwest::Method::PUT, &format!("/servers/{id}")).json(&body).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["server"]["image"]["name"], image.name.as_str(), "{v}");
    assert_eq!(v["server"]["flavor"]["name"], flavor.name.as_str());
    assert_eq!(v["server"]["accessIPv4"], "67.23.10.132");
    let r = c.request(reqwest::Method::PUT, &format!("/servers/{id}")).header("Accept", "application/xml").header("Content-Type", "application/xml")
        .body(r#"<server xmlns="http://docs.openstack.org/compute/api/v1.1" accessIPv4="67.23.10.132" accessIPv6="::babe:67.23.10.132"/>"#).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let root = runtime::xml::parse(&r.text().await.unwrap()).expect("XML");
    let named = |local: &str| root.children.iter().find(|e| e.name.local == local).and_then(|e| e.attribute(&runtime::xml::Name { ns: None, local: "name".into() })).map(str::to_string);
    assert_eq!((named("image"), named("flavor")), (Some(image.name.clone()), Some(flavor.name.clone())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuild_keeps_what_its_request_sets() {
    let c = Cloud::start().await;
    let id = c.server().await;
    // Examples 2.32 and 2.33: the password asked for comes back, with the disk
    // configuration; the access addresses asked for are the server's.
    let body = json!({"rebuild": {"name": "new-server-test", "imageRef": "d42f821e-c2d1-4796-9f07-af5ed7912d0e", "OS-DCF:diskConfig": "MANUAL",
        "adminPass": "dianel23", "accessIPv4": "50.56.175.199", "accessIPv6": "2001:4800:780e:510:d87b:9cbc:ff04:35f7", "metadata": {"My Server Name": "Apache1"}}});
    let v: Value = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&body).send().await.unwrap().json().await.unwrap();
    let s = &v["server"];
    assert_eq!(s["adminPass"], "dianel23", "{v}");
    assert_eq!((&s["OS-DCF:diskConfig"], &s["accessIPv4"], &s["accessIPv6"]), (&json!("MANUAL"), &json!("50.56.175.199"), &json!("2001:4800:780e:510:d87b:9cbc:ff04:35f7")));
    assert_eq!((&s["name"], &s["image"]["id"]), (&json!("new-server-test"), &json!("d42f821e-c2d1-4796-9f07-af5ed7912d0e")));
    // Without a password, a new one.
    c.cloud.clock().advance(STEP * 10);
    let v: Value = c.request(reqwest::Method::POST, &format!("/servers/{id}/action")).json(&json!({"rebuild": {"imageRef": "d42f821e-c2d1-4796-9f07-af5ed7912d0e"}})).send().await.unwrap().json().await.unwrap();
    assert!(v["server"]["adminPass"].as_str().is_some_and(|p| !p.is_empty() && p != "dianel23"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resize_of_no_server_is_not_found_before_any_limit_counts() {
    let c = Cloud::start().await;
    let seed = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap();
    // The largest flavor is over the account's RAM; for a server that does not exist the
    // answer is still itemNotFound.
    let big = seed.flavors.iter().max_by_key(|f| f.ram).unwrap();
    let cloud = provider::spawn(provider::Config::default().virtual_clock().account_limit("maxTotalRAMSize", big.ram - 1)).await.expect("starts");
    let account = cloud.accounts()[0].clone();
    let (token, v2) = support::token_and_endpoint(&c.http, &cloud, &account).await;
    let r = c.http.post(format!("{v2}/servers/{}/action", uuid::Uuid::new_v4())).header("X-Auth-Token", &token).json(&json!({"resize": {"flavorRef": big.id}})).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = c.http.post(format!("{v2}/servers/{}/action", uuid::Uuid::new_v4())).header("X-Auth-Token", &token).json(&json!({"resize": {"flavorRef": "no-such-flavor"}})).send().await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_a_form_the_schema_accepts_is_read() {
    let c = Cloud::start().await;
    let flavor = provider::Seed::documented(&schema::Schema::load_default().unwrap()).unwrap().flavors[0].id.clone();
    let create = |networks: &str| {
        format!(
            r#"<server xmlns="http://docs.openstack.org/compute/api/v1.1" imageRef="3afe97b2-26dc-49c5-a2cc-a2fc8d80c001" flavorRef="{flavor}" name="x"><networks>{networks}</networks></server>"#
        )
    };
    // Example 2.7 lists networks as uuid elements (a form the schema records as accepted
    // beside <network uuid="..."/>).
    for networks in ["<uuid>0ef47ac7-6797-4e01-8a47-ed26ec3aaa56</uuid>", r#"<network uuid="0ef47ac7-6797-4e01-8a47-ed26ec3aaa56"/>"#] {
        let (status, _, body) = c.send(reqwest::Method::POST, "/servers", "application/xml", create(networks)).await;
        assert_eq!(status, 202, "{networks}: {body}");
    }
    // What the schema does not know is still refused.
    let (status, _, body) = c.send(reqwest::Method::POST, "/servers", "application/xml", create("<subnet>x</subnet>")).await;
    assert_eq!(status, 400, "{body}");
}
