//! Shared prerequisites: the values path parameters take, captured from the responses of
//! the operations the schema names as their sources, built once per run and waited for
//! until the resource is settled; and fresh resources for checks that change their state.

use crate::session::{Answer, Session};
use schema::machines::StateKind;
use schema::operations::{Operation, ParamSource};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell};

/// Why a prerequisite could not be had: the checks that need it are skipped with it.
pub type Unmet = String;

/// A value built once for every check that needs it.
type Shared = Arc<OnceCell<Result<String, Unmet>>>;

/// A resource the run made: how to delete it, and the source of its id.
pub type Made = (String, Vec<(String, String)>, ParamSource);

/// The values of path parameters of this run, each built once.
#[derive(Default)]
pub struct Fixture {
    bound: OnceCell<Result<(), Unmet>>,
    cells: Mutex<HashMap<(String, String), Shared>>,
    /// Resources the run made, to delete at the end: (delete operation, parameters, the
    /// source of the resource's id).
    pub made: Mutex<Vec<Made>>,
}

impl Fixture {
    /// The value of a parameter with this source: shared by every check.
    pub async fn shared(&self, s: &Session<'_>, source: &ParamSource) -> Result<String, Unmet> {
        let cell = {
            let mut cells = self.cells.lock().await;
            cells.entry((source.operation.clone(), source.pointer.clone())).or_default().clone()
        };
        cell.get_or_init(|| async { self.make(s, source, "fixture").await }).await.clone()
    }

    /// The path parameters of `op`: each from its source (shared), or `fresh` for the
    /// parameters whose source is `fresh.0` (a resource of the check's own).
    pub async fn params(&self, s: &Session<'_>, op: &Operation, fresh: Option<(&ParamSource, &str)>) -> Result<Vec<(String, String)>, Unmet> {
        let mut out = Vec::new();
        for p in &op.path_params {
            let value = match (&p.source, fresh) {
                (Some(src), Some((f, v))) if same(src, f) => v.to_string(),
                // What the operation's own request sets: its documented request's value.
                (Some(src), _) if src.operation == op.id => own_request_value(s, op, src)?,
                (Some(src), _) => Box::pin(self.shared(s, src)).await?,
                (None, _) => return Err(format!("the schema names no source of the path parameter `{}` of {}", p.name, op.id)),
            };
            out.push((p.name.clone(), value));
        }
        Ok(out)
    }

    /// Runs the source operation once (with its first documented JSON request) and takes
    /// the value at the pointer; a resource it creates is waited for until settled and
    /// deleted at the end.
    pub async fn make(&self, s: &Session<'_>, source: &ParamSource, why: &str) -> Result<String, Unmet> {
        self.make_as(s, source, why, false, &[]).await
    }

    /// [`Fixture::make`], ending in the machine's error state when `failing` (the target's
    /// control API is asked to make the walk fail first), and made with references to the
    /// `related` resources where its request can name them ([`Session::relate`]).
    pub async fn make_as(&self, s: &Session<'_>, source: &ParamSource, why: &str, failing: bool, related: &[(ParamSource, String)]) -> Result<String, Unmet> {
        if failing {
            fail_next(s, &source.operation).await?;
        }
        let op = s.schema.operation(&source.operation).ok_or_else(|| format!("the source operation {} is not in the schema", source.operation))?;
        if let Some(maker) = &source.credentials_from {
            return Box::pin(self.make_signed_in(s, source, maker, why)).await;
        }
        let params = Box::pin(self.params(s, op, None)).await?;
        let body = Box::pin(s.prepared_request(op, crate::checks::Wire::Json)).await?.map(|b| s.relate(op, b, related));
        let answer = s.call(why, op, &params, body.as_ref(), crate::checks::Wire::Json, &[]).await;
        let doc = match &answer {
            Answer::Received(r) if (200..300).contains(&r.status) => serde_json::from_slice::<Value>(&r.body).map_err(|e| format!("{} answered a body that is not JSON: {e}", op.id))?,
            Answer::Received(r) => return Err(format!("{} answered {} ({})", op.id, r.status, crate::session::gist(&r.text()))),
            Answer::Unsent(why) | Answer::Failed(why) => return Err(format!("{}: {why}", op.id)),
        };
        let value = resolve(&doc, &source.pointer).ok_or_else(|| format!("{} answered no value at {}", op.id, source.pointer))?;
        if op.method == "POST" {
            self.keep_for_deletion(s, source, &params, &value).await?;
            self.settle_as(s, source, &value, failing).await?;
        }
        Ok(value)
    }

