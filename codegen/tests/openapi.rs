//! The OpenAPI 3.1 export: every API's document builds, holds every documented example
//! exactly once under the right media type and status, is deterministic, and is
//! structurally sound (references resolve, operation ids are unique, path parameters are
//! declared, every example validates against its media type's schema). When python3 has
//! `openapi_spec_validator`, the documents are also validated by it.

use codegen::openapi::{document, to_json, to_yaml};
use schema::examples::{Direction, ExampleFormat};
use schema::xml::Element;
use schema::{Api, Schema};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

const V2: Api = Api::new("v2");
const V1_0: Api = Api::new("v1.0");
const RACKCONNECT: Api = Api::new("rackconnect");
const IDENTITY: Api = Api::new("identity");

fn shipped() -> Schema {
    Schema::load_default().unwrap_or_else(|e| panic!("{e}"))
}

fn docs(schema: &Schema) -> Vec<(Api, Value)> {
    schema.api_keys().into_iter().map(|a| (a, document(schema, a).unwrap_or_else(|e| panic!("{a}: {e}")))).collect()
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Every (path, method, operation) of a document.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if METHODS.contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// Where an example was found: request, response status, or `x-examples`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Request(String),
    Response(u16, String),
    Other,
}

/// Every example of a document: (id, operation id, place, example object).
fn examples(doc: &Value) -> Vec<(String, String, Place, &Value)> {
    let mut out = Vec::new();
    for (_, _, op) in operations(doc) {
        let op_id = op["operationId"].as_str().unwrap_or_default().to_string();
        for (media, mt) in op["requestBody"]["content"].as_object().into_iter().flatten() {
            for (id, ex) in mt["examples"].as_object().into_iter().flatten() {
                out.push((id.clone(), op_id.clone(), Place::Request(media.clone()), ex));
            }
        }
        for (status, r) in op["responses"].as_object().into_iter().flatten() {
            let code: u16 = status.parse().unwrap_or_else(|_| panic!("{op_id}: status `{status}` is not a code"));
            for (media, mt) in r["content"].as_object().into_iter().flatten() {
                for (id, ex) in mt["examples"].as_object().into_iter().flatten() {
                    out.push((id.clone(), op_id.clone(), Place::Response(code, media.clone()), ex));
                }
            }
        }
        for (id, ex) in op["x-examples"].as_object().into_iter().flatten() {
            out.push((id.clone(), op_id.clone(), Place::Other, ex));
        }
    }
    out
}

/// The operation ids of the schema that an OpenAPI operation stands for.
fn schema_ops(op: &Value) -> Vec<String> {
    match op["x-operations"].as_array() {
        Some(list) => list.iter().filter_map(|o| o["operationId"].as_str().map(String::from)).collect(),
        None => vec![op["operationId"].as_str().unwrap_or_default().to_string()],
    }
}

fn pointer<'a>(doc: &'a Value, r: &str) -> Option<&'a Value> {
    let p = r.strip_prefix('#')?;
    doc.pointer(p)
}

fn walk<'a>(v: &'a Value, at: String, f: &mut dyn FnMut(&'a Value, &str)) {
    f(v, &at);
    match v {
        Value::Object(o) => {
            for (k, c) in o {
                walk(c, format!("{at}/{k}"), f);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                walk(c, format!("{at}/{i}"), f);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------- a JSON Schema check

/// Checks instances against the JSON Schema subset the export emits. Any keyword it does
/// not know is reported, so the export cannot emit an assertion this check ignores.
struct Checker<'a> {
    root: &'a Value,
}

const ANNOTATIONS: [&str; 6] = ["description", "title", "xml", "examples", "$comment", "default"];

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// A short rendering of a value for messages: scalars as they are, containers by kind.
fn kind(v: &Value) -> String {
    match v {
        Value::Object(_) => "an object".into(),
        Value::Array(_) => "an array".into(),
        other => other.to_string(),
    }
}

fn rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't') || !digits(11..13) || b[13] != b':' || !digits(14..16) || b[16] != b':' || !digits(17..19) {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => i + 6 == b.len() && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6),
        _ => false,
    }
}

fn uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

