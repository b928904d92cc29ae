//! The `--state` file: everything a provider holds, kept in SQLite so that a provider
//! killed at any moment (`kill -9`) restarts with every change a client saw succeed.
//!
//! The file holds one row: a JSON snapshot of the whole store, the clock's time and the
//! deviation switches. A request that may have changed something is answered only after
//! the snapshot taken after it is committed ([`after`]); when the commit fails, the client
//! gets the API's 503 fault instead of the handler's answer. Whole snapshots keep the file
//! trivially consistent (there is nothing to migrate or replay) and a fake cloud's store
//! is small.
//!
//! Commits follow the order of changes: a snapshot is encoded under the store lock, and
//! the connection is locked before the store lock is released, so a later snapshot can
//! never be overwritten by an earlier one.

use crate::deviations::Deviation;
use crate::state::{App, Store};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The version of the snapshot's layout; a file of another version is refused rather than
/// misread.
const FORMAT: i64 = 1;

/// SQLite's `application_id` of a provider's state file ("CSPV"), so that another
/// program's database is refused rather than written into.
const APPLICATION_ID: i64 = 0x4353_5056;

/// The one statement run on every save (cached by the connection).
const SAVE: &str = "INSERT INTO snapshot (id, format, body) VALUES (1, ?1, ?2) \
                    ON CONFLICT (id) DO UPDATE SET format = excluded.format, body = excluded.body";

/// A boxed cause, so that SQLite's and serde's error types stay out of the public API.
type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the state file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// SQLite could not open or prepare the file: it cannot be created, is not a database,
    /// or another provider holds it.
    #[error("cannot open the state file {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Cause,
    },
    /// The file is another program's database.
    #[error("the state file {} is a database of another program (application id {found:#x})", path.display())]
    Foreign {
        /// The file.
        path: PathBuf,
        /// Its application id.
        found: i64,
    },
    /// The file was written in a snapshot layout this provider does not read.
    #[error("the state file {} holds a snapshot of format {found}; this provider reads format {FORMAT}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The layout version found.
        found: i64,
    },
    /// The snapshot in the file does not decode.
    #[error("the state file {} holds a snapshot that cannot be read", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Cause,
    },
    /// A snapshot could not be written.
    #[error("cannot save the state to {}", path.display())]
    Save {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Cause,
    },
}

/// What a state file restores.
#[derive(Debug, Deserialize)]
pub struct Snapshot {
    /// The clock's time when it was saved (a virtual clock resumes from it).
    pub now: Timestamp,
    /// The names of the deviations that were on (names this provider does not know are
    /// ignored).
    #[serde(default)]
    pub deviations: Vec<String>,
    /// The store.
    pub store: Store,
}

/// A snapshot as it is written, borrowing the store.
#[derive(Serialize)]
struct Saving<'a> {
    base: &'a str,
    now: Timestamp,
    deviations: Vec<&'static str>,
    store: &'a Store,
}

/// The snapshot a state file holds, not yet decoded (decoding needs the restarted
/// provider's URL).
#[derive(Debug)]
pub struct Stored {
    path: PathBuf,
    body: Vec<u8>,
}

impl Stored {
    /// The snapshot, for a provider now at `base`: the records keep links the API showed
    /// (an image's server, ...), and a provider restarted on another port must not show
    /// links to the old one.
    pub fn decode(self, base: &str) -> Result<Snapshot, StateError> {
        let corrupt = |e: serde_json::Error| StateError::Corrupt { path: self.path.clone(), source: Box::new(e) };
        let mut doc: serde_json::Value = serde_json::from_slice(&self.body).map_err(corrupt)?;
        let old = doc.get("base").and_then(|b| b.as_str()).unwrap_or_default().to_string();
        if !old.is_empty() && old != base {
            rebase(&mut doc, &old, base);
        }
        serde_json::from_value(doc).map_err(corrupt)
    }
}

/// Replaces the URL root `old` by `new` in every string of `v` that is a URL below it.
fn rebase(v: &mut serde_json::Value, old: &str, new: &str) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(rest) = s.strip_prefix(old).filter(|r| r.is_empty() || r.starts_with('/')) {
                *s = format!("{new}{rest}");
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| rebase(i, old, new)),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(|f| rebase(f, old, new)),
        _ => {}
    }
}

/// An open state file.
pub struct Persister {
    path: PathBuf,
    inner: Mutex<Inner>,
}

struct Inner {
    conn: Connection,
    /// The last body committed: an unchanged store is not written again.
    last: Vec<u8>,
}