    /// Makes what `maker` makes (a user of the account, named by the run and with a
    /// secret of its own), then calls the credentials exchange `source` names signed in as
    /// it, for the value at the source's pointer (the user's own id); deleted at the end.
    async fn make_signed_in(&self, s: &Session<'_>, source: &ParamSource, maker: &str, why: &str) -> Result<String, Unmet> {
        let make = s.schema.operation(maker).ok_or_else(|| format!("the operation {maker} is not in the schema"))?;
        let exchange = s.schema.operation(&source.operation).ok_or_else(|| format!("the operation {} is not in the schema", source.operation))?;
        let params = Box::pin(self.params(s, make, None)).await?;
        let body = Box::pin(s.prepared_request(make, crate::checks::Wire::Json)).await?.ok_or_else(|| format!("{maker} documents no JSON request to make one with"))?;
        // The name and the secret the request gave what it makes.
        let sent: Value = serde_json::from_slice(&body.bytes).map_err(|e| format!("the request of {maker} is not JSON: {e}"))?;
        let req = make.request.as_ref().ok_or_else(|| format!("{maker} takes no request body"))?;
        let fields = s.schema.model(&req.model).map(|m| m.fields.as_slice()).unwrap_or_default();
        let inner = match &req.wrap {
            Some(w) => sent.get(w).cloned().unwrap_or(Value::Null),
            None => sent.clone(),
        };
        let with_role = |role| fields.iter().find(|f| f.role == Some(role)).and_then(|f| inner.get(&f.name)).and_then(Value::as_str).map(str::to_string);
        let (Some(user), Some(secret)) = (with_role(schema::models::FieldRole::ResourceName), with_role(schema::models::FieldRole::CredentialSecret)) else {
            return Err(format!("the request of {maker} names no user and secret to sign in with"));
        };
        match s.call(why, make, &params, Some(&body), crate::checks::Wire::Json, &[]).await {
            Answer::Received(r) if (200..300).contains(&r.status) => {}
            Answer::Received(r) => return Err(format!("{maker} answered {} ({})", r.status, crate::session::gist(&r.text()))),
            Answer::Unsent(w) | Answer::Failed(w) => return Err(format!("{maker}: {w}")),
        }
        let signed_in = s.signed_in_as(exchange, &user, &secret).ok_or_else(|| format!("{} documents no request with password credentials", exchange.id))?;
        let doc = match s.call(why, exchange, &[], Some(&signed_in), crate::checks::Wire::Json, &[]).await {
            Answer::Received(r) if (200..300).contains(&r.status) => serde_json::from_slice::<Value>(&r.body).map_err(|e| format!("{} answered a body that is not JSON: {e}", exchange.id))?,
            Answer::Received(r) => return Err(format!("{} as {user} answered {} ({})", exchange.id, r.status, crate::session::gist(&r.text()))),
            Answer::Unsent(w) | Answer::Failed(w) => return Err(format!("{}: {w}", exchange.id)),
        };
        let value = resolve(&doc, &source.pointer).ok_or_else(|| format!("{} answered no value at {}", exchange.id, source.pointer))?;
        self.keep_for_deletion(s, source, &[], &value).await?;
        Ok(value)
    }

    /// Makes a resource of the kind `source` lists with the operation that makes one and
    /// names it in a response header (`made_by`); waited for until settled (in the error
    /// state when `failing`) and deleted at the end.
    pub async fn make_by(&self, s: &Session<'_>, made_by: &schema::operations::MadeBy, source: &ParamSource, why: &str, failing: bool) -> Result<String, Unmet> {
        if failing {
            fail_next(s, &made_by.operation).await?;
        }
        let op = s.schema.operation(&made_by.operation).ok_or_else(|| format!("the operation {} is not in the schema", made_by.operation))?;
        let params = Box::pin(self.params(s, op, None)).await?;
        let body = Box::pin(s.prepared_request(op, crate::checks::Wire::Json)).await?;
        let value = match s.call(why, op, &params, body.as_ref(), crate::checks::Wire::Json, &[]).await {
            Answer::Received(r) if (200..300).contains(&r.status) => {
                let url = r.header(&made_by.header).ok_or_else(|| format!("{} answered without a {} header", op.id, made_by.header))?;
                url.trim_end_matches('/').rsplit('/').next().filter(|id| !id.is_empty()).map(str::to_string).ok_or_else(|| format!("{} named no resource in its {} header ({url})", op.id, made_by.header))?
            }
            Answer::Received(r) => return Err(format!("{} answered {} ({})", op.id, r.status, crate::session::gist(&r.text()))),
            Answer::Unsent(why) | Answer::Failed(why) => return Err(format!("{}: {why}", op.id)),
        };
        self.keep_for_deletion(s, source, &params, &value).await?;
        self.settle_as(s, source, &value, failing).await?;
        Ok(value)
    }

