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

/// The values of path parameters of this run, each built once.
#[derive(Default)]
pub struct Fixture {
    cells: Mutex<HashMap<(String, String), Arc<OnceCell<Result<String, Unmet>>>>>,
    /// Resources the run made, to delete at the end: (delete operation, parameters).
    pub made: Mutex<Vec<(String, Vec<(String, String)>)>>,
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
        let op = s.schema.operation(&source.operation).ok_or_else(|| format!("the source operation {} is not in the schema", source.operation))?;
        let params = Box::pin(self.params(s, op, None)).await?;
        let body = s.documented_request(op, crate::checks::Wire::Json);
        let answer = s.call(why, op, &params, body.as_ref(), crate::checks::Wire::Json, &[]).await;
        let doc = match &answer {
            Answer::Received(r) if (200..300).contains(&r.status) => serde_json::from_slice::<Value>(&r.body).map_err(|e| format!("{} answered a body that is not JSON: {e}", op.id))?,
            Answer::Received(r) => return Err(format!("{} answered {} ({})", op.id, r.status, crate::session::gist(&r.text()))),
            Answer::Unsent(why) | Answer::Failed(why) => return Err(format!("{}: {why}", op.id)),
        };
        let value = resolve(&doc, &source.pointer).ok_or_else(|| format!("{} answered no value at {}", op.id, source.pointer))?;
        if op.method == "POST" {
            if let Some(delete) = s.schema.operations.iter().find(|o| o.method == "DELETE" && o.path_params.last().and_then(|p| p.source.as_ref()).is_some_and(|p| same(p, source))) {
                let mut params = params.clone();
                params.push((delete.path_params.last().map(|p| p.name.clone()).unwrap_or_default(), value.clone()));
                self.made.lock().await.push((delete.id.clone(), params));
            }
            self.settle(s, source, &value).await?;
        }
        Ok(value)
    }

    /// Waits until the resource that `source` yields with `value` is in a stable state of
    /// its machine (polling the operation that reads it, advancing a virtual clock when
    /// the target has one). An error state ends the wait with its status.
    pub async fn settle(&self, s: &Session<'_>, source: &ParamSource, value: &str) -> Result<(), Unmet> {
        let Some((read, machine, field)) = reader(s, source) else { return Ok(()) };
        let params = Box::pin(self.params(s, read, Some((source, value)))).await?;
        let wrap = read.responses.first().and_then(|r| r.wrap.clone());
        let deadline = tokio::time::Instant::now() + s.settings.wait_timeout;
        loop {
            let answer = s.call("fixture", read, &params, None, crate::checks::Wire::Json, &[]).await;
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
                Some(StateKind::Stable) => return Ok(()),
                Some(StateKind::Error | StateKind::Terminal) => return Err(format!("{} {value} went to {}", read.id, status.unwrap_or_default())),
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("{} {value} did not settle within {} s (last status {})", read.id, s.settings.wait_timeout.as_secs(), status.unwrap_or_else(|| "unknown".into())));
            }
            s.pass_time().await;
        }
    }

    /// Deletes what the run made; returns what could not be deleted.
    pub async fn clean_up(&self, s: &Session<'_>) -> Vec<String> {
        let made = std::mem::take(&mut *self.made.lock().await);
        let mut left = Vec::new();
        for (op_id, params) in made.into_iter().rev() {
            let Some(op) = s.schema.operation(&op_id) else { continue };
            match s.call("clean-up", op, &params, None, crate::checks::Wire::Json, &[]).await {
                Answer::Received(r) if r.status < 300 || r.status == 404 => {}
                Answer::Received(r) => left.push(format!("{op_id} {params:?}: {}", r.status)),
                Answer::Unsent(why) | Answer::Failed(why) => left.push(format!("{op_id} {params:?}: {why}")),
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

/// Whether two sources name the same value.
pub fn same(a: &ParamSource, b: &ParamSource) -> bool {
    a.operation == b.operation && a.pointer == b.pointer
}