impl std::fmt::Debug for Persister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persister").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Persister {
    /// Opens (or creates) the state file at `path` and reads its snapshot, if it has one.
    ///
    /// The file is locked for as long as the provider runs (SQLite's exclusive locking
    /// mode), so a second provider on the same file fails here instead of overwriting the
    /// first one's changes; the lock ends with the process, however it ends.
    pub fn open(path: &Path) -> Result<(Persister, Option<Stored>), StateError> {
        let open_err = |e: rusqlite::Error| StateError::Open { path: path.to_path_buf(), source: Box::new(e) };
        let conn = Connection::open(path).map_err(open_err)?;
        // Another provider's lock is an error at once, not a wait.
        conn.busy_timeout(Duration::ZERO).map_err(open_err)?;
        conn.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get::<_, String>(0)).map_err(open_err)?;
        // The first statement that reads the file: a file that is not a database fails here.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "the state file is not in WAL mode");
        }
        // A commit reaches the operating system before it returns, which is what a killed
        // process needs; NORMAL spares an fsync per change (only a power cut could lose the
        // last changes).
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_err)?;
        // An exclusive transaction takes (and, in exclusive locking mode, keeps) the write
        // lock now, so that a file another provider holds is refused at start.
        conn.execute_batch("BEGIN EXCLUSIVE").map_err(open_err)?;
        let read = Self::prepare(&conn, path);
        let body = match read {
            Ok(body) => {
                conn.execute_batch("COMMIT").map_err(open_err)?;
                body
            }
            Err(e) => {
                // The connection is dropped with the error; the rollback only tidies up.
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        };
        // Compiles the save statement once, so that a save is a cache hit.
        conn.prepare_cached(SAVE).map_err(open_err)?;
        let stored = body.clone().map(|body| Stored { path: path.to_path_buf(), body });
        let persister = Persister { path: path.to_path_buf(), inner: Mutex::new(Inner { conn, last: body.unwrap_or_default() }) };
        Ok((persister, stored))
    }

    /// Checks that the file is a provider's (making it one when it is new) and reads its
    /// snapshot's body.
    fn prepare(conn: &Connection, path: &Path) -> Result<Option<Vec<u8>>, StateError> {
        let open_err = |e: rusqlite::Error| StateError::Open { path: path.to_path_buf(), source: Box::new(e) };
        let id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(open_err)?;
        if id != APPLICATION_ID {
            let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(open_err)?;
            if id != 0 || objects > 0 {
                return Err(StateError::Foreign { path: path.to_path_buf(), found: id });
            }
            conn.pragma_update(None, "application_id", APPLICATION_ID).map_err(open_err)?;
        }
        conn.execute_batch("CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), format INTEGER NOT NULL, body BLOB NOT NULL)")
            .map_err(open_err)?;
        let row: Option<(i64, Vec<u8>)> =
            conn.query_row("SELECT format, body FROM snapshot WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(|e| StateError::Corrupt {
                path: path.to_path_buf(),
                source: Box::new(e),
            })?;
        match row {
            None => Ok(None),
            Some((FORMAT, body)) => Ok(Some(body)),
            Some((found, _)) => Err(StateError::Format { path: path.to_path_buf(), found }),
        }
    }

    /// Commits a snapshot of `store` (which the caller holds locked), with the clock's time
    /// and the switches; an unchanged snapshot is not written again.
    ///
    /// The connection is locked before the encoded body is compared and written, and the
    /// caller still holds the store, so snapshots are committed in the order of changes.
    pub fn save(&self, app: &App, store: std::sync::MutexGuard<'_, Store>) -> Result<(), StateError> {
        let saving = Saving { base: &app.base, now: app.clock.now(), deviations: switched_on(app), store: &store };
        let body = serde_json::to_vec(&saving).map_err(|e| StateError::Save { path: self.path.clone(), source: Box::new(e) })?;
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // From here the order of commits is fixed: the store may change again.
        drop(store);
        if inner.last == body {
            return Ok(());
        }
        let written = inner.conn.prepare_cached(SAVE).and_then(|mut s| s.execute(rusqlite::params![FORMAT, &body]));
        match written {
            Ok(_) => {
                inner.last = body;
                Ok(())
            }
            Err(e) => Err(StateError::Save { path: self.path.clone(), source: Box::new(e) }),
        }
    }
}

/// The names of the deviations that are on.
fn switched_on(app: &App) -> Vec<&'static str> {
    Deviation::ALL.iter().filter(|(d, _, _)| app.switches.on(*d)).map(|(_, n, _)| *n).collect()
}

