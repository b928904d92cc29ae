//! Every deliberate deviation, switched on through the control API, shows in what the
//! provider answers, and is gone when switched off.

use crate::support;

use cloudservers::v2;
use provider::Deviation;
use runtime::machines::StateKind;
use serde_json::Value;
use std::time::Duration;

const STEP: Duration = Duration::from_secs(5);

struct Probe {
    http: reqwest::Client,
    base: String,
    endpoint: String,
    token: String,
    flavor: String,
}

impl Probe {
    /// A provider with a virtual clock and its control API, and a probe of its first
    /// account (the provider stops when the handle is dropped).
    async fn start() -> (provider::Handle, Probe) {
        let cloud = provider::spawn(provider::Config::default().virtual_clock().step(STEP).control(true)).await.expect("starts");
        let a = cloud.accounts()[0].clone();
        let http = reqwest::Client::new();
        let (token, endpoint) = support::token_and_endpoint(&http, &cloud, &a).await;
        let flavors: Value = http.get(format!("{endpoint}/flavors")).header("X-Auth-Token", &token).send().await.unwrap().json().await.unwrap();
        let flavor = flavors["flavors"][0]["id"].as_str().unwrap().to_string();
        let p = Probe { http, base: cloud.base_url().to_string(), endpoint, token, flavor };
        (cloud, p)
    }