impl<'a> Checker<'a> {
    fn check(&self, v: &Value, s: &'a Value, at: &str, errs: &mut Vec<String>) {
        let obj = match s {
            Value::Bool(true) => return,
            Value::Bool(false) => return errs.push(format!("{at}: schema false")),
            Value::Object(o) => o,
            _ => return errs.push(format!("{at}: a schema is an object or a boolean")),
        };
        for (k, kw) in obj {
            match k.as_str() {
                "$ref" => match kw.as_str().and_then(|r| pointer(self.root, r)) {
                    Some(t) => self.check(v, t, at, errs),
                    None => errs.push(format!("{at}: unresolved $ref {kw}")),
                },
                "type" => {
                    let ok = match kw {
                        Value::String(t) => is_type(v, t),
                        Value::Array(ts) => ts.iter().any(|t| t.as_str().is_some_and(|t| is_type(v, t))),
                        _ => false,
                    };
                    if !ok {
                        errs.push(format!("{at}: {} is not of type {kw}", kind(v)));
                    }
                }
                "enum" => {
                    if !kw.as_array().is_some_and(|a| a.contains(v)) {
                        errs.push(format!("{at}: {} is not one of {kw}", kind(v)));
                    }
                }
                "const" => {
                    if kw != v {
                        errs.push(format!("{at}: {} is not {kw}", kind(v)));
                    }
                }
                "properties" => {
                    if let (Some(props), Some(o)) = (kw.as_object(), v.as_object()) {
                        for (name, ps) in props {
                            if let Some(pv) = o.get(name) {
                                self.check(pv, ps, &format!("{at}/{name}"), errs);
                            }
                        }
                    }
                }
                "required" => {
                    if let Some(o) = v.as_object() {
                        for r in kw.as_array().into_iter().flatten().filter_map(Value::as_str) {
                            if !o.contains_key(r) {
                                errs.push(format!("{at}: missing required `{r}`"));
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    if let Some(o) = v.as_object() {
                        let props = obj.get("properties").and_then(Value::as_object);
                        for (name, pv) in o {
                            if !props.is_some_and(|p| p.contains_key(name)) {
                                self.check(pv, kw, &format!("{at}/{name}"), errs);
                            }
                        }
                    }
                }
                "items" => {
                    for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                        self.check(item, kw, &format!("{at}/{i}"), errs);
                    }
                }
                "anyOf" | "oneOf" | "allOf" => {
                    let branches = kw.as_array().map(Vec::as_slice).unwrap_or_default();
                    let results: Vec<Vec<String>> = branches
                        .iter()
                        .map(|b| {
                            let mut e = Vec::new();
                            self.check(v, b, at, &mut e);
                            e
                        })
                        .collect();
                    let passing = results.iter().filter(|e| e.is_empty()).count();
                    let ok = match k.as_str() {
                        "anyOf" => passing >= 1,
                        "oneOf" => passing == 1,
                        _ => passing == branches.len(),
                    };
                    if !ok {
                        errs.push(format!("{at}: {k} matched {passing} of {} branches: {results:?}", branches.len()));
                    }
                }
                "format" => {
                    let f = kw.as_str().unwrap_or_default();
                    let ok = match (f, v) {
                        ("uuid", Value::String(s)) => uuid(s),
                        ("ipv4", Value::String(s)) => s.parse::<std::net::Ipv4Addr>().is_ok(),
                        ("ipv6", Value::String(s)) => s.parse::<std::net::Ipv6Addr>().is_ok(),
                        ("date-time", Value::String(s)) => rfc3339(s),
                        ("int64", Value::Number(n)) => n.is_i64(),
                        // Annotations only: any string is a password or a URI reference here.
                        ("password" | "uri-reference", _) => true,
                        ("uuid" | "ipv4" | "ipv6" | "date-time" | "int64", _) => true,
                        _ => {
                            errs.push(format!("{at}: the check does not know format `{f}`"));
                            true
                        }
                    };
                    if !ok {
                        errs.push(format!("{at}: {} is not a {f}", kind(v)));
                    }
                }
                "contentEncoding" => {
                    if let Some(s) = v.as_str() {
                        let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
                        let ok = clean.len() % 4 == 0
                            && clean.trim_end_matches('=').chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/');
                        if !ok {
                            errs.push(format!("{at}: not {kw}"));
                        }
                    }
                }
                k if ANNOTATIONS.contains(&k) || k.starts_with("x-") => {}
                other => errs.push(format!("{at}: the check does not know keyword `{other}`")),
            }
        }
    }

    /// Follows `$ref`s and nullable wrappers (`anyOf [X, {type: null}]`) to the schema that describes the value.
    fn deref(&self, mut s: &'a Value) -> &'a Value {
        for _ in 0..32 {
            if let Some(t) = s["$ref"].as_str().and_then(|r| pointer(self.root, r)) {
                s = t;
                continue;
            }
            if let Some(alts) = s["anyOf"].as_array() {
                let non_null: Vec<&Value> = alts.iter().filter(|a| a["type"] != "null").collect();
                if non_null.len() == 1 && alts.len() == 2 && non_null[0].get("$ref").is_some() {
                    s = non_null[0];
                    continue;
                }
            }
            break;
        }
        s
    }

    /// The `xml` object of a schema, looking through `$ref`s; names given nearer win.
    fn xml_of(&self, s: &'a Value) -> (Option<&'a str>, Option<&'a str>) {
        let mut name = None;
        let mut ns = None;
        let mut cur = s;
        for _ in 0..32 {
            name = name.or(cur["xml"]["name"].as_str());
            ns = ns.or(cur["xml"]["namespace"].as_str());
            match cur["$ref"].as_str().and_then(|r| pointer(self.root, r)) {
                Some(t) => cur = t,
                None => break,
            }
        }
        (name, ns)
    }

    /// Checks that an XML element is described by a schema's XML mapping: the element's
    /// attributes and children are properties with matching `xml` names and namespaces.
    fn xml(&self, el: &Element, s: &'a Value, at: &str, errs: &mut Vec<String>) {
        let s = self.deref(s);
        let at = format!("{at}/{}", el.name.local);
        if let Some(props) = s["properties"].as_object() {
            for (name, _) in &el.attributes {
                if name.ns.as_deref() == Some("http://www.w3.org/2001/XMLSchema-instance") {
                    continue;
                }
                let found = props.values().any(|p| {
                    p["xml"]["attribute"] == true
                        && p["xml"]["name"].as_str() == Some(name.local.as_str())
                        && p["xml"]["namespace"].as_str() == name.ns.as_deref()
                });
                if !found {
                    errs.push(format!("{at}: attribute {name} is no property's xml attribute"));
                }
            }
            for child in &el.children {
                let mut matched = false;
                for (pname, p) in props {
                    if p["xml"]["attribute"] == true || p["x-json-only"] == true {
                        continue;
                    }
                    let wrapped = p["xml"]["wrapped"] == true;
                    let item = &p["items"];
                    let (pn, pns) = if item.is_object() && !wrapped { self.xml_of(item) } else { self.xml_of(p) };
                    let pn = pn.unwrap_or(pname.as_str());
                    if pn != child.name.local || pns != child.name.ns.as_deref() {
                        continue;
                    }
                    matched = true;
                    if wrapped && item.is_object() {
                        let (iname, ins) = self.xml_of(item);
                        for gc in &child.children {
                            if iname.is_some_and(|n| n != gc.name.local) || ins.is_some_and(|n| Some(n) != gc.name.ns.as_deref()) {
                                errs.push(format!("{at}/{}: item {} is not the items' element {iname:?} {ins:?}", child.name.local, gc.name));
                            }
                            self.xml(gc, item, &format!("{at}/{}", child.name.local), errs);
                        }
                    } else if item.is_object() {
                        self.xml(child, item, &at, errs);
                    } else {
                        self.xml(child, p, &at, errs);
                    }
                    break;
                }
                if !matched {
                    errs.push(format!("{at}: child {} is no property's xml element", child.name));
                }
            }
            if !el.text.trim().is_empty() && !props.values().any(|p| p["xml"]["x-text"] == true) {
                errs.push(format!("{at}: text but no property maps the element text"));
            }
        } else if let Some(entry) = s["xml"]["x-entry"].as_str() {
            let key = s["xml"]["x-key"].as_str().unwrap_or("key");
            for child in &el.children {
                if child.name.local != entry {
                    errs.push(format!("{at}: child {} is not a map entry <{entry}>", child.name));
                }
                if !child.attributes.iter().any(|(n, _)| n.local == key) {
                    errs.push(format!("{at}/{entry}: no key attribute `{key}`"));
                }
                if s["xml"].get("x-value-attribute").is_none() {
                    let values = &s["additionalProperties"];
                    let vs = if values["items"].is_object() { &values["items"] } else { values };
                    for gc in &child.children {
                        self.xml(gc, vs, &format!("{at}/{entry}"), errs);
                    }
                }
            }
        } else if s["type"] == "array" {
            let (iname, _) = self.xml_of(&s["items"]);
            for child in &el.children {
                if iname.is_some_and(|n| n != child.name.local) {
                    errs.push(format!("{at}: child {} is not the items' element {iname:?}", child.name));
                }
                self.xml(child, &s["items"], &at, errs);
            }
        }
    }
}

/// The alternatives a media type schema offers (its `oneOf`/`anyOf` branches, or itself).
fn alternatives(s: &Value) -> Vec<&Value> {
    match s["oneOf"].as_array().or(s["anyOf"].as_array()) {
        Some(a) if s.get("$ref").is_none() => a.iter().collect(),
        _ => vec![s],
    }
}

// ---------------------------------------------------------------------- structure

/// Structural checks any exported document must pass; returns the problems found.
fn structure(doc: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    if doc["openapi"] != "3.1.0" {
        errs.push("openapi is not 3.1.0".into());
    }
    for k in ["title", "version"] {
        if !doc["info"][k].is_string() {
            errs.push(format!("info.{k} missing"));
        }
    }
    // Every $ref resolves.
    walk(doc, String::new(), &mut |v, at| {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            if pointer(doc, r).is_none() {
                errs.push(format!("{at}: $ref {r} does not resolve"));
            }
        }
    });
    // Component names.
    for name in doc["components"]["schemas"].as_object().into_iter().flatten().map(|(k, _)| k) {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            errs.push(format!("component name `{name}` is not ^[a-zA-Z0-9.-_]+$"));
        }
    }
    // Operation ids unique, path parameters declared, responses described.
    let mut ids = BTreeSet::new();
    let mut shapes = BTreeMap::new();
    for (path, method, op) in operations(doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
            errs.push(format!("{method} {path}: operationId `{id}` is empty or not URL-safe"));
        }
        if !ids.insert(id.to_string()) {
            errs.push(format!("operationId `{id}` twice"));
        }
        let template: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
            .collect();
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                if p["required"] != true {
                    errs.push(format!("{id}: path parameter {} is not required", p["name"]));
                }
                p["name"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        if template != declared {
            errs.push(format!("{id}: path {path} has parameters {template:?} but declares {declared:?}"));
        }
        let mut seen = BTreeSet::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            if !seen.insert((p["in"].to_string(), p["name"].to_string())) {
                errs.push(format!("{id}: parameter {} {} twice", p["in"], p["name"]));
            }
            if !p["schema"].is_object() {
                errs.push(format!("{id}: parameter {} has no schema", p["name"]));
            }
        }
        let responses = op["responses"].as_object();
        if responses.is_none_or(|r| r.is_empty()) {
            errs.push(format!("{id}: no responses"));
        }
        for (status, r) in responses.into_iter().flatten() {
            if r["description"].as_str().is_none_or(str::is_empty) {
                errs.push(format!("{id} {status}: no description"));
            }
        }
        for s in op["security"].as_array().into_iter().flatten() {
            for (scheme, _) in s.as_object().into_iter().flatten() {
                if doc["components"]["securitySchemes"][scheme].is_null() {
                    errs.push(format!("{id}: security scheme {scheme} is not declared"));
                }
            }
        }
        // Paths that differ only in parameter names are the same path to OpenAPI.
        let shape: String = path.split('/').map(|seg| if seg.starts_with('{') { "{}" } else { seg }).collect::<Vec<_>>().join("/");
        if let Some(other) = shapes.insert((shape, method.clone()), path.clone()) {
            if other != path {
                errs.push(format!("{method} {path} and {other} are the same templated path"));
            }
        }
    }
    errs.extend(example_problems(doc));
    errs
}