/// Whether a request may have changed what the provider holds: anything but a read;
/// reads of an identity API (v1.0 authentication is a GET that issues a token); and,
/// while rate limits are enforced, every read (each counts against its windows). Answers
/// of 500 and above changed nothing a client may rely on. Other reads only settle walks,
/// and a stored walk keeps its pending states with their times, so they need no save.
fn may_have_changed(app: &App, method: &Method, path: &str, status: StatusCode) -> bool {
    if status.as_u16() >= 500 {
        return false;
    }
    if *method != Method::GET && *method != Method::HEAD {
        return true;
    }
    let module = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    let identity = app.mounts.iter().any(|m| m.module == module && m.exchanges_credentials());
    identity || (app.config.rate_limits && !app.switches.on(Deviation::NoRateLimits))
}

/// The hook run after every request: when the state is kept in a file and the request may
/// have changed it, the answer is sent only once the change is committed; a failed commit
/// turns the answer into the API's 503 fault, so a client never sees a success that a
/// restart would lose.
pub fn after(app: &App, method: &Method, path: &str, headers: &HeaderMap, response: Response) -> Response {
    let Some(persister) = app.persister() else { return response };
    if !may_have_changed(app, method, path, response.status()) {
        return response;
    }
    match persister.save(app, app.store()) {
        Ok(()) => response,
        Err(e) => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            tracing::error!(error = %message, "the change was not saved");
            unsaved(app, method, path, headers, message)
        }
    }
}

/// The answer to a request whose change could not be saved: the 503 fault of the API the
/// path is for (the control API answers its own way).
fn unsaved(app: &App, method: &Method, path: &str, headers: &HeaderMap, message: String) -> Response {
    let controls = path == crate::CONTROL_PREFIX || path.starts_with(&format!("{}/", crate::CONTROL_PREFIX));
    let module = path.trim_start_matches('/').split('/').next().unwrap_or_default();
    let mount = app.mounts.iter().find(|m| m.module == module).or_else(|| app.mounts.first());
    let fault = mount.filter(|_| !controls).and_then(|m| {
        let style = crate::http::style(m);
        crate::wire::fault_for(style, None, 503, message.clone()).or_else(|| crate::wire::fault_for(style, None, 500, message.clone())).map(|mut f| {
            f.status = 503;
            (style, f)
        })
    });
    let extension = match path.rsplit_once('.') {
        Some((_, "xml")) => Some(runtime::shapes::Format::Xml),
        Some((_, "json")) => Some(runtime::shapes::Format::Json),
        _ => None,
    };
    match fault {
        Some((style, f)) => crate::wire::fault_response(style, &f, crate::wire::response_format(extension, headers, None), app.clock.now(), || format!("{method} {path}")),
        None => {
            let body = serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default();
            let mut r = Response::new(axum::body::Body::from(body));
            *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
            r.headers_mut().insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
            r
        }
    }
}

/// Restores a snapshot into a provider: the store, a virtual clock's time and the
/// deviation switches (those of the settings stay on as well).
pub fn restore(app: &App, snapshot: Snapshot) {
    app.replace_store(snapshot.store);
    app.clock.set(snapshot.now);
    for (d, name, _) in Deviation::ALL {
        app.switches.set(*d, snapshot.deviations.iter().any(|n| n == name) || app.config.deviations.contains(d));
    }
}

/// Serde for a map whose keys are not strings (the rate-limit windows, keyed by tuples),
/// as a list of key-value pairs, which JSON can hold.
pub mod entries {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::HashMap;
    use std::hash::Hash;

