//! What the suite sends and receives: every exchange recorded, with a `curl` line that
//! reproduces it and keeps no secret.

use crate::target::Endpoints;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use runtime::shapes::Format;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The environment variable that, when set, has every exchange written to stderr.
pub const TRACE_VAR: &str = "CONFORMANCE_TRACE";

/// The longest response body read; a longer one is cut and reported.
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// A request as the suite builds it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The operation (schema id) the request is for.
    pub operation: String,
    /// The HTTP method.
    pub method: reqwest::Method,
    /// The full URL.
    pub url: String,
    /// Headers besides the token.
    pub headers: Vec<(String, String)>,
    /// The body with its content type.
    pub body: Option<(String, Vec<u8>)>,
    /// The `Accept` header, when the format is asked for by header.
    pub accept: Option<Format>,
    /// The format the response is asked in (by header or by a format parameter).
    pub asked: Format,
    /// The token header to send the token in, if the operation needs one.
    pub token_header: Option<String>,
}

/// A response as received (or why there is none).
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (cut at [`MAX_BODY`]).
    pub body: Vec<u8>,
    /// The body was longer than [`MAX_BODY`].
    pub truncated: bool,
}

impl Incoming {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type of the body, without parameters, lower-cased.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|c| c.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request and what came of it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The check that sent it.
    pub check: String,
    /// What was sent.
    pub request: Outgoing,
    /// What came back, or the transport error.
    pub response: Result<Incoming, String>,
    /// How long it took.
    pub elapsed: Duration,
}

impl Exchange {
    /// A `curl` command line sending the same request, with the token replaced by a
    /// shell variable (`$TOKEN`).
    pub fn reproduction(&self) -> String {
        curl(&self.request)
    }
}

/// The `curl` line of a request; the token is never written, nor any secret of the body.
pub fn curl(r: &Outgoing) -> String {
    let mut out = format!("curl -i -X {} '{}'", r.method, r.url.replace('\'', "'\\''"));
    if let Some(h) = &r.token_header {
        out.push_str(&format!(" -H '{h}: $TOKEN'"));
    }
    if let Some(f) = r.accept {
        out.push_str(&format!(" -H 'Accept: {}'", f.media_type()));
    }
    for (k, v) in &r.headers {
        out.push_str(&format!(" -H '{k}: {}'", v.replace('\'', "'\\''")));
    }
    if let Some((ct, body)) = &r.body {
        out.push_str(&format!(" -H 'Content-Type: {ct}' --data-binary '{}'", crate::target::redact(&String::from_utf8_lossy(body)).replace('\'', "'\\''")));
    }
    out
}

/// Sends requests with the run's token, within a timeout, and keeps every exchange.
#[derive(Clone)]
pub struct Wire {
    http: reqwest::Client,
    token: Arc<Mutex<Option<String>>>,
    log: Arc<Mutex<Vec<Exchange>>>,
    timeout: Duration,
    trace: bool,
    renew: Option<Arc<crate::target::Renewer>>,
    /// Where each API is.
    pub endpoints: Arc<Endpoints>,
}

impl Wire {
    /// A wire to the endpoints, with this per-request timeout.
    pub fn new(endpoints: Endpoints, token: Option<String>, timeout: Duration) -> Result<Wire, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout).redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(Wire { http, token: Arc::new(Mutex::new(token)), log: Arc::default(), timeout, trace: std::env::var_os(TRACE_VAR).is_some(), renew: None, endpoints: Arc::new(endpoints) })
    }

    /// This wire, signing in again when the target answers `401` to the run's token (it
    /// expired: a virtual clock may pass a day in a run).
    pub fn renewing(mut self, renew: Option<crate::target::Renewer>) -> Wire {
        self.renew = renew.map(Arc::new);
        self
    }

    /// The per-request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The token requests are sent with.
    pub fn token(&self) -> Option<String> {
        self.token.lock().ok().and_then(|t| t.clone())
    }

    /// Sends `r` for `check`; the exchange is kept, whatever happens.
    pub async fn send(&self, check: &str, r: Outgoing) -> Exchange {
        let started = Instant::now();
        let sent_with = self.token();
        let mut response = self.transmit(&r).await;
        if let (Ok(first), Some(renew), Some(_)) = (&response, &self.renew, &r.token_header) {
            if first.status == 401 {
                // Another request may have renewed it already.
                if self.token() == sent_with {
                    if let Some(t) = renew.token().await {
                        crate::target::remember_secret(&t);
                        if let Ok(mut held) = self.token.lock() {
                            *held = Some(t);
                        }
                    }
                }
                if self.token() != sent_with {
                    response = self.transmit(&r).await;
                }
            }
        }
        let x = Exchange { check: check.to_string(), request: r, response, elapsed: started.elapsed() };
        if self.trace {
            let outcome = match &x.response {
                Ok(r) => format!("{} {}", r.status, crate::session::gist(&r.text())),
                Err(e) => e.clone(),
            };
            eprintln!("[{}] {} -> {}", x.check, crate::target::redact(&x.reproduction()), outcome);
        }
        if let Ok(mut log) = self.log.lock() {
            log.push(x.clone());
        }
        x
    }

    async fn transmit(&self, r: &Outgoing) -> Result<Incoming, String> {
        let mut headers = HeaderMap::new();
        if let (Some(h), Some(t)) = (&r.token_header, self.token()) {
            let name = HeaderName::from_bytes(h.as_bytes()).map_err(|e| format!("bad header name {h}: {e}"))?;
            let mut value = HeaderValue::from_str(&t).map_err(|_| "the token is not a valid header value".to_string())?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if let Some(f) = r.accept {
            headers.insert(ACCEPT, HeaderValue::from_static(f.media_type()));
        }
        for (k, v) in &r.headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|e| format!("bad header name {k}: {e}"))?;
            let value = HeaderValue::from_str(v).map_err(|e| format!("bad value of header {k}: {e}"))?;
            headers.insert(name, value);
        }
        let mut req = self.http.request(r.method.clone(), &r.url).headers(headers);
        if let Some((ct, body)) = &r.body {
            req = req.header(CONTENT_TYPE, ct.as_str()).body(body.clone());
        }
        let mut resp = req.send().await.map_err(|e| describe(&e, self.timeout))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        let mut truncated = false;
        // Read in chunks so an endless body stops at the limit (and the timeout holds).
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_BODY {
                        body.extend_from_slice(&chunk[..MAX_BODY - body.len()]);
                        truncated = true;
                        break;
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(format!("the body broke off after {} bytes: {}", body.len(), describe(&e, self.timeout))),
            }
        }
        Ok(Incoming { status, headers, body, truncated })
    }

    /// Every exchange so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// How many requests were sent.
    pub fn requests(&self) -> usize {
        self.log.lock().map(|l| l.len()).unwrap_or_default()
    }
}

/// A transport error in words, with its causes.
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
