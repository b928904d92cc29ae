//! The identity service: v2.0 tokens by password or API key, with a catalog of every
//! other mounted API, and v1.0 header authentication; both described by the generated
//! identity exchange (`identity::auth::EXCHANGE`) and models.

use crate::http::{Answer, Call};
use crate::seed::Account;
use crate::state::{App, TokenRec};
use crate::wire;
use axum::http::HeaderValue;
use cloudservers::identity::{self, models};
use runtime::client::IdentityExchange;
use runtime::Secret;

/// Answers an identity operation.
pub fn handle(call: &Call<'_>) -> Answer {
    let x = &identity::auth::EXCHANGE;
    if x.tokens_call().is_some_and(|c| c.operation == call.op.id) {
        return tokens(call);
    }
    if let Some(v) = x.v1_0_call().filter(|v| v.call.operation == call.op.id) {
        return v1_0(call, v);
    }
    Err(call.fault(405, format!("{} is not served by this provider", call.op.id)))
}

fn tokens(call: &Call<'_>) -> Answer {
    let req: models::AuthRequest = call.read()?;
    let app = call.app;
    let account = match (&req.password_credentials, &req.rax_kskey_api_key_credentials) {
        (Some(p), _) => app.seed.accounts.iter().find(|a| a.username == p.username && a.password == p.password.expose()),
        (None, Some(k)) => app.seed.accounts.iter().find(|a| a.username == k.username && a.api_key == k.api_key.expose()),
        (None, None) => return Err(call.fault(400, "the request holds no credentials")),
    }
    .ok_or_else(|| call.fault(401, "the credentials are not valid"))?;
    let (token, expires) = issue(app, account);
    let mut t = models::Token::default();
    t.id = Secret::new(token);
    t.expires = expires.into();
    t.tenant.id = account.tenant.clone();
    t.tenant.name = account.tenant.clone();
    let mut user = models::AuthUser::default();
    user.id = account.username.clone();
    user.name = account.username.clone();
    user.rax_auth_default_region = Some(app.config.region.clone());
    let mut access = models::AuthResponse::default();
    access.token = t;
    access.user = user;
    access.service_catalog = catalog(app, account);
    Ok(wire::reply(call.op, call.success(), &access, call.format, &[]))
}

/// A new token for `account`.
fn issue(app: &App, account: &Account) -> (String, jiff::Timestamp) {
    let token = uuid::Uuid::new_v4().to_string();
    let lifetime = jiff::SignedDuration::try_from(app.config.token_lifetime).unwrap_or(jiff::SignedDuration::MAX);
    let expires = app.clock.now().saturating_add(lifetime).unwrap_or(jiff::Timestamp::MAX);
    app.store().tokens.insert(token.clone(), TokenRec { tenant: account.tenant.clone(), expires });
    (token, expires)
}

/// Every mounted API the catalog names, at the account's endpoint in the region.
fn catalog(app: &App, account: &Account) -> Vec<models::Service> {
    app.mounts
        .iter()
        .filter_map(|m| {
            let (name, kind) = m.catalog.clone()?;
            let mut e = models::Endpoint::default();
            e.public_url = app.endpoint_url(m, &account.tenant);
            e.region = Some(app.config.region.clone());
            e.tenant_id = account.tenant.clone();
            e.version_list = Some(app.host_url(m));
            let mut s = models::Service::default();
            s.name = name;
            s.type_ = kind;
            s.endpoints = vec![e];
            Some(s)
        })
        .collect()
}

fn v1_0(call: &Call<'_>, v: runtime::client::V1_0Call) -> Answer {
    let header = |name: &str| call.headers.get(name).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
    let (user, key) = (header(v.user_header), header(v.key_header));
    let app = call.app;
    let account = app
        .seed
        .accounts
        .iter()
        .find(|a| a.username == user && a.api_key == key)
        .ok_or_else(|| call.fault(401, "the user name and key are not valid"))?;
    let (token, _) = issue(app, account);
    let first_generation = app.mounts.iter().find(|m| m.key == cloudservers::v1_0::client::API.api);
    let mut resp = wire::empty(call.success());
    let h = resp.headers_mut();
    if let Ok(t) = HeaderValue::from_str(&token) {
        h.insert(v.token_header, t);
    }
    if let Some(url) = first_generation.and_then(|m| HeaderValue::from_str(&app.endpoint_url(m, &account.tenant)).ok()) {
        h.insert(v.endpoint_header, url);
    }
    Ok(resp)
}
