//! `--state`: the provider binary killed with SIGKILL right after a successful answer and
//! restarted on the same file shows every server, image, metadata item, token, rate-limit
//! count and the virtual clock as before, and a walk under way goes on when the clock
//! moves; a state file that cannot be used stops the provider with an error naming it.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_cloudservers-provider");
/// How long each transient state lasts (the clock is virtual: nothing waits for it).
const STEP_SECS: u64 = 5;

/// A provider process on a state file.
struct Provider {
    child: Child,
    /// Kept open: the banner is written to it, and a closed pipe would fail the write.
    _stdout: BufReader<ChildStdout>,
    base: String,
}

impl Provider {
    fn start(state: &Path, log: &Path) -> Provider {
        let log = std::fs::File::create(log).expect("a log file");
        let mut child = Command::new(BIN)
            .args(["--virtual-clock", "--control", "--listen", "127.0.0.1:0", "--step-ms"])
            .arg((STEP_SECS * 1000).to_string())
            .arg("--state")
            .arg(state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the provider starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut base = None;
        // The banner ends with an empty line.
        loop {
            let mut line = String::new();
            let n = stdout.read_line(&mut line).expect("reads the banner");
            assert!(n > 0, "the provider exited before its banner: {:?}", child.wait());
            let line = line.trim_end();
            if let Some(url) = line.strip_prefix("cloudservers-provider listening on ") {
                base = Some(url.to_string());
            }
            if line.is_empty() && base.is_some() {
                break;
            }
        }
        Provider { child, _stdout: stdout, base: base.expect("the banner names the URL") }
    }

    /// SIGKILL: nothing the provider could flush or close runs.
    fn kill(mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        // The process may already be gone (killed by the test).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client of one provider, its answers rewritten to a common base URL so that two runs
/// (on two ports) compare.
struct Api<'a> {
    http: &'a reqwest::Client,
    base: &'a str,
}

impl Api<'_> {
    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut r = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.header("X-Auth-Token", t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("a body").replace(self.base, "http://provider");
        let value = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path}: {e}: {text}")) };
        (status, headers, value)
    }

    async fn ok(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> Value {
        let (status, _, v) = self.call(method.clone(), path, token, body).await;
        assert!((200..300).contains(&status), "{method} {path}: {status} {v}");
        v
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        self.ok(reqwest::Method::GET, path, Some(token), None).await
    }

    async fn token(&self) -> String {
        let auth = json!({"auth": {"passwordCredentials": {"username": "MyRackspaceAcct", "password": "password"}}});
        let v = self.ok(reqwest::Method::POST, "/identity/v2.0/tokens", None, Some(auth)).await;
        v["access"]["token"]["id"].as_str().expect("a token").to_string()
    }

    async fn v1_0_token(&self) -> String {
        let r = self.http.get(format!("{}/identity/v1.0", self.base)).header("X-Auth-User", "MyRackspaceAcct").header("X-Auth-Key", "api-key").send().await.expect("answers");
        r.headers().get("x-auth-token").and_then(|v| v.to_str().ok()).expect("a v1.0 token").to_string()
    }

    async fn advance(&self, seconds: u64) -> Value {
        self.ok(reqwest::Method::POST, "/_control/clock", None, Some(json!({"advance_seconds": seconds}))).await
    }

    async fn clock(&self) -> Value {
        self.ok(reqwest::Method::GET, "/_control", None, None).await["clock"]["now"].clone()
    }

    /// What remains of the any-GET rate limit of the v2 account.
    async fn gets_remaining(&self, token: &str) -> i64 {
        let limits = self.get(V2_LIMITS, token).await;
        let rate = limits["limits"]["rate"].as_array().expect("rate limits");
        let all = rate.iter().find(|r| r["uri"] == "*").expect("the any-request limit");
        let get = all["limit"].as_array().and_then(|l| l.iter().find(|l| l["verb"] == "GET")).expect("its GET part");
        get["remaining"].as_i64().expect("a count")
    }

    /// Everything a client can read of the account, by path.
    async fn views(&self, token: &str, v1_token: &str, server: &str, image: &str) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        for path in [
            format!("{V2}/servers/detail"),
            format!("{V2}/servers/{server}"),
            format!("{V2}/servers/{server}/metadata"),
            format!("{V2}/images/detail"),
            format!("{V2}/images/{image}"),
            format!("{V2}/images/{image}/metadata"),
        ] {
            let v = self.get(&path, token).await;
            out.insert(path, v);
        }
        for path in [format!("{V1}/servers/detail"), format!("{V1}/images/detail"), format!("{V1}/shared_ip_groups/detail")] {
            let v = self.get(&path, v1_token).await;
            out.insert(path, v);
        }
        out.insert("clock".into(), self.clock().await);
        out
    }
}

const V2: &str = "/v2/v2/010101";
const V1: &str = "/v1_0/v1.0/010101";
const V2_LIMITS: &str = "/v2/v2/010101/limits";

