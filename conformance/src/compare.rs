//! A documented body against a live one: structure strictly, values as the schema says
//! they may differ between instances (`varies`), with a readable list of differences.

use schema::models::{Field, Model, ModelKind, TypeExpr, Varies};
use schema::Schema;
use serde_json::Value;
use xml_dom::Element;

/// One difference between the documented body and the received one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where (a JSON pointer, or an element path for XML).
    pub path: String,
    /// What differs.
    pub what: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", if self.path.is_empty() { "/" } else { &self.path }, self.what)
    }
}

/// What a value is expected to be: its type in the schema, and whether it is
/// instance-specific.
#[derive(Clone, Copy)]
struct Expect<'s> {
    ty: Option<&'s TypeExpr>,
    model: Option<&'s Model>,
    varies: bool,
    /// The value is compared exactly whoever chose it: an enumeration, a fault's code.
    fixed: bool,
}

impl<'s> Expect<'s> {
    const UNKNOWN: Expect<'static> = Expect { ty: None, model: None, varies: false, fixed: false };
}

/// Compares documents of one schema.
///
/// A documented value must come back exactly when it is an enumeration value, a fault
/// code or a link relation, or when the request of the check chose it (a name, a
/// metadata item); other values (a flavor's name, a server's name the check did not
/// send) must be of the documented JSON type only, and instance-specific ones
/// (`varies: any`) too. A key or element the example lacks is allowed when the schema's
/// model has it (examples show parts of bodies) or when it belongs to an extension; one
/// the example has must be there.
pub struct Comparer<'s> {
    schema: &'s Schema,
    /// Documented values replaced by the values this run chose (names with the run's
    /// prefix) before comparing.
    substitutions: Vec<(String, String)>,
    /// The values the check's request sent (as text).
    chosen: Vec<String>,
}

impl<'s> Comparer<'s> {
    /// A comparer over `schema`, replacing each documented `from` by `to`; `chosen` are
    /// the values the check sent.
    pub fn new(schema: &'s Schema, substitutions: Vec<(String, String)>, chosen: Vec<String>) -> Self {
        Comparer { schema, substitutions, chosen }
    }

    /// Whether a documented value is to come back exactly.
    fn exact(&self, e: Expect<'_>, documented: &str) -> bool {
        e.fixed || self.chosen.iter().any(|c| *c == documented || *c == self.substitute(documented))
    }