    async fn switch(&self, name: &str, on: bool) {
        let r = self.http.post(format!("{}{}/deviations", self.base, provider::CONTROL_PREFIX)).json(&serde_json::json!({"name": name, "on": on})).send().await.unwrap();
        assert_eq!(r.status(), 200, "switch {name}");
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>, accept: &str) -> reqwest::Response {
        let mut r = self.http.request(method.parse().unwrap(), format!("{}{path}", self.endpoint)).header("X-Auth-Token", &self.token).header("Accept", accept);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    async fn create(&self) -> reqwest::Response {
        self.send("POST", "/servers", Some(serde_json::json!({"server": {"name": "p", "imageRef": "i", "flavorRef": self.flavor}})), "application/json").await
    }

    async fn server(&self, id: &str) -> Value {
        self.send("GET", &format!("/servers/{id}"), None, "application/json").await.json().await.unwrap()
    }

    async fn advance(&self, by: Duration) {
        let r = self.http.post(format!("{}{}/clock", self.base, provider::CONTROL_PREFIX)).json(&serde_json::json!({"advance_seconds": by.as_secs_f64()})).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }

    async fn active_server(&self) -> String {
        let created: Value = self.create().await.json().await.unwrap();
        let id = created["server"]["id"].as_str().unwrap().to_string();
        self.advance(STEP * 4).await;
        id
    }
}

fn status_of(doc: &Value) -> String {
    doc["server"]["status"].as_str().unwrap_or_default().to_string()
}

/// Whether the departure of `d` shows.
async fn departs(p: &Probe, d: Deviation) -> bool {
    match d {
        Deviation::WrongSuccessCode => p.create().await.status().as_u16() != v2::operations::OPERATIONS.iter().find(|o| o.id == "v2.servers.create").and_then(|o| o.success()).map(|r| r.status).unwrap_or_default(),
        Deviation::MissingRequiredField => {
            let doc: Value = p.send("GET", &format!("/flavors/{}", p.flavor), None, "application/json").await.json().await.unwrap();
            doc["flavor"].get("id").is_none()
        }
        Deviation::WrongFaultElement => {
            let doc: Value = p.send("GET", "/servers/no-such-server", None, "application/json").await.json().await.unwrap();
            doc.get(v2::faults::ITEM_NOT_FOUND.name).is_none()
        }
        Deviation::SkipTransientStates => {
            let created: Value = p.create().await.json().await.unwrap();
            let id = created["server"]["id"].as_str().unwrap().to_string();
            v2::machines::SERVER_STATUS.kind_of(&status_of(&p.server(&id).await)) != Some(StateKind::Transient)
        }
        Deviation::IllegalTransition => {
            let id = p.active_server().await;
            let after = status_of(&p.server(&id).await);
            !v2::machines::SERVER_STATUS.transitions_by("v2.servers.create").any(|t| t.to == after)
        }
        Deviation::AcceptWrongState => {
            let id = p.active_server().await;
            p.send("POST", &format!("/servers/{id}/action"), Some(serde_json::json!({"confirmResize": null})), "application/json").await.status().is_success()
        }
        Deviation::NoRateLimits => {
            let limit = v2::limits::RATE_LIMITS.iter().filter(|l| l.applies("GET", "/flavors") && l.value > 0).min_by_key(|l| l.value).unwrap();
            let mut limited = false;
            for _ in 0..=limit.value {
                limited |= p.send("GET", "/flavors", None, "application/json").await.status().as_u16() == 413;
            }
            // Let the window pass for the probes after this one.
            p.advance(limit.window()).await;
            !limited
        }
        Deviation::WrongContentType => {
            let r = p.send("GET", "/flavors", None, "application/json").await;
            r.headers().get("content-type").and_then(|v| v.to_str().ok()) != Some("application/json")
        }
        Deviation::JsonOnly => {
            let r = p.send("GET", "/flavors", None, "application/xml").await;
            !r.text().await.unwrap().trim_start().starts_with('<')
        }
        Deviation::NoPagination => {
            let doc: Value = p.send("GET", "/flavors?limit=1", None, "application/json").await.json().await.unwrap();
            doc["flavors"].as_array().map(Vec::len).unwrap_or_default() > 1
        }
        Deviation::NoExtendedStatus => {
            let id = p.active_server().await;
            p.server(&id).await["server"].get("OS-EXT-STS:vm_state").is_none()
        }
        Deviation::NoLocation => p.create().await.headers().get("location").is_none(),
        _ => panic!("no probe for {}", d.name()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_deviation_shows_and_goes_away() {
    let (_cloud, p) = Probe::start().await;

    let listed: Value = p.http.get(format!("{}{}", p.base, provider::CONTROL_PREFIX)).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["deviations"].as_array().map(Vec::len), Some(Deviation::ALL.len()), "GET lists every switch");
    for (d, name, _) in Deviation::ALL {
        assert!(!departs(&p, *d).await, "{name} shows while off");
        p.switch(name, true).await;
        assert!(departs(&p, *d).await, "{name} does not show while on");
        p.switch(name, false).await;
    }
}

/// A server's answer is kept between gets; a switch, another format or a change to the
/// server still shows in the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_gets_show_every_change() {
    let (_cloud, p) = Probe::start().await;
    let id = p.active_server().await;
    let extended = |doc: &Value| doc["server"].get("OS-EXT-STS:vm_state").is_some();

    assert_eq!(p.server(&id).await, p.server(&id).await);
    assert!(extended(&p.server(&id).await));
    p.switch(Deviation::NoExtendedStatus.name(), true).await;
    assert!(!extended(&p.server(&id).await), "a switch turned on shows at once");
    p.switch(Deviation::NoExtendedStatus.name(), false).await;
    assert!(extended(&p.server(&id).await));

    let xml = p.send("GET", &format!("/servers/{id}"), None, "application/xml").await.text().await.unwrap();
    assert!(xml.trim_start().starts_with('<'), "{xml}");

    let renamed = p.send("PUT", &format!("/servers/{id}"), Some(serde_json::json!({"server": {"name": "renamed"}})), "application/json").await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(p.server(&id).await["server"]["name"], "renamed");
    let set = p.send("PUT", &format!("/servers/{id}/metadata/colour"), Some(serde_json::json!({"meta": {"colour": "blue"}})), "application/json").await;
    assert_eq!(set.status(), 200);
    assert_eq!(p.server(&id).await["server"]["metadata"]["colour"], "blue");

    let rebooted = p.send("POST", &format!("/servers/{id}/action"), Some(serde_json::json!({"reboot": {"type": "HARD"}})), "application/json").await;
    assert_eq!(rebooted.status(), 202);
    assert_eq!(status_of(&p.server(&id).await), "HARD_REBOOT", "a walk shows while under way");
    p.advance(STEP * 4).await;
    let after = p.server(&id).await;
    assert_eq!((status_of(&after).as_str(), after["server"]["progress"].as_i64()), ("ACTIVE", Some(100)));
}
