//! The HTTP transport: one `reqwest` client (rustls) with a per-request timeout, the
//! endpoint and token from authentication, format negotiation, token renewal before it
//! expires and on `401`, and bounded retry on `413`/`503`.

use super::api::ApiFacts;
use super::auth::{authenticate, choice, Auth, AuthError, IdentityExchange, Sender, Session};
use super::format::{Format, FormatStyle};
use super::retry::{retry_delay, RetryPolicy};
use crate::faults::FaultParts;
use crate::Secret;
use jiff::Timestamp;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tracing::Instrument;

/// An error and each of its causes, joined by `: ` (reqwest's own message alone says only
/// "error sending request").
pub fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = c.source();
    }
    out
}

/// Why a request could not be completed (before any fault decoding).
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Connection, TLS or protocol failure: what failed, and the HTTP client's error with
    /// its causes ("connection refused"), which the message shows too. URLs are left out.
    #[error("transport: {what}: {}", causes(source))]
    Transport {
        /// The operation (or identity call) that failed.
        what: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The request took longer than the timeout.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// The operation.
        what: String,
        /// The timeout.
        after: Duration,
    },
    /// Authentication failed.
    #[error("authentication: {0}")]
    Auth(#[from] AuthError),
    /// The transport is configured wrongly.
    #[error("configuration: {0}")]
    Config(String),
    /// The response body is longer than the transport reads
    /// ([`TransportBuilder::max_body_bytes`]); reading stopped as soon as the limit was
    /// passed (or before reading, when `Content-Length` announced more).
    #[error("the {status} response of {operation} has a body over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The operation.
        operation: String,
        /// The HTTP status of the response.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
    },
}

/// The default limit on the size of a response body the transport reads: 16 MiB. The
/// largest documented bodies (a detailed list of every server, image or flavor of an
/// account, a page of at most the service's page size) are a few hundred KB at most, so
/// this leaves room for big accounts while keeping a hostile or broken endpoint from
/// making the client buffer an endless body. See [`TransportBuilder::max_body_bytes`].
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Reads a response's status, headers and body, chunk by chunk so that a body longer than
/// `limit` is never buffered: it is [`TransportError::BodyTooLarge`] naming `operation`
/// (before reading when `Content-Length` announces more). Every call's responses are read
/// this way, the identity exchanges' too.
pub(crate) async fn read_body(
    mut resp: reqwest::Response,
    limit: usize,
    operation: &str,
    timeout: Duration,
) -> Result<(u16, HeaderMap, Vec<u8>), TransportError> {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let too_large = || TransportError::BodyTooLarge { operation: operation.to_string(), status, limit };
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(TransportError::Timeout { what: operation.to_string(), after: timeout }),
            Err(e) => return Err(TransportError::Transport { what: operation.to_string(), source: e.without_url() }),
        };
        if chunk.len() > limit - body.len() {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, headers, body))
}

/// What a request path is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Base {
    /// The service endpoint (`…/v2/010101`).
    #[default]
    Endpoint,
    /// The root of the endpoint's host (version discovery, RackConnect, identity): the
    /// endpoint's path up to the segment naming the API's version (see
    /// [`Request::versions`]), so an endpoint behind a path prefix
    /// (`https://host/compute/v2/123`) finds its version documents under the prefix
    /// (`https://host/compute/`); the host root when no segment names a version.
    Host,
}