/// Every example's value validates against its media type's schema: JSON by the check
/// above, XML by parsing and matching its elements and attributes to the `xml` mapping,
/// text as a string value.
fn example_problems(doc: &Value) -> Vec<String> {
    let c = Checker { root: doc };
    let mut errs = Vec::new();
    for (_, _, op) in operations(doc) {
        let mut contents: Vec<(&String, &Value)> = Vec::new();
        contents.extend(op["requestBody"]["content"].as_object().into_iter().flatten());
        for (_, r) in op["responses"].as_object().into_iter().flatten() {
            contents.extend(r["content"].as_object().into_iter().flatten());
        }
        for (media, mt) in contents {
            let schema = &mt["schema"];
            for (id, ex) in mt["examples"].as_object().into_iter().flatten() {
                let value = &ex["value"];
                if !ex["summary"].is_string() || ex.get("externalValue").is_some() {
                    errs.push(format!("{id}: an example has a summary and no externalValue"));
                }
                match media.as_str() {
                    "application/json" => c.check(value, schema, id, &mut errs),
                    "text/plain" => match value.as_str() {
                        Some(t) => c.check(&json!(t.trim()), schema, id, &mut errs),
                        None => errs.push(format!("{id}: a text/plain example is a string")),
                    },
                    // The XML description shows the documented form; an example in
                    // another form readers accept is marked, and not held to it.
                    "application/xml" if ex["x-accepted-form"] == true => {}
                    "application/xml" => {
                        let Some(text) = value.as_str() else {
                            errs.push(format!("{id}: an XML example is a string"));
                            continue;
                        };
                        let el = match schema::xml::parse(text) {
                            Ok(el) => el,
                            Err(e) => {
                                errs.push(format!("{id}: not well-formed XML: {e}"));
                                continue;
                            }
                        };
                        // One alternative must name the root element and describe its content.
                        let results: Vec<Vec<String>> = alternatives(c.deref(schema))
                            .into_iter()
                            .map(|alt| {
                                let mut e = Vec::new();
                                let (name, ns) = c.xml_of(alt);
                                if name.is_some_and(|n| n != el.name.local) || ns != el.name.ns.as_deref() {
                                    e.push(format!("root {} is not {name:?} in {ns:?}", el.name));
                                }
                                c.xml(&el, alt, "", &mut e);
                                e
                            })
                            .collect();
                        if !results.iter().any(Vec::is_empty) {
                            errs.push(format!("{id}: no alternative describes the XML: {results:?}"));
                        }
                    }
                    other => errs.push(format!("{id}: unexpected media type {other}")),
                }
            }
        }
    }
    errs
}

