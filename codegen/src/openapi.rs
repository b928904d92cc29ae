//! OpenAPI 3.1 documents of the APIs, built from the schema.
//!
//! [`document`] turns the operations, models, faults and examples of one API into an
//! OpenAPI 3.1.0 document, as a [`serde_json::Value`]; [`to_json`] and [`to_yaml`] print it.
//! `cargo run -p cloudservers-codegen -- openapi --api v2 [--format json|yaml]` prints it on stdout.
//!
//! How the schema maps onto OpenAPI:
//! - Paths: one path item per path; an operation per method. Operations that share a
//!   method and path (the `POST .../action` operations, told apart by the body's action key,
//!   and `GET /limits` with and without the used-limits extension) become one OpenAPI
//!   operation, because OpenAPI allows one per method and path: its request body is a
//!   `oneOf` of the action bodies, its responses the union of theirs, and
//!   `x-operations` lists every schema operation merged into it (id, action, extension,
//!   source). Every other operation keeps its schema id as `operationId`.
//! - Bodies: `application/json`, `application/xml` and `text/plain` content whose schema
//!   is a `$ref` into `components.schemas`. A model is the component named by its id; a JSON
//!   body wrapped in a key is the component `<model>-in-<key>`; a fault's XML body (the
//!   fault name as root element) is `<model>-as-<name>`.
//! - Faults: every fault an operation lists (and every fault its API marks as possible on
//!   every request) is a response with each of its codes; `x-faults` names them.
//! - Examples: every documented example of the API, exactly once: JSON, XML and text
//!   bodies under the media type of the request body or of the response with their
//!   status (faults under the fault's status); shell sessions and header-only examples
//!   under the operation's `x-examples`.
//! - Models: JSON Schema 2020-12. Objects list their properties and required fields and
//!   allow unknown ones; enums document their values and accept others (clients keep
//!   unknown values); maps use `additionalProperties`; nullable fields are `[T, "null"]`.
//!   The XML mapping is the `xml` object (name, namespace, prefix, attribute, wrapped),
//!   with `x-` keys for what OpenAPI cannot say (map entries and keys, values held in an
//!   attribute, element text, JSON-only and XML-only fields).
//!
//! The output is deterministic: everything is built from the schema's vectors in order
//! and from sorted maps.

use schema::examples::{Direction, ExampleFormat};
use schema::models::{Field, FieldXml, ModelKind, Scalar, TypeExpr};
use schema::operations::{Auth, Base, Format, HeaderRole, Param};
use schema::{Api, Erratum, Example, Fault, Model, Operation, Schema, Source};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The OpenAPI version of the documents.
pub const OPENAPI_VERSION: &str = "3.1.0";

const JSON_MEDIA: &str = "application/json";
const XML_MEDIA: &str = "application/xml";
const TEXT_MEDIA: &str = "text/plain";
const SCHEMA_REF: &str = "#/components/schemas/";
/// The name of the security scheme for the token header (`X-Auth-Token`).
pub const TOKEN_SCHEME: &str = "authToken";

/// Why a document could not be built.
#[derive(Debug, thiserror::Error)]
pub enum OpenApiError {
    /// The schema did not load; the message is the schema loader's.
    #[error("{0}")]
    Schema(#[from] schema::SchemaError),
    /// An API the schema does not list.
    #[error("no API `{name}` in the schema (it has: {})", known.join(", "))]
    UnknownApi {
        /// The key or module name asked for.
        name: String,
        /// The keys the schema lists.
        known: Vec<String>,
    },
    /// A model id that no model has.
    #[error("unknown model `{id}` (referenced by {by})")]
    UnknownModel {
        /// The id.
        id: String,
        /// What refers to it.
        by: String,
    },
    /// A namespace prefix that `namespaces.json` does not declare.
    #[error("unknown XML namespace prefix `{prefix}` (used by {by})")]
    UnknownNamespace {
        /// The prefix.
        prefix: String,
        /// What uses it.
        by: String,
    },
    /// Two different components would get the same name.
    #[error("two components would be named `{0}`")]
    ComponentCollision(String),
    /// A component name that OpenAPI does not allow (`^[a-zA-Z0-9.\-_]+$`).
    #[error("`{0}` is not a valid OpenAPI component name")]
    ComponentName(String),
    /// Two OpenAPI operations would get the same `operationId`.
    #[error("operationId `{0}` would be used twice")]
    DuplicateOperationId(String),
    /// Operations of one path are relative to different bases (host root and service endpoint).
    #[error("path `{0}` has operations relative to the host root and to the service endpoint")]
    MixedBase(String),
}

/// The OpenAPI 3.1 document of `api`.
pub fn document(schema: &Schema, api: Api) -> Result<Value, OpenApiError> {
    if schema.api(api).is_none() {
        return Err(OpenApiError::UnknownApi { name: api.to_string(), known: schema.apis.iter().map(|a| a.key.to_string()).collect() });
    }
    let shapes = schema::shapes::ShapeCatalog::new(schema);
    Gen { s: schema, api, components: BTreeMap::new(), needed: BTreeSet::new(), op_ids: BTreeSet::new(), shapes }.document()
}

/// The document as pretty-printed JSON with a final newline.
pub fn to_json(doc: &Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).unwrap_or_default();
    s.push('\n');
    s
}

/// The document as YAML (block style; strings double-quoted, multi-line text as literal blocks).
pub fn to_yaml(doc: &Value) -> String {
    let mut out = String::new();
    yaml::node(&mut out, doc, 0, false);
    out
}

/// A documented server as an OpenAPI server object, citing its source.
fn server(h: &schema::apis::Host) -> Value {
    let mut v = Map::new();
    v.insert("url".into(), json!(h.url));
    v.insert("description".into(), json!(format!("{} ({})", h.description, h.source)));
    if !h.variables.is_empty() {
        let vars: Map<String, Value> = h
            .variables
            .iter()
            .map(|(name, var)| {
                let mut o = Map::new();
                o.insert("default".into(), json!(var.default));
                if !var.values.is_empty() {
                    o.insert("enum".into(), json!(var.values));
                }
                if let Some(d) = &var.description {
                    o.insert("description".into(), json!(d));
                }
                (name.clone(), Value::Object(o))
            })
            .collect();
        v.insert("variables".into(), Value::Object(vars));
    }
    Value::Object(v)
}

/// The reason phrase of a status code, for response descriptions.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        300 => "Multiple Choices",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Response",
    }
}

fn media(f: Format) -> &'static str {
    match f {
        Format::Json => JSON_MEDIA,
        Format::Xml => XML_MEDIA,
        Format::Text => TEXT_MEDIA,
    }
}