fn status_of(v: &Value) -> &str {
    v["server"]["status"].as_str().or_else(|| v["image"]["status"].as_str()).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_provider_restarts_with_everything_a_client_saw() {
    use reqwest::Method as M;
    let dir = tempfile::tempdir().expect("a temp dir");
    let state = dir.path().join("cloud.db");
    let http = reqwest::Client::new();

    // First run: servers, metadata, an image, v1.0 resources, a walk left under way.
    let p = Provider::start(&state, &dir.path().join("run1.log"));
    let api = Api { http: &http, base: &p.base };
    let token = api.token().await;
    let t = Some(token.as_str());
    let body = json!({"server": {"name": "stable", "imageRef": "image", "flavorRef": "2", "metadata": {"role": "web"}}});
    let made = api.ok(M::POST, &format!("{V2}/servers"), t, Some(body)).await;
    let stable = made["server"]["id"].as_str().expect("an id").to_string();
    api.advance(STEP_SECS * 6).await;
    assert_eq!(status_of(&api.get(&format!("{V2}/servers/{stable}"), &token).await), "ACTIVE");
    api.ok(M::PUT, &format!("{V2}/servers/{stable}/metadata/color"), t, Some(json!({"meta": {"color": "blue"}}))).await;
    let (status, headers, _) = api.call(M::POST, &format!("{V2}/servers/{stable}/action"), t, Some(json!({"createImage": {"name": "snap", "metadata": {"k": "v"}}}))).await;
    assert_eq!(status, 202);
    let location = headers.get("location").and_then(|v| v.to_str().ok()).expect("the image's location");
    let image = location.rsplit('/').next().expect("an image id").to_string();
    let body = json!({"server": {"name": "walking", "imageRef": "image", "flavorRef": "3"}});
    let made = api.ok(M::POST, &format!("{V2}/servers"), t, Some(body)).await;
    let walking = made["server"]["id"].as_str().expect("an id").to_string();
    let v1 = api.v1_0_token().await;
    api.ok(M::POST, &format!("{V1}/shared_ip_groups"), Some(&v1), Some(json!({"sharedIpGroup": {"name": "group"}}))).await;
    api.ok(M::POST, &format!("{V1}/servers"), Some(&v1), Some(json!({"server": {"name": "first-gen", "imageId": 2, "flavorId": 1, "metadata": {"x": "y"}}}))).await;
    api.advance(1).await;
    let walking_before = api.get(&format!("{V2}/servers/{walking}"), &token).await;
    assert_eq!(status_of(&walking_before), "BUILD", "{walking_before}");
    let views = api.views(&token, &v1, &stable, &image).await;
    assert_eq!(status_of(&views[&format!("{V2}/images/{image}")]), "SAVING");
    let remaining = api.gets_remaining(&token).await;
    // The last change a client sees succeed, then SIGKILL at once.
    let last_token = api.token().await;
    p.kill();

    // Second run: the same answers, through the token issued just before the kill.
    let p = Provider::start(&state, &dir.path().join("run2.log"));
    let api = Api { http: &http, base: &p.base };
    assert_eq!(api.gets_remaining(&last_token).await, remaining - 1, "the rate-limit windows went on counting");
    let again = api.views(&last_token, &v1, &stable, &image).await;
    for (path, before) in &views {
        assert_eq!(again.get(path), Some(before), "{path} changed across the restart");
    }
    assert_eq!(again, views);
    assert_eq!(api.get(&format!("{V2}/servers/{walking}"), &token).await, walking_before, "the first token still works; the walk waited");
    // The walk resumes from the stored clock.
    api.advance(STEP_SECS * 6).await;
    assert_eq!(status_of(&api.get(&format!("{V2}/servers/{walking}"), &token).await), "ACTIVE");
    assert_eq!(status_of(&api.get(&format!("{V2}/images/{image}"), &token).await), "ACTIVE");
    let clock = api.clock().await;
    let body = json!({"server": {"name": "after-restart", "imageRef": "image", "flavorRef": "2"}});
    let made = api.ok(M::POST, &format!("{V2}/servers"), Some(&token), Some(body)).await;
    let after = made["server"]["id"].as_str().expect("an id").to_string();
    p.kill();

    // Third run: the server created just before the second kill, and the moved clock.
    let p = Provider::start(&state, &dir.path().join("run3.log"));
    let api = Api { http: &http, base: &p.base };
    assert_eq!(api.clock().await, clock);
    let s = api.get(&format!("{V2}/servers/{after}"), &token).await;
    assert_eq!(s["server"]["name"], "after-restart");
    assert_eq!(status_of(&s), "BUILD");
    assert_eq!(status_of(&api.get(&format!("{V2}/servers/{walking}"), &token).await), "ACTIVE");
    let md = api.get(&format!("{V2}/servers/{stable}/metadata"), &token).await;
    assert_eq!((&md["metadata"]["role"], &md["metadata"]["color"]), (&json!("web"), &json!("blue")), "{md}");
    drop(p);
}

/// Runs the provider on `state` and waits for it to exit (it must not serve).
fn refused(state: &Path) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let log = dir.path().join("stderr");
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("a log file"))
        .spawn()
        .expect("the provider starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("waits") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the provider served on {}", state.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status, std::fs::read_to_string(&log).expect("reads the log"))
}

#[test]
fn an_unusable_state_file_stops_the_provider_with_its_name() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let corrupt = dir.path().join("corrupt.db");
    std::fs::write(&corrupt, b"this is not a SQLite database, whatever its name says\n".repeat(200)).expect("writes");
    let cases = [(corrupt.clone(), "not a database"), (dir.path().to_path_buf(), "unable to open")];
    for (path, why) in cases {
        let (status, stderr) = refused(&path);
        assert!(!status.success(), "{}: {status}", path.display());
        assert_eq!(status.code(), Some(1), "an error, not a panic or a signal: {stderr}");
        assert!(stderr.contains(&path.display().to_string()), "names the file: {stderr}");
        assert!(stderr.contains(why), "says why: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(std::fs::read(&corrupt).is_ok_and(|b| b.starts_with(b"this is not")), "the file is left as it was");
}