/// One request, before the endpoint, token and format are applied.
#[derive(Clone)]
pub struct Request {
    /// The operation id, for tracing and errors.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// What the path is relative to.
    pub base: Base,
    /// The path segments after the base, not yet percent-encoded.
    pub segments: Vec<String>,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Further headers (never logged).
    pub headers: Vec<(String, String)>,
    /// The body and its media type.
    pub body: Option<(&'static str, Vec<u8>)>,
    /// The response format to ask for; `None` asks for none (the operation selects it
    /// some other way, e.g. RackConnect's `format` parameter).
    pub format: Option<Format>,
    /// The header that carries the token, for an operation authenticated by token (the
    /// schema's `auth-token` header, `X-Auth-Token`); `None`: the request carries no token.
    pub token_header: Option<&'static str>,
    /// For [`Base::Host`]: the path segments that name a version of the API (`v2`,
    /// `v1.0`: the first segments of its host-relative paths, from the schema). The
    /// host-relative path starts where the last of them appears in the endpoint's path.
    pub versions: &'static [&'static str],
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies and headers may hold passwords: show only their size and names.
        f.debug_struct("Request")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("base", &self.base)
            .field("segments", &self.segments)
            .field("query", &self.query)
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.as_ref().map(|(_, b)| b.len()))
            .field("format", &self.format)
            .field("token_header", &self.token_header)
            .field("versions", &self.versions)
            .finish()
    }
}

impl Request {
    /// A request without query, body, format or token.
    pub fn new(operation: &'static str, method: Method, base: Base, segments: Vec<String>) -> Self {
        Request {
            operation,
            method,
            base,
            segments,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            format: None,
            token_header: None,
            versions: &[],
        }
    }

    /// Sets the path segments naming a version of the API (see [`Request::versions`]).
    pub fn versions(mut self, versions: &'static [&'static str]) -> Self {
        self.versions = versions;
        self
    }

    /// Sets the query parameters.
    pub fn query(mut self, pairs: Vec<(String, String)>) -> Self {
        self.query = pairs;
        self
    }

    /// Sets a body in `format`.
    pub fn body(mut self, format: Format, bytes: Vec<u8>) -> Self {
        self.body = Some((format.media_type(), bytes));
        self
    }

    /// Asks for a response in `format`.
    pub fn accept(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Sends the session's token in `header` (the schema's `auth-token` header).
    pub fn token_header(mut self, header: &'static str) -> Self {
        self.token_header = Some(header);
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// A response: status, headers and the whole body.
#[derive(Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("content_type", &self.header("content-type"))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl Response {
    /// A header value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The format its `Content-Type` names.
    pub fn content_format(&self) -> Option<Format> {
        self.header("content-type").and_then(Format::from_content_type)
    }

    /// The server's `Date`.
    pub fn date(&self) -> Option<SystemTime> {
        self.header("date").and_then(shapes::time::parse_http_date).map(SystemTime::from)
    }

    /// A typed reply with this response's status and headers.
    pub fn reply<T>(&self, body: T) -> Reply<T> {
        Reply { status: self.status, headers: self.headers.clone(), body }
    }
}

/// A decoded response: the status (`200`, or `203` when served from a cache...), the
/// headers (`Location`...) and the typed body. `Debug` shows header names only (a
/// response may carry a token).
#[derive(Clone, PartialEq)]
pub struct Reply<T> {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: T,
}

impl<T: fmt::Debug> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>())
            .field("body", &self.body)
            .finish()
    }
}

impl<T> Reply<T> {
    /// The body.
    pub fn into_body(self) -> T {
        self.body
    }

    /// A header value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The server's `Date`.
    pub fn date(&self) -> Option<SystemTime> {
        self.header("date").and_then(shapes::time::parse_http_date).map(SystemTime::from)
    }

    /// The same reply with the body converted.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply { status: self.status, headers: self.headers, body: f(self.body) }
    }
}

/// Builds a [`Transport`].
#[derive(Debug, Clone)]
pub struct TransportBuilder {
    base_url: Option<String>,
    auth: Auth,
    format: Format,
    style: FormatStyle,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    validate: bool,
    account_limits: crate::limits::AccountLimits,
    max_body_bytes: usize,
    http: Option<reqwest::Client>,
    identity: Option<&'static dyn IdentityExchange>,
    renew_before: Duration,
}

/// How long before its expiry a token is renewed by default: 60 s.
pub const DEFAULT_RENEW_BEFORE: Duration = Duration::from_secs(60);