    /// Waits until the resource that `source` yields with `value` is in a stable state of
    /// its machine (polling the operation that reads it, advancing a virtual clock when
    /// the target has one). An error state ends the wait with its status.
    pub async fn settle(&self, s: &Session<'_>, source: &ParamSource, value: &str) -> Result<(), Unmet> {
        self.settle_as(s, source, value, false).await
    }

    /// [`Fixture::settle`]; with `failing`, the error state is the one waited for.
    pub async fn settle_as(&self, s: &Session<'_>, source: &ParamSource, value: &str, failing: bool) -> Result<(), Unmet> {
        let Some((read, machine, field)) = reader(s, source) else { return Ok(()) };
        let params = Box::pin(self.params(s, read, Some((source, value)))).await?;
        let wrap = read.responses.first().and_then(|r| r.wrap.clone());
        let deadline = tokio::time::Instant::now() + s.settings.wait_timeout;
        // On a virtual clock, as many polls as the wait takes in steps of the clock.
        let mut polls_left = (s.settings.wait_timeout.as_secs_f64() / s.settings.clock_step.as_secs_f64().max(1.0)).ceil() as u32 + 1;
        loop {
            let answer = s.call("fixture", read, &params, None, crate::checks::Wire::Json, &[]).await;
            if let Answer::Received(r) = &answer {
                if r.status == 404 {
                    return Err(format!("{} {value} is gone (404) while waiting for it to settle", read.id));
                }
            }
            let status = match &answer {
                Answer::Received(r) if r.status == 200 || r.status == 203 => serde_json::from_slice::<Value>(&r.body).ok().and_then(|d| {
                    let inner = match &wrap {
                        Some(w) => d.get(w).cloned(),
                        None => Some(d),
                    }?;
                    inner.get(&field).and_then(Value::as_str).map(str::to_string)
                }),
                _ => None,
            };
            let kind = status.as_deref().and_then(|st| machine.states.iter().find(|x| x.name == st)).map(|x| x.kind);
            match kind {
                Some(StateKind::Stable) if !failing => return Ok(()),
                Some(StateKind::Error) if failing => return Ok(()),
                Some(StateKind::Stable | StateKind::Error | StateKind::Terminal) => return Err(format!("{} {value} went to {}", read.id, status.unwrap_or_default())),
                _ => {}
            }
            polls_left = polls_left.saturating_sub(1);
            let virtual_clock = s.wire.endpoints.control.is_some();
            if tokio::time::Instant::now() >= deadline || (virtual_clock && polls_left == 0) {
                return Err(format!("{} {value} did not settle within {} s (last status {})", read.id, s.settings.wait_timeout.as_secs(), status.unwrap_or_else(|| "unknown".into())));
            }
            s.pass_time().await;
        }
    }

    /// Makes the run's requests come from a resource of the account, for operations the
    /// target authenticates by the caller's address: the resource whose metadata holds the
    /// state of a machine of the operation's API (RackConnect's automation status is kept
    /// in a server's metadata), bound to the run's address through the control API.
    pub async fn bind_caller(&self, s: &Session<'_>, op: &Operation) -> Result<(), Unmet> {
        self.bound
            .get_or_init(|| async {
                let slot = s.schema.state_machines.iter().filter(|m| m.api == op.api).find_map(|m| m.metadata.as_ref()).ok_or_else(|| format!("no machine of the {} API says which resource calls it", op.api.as_str()))?;
                let source = s
                    .schema
                    .operations
                    .iter()
                    .filter(|o| o.method == "GET" && o.responses.first().and_then(|r| r.model.as_deref()) == Some(slot.model.as_str()))
                    .find_map(|o| o.path_params.last().and_then(|p| p.source.clone()))
                    .ok_or_else(|| format!("no operation reads a {}", slot.model))?;
                let id = self.shared(s, &source).await?;
                let tenant = s.settings.tenant.clone().ok_or("the run's tenant is not known")?;
                let address = s.settings.source_address.clone();
                s.control("bindings", &serde_json::json!({"address": address, "tenant": tenant, "server": id}))
                    .await
                    .map_err(|e| format!("calls authenticated by the caller's address need the target's control API to say which server calls ({e})"))
            })
            .await
            .clone()
    }

