//! Whether a JSON value or an XML element conforms to a body model.
//!
//! Checking is strict where clients are lenient: a documented example must use only
//! documented fields and values, so an example that does not conform means the model
//! is incomplete or the example is defective (and needs an erratum).

use crate::models::{Field, FieldXml, Model, ModelKind, Scalar, TypeExpr};
use crate::xml::{Element, Name};
use crate::Schema;
use serde_json::Value;

/// Checks values against the models of one schema.
pub struct Checker<'a> {
    schema: &'a Schema,
}

/// One way a value departs from its model: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// A JSON pointer, or an element path with its line for XML.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl<'a> Checker<'a> {
    /// A checker over `schema`'s models and namespaces.
    pub fn new(schema: &'a Schema) -> Self {
        Checker { schema }
    }

    fn ns_uri(&self, prefix: Option<&str>) -> Option<String> {
        prefix.map(|p| self.schema.namespace(p).map_or_else(|| format!("urn:unknown-prefix:{p}"), |n| n.uri.clone()))
    }

    /// The namespace URI of a model's element.
    pub fn model_ns(&self, model: &Model) -> Option<String> {
        self.ns_uri(model.xml.as_ref().and_then(|x| x.ns.as_deref()))
    }

    // ---------------------------------------------------------------- JSON

    /// Checks a JSON value against a type.
    pub fn json(&self, v: &Value, ty: &TypeExpr, at: &str, out: &mut Vec<Mismatch>) {
        let miss = |out: &mut Vec<Mismatch>, m: String| out.push(Mismatch { at: at.to_string(), message: m });
        match ty {
            TypeExpr::Scalar(s) => {
                if let Err(m) = json_scalar(v, *s) {
                    miss(out, m);
                }
            }
            TypeExpr::Array(inner) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.json(item, inner, &format!("{at}/{i}"), out);
                    }
                }
                None => miss(out, format!("expected an array, found {}", kind_of(v))),
            },
            TypeExpr::Map(inner) => match v.as_object() {
                Some(obj) => {
                    for (k, item) in obj {
                        self.json(item, inner, &format!("{at}/{}", esc(k)), out);
                    }
                }
                None => miss(out, format!("expected an object, found {}", kind_of(v))),
            },
            TypeExpr::Model(id) | TypeExpr::Enum(id) => match self.schema.model(id) {
                Some(m) => self.json_model(v, m, at, out),
                None => miss(out, format!("unknown model `{id}`")),
            },
        }
    }

    /// Checks a JSON value against a model.
    pub fn json_model(&self, v: &Value, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        let miss = |out: &mut Vec<Mismatch>, msg: String| out.push(Mismatch { at: at.to_string(), message: msg });
        match m.kind {
            ModelKind::Object => {
                // An action without arguments is sent as `{"confirmResize": null}`.
                if v.is_null() && !m.fields.iter().any(|f| f.required && f.json) {
                    return;
                }
                let Some(obj) = v.as_object() else {
                    return miss(out, format!("expected an object ({}), found {}", m.id, kind_of(v)));
                };
                for (k, val) in obj {
                    let child = format!("{at}/{}", esc(k));
                    match m.fields.iter().find(|f| f.json && f.name == *k) {
                        Some(f) => {
                            if val.is_null() {
                                if !f.nullable {
                                    out.push(Mismatch { at: child, message: format!("`{k}` is null but {} does not allow null", m.id) });
                                }
                            } else {
                                self.json(val, &f.ty, &child, out);
                            }
                        }
                        None => out.push(Mismatch { at: child, message: format!("unexpected key `{k}`: {} has no such field", m.id) }),
                    }
                }
                for f in m.fields.iter().filter(|f| f.required && f.json) {
                    if !obj.contains_key(&f.name) {
                        miss(out, format!("missing required field `{}` of {}", f.name, m.id));
                    }
                }
            }
            ModelKind::Map => {
                let Some(obj) = v.as_object() else {
                    return miss(out, format!("expected an object ({}), found {}", m.id, kind_of(v)));
                };
                if let Some(t) = m.map_values() {
                    for (k, val) in obj {
                        if val.is_null() && m.nullable_values {
                            continue;
                        }
                        self.json(val, t, &format!("{at}/{}", esc(k)), out);
                    }
                }
            }
            ModelKind::Array => match (v.as_array(), &m.items) {
                (Some(items), Some(t)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.json(item, t, &format!("{at}/{i}"), out);
                    }
                }
                (None, _) => miss(out, format!("expected an array ({}), found {}", m.id, kind_of(v))),
                _ => {}
            },
            ModelKind::Enum => match v.as_str() {
                Some(s) => {
                    if let Err(msg) = enum_value(m, s) {
                        miss(out, msg);
                    }
                }
                None => miss(out, format!("expected a string of {}, found {}", m.id, kind_of(v))),
            },
            ModelKind::Text => {
                if let Some(t) = &m.text_type {
                    self.json(v, t, at, out);
                }
            }
            ModelKind::Union => self.json_union(v, m, at, out),
        }
    }

    /// A union conforms when any variant does; otherwise the departures from the first
    /// variant whose shape (wrap key) fits are reported, or from the documented one.
    fn json_union(&self, v: &Value, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        let mut reports: Vec<(bool, Vec<Mismatch>)> = Vec::new();
        for variant in &m.variants {
            let Some(vm) = self.schema.model(&variant.model) else {
                reports.push((false, vec![Mismatch { at: at.to_string(), message: format!("unknown model `{}`", variant.model) }]));
                continue;
            };
            let mut found = Vec::new();
            let fits = match &variant.wrap {
                Some(w) => match v.as_object() {
                    Some(obj) if obj.len() == 1 && obj.contains_key(w) => {
                        self.json_model(&obj[w], vm, &format!("{at}/{}", esc(w)), &mut found);
                        true
                    }
                    _ => {
                        found.push(Mismatch { at: at.to_string(), message: format!("expected an object with the single key `{w}`") });
                        false
                    }
                },
                None => {
                    self.json_model(v, vm, at, &mut found);
                    true
                }
            };
            if found.is_empty() {
                return;
            }
            reports.push((fits, found));
        }
        let best = reports.iter().position(|(fits, _)| *fits).unwrap_or(0);
        if let Some((_, found)) = reports.into_iter().nth(best) {
            out.push(Mismatch { at: at.to_string(), message: format!("the body matches no variant of {}; against variant {}:", m.id, best + 1) });
            out.extend(found);
        }
    }

    // ---------------------------------------------------------------- text

    /// Checks a text value (an XML attribute or element text, or a plain-text body) against a type.
    pub fn text(&self, s: &str, ty: &TypeExpr) -> Result<(), String> {
        match ty {
            TypeExpr::Scalar(sc) => text_scalar(s, *sc),
            TypeExpr::Enum(id) | TypeExpr::Model(id) => match self.schema.model(id) {
                Some(m) if m.kind == ModelKind::Enum => enum_value(m, s),
                Some(m) if m.kind == ModelKind::Text => match &m.text_type {
                    Some(t) => self.text(s, t),
                    None => Ok(()),
                },
                Some(m) => Err(format!("{} is a {:?} model, not a text value", m.id, m.kind)),
                None => Err(format!("unknown model `{id}`")),
            },
            TypeExpr::Array(_) | TypeExpr::Map(_) => Err(format!("a {ty} cannot be a text value")),
        }
    }

    // ---------------------------------------------------------------- XML

    /// Checks an XML root element against a model whose element it must be.
    pub fn xml_root(&self, el: &Element, m: &Model, root_name: Option<&str>, out: &mut Vec<Mismatch>) {
        if m.kind == ModelKind::Union {
            let mut roots = Vec::new();
            for variant in &m.variants {
                let Some(vm) = self.schema.model(&variant.model) else { continue };
                let Some(local) = vm.xml.as_ref().and_then(|x| x.element.clone()) else { continue };
                let name = Name { ns: self.model_ns(vm), local };
                if name == el.name {
                    return self.xml_root(el, vm, None, out);
                }
                roots.push(format!("{name} ({})", vm.id));
            }
            return out.push(Mismatch {
                at: format!("line {}", el.line),
                message: format!("root element is {}, expected one of the variants of {}: {}", el.name, m.id, roots.join(", ")),
            });
        }
        let expected_local = root_name.or_else(|| m.xml.as_ref().and_then(|x| x.element.as_deref()));
        let expected = expected_local.map(|l| Name { ns: self.model_ns(m), local: l.to_string() });
        match expected {
            Some(exp) if exp != el.name => out.push(Mismatch {
                at: format!("line {}", el.line),
                message: format!("root element is {}, expected {} ({})", el.name, exp, m.id),
            }),
            None => out.push(Mismatch { at: format!("line {}", el.line), message: format!("{} has no XML element", m.id) }),
            _ => self.xml_model(el, m, &format!("/{}", el.name.local), out),
        }
    }

    fn xml_miss(out: &mut Vec<Mismatch>, el: &Element, at: &str, message: String) {
        out.push(Mismatch { at: format!("line {} {at}", el.line), message });
    }

    /// Checks the content of an element (its name already matched) against a model.
    pub fn xml_model(&self, el: &Element, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        let own_ns = el.name.ns.clone();
        match m.kind {
            ModelKind::Object => self.xml_object(el, m, own_ns, at, out),
            ModelKind::Map => self.xml_map(el, m, at, out),
            ModelKind::Array => {
                let item_xml = m.xml.as_ref().and_then(|x| x.item.as_ref());
                let item_local = item_xml.and_then(|i| i.element.clone());
                let item_attr = item_xml.and_then(|i| i.value_attribute.as_deref());
                for child in &el.children {
                    if let Some(l) = &item_local {
                        if &child.name.local != l {
                            Self::xml_miss(out, child, at, format!("unexpected element {}: items of {} are <{l}>", child.name, m.id));
                            continue;
                        }
                    }
                    if let Some(t) = &m.items {
                        self.xml_value_element(child, t, item_attr, &format!("{at}/{}", child.name.local), out);
                    }
                }
            }
            ModelKind::Union => self.xml_root(el, m, None, out),
            ModelKind::Enum | ModelKind::Text => {
                let ty = TypeExpr::Model(m.id.clone());
                if let Err(msg) = self.text(el.text.trim(), &ty) {
                    Self::xml_miss(out, el, at, msg);
                }
            }
        }
    }

    fn field_ns(&self, x: &FieldXml, parent_ns: &Option<String>, attribute: bool) -> Option<String> {
        match &x.ns {
            Some(p) => self.ns_uri(Some(p)),
            None if attribute => None,
            None => parent_ns.clone(),
        }
    }

    fn xml_object(&self, el: &Element, m: &Model, own_ns: Option<String>, at: &str, out: &mut Vec<Mismatch>) {
        let xml_fields: Vec<(&Field, &FieldXml)> =
            m.fields.iter().filter_map(|f| f.xml.as_ref().filter(|x| !x.json_only).map(|x| (f, x))).collect();
        for (name, value) in &el.attributes {
            if name.ns.as_deref() == Some("http://www.w3.org/2001/XMLSchema-instance") {
                continue;
            }
            let field = xml_fields.iter().find(|(_, x)| {
                x.attribute.as_deref() == Some(name.local.as_str()) && self.field_ns(x, &own_ns, true) == name.ns
            });
            match field {
                Some((f, _)) => {
                    let ty = match &f.ty {
                        TypeExpr::Array(inner) => inner.as_ref().clone(),
                        t => t.clone(),
                    };
                    if let Err(msg) = self.text(value, &ty) {
                        Self::xml_miss(out, el, &format!("{at}/@{}", name.local), msg);
                    }
                }
                None => Self::xml_miss(out, el, at, format!("unexpected attribute {name}: {} has no such field", m.id)),
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for child in &el.children {
            let child_at = format!("{at}/{}", child.name.local);
            let by_element = xml_fields.iter().find(|(_, x)| {
                x.element.as_deref() == Some(child.name.local.as_str())
                    && x.wrapper.is_none()
                    && self.field_ns(x, &own_ns, false) == child.name.ns
            });
            let by_wrapper = xml_fields.iter().find(|(_, x)| {
                x.wrapper.as_deref() == Some(child.name.local.as_str()) && self.field_ns(x, &own_ns, false) == child.name.ns
            });
            if let Some((f, _)) = by_element {
                let is_array = matches!(f.ty, TypeExpr::Array(_));
                if !is_array && seen.contains(&f.name.as_str()) {
                    Self::xml_miss(out, child, &child_at, format!("element {} repeated but field `{}` is not an array", child.name, f.name));
                }
                seen.push(&f.name);
                let item_ty = match &f.ty {
                    TypeExpr::Array(inner) => inner.as_ref(),
                    t => t,
                };
                self.xml_value_element(child, item_ty, x_value_attr(by_element), &child_at, out);
            } else if let Some((f, x)) = by_wrapper {
                seen.push(&f.name);
                let item_ty = match &f.ty {
                    TypeExpr::Array(inner) => inner.as_ref(),
                    t => t,
                };
                for item in &child.children {
                    let item_at = format!("{child_at}/{}", item.name.local);
                    let ok_name = x.element.as_deref().is_none_or(|l| l == item.name.local);
                    if !ok_name {
                        Self::xml_miss(out, item, &item_at, format!("unexpected element {} in <{}>: items are <{}>", item.name, child.name.local, x.element.as_deref().unwrap_or("?")));
                        continue;
                    }
                    self.xml_value_element(item, item_ty, x.value_attribute.as_deref(), &item_at, out);
                }
            } else {
                Self::xml_miss(out, child, &child_at, format!("unexpected element {}: {} has no such field", child.name, m.id));
            }
        }
        let text = el.text.trim();
        if !text.is_empty() {
            match xml_fields.iter().find(|(_, x)| x.text) {
                Some((f, _)) => {
                    if let Err(msg) = self.text(text, &f.ty) {
                        Self::xml_miss(out, el, &format!("{at}/text()"), msg);
                    }
                }
                None => Self::xml_miss(out, el, at, format!("unexpected text `{}`: {} has no text field", short(text), m.id)),
            }
        }
        for (f, x) in &xml_fields {
            if !f.required {
                continue;
            }
            let present = if let Some(a) = &x.attribute {
                el.attributes.iter().any(|(n, _)| &n.local == a)
            } else if x.text {
                !text.is_empty()
            } else {
                let local = x.wrapper.as_ref().or(x.element.as_ref());
                el.children.iter().any(|c| Some(&c.name.local) == local)
            };
            if !present {
                Self::xml_miss(out, el, at, format!("missing required field `{}` of {}", f.name, m.id));
            }
        }
    }

    /// An element that holds one value of `ty`: text for scalars, content for models.
    fn xml_value_element(&self, el: &Element, ty: &TypeExpr, value_attr: Option<&str>, at: &str, out: &mut Vec<Mismatch>) {
        match ty {
            TypeExpr::Scalar(_) | TypeExpr::Enum(_) => {
                let text = match value_attr {
                    Some(a) => match el.attribute(&Name { ns: None, local: a.to_string() }) {
                        Some(v) => v,
                        None => return Self::xml_miss(out, el, at, format!("missing value attribute `{a}`")),
                    },
                    None => el.text.trim(),
                };
                if let Err(msg) = self.text(text, ty) {
                    Self::xml_miss(out, el, at, msg);
                }
            }
            TypeExpr::Model(id) => match self.schema.model(id) {
                Some(m) => self.xml_model(el, m, at, out),
                None => Self::xml_miss(out, el, at, format!("unknown model `{id}`")),
            },
            TypeExpr::Array(inner) => {
                for child in &el.children {
                    self.xml_value_element(child, inner, None, &format!("{at}/{}", child.name.local), out);
                }
            }
            TypeExpr::Map(_) => Self::xml_miss(out, el, at, "a free map has no XML form; use a map model".into()),
        }
    }

    fn xml_map(&self, el: &Element, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        let Some(x) = &m.xml else {
            return Self::xml_miss(out, el, at, format!("{} has no XML mapping", m.id));
        };
        let key_attr = x.key.as_deref().unwrap_or("key");
        let entries: Vec<&Element> = match &x.entry {
            Some(entry) => {
                let mut v = Vec::new();
                for child in &el.children {
                    if &child.name.local == entry {
                        v.push(child);
                    } else {
                        Self::xml_miss(out, child, at, format!("unexpected element {}: entries of {} are <{entry}>", child.name, m.id));
                    }
                }
                v
            }
            None => vec![el],
        };
        let Some(value_ty) = m.map_values() else { return };
        for entry in entries {
            let entry_at = format!("{at}/{}", entry.name.local);
            let key = Name { ns: None, local: key_attr.to_string() };
            if entry.attribute(&key).is_none() {
                Self::xml_miss(out, entry, &entry_at, format!("entry of {} lacks its key attribute `{key_attr}`", m.id));
            }
            for (n, _) in &entry.attributes {
                let allowed = n.local == key_attr || x.value_attribute.as_deref() == Some(n.local.as_str());
                if !allowed {
                    Self::xml_miss(out, entry, &entry_at, format!("unexpected attribute {n} on an entry of {}", m.id));
                }
            }
            if let Some(va) = &x.value_attribute {
                let name = Name { ns: None, local: va.clone() };
                match entry.attribute(&name) {
                    Some(v) => {
                        if let Err(msg) = self.text(v, value_ty) {
                            Self::xml_miss(out, entry, &entry_at, msg);
                        }
                    }
                    None => Self::xml_miss(out, entry, &entry_at, format!("entry of {} lacks its value attribute `{va}`", m.id)),
                }
            } else {
                self.xml_value_element(entry, value_ty, None, &entry_at, out);
            }
        }
    }
}

fn x_value_attr<'f>(found: Option<&(&Field, &'f FieldXml)>) -> Option<&'f str> {
    found.and_then(|(_, x)| x.value_attribute.as_deref())
}

