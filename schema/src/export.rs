//! The whole schema as one JSON document, the stable interface other tools build on.

use crate::provenance::DocumentKey;
use crate::Schema;
use serde_json::{json, Map, Value};

/// The version of the export's shape; bumped when a key changes meaning or disappears.
pub const EXPORT_VERSION: u32 = 2;

/// Builds the export document.
///
/// Top-level arrays `operations`, `faults`, `state_machines`, `limits`, `examples` (and
/// `models`, `namespaces`, `documents`); every element has a string `id` and a `source`
/// `{"document", "ref"}`. Operations also list the ids of the transitions they cause
/// (`transitions`) and the ids of the rate limits that count their requests
/// (`rate_limits`, derived by [`Schema::rate_limits_of`] from each rate limit's verb and
/// pattern: the rule every tool must share).
pub fn export(schema: &Schema) -> Value {
    let operations: Vec<Value> = schema
        .operations
        .iter()
        .map(|o| {
            let mut v = to_object(o);
            let caused: Vec<Value> = schema
                .state_machines
                .iter()
                .flat_map(|m| m.transitions.iter().map(move |t| (m, t)))
                .filter(|(_, t)| t.operation.as_deref() == Some(o.id.as_str()))
                .map(|(m, t)| json!({"state_machine": m.id, "id": t.id, "from": t.from, "to": t.to, "on_error": t.on_error}))
                .collect();
            v.insert("transitions".into(), Value::Array(caused));
            let rates: Vec<Value> = schema.rate_limits_of(o).iter().map(|l| Value::String(l.id.clone())).collect();
            v.insert("rate_limits".into(), Value::Array(rates));
            Value::Object(v)
        })
        .collect();
    let documents: Vec<Value> = DocumentKey::ALL
        .into_iter()
        .map(|d| {
            let inv = schema.inventories.get(&d).cloned().unwrap_or_default();
            json!({"id": d.as_str(), "file": inv.file, "title": inv.title, "inventory": {
                "operations": inv.operations, "faults": inv.faults, "transitions": inv.transitions,
                "limits": inv.limits, "examples": inv.examples}})
        })
        .collect();
    let namespaces: Vec<Value> = schema
        .namespaces
        .iter()
        .map(|n| {
            let mut v = to_object(n);
            v.insert("id".into(), Value::String(n.prefix.clone()));
            Value::Object(v)
        })
        .collect();
    json!({
        "export_version": EXPORT_VERSION,
        "documents": documents,
        "apis": schema.apis.iter().map(|a| Value::Object(to_object(a))).collect::<Vec<_>>(),
        "namespaces": namespaces,
        "operations": operations,
        "models": schema.models.iter().map(|m| Value::Object(to_object(m))).collect::<Vec<_>>(),
        "faults": schema.faults.iter().map(|f| Value::Object(to_object(f))).collect::<Vec<_>>(),
        "state_machines": schema.state_machines.iter().map(|m| Value::Object(to_object(m))).collect::<Vec<_>>(),
        "limits": schema.limits.iter().map(|l| Value::Object(to_object(l))).collect::<Vec<_>>(),
        "examples": schema.examples.iter().map(|e| Value::Object(to_object(e))).collect::<Vec<_>>(),
    })
}

fn to_object<T: serde::Serialize>(item: &T) -> Map<String, Value> {
    match serde_json::to_value(item) {
        Ok(Value::Object(m)) => m,
        // Every exported item type serializes to an object; anything else would be a bug
        // in this crate's types, reported as data rather than a panic.
        Ok(other) => Map::from_iter([("value".to_string(), other)]),
        Err(e) => Map::from_iter([("error".to_string(), Value::String(e.to_string()))]),
    }
}