    /// Makes sure a list shows an item: one of the resources the schema says a list's items
    /// are read by (the operation that reads one item of the list's item model) is made.
    pub async fn populate(&self, s: &Session<'_>, list: &Operation) {
        let Some(model) = list.responses.first().and_then(|r| r.model.as_deref()).and_then(|m| s.schema.model(m)) else { return };
        let items: Vec<&str> = model.fields.iter().flat_map(|f| f.ty.referenced_ids()).collect();
        let source = s
            .schema
            .operations
            .iter()
            .filter(|o| o.api == list.api && o.method == "GET" && o.responses.first().and_then(|r| r.model.as_deref()).is_some_and(|m| items.contains(&m) || related(s, m, &items)))
            .find_map(|o| o.path_params.last().and_then(|p| p.source.clone()))
            .filter(|src| src.operation != list.id);
        if let Some(src) = source {
            let _ = self.shared(s, &src).await;
        }
    }

    /// Takes on what a check's request made (a server a create example made): it is
    /// waited for until settled, so that what comes next finds it at rest, and deleted at
    /// the end of the run.
    pub async fn adopt(&self, s: &Session<'_>, op: &Operation, params: &[(String, String)], r: &crate::wire::Incoming) {
        if !(200..300).contains(&r.status) {
            return;
        }
        let Ok(doc) = serde_json::from_slice::<Value>(&r.body) else { return };
        // A source called as what another operation made is not what a plain call makes
        // (a credentials exchange of the run's own answers with the run's own user).
        let Some(source) = s.schema.operations.iter().flat_map(|o| &o.path_params).filter_map(|p| p.source.as_ref()).find(|src| src.operation == op.id && src.credentials_from.is_none()) else { return };
        let Some(value) = resolve(&doc, &source.pointer) else { return };
        if self.keep_for_deletion(s, source, params, &value).await.is_err() {
            return;
        }
        let _ = self.settle(s, source, &value).await;
    }

    /// Notes a resource the run made, to delete at the end: by the delete whose last path
    /// parameter has this source, its other parameters from the `made_with` ones of the
    /// operation that made it (by name), else shared.
    async fn keep_for_deletion(&self, s: &Session<'_>, source: &ParamSource, made_with: &[(String, String)], value: &str) -> Result<(), Unmet> {
        let Some(delete) = s.schema.operations.iter().find(|o| o.method == "DELETE" && o.path_params.last().and_then(|p| p.source.as_ref()).is_some_and(|p| same(p, source))) else {
            return Ok(());
        };
        let mut params = Vec::new();
        for p in &delete.path_params[..delete.path_params.len() - 1] {
            let v = match (made_with.iter().find(|(n, _)| *n == p.name), &p.source) {
                (Some((_, v)), _) => v.clone(),
                (None, Some(src)) => Box::pin(self.shared(s, src)).await?,
                (None, None) => return Err(format!("the schema names no source of the path parameter `{}` of {}", p.name, delete.id)),
            };
            params.push((p.name.clone(), v));
        }
        params.push((delete.path_params[delete.path_params.len() - 1].name.clone(), value.to_string()));
        self.made.lock().await.push((delete.id.clone(), params, source.clone()));
        Ok(())
    }

    /// Deletes a resource a check made for itself, now (it is no longer deleted at the end).
    pub async fn release(&self, s: &Session<'_>, source: &ParamSource, value: &str) {
        // By source and value: ids of different resources may be equal (v1.0's integers).
        let found = {
            let mut made = self.made.lock().await;
            made.iter().position(|(_, p, src)| same(src, source) && p.last().is_some_and(|(_, v)| v == value)).map(|i| made.remove(i))
        };
        if let Some(entry) = found {
            // Not deleted now: tried again, and reported, at the end of the run.
            if self.delete(s, &entry).await.is_err() {
                self.made.lock().await.push(entry);
            }
        }
    }

