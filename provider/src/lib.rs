//! A fake Rackspace cloud for tests: the documented Cloud Servers v2, identity and (in
//! part) v1.0 operations, served over HTTP from the schema's operation tables and the
//! generated models, faults and state machines.
//!
//! Every API is mounted under its module name (`/v2`, `/v1_0`, `/identity`, ...), which
//! stands for the API's documented host: `GET /v2/` is the v2 version list, and the v2
//! endpoint of an account is `/v2/v2/{tenant}`, as the catalog of a token says. A client
//! needs only [`Handle::identity_url`] and the credentials of [`Handle::accounts`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), provider::Error> {
//! let cloud = provider::spawn(provider::Config::default()).await?;
//! println!("identity at {}", cloud.identity_url());
//! cloud.shutdown().await;
//! # Ok(()) }
//! ```

mod behaviours;
mod clock;
mod compute;
mod control;
mod deviations;
mod first_gen;
mod http;
mod identity;
mod lifecycle;
mod limits;
mod mounts;
mod persist;
mod rackconnect;
mod seed;
mod state;
mod wire;

pub use clock::{Clock, ClockMode};
pub use deviations::Deviation;
pub use persist::StateError;
pub use seed::{Account, Seed, SeedError};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How a provider runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// A real clock, or a virtual one advanced through the control API.
    pub clock: ClockMode,
    /// How long each transient state of a state machine lasts.
    pub step: Duration,
    /// How long a token lives; `None`: the documented lifetime of the call that issues it.
    pub token_lifetime: Option<Duration>,
    /// The largest request body read, in bytes; a larger one gets the API's 413 fault.
    pub max_body: usize,
    /// Serve the control API under [`CONTROL_PREFIX`].
    pub control: bool,
    /// A seed file replacing the default seed ([`Seed::documented`]).
    pub seed: Option<PathBuf>,
    /// The region every catalog endpoint is advertised in.
    pub region: String,
    /// Enforce the documented rate limits (off for load tests).
    pub rate_limits: bool,
    /// Deliberate departures from the documents switched on at start.
    pub deviations: Vec<Deviation>,
    /// A SQLite file keeping the whole state across restarts (in memory when `None`):
    /// every change is committed before it is answered, and a restart resumes from it.
    pub state: Option<PathBuf>,
    /// Values of absolute limits, by the names the limits calls report, given to every
    /// account over the seed's and the documented ones.
    pub account_limits: std::collections::BTreeMap<String, i64>,
    /// Every account runs RackConnect and Managed Operations automation on its new
    /// servers, whatever the seed says.
    pub automation: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: ClockMode::Real,
            step: Duration::from_millis(200),
            token_lifetime: None,
            max_body: 1 << 20,
            control: false,
            seed: None,
            region: "DFW".to_string(),
            rate_limits: true,
            deviations: Vec::new(),
            state: None,
            account_limits: Default::default(),
            automation: false,
        }
    }
}

impl Config {
    /// Listen on `addr`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Use a virtual clock, which moves only when told (control API or [`Handle::clock`]).
    pub fn virtual_clock(mut self) -> Self {
        self.clock = ClockMode::Virtual;
        self
    }

    /// Each transient state lasts `step`.
    pub fn step(mut self, step: Duration) -> Self {
        self.step = step;
        self
    }

    /// Tokens live `lifetime`.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = Some(lifetime);
        self
    }

    /// Serve the control API.
    pub fn control(mut self, on: bool) -> Self {
        self.control = on;
        self
    }

    /// Enforce the documented rate limits, or not.
    pub fn rate_limits(mut self, on: bool) -> Self {
        self.rate_limits = on;
        self
    }

    /// Switch a deliberate departure from the documents on at start.
    pub fn deviation(mut self, d: Deviation) -> Self {
        self.deviations.push(d);
        self
    }

    /// Give every account this value of the absolute limit `name` (as the limits calls
    /// name it: `maxTotalInstances`), over the seed's and the documented one.
    pub fn account_limit(mut self, name: impl Into<String>, value: i64) -> Self {
        self.account_limits.insert(name.into(), value);
        self
    }

    /// Turn RackConnect and Managed Operations automation on for every account (the
    /// RackConnect API answers only servers of such accounts).
    pub fn automation(mut self, on: bool) -> Self {
        self.automation = on;
        self
    }

    /// Read the seed from `path`.
    pub fn seed(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed = Some(path.into());
        self
    }

    /// Keep the state in the SQLite file at `path` (created when missing), restoring what
    /// it holds at start: the store, a virtual clock's time and the deviation switches.
    pub fn state(mut self, path: impl Into<PathBuf>) -> Self {
        self.state = Some(path.into());
        self
    }
}

