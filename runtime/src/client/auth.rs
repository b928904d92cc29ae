//! Authentication: none (RackConnect), a given token, identity v2.0 tokens by password
//! or API key with the endpoint chosen from the service catalog, and v1.0 header auth.
//!
//! The exchanges themselves (paths, methods, request and response bodies, header names)
//! are the schema's: generated code supplies them as an [`IdentityExchange`], built from
//! the identity API's operations and models, and this module runs them.

use super::format::Format;
use super::transport::{read_body, TransportError};
use crate::faults::{FaultBody, FaultParts};
use crate::Secret;
use jiff::Timestamp;
use shapes::time::parse_http_date;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, DATE};
use reqwest::{Method, Url};
use std::fmt;
use std::time::Duration;

/// The secret half of identity v2.0 credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A password (`passwordCredentials` in the documents).
    Password(Secret),
    /// An API key (`RAX-KSKEY:apiKeyCredentials` in the documents).
    ApiKey(Secret),
}

/// Identity v2.0 authentication: a token from the identity service, then the endpoint of
/// the client's service from the service catalog. Built with [`IdentityV2::password`] or
/// [`IdentityV2::api_key`], narrowed with [`IdentityV2::tenant`] and
/// [`IdentityV2::region`]; `Debug` never shows the secret. Renewed before it expires and
/// on a `401`.
///
/// The catalog service is not given here: each generated client knows the catalog name
/// of its API from the schema (`cloudServersOpenStack` for v2, `cloudServers` for v1.0),
/// so one `Auth` serves the clients of both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityV2 {
    identity_url: String,
    username: String,
    credential: Credential,
    tenant: Option<String>,
    region: Option<String>,
}

impl IdentityV2 {
    /// Identity v2.0 by password, at `identity_url` (the identity service root,
    /// `https://identity.api.rackspacecloud.com`, with or without `/v2.0`).
    pub fn password(identity_url: impl Into<String>, username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::with(identity_url.into(), username.into(), Credential::Password(Secret::new(password)))
    }

    /// Identity v2.0 by API key, at `identity_url`.
    pub fn api_key(identity_url: impl Into<String>, username: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self::with(identity_url.into(), username.into(), Credential::ApiKey(Secret::new(api_key)))
    }

    fn with(identity_url: String, username: String, credential: Credential) -> Self {
        IdentityV2 { identity_url, username, credential, tenant: None, region: None }
    }