// ---------------------------------------------------------------------- tests

#[test]
fn every_api_builds_and_is_structurally_sound() {
    let schema = shipped();
    for (api, doc) in docs(&schema) {
        let errs = structure(&doc);
        assert!(errs.is_empty(), "{api}: {} problems:\n{}", errs.len(), errs.join("\n"));
        let ops = operations(&doc).len();
        let models = doc["components"]["schemas"].as_object().map_or(0, |m| m.len());
        println!("{api}: {ops} OpenAPI operations, {models} component schemas, {} bytes of JSON", to_json(&doc).len());
    }
}

#[test]
fn every_schema_operation_is_in_its_document_once() {
    let schema = shipped();
    for (api, doc) in docs(&schema) {
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for (path, method, op) in operations(&doc) {
            for id in schema_ops(op) {
                let o = schema.operation(&id).unwrap_or_else(|| panic!("{api}: {id} is no schema operation"));
                assert_eq!((o.path.as_str(), o.method.to_ascii_lowercase()), (path.as_str(), method.clone()), "{id}");
                *found.entry(id).or_default() += 1;
            }
        }
        for o in schema.operations.iter().filter(|o| o.api == api) {
            assert_eq!(found.get(&o.id), Some(&1), "{api}: {} appears {:?} times", o.id, found.get(&o.id));
        }
        assert_eq!(found.len(), schema.operations.iter().filter(|o| o.api == api).count());
    }
}

