//! The strict validator: every departure of a JSON value or an XML element from its
//! model, each with a path.

use crate::scalars::{check_text, short, Scalar};
use crate::{Base, Catalog, Container, Field, FieldXml, Kind, Model, Type};
use serde_json::Value;
use std::fmt;
use xml_dom::{Element, Name};

/// The kinds of departure from the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// A required field, attribute or element is absent.
    Missing,
    /// `null` where the documents give a value.
    Null,
    /// A value of another JSON or XML type than the documented one.
    WrongType,
    /// A number sent as a numeric string (`"2"`).
    NumericString,
    /// An empty string where a number is documented.
    EmptyString,
    /// An enumeration value the documents do not list.
    UndocumentedValue,
    /// A text that is not a valid value of its type (a date-time, a UUID, an address).
    BadValue,
    /// A key, attribute, element or text the model does not have.
    Undocumented,
    /// An element or attribute in another namespace than the documented one.
    Namespace,
    /// A single-valued element given more than once.
    Repeated,
    /// A root element other than the documented one.
    Root,
    /// A body in a shape readers accept but the documents do not show.
    Shape,
    /// The schema itself refers to a model it lacks.
    UnknownModel,
}

impl FindingKind {
    /// A short stable name (`missing`, `numeric-string`...), for reports and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Missing => "missing",
            FindingKind::Null => "null",
            FindingKind::WrongType => "wrong-type",
            FindingKind::NumericString => "numeric-string",
            FindingKind::EmptyString => "empty-string",
            FindingKind::UndocumentedValue => "undocumented-value",
            FindingKind::BadValue => "bad-value",
            FindingKind::Undocumented => "undocumented",
            FindingKind::Namespace => "namespace",
            FindingKind::Repeated => "repeated",
            FindingKind::Root => "root",
            FindingKind::Shape => "shape",
            FindingKind::UnknownModel => "unknown-model",
        }
    }
}

/// One departure of a body from its model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where: a JSON pointer (`/server/OS-EXT-STS:vm_state`; `""`, shown as `/`, for the
    /// whole document), or an element path for XML (`/server/metadata/meta/@key`).
    pub path: String,
    /// The line of the XML element, when the body is XML.
    pub line: Option<usize>,
    /// What kind of departure.
    pub kind: FindingKind,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line} ")?;
        }
        write!(f, "{}: {}", if self.path.is_empty() { "/" } else { &self.path }, self.message)
    }
}

/// Every departure of a JSON body from the model `model_id` (its wrapping key removed).
pub fn validate_json<'a>(catalog: &dyn Catalog<'a>, model_id: &str, value: &Value, path: &str) -> Vec<Finding> {
    let mut v = Validator { catalog, out: Vec::new() };
    v.model_by_id(value, model_id, path);
    v.out
}

/// Every departure of the content of an XML element (its name already matched) from the
/// model `model_id`.
pub fn validate_xml<'a>(catalog: &dyn Catalog<'a>, model_id: &str, el: &Element, path: &str) -> Vec<Finding> {
    let mut v = Validator { catalog, out: Vec::new() };
    match catalog.model(model_id) {
        Some(m) => v.xml_model(el, m, path),
        None => v.unknown(path, Some(el.line), model_id),
    }
    v.out
}

/// Every departure of an XML document's root from the model `model_id`: its name (`root`
/// overrides the model's element, as a fault's name does) and its content.
pub fn validate_xml_root<'a>(catalog: &dyn Catalog<'a>, model_id: &str, root: Option<&str>, el: &Element) -> Vec<Finding> {
    let mut v = Validator { catalog, out: Vec::new() };
    let at = format!("/{}", el.name.local);
    let Some(m) = catalog.model(model_id) else {
        v.unknown(&at, Some(el.line), model_id);
        return v.out;
    };
    let m = match &m.kind {
        Kind::Union { variants } => {
            let chosen = variants.iter().filter_map(|var| catalog.model(&var.model)).find(|vm| {
                vm.element.as_ref().is_some_and(|e| e.local == el.name.local.as_str())
            });
            match chosen {
                Some(vm) => vm,
                None => match variants.first().and_then(|var| catalog.model(&var.model)) {
                    Some(vm) => vm,
                    None => return v.out,
                },
            }
        }
        _ => m,
    };
    let local = root.map(str::to_string).or_else(|| m.element.as_ref().map(|e| e.local.to_string()).filter(|l| !l.is_empty()));
    let Some(local) = local else {
        v.push(format!("/{}", el.name.local), Some(el.line), FindingKind::Root, format!("{} has no XML form", m.id));
        return v.out;
    };
    let ns = m.element.as_ref().and_then(|e| e.ns.as_deref());
    if el.name.local != local {
        let expected = Name { ns: ns.map(str::to_string), local };
        v.push(at, Some(el.line), FindingKind::Root, format!("root element is {}, expected {expected} ({})", el.name, m.id));
        return v.out;
    }
    if el.name.ns.as_deref() != ns {
        v.push(at.clone(), Some(el.line), FindingKind::Namespace, format!(
            "root element in namespace {}, documented {}",
            el.name.ns.as_deref().unwrap_or("(none)"),
            ns.unwrap_or("(none)")
        ));
    }
    v.xml_model(el, m, &at);
    v.out
}