    /// Chooses only endpoints of this tenant (the catalog's endpoint tenant id).
    pub fn tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into());
        self
    }

    /// Chooses the endpoint of this region (`DFW`, `ORD`; any case); an endpoint without a
    /// region serves any. Without one, the first endpoint of the service is chosen.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The identity service root.
    pub fn identity_url(&self) -> &str {
        &self.identity_url
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password or API key.
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The tenant endpoints are chosen from, if given.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// The region endpoints are chosen from, if given.
    pub fn region_name(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

impl From<IdentityV2> for Auth {
    fn from(a: IdentityV2) -> Auth {
        Auth::IdentityV2(a)
    }
}

/// v1.0 authentication: the user and key in headers of one call to the authentication
/// service, which answers with the token and the service endpoint in headers. `Debug`
/// never shows the key. Renewed on a `401`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V1_0 {
    auth_url: String,
    user: String,
    key: Secret,
}

impl V1_0 {
    /// v1.0 authentication at `auth_url` (`https://auth.api.rackspacecloud.com`, with or
    /// without `/v1.0`) as `user` with API key `key`.
    pub fn new(auth_url: impl Into<String>, user: impl Into<String>, key: impl Into<String>) -> Self {
        V1_0 { auth_url: auth_url.into(), user: user.into(), key: Secret::new(key) }
    }

    /// The authentication service root.
    pub fn auth_url(&self) -> &str {
        &self.auth_url
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The API key.
    pub fn key(&self) -> &Secret {
        &self.key
    }
}

impl From<V1_0> for Auth {
    fn from(a: V1_0) -> Auth {
        Auth::V1_0(a)
    }
}

/// How a client authenticates. `Debug` never shows a secret.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Auth {
    /// No authentication (RackConnect: the caller's source address is its identity).
    #[default]
    None,
    /// A token obtained elsewhere, sent in the operations' token header; it cannot be
    /// renewed.
    Token(Secret),
    /// Identity v2.0 (see [`IdentityV2`]).
    IdentityV2(IdentityV2),
    /// v1.0 header authentication (see [`V1_0`]).
    V1_0(V1_0),
}

impl Auth {
    /// A token obtained elsewhere.
    pub fn token(token: impl Into<String>) -> Auth {
        Auth::Token(Secret::new(token))
    }

    /// Whether a new token can be fetched (before it expires, and on a `401`).
    pub fn renewable(&self) -> bool {
        matches!(self, Auth::IdentityV2(_) | Auth::V1_0(_))
    }

    /// Whether requests carry a token.
    pub fn uses_token(&self) -> bool {
        !matches!(self, Auth::None)
    }

    /// The region endpoints are chosen from (identity v2.0 only).
    fn region(&self) -> Option<&str> {
        match self {
            Auth::IdentityV2(a) => a.region.as_deref(),
            _ => None,
        }
    }

    /// The tenant endpoints are chosen from (identity v2.0 only).
    fn tenant(&self) -> Option<&str> {
        match self {
            Auth::IdentityV2(a) => a.tenant.as_deref(),
            _ => None,
        }
    }
}

/// One endpoint of a service in the identity v2.0 service catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEndpoint {
    /// The name of the service in the catalog (`cloudServersOpenStack`).
    pub service: String,
    /// The endpoint's public URL.
    pub url: String,
    /// Its region; `None` (or blank) for an endpoint that serves any region.
    pub region: Option<String>,
    /// Its tenant (account), when the catalog names one.
    pub tenant_id: Option<String>,
}

/// What authentication gave: the token, when it expires, and where the services are.
/// `Debug` never shows the token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The token, sent in the operations' token header.
    pub token: Option<Secret>,
    /// When the token expires, when the identity service says so (and it is readable).
    pub expires: Option<Timestamp>,
    /// The tenant of the token, when the identity service names one.
    pub tenant_id: Option<String>,
    /// The endpoints of the service catalog (identity v2.0).
    pub catalog: Vec<CatalogEndpoint>,
    /// The one endpoint authentication named (v1.0: `X-Server-Management-Url`).
    pub endpoint: Option<Url>,
}

impl Session {
    /// Whether the token expires within `margin` of `now` (false when its expiry is not
    /// known).
    pub fn expires_within(&self, margin: Duration, now: Timestamp) -> bool {
        let Some(expires) = self.expires else { return false };
        let margin = jiff::SignedDuration::try_from(margin).unwrap_or(jiff::SignedDuration::MAX);
        now.checked_add(margin).map_or(true, |t| t >= expires)
    }

    /// The endpoint requests of `service` go to: the one authentication named, else the
    /// catalog endpoint of `service` in `region` of `tenant` (see [`select_endpoint`]).
    pub fn endpoint_of(&self, service: Option<&str>, region: Option<&str>, tenant: Option<&str>) -> Result<Url, AuthError> {
        if let Some(e) = &self.endpoint {
            return Ok(e.clone());
        }
        match service {
            Some(service) => select_endpoint(&self.catalog, service, region, tenant),
            None => Err(AuthError::NoService),
        }
    }
}

/// Why authentication failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The authentication service refused the credentials or failed.
    #[error("the authentication service answered {status}: {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The fault message, if any.
        message: String,
    },
    /// The service catalog has no endpoint for the service and region asked for.
    #[error("no endpoint for service `{service}`{} in the catalog (it has: {})", region.as_ref().map(|r| format!(" in region {r}")).unwrap_or_default(), available.join(", "))]
    NoEndpoint {
        /// The service name asked for.
        service: String,
        /// The region asked for.
        region: Option<String>,
        /// The services and regions the catalog has (`name/region`).
        available: Vec<String>,
    },
    /// The catalog must be searched, but the transport serves no API with a catalog name
    /// (it was not made for a generated client, see `Transport::for_api`).
    #[error("no catalog service to choose an endpoint for: use the transport through a generated client, or give a base URL")]
    NoService,
    /// No identity exchange is known: the transport was not made for a generated client
    /// of an API whose identity module was generated, nor given one.
    #[error("no identity exchange: generate the identity API with the clients, or give the transport one")]
    NoExchange,
    /// The authentication request could not be written.
    #[error("cannot write the authentication request: {0}")]
    Encode(String),
    /// The authentication response lacks what it must carry.
    #[error("unusable authentication response: {0}")]
    BadResponse(String),
    /// A URL is not valid.
    #[error("invalid URL `{url}`: {message}")]
    InvalidUrl {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
}

