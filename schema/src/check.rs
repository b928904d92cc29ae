//! Cross-checks of a loaded schema: references resolve, examples conform, XSDs agree.

use crate::conform::{Checker, Mismatch};
use crate::diagnostics::{Diagnostics, Location, ProblemKind};
use crate::examples::{Direction, Example, ExampleFormat};
use crate::limits::LimitKind;
use crate::models::{Model, ModelKind, TypeExpr};
use crate::operations::{Body, Format};
use crate::Schema;
use std::collections::BTreeSet;

/// Runs every check and records what it finds.
pub fn check(schema: &Schema, diags: &mut Diagnostics) {
    let c = Ctx { s: schema, checker: Checker::new(schema) };
    c.namespaces(diags);
    c.models(diags);
    c.operations(diags);
    c.faults(diags);
    c.machines(diags);
    c.limits(diags);
    for e in &schema.examples {
        c.example(e, diags);
    }
    crate::xsd::check(schema, diags);
}

struct Ctx<'a> {
    s: &'a Schema,
    checker: Checker<'a>,
}

impl Ctx<'_> {
    fn at(&self, kind: &str, id: &str) -> Location {
        self.s.origin(kind, id)
    }

    fn need(&self, ok: bool, at: &Location, diags: &mut Diagnostics, what: impl FnOnce() -> String) {
        if !ok {
            diags.push(at, ProblemKind::Reference, what());
        }
    }

    fn namespaces(&self, diags: &mut Diagnostics) {
        let mut seen = BTreeSet::new();
        for n in &self.s.namespaces {
            if !seen.insert(n.uri.as_str()) {
                diags.push(&self.at("namespace", &n.prefix), ProblemKind::Duplicate, format!("namespace URI {} declared twice", n.uri));
            }
        }
    }

    fn type_refs(&self, ty: &TypeExpr, at: &Location, diags: &mut Diagnostics) {
        match ty {
            TypeExpr::Model(id) => match self.s.model(id) {
                None => diags.push(at, ProblemKind::Reference, format!("unknown model `{id}`")),
                Some(m) if m.kind == ModelKind::Enum => {
                    diags.push(at, ProblemKind::Reference, format!("`{id}` is an enum: write {{\"enum\": \"{id}\"}}"))
                }
                Some(_) => {}
            },
            TypeExpr::Enum(id) => match self.s.model(id) {
                None => diags.push(at, ProblemKind::Reference, format!("unknown enum `{id}`")),
                Some(m) if m.kind != ModelKind::Enum => {
                    diags.push(at, ProblemKind::Reference, format!("`{id}` is not an enum: write {{\"model\": \"{id}\"}}"))
                }
                Some(_) => {}
            },
            TypeExpr::Array(inner) | TypeExpr::Map(inner) => self.type_refs(inner, at, diags),
            TypeExpr::Scalar(_) => {}
        }
    }

    fn ns_ref(&self, prefix: Option<&str>, at: &Location, diags: &mut Diagnostics) {
        if let Some(p) = prefix {
            self.need(self.s.namespace(p).is_some(), at, diags, || format!("unknown namespace prefix `{p}` (see data/namespaces.json)"));
        }
    }

    fn models(&self, diags: &mut Diagnostics) {
        for m in &self.s.models {
            let at = self.at("model", &m.id);
            if m.api().is_none() {
                diags.push(&at.child("id"), ProblemKind::Shape, format!("model id `{}` does not start with an API key and has no `api`", m.id));
            }
            if let Some(x) = &m.xml {
                self.ns_ref(x.ns.as_deref(), &at.child("xml").child("ns"), diags);
            }
            let wants = |ok: bool, what: &str, diags: &mut Diagnostics| {
                if !ok {
                    diags.push(&at, ProblemKind::Shape, format!("a model of kind {:?} needs {what}", m.kind));
                }
            };
            match m.kind {
                ModelKind::Object => wants(!m.fields.is_empty() || m.doc.is_some(), "`fields`", diags),
                ModelKind::Map => wants(m.map_values().is_some(), "`values` (a type)", diags),
                ModelKind::Enum => wants(!m.enum_values().is_empty(), "`values` (a list of {\"value\"})", diags),
                ModelKind::Array => wants(m.items.is_some(), "`items`", diags),
                ModelKind::Text => wants(m.text_type.is_some(), "`type`", diags),
                ModelKind::Union => wants(!m.variants.is_empty(), "`variants`", diags),
            }
            if m.kind != ModelKind::Union && !m.variants.is_empty() {
                diags.push(&at.child("variants"), ProblemKind::Shape, format!("only a union has `variants`; {} is of kind {:?}", m.id, m.kind));
            }
            if m.nullable_values && m.kind != ModelKind::Map {
                diags.push(&at.child("nullable_values"), ProblemKind::Shape, format!("only a map has `nullable_values`; {} is of kind {:?}", m.id, m.kind));
            }
            for (i, v) in m.variants.iter().enumerate() {
                let vat = at.child("variants").child(i).child("model");
                match self.s.model(&v.model) {
                    None => diags.push(&vat, ProblemKind::Reference, format!("unknown model `{}` in a variant of {}", v.model, m.id)),
                    Some(vm) if matches!(vm.kind, ModelKind::Union | ModelKind::Enum) => {
                        diags.push(&vat, ProblemKind::Reference, format!("a variant of {} is {}, a {:?}: variants are object, map, array or text models", m.id, vm.id, vm.kind))
                    }
                    Some(_) => {}
                }
            }
            let mut names = BTreeSet::new();
            for (i, f) in m.fields.iter().enumerate() {
                let fat = at.child("fields").child(i);
                if !names.insert(f.name.as_str()) {
                    diags.push(&fat, ProblemKind::Duplicate, format!("field `{}` twice in {}", f.name, m.id));
                }
                self.type_refs(&f.ty, &fat.child("type"), diags);
                if let Some(x) = &f.xml {
                    let mappings = std::iter::once((fat.child("xml"), x))
                        .chain(x.alternatives.iter().enumerate().map(|(i, a)| (fat.child("xml").child("alternatives").child(i), a)));
                    for (xat, x) in mappings {
                        self.ns_ref(x.ns.as_deref(), &xat.child("ns"), diags);
                        let forms = [x.attribute.is_some(), x.element.is_some() || x.wrapper.is_some(), x.text, x.json_only];
                        if forms.iter().filter(|b| **b).count() != 1 {
                            diags.push(&xat, ProblemKind::Shape, "an XML mapping is exactly one of attribute, element (optionally with wrapper), text, json_only");
                        }
                        if x.json_only && !x.alternatives.is_empty() {
                            diags.push(&xat, ProblemKind::Shape, "a field without an XML form has no alternative XML forms");
                        }
                    }
                }
            }
            if let Some(t) = m.map_values() {
                self.type_refs(t, &at.child("values"), diags);
            }
            if let Some(t) = &m.items {
                self.type_refs(t, &at.child("items"), diags);
            }
        }
    }

    fn body(&self, b: &Body, at: &Location, diags: &mut Diagnostics) {
        match self.s.model(&b.model) {
            None => diags.push(&at.child("model"), ProblemKind::Reference, format!("unknown model `{}`", b.model)),
            Some(m) => {
                let has_element = |m: &Model| m.xml.as_ref().and_then(|x| x.element.as_ref()).is_some();
                let xml_ok = match m.kind {
                    ModelKind::Text => true,
                    ModelKind::Union => m.variants.iter().any(|v| self.s.model(&v.model).is_some_and(has_element)),
                    _ => has_element(m),
                };
                if b.formats.contains(&Format::Xml) && !xml_ok {
                    diags.push(&at.child("model"), ProblemKind::Shape, format!("body offered as XML but {} has no xml.element", m.id));
                }
                if m.kind == ModelKind::Union && b.wrap.is_some() {
                    diags.push(&at.child("wrap"), ProblemKind::Shape, format!("{} is a union: its variants say how each shape is wrapped, the body has no `wrap`", m.id));
                }
            }
        }
        if b.formats.is_empty() {
            diags.push(&at.child("formats"), ProblemKind::Shape, "a body needs at least one format");
        }
    }

    fn operations(&self, diags: &mut Diagnostics) {
        let mut keys = BTreeSet::new();
        for o in &self.s.operations {
            let at = self.at("operation", &o.id);
            if !o.id.starts_with(&format!("{}.", o.api)) {
                diags.push(&at.child("id"), ProblemKind::Shape, format!("operation id `{}` must start with its api `{}.`", o.id, o.api));
            }
            if !["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"].contains(&o.method.as_str()) {
                diags.push(&at.child("method"), ProblemKind::Shape, format!("unknown HTTP method `{}`", o.method));
            }
            if !o.path.starts_with('/') {
                diags.push(&at.child("path"), ProblemKind::Shape, format!("path `{}` must start with /", o.path));
            }
            let key = format!("{} {} {}", o.api, o.inventory_key(), o.extension.as_deref().unwrap_or(""));
            if !keys.insert(key) {
                diags.push(&at, ProblemKind::Duplicate, format!("another {} operation has method, path and action `{}`", o.api, o.inventory_key()));
            }
            let placeholders = o.path_placeholders();
            for p in &placeholders {
                self.need(o.path_params.iter().any(|q| q.name == *p), &at.child("path"), diags, || format!("path placeholder `{{{p}}}` has no entry in path_params"));
            }
            for (i, p) in o.path_params.iter().enumerate() {
                self.need(placeholders.contains(&p.name.as_str()), &at.child("path_params").child(i), diags, || format!("path parameter `{}` is not in the path", p.name));
                self.type_refs(&p.ty, &at.child("path_params").child(i), diags);
            }
            for (i, p) in o.query.iter().enumerate() {
                self.type_refs(&p.ty, &at.child("query").child(i), diags);
            }
            if let Some(b) = &o.request {
                self.body(b, &at.child("request"), diags);
            }
            if o.responses.is_empty() {
                diags.push(&at.child("responses"), ProblemKind::Shape, "an operation needs at least one normal response");
            }
            for (i, r) in o.responses.iter().enumerate() {
                if let Some(b) = r.body() {
                    self.body(&b, &at.child("responses").child(i), diags);
                }
            }
            for (i, f) in o.faults.iter().enumerate() {
                self.need(self.s.fault(&f.fault).is_some(), &at.child("faults").child(i), diags, || format!("unknown fault `{}`", f.fault));
            }
            for (i, l) in o.limits.iter().enumerate() {
                self.need(self.s.limit(l).is_some(), &at.child("limits").child(i), diags, || format!("unknown limit `{l}`"));
            }
        }
    }

    fn faults(&self, diags: &mut Diagnostics) {
        for f in &self.s.faults {
            let at = self.at("fault", &f.id);
            if let Some(m) = &f.model {
                self.need(self.s.model(m).is_some(), &at.child("model"), diags, || format!("unknown model `{m}`"));
            }
            for (i, m) in f.embedded_in.iter().enumerate() {
                self.need(self.s.model(m).is_some(), &at.child("embedded_in").child(i), diags, || format!("unknown model `{m}`"));
            }
            if f.codes.is_empty() {
                diags.push(&at.child("codes"), ProblemKind::Shape, "a fault needs at least one code");
            }
        }
    }

    fn machines(&self, diags: &mut Diagnostics) {
        let mut tids = BTreeSet::new();
        for m in &self.s.state_machines {
            let at = self.at("state machine", &m.id);
            let mut names = BTreeSet::new();
            for (i, st) in m.states.iter().enumerate() {
                if !names.insert(st.name.as_str()) {
                    diags.push(&at.child("states").child(i), ProblemKind::Duplicate, format!("state `{}` twice", st.name));
                }
            }
            if let Some(subject) = &m.subject {
                match self.s.model(subject) {
                    Some(e) if e.kind == ModelKind::Enum => {
                        let values: BTreeSet<&str> = e.enum_values().iter().map(|v| v.value.as_str()).collect();
                        for st in &m.states {
                            self.need(values.contains(st.name.as_str()), &at.child("states"), diags, || format!("state `{}` is not a value of {subject}", st.name));
                        }
                        for v in &values {
                            if !names.contains(v) {
                                diags.push(&at.child("subject"), ProblemKind::Consistency, format!("{subject} has value `{v}` that is not a state of {}", m.id));
                            }
                        }
                    }
                    Some(_) => diags.push(&at.child("subject"), ProblemKind::Reference, format!("subject `{subject}` is not an enum")),
                    None => diags.push(&at.child("subject"), ProblemKind::Reference, format!("unknown enum `{subject}`")),
                }
            }
            for s in &m.initial {
                self.need(names.contains(s.as_str()), &at.child("initial"), diags, || format!("initial state `{s}` is not a state"));
            }
            for (i, t) in m.transitions.iter().enumerate() {
                let tat = at.child("transitions").child(i);
                if !tids.insert(t.id.as_str()) {
                    diags.push(&tat.child("id"), ProblemKind::Duplicate, format!("duplicate transition id `{}`", t.id));
                }
                for (end, s) in [("from", &t.from), ("to", &t.to)] {
                    self.need(names.contains(s.as_str()), &tat.child(end), diags, || format!("`{s}` is not a state of {}", m.id));
                }
                if let Some(op) = &t.operation {
                    self.need(self.s.operation(op).is_some(), &tat.child("operation"), diags, || format!("unknown operation `{op}`"));
                }
            }
            for (i, row) in m.mapping.iter().enumerate() {
                let status = row.get("status").and_then(|v| v.as_str());
                if let Some(st) = status {
                    if !self.s.state_machines.iter().any(|sm| sm.state(st).is_some()) {
                        diags.push(&at.child("mapping").child(i), ProblemKind::Reference, format!("mapping status `{st}` is no machine's state"));
                    }
                }
            }
        }
    }

    fn limits(&self, diags: &mut Diagnostics) {
        for l in &self.s.limits {
            let at = self.at("limit", &l.id);
            for (i, op) in l.operations().iter().enumerate() {
                self.need(self.s.operation(op).is_some(), &at.child(i), diags, || format!("unknown operation `{op}`"));
            }
            if let Some(f) = l.exceeded().and_then(|e| e.fault.as_ref()) {
                self.need(self.s.fault(f).is_some(), &at.child("exceeded").child("fault"), diags, || format!("unknown fault `{f}`"));
            }
            let reference = match &l.kind {
                LimitKind::Usage { counts: Some(id), .. } => Some(("counts", id)),
                LimitKind::Field { absolute: Some(id), .. } => Some(("absolute", id)),
                _ => None,
            };
            if let Some((key, id)) = reference {
                match self.s.limit(id) {
                    None => diags.push(&at.child(key), ProblemKind::Reference, format!("unknown limit `{id}`")),
                    Some(a) if !matches!(a.kind, LimitKind::Absolute { .. }) => {
                        diags.push(&at.child(key), ProblemKind::Reference, format!("`{id}` is not an absolute limit"))
                    }
                    Some(a) if a.api != l.api => {
                        diags.push(&at.child(key), ProblemKind::Consistency, format!("`{id}` is a limit of API {}, {} is of API {}", a.api, l.id, l.api))
                    }
                    Some(_) => {}
                }
            }
            if let Some(p) = l.rate_pattern() {
                if let Err(e) = regex::Regex::new(&p) {
                    diags.push(&at.child("regex"), ProblemKind::Shape, format!("rate limit pattern `{p}` is not a regular expression: {e}"));
                }
            }
        }
        // The rate limits an operation lists are exactly those its method and path select.
        for o in &self.s.operations {
            let at = self.at("operation", &o.id).child("limits");
            let derived: BTreeSet<&str> = self.s.rate_limits_of(o).iter().map(|l| l.id.as_str()).collect();
            let listed: BTreeSet<&str> = o
                .limits
                .iter()
                .filter(|id| self.s.limit(id).is_some_and(|l| matches!(l.kind, LimitKind::Rate { .. })))
                .map(String::as_str)
                .collect();
            if derived != listed {
                let missing: Vec<&str> = derived.difference(&listed).copied().collect();
                let extra: Vec<&str> = listed.difference(&derived).copied().collect();
                diags.push(&at, ProblemKind::Consistency, format!("the rate limits of {} disagree with those its method and path select: missing {missing:?}, not selected {extra:?}", o.id));
            }
            for (i, id) in o.limits.iter().enumerate() {
                if self.s.limit(id).is_some_and(|l| matches!(l.kind, LimitKind::Usage { .. })) {
                    diags.push(&at.child(i), ProblemKind::Consistency, format!("`{id}` is a usage counter, not a limit that applies to {}", o.id));
                }
            }
        }
    }

    /// The body an example must conform to, with the JSON wrap key or XML root name;
    /// records why when there is none, or when a fault body does not fit its operation.
    fn expected_body(&self, e: &Example, at: &Location, diags: &mut Diagnostics) -> Option<(&Model, Option<String>)> {
        let op = self.s.operation(&e.operation)?;
        if e.direction == Direction::Exchange {
            return None;
        }
        let status = e.status.unwrap_or(0);
        let has_status = e.direction == Direction::Request || op.responses.iter().any(|r| r.status == status);
        let Some(body) = self.s.example_body(e) else {
            if has_status {
                diags.push(at, ProblemKind::Conformance, format!("{} has no {:?} body but the example has one", op.id, e.direction));
            } else if e.format != ExampleFormat::Shell && e.root_name().and_then(|n| self.s.fault_named(op.api, &n)).is_none() {
                let known: Vec<u16> = op.responses.iter().map(|r| r.status).collect();
                diags.push(&at.child("status"), ProblemKind::Conformance, format!("status {status} is neither a normal response of {} ({known:?}) nor a fault body", op.id));
            }
            return None;
        };
        match body.fault {
            Some(f) => {
                if !f.codes.contains(&status) && !f.more_codes {
                    diags.push(&at.child("status"), ProblemKind::Conformance, format!("status {status} is not a code of fault {}", f.id));
                }
                if !op.faults.iter().any(|r| r.fault == f.id) && !f.all_requests {
                    diags.push(&at.child("status"), ProblemKind::Conformance, format!("{} does not list fault {}", op.id, f.id));
                }
            }
            None => {
                let format = match e.format {
                    ExampleFormat::Json => Some(Format::Json),
                    ExampleFormat::Xml => Some(Format::Xml),
                    ExampleFormat::Text => Some(Format::Text),
                    _ => None,
                };
                if let Some(f) = format.filter(|f| !body.formats.contains(f)) {
                    diags.push(&at.child("format"), ProblemKind::Conformance, format!("{} does not offer this body as {f:?}", op.id));
                }
            }
        }
        Some((body.model, body.wrap))
    }

    fn example(&self, e: &Example, diags: &mut Diagnostics) {
        let at = self.at("example", &e.id);
        if self.s.operation(&e.operation).is_none() {
            diags.push(&at.child("operation"), ProblemKind::Reference, format!("unknown operation `{}`", e.operation));
            return;
        }
        if e.direction == Direction::Response && e.status.is_none() {
            diags.push(&at, ProblemKind::Shape, "a response example needs `status`");
        }
        match (e.format, &e.body) {
            (ExampleFormat::Http, Some(_)) => diags.push(&at.child("body"), ProblemKind::Shape, "an `http` example has headers only: no body"),
            (ExampleFormat::Http, None) => {}
            (_, None) => diags.push(&at, ProblemKind::Shape, "this example format needs a `body`"),
            (ExampleFormat::Json, Some(_)) => {}
            (_, Some(b)) if !b.is_string() => diags.push(&at.child("body"), ProblemKind::Shape, "an xml, text or shell body is a string"),
            _ => {}
        }
        let checker = &self.checker;
        let mut mismatches: Vec<Mismatch> = Vec::new();
        match e.format {
            ExampleFormat::Json => {
                let Some(body) = &e.body else { return };
                let Some((m, wrap)) = self.expected_body(e, &at, diags) else { return };
                match wrap {
                    Some(w) => match body.as_object() {
                        Some(obj) if obj.len() == 1 && obj.contains_key(&w) => {
                            checker.json_model(&obj[&w], m, &format!("/{w}"), &mut mismatches);
                        }
                        _ => mismatches.push(Mismatch { at: String::new(), message: format!("expected an object with the single key `{w}`") }),
                    },
                    None => checker.json_model(body, m, "", &mut mismatches),
                }
            }
            ExampleFormat::Xml => {
                let Some(text) = e.body_text() else { return };
                let el = match crate::xml::parse(text) {
                    Ok(el) => el,
                    Err(err) => {
                        diags.push(&at.child("body"), ProblemKind::Syntax, format!("not well-formed XML: {err}"));
                        return;
                    }
                };
                let Some((m, wrap)) = self.expected_body(e, &at, diags) else { return };
                let is_fault = self.s.faults.iter().any(|f| Some(&f.name) == wrap.as_ref() && f.model.as_deref() == Some(m.id.as_str()));
                let root = if is_fault { wrap.as_deref() } else { None };
                checker.xml_root(&el, m, root, &mut mismatches);
            }
            ExampleFormat::Text => {
                let Some(text) = e.body_text() else { return };
                let Some((m, _)) = self.expected_body(e, &at, diags) else { return };
                if let Err(msg) = checker.text(text.trim(), &TypeExpr::Model(m.id.clone())) {
                    mismatches.push(Mismatch { at: String::new(), message: msg });
                }
            }
            ExampleFormat::Shell | ExampleFormat::Http => {}
        }
        for mm in mismatches {
            let where_ = if mm.at.is_empty() { String::new() } else { format!("at {}: ", mm.at) };
            diags.push(&at.child("body"), ProblemKind::Conformance, format!("{where_}{}", mm.message));
        }
    }
}
