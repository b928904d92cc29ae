//! The endpoint under test: the embedded reference provider, or any identity URL with
//! credentials from the environment; where each API is, and what the target offers.

use schema::{Api, Schema};
use std::sync::Mutex;
use std::time::Duration;

/// The environment variable naming the user (with `CONFORMANCE_PASSWORD` or
/// `CONFORMANCE_API_KEY`).
pub const USERNAME_VAR: &str = "CONFORMANCE_USERNAME";
/// The environment variable holding the password.
pub const PASSWORD_VAR: &str = "CONFORMANCE_PASSWORD";
/// The environment variable holding the API key.
pub const API_KEY_VAR: &str = "CONFORMANCE_API_KEY";
/// The environment variable `cargo test` reads the target's identity URL from.
pub const TARGET_VAR: &str = "CONFORMANCE_TARGET";

/// Why the target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The embedded provider did not start.
    #[error("the embedded provider did not start")]
    Embedded(#[source] provider::Error),
    /// Credentials are missing from the environment.
    #[error("set {USERNAME_VAR} and {PASSWORD_VAR} or {API_KEY_VAR} for --target {0}")]
    NoCredentials(String),
    /// Authentication failed.
    #[error("authentication at {url} failed")]
    Auth {
        /// The identity URL.
        url: String,
        /// Why.
        #[source]
        source: runtime::client::TransportError,
    },
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built")]
    Http(#[source] reqwest::Error),
}

/// Credentials for identity v2.0 (never shown by `Debug`).
#[derive(Clone)]
pub struct Credentials {
    /// The user.
    pub username: String,
    /// The password or API key.
    pub secret: runtime::client::Credential,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

impl Credentials {
    /// The credentials in the environment, if complete.
    pub fn from_env() -> Option<Credentials> {
        let username = std::env::var(USERNAME_VAR).ok().filter(|u| !u.is_empty())?;
        let secret = match (std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty()), std::env::var(API_KEY_VAR).ok().filter(|k| !k.is_empty())) {
            (Some(p), _) => runtime::client::Credential::Password(runtime::Secret::new(p)),
            (None, Some(k)) => runtime::client::Credential::ApiKey(runtime::Secret::new(k)),
            (None, None) => return None,
        };
        Some(Credentials { username, secret })
    }

    fn secret_text(&self) -> String {
        match &self.secret {
            runtime::client::Credential::Password(s) | runtime::client::Credential::ApiKey(s) => s.expose().to_string(),
        }
    }
}

/// Values that must never appear in output: credentials, tokens, passwords the target
/// generated.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Marks a value as secret: every report and reproduction hides it from now on.
pub fn remember_secret(value: &str) {
    if value.len() >= 4 {
        if let Ok(mut s) = SECRETS.lock() {
            if !s.iter().any(|v| v == value) {
                s.push(value.to_string());
            }
        }
    }
}

/// The values marked secret.
pub fn secrets() -> Vec<String> {
    SECRETS.lock().map(|s| s.clone()).unwrap_or_default()
}

/// `text` with every secret replaced by `***`: wherever it stands as a whole value (not
/// inside a longer word, so a password `password` leaves `change-password` alone).
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for s in secrets() {
        let mut done = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(&s) {
            let before = done.chars().last().or_else(|| rest[..i].chars().last());
            let before = if i > 0 { rest[..i].chars().last() } else { before };
            let after = rest[i + s.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
            done.push_str(&rest[..i]);
            done.push_str(if word(before) || word(after) { &s } else { "***" });
            rest = &rest[i + s.len()..];
        }
        done.push_str(rest);
        out = done;
    }
    out
}

/// Where each API of the target is.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    /// Per API key: the service endpoint (ending in the account), when the API has one.
    pub endpoint: Vec<(Api, String)>,
    /// Per API key: the host root of its host-relative operations.
    pub host: Vec<(Api, String)>,
    /// The identity service root.
    pub identity: String,
    /// The control API root, when the target offers one.
    pub control: Option<String>,
}

impl Endpoints {
    /// The service endpoint of `api`.
    pub fn endpoint_of(&self, api: Api) -> Option<&str> {
        self.endpoint.iter().find(|(a, _)| *a == api).map(|(_, u)| u.as_str())
    }

    /// The host root of `api`.
    pub fn host_of(&self, api: Api) -> Option<&str> {
        self.host.iter().find(|(a, _)| *a == api).map(|(_, u)| u.as_str())
    }
}

/// Signs in again for a new token.
pub struct Renewer {
    auth: runtime::client::IdentityV2,
    timeout: Duration,
}

impl Renewer {
    /// A new token, or `None` when signing in fails.
    pub async fn token(&self) -> Option<String> {
        let transport = runtime::client::Transport::builder()
            .auth(self.auth.clone())
            .identity(&cloudservers::identity::auth::EXCHANGE)
            .timeout(self.timeout)
            .retry(runtime::client::RetryPolicy { max_attempts: 1, max_wait: Duration::ZERO })
            .build()
            .ok()?;
        let facts = [&cloudservers::v2::client::API, &cloudservers::v1_0::client::API].into_iter().find(|f| f.catalog_service.is_some())?;
        transport.for_api(facts).endpoint().await.ok()?;
        transport.session().await.and_then(|s| s.token).map(|t| t.expose().to_string())
    }
}