/// One identity call as the schema describes it: the operation, its method and path
/// (relative to the identity service root), and the format of its bodies.
#[derive(Debug, Clone)]
pub struct IdentityCall {
    /// The operation id (`identity.v2.tokens.create`), for tracing and errors.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path (`/v2.0/tokens`).
    pub path: &'static str,
    /// The format of the request and response bodies.
    pub format: Format,
}

/// The v1.0 authentication call and the headers it carries, as the schema names them.
#[derive(Debug, Clone)]
pub struct V1_0Call {
    /// The call.
    pub call: IdentityCall,
    /// The request header that carries the user name (`X-Auth-User`).
    pub user_header: &'static str,
    /// The request header that carries the key (`X-Auth-Key`).
    pub key_header: &'static str,
    /// The response header that carries the token (`X-Auth-Token`).
    pub token_header: &'static str,
    /// The response header that carries the service endpoint (`X-Server-Management-Url`).
    pub endpoint_header: &'static str,
}

/// The identity exchanges of one schema: what generated code (the identity API's `auth`
/// module) knows of them, from the identity operations and models, so the transport holds
/// no copy of their shapes or names.
pub trait IdentityExchange: Send + Sync + fmt::Debug {
    /// The identity v2.0 token call, if the schema has one.
    fn tokens_call(&self) -> Option<IdentityCall>;

    /// The body of a v2.0 token request for `username` with `credential`, in the call's
    /// format.
    fn tokens_request(&self, username: &str, credential: &Credential) -> Result<Vec<u8>, AuthError>;

    /// Reads a v2.0 token response body: the token, its expiry and tenant, and the
    /// catalog. A response without a token is [`AuthError::BadResponse`].
    fn tokens_response(&self, body: &[u8]) -> Result<Session, AuthError>;

    /// The v1.0 authentication call, if the schema has one.
    fn v1_0_call(&self) -> Option<V1_0Call>;

    /// Where the identity service's fault bodies hold their parts.
    fn faults(&self) -> &'static FaultParts;
}

/// Joins a service root and a documented path, not repeating the part of the path the
/// root already ends with (`…/v2.0` + `/v2.0/tokens` = `…/v2.0/tokens`).
pub(crate) fn join_path(base: &str, path: &str) -> Result<Url, AuthError> {
    let mut url = Url::parse(base).map_err(|e| AuthError::InvalidUrl { url: base.to_string(), message: e.to_string() })?;
    let have: Vec<String> = url.path().split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let want: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let overlap = (0..=want.len().min(have.len()))
        .rev()
        .find(|&k| have[have.len() - k..].iter().map(String::as_str).eq(want[..k].iter().copied()))
        .unwrap_or(0);
    let mut segments = have;
    segments.extend(want[overlap..].iter().map(|s| s.to_string()));
    url.set_path(&format!("/{}", segments.join("/")));
    url.set_query(None);
    Ok(url)
}

/// An endpoint's region, `None` when absent or blank (it serves any region).
fn region_of(e: &CatalogEndpoint) -> Option<&str> {
    e.region.as_deref().map(str::trim).filter(|r| !r.is_empty())
}