fn media_order(m: &str) -> u8 {
    match m {
        JSON_MEDIA => 0,
        XML_MEDIA => 1,
        _ => 2,
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("{SCHEMA_REF}{name}") })
}

fn source_json(s: &Source) -> Value {
    json!({"document": s.document.as_str(), "ref": s.place})
}

fn errata_json(errata: &[Erratum]) -> Value {
    Value::Array(errata.iter().map(|e| serde_json::to_value(e).unwrap_or(Value::Null)).collect())
}

/// A description: the item's text, its source, and any corrections of the document.
fn describe(doc: Option<&str>, source: Option<&Source>, errata: &[Erratum]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = doc {
        parts.push(d.to_string());
    }
    if let Some(s) = source {
        parts.push(format!("Source: {}, {}.", s.document, s.place));
    }
    for e in errata {
        let holds = e.holds.as_deref().map(|h| format!("; the schema holds {h}")).unwrap_or_default();
        parts.push(format!("Erratum: the document shows {}{holds} ({}).", e.shows, e.why));
    }
    parts.join("\n\n")
}

fn valid_component_name(n: &str) -> bool {
    !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

fn sanitize(n: &str) -> String {
    n.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect()
}

/// Adds `null` to what a schema accepts.
fn nullable(mut s: Value) -> Value {
    let has_ref = s.get("$ref").is_some();
    match s.get_mut("type") {
        Some(Value::String(t)) if !has_ref => {
            let t = t.clone();
            s["type"] = json!([t, "null"]);
            s
        }
        Some(Value::Array(ts)) if !has_ref => {
            if !ts.iter().any(|t| t == "null") {
                ts.push(json!("null"));
            }
            s
        }
        _ => json!({"anyOf": [s, {"type": "null"}]}),
    }
}

/// One alternative body of a response or request: the component per media type.
#[derive(Default)]
struct Content {
    /// media type -> component names (in order, without repeats).
    schemas: BTreeMap<&'static str, Vec<String>>,
    /// media type -> example name -> example object.
    examples: BTreeMap<&'static str, Map<String, Value>>,
}

impl Content {
    fn add(&mut self, media: &'static str, component: String) {
        let v = self.schemas.entry(media).or_default();
        if !v.contains(&component) {
            v.push(component);
        }
    }

    fn to_json(&self, combinator: &str) -> Value {
        let mut medias: Vec<&&str> = self.schemas.keys().collect();
        medias.sort_by_key(|m| (media_order(m), **m));
        let mut out = Map::new();
        for m in medias {
            let comps = &self.schemas[*m];
            let schema = if comps.len() == 1 {
                reference(&comps[0])
            } else {
                json!({ combinator: comps.iter().map(|c| reference(c)).collect::<Vec<_>>() })
            };
            let mut mt = Map::new();
            mt.insert("schema".into(), schema);
            if let Some(ex) = self.examples.get(*m) {
                if !ex.is_empty() {
                    mt.insert("examples".into(), Value::Object(ex.clone()));
                }
            }
            out.insert((*m).to_string(), Value::Object(mt));
        }
        Value::Object(out)
    }
}

/// A response being assembled from the operations and faults that give its status.
#[derive(Default)]
struct ResponseAcc {
    descriptions: Vec<String>,
    headers: Vec<(String, String)>,
    faults: Vec<String>,
    content: Content,
}

impl ResponseAcc {
    fn describe(&mut self, d: String) {
        if !self.descriptions.contains(&d) {
            self.descriptions.push(d);
        }
    }

    fn header(&mut self, name: &str, doc: String) {
        if !self.headers.iter().any(|(n, _)| n == name) {
            self.headers.push((name.to_string(), doc));
        }
    }
}

/// One OpenAPI operation: the schema operations that share its method and path.
struct Group<'a> {
    method: String,
    ops: Vec<&'a Operation>,
}

struct Gen<'a> {
    s: &'a Schema,
    api: Api,
    /// Components by name, with the key that identifies what they hold (to catch collisions).
    components: BTreeMap<String, (String, Value)>,
    /// Model ids referenced so far.
    needed: BTreeSet<String>,
    op_ids: BTreeSet<String>,
    /// The strict validator's shapes, to tell examples in an accepted form.
    shapes: schema::shapes::ShapeCatalog<'a>,
}

