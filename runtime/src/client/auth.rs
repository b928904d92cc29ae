//! Authentication: none (RackConnect), a given token, identity v2.0 tokens by password
//! or API key with the endpoint chosen from the service catalog, and v1.0 header auth.

use crate::faults::FaultBody;
use super::transport::TransportError;
use crate::Secret;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Url;
use serde::Deserialize;
use std::time::Duration;

/// The path of the identity v2.0 token exchange (`identity.v2.tokens.create`).
pub const IDENTITY_V2_TOKENS_PATH: &str = "/v2.0/tokens";
/// The path of the v1.0 authentication call (`identity.v1.0.auth`).
pub const IDENTITY_V1_0_PATH: &str = "/v1.0";

/// The secret half of identity v2.0 credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `passwordCredentials`.
    Password(Secret),
    /// `RAX-KSKEY:apiKeyCredentials`.
    ApiKey(Secret),
}

/// How a client authenticates. `Debug` never shows a secret.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Auth {
    /// No authentication (RackConnect: the caller's source address is its identity).
    #[default]
    None,
    /// A token obtained elsewhere, sent as `X-Auth-Token`; it cannot be renewed.
    Token(Secret),
    /// Identity v2.0: `POST /v2.0/tokens`, then the endpoint of service `service_name`
    /// in `region` from the service catalog. Renewed on `401`.
    IdentityV2 {
        /// The identity service root (`https://identity.api.rackspacecloud.com`, with or
        /// without `/v2.0`).
        identity_url: String,
        /// The user name.
        username: String,
        /// The password or API key.
        credential: Credential,
        /// Only endpoints of this tenant (`tenantId`) are chosen, when given.
        tenant: Option<String>,
        /// The catalog service `name` (`cloudServersOpenStack`, `cloudServers`).
        service_name: String,
        /// The endpoint `region` (`DFW`, `ORD`); endpoints without a region match any.
        region: Option<String>,
    },
    /// v1.0: `GET /v1.0` with `X-Auth-User` and `X-Auth-Key`, giving `X-Auth-Token` and
    /// `X-Server-Management-Url`. Renewed on `401`.
    V1_0 {
        /// The authentication service (`https://auth.api.rackspacecloud.com`, with or
        /// without `/v1.0`).
        auth_url: String,
        /// `X-Auth-User`.
        user: String,
        /// `X-Auth-Key`.
        key: Secret,
    },
}

impl Auth {
    /// Identity v2.0 by password.
    pub fn password(
        identity_url: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<String>,
        service_name: impl Into<String>,
        region: Option<&str>,
    ) -> Self {
        Auth::IdentityV2 {
            identity_url: identity_url.into(),
            username: username.into(),
            credential: Credential::Password(Secret::new(password)),
            tenant: None,
            service_name: service_name.into(),
            region: region.map(str::to_string),
        }
    }

    /// Identity v2.0 by API key.
    pub fn api_key(
        identity_url: impl Into<String>,
        username: impl Into<String>,
        api_key: impl Into<String>,
        service_name: impl Into<String>,
        region: Option<&str>,
    ) -> Self {
        Auth::IdentityV2 {
            identity_url: identity_url.into(),
            username: username.into(),
            credential: Credential::ApiKey(Secret::new(api_key)),
            tenant: None,
            service_name: service_name.into(),
            region: region.map(str::to_string),
        }
    }

    /// Whether a new token can be fetched (on a `401`).
    pub fn renewable(&self) -> bool {
        matches!(self, Auth::IdentityV2 { .. } | Auth::V1_0 { .. })
    }

    /// Whether requests carry `X-Auth-Token`.
    pub fn uses_token(&self) -> bool {
        !matches!(self, Auth::None)
    }
}

/// What authentication gave: the token, the endpoint, and when the token expires.
/// `Debug` never shows the token.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// The `X-Auth-Token` value.
    pub token: Option<Secret>,
    /// The service endpoint (from the catalog or `X-Server-Management-Url`).
    pub endpoint: Option<Url>,
    /// When the token expires, as the identity service wrote it.
    pub expires: Option<String>,
    /// The tenant of the token, when the identity service names one.
    pub tenant_id: Option<String>,
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

#[derive(Deserialize)]
struct AccessDoc {
    access: Access,
}

#[derive(Deserialize)]
struct Access {
    token: TokenDoc,
    #[serde(rename = "serviceCatalog", default)]
    service_catalog: Vec<ServiceDoc>,
}

#[derive(Deserialize)]
struct TokenDoc {
    id: Secret,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    tenant: Option<TenantDoc>,
}

#[derive(Deserialize)]
struct TenantDoc {
    id: String,
}

