//! The identity service: v2.0 tokens by password or API key, with a catalog of every
//! other mounted API, and v1.0 header authentication; both described by the generated
//! identity exchange (`identity::auth::EXCHANGE`) and models.
//!
//! Users: an account's administrator (a seeded account) adds, updates and deletes users
//! of the account (`identity.v2.users.*`, the generated `User` model). A user added with a
//! password, or given a generated one, gets tokens for the account by that password. As
//! the documents say, such a user has the account's access but cannot create users or
//! update other users.

use crate::http::{Answer, Call};
use crate::state::{App, TokenRec};
use crate::wire::{self, Fault};
use axum::http::HeaderValue;
use cloudservers::identity::{self, models};
use runtime::client::IdentityExchange;
use runtime::Secret;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The users accounts' administrators added, and the tokens issued to them.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Users {
    /// Users by id.
    by_id: BTreeMap<String, UserRec>,
    /// The user each token of an added user was issued to, by token.
    tokens: HashMap<String, String>,
}

/// A user an administrator added.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UserRec {
    id: String,
    /// The tenant of the administrator who added it: its tokens are for that account.
    tenant: String,
    username: String,
    email: String,
    enabled: bool,
    password: String,
}

impl UserRec {
    /// The user as the API shows it (never with its password).
    fn model(&self) -> models::User {
        models::User::new(self.username.clone(), self.email.clone(), self.enabled)
    }
}

impl Users {
    /// Forgets every token issued to user `id` (deleted or disabled), here and in `tokens`.
    fn revoke(&mut self, id: &str, tokens: &mut HashMap<String, TokenRec>) {
        self.tokens.retain(|token, user| {
            let theirs = user == id;
            if theirs {
                tokens.remove(token);
            }
            !theirs
        });
    }
}

/// Who a token authenticates: the tenant, the user id and name shown in its answer, and
/// the added user it was issued to (none for an administrator).
struct Principal {
    tenant: String,
    user_id: String,
    user_name: String,
    added: Option<String>,
}

/// Answers an identity operation.
pub fn handle(call: &Call<'_>) -> Answer {
    let x = &identity::auth::EXCHANGE;
    if x.tokens_call().is_some_and(|c| c.operation == call.op.id) {
        return tokens(call);
    }
    if let Some(v) = x.v1_0_call().filter(|v| v.call.operation == call.op.id) {
        return v1_0(call, v);
    }
    match call.op.id.as_ref() {
        "identity.v2.users.create" => create_user(call),
        "identity.v2.users.update" => update_user(call),
        "identity.v2.users.delete" => delete_user(call),
        _ => Err(crate::http::unserved(call)),
    }
}

/// The operation's success answer with `user` as its body.
fn reply_user(call: &Call<'_>, user: &models::User) -> Answer {
    Ok(wire::reply(call.op, call.success(), user, call.format, &[]))
}

/// The added user the call's token was issued to, if it was issued to one (the token is
/// already known to be valid for `call.tenant`).
fn caller_user(call: &Call<'_>, users: &Users) -> Option<String> {
    let token = call.headers.get(call.mount.token_header.as_str()).and_then(|v| v.to_str().ok())?;
    users.tokens.get(token).cloned()
}

/// Whether `name` is taken by an account or by another added user: user names name one
/// user across the whole service, since a token is asked for by name alone.
fn name_taken(app: &App, users: &Users, name: &str, except: Option<&str>) -> bool {
    app.seed.accounts.iter().any(|a| a.username == name) || users.by_id.values().any(|u| u.username == name && Some(u.id.as_str()) != except)
}