impl<'a> Gen<'a> {
    fn model(&self, id: &str, by: &str) -> Result<&'a Model, OpenApiError> {
        self.s.model(id).ok_or_else(|| OpenApiError::UnknownModel { id: id.to_string(), by: by.to_string() })
    }

    fn ns_uri(&self, prefix: &str, by: &str) -> Result<String, OpenApiError> {
        self.s
            .namespace(prefix)
            .map(|n| n.uri.clone())
            .ok_or_else(|| OpenApiError::UnknownNamespace { prefix: prefix.to_string(), by: by.to_string() })
    }

    fn component(&mut self, name: String, key: String, value: Value) -> Result<String, OpenApiError> {
        if !valid_component_name(&name) {
            return Err(OpenApiError::ComponentName(name));
        }
        match self.components.get(&name) {
            Some((k, _)) if *k != key => Err(OpenApiError::ComponentCollision(name)),
            Some(_) => Ok(name),
            None => {
                self.components.insert(name.clone(), (key, value));
                Ok(name)
            }
        }
    }

    /// The component for a model, scheduled for rendering.
    fn model_ref(&mut self, id: &str, by: &str) -> Result<String, OpenApiError> {
        self.model(id, by)?;
        if !valid_component_name(id) {
            return Err(OpenApiError::ComponentName(id.to_string()));
        }
        self.needed.insert(id.to_string());
        Ok(id.to_string())
    }

    /// The JSON body component: the model itself, or the model under its wrapping key.
    fn json_body(&mut self, model: &str, wrap: Option<&str>, by: &str) -> Result<String, OpenApiError> {
        let inner = self.model_ref(model, by)?;
        let Some(w) = wrap else { return Ok(inner) };
        let m = self.model(model, by)?;
        // An object without required fields may be sent as JSON null (`{"confirmResize": null}`).
        let accepts_null = m.kind == ModelKind::Object && !m.fields.iter().any(|f| f.required && f.json);
        let prop = if accepts_null { nullable(reference(&inner)) } else { reference(&inner) };
        let value = json!({
            "type": "object",
            "description": format!("The JSON body: {model} under the key `{w}`."),
            "properties": { w: prop },
            "required": [w],
            "additionalProperties": true
        });
        self.component(format!("{model}-in-{}", sanitize(w)), format!("wrap {model} {w}"), value)
    }

    /// The XML body component of a fault: its model with the fault name as root element.
    fn fault_xml_body(&mut self, f: &Fault, model: &str) -> Result<String, OpenApiError> {
        let inner = self.model_ref(model, &f.id)?;
        let m = self.model(model, &f.id)?;
        let mut xml = Map::new();
        xml.insert("name".into(), json!(f.name));
        if let Some(p) = m.xml.as_ref().and_then(|x| x.ns.as_deref()) {
            xml.insert("namespace".into(), json!(self.ns_uri(p, &m.id)?));
        }
        let value = json!({
            "$ref": format!("{SCHEMA_REF}{inner}"),
            "description": format!("The XML body of fault {}: {model} with root element `{}`.", f.id, f.name),
            "xml": xml
        });
        self.component(format!("{model}-as-{}", sanitize(&f.name)), format!("as {model} {}", f.name), value)
    }

    fn body_component(&mut self, format: Format, model: &str, wrap: Option<&str>, by: &str) -> Result<String, OpenApiError> {
        match format {
            Format::Json => self.json_body(model, wrap, by),
            Format::Xml | Format::Text => {
                let m = self.model(model, by)?;
                if m.kind != ModelKind::Union {
                    return self.model_ref(model, by);
                }
                // In XML a union's shapes are told apart by their root elements.
                let variants: Vec<String> = m
                    .variants
                    .iter()
                    .filter(|v| self.s.model(&v.model).is_some_and(|vm| vm.xml.as_ref().is_some_and(|x| x.element.is_some())))
                    .map(|v| v.model.clone())
                    .collect();
                let mut shapes = Vec::new();
                for v in &variants {
                    shapes.push(reference(&self.model_ref(v, by)?));
                }
                let value = json!({
                    "description": format!("The XML body: {model} in any of its shapes that have an XML form."),
                    "anyOf": shapes
                });
                self.component(format!("{model}-xml"), format!("xml {model}"), value)
            }
        }
    }

    // ------------------------------------------------------------------ types

    fn scalar(s: Scalar) -> Value {
        match s {
            Scalar::String => json!({"type": "string"}),
            Scalar::Integer => json!({"type": "integer"}),
            Scalar::Number => json!({"type": "number"}),
            Scalar::Boolean => json!({"type": "boolean"}),
            // The schema's `datetime` is ISO 8601: mostly RFC 3339 (`date-time`), but the
            // documents also show a space for `T` and no offset, which clients must accept.
            Scalar::DateTime => json!({
                "type": "string",
                "anyOf": [{"format": "date-time"}, {"description": "another ISO 8601 form, e.g. 2012-05-09 06:00:00"}],
                "description": "An ISO 8601 date and time."
            }),
            Scalar::UnixTime => json!({"type": "integer", "format": "int64", "description": "Seconds since the Unix epoch."}),
            Scalar::Uuid => json!({"type": "string", "format": "uuid"}),
            Scalar::Uri => json!({"type": "string", "format": "uri-reference"}),
            // Addresses may be empty when none is set (accessIPv4 of a new server).
            Scalar::Ipv4 => json!({"type": "string", "anyOf": [{"format": "ipv4"}, {"const": ""}]}),
            Scalar::Ipv6 => json!({"type": "string", "anyOf": [{"format": "ipv6"}, {"const": ""}]}),
            Scalar::Ip => json!({
                "type": "string",
                "anyOf": [{"format": "ipv4"}, {"format": "ipv6"}, {"const": ""}],
                "description": "An IPv4 or IPv6 address."
            }),
            Scalar::Base64 => json!({"type": "string", "contentEncoding": "base64"}),
            Scalar::Secret => json!({"type": "string", "format": "password", "description": "A password, key or token: never logged."}),
            Scalar::IntegerOrUuid => json!({"type": ["integer", "string"], "description": "An integer (first generation) or a UUID (next generation)."}),
            Scalar::Any => json!({}),
        }
    }

    fn type_schema(&mut self, t: &TypeExpr, by: &str) -> Result<Value, OpenApiError> {
        Ok(match t {
            TypeExpr::Scalar(s) => Self::scalar(*s),
            TypeExpr::Model(id) | TypeExpr::Enum(id) => reference(&self.model_ref(id, by)?),
            TypeExpr::Array(inner) => json!({"type": "array", "items": self.type_schema(inner, by)?}),
            TypeExpr::Map(inner) => json!({"type": "object", "additionalProperties": self.type_schema(inner, by)?}),
        })
    }

    // ------------------------------------------------------------------ models

    fn xml_object(&self, name: Option<&str>, ns: Option<&str>, prefix: bool, by: &str) -> Result<Map<String, Value>, OpenApiError> {
        let mut x = Map::new();
        if let Some(n) = name {
            x.insert("name".into(), json!(n));
        }
        if let Some(p) = ns {
            x.insert("namespace".into(), json!(self.ns_uri(p, by)?));
            if prefix {
                x.insert("prefix".into(), json!(p));
            }
        }
        Ok(x)
    }

    fn field_schema(&mut self, m: &Model, f: &Field) -> Result<Value, OpenApiError> {
        let by = format!("{} field {}", m.id, f.name);
        let mut s = self.type_schema(&f.ty, &by)?;
        if f.nullable {
            s = nullable(s);
        }
        let model_ns = m.xml.as_ref().and_then(|x| x.ns.as_deref());
        let json_only = FieldXml { json_only: true, ..FieldXml::default() };
        let x = f.xml.as_ref().unwrap_or(&json_only);
        let obj = s.as_object_mut();
        let Some(obj) = obj else { return Ok(s) };
        if let Some(a) = &x.attribute {
            let mut xml = self.xml_object(Some(a), x.ns.as_deref(), true, &by)?;
            xml.insert("attribute".into(), json!(true));
            obj.insert("xml".into(), Value::Object(xml));
        } else if x.element.is_some() || x.wrapper.is_some() {
            let ns = x.ns.as_deref().or(model_ns);
            let prefix = x.ns.is_some() && x.ns.as_deref() != model_ns;
            let is_array = matches!(f.ty, TypeExpr::Array(_));
            let mut item_xml = self.xml_object(x.element.as_deref(), ns, prefix, &by)?;
            if let Some(va) = &x.value_attribute {
                item_xml.insert("x-value-attribute".into(), json!(va));
            }
            match (&x.wrapper, is_array) {
                (Some(w), _) => {
                    let mut wx = self.xml_object(Some(w), ns, prefix, &by)?;
                    wx.insert("wrapped".into(), json!(true));
                    obj.insert("xml".into(), Value::Object(wx));
                    if let Some(items) = obj.get_mut("items").and_then(Value::as_object_mut) {
                        items.insert("xml".into(), Value::Object(item_xml));
                    } else {
                        obj.insert("x-xml-item".into(), Value::Object(item_xml));
                    }
                }
                (None, true) => {
                    // One element per item, not wrapped.
                    if let Some(items) = obj.get_mut("items").and_then(Value::as_object_mut) {
                        items.insert("xml".into(), Value::Object(item_xml));
                    }
                }
                (None, false) => {
                    let wraps_array = matches!(&f.ty, TypeExpr::Model(id) if self.s.model(id).is_some_and(|t| t.kind == ModelKind::Array));
                    if wraps_array {
                        item_xml.insert("wrapped".into(), json!(true));
                    }
                    obj.insert("xml".into(), Value::Object(item_xml));
                }
            }
        } else if x.text {
            obj.insert("xml".into(), json!({"x-text": true}));
        } else {
            obj.insert("x-json-only".into(), json!(true));
        }
        if !f.json {
            obj.insert("x-xml-only".into(), json!(true));
        }
        if let Some(e) = &f.extension {
            obj.insert("x-extension".into(), json!(e));
        }
        let d = describe(f.doc.as_deref(), f.source.as_ref(), &f.errata);
        if !d.is_empty() {
            let text = match obj.get("description").and_then(Value::as_str) {
                Some(t) => format!("{d}\n\n{t}"),
                None => d,
            };
            obj.insert("description".into(), json!(text));
        }
        Ok(s)
    }

    fn model_schema(&mut self, m: &Model) -> Result<Value, OpenApiError> {
        let by = m.id.clone();
        let mut s = Map::new();
        let element = m.xml.as_ref().and_then(|x| x.element.as_deref());
        let ns = m.xml.as_ref().and_then(|x| x.ns.as_deref());
        let mut xml = self.xml_object(element, ns, false, &by)?;
        let mut description = describe(m.doc.as_deref(), Some(&m.source), &m.errata);
        match m.kind {
            ModelKind::Object => {
                s.insert("type".into(), json!("object"));
                let mut props = Map::new();
                let mut required = Vec::new();
                for f in &m.fields {
                    props.insert(f.name.clone(), self.field_schema(m, f)?);
                    if f.required && f.json {
                        required.push(json!(f.name));
                    }
                }
                s.insert("properties".into(), Value::Object(props));
                if !required.is_empty() {
                    s.insert("required".into(), Value::Array(required));
                }
                s.insert("additionalProperties".into(), json!(true));
            }
            ModelKind::Map => {
                s.insert("type".into(), json!("object"));
                let values = match m.map_values() {
                    Some(t) => self.type_schema(t, &by)?,
                    None => json!({}),
                };
                let values = if m.nullable_values { nullable(values) } else { values };
                s.insert("additionalProperties".into(), values);
                if let Some(x) = &m.xml {
                    for (k, v) in [("x-entry", &x.entry), ("x-key", &x.key), ("x-value-attribute", &x.value_attribute)] {
                        if let Some(v) = v {
                            xml.insert(k.into(), json!(v));
                        }
                    }
                    if x.entry.is_none() {
                        description.push_str("\n\nIn XML the element itself is the single entry.");
                    }
                }
            }
            ModelKind::Enum => {
                let values: Vec<Value> = m.enum_values().iter().map(|v| json!(v.value)).collect();
                s.insert("type".into(), json!("string"));
                s.insert("anyOf".into(), json!([{"enum": values}, {"type": "string"}]));
                description.push_str("\n\nThe documented values are listed; other values are allowed, and clients keep them.");
                let docs: Map<String, Value> = m
                    .enum_values()
                    .iter()
                    .filter_map(|v| v.doc.as_ref().map(|d| (v.value.clone(), json!(d))))
                    .collect();
                if !docs.is_empty() {
                    s.insert("x-enum-descriptions".into(), Value::Object(docs));
                }
            }
            ModelKind::Array => {
                s.insert("type".into(), json!("array"));
                let mut items = match &m.items {
                    Some(t) => self.type_schema(t, &by)?,
                    None => json!({}),
                };
                if let Some(item) = m.xml.as_ref().and_then(|x| x.item.as_deref()) {
                    let item_ns = item.ns.as_deref().or(ns);
                    let mut ix = self.xml_object(item.element.as_deref(), item_ns, item.ns.is_some() && item.ns.as_deref() != ns, &by)?;
                    if let Some(va) = &item.value_attribute {
                        ix.insert("x-value-attribute".into(), json!(va));
                    }
                    if let Some(o) = items.as_object_mut() {
                        o.insert("xml".into(), Value::Object(ix));
                    }
                }
                s.insert("items".into(), items);
                xml.insert("wrapped".into(), json!(true));
            }
            ModelKind::Union => {
                let mut shapes = Vec::new();
                for v in &m.variants {
                    shapes.push(reference(&self.json_body(&v.model, v.wrap.as_deref(), &by)?));
                }
                s.insert("anyOf".into(), Value::Array(shapes));
                description.push_str("\n\nA body in any of these shapes; the first is the one the documents show.");
            }
            ModelKind::Text => {
                let inner = match &m.text_type {
                    Some(t) => self.type_schema(t, &by)?,
                    None => json!({"type": "string"}),
                };
                if let Some(o) = inner.as_object() {
                    for (k, v) in o {
                        s.insert(k.clone(), v.clone());
                    }
                }
                description.push_str("\n\nA bare value: the whole text/plain body, or a JSON string.");
            }
        }
        let mut out = Map::new();
        out.insert("title".into(), json!(m.id));
        out.insert("description".into(), json!(description));
        out.extend(s);
        if !xml.is_empty() {
            out.insert("xml".into(), Value::Object(xml));
        }
        out.insert("x-source".into(), source_json(&m.source));
        if let Some(e) = &m.extension {
            out.insert("x-extension".into(), json!(e));
        }
        Ok(Value::Object(out))
    }

    /// Renders every needed model until no new reference appears.
    fn render_models(&mut self) -> Result<(), OpenApiError> {
        let mut done: BTreeSet<String> = BTreeSet::new();
        loop {
            let todo: Vec<String> = self.needed.difference(&done).cloned().collect();
            if todo.is_empty() {
                return Ok(());
            }
            for id in todo {
                let m = self.model(&id, "a reference")?;
                let v = self.model_schema(m)?;
                self.component(id.clone(), format!("model {id}"), v)?;
                done.insert(id);
            }
        }
    }

    // ------------------------------------------------------------------ operations

    fn groups(&self) -> Vec<(String, Vec<Group<'a>>)> {
        let mut paths: Vec<(String, Vec<Group<'a>>)> = Vec::new();
        for o in self.s.operations.iter().filter(|o| o.api == self.api) {
            let pi = match paths.iter().position(|(p, _)| *p == o.path) {
                Some(i) => i,
                None => {
                    paths.push((o.path.clone(), Vec::new()));
                    paths.len() - 1
                }
            };
            let groups = &mut paths[pi].1;
            match groups.iter_mut().find(|g| g.method == o.method) {
                Some(g) => g.ops.push(o),
                None => groups.push(Group { method: o.method.clone(), ops: vec![o] }),
            }
        }
        paths
    }

    fn operation_id(&mut self, g: &Group) -> Result<String, OpenApiError> {
        let id = if g.ops.len() == 1 {
            g.ops[0].id.clone()
        } else if g.ops.iter().all(|o| o.action.is_some()) {
            // The longest dotted prefix the ids share, beyond the API key, then `action`.
            let split: Vec<Vec<&str>> = g.ops.iter().map(|o| o.id.split('.').collect()).collect();
            let mut common: Vec<&str> = split[0].clone();
            for s in &split[1..] {
                let n = common.iter().zip(s).take_while(|(a, b)| a == b).count();
                common.truncate(n);
            }
            common.truncate(split.iter().map(|s| s.len() - 1).min().unwrap_or(0));
            common.push("action");
            common.join(".")
        } else {
            // The operation without an extension is the base; the others extend it.
            g.ops.iter().find(|o| o.extension.is_none()).unwrap_or(&g.ops[0]).id.clone()
        };
        if !self.op_ids.insert(id.clone()) || self.s.operation(&id).is_some_and(|o| !g.ops.iter().any(|g| g.id == o.id)) {
            return Err(OpenApiError::DuplicateOperationId(id));
        }
        Ok(id)
    }

    fn param(&mut self, p: &Param, location: &str, required: bool, by: &str) -> Result<Value, OpenApiError> {
        let mut v = Map::new();
        v.insert("name".into(), json!(p.name));
        v.insert("in".into(), json!(location));
        if let Some(d) = &p.doc {
            v.insert("description".into(), json!(d));
        }
        v.insert("required".into(), json!(required));
        v.insert("schema".into(), self.type_schema(&p.ty, by)?);
        Ok(Value::Object(v))
    }

    fn body_formats(o: &Operation) -> Vec<Format> {
        let mut out: Vec<Format> = Vec::new();
        let bodies = o.request.iter().map(|b| &b.formats).chain(o.responses.iter().map(|r| &r.formats));
        for fs in bodies {
            for f in fs {
                if *f != Format::Text && !out.contains(f) {
                    out.push(*f);
                }
            }
        }
        if out.is_empty() {
            out = vec![Format::Json, Format::Xml];
        }
        out.sort();
        out
    }

    /// The faults an operation may return with the codes: those it lists, and those its API
    /// marks as possible on every request.
    fn op_faults(&self, o: &Operation) -> Vec<(&'a Fault, Vec<u16>)> {
        let mut out: Vec<(&'a Fault, Vec<u16>)> = Vec::new();
        for r in &o.faults {
            if let Some(f) = self.s.fault(&r.fault) {
                let codes = if r.codes.is_empty() { f.codes.clone() } else { r.codes.clone() };
                out.push((f, codes));
            }
        }
        for f in self.s.faults.iter().filter(|f| f.all_requests && f.api == o.api) {
            if !out.iter().any(|(g, _)| g.id == f.id) {
                out.push((f, f.codes.clone()));
            }
        }
        out
    }

    fn add_fault(&mut self, acc: &mut ResponseAcc, f: &Fault, formats: &[Format], by: &str) -> Result<(), OpenApiError> {
        if !acc.faults.contains(&f.id) {
            acc.faults.push(f.id.clone());
        }
        let aliases = if f.aliases.is_empty() { String::new() } else { format!(" (also spelled {})", f.aliases.join(", ")) };
        let doc = f.doc.as_deref().map(|d| format!(": {d}")).unwrap_or_default();
        acc.describe(format!("Fault `{}`{aliases}{doc}", f.name));
        if let Some(h) = &f.retry_header {
            acc.header(h, format!("When to retry after fault {}.", f.name));
        }
        if let Some(model) = &f.model {
            for fmt in formats {
                let c = match fmt {
                    Format::Json => self.json_body(model, Some(&f.name), by)?,
                    Format::Xml => self.fault_xml_body(f, model)?,
                    Format::Text => continue,
                };
                acc.content.add(media(*fmt), c);
            }
        }
        Ok(())
    }

    fn example_object(&self, e: &Example, merged: bool) -> Value {
        let mut v = Map::new();
        v.insert("summary".into(), json!(e.title.clone().unwrap_or_else(|| e.id.clone())));
        let mut desc = describe(e.doc.as_deref(), Some(&e.source), &[]);
        if merged {
            desc = format!("Operation {}. {desc}", e.operation);
        }
        v.insert("description".into(), json!(desc));
        let value = match (e.format, &e.body) {
            (ExampleFormat::Http, _) => e.http.as_ref().map(|h| serde_json::to_value(h).unwrap_or(Value::Null)).unwrap_or(Value::Null),
            (_, Some(b)) => b.clone(),
            (_, None) => Value::Null,
        };
        v.insert("value".into(), value);
        if e.format != ExampleFormat::Http {
            if let Some(h) = &e.http {
                v.insert("x-http".into(), serde_json::to_value(h).unwrap_or(Value::Null));
            }
        }
        if !e.errata.is_empty() {
            v.insert("x-errata".into(), errata_json(&e.errata));
        }
        // OpenAPI's `xml` objects describe one form; an example in another form readers
        // accept (the schema's XML alternatives) says so.
        let alternative = self
            .shapes
            .example_findings(self.s, e)
            .is_some_and(|f| f.iter().any(|f| f.kind == shapes::FindingKind::Shape));
        if alternative {
            v.insert("x-accepted-form".into(), json!(true));
        }
        Value::Object(v)
    }

    fn operation(&mut self, path: &str, g: &Group) -> Result<Value, OpenApiError> {
        let merged = g.ops.len() > 1;
        let first = g.ops[0];
        let mut op = Map::new();
        // Tag: the resource part of the id (`v2.server-metadata.list` -> `server-metadata`).
        let api_prefix = format!("{}.", self.api.as_str());
        let rest = first.id.strip_prefix(&api_prefix).unwrap_or(&first.id);
        let tag = rest.rsplit_once('.').map_or(rest, |(t, _)| t);
        op.insert("tags".into(), json!([tag]));
        let (summary, description) = Self::summary(path, g);
        op.insert("summary".into(), json!(summary));
        op.insert("description".into(), json!(description));
        op.insert("operationId".into(), json!(self.operation_id(g)?));
        let params = self.parameters(g)?;
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        let mut request = self.request(g)?;
        let mut responses = self.responses(g)?;
        let other_examples = self.place_examples(g, &mut request, &mut responses)?;
        let with_request = g.ops.iter().filter(|o| o.request.is_some()).count();
        if with_request > 0 {
            let mut rb = Map::new();
            if with_request > 1 {
                rb.insert("description".into(), json!("One of the bodies of the merged operations (see x-operations); the JSON key or XML root element names the action."));
            }
            rb.insert("content".into(), request.to_json("oneOf"));
            rb.insert("required".into(), json!(with_request == g.ops.len()));
            op.insert("requestBody".into(), Value::Object(rb));
        }
        op.insert("responses".into(), Self::responses_json(responses));
        let token = g.ops.iter().any(|o| o.auth == Auth::Token);
        op.insert("security".into(), if token { json!([{ TOKEN_SCHEME: [] }]) } else { json!([]) });
        let auths: BTreeSet<&str> = g
            .ops
            .iter()
            .map(|o| match o.auth {
                Auth::Token => "token",
                Auth::None => "none",
                Auth::SourceIp => "source-ip",
                Auth::Credentials => "credentials",
            })
            .collect();
        op.insert("x-auth".into(), json!(auths.into_iter().collect::<Vec<_>>()));
        if merged {
            op.insert("x-operations".into(), Value::Array(g.ops.iter().map(|o| Self::merged_entry(o)).collect()));
        } else {
            op.insert("x-source".into(), source_json(&first.source));
            if let Some(x) = &first.extension {
                op.insert("x-extension".into(), json!(x));
            }
        }
        let mut limits: Vec<&String> = Vec::new();
        for l in g.ops.iter().flat_map(|o| &o.limits) {
            if !limits.contains(&l) {
                limits.push(l);
            }
        }
        if !limits.is_empty() {
            op.insert("x-limits".into(), json!(limits));
        }
        if !merged && !first.errata.is_empty() {
            op.insert("x-errata".into(), errata_json(&first.errata));
        }
        if !other_examples.is_empty() {
            op.insert("x-examples".into(), Value::Object(other_examples));
        }
        Ok(Value::Object(op))
    }

    /// Summary and description; for merged operations, of every operation merged.
    fn summary(path: &str, g: &Group) -> (String, String) {
        let first = g.ops[0];
        if g.ops.len() == 1 {
            return (first.name.clone(), describe(first.doc.as_deref(), Some(&first.source), &first.errata));
        }
        let summary = if g.ops.iter().all(|o| o.action.is_some()) {
            let names: Vec<&str> = g.ops.iter().filter_map(|o| o.action.as_deref()).collect();
            format!("Actions: {}", names.join(", "))
        } else {
            g.ops.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(" / ")
        };
        let mut lines = vec![format!(
            "{} schema operations share {} {path}; OpenAPI allows one operation per method and path, so they are merged here and listed in `x-operations`.",
            g.ops.len(),
            g.method
        )];
        for o in &g.ops {
            let action = o.action.as_deref().map(|a| format!(" (action `{a}`)")).unwrap_or_default();
            let ext = o.extension.as_deref().map(|a| format!(" (extension {a})")).unwrap_or_default();
            let text = describe(o.doc.as_deref(), Some(&o.source), &o.errata).replace("\n\n", " ");
            lines.push(format!("- `{}`{action}{ext}: {text}", o.id));
        }
        (summary, lines.join("\n"))
    }

    /// An entry of `x-operations`: one schema operation merged into an OpenAPI operation.
    fn merged_entry(o: &Operation) -> Value {
        let mut v = Map::new();
        v.insert("operationId".into(), json!(o.id));
        v.insert("summary".into(), json!(o.name));
        if let Some(a) = &o.action {
            v.insert("action".into(), json!(a));
        }
        if let Some(x) = &o.extension {
            v.insert("extension".into(), json!(x));
        }
        if let Some(b) = &o.request {
            v.insert("request".into(), json!(b.model));
        }
        v.insert("responses".into(), json!(o.responses.iter().map(|r| r.status).collect::<Vec<_>>()));
        v.insert("source".into(), source_json(&o.source));
        if !o.errata.is_empty() {
            v.insert("errata".into(), errata_json(&o.errata));
        }
        Value::Object(v)
    }

    /// Path, query and header parameters (the token header is the security scheme instead).
    fn parameters(&mut self, g: &Group) -> Result<Vec<Value>, OpenApiError> {
        let mut params: Vec<Value> = Vec::new();
        let mut seen: BTreeSet<(&str, String)> = BTreeSet::new();
        for o in &g.ops {
            for p in &o.path_params {
                if seen.insert(("path", p.name.clone())) {
                    params.push(self.param(p, "path", true, &o.id)?);
                }
            }
        }
        for o in &g.ops {
            for p in &o.query {
                if seen.insert(("query", p.name.clone())) {
                    params.push(self.param(p, "query", p.required, &o.id)?);
                }
            }
        }
        for o in &g.ops {
            for h in &o.request_headers {
                if o.auth == Auth::Token && h.role == Some(HeaderRole::AuthToken) {
                    continue;
                }
                if seen.insert(("header", h.name.to_ascii_lowercase())) {
                    let schema = if h.secret { json!({"type": "string", "format": "password"}) } else { json!({"type": "string"}) };
                    let mut v = Map::new();
                    v.insert("name".into(), json!(h.name));
                    v.insert("in".into(), json!("header"));
                    if let Some(d) = &h.doc {
                        v.insert("description".into(), json!(d));
                    }
                    v.insert("required".into(), json!(h.required));
                    v.insert("schema".into(), schema);
                    params.push(Value::Object(v));
                }
            }
        }
        Ok(params)
    }

    /// The request bodies of the group, per media type.
    fn request(&mut self, g: &Group) -> Result<Content, OpenApiError> {
        let mut request = Content::default();
        for o in &g.ops {
            if let Some(b) = &o.request {
                for f in &b.formats {
                    let c = self.body_component(*f, &b.model, b.wrap.as_deref(), &o.id)?;
                    request.add(media(*f), c);
                }
            }
        }
        Ok(request)
    }

    /// The normal responses and the fault responses of the group, by status.
    fn responses(&mut self, g: &Group) -> Result<BTreeMap<u16, ResponseAcc>, OpenApiError> {
        let mut responses: BTreeMap<u16, ResponseAcc> = BTreeMap::new();
        for o in &g.ops {
            let who = if g.ops.len() > 1 { format!("`{}`: ", o.id) } else { String::new() };
            for r in &o.responses {
                let acc = responses.entry(r.status).or_default();
                let body = r.model.clone().unwrap_or_else(|| "no body".to_string());
                let default = r.default_format.map(|f| format!(" The format when none is asked for: {}.", media(f))).unwrap_or_default();
                let doc = r.doc.as_deref().map(|d| format!(" {d}")).unwrap_or_default();
                acc.describe(format!("{who}{} ({body}).{doc}{default}", reason(r.status)));
                for h in &r.headers {
                    acc.header(&h.name, String::new());
                }
                if let Some(m) = &r.model {
                    for f in &r.formats {
                        let c = self.body_component(*f, m, r.wrap.as_deref(), &o.id)?;
                        acc.content.add(media(*f), c);
                    }
                }
            }
        }
        for o in &g.ops {
            let formats = Self::body_formats(o);
            for (f, codes) in self.op_faults(o) {
                for code in codes {
                    let mut acc = responses.remove(&code).unwrap_or_default();
                    self.add_fault(&mut acc, f, &formats, &o.id)?;
                    responses.insert(code, acc);
                }
            }
        }
        Ok(responses)
    }

    fn responses_json(responses: BTreeMap<u16, ResponseAcc>) -> Value {
        let mut rs = Map::new();
        for (status, acc) in responses {
            let mut r = Map::new();
            r.insert("description".into(), json!(acc.descriptions.join("\n\n")));
            if !acc.headers.is_empty() {
                let mut hs = Map::new();
                for (name, doc) in &acc.headers {
                    let mut h = Map::new();
                    if !doc.is_empty() {
                        h.insert("description".into(), json!(doc));
                    }
                    h.insert("schema".into(), json!({"type": "string"}));
                    hs.insert(name.clone(), Value::Object(h));
                }
                r.insert("headers".into(), Value::Object(hs));
            }
            if !acc.content.schemas.is_empty() {
                r.insert("content".into(), acc.content.to_json("anyOf"));
            }
            if !acc.faults.is_empty() {
                r.insert("x-faults".into(), json!(acc.faults));
            }
            rs.insert(status.to_string(), Value::Object(r));
        }
        Value::Object(rs)
    }

    /// Attaches every example of the group's operations: bodies under their media type
    /// (request, or the response with their status, faults included); the rest are returned
    /// for `x-examples`.
    fn place_examples(
        &mut self,
        g: &Group,
        request: &mut Content,
        responses: &mut BTreeMap<u16, ResponseAcc>,
    ) -> Result<Map<String, Value>, OpenApiError> {
        let merged = g.ops.len() > 1;
        let mut other = Map::new();
        for e in &self.s.examples {
            let Some(o) = g.ops.iter().find(|o| o.id == e.operation) else { continue };
            let fmt = match e.format {
                ExampleFormat::Json => Some(Format::Json),
                ExampleFormat::Xml => Some(Format::Xml),
                ExampleFormat::Text => Some(Format::Text),
                ExampleFormat::Shell | ExampleFormat::Http => None,
            };
            let obj = self.example_object(e, merged);
            let target: Option<&mut Content> = match (fmt, e.direction) {
                (Some(_), Direction::Request) => Some(&mut *request),
                (Some(f), Direction::Response) => {
                    let status = e.status.unwrap_or(0);
                    let normal = o.responses.iter().any(|r| r.status == status && r.formats.contains(&f));
                    if !normal {
                        if let Some(fault) = self.example_fault(e, o) {
                            let mut acc = responses.remove(&status).unwrap_or_default();
                            self.add_fault(&mut acc, fault, &[f], &o.id)?;
                            responses.insert(status, acc);
                        }
                    }
                    responses.get_mut(&status).map(|acc| &mut acc.content)
                }
                _ => None,
            };
            let placed = match (target, fmt) {
                (Some(content), Some(f)) if content.schemas.contains_key(media(f)) => {
                    content.examples.entry(media(f)).or_default().insert(e.id.clone(), obj.clone());
                    true
                }
                _ => false,
            };
            if !placed {
                let mut x = obj;
                if let Some(m) = x.as_object_mut() {
                    m.insert("x-direction".into(), serde_json::to_value(e.direction).unwrap_or(Value::Null));
                    m.insert("x-format".into(), serde_json::to_value(e.format).unwrap_or(Value::Null));
                    if let Some(s) = e.status {
                        m.insert("x-status".into(), json!(s));
                    }
                }
                other.insert(e.id.clone(), x);
            }
        }
        Ok(other)
    }

    /// The fault whose body an error example shows (by its JSON key or XML root element).
    fn example_fault(&self, e: &Example, o: &Operation) -> Option<&'a Fault> {
        self.s.fault_named(o.api, &e.root_name()?)
    }

    // ------------------------------------------------------------------ document


    fn info(&self) -> Value {
        let info = self.s.api(self.api);
        let title = info.map_or(self.api.as_str(), |a| a.title.as_str());
        let version = info.map_or("", |a| a.version.as_str());
        let mut docs: BTreeSet<schema::DocumentKey> = BTreeSet::new();
        for o in self.s.operations.iter().filter(|o| o.api == self.api) {
            docs.insert(o.source.document);
        }
        for e in &self.s.examples {
            if self.s.operation(&e.operation).is_some_and(|o| o.api == self.api) {
                docs.insert(e.source.document);
            }
        }
        let mut lines = vec![
            format!("{title}, generated by codegen from the Cloud Servers schema (schema/data), which transcribes these source documents:"),
            String::new(),
        ];
        let mut list = Vec::new();
        for d in &docs {
            let inv = self.s.inventories.get(d);
            let t = inv.and_then(|i| i.title.clone()).unwrap_or_else(|| d.as_str().to_string());
            let file = inv.and_then(|i| i.file.clone());
            let file_note = file.as_deref().map(|f| format!(" (file {f})")).unwrap_or_default();
            lines.push(format!("- `{}`: {t}{file_note}", d.as_str()));
            let mut v = Map::new();
            v.insert("key".into(), json!(d.as_str()));
            v.insert("title".into(), json!(t));
            if let Some(f) = file {
                v.insert("file".into(), json!(f));
            }
            list.push(Value::Object(v));
        }
        lines.push(String::new());
        lines.push("Every operation, model, fault and example cites its place in these documents (`x-source`, descriptions); corrections of the documents are recorded as errata. Operations that share a method and path (server actions) are merged into one OpenAPI operation listing them in `x-operations`; shell and header-only examples are under `x-examples`.".to_string());
        json!({
            "title": title,
            "version": version,
            "description": lines.join("\n"),
            "x-documents": list
        })
    }

    fn document(mut self) -> Result<Value, OpenApiError> {
        let mut doc = Map::new();
        doc.insert("openapi".into(), json!(OPENAPI_VERSION));
        doc.insert("info".into(), self.info());
        doc.insert("jsonSchemaDialect".into(), json!("https://spec.openapis.org/oas/3.1/dialect/base"));
        let info = self.s.api(self.api);
        let host_servers = |path: &str| -> Value { Value::Array(info.map(|a| a.hosts_for(path)).unwrap_or_default().into_iter().map(server).collect()) };
        let default_servers = match info.and_then(|a| a.endpoint.as_ref()) {
            Some(s) => json!([server(s)]),
            None => host_servers(""),
        };
        doc.insert("servers".into(), default_servers.clone());

        // Every model of the API is a component, even when no operation uses it directly.
        let (all, api) = (self.s, self.api);
        for m in all.models.iter().filter(|m| m.api() == Some(api)) {
            self.model_ref(&m.id, "the API")?;
        }

        let mut paths = Map::new();
        let mut tags: BTreeSet<String> = BTreeSet::new();
        let mut uses_token = false;
        for (path, groups) in self.groups() {
            let bases: BTreeSet<bool> = groups.iter().flat_map(|g| g.ops.iter().map(|o| o.base == Base::Host)).collect();
            if bases.len() > 1 {
                return Err(OpenApiError::MixedBase(path));
            }
            let mut item = Map::new();
            let host = bases.contains(&true);
            if host {
                let servers = host_servers(&path);
                if servers != default_servers {
                    item.insert("servers".into(), servers);
                }
            }
            for g in &groups {
                uses_token |= g.ops.iter().any(|o| o.auth == Auth::Token);
                let op = self.operation(&path, g)?;
                if let Some(t) = op["tags"].as_array().and_then(|t| t.first()).and_then(Value::as_str) {
                    tags.insert(t.to_string());
                }
                item.insert(g.method.to_ascii_lowercase(), op);
            }
            paths.insert(path, Value::Object(item));
        }
        self.render_models()?;

        doc.insert("tags".into(), Value::Array(tags.into_iter().map(|t| json!({"name": t})).collect()));
        doc.insert("paths".into(), Value::Object(paths));
        let mut components = Map::new();
        let schemas: Map<String, Value> = std::mem::take(&mut self.components).into_iter().map(|(k, (_, v))| (k, v)).collect();
        components.insert("schemas".into(), Value::Object(schemas));
        if uses_token {
            components.insert(
                "securitySchemes".into(),
                json!({ TOKEN_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": self.s.token_header().unwrap_or_default(),
                    "description": "The authentication token from the identity service (identity.v2.tokens.create or identity.v1.0.auth); it expires, and a 401 means authenticate again."
                }}),
            );
        }
        doc.insert("components".into(), Value::Object(components));
        Ok(Value::Object(doc))
    }
}