#[derive(Deserialize)]
struct ServiceDoc {
    name: String,
    #[serde(default)]
    endpoints: Vec<EndpointDoc>,
}

#[derive(Deserialize)]
struct EndpointDoc {
    #[serde(rename = "publicURL")]
    public_url: String,
    /// `None` for a region-less endpoint: no `region`, `null`, or an empty (blank) one.
    #[serde(default, deserialize_with = "region_or_none")]
    region: Option<String>,
    #[serde(rename = "tenantId", default)]
    tenant_id: Option<String>,
}

/// A catalog endpoint's `region`: an absent, `null` or blank region is none (the
/// endpoint serves any region).
fn region_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let r: Option<String> = Option::deserialize(d)?;
    Ok(r.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()))
}

/// Chooses the public URL of `service` in `region` (endpoints without a region match
/// any region; with no region asked, the first endpoint), of `tenant` when given.
fn select_endpoint(
    catalog: &[ServiceDoc],
    service: &str,
    region: Option<&str>,
    tenant: Option<&str>,
) -> Result<Url, AuthError> {
    let candidates = catalog.iter().filter(|s| s.name == service).flat_map(|s| s.endpoints.iter());
    let tenant_ok = |e: &&EndpointDoc| tenant.is_none_or(|t| e.tenant_id.as_deref() == Some(t));
    let chosen = match region {
        Some(r) => {
            let all: Vec<&EndpointDoc> = candidates.filter(tenant_ok).collect();
            all.iter()
                .find(|e| e.region.as_deref().is_some_and(|er| er.eq_ignore_ascii_case(r)))
                .or_else(|| all.iter().find(|e| e.region.is_none()))
                .copied()
        }
        None => candidates.into_iter().find(tenant_ok),
    };
    match chosen {
        Some(e) => Url::parse(&e.public_url)
            .map_err(|err| AuthError::InvalidUrl { url: e.public_url.clone(), message: err.to_string() }),
        None => Err(AuthError::NoEndpoint {
            service: service.to_string(),
            region: region.map(str::to_string),
            available: catalog
                .iter()
                .flat_map(|s| {
                    s.endpoints.iter().map(move |e| match &e.region {
                        Some(r) => format!("{}/{r}", s.name),
                        None => s.name.clone(),
                    })
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

fn rejected(status: u16, body: &[u8]) -> AuthError {
    let f = FaultBody::decode(status, None, body);
    AuthError::Rejected { status, message: f.message.or(f.name).unwrap_or_default() }
}

fn secret_header(value: &Secret) -> Result<HeaderValue, TransportError> {
    let mut v = HeaderValue::from_str(value.expose())
        .map_err(|_| TransportError::Config("a credential holds characters a header cannot carry".into()))?;
    v.set_sensitive(true);
    Ok(v)
}

/// Runs the exchange `auth` describes. With `want_endpoint` false, the catalog is not
/// searched (the caller has its own endpoint).
pub(crate) async fn authenticate(
    http: &reqwest::Client,
    auth: &Auth,
    timeout: Duration,
    want_endpoint: bool,
) -> Result<Session, TransportError> {
    match auth {
        Auth::None => Ok(Session::default()),
        Auth::Token(t) => Ok(Session { token: Some(t.clone()), ..Session::default() }),
        Auth::IdentityV2 { identity_url, username, credential, tenant, service_name, region } => {
            let url = join_path(identity_url, IDENTITY_V2_TOKENS_PATH)?;
            let body = match credential {
                Credential::Password(p) => serde_json::json!({"auth": {"passwordCredentials": {"username": username, "password": p.expose()}}}),
                Credential::ApiKey(k) => serde_json::json!({"auth": {"RAX-KSKEY:apiKeyCredentials": {"username": username, "apiKey": k.expose()}}}),
            };
            let span = tracing::debug_span!("authenticate", kind = "identity-v2", path = url.path());
            let _g = span.enter();
            let resp = http
                .post(url)
                .timeout(timeout)
                .header(CONTENT_TYPE, "application/json")
                .header(reqwest::header::ACCEPT, "application/json")
                .body(body.to_string())
                .send()
                .await
                .map_err(|e| transport_error(e, "identity v2.0 tokens", timeout))?;
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(|e| transport_error(e, "identity v2.0 tokens", timeout))?;
            tracing::debug!(status, "identity answered");
            if !(200..300).contains(&status) {
                return Err(rejected(status, &bytes).into());
            }
            let doc: AccessDoc =
                serde_json::from_slice(&bytes).map_err(|e| AuthError::BadResponse(format!("access: {e}")))?;
            let endpoint = if want_endpoint {
                Some(select_endpoint(
                    &doc.access.service_catalog,
                    service_name,
                    region.as_deref(),
                    tenant.as_deref(),
                )?)
            } else {
                None
            };
            Ok(Session {
                token: Some(doc.access.token.id),
                endpoint,
                expires: doc.access.token.expires,
                tenant_id: doc.access.token.tenant.map(|t| t.id),
            })
        }
        Auth::V1_0 { auth_url, user, key } => {
            let url = join_path(auth_url, IDENTITY_V1_0_PATH)?;
            let span = tracing::debug_span!("authenticate", kind = "v1.0", path = url.path());
            let _g = span.enter();
            let resp = http
                .get(url)
                .timeout(timeout)
                .header("X-Auth-User", user.as_str())
                .header("X-Auth-Key", secret_header(key)?)
                .send()
                .await
                .map_err(|e| transport_error(e, "v1.0 authentication", timeout))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let bytes = resp.bytes().await.map_err(|e| transport_error(e, "v1.0 authentication", timeout))?;
            tracing::debug!(status, "authentication answered");
            if !(200..300).contains(&status) {
                return Err(rejected(status, &bytes).into());
            }
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let token = header("X-Auth-Token").ok_or_else(|| AuthError::BadResponse("no X-Auth-Token header".into()))?;
            let endpoint = match header("X-Server-Management-Url") {
                Some(u) => {
                    Some(Url::parse(&u).map_err(|e| AuthError::InvalidUrl { url: u.clone(), message: e.to_string() })?)
                }
                None if want_endpoint => {
                    return Err(AuthError::BadResponse("no X-Server-Management-Url header".into()).into())
                }
                None => None,
            };
            Ok(Session { token: Some(Secret::new(token)), endpoint, expires: None, tenant_id: None })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(doc: serde_json::Value) -> Vec<ServiceDoc> {
        serde_json::from_value::<AccessDoc>(doc).unwrap().access.service_catalog
    }

    fn sample() -> Vec<ServiceDoc> {
        catalog(serde_json::json!({"access": {"token": {"id": "t"}, "serviceCatalog": [
            {"name": "cloudServers", "type": "compute", "endpoints": [{"publicURL": "https://servers.example/v1.0/010101", "tenantId": "010101"}]},
            {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [
                {"publicURL": "https://dfw.example/v2/010101", "region": "DFW", "tenantId": "010101"},
                {"publicURL": "https://ord.example/v2/010101", "region": "ORD", "tenantId": "010101"}]}]}}))
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
        let c = catalog(serde_json::json!({"access": {"token": {"id": "t"}, "serviceCatalog": [
            {"name": "cloudServersOpenStack", "endpoints": [
                {"publicURL": "https://dfw.example/v2/1", "region": "DFW"},
                {"publicURL": "https://any.example/v2/1", "region": ""}]},
            {"name": "cloudServers", "endpoints": [{"publicURL": "https://blank.example/v1.0/1", "region": "  "}]},
            {"name": "other", "endpoints": [{"publicURL": "https://null.example/", "region": null}]}]}}));
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
    fn auth_paths_join_without_repeating() {
        let j = |b: &str, p: &str| join_path(b, p).unwrap().to_string();
        assert_eq!(j("https://identity.example", IDENTITY_V2_TOKENS_PATH), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://identity.example/v2.0/", IDENTITY_V2_TOKENS_PATH), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://identity.example/v2.0/tokens", IDENTITY_V2_TOKENS_PATH), "https://identity.example/v2.0/tokens");
        assert_eq!(j("https://auth.example/v1.0", IDENTITY_V1_0_PATH), "https://auth.example/v1.0");
        assert_eq!(j("http://127.0.0.1:99/", IDENTITY_V1_0_PATH), "http://127.0.0.1:99/v1.0");
        assert!(join_path("not a url", IDENTITY_V1_0_PATH).is_err());
    }

    #[test]
    fn debug_hides_secrets() {
        let a = Auth::password("https://identity.example", "me", "hunter2", "cloudServersOpenStack", Some("DFW"));
        let k = Auth::api_key("https://identity.example", "me", "0123abcd", "cloudServersOpenStack", None);
        let v = Auth::V1_0 { auth_url: "https://auth.example".into(), user: "jdoe".into(), key: Secret::new("a86850deb") };
        let t = Auth::Token(Secret::new("tok-123"));
        let s = Session { token: Some(Secret::new("tok-456")), ..Session::default() };
        let all = format!("{a:?} {k:?} {v:?} {t:?} {s:?} {a:#?}");
        for secret in ["hunter2", "0123abcd", "a86850deb", "tok-123", "tok-456"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert!(all.contains("jdoe") && all.contains("cloudServersOpenStack"));
    }
}
