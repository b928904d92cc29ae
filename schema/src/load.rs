//! Reading the data files into typed items, one item at a time so one typo hides nothing else.

use crate::diagnostics::{Diagnostics, LoadFailures, Location, ProblemKind, SchemaError};
use crate::inventory::Inventory;
use crate::limits::Limit;
use crate::provenance::DocumentKey;
use crate::Schema;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// The files a document directory may hold, besides `inventory*.json` and `examples/`.
const ITEM_FILES: [&str; 5] =
    ["operations.json", "models.json", "faults.json", "state-machines.json", "limits.json"];

/// Reads every data file: the items that loaded, the problems found reading them, and
/// what failed to load (so the cross-checks do not report it again as missing).
pub(crate) fn read(dir: &Path) -> Result<(Schema, Diagnostics, LoadFailures), SchemaError> {
    let data = dir.join("data");
    fs::read_dir(&data).map_err(|source| SchemaError::Directory { path: data.clone(), source })?;
    let mut r = Reader {
        dir: dir.to_path_buf(),
        diags: Diagnostics::default(),
        schema: Schema::default(),
        failed: LoadFailures::default(),
    };
    r.schema.dir = dir.to_path_buf();

    let ns_file = PathBuf::from("data/namespaces.json");
    match r.json_file(&ns_file) {
        Some(root) => {
            r.schema.namespaces = r.items(&ns_file, &root, "namespaces", "namespace", |n: &crate::Namespace| n.prefix.clone());
        }
        // A missing namespaces.json is fine (every file is optional); an unreadable one is not.
        None if r.dir.join(&ns_file).exists() => {
            r.failed.kinds.insert("namespace".into());
        }
        None => {}
    }
    let apis_file = PathBuf::from("data/apis.json");
    match r.json_file(&apis_file) {
        Some(root) => {
            r.schema.apis = r.items(&apis_file, &root, "apis", "api", |a: &crate::apis::ApiInfo| a.key.to_string());
        }
        None if r.dir.join(&apis_file).exists() => {
            r.failed.kinds.insert("api".into());
        }
        None => {}
    }
    r.unexpected_entries(&data, &["namespaces.json", "apis.json"], &DocumentKey::ALL.map(|d| d.as_str()));

    for doc in DocumentKey::ALL {
        let rel = PathBuf::from("data").join(doc.as_str());
        let abs = dir.join(&rel);
        let entries = match fs::read_dir(&abs) {
            Ok(e) => e,
            Err(_) => continue,
        };
        let mut names: Vec<String> =
            entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        let mut inventory = Inventory::default();
        for name in &names {
            let file = rel.join(name);
            if name.starts_with("inventory") && name.ends_with(".json") {
                if let Some(root) = r.json_file(&file) {
                    match serde_path_to_error::deserialize::<_, Inventory>(root) {
                        Ok(inv) => inventory.merge(inv),
                        Err(e) => r.shape_error(&Location::new(&file, ""), e),
                    }
                }
            } else if name == "examples" {
                r.examples_dir(&file);
            } else if ITEM_FILES.contains(&name.as_str()) {
                r.item_file(&file, name);
            } else {
                r.diags.push(
                    &Location::new(&file, ""),
                    ProblemKind::Shape,
                    format!("unexpected file `{name}`: a document directory holds inventory*.json, {}, and examples/", ITEM_FILES.join(", ")),
                );
            }
        }
        if let Some(d) = inventory.document {
            if d != doc {
                r.diags.push(
                    &Location::new(&rel, "/document"),
                    ProblemKind::Consistency,
                    format!("inventory names document `{d}` but lives in the directory of `{doc}`"),
                );
            }
        }
        r.schema.inventories.insert(doc, inventory);
    }
    Ok((r.schema, r.diags, r.failed))
}

struct Reader {
    dir: PathBuf,
    diags: Diagnostics,
    schema: Schema,
    failed: LoadFailures,
}

impl Reader {
    fn unexpected_entries(&mut self, abs: &Path, files: &[&str], dirs: &[&str]) {
        let Ok(entries) = fs::read_dir(abs) else { return };
        for e in entries.filter_map(|e| e.ok()) {
            let name = e.file_name().to_string_lossy().into_owned();
            if !files.contains(&name.as_str()) && !dirs.contains(&name.as_str()) {
                self.diags.push(
                    &Location::new(PathBuf::from("data").join(&name), ""),
                    ProblemKind::Shape,
                    format!("unexpected entry `{name}` in data/: expected namespaces.json, apis.json and one directory per document ({})", dirs.join(", ")),
                );
            }
        }
    }