/// Chooses the URL of `service` in `region` from a catalog: an endpoint of that region
/// (ignoring ASCII case), else one without a region (which serves any); with no region
/// asked, the first endpoint of the service. With `tenant`, only that tenant's endpoints.
pub fn select_endpoint(catalog: &[CatalogEndpoint], service: &str, region: Option<&str>, tenant: Option<&str>) -> Result<Url, AuthError> {
    let candidates: Vec<&CatalogEndpoint> = catalog
        .iter()
        .filter(|e| e.service == service)
        .filter(|e| tenant.is_none_or(|t| e.tenant_id.as_deref() == Some(t)))
        .collect();
    let chosen = match region {
        Some(r) => candidates
            .iter()
            .find(|e| region_of(e).is_some_and(|er| er.eq_ignore_ascii_case(r)))
            .or_else(|| candidates.iter().find(|e| region_of(e).is_none())),
        None => candidates.first(),
    };
    match chosen {
        Some(e) => Url::parse(&e.url).map_err(|err| AuthError::InvalidUrl { url: e.url.clone(), message: err.to_string() }),
        None => Err(AuthError::NoEndpoint {
            service: service.to_string(),
            region: region.map(str::to_string),
            available: catalog
                .iter()
                .map(|e| match region_of(e) {
                    Some(r) => format!("{}/{r}", e.service),
                    None => e.service.clone(),
                })
                .collect(),
        }),
    }
}

fn transport_error(e: reqwest::Error, what: &str, timeout: Duration) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout { what: what.to_string(), after: timeout }
    } else {
        TransportError::Transport { what: what.to_string(), source: e.without_url() }
    }
}

fn rejected(status: u16, content_type: Option<&str>, body: &[u8], parts: &FaultParts) -> AuthError {
    let f = FaultBody::decode(parts, status, content_type, body);
    AuthError::Rejected { status, message: f.message.or(f.name).unwrap_or_default() }
}

fn secret_header(value: &str) -> Result<HeaderValue, TransportError> {
    let mut v = HeaderValue::from_str(value)
        .map_err(|_| TransportError::Config("a credential holds characters a header cannot carry".into()))?;
    v.set_sensitive(true);
    Ok(v)
}

/// The largest difference between the identity service's `Date` and this clock that is
/// taken for the delay of the answer rather than a skew of the clocks.
const SKEW_TOLERANCE: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// How an exchange is sent: the HTTP client, the timeout, and the longest body read.
pub(crate) struct Sender<'a> {
    pub(crate) http: &'a reqwest::Client,
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
}

/// Runs the exchange `auth` describes, with the shapes and names `exchange` gives.
pub(crate) async fn authenticate(
    sender: &Sender<'_>,
    auth: &Auth,
    exchange: Option<&dyn IdentityExchange>,
) -> Result<Session, TransportError> {
    match auth {
        Auth::None => Ok(Session::default()),
        Auth::Token(t) => Ok(Session { token: Some(t.clone()), ..Session::default() }),
        Auth::IdentityV2(a) => {
            let exchange = exchange.ok_or(AuthError::NoExchange)?;
            let call = exchange.tokens_call().ok_or(AuthError::NoExchange)?;
            let url = join_path(&a.identity_url, call.path)?;
            let body = exchange.tokens_request(&a.username, &a.credential)?;
            let span = tracing::debug_span!("authenticate", operation = call.operation, path = url.path());
            let _g = span.enter();
            let resp = sender
                .http
                .request(call.method.clone(), url)
                .timeout(sender.timeout)
                .header(CONTENT_TYPE, call.format.media_type())
                .header(ACCEPT, call.format.media_type())
                .body(body)
                .send()
                .await
                .map_err(|e| transport_error(e, call.operation, sender.timeout))?;
            let (status, headers, bytes) = read_body(resp, sender.max_body_bytes, call.operation, sender.timeout).await?;
            tracing::debug!(status, "identity answered");
            if !(200..300).contains(&status) {
                let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
                return Err(rejected(status, ct, &bytes, exchange.faults()).into());
            }
            let mut session = exchange.tokens_response(&bytes)?;
            // The expiry is on the identity service's clock: move it by the difference
            // between that clock (its `Date`) and this one.
            // A `Date` is whole seconds, and sent a moment before it is read: a difference
            // of a few seconds is no skew.
            let server_now = headers.get(DATE).and_then(|v| v.to_str().ok()).and_then(parse_http_date);
            if let (Some(expires), Some(server_now)) = (session.expires, server_now) {
                let skew = Timestamp::now().duration_since(server_now);
                if skew.abs() > SKEW_TOLERANCE {
                    tracing::debug!(skew_secs = skew.as_secs(), "the identity service's clock differs from this one");
                    session.expires = expires.checked_add(skew).ok().or(Some(expires));
                }
            }
            Ok(session)
        }
        Auth::V1_0(a) => {
            let exchange = exchange.ok_or(AuthError::NoExchange)?;
            let v = exchange.v1_0_call().ok_or(AuthError::NoExchange)?;
            let url = join_path(&a.auth_url, v.call.path)?;
            let span = tracing::debug_span!("authenticate", operation = v.call.operation, path = url.path());
            let _g = span.enter();
            let resp = sender
                .http
                .request(v.call.method.clone(), url)
                .timeout(sender.timeout)
                .header(v.user_header, a.user.as_str())
                .header(v.key_header, secret_header(a.key.expose())?)
                .send()
                .await
                .map_err(|e| transport_error(e, v.call.operation, sender.timeout))?;
            let (status, headers, bytes) = read_body(resp, sender.max_body_bytes, v.call.operation, sender.timeout).await?;
            tracing::debug!(status, "authentication answered");
            if !(200..300).contains(&status) {
                let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
                return Err(rejected(status, ct, &bytes, exchange.faults()).into());
            }
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
            let token = header(v.token_header).ok_or_else(|| AuthError::BadResponse(format!("no {} header", v.token_header)))?;
            let endpoint = match header(v.endpoint_header) {
                Some(u) => Some(Url::parse(u).map_err(|e| AuthError::InvalidUrl { url: u.to_string(), message: e.to_string() })?),
                None => None,
            };
            Ok(Session { token: Some(Secret::new(token)), endpoint, ..Session::default() })
        }
    }
}