    /// Writes the map as a list of pairs.
    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(map: &HashMap<K, V>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    /// Reads a list of pairs into a map.
    pub fn deserialize<'de, K: Deserialize<'de> + Eq + Hash, V: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<HashMap<K, V>, D::Error> {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::fmt::Debug;
    use std::net::SocketAddr;
    use std::sync::Arc;

    /// The store as sorted lines, so that two stores compare whatever their maps' order.
    fn canonical(s: &Store) -> Vec<String> {
        fn sorted<K: Debug + Ord, V: Debug>(what: &str, m: &HashMap<K, V>) -> Vec<String> {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|a, b| a.0.cmp(b.0));
            v.into_iter().map(|(k, v)| format!("{what} {k:?} => {v:?}")).collect()
        }
        let mut out = sorted("token", &s.tokens);
        out.extend(sorted("tenant", &s.tenants));
        out.extend(sorted("v1.0", &s.first_gen));
        out.extend(sorted("window", &s.windows));
        out.push(format!("behaviours {:?}", s.behaviours));
        out.push(format!("serial {}", s.serial));
        out
    }

    async fn start(config: crate::Config) -> (Arc<App>, String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let (app, listener) = crate::prepare(config).await.expect("the provider starts");
        let app = Arc::new(app);
        let base = app.base.clone();
        let router = crate::http::router(app.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        (app, base, stop, task)
    }

    async fn send(c: &reqwest::Client, method: reqwest::Method, url: &str, token: Option<&str>, body: Option<serde_json::Value>) -> reqwest::Response {
        let mut r = c.request(method, url);
        if let Some(t) = token {
            r = r.header("X-Auth-Token", t);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.expect("the provider answers")
    }

    /// Every kind of record a provider holds, made through its APIs.
    async fn populate(c: &reqwest::Client, base: &str) {
        use reqwest::Method as M;
        use serde_json::json as j;
        let auth = j!({"auth": {"passwordCredentials": {"username": "MyRackspaceAcct", "password": "password"}}});
        let access: serde_json::Value = send(c, M::POST, &format!("{base}/identity/v2.0/tokens"), None, Some(auth)).await.json().await.expect("json");
        let token = access["access"]["token"]["id"].as_str().expect("a token").to_string();
        let t = Some(token.as_str());
        let e = format!("{base}/v2/v2/010101");
        let r = send(c, M::POST, &format!("{base}/_control/outcomes"), None, Some(j!({"operation": "v2.servers.reboot", "outcome": "stalls"}))).await;
        assert_eq!(r.status(), 200);
        let r = send(c, M::POST, &format!("{base}/_control/deviations"), None, Some(j!({"name": "no-location", "on": true}))).await;
        assert_eq!(r.status(), 200);
        let server = j!({"server": {"name": "kept", "imageRef": "image", "flavorRef": "2", "metadata": {"a": "1"}, "OS-DCF:diskConfig": "MANUAL"}});
        let made: serde_json::Value = send(c, M::POST, &format!("{e}/servers"), t, Some(server)).await.json().await.expect("json");
        let id = made["server"]["id"].as_str().expect("an id").to_string();
        assert_eq!(send(c, M::PUT, &format!("{e}/servers/{id}/metadata/color"), t, Some(j!({"meta": {"color": "blue"}}))).await.status(), 200);
        send(c, M::POST, &format!("{base}/_control/clock"), None, Some(j!({"advance_seconds": 30}))).await;
        assert_eq!(send(c, M::GET, &format!("{e}/servers/{id}"), t, None).await.status(), 200);
        let r = send(c, M::POST, &format!("{e}/servers/{id}/action"), t, Some(j!({"createImage": {"name": "snap", "metadata": {"k": "v"}}}))).await;
        assert_eq!(r.status(), 202);
        let r = send(c, M::POST, &format!("{e}/servers/{id}/action"), t, Some(j!({"reboot": {"type": "SOFT"}}))).await;
        assert_eq!(r.status(), 202);
        let r = send(c, M::POST, &format!("{e}/servers"), t, Some(j!({"server": {"name": "building", "imageRef": "image", "flavorRef": "3"}}))).await;
        assert_eq!(r.status(), 202);
        let r = c.get(format!("{base}/identity/v1.0")).header("X-Auth-User", "MyRackspaceAcct").header("X-Auth-Key", "api-key").send().await.expect("answers");
        let v1 = r.headers().get("x-auth-token").and_then(|v| v.to_str().ok()).expect("a v1.0 token").to_string();
        let m = format!("{base}/v1_0/v1.0/010101");
        let r = send(c, M::POST, &format!("{m}/shared_ip_groups"), Some(&v1), Some(j!({"sharedIpGroup": {"name": "g"}}))).await;
        assert!(r.status().is_success(), "{}", r.status());
        let r = send(c, M::POST, &format!("{m}/servers"), Some(&v1), Some(j!({"server": {"name": "old", "imageId": 2, "flavorId": 1, "metadata": {"x": "y"}}}))).await;
        assert!(r.status().is_success(), "{}", r.status());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_record_survives_the_file_unchanged() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("state.db");
        let config = crate::Config::default().virtual_clock().control(true).state(&path).step(Duration::from_secs(5));
        let (app, base, stop, task) = start(config.clone()).await;
        let c = reqwest::Client::new();
        populate(&c, &base).await;
        let before = canonical(&app.store());
        let now = app.clock.now();
        assert!(before.iter().any(|l| l.starts_with("window")), "rate limits counted: {before:#?}");
        assert!(before.iter().any(|l| l.starts_with("v1.0")), "v1.0 records: {before:#?}");
        // The in-memory round trip alone, then the file's.
        let json = serde_json::to_vec(&*app.store()).expect("encodes");
        let decoded: Store = serde_json::from_slice(&json).expect("decodes");
        assert_eq!(canonical(&decoded), before);
        // The file is the provider's alone while any part of it runs: the client's idle
        // connections close first, then every holder of the state lets it go.
        drop(c);
        let _ = stop.send(());
        task.await.expect("the server stops");
        for _ in 0..500 {
            if Arc::strong_count(&app) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(Arc::strong_count(&app), 1, "the provider's state is still held after it stopped");
        drop(app);
        let (_, stored) = Persister::open(&path).expect("reopens");
        let snapshot = stored.expect("a snapshot").decode(&base).expect("decodes");
        assert_eq!(snapshot.now, now, "the clock's time");
        assert_eq!(snapshot.deviations, vec!["no-location".to_string()]);
        assert_eq!(canonical(&snapshot.store), before);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_change_that_cannot_be_saved_is_answered_with_the_503_fault() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("state.db");
        let (app, base, stop, task) = start(crate::Config::default().virtual_clock().control(true).state(&path)).await;
        let persister = app.persister().expect("a state file");
        // The table goes away under the provider: every save now fails.
        persister.inner.lock().expect("unpoisoned").conn.execute_batch("DROP TABLE snapshot").expect("drops");
        let c = reqwest::Client::new();
        let auth = serde_json::json!({"auth": {"passwordCredentials": {"username": "MyRackspaceAcct", "password": "password"}}});
        let r = send(&c, reqwest::Method::POST, &format!("{base}/identity/v2.0/tokens"), None, Some(auth)).await;
        assert_eq!(r.status(), 503);
        let body: serde_json::Value = r.json().await.expect("a fault document");
        let (name, fault) = body.as_object().and_then(|o| o.iter().next()).expect("a fault");
        assert!(fault["message"].as_str().is_some_and(|m| m.contains("state.db")), "{name}: {fault}");
        let r = send(&c, reqwest::Method::POST, &format!("{base}/_control/clock"), None, Some(serde_json::json!({"advance_seconds": 1}))).await;
        assert_eq!(r.status(), 503, "the control API too");
        let _ = stop.send(());
        let _ = task.await;
    }

    fn open_err(path: &Path) -> StateError {
        match Persister::open(path) {
            Ok(_) => panic!("{} opened", path.display()),
            Err(e) => e,
        }
    }

    #[test]
    fn unusable_files_are_refused_with_their_name() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![0x5a; 8192]).expect("writes");
        let e = open_err(&garbage);
        assert!(matches!(e, StateError::Open { .. }) && e.to_string().contains("garbage.db"), "{e:?}");

        let e = open_err(dir.path());
        assert!(matches!(e, StateError::Open { .. }), "a directory: {e:?}");

        let foreign = dir.path().join("foreign.db");
        Connection::open(&foreign).and_then(|c| c.execute_batch("CREATE TABLE t (x)")).expect("a database");
        let e = open_err(&foreign);
        assert!(matches!(e, StateError::Foreign { .. }) && e.to_string().contains("foreign.db"), "{e:?}");

        let path = dir.path().join("state.db");
        let (first, none) = Persister::open(&path).expect("creates");
        assert!(none.is_none(), "a new file holds no snapshot");
        let e = open_err(&path);
        assert!(matches!(e, StateError::Open { .. }), "a file another provider holds: {e:?}");
        first.inner.lock().expect("unpoisoned").conn.execute_batch("INSERT INTO snapshot VALUES (1, 1, CAST('not json' AS BLOB))").expect("writes");
        drop(first);
        let (_, stored) = Persister::open(&path).expect("opens");
        let e = stored.expect("a snapshot").decode("http://127.0.0.1:1").expect_err("not a snapshot");
        assert!(matches!(e, StateError::Corrupt { .. }) && e.to_string().contains("state.db"), "{e:?}");

        let (p, _) = Persister::open(&dir.path().join("v.db")).expect("creates");
        p.inner.lock().expect("unpoisoned").conn.execute_batch("INSERT INTO snapshot VALUES (1, 99, CAST('{}' AS BLOB))").expect("writes");
        drop(p);
        let e = open_err(&dir.path().join("v.db"));
        assert!(matches!(e, StateError::Format { found: 99, .. }), "{e:?}");
    }
}