/// The path under which the control API is served (with [`Config::control`]).
pub const CONTROL_PREFIX: &str = "/_control";

/// Why a provider could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shipped schema did not load.
    #[error("the schema did not load")]
    Schema(#[source] schema::SchemaError),
    /// The schema lists no API with generated operations, so there is nothing to serve.
    #[error("the schema lists no API this provider can serve")]
    NoApis,
    /// The seed is unusable.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The state file could not be opened or read.
    #[error(transparent)]
    State(#[from] StateError),
    /// An account limit was given for a name no API has an absolute limit of.
    #[error("no API has an absolute limit named {0}")]
    UnknownLimit(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A running provider: its addresses and accounts; dropping it stops the server.
#[derive(Debug)]
pub struct Handle {
    base: String,
    /// Each API's key, host URL and endpoint version segment.
    hosts: Vec<(String, String, String)>,
    identity: String,
    accounts: Vec<Account>,
    clock: Clock,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Handle {
    /// The root URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The identity service's URL, for a client's identity settings.
    pub fn identity_url(&self) -> &str {
        &self.identity
    }

    /// The URL of an API's documented host (`/v2`, `/v1_0`, ...), by schema key (`v2`).
    pub fn host_url(&self, api: &str) -> Option<&str> {
        self.hosts.iter().find(|(k, _, _)| k == api).map(|(_, url, _)| url.as_str())
    }

    /// The URL of an API's endpoint for a tenant (`.../v2/v2/010101`), as the catalog
    /// gives it, by schema key.
    pub fn endpoint_url(&self, api: &str, tenant: &str) -> Option<String> {
        self.hosts.iter().find(|(k, _, _)| k == api).map(|(_, url, version)| format!("{url}/{version}/{tenant}"))
    }

    /// The accounts and their credentials.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// The provider's clock (advance it when it is virtual).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        self.stop_now();
        if let Some(task) = self.task.take() {
            // The server task ends when told; a panic in it has already been logged.
            let _ = task.await;
        }
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop_now();
    }
}

/// Starts a provider on `config.listen` inside the current tokio runtime.
pub async fn spawn(config: Config) -> Result<Handle, Error> {
    let (app, listener) = prepare(config).await?;
    let base = app.base.clone();
    let hosts = app.mounts.iter().map(|m| (m.key.clone(), app.host_url(m), m.version_segment.clone())).collect();
    let identity = app.identity_url();
    let accounts = app.seed.accounts.clone();
    let clock = app.clock.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let router = http::router(Arc::new(app));
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the provider stopped serving");
        }
    });
    Ok(Handle { base, hosts, identity, accounts, clock, stop: Some(stop), task: Some(task) })
}

/// Runs a provider until `shutdown` resolves, printing its URLs and accounts first.
pub async fn serve(config: Config, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> Result<(), Error> {
    let (app, listener) = prepare(config).await?;
    println!("{}", app.banner());
    let router = http::router(Arc::new(app));
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| Error::Listen { addr: SocketAddr::from(([0, 0, 0, 0], 0)), source })
}