/// The region and tenant an `Auth` chooses endpoints by.
pub(crate) fn choice(auth: &Auth) -> (Option<&str>, Option<&str>) {
    (auth.region(), auth.tenant())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(service: &str, url: &str, region: Option<&str>, tenant: Option<&str>) -> CatalogEndpoint {
        CatalogEndpoint { service: service.into(), url: url.into(), region: region.map(str::to_string), tenant_id: tenant.map(str::to_string) }
    }

    fn sample() -> Vec<CatalogEndpoint> {
        vec![
            ep("cloudServers", "https://servers.example/v1.0/010101", None, Some("010101")),
            ep("cloudServersOpenStack", "https://dfw.example/v2/010101", Some("DFW"), Some("010101")),
            ep("cloudServersOpenStack", "https://ord.example/v2/010101", Some("ORD"), Some("010101")),
        ]
    }

    #[test]
    fn catalog_selection() {
        let c = sample();
        let pick = |s: &str, r: Option<&str>, t: Option<&str>| select_endpoint(&c, s, r, t).map(|u| u.to_string());
        assert_eq!(pick("cloudServersOpenStack", Some("ORD"), None).unwrap(), "https://ord.example/v2/010101");
        assert_eq!(pick("cloudServersOpenStack", Some("dfw"), None).unwrap(), "https://dfw.example/v2/010101");
        assert_eq!(pick("cloudServersOpenStack", None, None).unwrap(), "https://dfw.example/v2/010101");
        // A global endpoint (no region) serves any region.
        assert_eq!(pick("cloudServers", Some("ORD"), None).unwrap(), "https://servers.example/v1.0/010101");
        match pick("cloudServersOpenStack", Some("LON"), None) {
            Err(AuthError::NoEndpoint { available, .. }) => {
                assert_eq!(available, ["cloudServers", "cloudServersOpenStack/DFW", "cloudServersOpenStack/ORD"])
            }
            other => panic!("{other:?}"),
        }
        assert!(pick("cloudServersOpenStack", Some("ORD"), Some("999")).is_err());
        assert!(pick("cloudFiles", None, None).is_err());
    }

    #[test]
    fn an_empty_region_serves_any_region() {
        let c = vec![
            ep("cloudServersOpenStack", "https://dfw.example/v2/1", Some("DFW"), None),
            ep("cloudServersOpenStack", "https://any.example/v2/1", Some(""), None),
            ep("cloudServers", "https://blank.example/v1.0/1", Some("  "), None),
            ep("other", "https://null.example/", None, None),
        ];
        let pick = |s: &str, r: Option<&str>| select_endpoint(&c, s, r, None).map(|u| u.to_string());
        // An exact region wins; any other region falls back to the region-less endpoint.
        assert_eq!(pick("cloudServersOpenStack", Some("DFW")).unwrap(), "https://dfw.example/v2/1");
        assert_eq!(pick("cloudServersOpenStack", Some("LON")).unwrap(), "https://any.example/v2/1");
        assert_eq!(pick("cloudServers", Some("ORD")).unwrap(), "https://blank.example/v1.0/1");
        assert_eq!(pick("other", Some("HKG")).unwrap(), "https://null.example/");
        match select_endpoint(&c, "nothing", Some("DFW"), None) {
            Err(AuthError::NoEndpoint { available, .. }) => {
                assert_eq!(available, ["cloudServersOpenStack/DFW", "cloudServersOpenStack", "cloudServers", "other"])
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_session_knows_when_its_token_expires() {
        let now: Timestamp = "2012-09-14T15:00:00Z".parse().unwrap();
        let s = Session { expires: Some("2012-09-14T15:11:57.585-05:00".parse().unwrap()), ..Session::default() };
        // 20:11:57 UTC: more than five hours ahead.
        assert!(!s.expires_within(Duration::from_secs(60), now));
        assert!(s.expires_within(Duration::from_secs(6 * 3600), now));
        assert!(s.expires_within(Duration::MAX, now), "a margin past the end of time");
        assert!(!Session::default().expires_within(Duration::MAX, now), "an unknown expiry is not near");
    }

    #[test]
    fn auth_paths_join_without_repeating() {
        let j = |b: &str, p: &str| join_path(b, p).unwrap().to_string();
        assert_eq!(j("https://identity.example", "/v2.0/tokens"), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://identity.example/v2.0/", "/v2.0/tokens"), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://identity.example/v2.0/tokens", "/v2.0/tokens"), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://auth.example/v1.0", "/v1.0"), "https://auth.example/v1.0");
        assert_eq!(j("http://127.0.0.1:99/", "/v1.0"), "http://127.0.0.1:99/v1.0");
        assert!(join_path("not a url", "/v1.0").is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let a: Auth = IdentityV2::password("https://identity.example", "me", "hunter2").region("DFW").into();
        let k: Auth = IdentityV2::api_key("https://identity.example", "me", "0123abcd").tenant("010101").into();
        let v: Auth = V1_0::new("https://auth.example", "jdoe", "a86850deb").into();
        let t = Auth::token("tok-123");
        let s = Session { token: Some(Secret::new("tok-456")), ..Session::default() };
        let all = format!("{a:?} {k:?} {v:?} {t:?} {s:?} {a:#?}");
        for secret in ["hunter2", "0123abcd", "a86850deb", "tok-123", "tok-456"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert!(all.contains("jdoe") && all.contains("DFW") && all.contains("010101"));
    }

    #[test]
    fn builders_keep_what_they_are_given() {
        let a = IdentityV2::password("https://identity.example", "me", "pw").tenant("010101").region("ORD");
        assert_eq!((a.identity_url(), a.username(), a.tenant_id(), a.region_name()), ("https://identity.example", "me", Some("010101"), Some("ORD")));
        assert_eq!(a.credential(), &Credential::Password(Secret::new("pw")));
        assert_eq!(IdentityV2::api_key("u", "me", "k").credential(), &Credential::ApiKey(Secret::new("k")));
        let v = V1_0::new("https://auth.example", "jdoe", "key");
        assert_eq!((v.auth_url(), v.user(), v.key().expose()), ("https://auth.example", "jdoe", "key"));
        assert!(Auth::from(v).renewable() && Auth::from(a).renewable());
        assert!(!Auth::token("t").renewable() && Auth::token("t").uses_token());
        assert!(!Auth::None.uses_token());
    }
}