    fn json_file(&mut self, rel: &Path) -> Option<Value> {
        let at = Location::new(rel, "");
        let text = match fs::read_to_string(self.dir.join(rel)) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(&at, ProblemKind::Io, format!("cannot read: {e}"));
                return None;
            }
        };
        match serde_json::from_str::<Value>(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                let mut at = at;
                at.line = Some(e.line());
                self.diags.push(&at, ProblemKind::Syntax, format!("not valid JSON: {e}"));
                None
            }
        }
    }

    fn shape_error(&mut self, at: &Location, e: serde_path_to_error::Error<serde_json::Error>) {
        let mut loc = at.clone();
        for seg in e.path().iter() {
            use serde_path_to_error::Segment;
            loc = match seg {
                Segment::Seq { index } => loc.child(index),
                Segment::Map { key } => loc.child(key),
                Segment::Enum { variant } => loc.child(variant),
                Segment::Unknown => loc,
            };
        }
        self.diags.push(&loc, ProblemKind::Shape, e.into_inner().to_string());
    }

    /// Reads the array under `key` of a file's root object, item by item.
    fn items<T: DeserializeOwned>(
        &mut self,
        file: &Path,
        root: &Value,
        key: &str,
        kind: &str,
        id_of: impl Fn(&T) -> String,
    ) -> Vec<T> {
        let top = Location::new(file, "");
        let Some(obj) = root.as_object() else {
            self.diags.push(&top, ProblemKind::Shape, format!("expected an object with one key `{key}`"));
            self.failed.kinds.insert(kind.into());
            return Vec::new();
        };
        for k in obj.keys().filter(|k| k.as_str() != key) {
            self.diags.push(&top.child(k), ProblemKind::Shape, format!("unexpected key `{k}`: this file holds only `{key}`"));
        }
        let Some(arr) = obj.get(key).and_then(Value::as_array) else {
            self.diags.push(&top.child(key), ProblemKind::Shape, format!("expected an array `{key}`"));
            self.failed.kinds.insert(kind.into());
            return Vec::new();
        };
        let id_key = match kind {
            "namespace" => "prefix",
            "api" => "key",
            _ => "id",
        };
        let mut out = Vec::new();
        for (i, item) in arr.iter().enumerate() {
            let at = top.child(key).child(i);
            match serde_path_to_error::deserialize::<_, T>(item.clone()) {
                Ok(v) => {
                    let id = id_of(&v);
                    let origin_key = format!("{kind}:{id}");
                    if let Some(first) = self.schema.origins.get(&origin_key) {
                        let msg = format!("duplicate {kind} id `{id}`: first defined at {first}");
                        self.diags.push(&at.child(id_key), ProblemKind::Duplicate, msg);
                    } else {
                        self.schema.origins.insert(origin_key, at);
                    }
                    out.push(v);
                }
                Err(e) => {
                    self.shape_error(&at, e);
                    match item.get(id_key).and_then(Value::as_str) {
                        Some(id) => self.failed.items.insert(format!("{kind}:{id}")),
                        None => self.failed.kinds.insert(kind.into()),
                    };
                }
            }
        }
        out
    }

    fn item_file(&mut self, file: &Path, name: &str) {
        let Some(root) = self.json_file(file) else {
            let kind = match name {
                "operations.json" => "operation",
                "models.json" => "model",
                "faults.json" => "fault",
                "state-machines.json" => "state machine",
                _ => "limit",
            };
            self.failed.kinds.insert(kind.into());
            return;
        };
        match name {
            "operations.json" => {
                let v = self.items(file, &root, "operations", "operation", |o: &crate::Operation| o.id.clone());
                self.schema.operations.extend(v);
            }
            "models.json" => {
                let v = self.items(file, &root, "models", "model", |m: &crate::Model| m.id.clone());
                self.schema.models.extend(v);
            }
            "faults.json" => {
                let v = self.items(file, &root, "faults", "fault", |f: &crate::Fault| f.id.clone());
                self.schema.faults.extend(v);
            }
            "state-machines.json" => {
                let v = self.items(file, &root, "state_machines", "state machine", |m: &crate::StateMachine| m.id.clone());
                self.schema.state_machines.extend(v);
            }
            "limits.json" => {
                self.limit_keys(file, &root);
                let v = self.items(file, &root, "limits", "limit", |l: &Limit| l.id.clone());
                self.schema.limits.extend(v);
            }
            _ => {}
        }
    }

    /// Limits are flattened objects, so serde cannot reject unknown keys itself.
    fn limit_keys(&mut self, file: &Path, root: &Value) {
        let Some(arr) = root.get("limits").and_then(Value::as_array) else { return };
        for (i, item) in arr.iter().enumerate() {
            let Some(obj) = item.as_object() else { continue };
            let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
            for k in obj.keys() {
                if Limit::key_allowed(kind, k) == Some(false) {
                    let at = Location::new(file, "").child("limits").child(i).child(k);
                    self.diags.push(&at, ProblemKind::Shape, format!("unexpected key `{k}` in a limit of kind `{kind}`"));
                }
            }
        }
    }

    fn examples_dir(&mut self, rel: &Path) {
        let Ok(entries) = fs::read_dir(self.dir.join(rel)) else { return };
        let mut names: Vec<String> =
            entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        for name in names {
            let file = rel.join(&name);
            if !name.ends_with(".json") {
                self.diags.push(&Location::new(&file, ""), ProblemKind::Shape, "examples/ holds only .json files");
                continue;
            }
            match self.json_file(&file) {
                Some(root) => {
                    let v = self.items(&file, &root, "examples", "example", |e: &crate::Example| e.id.clone());
                    self.schema.examples.extend(v);
                }
                None => {
                    self.failed.kinds.insert("example".into());
                }
            }
        }
    }
}