/// A new password: the service generates one when a user is added without one.
fn new_password() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn create_user(call: &Call<'_>) -> Answer {
    let req: models::User = call.read()?;
    if req.username.trim().is_empty() {
        return Err(call.fault(400, "the user has no username"));
    }
    let given = req.os_ksadm_password.as_ref().map(|p| p.expose().to_string()).filter(|p| !p.is_empty());
    let mut store = call.app.store();
    let users = &mut store.users;
    if caller_user(call, users).is_some() {
        return Err(call.fault(403, "a user added to the account cannot add users"));
    }
    if name_taken(call.app, users, &req.username, None) {
        return Err(call.fault(409, format!("the username {} is taken", req.username)));
    }
    let password = given.clone().unwrap_or_else(new_password);
    let rec = UserRec {
        id: uuid::Uuid::new_v4().simple().to_string(),
        tenant: call.tenant.clone(),
        username: req.username.clone(),
        email: req.email.clone(),
        enabled: req.enabled,
        password: password.clone(),
    };
    let mut out = rec.model();
    // A generated password is in this answer only; a given one is never sent back.
    if given.is_none() {
        out = out.os_ksadm_password(Secret::new(password));
    }
    users.by_id.insert(rec.id.clone(), rec);
    drop(store);
    reply_user(call, &out)
}

/// The added user `user_id` of the caller's account, or the operation's 404 fault; one
/// added user may change only itself.
fn own_user<'u>(call: &Call<'_>, users: &'u mut Users) -> Result<&'u mut UserRec, Fault> {
    let id = call.param("user_id").to_string();
    let caller = caller_user(call, users);
    let rec = users.by_id.get_mut(&id).filter(|u| u.tenant == call.tenant).ok_or_else(|| call.fault(404, format!("user {id} does not exist")))?;
    if caller.is_some_and(|c| c != id) {
        return Err(call.fault(403, "a user added to the account cannot change other users"));
    }
    Ok(rec)
}

fn update_user(call: &Call<'_>) -> Answer {
    let req: models::User = call.read()?;
    if req.username.trim().is_empty() {
        return Err(call.fault(400, "the user has no username"));
    }
    let mut guard = call.app.store();
    let store = &mut *guard;
    let id = own_user(call, &mut store.users)?.id.clone();
    if name_taken(call.app, &store.users, &req.username, Some(&id)) {
        return Err(call.fault(409, format!("the username {} is taken", req.username)));
    }
    let rec = own_user(call, &mut store.users)?;
    rec.username = req.username.clone();
    rec.email = req.email.clone();
    rec.enabled = req.enabled;
    if let Some(p) = req.os_ksadm_password.as_ref().map(|p| p.expose()).filter(|p| !p.is_empty()) {
        rec.password = p.to_string();
    }
    let out = rec.model();
    // A disabled user can no longer use the tokens it has.
    if !req.enabled {
        store.users.revoke(&id, &mut store.tokens);
    }
    drop(guard);
    reply_user(call, &out)
}

fn delete_user(call: &Call<'_>) -> Answer {
    let mut guard = call.app.store();
    let store = &mut *guard;
    let id = own_user(call, &mut store.users)?.id.clone();
    store.users.by_id.remove(&id);
    store.users.revoke(&id, &mut store.tokens);
    drop(guard);
    Ok(wire::empty(call.success()))
}

/// Who the password credentials name: an account, else an enabled added user.
fn by_password(call: &Call<'_>, username: &str, password: &str) -> Result<Principal, Fault> {
    if let Some(a) = call.app.seed.accounts.iter().find(|a| a.username == username && a.password == password) {
        return Ok(Principal { tenant: a.tenant.clone(), user_id: a.username.clone(), user_name: a.username.clone(), added: None });
    }
    let store = call.app.store();
    let u = store.users.by_id.values().find(|u| u.username == username && u.password == password).ok_or_else(|| call.fault(401, "the credentials are not valid"))?;
    if !u.enabled {
        return Err(call.fault(403, format!("the user {username} is disabled")));
    }
    Ok(Principal { tenant: u.tenant.clone(), user_id: u.id.clone(), user_name: u.username.clone(), added: Some(u.id.clone()) })
}