struct Validator<'c, 'a> {
    catalog: &'c dyn Catalog<'a>,
    out: Vec<Finding>,
}

fn esc(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
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

fn split<'t>(ty: &Type<'t>) -> Option<(Container, Type<'t>)> {
    ty.inner()
}

impl<'a> Validator<'_, 'a> {
    fn push(&mut self, path: String, line: Option<usize>, kind: FindingKind, message: String) {
        self.out.push(Finding { path, line, kind, message });
    }

    /// A value found in one of a field's alternative XML forms, not the documented one.
    fn alternative(&mut self, at: &str, line: usize, f: &Field<'_>) {
        self.push(at.into(), Some(line), FindingKind::Shape, format!("`{}` in an XML form readers accept, not the documented one", f.name));
    }

    fn unknown(&mut self, at: &str, line: Option<usize>, id: &str) {
        self.push(at.to_string(), line, FindingKind::UnknownModel, format!("unknown model `{id}`"));
    }

    // ------------------------------------------------------------------ JSON

    fn json(&mut self, v: &Value, ty: &Type<'_>, at: &str) {
        if let Some((c, inner)) = split(ty) {
            match (c, v) {
                (Container::Array, Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.json(item, &inner, &format!("{at}/{i}"));
                    }
                }
                (Container::Map, Value::Object(obj)) => {
                    for (k, item) in obj {
                        self.json(item, &inner, &format!("{at}/{}", esc(k)));
                    }
                }
                (Container::Array, other) => self.push(at.into(), None, FindingKind::WrongType, format!("expected an array, found {}", kind_of(other))),
                (Container::Map, other) => self.push(at.into(), None, FindingKind::WrongType, format!("expected an object, found {}", kind_of(other))),
            }
            return;
        }
        match &ty.base {
            Base::Scalar(s) => self.json_scalar(v, *s, at),
            Base::Model(id) => self.model_by_id(v, id, at),
        }
    }

    fn model_by_id(&mut self, v: &Value, id: &str, at: &str) {
        match self.catalog.model(id) {
            Some(m) => self.json_model(v, m, at),
            None => self.unknown(at, None, id),
        }
    }

    fn json_scalar(&mut self, v: &Value, s: Scalar, at: &str) {
        let wrong = |this: &mut Self, found: &str| {
            this.push(at.into(), None, FindingKind::WrongType, format!("expected {s}, found {found}"));
        };
        match (s, v) {
            (Scalar::Any, _) => {}
            (Scalar::Integer | Scalar::UnixTime, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Scalar::Integer | Scalar::UnixTime, Value::Number(_)) => wrong(self, "a fractional number"),
            (Scalar::Number, Value::Number(_)) => {}
            (s, Value::String(text)) if s.is_numeric() => {
                if text.trim().is_empty() {
                    self.push(at.into(), None, FindingKind::EmptyString, format!("empty string where {s} is documented"));
                } else if check_text(text.trim(), s).is_ok() {
                    self.push(at.into(), None, FindingKind::NumericString, format!("numeric string `{}` where {s} is documented", short(text)));
                } else {
                    wrong(self, "a string");
                }
            }
            (Scalar::Boolean, Value::Bool(_)) => {}
            (Scalar::IntegerOrUuid, Value::Number(n)) if n.is_i64() || n.is_u64() => {}
            (Scalar::IntegerOrUuid, Value::String(_)) => {}
            (_, Value::String(text)) if !s.is_numeric() && s != Scalar::Boolean => {
                if let Err(m) = check_text(text, s) {
                    self.push(at.into(), None, FindingKind::BadValue, m);
                }
            }
            (_, other) => wrong(self, kind_of(other)),
        }
    }

    fn json_model(&mut self, v: &Value, m: &Model<'a>, at: &str) {
        let wrong = |this: &mut Self, what: &str| {
            this.push(at.into(), None, FindingKind::WrongType, format!("expected {what} ({}), found {}", m.id, kind_of(v)));
        };
        match &m.kind {
            Kind::Object { fields } => {
                // An action without arguments is sent as `{"confirmResize": null}`.
                if v.is_null() && !fields.iter().any(|f| f.required && f.json) {
                    return;
                }
                let Some(obj) = v.as_object() else { return wrong(self, "an object") };
                for (k, val) in obj {
                    let child = format!("{at}/{}", esc(k));
                    match fields.iter().find(|f| f.json && f.name == k.as_str()) {
                        Some(f) if val.is_null() => {
                            if !f.nullable {
                                self.push(child, None, FindingKind::Null, format!("`{k}` is null, which {} does not document", m.id));
                            }
                        }
                        Some(f) => self.json(val, &f.ty, &child),
                        None => self.push(child, None, FindingKind::Undocumented, format!("undocumented key `{k}`: {} has no such field", m.id)),
                    }
                }
                for f in fields.iter().filter(|f| f.required && f.json) {
                    if !obj.contains_key(f.name.as_ref()) {
                        self.push(at.into(), None, FindingKind::Missing, format!("missing required field `{}` of {}", f.name, m.id));
                    }
                }
            }
            Kind::Map { values, nullable_values, .. } => {
                let Some(obj) = v.as_object() else { return wrong(self, "an object") };
                for (k, val) in obj {
                    let child = format!("{at}/{}", esc(k));
                    if val.is_null() {
                        if !nullable_values {
                            self.push(child, None, FindingKind::Null, format!("the value of `{k}` is null, which {} does not document", m.id));
                        }
                    } else {
                        self.json(val, values, &child);
                    }
                }
            }
            Kind::Array { items, .. } => {
                let Some(list) = v.as_array() else { return wrong(self, "an array") };
                for (i, item) in list.iter().enumerate() {
                    self.json(item, items, &format!("{at}/{i}"));
                }
            }
            Kind::Enum { values } => match v.as_str() {
                Some(s) if values.iter().any(|x| x == s) => {}
                Some(s) => self.push(at.into(), None, FindingKind::UndocumentedValue, undocumented_value(m, values, s)),
                None => wrong(self, "a string"),
            },
            Kind::Text { ty } => self.json(v, ty, at),
            Kind::Union { variants } => {
                let mut first: Option<Vec<Finding>> = None;
                for (i, var) in variants.iter().enumerate() {
                    let mut sub = Validator { catalog: self.catalog, out: Vec::new() };
                    match (&var.wrap, v) {
                        (Some(w), Value::Object(obj)) if obj.contains_key(w.as_ref()) => {
                            for k in obj.keys().filter(|k| k.as_str() != w.as_ref()) {
                                sub.push(format!("{at}/{}", esc(k)), None, FindingKind::Undocumented, format!("undocumented key `{k}` beside `{w}`"));
                            }
                            sub.model_by_id(&obj[w.as_ref()], &var.model, &format!("{at}/{}", esc(w)));
                        }
                        (Some(w), _) => sub.push(at.into(), None, FindingKind::Missing, format!("expected an object with the key `{w}`")),
                        (None, v) => sub.model_by_id(v, &var.model, at),
                    }
                    if sub.out.is_empty() {
                        if i > 0 {
                            self.push(at.into(), None, FindingKind::Shape, format!(
                                "body has the shape of {}, which readers accept; the documents show {}",
                                var.model,
                                variants.first().map_or("another shape", |f| f.model.as_ref())
                            ));
                        }
                        return;
                    }
                    first.get_or_insert(sub.out);
                }
                self.out.extend(first.unwrap_or_default());
            }
        }
    }

    // ------------------------------------------------------------------ text

    fn text(&mut self, text: &str, ty: &Type<'_>, el: &Element, at: &str) {
        if !ty.containers.is_empty() {
            return self.push(at.into(), Some(el.line), FindingKind::WrongType, "a list or map cannot be a text value".into());
        }
        match &ty.base {
            Base::Scalar(s) => {
                if let Err(m) = check_text(text, *s) {
                    let kind = if s.is_numeric() && text.is_empty() { FindingKind::EmptyString } else { FindingKind::BadValue };
                    self.push(at.into(), Some(el.line), kind, m);
                }
            }
            Base::Model(id) => match self.catalog.model(id) {
                Some(m) => match &m.kind {
                    Kind::Enum { values } => {
                        if !values.iter().any(|x| x == text) {
                            self.push(at.into(), Some(el.line), FindingKind::UndocumentedValue, undocumented_value(m, values, text));
                        }
                    }
                    Kind::Text { ty } => self.text(text, ty, el, at),
                    _ => self.push(at.into(), Some(el.line), FindingKind::WrongType, format!("{} is not a text value", m.id)),
                },
                None => self.unknown(at, Some(el.line), id),
            },
        }
    }

    // ------------------------------------------------------------------ XML

    fn xml_model(&mut self, el: &Element, m: &Model<'a>, at: &str) {
        match &m.kind {
            Kind::Object { fields } => self.xml_object(el, m, fields, at),
            Kind::Map { .. } => self.xml_map(el, m, at),
            Kind::Array { items, item, value_attribute } => {
                for child in &el.children {
                    let child_at = format!("{at}/{}", child.name.local);
                    if let Some(l) = item {
                        if child.name.local != l.as_ref() {
                            self.push(child_at, Some(child.line), FindingKind::Undocumented, format!("undocumented element {}: items of {} are <{l}>", child.name, m.id));
                            continue;
                        }
                    }
                    self.xml_value(child, items, value_attribute.as_deref(), &child_at);
                }
            }
            Kind::Enum { .. } | Kind::Text { .. } => {
                let ty = Type { containers: Default::default(), base: Base::Model(m.id.clone()) };
                self.text(el.text.trim(), &ty, el, at);
            }
            Kind::Union { variants } => {
                let chosen = variants.iter().filter_map(|v| self.catalog.model(&v.model)).find(|vm| {
                    vm.element.as_ref().is_some_and(|e| e.local == el.name.local.as_str())
                });
                match chosen.or_else(|| variants.first().and_then(|v| self.catalog.model(&v.model))) {
                    Some(vm) => self.xml_model(el, vm, at),
                    None => self.unknown(at, Some(el.line), &m.id),
                }
            }
        }
    }

    /// The namespace a field's attribute or element is documented in.
    fn field_ns<'f>(x: &'f FieldXml<'_>, parent: Option<&'f str>) -> Option<&'f str> {
        match x {
            FieldXml::Attribute { ns, .. } => ns.as_deref(),
            FieldXml::Element { ns, .. } | FieldXml::Wrapper { ns, .. } => ns.as_deref().or(parent),
            _ => None,
        }
    }

    fn xml_object(&mut self, el: &Element, m: &Model<'a>, fields: &[Field<'a>], at: &str) {
        let own_ns = el.name.ns.as_deref();
        // The fields with a form of this kind and local name, the form that matched, and
        // whether its namespace is the documented one.
        fn find<'f, 'a>(
            fields: &'f [Field<'a>],
            own_ns: Option<&str>,
            name: &Name,
            is_form: for<'x> fn(&'x FieldXml<'a>) -> Option<&'x str>,
        ) -> Option<(&'f Field<'a>, &'f FieldXml<'a>, bool)> {
            let mut loose = None;
            for f in fields {
                for x in f.xml_forms() {
                    if is_form(x) != Some(name.local.as_str()) {
                        continue;
                    }
                    if Validator::field_ns(x, own_ns) == name.ns.as_deref() {
                        return Some((f, x, true));
                    }
                    loose.get_or_insert((f, x, false));
                }
            }
            loose
        }
        for (name, value) in &el.attributes {
            if name.ns.as_deref() == Some("http://www.w3.org/2001/XMLSchema-instance") {
                continue;
            }
            let attr_at = format!("{at}/@{}", name.local);
            let found = find(fields, own_ns, name, attribute_local);
            let Some((f, x, exact)) = found else {
                self.push(attr_at, Some(el.line), FindingKind::Undocumented, format!("undocumented attribute {name}: {} has no such field", m.id));
                continue;
            };
            if !exact {
                self.push(attr_at.clone(), Some(el.line), FindingKind::Namespace, format!(
                    "attribute {name} in namespace {}, documented {}",
                    name.ns.as_deref().unwrap_or("(none)"),
                    Self::field_ns(x, own_ns).unwrap_or("(none)")
                ));
            }
            if !std::ptr::eq(x, &f.xml) {
                self.alternative(&attr_at, el.line, f);
            }
            let ty = match f.ty.inner() {
                Some((Container::Array, inner)) => inner,
                _ => f.ty.clone(),
            };
            self.text(value, &ty, el, &attr_at);
        }
        let mut seen: Vec<&str> = Vec::new();
        for child in &el.children {
            let child_at = format!("{at}/{}", child.name.local);
            let found = find(fields, own_ns, &child.name, element_local);
            let Some((f, x, exact)) = found else {
                self.push(child_at, Some(child.line), FindingKind::Undocumented, format!("undocumented element {}: {} has no such field", child.name, m.id));
                continue;
            };
            if !exact {
                self.push(child_at.clone(), Some(child.line), FindingKind::Namespace, format!(
                    "element {} in namespace {}, documented {}",
                    child.name.local,
                    child.name.ns.as_deref().unwrap_or("(none)"),
                    Self::field_ns(x, own_ns).unwrap_or("(none)")
                ));
            }
            let is_array = f.ty.containers.first() == Some(&Container::Array);
            let item_ty = match f.ty.inner() {
                Some((Container::Array, inner)) => inner,
                _ => f.ty.clone(),
            };
            match x {
                FieldXml::Wrapper { .. } => {
                    seen.push(&f.name);
                    // Every form with this wrapper: an item may take the shape of any.
                    let forms: Vec<(Option<&str>, Option<&str>, bool)> = f
                        .xml_forms()
                        .filter_map(|x| match x {
                            FieldXml::Wrapper { local, item, value_attribute, .. } if local == child.name.local.as_str() => {
                                Some((item.as_deref(), value_attribute.as_deref(), std::ptr::eq(x, &f.xml)))
                            }
                            _ => None,
                        })
                        .collect();
                    for it in &child.children {
                        let item_at = format!("{child_at}/{}", it.name.local);
                        match forms.iter().find(|(item, _, _)| item.is_none_or(|l| l == it.name.local)) {
                            Some((_, value_attribute, primary)) => {
                                if !primary {
                                    self.alternative(&item_at, it.line, f);
                                }
                                self.xml_value(it, &item_ty, *value_attribute, &item_at)
                            }
                            None => {
                                let items: Vec<String> = forms.iter().filter_map(|(i, _, _)| i.map(|l| format!("<{l}>"))).collect();
                                self.push(item_at, Some(it.line), FindingKind::Undocumented, format!("undocumented element {} in <{}>: items are {}", it.name, child.name.local, items.join(" or ")));
                            }
                        }
                    }
                }
                FieldXml::Element { value_attribute, .. } => {
                    if !std::ptr::eq(x, &f.xml) {
                        self.alternative(&child_at, child.line, f);
                    }
                    if !is_array && seen.contains(&f.name.as_ref()) {
                        self.push(child_at.clone(), Some(child.line), FindingKind::Repeated, format!("element {} repeated but field `{}` is not a list", child.name, f.name));
                    }
                    seen.push(&f.name);
                    self.xml_value(child, &item_ty, value_attribute.as_deref(), &child_at);
                }
                _ => {}
            }
        }
        let text = el.text.trim();
        if !text.is_empty() {
            match fields.iter().find(|f| f.xml_forms().any(|x| *x == FieldXml::Text)) {
                Some(f) => {
                    if f.xml != FieldXml::Text {
                        self.alternative(&format!("{at}/text()"), el.line, f);
                    }
                    self.text(text, &f.ty, el, &format!("{at}/text()"))
                }
                None => self.push(at.into(), Some(el.line), FindingKind::Undocumented, format!("undocumented text `{}`: {} has no text field", short(text), m.id)),
            }
        }
        for f in fields.iter().filter(|f| f.required && f.xml != FieldXml::None) {
            let present = f.xml_forms().any(|x| match x {
                FieldXml::None => false,
                FieldXml::Attribute { local, .. } => el.attributes.iter().any(|(n, _)| n.local == local.as_ref()),
                FieldXml::Text => !text.is_empty(),
                FieldXml::Element { local, .. } | FieldXml::Wrapper { local, .. } => {
                    el.children.iter().any(|c| c.name.local == local.as_ref())
                }
            });
            if !present {
                self.push(at.into(), Some(el.line), FindingKind::Missing, format!("missing required field `{}` of {}", f.name, m.id));
            }
        }
    }

    /// An element that holds one value: text (or an attribute) for scalars, content for models.
    fn xml_value(&mut self, el: &Element, ty: &Type<'_>, value_attr: Option<&str>, at: &str) {
        if let Some((c, inner)) = ty.inner() {
            match c {
                Container::Array => {
                    for child in &el.children {
                        self.xml_value(child, &inner, None, &format!("{at}/{}", child.name.local));
                    }
                }
                Container::Map => self.push(at.into(), Some(el.line), FindingKind::WrongType, "a free map has no XML form".into()),
            }
            return;
        }
        let model = match &ty.base {
            Base::Model(id) => match self.catalog.model(id) {
                Some(m) => Some(m),
                None => return self.unknown(at, Some(el.line), id),
            },
            Base::Scalar(_) => None,
        };
        let is_text = model.is_none_or(|m| matches!(m.kind, Kind::Enum { .. } | Kind::Text { .. }));
        match (model, is_text) {
            (Some(m), false) => self.xml_model(el, m, at),
            _ => match value_attr {
                Some(a) => match el.attr(None, a) {
                    Some(v) => self.text(v, ty, el, &format!("{at}/@{a}")),
                    None => self.push(at.into(), Some(el.line), FindingKind::Missing, format!("missing value attribute `{a}`")),
                },
                None => self.text(el.text.trim(), ty, el, at),
            },
        }
    }

    fn xml_map(&mut self, el: &Element, m: &Model<'a>, at: &str) {
        let Kind::Map { values, nullable_values: _, entry, key, value_attribute } = &m.kind else { return };
        let entries: Vec<&Element> = match entry {
            Some(entry) => {
                let mut v = Vec::new();
                for child in &el.children {
                    if child.name.local == entry.as_ref() {
                        v.push(child);
                    } else {
                        self.push(format!("{at}/{}", child.name.local), Some(child.line), FindingKind::Undocumented, format!("undocumented element {}: entries of {} are <{entry}>", child.name, m.id));
                    }
                }
                v
            }
            None => vec![el],
        };
        for e in entries {
            let entry_at = format!("{at}/{}", e.name.local);
            if e.attr(None, key).is_none() {
                self.push(entry_at.clone(), Some(e.line), FindingKind::Missing, format!("entry of {} lacks its key attribute `{key}`", m.id));
            }
            for (n, _) in &e.attributes {
                let allowed = n.local == key.as_ref() || value_attribute.as_deref() == Some(n.local.as_str());
                if !allowed {
                    self.push(format!("{entry_at}/@{}", n.local), Some(e.line), FindingKind::Undocumented, format!("undocumented attribute {n} on an entry of {}", m.id));
                }
            }
            match value_attribute {
                Some(va) => match e.attr(None, va) {
                    Some(v) => self.text(v, values, e, &format!("{entry_at}/@{va}")),
                    None => self.push(entry_at, Some(e.line), FindingKind::Missing, format!("entry of {} lacks its value attribute `{va}`", m.id)),
                },
                None => self.xml_value(e, values, None, &entry_at),
            }
        }
    }
}

fn attribute_local<'x>(x: &'x FieldXml<'_>) -> Option<&'x str> {
    match x {
        FieldXml::Attribute { local, .. } => Some(local.as_ref()),
        _ => None,
    }
}

fn element_local<'x>(x: &'x FieldXml<'_>) -> Option<&'x str> {
    match x {
        FieldXml::Element { local, .. } | FieldXml::Wrapper { local, .. } => Some(local.as_ref()),
        _ => None,
    }
}

fn undocumented_value(m: &Model<'_>, values: &[std::borrow::Cow<'_, str>], s: &str) -> String {
    let known: Vec<&str> = values.iter().map(|v| v.as_ref()).collect();
    format!("value \"{}\" not among the documented values of {} ({})", short(s), m.id, known.join(", "))
}