/// The target: where it is, and the provider when it is the embedded one.
pub struct Target {
    /// What the report calls it.
    pub name: String,
    /// The APIs' URLs.
    pub endpoints: Endpoints,
    /// The token of the run's account.
    pub token: Option<String>,
    /// The embedded provider (stopped when the target is dropped).
    pub embedded: Option<provider::Handle>,
    /// Signs in again when the token expires.
    pub renewer: Option<Renewer>,
}

impl Target {
    /// Starts the reference provider in this process, with a virtual clock, its control
    /// API and RackConnect automation on (the RackConnect API answers only servers that
    /// run it), and signs in with its first account.
    pub async fn embedded(schema: &Schema, config: provider::Config, timeout: Duration) -> Result<Target, TargetError> {
        let handle = provider::spawn(config.virtual_clock().control(true).automation(true)).await.map_err(TargetError::Embedded)?;
        let account = handle.accounts().first().cloned();
        let creds = account.map(|a| Credentials { username: a.username, secret: runtime::client::Credential::Password(runtime::Secret::new(a.password)) });
        let mut target = Target::signed_in("embedded reference provider", handle.identity_url(), creds.as_ref(), None, schema, timeout).await?;
        // Host roots of APIs that the catalog does not list (RackConnect) come from the
        // provider itself; the control API too.
        for info in &schema.apis {
            if target.endpoints.host_of(info.key).is_none() {
                if let Some(url) = handle.host_url(info.key.as_str()) {
                    target.endpoints.host.push((info.key, url.to_string()));
                }
            }
        }
        target.endpoints.control = Some(format!("{}{}", handle.base_url(), provider::CONTROL_PREFIX));
        target.embedded = Some(handle);
        Ok(target)
    }

    /// A target by its identity URL, signed in with `creds`, endpoints from the catalog
    /// in `region`.
    pub async fn remote(schema: &Schema, identity: &str, creds: &Credentials, region: Option<&str>, timeout: Duration) -> Result<Target, TargetError> {
        Target::signed_in(identity, identity, Some(creds), region, schema, timeout).await
    }

    async fn signed_in(name: &str, identity: &str, creds: Option<&Credentials>, region: Option<&str>, schema: &Schema, timeout: Duration) -> Result<Target, TargetError> {
        let identity = identity.trim_end_matches('/').to_string();
        let mut endpoints = Endpoints { identity: identity.clone(), ..Endpoints::default() };
        // The identity API is the one whose exchanges the generated identity module runs.
        if let Some(info) = schema.apis.iter().find(|a| a.key.as_str() == cloudservers::identity::client::API.api) {
            endpoints.host.push((info.key, identity.clone()));
        }
        let Some(creds) = creds else {
            return Ok(Target { name: name.to_string(), endpoints, token: None, embedded: None, renewer: None });
        };
        remember_secret(&creds.secret_text());
        let mut auth = match &creds.secret {
            runtime::client::Credential::Password(p) => runtime::client::IdentityV2::password(&identity, &creds.username, p.expose()),
            runtime::client::Credential::ApiKey(k) => runtime::client::IdentityV2::api_key(&identity, &creds.username, k.expose()),
        };
        if let Some(r) = region {
            auth = auth.region(r);
        }
        let renewer = Renewer { auth: auth.clone(), timeout };
        let transport = runtime::client::Transport::builder()
            .auth(auth)
            .identity(&cloudservers::identity::auth::EXCHANGE)
            .timeout(timeout)
            .retry(runtime::client::RetryPolicy { max_attempts: 1, max_wait: Duration::ZERO })
            .build()
            .map_err(|source| TargetError::Auth { url: identity.clone(), source })?;
        // The catalog's endpoint of each API with a catalog entry.
        for info in &schema.apis {
            let Some(facts) = api_facts(info.key) else { continue };
            if facts.catalog_service.is_none() {
                continue;
            }
            match transport.for_api(facts).endpoint().await {
                Ok(url) => {
                    let url = url.as_str().trim_end_matches('/').to_string();
                    endpoints.host.push((info.key, host_root(schema, info.key, &url)));
                    endpoints.endpoint.push((info.key, url));
                }
                Err(runtime::client::TransportError::Auth(runtime::client::AuthError::NoEndpoint { .. })) => {}
                Err(source) => return Err(TargetError::Auth { url: identity.clone(), source }),
            }
        }
        let token = transport.session().await.and_then(|s| s.token).map(|t| t.expose().to_string());
        if let Some(t) = &token {
            remember_secret(t);
        }
        Ok(Target { name: name.to_string(), endpoints, token, embedded: None, renewer: Some(renewer) })
    }
}

/// The generated facts of an API, by schema key.
pub fn api_facts(api: Api) -> Option<&'static runtime::client::ApiFacts> {
    [&cloudservers::v2::client::API, &cloudservers::v1_0::client::API, &cloudservers::rackconnect::client::API, &cloudservers::identity::client::API]
        .into_iter()
        .find(|f| f.api == api.as_str())
}

/// The host root of an endpoint: its URL cut before the last segment that names a version
/// of the API (the first segment of a host-relative path of its operations).
fn host_root(schema: &Schema, api: Api, endpoint: &str) -> String {
    let versions: Vec<&str> = schema
        .operations
        .iter()
        .filter(|o| o.api == api && o.base == shapes::operations::Base::Host)
        .filter_map(|o| o.path.trim_start_matches('/').split('/').next())
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    let Some((scheme, rest)) = endpoint.split_once("://") else { return endpoint.to_string() };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let at = segments.iter().rposition(|s| versions.contains(s)).unwrap_or(segments.len());
    let prefix = segments[..at].join("/");
    if prefix.is_empty() {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}/{prefix}")
    }
}