fn tokens(call: &Call<'_>) -> Answer {
    let req: models::AuthRequest = call.read()?;
    let app = call.app;
    let who = match (&req.password_credentials, &req.rax_kskey_api_key_credentials) {
        (Some(p), _) => by_password(call, &p.username, p.password.expose())?,
        // Added users have no API key: only the accounts' keys are known.
        (None, Some(k)) => app
            .seed
            .accounts
            .iter()
            .find(|a| a.username == k.username && a.api_key == k.api_key.expose())
            .map(|a| Principal { tenant: a.tenant.clone(), user_id: a.username.clone(), user_name: a.username.clone(), added: None })
            .ok_or_else(|| call.fault(401, "the credentials are not valid"))?,
        (None, None) => return Err(call.fault(400, "the request holds no credentials")),
    };
    let (token, expires) = issue(app, &call.op.id, &who.tenant, who.added.as_deref());
    let mut t = models::Token::default();
    t.id = Secret::new(token);
    t.expires = expires.into();
    t.tenant.id = who.tenant.clone();
    t.tenant.name = who.tenant.clone();
    let mut user = models::AuthUser::default();
    user.id = who.user_id;
    user.name = who.user_name;
    user.rax_auth_default_region = Some(app.config.region.clone());
    // An account's own user holds the account's roles; an added user none the documents name.
    if who.added.is_none() {
        user.roles = app.seed.accounts.iter().find(|a| a.username == user.name).map(|a| a.roles.clone()).unwrap_or_default();
    }
    let mut access = models::AuthResponse::default();
    access.token = t;
    access.user = user;
    access.service_catalog = catalog(app, &who.tenant);
    Ok(wire::reply(call.op, call.success(), &access, call.format, &[]))
}

/// A new token for `tenant`, issued to the added user `added` when it is one's.
fn issue(app: &App, op: &str, tenant: &str, added: Option<&str>) -> (String, jiff::Timestamp) {
    let token = uuid::Uuid::new_v4().to_string();
    // The configured lifetime, else the documented one of the issuing call.
    let documented = identity::limits::TOKEN_LIMITS.iter().find(|l| l.applies_to.iter().any(|o| o == op)).and_then(|l| l.hours).map(|h| std::time::Duration::from_secs(h.saturating_mul(3600)));
    let lifetime = app.config.token_lifetime.or(documented).unwrap_or(std::time::Duration::MAX);
    let lifetime = jiff::SignedDuration::try_from(lifetime).unwrap_or(jiff::SignedDuration::MAX);
    let expires = app.clock.now().saturating_add(lifetime).unwrap_or(jiff::Timestamp::MAX);
    let mut store = app.store();
    store.tokens.insert(token.clone(), TokenRec { tenant: tenant.to_string(), expires });
    if let Some(id) = added {
        store.users.tokens.insert(token.clone(), id.to_string());
    }
    (token, expires)
}

/// Every mounted API the catalog names, at the tenant's endpoint in the region.
fn catalog(app: &App, tenant: &str) -> Vec<models::Service> {
    app.mounts
        .iter()
        .filter_map(|m| {
            let (name, kind) = m.catalog.clone()?;
            let mut e = models::Endpoint::default();
            e.public_url = app.endpoint_url(m, tenant);
            e.region = Some(app.config.region.clone());
            e.tenant_id = tenant.to_string();
            e.version_list = Some(app.host_url(m));
            e.version_id = Some(m.version.clone());
            e.version_info = Some(format!("{}/{}", app.host_url(m), m.version_segment));
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
    let (token, _) = issue(app, &call.op.id, &account.tenant, None);
    let first_generation = app.mounts.iter().find(|m| m.key == cloudservers::v1_0::client::API.api);
    let mut resp = wire::empty(call.success());
    let h = resp.headers_mut();
    if let Ok(t) = HeaderValue::from_str(&token) {
        h.insert(v.token_header, t);
    }
    if let Some(url) = first_generation.and_then(|m| HeaderValue::from_str(&app.endpoint_url(m, &account.tenant)).ok()) {
        h.insert(v.endpoint_header, url);
    }
    // The answer's other documented headers name endpoints of services this provider does
    // not serve (Cloud Files): each gets a URL of the provider's own, named after the
    // header, where nothing answers but a 404.
    let documented = call.op.responses.iter().filter(|r| (200..300).contains(&r.status)).flat_map(|r| r.headers.iter());
    for name in documented {
        let Ok(header) = axum::http::HeaderName::from_bytes(name.as_bytes()) else { continue };
        if h.contains_key(&header) {
            continue;
        }
        let slug = name.to_ascii_lowercase();
        let slug = slug.trim_start_matches("x-").trim_end_matches("-url");
        if let Ok(url) = HeaderValue::from_str(&format!("{}/{slug}/v1/{}", app.base, account.tenant)) {
            h.insert(header, url);
        }
    }
    Ok(resp)
}