impl Default for TransportBuilder {
    fn default() -> Self {
        TransportBuilder {
            base_url: None,
            auth: Auth::None,
            format: Format::Json,
            style: FormatStyle::Headers,
            timeout: Duration::from_secs(30),
            user_agent: format!("cloudservers-runtime/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
            validate: true,
            account_limits: crate::limits::AccountLimits::unknown(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            http: None,
            identity: None,
            renew_before: DEFAULT_RENEW_BEFORE,
        }
    }
}

impl TransportBuilder {
    /// The service endpoint (`https://dfw.servers.api.rackspacecloud.com/v2/010101`), or the
    /// host of host-relative APIs (RackConnect, identity). When given, it is used instead of
    /// the endpoint authentication finds.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// How to authenticate (default: none): an [`Auth`], or what converts into one
    /// ([`super::IdentityV2`], [`super::V1_0`]).
    pub fn auth(mut self, auth: impl Into<Auth>) -> Self {
        self.auth = auth.into();
        self
    }

    /// The identity exchanges to authenticate with (generated: `identity::auth::EXCHANGE`).
    /// Without it, a transport uses the one of the generated client it serves
    /// ([`Transport::for_api`]).
    pub fn identity(mut self, exchange: &'static dyn IdentityExchange) -> Self {
        self.identity = Some(exchange);
        self
    }

    /// How long before the token expires it is renewed, before the next request rather
    /// than after a `401` (default: [`DEFAULT_RENEW_BEFORE`], 60 s). The expiry is the one
    /// the identity service gives, moved by the difference between its clock (its `Date`
    /// header) and this one. A token that cannot be renewed yet is used until it expires.
    pub fn renew_before(mut self, margin: Duration) -> Self {
        self.renew_before = margin;
        self
    }

    /// The wire format (default: JSON).
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Sends through the caller's HTTP client (its proxies, custom CAs, connection pool and
    /// user agent are kept); the transport still puts its timeout on every request.
    /// Without it, the transport builds its own (rustls, this builder's user agent).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Whether requests are checked against the documented field limits before they are
    /// sent (default: on). Off, every request goes to the service as built.
    pub fn validate(mut self, yes: bool) -> Self {
        self.validate = yes;
        self
    }

    /// The account's own limits (from its limits report: see
    /// [`crate::limits::AccountLimits::from_report`]), which replace the documented
    /// defaults when checking requests; without them only fixed bounds are checked.
    pub fn account_limits(mut self, limits: crate::limits::AccountLimits) -> Self {
        self.account_limits = limits;
        self
    }

    /// How the response format is asked for (default: `Accept`).
    pub fn style(mut self, style: FormatStyle) -> Self {
        self.style = style;
        self
    }

    /// The timeout of each request, connection and body included (default: 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The retry policy for `413`/`503` (default: 3 attempts, 60 s of waiting).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The longest response body read, in bytes (default: [`DEFAULT_MAX_BODY_BYTES`],
    /// 16 MiB). Bodies are read chunk by chunk and a longer one fails the request with
    /// [`TransportError::BodyTooLarge`] as soon as the limit is passed, whatever its status.
    /// XML bodies are further bounded in depth by the parser
    /// ([`xml_dom::DEFAULT_MAX_DEPTH`] levels).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Builds the transport. Nothing is sent until the first request.
    pub fn build(self) -> Result<Transport, TransportError> {
        let base_url = match &self.base_url {
            Some(u) => Some(Url::parse(u).map_err(|e| TransportError::Config(format!("base URL `{u}`: {e}")))?),
            None => None,
        };
        if base_url.as_ref().is_some_and(Url::cannot_be_a_base) {
            return Err(TransportError::Config("the base URL cannot have a path".into()));
        }
        let http = match self.http {
            Some(client) => client,
            None => reqwest::Client::builder()
                .use_rustls_tls()
                .user_agent(self.user_agent.clone())
                .connect_timeout(self.timeout)
                .build()
                .map_err(|e| TransportError::Config(e.to_string()))?,
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                base_url,
                auth: self.auth,
                format: self.format,
                style: self.style,
                timeout: self.timeout,
                retry: self.retry,
                user_agent: self.user_agent,
                validate: self.validate,
                max_body_bytes: self.max_body_bytes,
                account_limits: std::sync::RwLock::new(self.account_limits),
                identity: self.identity,
                renew_before: self.renew_before,
                session: tokio::sync::Mutex::new(None),
            }),
            api: None,
        })
    }
}