    /// Deletes one resource; one the target will not delete in its state (409) is waited
    /// for until settled and brought by the documented operations to a state the delete
    /// is allowed in (a resize left to verify is confirmed), once.
    async fn delete(&self, s: &Session<'_>, (op_id, params, source): &Made) -> Result<(), String> {
        let op = s.schema.operation(op_id).ok_or_else(|| format!("no operation {op_id}"))?;
        for attempt in 0..2 {
            match s.call("clean-up", op, params, None, crate::checks::Wire::Json, &[]).await {
                Answer::Received(r) if r.status < 300 || r.status == 404 => return Ok(()),
                Answer::Received(r) if r.status == 409 && attempt == 0 => {
                    let value = params.last().map(|(_, v)| v.clone()).unwrap_or_default();
                    let _ = self.settle(s, source, &value).await;
                    let _ = crate::examples::walk_to(s, op, source, &value, "clean-up").await;
                }
                Answer::Received(r) => return Err(format!("{op_id} {params:?}: {}", r.status)),
                Answer::Unsent(why) | Answer::Failed(why) => return Err(format!("{op_id} {params:?}: {why}")),
            }
        }
        Err(format!("{op_id} {params:?}: still refused"))
    }

    /// Deletes what the run made; returns what could not be deleted.
    pub async fn clean_up(&self, s: &Session<'_>) -> Vec<String> {
        let made = std::mem::take(&mut *self.made.lock().await);
        let mut left = Vec::new();
        for entry in made.into_iter().rev() {
            if let Err(e) = self.delete(s, &entry).await {
                left.push(e);
            }
        }
        left
    }
}

/// The operation that reads the resource a source yields, with the machine of its status
/// and the status field: the GET whose last path parameter has this source, and whose
/// body model has a field with the status role whose type is a machine's subject.
pub fn reader<'s>(s: &Session<'s>, source: &ParamSource) -> Option<(&'s Operation, &'s schema::machines::StateMachine, String)> {
    s.schema.operations.iter().filter(|o| o.method == "GET" && o.path_params.last().and_then(|p| p.source.as_ref()).is_some_and(|p| same(p, source))).find_map(|o| {
        let model = s.schema.model(o.responses.first()?.model.as_deref()?)?;
        // The field with the status role, and the machine whose subject is its type.
        let field = model.fields.iter().find(|f| f.role == Some(schema::models::FieldRole::Status))?;
        let machine = s.schema.state_machines.iter().find(|m| m.subject.as_deref().is_some_and(|subject| field.ty.referenced_ids().contains(&subject)))?;
        Some((o, machine, field.name.clone()))
    })
}

/// The value at a JSON pointer: `/0` is the first item of an array, `/*` the first key
/// of a map. Numbers are given as text.
pub fn resolve(doc: &Value, pointer: &str) -> Option<String> {
    let mut at = doc;
    let mut key_of_map = None;
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part == "*" {
            let (k, v) = at.as_object()?.iter().next()?;
            key_of_map = Some(k.clone());
            at = v;
            continue;
        }
        key_of_map = None;
        at = match at {
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            Value::Object(o) => o.get(&part)?,
            _ => return None,
        };
    }
    if let Some(k) = key_of_map {
        return Some(k);
    }
    match at {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Asks the target's control API to make the next walk `operation` starts fail.
async fn fail_next(s: &Session<'_>, operation: &str) -> Result<(), Unmet> {
    s.control("outcomes", &serde_json::json!({"operation": operation, "outcome": "fails"}))
        .await
        .map_err(|e| format!("a resource in an error state needs the target's control API ({e})"))
}

/// The value a source naming `op` itself reads from the operation's first documented
/// request (in JSON; the documents give each format the same values).
fn own_request_value(s: &Session<'_>, op: &Operation, src: &ParamSource) -> Result<String, Unmet> {
    let body = s.documented_request(op, crate::checks::Wire::Json).ok_or_else(|| format!("{} documents no JSON request to take `{}` from", op.id, src.pointer))?;
    let doc: Value = serde_json::from_slice(&body.bytes).map_err(|e| format!("the documented request of {} is not JSON: {e}", op.id))?;
    resolve(&doc, &src.pointer).ok_or_else(|| format!("the documented request of {} has no value at {}", op.id, src.pointer))
}

/// Whether two sources name the same value (one called as what another operation made is
/// not the plain call's).
pub fn same(a: &ParamSource, b: &ParamSource) -> bool {
    a.operation == b.operation && a.pointer == b.pointer && a.credentials_from == b.credentials_from
}

/// Whether the model of one item (`v1.0.SharedIpGroup`) is what a list holds in another
/// form (`v1.0.SharedIpGroupSummary`): the list's item model's fields are all the item's.
fn related(s: &Session<'_>, item: &str, list_items: &[&str]) -> bool {
    let Some(m) = s.schema.model(item) else { return false };
    list_items.iter().filter_map(|id| s.schema.model(id)).any(|li| !li.fields.is_empty() && li.fields.iter().all(|f| m.fields.iter().any(|g| g.name == f.name)))
}