    fn of_model(&self, id: &str) -> Expect<'s> {
        Expect { ty: None, model: self.schema.model(id), varies: false, fixed: false }
    }

    fn of_field(&self, f: &'s Field) -> Expect<'s> {
        let model = match &f.ty {
            TypeExpr::Model(id) => self.schema.model(id),
            _ => None,
        };
        // A resource's status is where it is now, not a fact of the example; the state
        // machine checks judge it.
        let fixed = (matches!(f.ty, TypeExpr::Enum(_)) && f.role != Some(schema::models::FieldRole::Status))
            || f.role == Some(schema::models::FieldRole::FaultCode)
            || f.role == Some(schema::models::FieldRole::LinkRel);
        Expect { ty: Some(&f.ty), model, varies: f.varies() == Varies::Any, fixed }
    }

    fn of_type(&self, ty: &'s TypeExpr, varies: bool) -> Expect<'s> {
        let model = match ty {
            TypeExpr::Model(id) => self.schema.model(id),
            _ => None,
        };
        Expect { ty: Some(ty), model, varies, fixed: matches!(ty, TypeExpr::Enum(_)) }
    }

    /// The item type of an array value of `e`.
    fn item_of(&self, e: Expect<'s>) -> Expect<'s> {
        match (e.ty, e.model) {
            (Some(TypeExpr::Array(inner)), _) => self.of_type(inner, e.varies),
            (_, Some(m)) if m.kind == ModelKind::Array => match &m.items {
                Some(t) => self.of_type(t, e.varies),
                None => Expect { varies: e.varies, ..Expect::UNKNOWN },
            },
            _ => Expect { varies: e.varies, ..Expect::UNKNOWN },
        }
    }

    /// The value type of a map value of `e`.
    fn value_of(&self, e: Expect<'s>) -> Expect<'s> {
        match (e.ty, e.model) {
            (Some(TypeExpr::Map(inner)), _) => self.of_type(inner, e.varies),
            (_, Some(m)) if m.kind == ModelKind::Map => match &m.values {
                Some(schema::models::ModelValues::Map(t)) => self.of_type(t, e.varies),
                _ => Expect { varies: e.varies, ..Expect::UNKNOWN },
            },
            _ => Expect { varies: e.varies, ..Expect::UNKNOWN },
        }
    }

    fn is_map(e: Expect<'_>) -> bool {
        matches!(e.ty, Some(TypeExpr::Map(_))) || e.model.is_some_and(|m| m.kind == ModelKind::Map)
    }

    /// The value the run sent for a documented one (a substitution: a name of the run's
    /// own), or the value itself.
    fn substitute(&self, text: &str) -> String {
        self.substitutions.iter().rev().find(|(from, _)| from == text).map(|(_, to)| to.clone()).unwrap_or_else(|| text.to_string())
    }

    /// The differences between a documented JSON body of `model_id` (with its wrapping
    /// key `wrap`) and a received one.
    pub fn json(&self, model_id: &str, wrap: Option<&str>, documented: &Value, received: &Value) -> Vec<Difference> {
        let mut out = Vec::new();
        match wrap {
            Some(w) => match (documented.get(w), received.as_object()) {
                (Some(d), Some(r)) => {
                    for k in r.keys().filter(|k| k.as_str() != w) {
                        out.push(Difference { path: format!("/{k}"), what: "a key the example does not have".into() });
                    }
                    match r.get(w) {
                        Some(v) => self.json_value(self.of_model(model_id), d, v, &format!("/{w}"), &mut out),
                        None => out.push(Difference { path: String::new(), what: format!("no `{w}` key") }),
                    }
                }
                _ => self.json_value(self.of_model(model_id), documented, received, "", &mut out),
            },
            None => self.json_value(self.of_model(model_id), documented, received, "", &mut out),
        }
        out
    }

    fn json_value(&self, e: Expect<'s>, d: &Value, r: &Value, path: &str, out: &mut Vec<Difference>) {
        if e.varies {
            if json_kind(d) != json_kind(r) && !d.is_null() {
                out.push(Difference { path: path.into(), what: format!("a {} where the example has a {}", json_kind(r), json_kind(d)) });
            }
            return;
        }
        match (d, r) {
            (Value::Object(dm), Value::Object(rm)) if Self::is_map(e) => {
                // Entries are data: those the check's request chose must be there.
                let inner = self.value_of(e);
                for (k, dv) in dm.iter().filter(|(k, _)| self.exact(Expect::UNKNOWN, k)) {
                    let key = self.substitute(k);
                    match rm.get(&key) {
                        Some(rv) => self.json_value(inner, dv, rv, &format!("{path}/{}", pointer_escape(&key)), out),
                        None => out.push(Difference { path: format!("{path}/{}", pointer_escape(&key)), what: "missing (the request set this entry)".into() }),
                    }
                }
            }
            (Value::Object(dm), Value::Object(rm)) => {
                let model = e.model.filter(|m| m.kind == ModelKind::Object);
                let field = |k: &str| model.and_then(|m| m.fields.iter().find(|f| f.json && f.name == k));
                for (k, dv) in dm {
                    let at = format!("{path}/{}", pointer_escape(k));
                    let fe = field(k).map(|f| self.of_field(f)).unwrap_or(Expect::UNKNOWN);
                    match rm.get(k) {
                        Some(rv) => self.json_value(fe, dv, rv, &at, out),
                        None => out.push(Difference { path: at, what: "missing (the example has it)".into() }),
                    }
                }
                for k in rm.keys().filter(|k| !dm.contains_key(*k)) {
                    // A field of the model the example does not show, or an extension's.
                    let allowed = field(k).is_some() || k.contains(':');
                    if !allowed {
                        out.push(Difference { path: format!("{path}/{}", pointer_escape(k)), what: "a key the example does not have".into() });
                    }
                }
            }
            (Value::Array(da), Value::Array(ra)) => self.json_items(self.item_of(e), da, ra, path, out),
            (Value::String(ds), Value::String(rs)) => {
                let want = self.substitute(ds);
                if self.exact(e, ds) && want != *rs {
                    out.push(Difference { path: path.into(), what: format!("`{}` where the example has `{want}`", short(rs)) });
                }
            }
            (Value::Number(dn), Value::Number(rn)) => {
                if self.exact(e, &dn.to_string()) && dn.as_f64() != rn.as_f64() {
                    out.push(Difference { path: path.into(), what: format!("{rn} where the example has {dn}") });
                }
            }
            (Value::Bool(db), Value::Bool(rb)) => {
                if self.exact(e, &db.to_string()) && db != rb {
                    out.push(Difference { path: path.into(), what: format!("{rb} where the example has {db}") });
                }
            }
            _ if d == r => {}
            _ => out.push(Difference { path: path.into(), what: format!("{} where the example has {}", describe(r), describe(d)) }),
        }
    }

    /// Items: every documented item must have a received counterpart (the closest one,
    /// each taken once while there are enough); received items beyond those are allowed,
    /// as a live list holds other items than an example shows, and the response check
    /// validates them all.
    ///
    /// Items named by a field of the service-name role (the services of a catalog) are
    /// the instance's: a documented one is looked for only where the live list names it.
    fn json_items(&self, e: Expect<'s>, d: &[Value], r: &[Value], path: &str, out: &mut Vec<Difference>) {
        let named = e.model.and_then(|m| m.fields.iter().find(|f| f.role == Some(schema::models::FieldRole::ServiceName)));
        let name_of = |v: &'_ Value| named.and_then(|f| v.get(&f.name)).and_then(Value::as_str).map(str::to_string);
        let d: Vec<Value> = d.iter().filter(|dv| name_of(dv).is_none_or(|n| r.iter().any(|rv| name_of(rv).as_deref() == Some(n.as_str())))).cloned().collect();
        let d = d.as_slice();
        if d.is_empty() {
            return;
        }
        if r.is_empty() {
            out.push(Difference { path: path.into(), what: format!("no items where the example has {}", d.len()) });
            return;
        }
        let mut taken = vec![false; r.len()];
        for dv in d {
            let candidates = (0..r.len()).filter(|i| !taken[*i] || d.len() > r.len());
            let best = candidates
                .map(|i| {
                    let mut o = Vec::new();
                    self.json_value(e, dv, &r[i], &format!("{path}/{i}"), &mut o);
                    (i, o)
                })
                .min_by_key(|(_, o)| o.len());
            if let Some((i, o)) = best {
                taken[i] = true;
                out.extend(o);
            }
        }
    }

    /// The differences between a documented XML body of `model_id` and a received one.
    pub fn xml(&self, model_id: &str, documented: &Element, received: &Element) -> Vec<Difference> {
        let mut out = Vec::new();
        let e = self.of_model(model_id);
        let path = format!("/{}", documented.name.local);
        if documented.name != received.name {
            out.push(Difference { path: String::new(), what: format!("root {} where the example has {}", name(&received.name), name(&documented.name)) });
            return out;
        }
        self.xml_element(e, documented, received, &path, &mut out);
        out
    }

    fn xml_field(&self, model: Option<&'s Model>, pick: impl Fn(&schema::models::FieldXml) -> bool) -> Option<&'s Field> {
        model.filter(|m| m.kind == ModelKind::Object).and_then(|m| m.fields.iter().find(|f| f.xml.as_ref().is_some_and(|x| pick(x) || x.alternatives.iter().any(&pick))))
    }

    fn xml_element(&self, e: Expect<'s>, d: &Element, r: &Element, path: &str, out: &mut Vec<Difference>) {
        if e.varies {
            return;
        }
        let model = e.model;
        // Attributes.
        for (n, dv) in &d.attributes {
            let at = format!("{path}/@{}", n.local);
            let field = self.xml_field(model, |x| x.attribute.as_deref() == Some(n.local.as_str()));
            let fe = field.map(|f| self.of_field(f)).unwrap_or(Expect::UNKNOWN);
            let loose = fe.varies || !self.exact(fe, dv);
            match r.attribute(n) {
                Some(rv) if loose || self.substitute(dv) == rv => {}
                Some(rv) => out.push(Difference { path: at, what: format!("`{}` where the example has `{}`", short(rv), self.substitute(dv)) }),
                None => out.push(Difference { path: at, what: "missing (the example has it)".into() }),
            }
        }
        for (n, _) in &r.attributes {
            let documented = self.xml_field(model, |x| x.attribute.as_deref() == Some(n.local.as_str())).is_some();
            if d.attribute(n).is_none() && n.ns.is_none() && !documented {
                out.push(Difference { path: format!("{path}/@{}", n.local), what: "an attribute the example does not have".into() });
            }
        }
        // Text.
        let text = self.xml_field(model, |x| x.text).map(|f| self.of_field(f)).unwrap_or(e);
        let text_loose = text.varies || !self.exact(text, d.text.trim());
        if d.children.is_empty() && !text_loose && self.substitute(d.text.trim()) != r.text.trim() {
            out.push(Difference { path: format!("{path}/text()"), what: format!("`{}` where the example has `{}`", short(r.text.trim()), self.substitute(d.text.trim())) });
        }
        // Children, by name.
        let mut names: Vec<&xml_dom::Name> = Vec::new();
        for c in d.children.iter().chain(&r.children) {
            if !names.contains(&&c.name) {
                names.push(&c.name);
            }
        }
        for n in names {
            let dc: Vec<&Element> = d.children.iter().filter(|c| c.name == *n).collect();
            let rc: Vec<&Element> = r.children.iter().filter(|c| c.name == *n).collect();
            let at = format!("{path}/{}", n.local);
            let ce = self.xml_child(e, n);
            match (dc.is_empty(), rc.is_empty()) {
                (false, true) => out.push(Difference { path: at, what: "missing (the example has it)".into() }),
                (true, false) if !is_extension(n, &d.name) && ce.model.is_none() && ce.ty.is_none() && !Self::is_map(e) => {
                    out.push(Difference { path: at, what: "an element the example does not have".into() })
                }
                (true, false) => {}
                _ => self.xml_items(ce, &dc, &rc, &at, out),
            }
        }
    }

    /// What a child element of this name is, in the model of `e`.
    fn xml_child(&self, e: Expect<'s>, n: &xml_dom::Name) -> Expect<'s> {
        let model = e.model;
        if let Some(f) = self.xml_field(model, |x| x.element.as_deref() == Some(n.local.as_str()) || x.wrapper.as_deref() == Some(n.local.as_str())) {
            let fe = self.of_field(f);
            let wrapped = f.xml.as_ref().and_then(|x| x.wrapper.as_deref()) == Some(n.local.as_str());
            // An array field's element is one item, unless it is the wrapper of the items.
            return match f.ty {
                TypeExpr::Array(_) if !wrapped => self.item_of(fe),
                _ => fe,
            };
        }
        match model.map(|m| m.kind) {
            Some(ModelKind::Array) => self.item_of(e),
            Some(ModelKind::Map) => self.value_of(e),
            _ => match e.ty {
                Some(TypeExpr::Array(_)) => self.item_of(e),
                Some(TypeExpr::Map(_)) => self.value_of(e),
                _ => Expect { varies: e.varies, ..Expect::UNKNOWN },
            },
        }
    }

    fn xml_items(&self, e: Expect<'s>, d: &[&Element], r: &[&Element], path: &str, out: &mut Vec<Difference>) {
        let mut taken = vec![false; r.len()];
        for dv in d {
            let candidates = (0..r.len()).filter(|i| !taken[*i] || d.len() > r.len());
            let best = candidates
                .map(|i| {
                    let at = if r.len() == 1 { path.to_string() } else { format!("{path}[{}]", i + 1) };
                    let mut o = Vec::new();
                    self.xml_element(e, dv, r[i], &at, &mut o);
                    (i, o)
                })
                .min_by_key(|(_, o)| o.len());
            if let Some((i, o)) = best {
                taken[i] = true;
                out.extend(o);
            }
        }
    }
}

/// Whether a name is in another namespace than its parent's: an extension's.
fn is_extension(n: &xml_dom::Name, parent: &xml_dom::Name) -> bool {
    n.ns.is_some() && n.ns != parent.ns
}

fn name(n: &xml_dom::Name) -> String {
    match &n.ns {
        Some(ns) => format!("{{{ns}}}{}", n.local),
        None => n.local.clone(),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => format!("an {}", json_kind(v)),
        other => format!("`{}`", short(&other.to_string())),
    }
}

fn pointer_escape(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn short(s: &str) -> String {
    let mut t: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        t.push('…');
    }
    t
}