struct Inner {
    http: reqwest::Client,
    base_url: Option<Url>,
    auth: Auth,
    format: Format,
    style: FormatStyle,
    timeout: Duration,
    retry: RetryPolicy,
    user_agent: String,
    validate: bool,
    max_body_bytes: usize,
    account_limits: std::sync::RwLock<crate::limits::AccountLimits>,
    identity: Option<&'static dyn IdentityExchange>,
    renew_before: Duration,
    /// `None` until the first authentication.
    session: tokio::sync::Mutex<Option<Session>>,
}

/// Sends requests: resolves the endpoint, authenticates, negotiates the format,
/// renews the token before it expires and once on `401`, and retries `413`/`503` within
/// the retry policy. Cheap to clone (clones share the session, also across the APIs they
/// serve, see [`Transport::for_api`]). `Debug` never shows a secret.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
    api: Option<&'static ApiFacts>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Transport");
        d.field("base_url", &i.base_url.as_ref().map(Url::as_str))
            .field("api", &self.api.map(|a| a.api))
            .field("auth", &i.auth)
            .field("format", &i.format)
            .field("style", &i.style)
            .field("timeout", &i.timeout)
            .field("retry", &i.retry)
            .field("max_body_bytes", &i.max_body_bytes)
            .field("renew_before", &i.renew_before)
            .field("user_agent", &i.user_agent);
        match i.session.try_lock() {
            Ok(s) => d.field("session", &*s),
            Err(_) => d.field("session", &"<in use>"),
        };
        d.finish()
    }
}

impl Transport {
    /// A builder with the defaults.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// This transport (sharing its session) serving the API `api` describes: requests
    /// then go to that API's catalog endpoint, `413`s are read with its fault parts, and
    /// authentication uses its identity exchange unless the builder was given one.
    /// Generated clients call it in `Client::new`.
    pub fn for_api(&self, api: &'static ApiFacts) -> Transport {
        Transport { inner: self.inner.clone(), api: Some(api) }
    }