fn esc(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn enum_value(m: &Model, s: &str) -> Result<(), String> {
    if m.enum_values().iter().any(|v| v.value == s) {
        Ok(())
    } else {
        let known: Vec<&str> = m.enum_values().iter().map(|v| v.value.as_str()).collect();
        Err(format!("`{s}` is not a documented value of {} ({})", m.id, known.join(", ")))
    }
}

fn json_scalar(v: &Value, s: Scalar) -> Result<(), String> {
    let ok = match s {
        Scalar::Any => true,
        Scalar::Integer | Scalar::UnixTime => v.is_i64() || v.is_u64(),
        Scalar::Number => v.is_number(),
        Scalar::Boolean => v.is_boolean(),
        Scalar::IntegerOrUuid => v.is_i64() || v.is_u64() || v.is_string(),
        _ => match v.as_str() {
            Some(text) => return text_scalar(text, s),
            None => false,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {}, found {}", s.as_str(), kind_of(v)))
    }
}

fn text_scalar(text: &str, s: Scalar) -> Result<(), String> {
    let bad = |what: &str| Err(format!("`{}` is not {what}", short(text)));
    match s {
        Scalar::Integer | Scalar::UnixTime => {
            if text.parse::<i64>().is_ok() {
                Ok(())
            } else {
                bad("an integer")
            }
        }
        Scalar::Number => {
            if text.parse::<f64>().is_ok() {
                Ok(())
            } else {
                bad("a number")
            }
        }
        Scalar::Boolean => {
            if matches!(text, "true" | "false" | "True" | "False") {
                Ok(())
            } else {
                bad("a boolean")
            }
        }
        Scalar::DateTime => {
            let b = text.as_bytes();
            let looks = b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
            if looks {
                Ok(())
            } else {
                bad("an ISO 8601 date-time")
            }
        }
        Scalar::Ipv4 => {
            if text.is_empty() || text.parse::<std::net::Ipv4Addr>().is_ok() {
                Ok(())
            } else {
                bad("an IPv4 address")
            }
        }
        Scalar::Ipv6 => {
            if text.is_empty() || text.parse::<std::net::Ipv6Addr>().is_ok() {
                Ok(())
            } else {
                bad("an IPv6 address")
            }
        }
        Scalar::Ip => {
            if text.is_empty() || text.parse::<std::net::IpAddr>().is_ok() {
                Ok(())
            } else {
                bad("an IP address")
            }
        }
        Scalar::Base64 => {
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let ok = clean.len() % 4 == 0
                && clean.trim_end_matches('=').chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/');
            if ok {
                Ok(())
            } else {
                bad("base64")
            }
        }
        Scalar::Uuid => {
            let ok = text.chars().all(|c| c.is_ascii_hexdigit() || c == '-') && !text.is_empty();
            if ok {
                Ok(())
            } else {
                bad("a UUID")
            }
        }
        Scalar::String | Scalar::Uri | Scalar::Secret | Scalar::IntegerOrUuid | Scalar::Any => Ok(()),
    }
}