#[test]
fn actions_are_merged_into_one_operation_per_method_and_path() {
    let schema = shipped();
    let doc = document(&schema, V2).unwrap();
    let op = &doc["paths"]["/servers/{server_id}/action"]["post"];
    let merged = schema_ops(op);
    let expected: Vec<String> = schema
        .operations
        .iter()
        .filter(|o| o.api == V2 && o.path == "/servers/{server_id}/action" && o.method == "POST")
        .map(|o| o.id.clone())
        .collect();
    assert!(expected.len() > 1);
    assert_eq!(merged, expected);
    let bodies = op["requestBody"]["content"]["application/json"]["schema"]["oneOf"].as_array().unwrap();
    assert_eq!(bodies.len(), expected.len(), "one request body per action");
    for list in op["x-operations"].as_array().unwrap() {
        assert!(list["action"].is_string(), "{list}");
    }
    // A reboot body validates against the merged request body and matches exactly one action.
    let c = Checker { root: &doc };
    let mut errs = Vec::new();
    c.check(&json!({"reboot": {"type": "HARD"}}), &op["requestBody"]["content"]["application/json"]["schema"], "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    c.check(&json!({"confirmResize": null}), &op["requestBody"]["content"]["application/json"]["schema"], "", &mut errs);
    assert!(errs.is_empty(), "an action without arguments is sent as null: {errs:?}");
    c.check(&json!({"noSuchAction": {}}), &op["requestBody"]["content"]["application/json"]["schema"], "", &mut errs);
    assert!(!errs.is_empty(), "an unknown action matches no body");
}

#[test]
fn every_schema_example_appears_exactly_once_in_the_right_place() {
    let schema = shipped();
    let mut total = 0;
    for (api, doc) in docs(&schema) {
        let found = examples(&doc);
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (id, _, _, _) in &found {
            *count.entry(id.as_str()).or_default() += 1;
        }
        let mine: Vec<&schema::Example> =
            schema.examples.iter().filter(|e| schema.operation(&e.operation).is_some_and(|o| o.api == api)).collect();
        for e in &mine {
            assert_eq!(count.get(e.id.as_str()), Some(&1), "{api}: example {} appears {:?} times", e.id, count.get(e.id.as_str()));
            let (_, op_id, place, ex) = found.iter().find(|(id, _, _, _)| *id == e.id).unwrap();
            let o = schema.operation(&e.operation).unwrap();
            assert!(*op_id == o.id || ex["description"].as_str().is_some_and(|d| d.contains(&o.id)), "{}: under {op_id}", e.id);
            let media = match e.format {
                ExampleFormat::Json => Some("application/json"),
                ExampleFormat::Xml => Some("application/xml"),
                ExampleFormat::Text => Some("text/plain"),
                ExampleFormat::Shell | ExampleFormat::Http => None,
            };
            let expected = match (media, e.direction) {
                (Some(m), Direction::Request) => Place::Request(m.into()),
                (Some(m), Direction::Response) => Place::Response(e.status.unwrap(), m.into()),
                _ => Place::Other,
            };
            assert_eq!(*place, expected, "{}", e.id);
            assert_eq!(ex["summary"].as_str(), Some(e.title.as_deref().unwrap_or(&e.id)), "{}", e.id);
            match (e.format, &e.body) {
                (ExampleFormat::Http, _) => assert!(ex["value"].is_object(), "{}: the HTTP frame", e.id),
                (_, Some(b)) => assert_eq!(&ex["value"], b, "{}", e.id),
                (_, None) => {}
            }
        }
        assert_eq!(found.len(), mine.len(), "{api}: the document holds examples the schema does not");
        println!("{api}: {} examples", mine.len());
        total += mine.len();
    }
    assert_eq!(total, schema.examples.len(), "every example belongs to one API");
    println!("all APIs: {total} examples, each exactly once");
}

#[test]
fn fault_examples_sit_under_their_fault_status() {
    let schema = shipped();
    let doc = document(&schema, V2).unwrap();
    let found = examples(&doc);
    let (_, _, place, _) = found.iter().find(|(id, _, _, _)| id == "v2.example.1.49").unwrap();
    assert_eq!(*place, Place::Response(404, "application/json".into()));
    let r = &doc["paths"]["/servers/{server_id}"]["get"]["responses"]["404"];
    assert!(r["x-faults"].as_array().unwrap().contains(&json!("v2.itemNotFound")));
    assert_eq!(r["content"]["application/xml"]["schema"]["$ref"], "#/components/schemas/v2.Fault-as-itemNotFound");
}

#[test]
fn every_listed_fault_code_is_a_response_of_its_operation() {
    let schema = shipped();
    for (api, doc) in docs(&schema) {
        for (_, _, op) in operations(&doc) {
            for id in schema_ops(op) {
                let o = schema.operation(&id).unwrap();
                for r in &o.faults {
                    let f = schema.fault(&r.fault).unwrap();
                    let codes = if r.codes.is_empty() { &f.codes } else { &r.codes };
                    for code in codes {
                        let resp = &op["responses"][code.to_string()];
                        assert!(
                            resp["x-faults"].as_array().is_some_and(|fs| fs.contains(&json!(f.id))),
                            "{api}: {id} lists {} with {code}, missing from the responses",
                            f.id
                        );
                        if f.model.is_some() {
                            assert!(resp["content"]["application/json"]["schema"].is_object() || resp["content"]["application/xml"]["schema"].is_object(), "{id} {code}");
                        }
                    }
                }
                for r in &o.responses {
                    assert!(op["responses"][r.status.to_string()].is_object(), "{id}: {}", r.status);
                }
            }
        }
    }
}

#[test]
fn models_are_json_schemas_with_their_xml_mapping() {
    let schema = shipped();
    let doc = document(&schema, V2).unwrap();
    let c = Checker { root: &doc };
    let schemas = &doc["components"]["schemas"];
    for m in schema.models.iter().filter(|m| m.api() == Some(V2)) {
        assert!(schemas[&m.id].is_object(), "model {} has no component", m.id);
    }
    let v2_ns = &schema.namespace("v2").unwrap().uri;
    let server = &schemas["v2.Server"];
    assert_eq!(server["type"], "object");
    assert_eq!(server["additionalProperties"], true);
    assert_eq!(server["xml"]["name"], "server");
    assert_eq!(&server["xml"]["namespace"], v2_ns);
    assert!(server["required"].as_array().unwrap().contains(&json!("id")));
    let disk = &server["properties"]["OS-DCF:diskConfig"];
    assert_eq!(disk["xml"]["attribute"], true);
    assert_eq!(disk["xml"]["prefix"], "OS-DCF");
    assert_eq!(&disk["xml"]["namespace"], &schema.namespace("OS-DCF").unwrap().uri);
    let links = &server["properties"]["links"];
    assert_eq!(links["items"]["xml"]["name"], "link");
    assert_eq!(&links["items"]["xml"]["namespace"], &schema.namespace("atom").unwrap().uri);
    assert_eq!(server["properties"]["config_drive"]["x-json-only"], true);
    // Nullable fields accept null; others do not.
    let mut errs = Vec::new();
    c.check(&json!({"id": "ef08aa7a-b5e4-4bb8-86df-5ac56230f841", "OS-EXT-STS:task_state": null}), server, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    c.check(&json!({"id": "ef08aa7a-b5e4-4bb8-86df-5ac56230f841", "progress": null}), server, "", &mut errs);
    assert!(!errs.is_empty(), "progress is not nullable");
    // Unknown fields and unknown enum values are accepted; wrong types are not.
    let mut errs = Vec::new();
    c.check(&json!({"id": "ef08aa7a-b5e4-4bb8-86df-5ac56230f841", "status": "SOME_NEW_STATUS", "newField": 1}), server, "", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    c.check(&json!({"id": 5}), server, "", &mut errs);
    assert!(!errs.is_empty(), "an integer id is not a uuid string");
    let status = &schemas["v2.ServerStatus"];
    assert!(status["anyOf"][0]["enum"].as_array().unwrap().contains(&json!("ACTIVE")));
    // Maps: metadata is an object of strings with its XML entries described.
    let meta = &schemas["v2.Metadata"];
    assert_eq!(meta["additionalProperties"]["type"], "string");
    assert_eq!(meta["xml"]["x-entry"], "meta");
    assert_eq!(meta["xml"]["x-key"], "key");
}

#[test]
fn security_schemes_follow_each_api_authentication() {
    let schema = shipped();
    for (api, doc) in docs(&schema) {
        let schemes = &doc["components"]["securitySchemes"];
        let token_ops = schema.operations.iter().filter(|o| o.api == api && o.auth == schema::operations::Auth::Token).count();
        if token_ops > 0 {
            assert_eq!(schemes["authToken"], json!({"type": "apiKey", "in": "header", "name": "X-Auth-Token", "description": schemes["authToken"]["description"]}));
        } else {
            assert!(schemes.is_null(), "{api} needs no security scheme");
        }
        for (_, _, op) in operations(&doc) {
            let ids = schema_ops(op);
            let token = ids.iter().any(|id| schema.operation(id).unwrap().auth == schema::operations::Auth::Token);
            let want = if token { json!([{"authToken": []}]) } else { json!([]) };
            assert_eq!(op["security"], want, "{ids:?}");
            // The token is the security scheme, never also a header parameter.
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(!(token && p["name"] == "X-Auth-Token"), "{ids:?}");
            }
        }
    }
    let rc = document(&schema, RACKCONNECT).unwrap();
    assert!(rc["servers"][0]["url"].as_str().unwrap().contains("{region}"));
    let id = document(&schema, IDENTITY).unwrap();
    assert!(id["paths"]["/v1.0"]["servers"][0]["url"].is_string(), "v1.0 authentication has its own host");
}

#[test]
fn documents_are_deterministic() {
    let (one, two) = (shipped(), shipped());
    for api in one.api_keys() {
        let a = document(&one, api).unwrap();
        let b = document(&two, api).unwrap();
        assert!(to_json(&a) == to_json(&b), "{api}: two JSON documents differ");
        assert!(to_yaml(&a) == to_yaml(&b), "{api}: two YAML documents differ");
    }
}

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_codegen")).args(args).output().unwrap()
}

#[test]
fn the_command_prints_the_document_and_fails_clearly() {
    let schema = shipped();
    let expected = to_json(&document(&schema, V1_0).unwrap());
    let one = cli(&["openapi", "--api", "v1.0"]);
    let two = cli(&["openapi", "--api", "v1.0", "--format", "json"]);
    assert!(one.status.success(), "{}", String::from_utf8_lossy(&one.stderr));
    assert!(one.stdout == two.stdout, "two runs differ");
    assert_eq!(String::from_utf8(one.stdout).unwrap(), expected);
    let yaml = cli(&["openapi", "--api", "rackconnect", "--format", "yaml"]);
    assert!(yaml.status.success());
    assert_eq!(String::from_utf8(yaml.stdout).unwrap(), to_yaml(&document(&schema, RACKCONNECT).unwrap()));
    let bad = cli(&["--schema", "/nonexistent/schema-dir", "openapi", "--api", "v2"]);
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("cannot build the OpenAPI document"), "{err}");
    let unknown = cli(&["openapi", "--api", "v3"]);
    assert!(!unknown.status.success());
}