async fn prepare(config: Config) -> Result<(state::App, tokio::net::TcpListener), Error> {
    let schema = schema::Schema::load_default().map_err(Error::Schema)?;
    let mut seed = match &config.seed {
        Some(path) => Seed::from_file(path)?,
        None => Seed::documented(&schema)?,
    };
    for (name, value) in &config.account_limits {
        let known = schema.limits.iter().any(|l| matches!(&l.kind, schema::limits::LimitKind::Absolute { name: n, .. } if n == name));
        if !known {
            return Err(Error::UnknownLimit(name.clone()));
        }
        for a in &mut seed.accounts {
            a.limits.insert(name.clone(), *value);
        }
    }
    if config.automation {
        for a in &mut seed.accounts {
            a.automation = true;
        }
    }
    // The state file is opened before the port is bound: a provider that cannot keep its
    // state does not take requests.
    let state = config.state.as_deref().map(persist::Persister::open).transpose()?;
    let listener =
        tokio::net::TcpListener::bind(config.listen).await.map_err(|source| Error::Listen { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Listen { addr: config.listen, source })?;
    let mut app = state::App::new(config, &schema, seed, format!("http://{addr}"));
    if let Some((persister, stored)) = state {
        app.keep_state(persister, stored)?;
    }
    // The router falls back on the first API's faults for paths no API claims.
    if app.mounts.is_empty() {
        return Err(Error::NoApis);
    }
    Ok((app, listener))
}

/// A provider without a listener, answering requests handed to it directly: for fuzzing
/// request decoding (`provider/fuzz`) and for tests that need no sockets.
#[doc(hidden)]
pub mod offline {
    /// What the answer to an operation the provider has no handler for says (the
    /// operation's id comes before it).
    pub const UNSERVED: &str = crate::http::UNSERVED;

    use crate::state::{App, TokenRec};
    use axum::http::{HeaderMap, HeaderValue, Method};

    /// A provider answering in-process.
    pub struct Offline {
        app: App,
        token: String,
    }

    impl Offline {
        /// A provider of the default settings (virtual clock, control API on), with a
        /// token for its first account.
        pub fn new() -> Result<Offline, crate::Error> {
            let schema = schema::Schema::load_default().map_err(crate::Error::Schema)?;
            let seed = crate::Seed::documented(&schema)?;
            let config = crate::Config::default().virtual_clock().control(true);
            let app = App::new(config, &schema, seed, "http://offline.invalid".to_string());
            let tenant = app.seed.accounts.first().map(|a| a.tenant.clone()).ok_or(crate::Error::Seed(crate::SeedError::NoAccount))?;
            let token = "offline-token".to_string();
            app.store().tokens.insert(token.clone(), TokenRec { tenant, expires: jiff::Timestamp::MAX });
            Ok(Offline { app, token })
        }

        /// The status of the answer to a request (`path_and_query` below the root),
        /// sent with the first account's token.
        pub fn status(&self, method: &str, path_and_query: &str, content_type: Option<&str>, body: &[u8]) -> u16 {
            self.respond(method, path_and_query, content_type, body).status().as_u16()
        }

        /// The status and body of the answer to a request, as [`Offline::status`] sends it.
        pub async fn answer(&self, method: &str, path_and_query: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Vec<u8>) {
            let r = self.respond(method, path_and_query, content_type, body);
            let status = r.status().as_u16();
            (status, axum::body::to_bytes(r.into_body(), usize::MAX).await.map(|b| b.to_vec()).unwrap_or_default())
        }

        fn respond(&self, method: &str, path_and_query: &str, content_type: Option<&str>, body: &[u8]) -> axum::response::Response {
            let method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
            let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
            let mut headers = HeaderMap::new();
            if let Ok(t) = HeaderValue::from_str(&self.token) {
                headers.insert(self.app.mounts.first().map(|m| m.token_header.as_str()).unwrap_or("x-auth-token").parse::<axum::http::HeaderName>().unwrap_or(axum::http::header::AUTHORIZATION), t);
            }
            if let Some(ct) = content_type.and_then(|c| HeaderValue::from_str(c).ok()) {
                headers.insert(axum::http::header::CONTENT_TYPE, ct);
            }
            let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
            crate::http::dispatch(&self.app, &method, path, query, &headers, body, peer)
        }

        /// The status of the answer to a fuzzer's input: its first byte picks a method
        /// (and, by its high bit, the root instead of the v2 endpoint), the next line a
        /// path, the one after a content type; the rest is the body. `None` for no input.
        pub fn status_of_input(&self, data: &[u8]) -> Option<u16> {
            const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];
            let (&m, rest) = data.split_first()?;
            let text = String::from_utf8_lossy(rest);
            let mut parts = text.splitn(3, '\n');
            let path = parts.next().unwrap_or_default();
            let content_type = parts.next();
            let body = parts.next().unwrap_or_default().as_bytes();
            let root = if m & 0x80 == 0 { self.endpoint_path("v2").unwrap_or_default() } else { String::new() };
            Some(self.status(METHODS[usize::from(m) % METHODS.len()], &format!("{root}/{path}"), content_type, body))
        }

        /// The path an API's host-relative operations are below (`/identity`).
        pub fn host_path(&self, api: &str) -> Option<String> {
            self.app.mounts.iter().find(|m| m.key == api).map(|m| format!("/{}", m.module))
        }

        /// The endpoint path of an API for the first account (`/v2/v2/010101`).
        pub fn endpoint_path(&self, api: &str) -> Option<String> {
            let tenant = self.app.seed.accounts.first()?.tenant.clone();
            let m = self.app.mounts.iter().find(|m| m.key == api)?;
            Some(format!("/{}/{}/{}", m.module, m.version_segment, tenant))
        }
    }
}