/// A small YAML emitter for JSON values (block style), so no YAML crate is needed.
mod yaml {
    use serde_json::Value;

    fn pad(out: &mut String, n: usize) {
        out.extend(std::iter::repeat_n(' ', n));
    }

    /// A key that YAML reads back as the same string without quotes.
    fn plain_key(k: &str) -> bool {
        let mut chars = k.chars();
        let Some(first) = chars.next() else { return false };
        const RESERVED: [&str; 12] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "~"];
        (first.is_ascii_alphabetic() || first == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !RESERVED.contains(&k.to_ascii_lowercase().as_str())
    }

    /// A double-quoted scalar; every character YAML could misread is escaped.
    pub(super) fn quoted(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                }
                '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// A multi-line string as a literal block, when YAML reads it back unchanged.
    fn literal(s: &str, indent: usize) -> Option<String> {
        if !s.contains('\n') || s.ends_with("\n\n") || s.starts_with([' ', '\t', '\n']) {
            return None;
        }
        let printable = s.chars().all(|c| {
            c == '\n' || c == '\t' || (c >= ' ' && !('\u{7f}'..='\u{9f}').contains(&c) && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
        });
        // A line of only blanks could be read as an empty line: quote such strings instead.
        let blank_line = s.split('\n').any(|l| !l.is_empty() && l.trim_matches([' ', '\t']).is_empty());
        if !printable || blank_line {
            return None;
        }
        let (body, chomp) = match s.strip_suffix('\n') {
            Some(b) => (b, ""),
            None => (s, "-"),
        };
        let mut out = format!("|{chomp}\n");
        for line in body.split('\n') {
            if !line.is_empty() {
                pad(&mut out, indent);
                out.push_str(line);
            }
            out.push('\n');
        }
        Some(out)
    }

    fn scalar(v: &Value, indent: usize) -> Option<String> {
        match v {
            Value::Null => Some("null\n".into()),
            Value::Bool(b) => Some(format!("{b}\n")),
            Value::Number(n) => Some(format!("{n}\n")),
            Value::String(s) => Some(literal(s, indent).unwrap_or_else(|| format!("{}\n", quoted(s)))),
            Value::Array(a) if a.is_empty() => Some("[]\n".into()),
            Value::Object(o) if o.is_empty() => Some("{}\n".into()),
            _ => None,
        }
    }

    /// Writes `v` at `indent`; with `inline`, its first line continues the current line.
    pub(super) fn node(out: &mut String, v: &Value, indent: usize, inline: bool) {
        if let Some(s) = scalar(v, indent) {
            if inline {
                out.push(' ');
            }
            out.push_str(&s);
            return;
        }
        match v {
            Value::Object(o) => {
                for (i, (k, val)) in o.iter().enumerate() {
                    if i > 0 || !inline {
                        pad(out, indent);
                    } else {
                        out.push(' ');
                    }
                    if plain_key(k) {
                        out.push_str(k);
                    } else {
                        out.push_str(&quoted(k));
                    }
                    out.push(':');
                    if let Some(s) = scalar(val, indent + 2) {
                        out.push(' ');
                        out.push_str(&s);
                    } else {
                        out.push('\n');
                        node(out, val, indent + 2, false);
                    }
                }
            }
            Value::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    if i > 0 || !inline {
                        pad(out, indent);
                    } else {
                        out.push(' ');
                    }
                    out.push('-');
                    node(out, item, indent + 2, true);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::yaml::quoted;
    use super::*;

    #[test]
    fn yaml_quotes_what_yaml_would_misread() {
        assert_eq!(quoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quoted("\u{1}\u{85}\u{2028}"), "\"\\x01\\x85\\u2028\"");
    }

    #[test]
    fn yaml_block_layout() {
        let v = json!({"a": [1, {"b": "x", "c": []}, [true, null]], "200": {}, "t": "l1\nl2\n", "u": " lead\nx"});
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "a:\n  - 1\n  - b: \"x\"\n    c: []\n  - - true\n    - null\n\"200\": {}\nt: |\n  l1\n  l2\nu: \" lead\\nx\"\n"
        );
    }

    #[test]
    fn nullable_adds_null_to_type_or_wraps_refs() {
        assert_eq!(nullable(json!({"type": "string"})), json!({"type": ["string", "null"]}));
        assert_eq!(nullable(json!({"$ref": "#/x"})), json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]}));
    }
}