#[test]
fn the_fixture_schema_with_every_mapping_form_exports_soundly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mappings");
    let schema = Schema::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    for api in schema.api_keys() {
        let doc = document(&schema, api).unwrap_or_else(|e| panic!("{api}: {e}"));
        let errs = structure(&doc);
        assert!(errs.is_empty(), "{api}: {}", errs.join("\n"));
    }
    let doc = document(&schema, V2).unwrap();
    assert_eq!(examples(&doc).len(), schema.examples.len());
}

/// The Python that runs the external validators: `OPENAPI_PYTHON` (what `.ci/run` sets
/// to its virtual environment), else `python3`.
fn python() -> String {
    std::env::var("OPENAPI_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// Whether that Python has `module`. When `REQUIRE_OPENAPI_VALIDATOR` is set (as in
/// CI), a missing module fails the test instead of skipping it.
fn python_has(module: &str) -> bool {
    let has = Command::new(python()).args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success());
    if !has && std::env::var_os("REQUIRE_OPENAPI_VALIDATOR").is_some() {
        panic!("{} cannot import {module}, and REQUIRE_OPENAPI_VALIDATOR is set: the check would not run", python());
    }
    has
}

#[test]
fn openapi_spec_validator_accepts_every_document_when_installed() {
    if !python_has("openapi_spec_validator") {
        println!("note: {} cannot import openapi_spec_validator (pip install openapi-spec-validator); skipped", python());
        return;
    }
    let schema = shipped();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (api, doc) in docs(&schema) {
        for (ext, text) in [("json", to_json(&doc)), ("yaml", to_yaml(&doc))] {
            let p = dir.path().join(format!("{api}.{ext}"));
            std::fs::write(&p, text).unwrap();
            files.push(p.display().to_string());
        }
    }
    let script = "import sys\nfrom openapi_spec_validator import validate\nfrom openapi_spec_validator.readers import read_from_filename\nfor f in sys.argv[1:]:\n    d, _ = read_from_filename(f)\n    validate(d)\n    print('valid OpenAPI 3.1:', f)\n";
    let out = Command::new(python()).arg("-c").arg(script).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(out.status.success(), "openapi-spec-validator: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.lines().count(), files.len());
}

#[test]
fn yaml_reads_back_as_the_json_document_when_pyyaml_is_installed() {
    if !python_has("yaml") {
        println!("note: python3 cannot import yaml (PyYAML); skipped");
        return;
    }
    let schema = shipped();
    let dir = tempfile::tempdir().unwrap();
    for (api, doc) in docs(&schema) {
        let j = dir.path().join(format!("{api}.json"));
        let y = dir.path().join(format!("{api}.yaml"));
        std::fs::write(&j, to_json(&doc)).unwrap();
        std::fs::write(&y, to_yaml(&doc)).unwrap();
        let script = "import sys, json, yaml\nj = json.load(open(sys.argv[1]))\ny = yaml.safe_load(open(sys.argv[2]))\nsys.exit(0 if j == y else 1)\n";
        let out = Command::new(python()).arg("-c").arg(script).arg(&j).arg(&y).output().unwrap();
        assert!(out.status.success(), "{api}: the YAML does not read back as the JSON: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn the_structure_checks_catch_broken_documents() {
    let schema = shipped();
    // Only the paths the mutations touch, to keep the check quick.
    let mut good = document(&schema, V2).unwrap();
    let keep = ["/servers", "/servers/{server_id}", "/servers/detail"];
    good["paths"].as_object_mut().unwrap().retain(|p, _| keep.contains(&p.as_str()));
    assert!(structure(&good).is_empty());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        f(&mut d);
        structure(&d)
    };
    let has = |errs: Vec<String>, what: &str| {
        assert!(errs.iter().any(|e| e.contains(what)), "expected a problem containing `{what}`, got {errs:?}");
    };
    has(broken(&|d| d["paths"]["/servers"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] = json!("#/components/schemas/v2.Nothing")), "does not resolve");
    has(broken(&|d| d["paths"]["/servers"]["post"]["operationId"] = json!("v2.servers.list")), "twice");
    has(broken(&|d| d["paths"]["/servers/{server_id}"]["get"]["parameters"] = json!([])), "declares");
    // A JSON example that does not fit its schema.
    has(
        broken(&|d| {
            let ex = &mut d["paths"]["/servers/{server_id}"]["get"]["responses"]["200"]["content"]["application/json"]["examples"];
            let first = ex.as_object_mut().unwrap().values_mut().next().unwrap();
            first["value"]["server"]["id"] = json!(42);
        }),
        "is not of type",
    );
    // An XML example whose attribute or child element the mapping does not describe.
    has(
        broken(&|d| {
            let ex = &mut d["paths"]["/servers/{server_id}"]["get"]["responses"]["200"]["content"]["application/xml"]["examples"];
            let first = ex.as_object_mut().unwrap().values_mut().next().unwrap();
            let text = first["value"].as_str().unwrap().replacen("<server", "<server bogusAttribute=\"1\"", 1);
            first["value"] = json!(text);
        }),
        "bogusAttribute",
    );
    has(
        broken(&|d| {
            let ex = &mut d["paths"]["/servers/{server_id}"]["get"]["responses"]["200"]["content"]["application/xml"]["examples"];
            let first = ex.as_object_mut().unwrap().values_mut().next().unwrap();
            let text = first["value"].as_str().unwrap().replacen("<atom:link", "<bogus/><atom:link", 1);
            first["value"] = json!(text);
        }),
        "bogus",
    );
    // Nested elements are checked too: an unknown attribute on every <ip> and <meta>.
    has(
        broken(&|d| {
            for r in ["200", "203"] {
                let ex = &mut d["paths"]["/servers/detail"]["get"]["responses"][r]["content"]["application/xml"]["examples"];
                for e in ex.as_object_mut().into_iter().flat_map(|m| m.values_mut()) {
                    let text = e["value"].as_str().unwrap().replace("<ip ", "<ip bogusNested=\"1\" ").replace("<meta ", "<meta bogusNested=\"1\" ");
                    e["value"] = json!(text);
                }
            }
        }),
        "bogusNested",
    );
    // An XML example under the wrong root element.
    has(
        broken(&|d| {
            let ex = &mut d["paths"]["/servers/{server_id}"]["get"]["responses"]["200"]["content"]["application/xml"]["examples"];
            let first = ex.as_object_mut().unwrap().values_mut().next().unwrap();
            first["value"] = json!("<image xmlns=\"http://docs.openstack.org/compute/api/v1.1\" id=\"x\"/>");
        }),
        "no alternative",
    );
    // A schema keyword the check does not know is reported, not ignored.
    has(broken(&|d| d["components"]["schemas"]["v2.Server"]["minProperties"] = json!(1)), "does not know keyword");
}


#[test]
fn examples_in_an_accepted_xml_form_are_marked() {
    let schema = shipped();
    let doc = document(&schema, V2).unwrap_or_else(|e| panic!("{e}"));
    let mut marked = Vec::new();
    for (_, _, op) in operations(&doc) {
        let mut contents: Vec<&Value> = op["requestBody"]["content"].as_object().into_iter().flatten().map(|(_, v)| v).collect();
        for (_, r) in op["responses"].as_object().into_iter().flatten() {
            contents.extend(r["content"].as_object().into_iter().flatten().map(|(_, v)| v));
        }
        for mt in contents {
            for (id, ex) in mt["examples"].as_object().into_iter().flatten() {
                if ex["x-accepted-form"] == true {
                    marked.push(id.clone());
                }
            }
        }
    }
    // Example 2.7 writes networks as <uuid> items; Table 2.2's reading is <network uuid>.
    assert_eq!(marked, vec!["v2.example.2.7".to_string()]);
}