    /// The API this transport serves, if it was made for one.
    pub fn api(&self) -> Option<&'static ApiFacts> {
        self.api
    }

    /// The configured wire format.
    pub fn format(&self) -> Format {
        self.inner.format
    }

    /// Whether requests are checked against field limits before they are sent.
    pub fn validates(&self) -> bool {
        self.inner.validate
    }

    /// The account limits requests are checked with (unknown unless set).
    pub fn account_limits(&self) -> crate::limits::AccountLimits {
        self.inner.account_limits.read().map(|l| l.clone()).unwrap_or_default()
    }

    /// Replaces the account limits, e.g. after reading the account's limits report; clones
    /// of this transport share them.
    pub fn set_account_limits(&self, limits: crate::limits::AccountLimits) {
        if let Ok(mut l) = self.inner.account_limits.write() {
            *l = limits;
        }
    }

    /// How the response format is asked for.
    pub fn style(&self) -> FormatStyle {
        self.inner.style
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The longest response body read, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// How long before its expiry the token is renewed.
    pub fn renew_before(&self) -> Duration {
        self.inner.renew_before
    }

    /// How the transport authenticates.
    pub fn auth(&self) -> &Auth {
        &self.inner.auth
    }

    /// The current session (after the first request), token included as a [`Secret`].
    pub async fn session(&self) -> Option<Session> {
        self.inner.session.lock().await.clone()
    }

    /// The endpoint requests go to, authenticating first if that is how it is found.
    pub async fn endpoint(&self) -> Result<Url, TransportError> {
        self.current().await.map(|(_, e)| e)
    }

    /// Runs the authentication exchange.
    async fn authenticate(&self) -> Result<Session, TransportError> {
        let i = &self.inner;
        let sender = Sender { http: &i.http, timeout: i.timeout, max_body_bytes: i.max_body_bytes };
        authenticate(&sender, &i.auth, i.identity.or(self.api.and_then(|a| a.identity))).await
    }

    /// The token and endpoint, authenticating when there is no session yet or its token
    /// expires within the renewal margin.
    async fn current(&self) -> Result<(Option<Secret>, Url), TransportError> {
        let i = &self.inner;
        let mut guard = i.session.lock().await;
        let now = Timestamp::now();
        let near_expiry = |s: &Session| i.auth.renewable() && s.expires_within(i.renew_before, now);
        match &*guard {
            None => *guard = Some(self.authenticate().await?),
            Some(s) if near_expiry(s) => {
                tracing::debug!("the token expires soon: authenticating again");
                match self.authenticate().await {
                    Ok(fresh) => *guard = Some(fresh),
                    // Until it has expired, the old token still serves.
                    Err(e) if !s.expires_within(Duration::ZERO, now) => {
                        tracing::debug!(error = %e, "renewal failed: the current token is used until it expires")
                    }
                    Err(e) => return Err(e),
                }
            }
            Some(_) => {}
        }
        let Some(session) = guard.as_ref() else {
            return Err(TransportError::Config("no session after authenticating".into()));
        };
        Ok((session.token.clone(), self.endpoint_in(session)?))
    }

    /// The endpoint requests go to: the base URL, else the one authentication named, else
    /// the catalog endpoint of this transport's API.
    fn endpoint_in(&self, session: &Session) -> Result<Url, TransportError> {
        if let Some(u) = &self.inner.base_url {
            return Ok(u.clone());
        }
        if session.endpoint.is_none() && session.catalog.is_empty() {
            return Err(TransportError::Config("no endpoint: give a base URL, or an authentication that finds one".into()));
        }
        let (region, tenant) = choice(&self.inner.auth);
        Ok(session.endpoint_of(self.api.and_then(|a| a.catalog_service), region, tenant)?)
    }

    /// Fetches a new token unless another request already replaced `failed`.
    async fn renew(&self, failed: Option<&Secret>) -> Result<(), TransportError> {
        let i = &self.inner;
        let mut guard = i.session.lock().await;
        let current = guard.as_ref().and_then(|s| s.token.as_ref());
        if current.is_none() || current == failed {
            tracing::debug!("token refused: authenticating again");
            *guard = Some(self.authenticate().await?);
        }
        Ok(())
    }

    /// The full URL of a request and whether it asks for the format by extension.
    fn url(&self, req: &Request, endpoint: &Url) -> Result<(Url, bool), TransportError> {
        let mut url = endpoint.clone();
        if req.base == Base::Host {
            let prefix: Vec<&str> = endpoint.path_segments().map(|s| s.filter(|s| !s.is_empty()).collect()).unwrap_or_default();
            // A URL naming no version of the API is its host itself (RackConnect's, given
            // as the base URL), perhaps behind a path prefix, which is kept.
            let at = prefix.iter().rposition(|s| req.versions.contains(s)).unwrap_or(prefix.len());
            url.set_path(&format!("/{}", prefix[..at].join("/")));
        }
        url.set_query(None);
        url.set_fragment(None);
        let extension = req.format.and_then(Format::extension).filter(|_| self.inner.style == FormatStyle::Extension);
        let by_extension = extension.is_some() && !req.segments.is_empty();
        {
            let mut segs =
                url.path_segments_mut().map_err(|()| TransportError::Config(format!("endpoint `{endpoint}` cannot have a path")))?;
            segs.pop_if_empty();
            let last = req.segments.len().saturating_sub(1);
            for (n, s) in req.segments.iter().enumerate() {
                match extension {
                    Some(ext) if by_extension && n == last => segs.push(&format!("{s}{ext}")),
                    _ => segs.push(s),
                };
            }
            if req.base == Base::Host && req.segments.is_empty() {
                // The root under a prefix: `…/compute/`.
                segs.push("");
            }
        }
        if !req.query.is_empty() {
            url.query_pairs_mut().extend_pairs(req.query.iter());
        }
        Ok((url, by_extension))
    }

    fn transport_error(&self, e: reqwest::Error, req: &Request) -> TransportError {
        if e.is_timeout() {
            TransportError::Timeout { what: req.operation.to_string(), after: self.inner.timeout }
        } else {
            TransportError::Transport { what: req.operation.to_string(), source: e.without_url() }
        }
    }

    async fn once(&self, req: &Request, url: Url, by_extension: bool, token: Option<&Secret>) -> Result<Response, TransportError> {
        let i = &self.inner;
        let mut b = i.http.request(req.method.clone(), url).timeout(i.timeout);
        if let (Some(f), false) = (req.format, by_extension) {
            b = b.header(ACCEPT, f.media_type());
        }
        if let (Some(t), Some(name)) = (token, req.token_header) {
            let mut v = HeaderValue::from_str(t.expose())
                .map_err(|_| TransportError::Config("the token holds characters a header cannot carry".into()))?;
            v.set_sensitive(true);
            b = b.header(name, v);
        }
        for (n, v) in &req.headers {
            let mut v = HeaderValue::from_str(v).map_err(|_| TransportError::Config(format!("header {n} is not valid")))?;
            v.set_sensitive(true);
            b = b.header(n.as_str(), v);
        }
        if let Some((ct, body)) = &req.body {
            b = b.header(CONTENT_TYPE, *ct).body(body.clone());
        }
        let resp = b.send().await.map_err(|e| self.transport_error(e, req))?;
        let (status, headers, body) = read_body(resp, i.max_body_bytes, req.operation, i.timeout).await?;
        Ok(Response { status, headers, body })
    }

    /// Sends a request and returns the final response, whatever its status.
    pub async fn send(&self, req: &Request) -> Result<Response, TransportError> {
        let span = tracing::debug_span!("request", operation = req.operation, method = %req.method);
        self.send_inner(req).instrument(span).await
    }

    async fn send_inner(&self, req: &Request) -> Result<Response, TransportError> {
        let policy = self.inner.retry;
        let mut attempt: u32 = 0;
        let mut waited = Duration::ZERO;
        let mut renewed = false;
        loop {
            attempt += 1;
            let (token, endpoint) = self.current().await?;
            let (url, by_extension) = self.url(req, &endpoint)?;
            tracing::debug!(attempt, path = url.path(), "sending");
            let resp = self.once(req, url, by_extension, token.as_ref()).await?;
            tracing::debug!(attempt, status = resp.status, "answered");
            if resp.status == 401 && req.token_header.is_some() && !renewed && self.inner.auth.renewable() {
                renewed = true;
                attempt -= 1;
                self.renew(token.as_ref()).await?;
                continue;
            }
            if attempt < policy.max_attempts {
                let parts = self.api.map_or(&FaultParts::NONE, |a| a.faults);
                if let Some(delay) = retry_delay(resp.status, &resp.headers, &resp.body, parts, SystemTime::now()) {
                    if waited + delay <= policy.max_wait {
                        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, "retrying later");
                        tokio::time::sleep(delay).await;
                        waited += delay;
                        continue;
                    }
                    tracing::debug!(delay_ms = delay.as_millis() as u64, "asked to wait past the retry bound: giving up");
                }
            }
            return Ok(resp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(base: &str, style: FormatStyle) -> Transport {
        Transport::builder().base_url(base).style(style).build().unwrap()
    }

    #[test]
    fn urls_from_segments_query_and_extension() {
        let t = transport("https://dfw.example/v2/010101", FormatStyle::Headers);
        let ep = Url::parse("https://dfw.example/v2/010101/").unwrap();
        let req = Request::new("op", Method::GET, Base::Endpoint, vec!["servers".into(), "a b/c".into()])
            .query(vec![("changes-since".into(), "2010-08-01T00:00:00Z".into())])
            .accept(Format::Xml);
        let (u, ext) = t.url(&req, &ep).unwrap();
        assert_eq!(u.as_str(), "https://dfw.example/v2/010101/servers/a%20b%2Fc?changes-since=2010-08-01T00%3A00%3A00Z");
        assert!(!ext);

        let t = transport("https://dfw.example/v2/010101", FormatStyle::Extension);
        let (u, ext) = t.url(&req, &ep).unwrap();
        assert_eq!(u.path(), "/v2/010101/servers/a%20b%2Fc.xml");
        assert!(ext);
        // Host-relative paths drop the endpoint's path; the root keeps Accept.
        let root = Request::new("op", Method::GET, Base::Host, vec![]).accept(Format::Json).versions(&["v2"]);
        let (u, ext) = t.url(&root, &ep).unwrap();
        assert_eq!((u.as_str(), ext), ("https://dfw.example/", false));
        let v2 = Request::new("op", Method::GET, Base::Host, vec!["v2".into()]).accept(Format::Json).versions(&["v2"]);
        assert_eq!(t.url(&v2, &ep).unwrap().0.as_str(), "https://dfw.example/v2.json");
        // Behind a path prefix, host-relative paths start at the prefix, before the version.
        let prefixed = Url::parse("https://host.example/compute/v2/010101/").unwrap();
        let root = root.versions(&["v2"]);
        assert_eq!(t.url(&root, &prefixed).unwrap().0.as_str(), "https://host.example/compute/");
        let v2 = v2.versions(&["v2"]);
        assert_eq!(t.url(&v2, &prefixed).unwrap().0.as_str(), "https://host.example/compute/v2.json");
        assert_eq!(t.url(&v2, &ep).unwrap().0.as_str(), "https://dfw.example/v2.json");
        let deep = Url::parse("https://host.example/v2/api/v2/1").unwrap();
        assert_eq!(t.url(&v2, &deep).unwrap().0.as_str(), "https://host.example/v2/api/v2.json", "the last version segment");
        // No version segment in the URL: it is the host root, with its prefix.
        let bare = Url::parse("https://host.example/compute/").unwrap();
        assert_eq!(t.url(&root, &bare).unwrap().0.as_str(), "https://host.example/compute/");
        // No format asked (RackConnect): no extension. Its paths name no version: the
        // base URL is its host, and a path prefix before it is kept.
        let rc = Request::new("op", Method::GET, Base::Host, vec!["v1".into(), "gateway_ip".into()]).versions(&["v1"]);
        let rc_host = Url::parse("https://dfw.api.rackconnect.example").unwrap();
        assert_eq!(t.url(&rc, &rc_host).unwrap().0.as_str(), "https://dfw.api.rackconnect.example/v1/gateway_ip");
        let rc_prefixed = Url::parse("https://gateway.example/rackconnect").unwrap();
        assert_eq!(t.url(&rc, &rc_prefixed).unwrap().0.as_str(), "https://gateway.example/rackconnect/v1/gateway_ip");
    }

    #[test]
    fn builder_rejects_bad_urls() {
        assert!(matches!(Transport::builder().base_url("not a url").build(), Err(TransportError::Config(_))));
        assert!(matches!(Transport::builder().base_url("mailto:x@y").build(), Err(TransportError::Config(_))));
    }

    #[test]
    fn debug_hides_bodies_and_tokens() {
        let t = Transport::builder()
            .base_url("https://dfw.example/v2/010101")
            .auth(Auth::Token(Secret::new("tok-secret-1")))
            .build()
            .unwrap();
        let req = Request::new("v2.servers.change-password", Method::POST, Base::Endpoint, vec![])
            .body(Format::Json, br#"{"changePassword":{"adminPass":"pw-secret-2"}}"#.to_vec())
            .header("X-Auth-Key", "key-secret-3");
        let all = format!("{t:?} {req:?} {t:#?}");
        for s in ["tok-secret-1", "pw-secret-2", "key-secret-3"] {
            assert!(!all.contains(s), "{s} in {all}");
        }
        assert!(all.contains("X-Auth-Key") && all.contains("dfw.example"));
    }
}
