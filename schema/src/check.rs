//! Cross-checks of a loaded schema: references resolve, examples conform, XSDs agree.

use crate::conform::{Checker, Mismatch};
use crate::diagnostics::{Diagnostics, LoadFailures, Location, ProblemKind};
use crate::examples::{Direction, Example, ExampleFormat};
use crate::limits::{Limit, LimitKind, LimitTable};
use crate::models::{Field, FieldRole, Model, ModelKind, TypeExpr};
use crate::operations::{Auth, Body, Format, HeaderRole, Param, ParamSource, PointerStep};
use crate::Operation;
use crate::Schema;
use shapes::limits::Measure;
use std::collections::{BTreeMap, BTreeSet};

/// Runs every check and records what it finds.
pub fn check(schema: &Schema, diags: &mut Diagnostics) {
    check_loaded(schema, &LoadFailures::default(), diags);
}

/// Runs every check, as [`check`], but says nothing of references to items that `failed`
/// to load: the problem that dropped them is reported where it is, and reporting each
/// reference to them as unknown would bury it.
pub fn check_loaded(schema: &Schema, failed: &LoadFailures, diags: &mut Diagnostics) {
    let c = Ctx { s: schema, checker: Checker::new(schema), failed };
    c.namespaces(diags);
    c.apis(diags);
    c.models(diags);
    c.enum_apis(diags);
    c.operations(diags);
    c.header_roles(diags);
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
    failed: &'a LoadFailures,
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

    /// Whether the item `kind:id` is missing because it failed to load (already reported).
    fn gone(&self, kind: &str, id: &str) -> bool {
        self.failed.hides(kind, id)
    }

    /// Every API has its own module name, a plain Rust identifier, and every item names a
    /// listed API.
    fn apis(&self, diags: &mut Diagnostics) {
        let mut modules = BTreeSet::new();
        for a in &self.s.apis {
            let at = self.at("api", a.key.as_str()).child("module");
            let plain = a.module.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && a.module.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !plain {
                diags.push(&at, ProblemKind::Shape, format!("module `{}` of API {} is not a lower-case Rust identifier", a.module, a.key));
            }
            if !modules.insert(a.module.as_str()) {
                diags.push(&at, ProblemKind::Duplicate, format!("module `{}` is the module of two APIs", a.module));
            }
        }
        if self.failed.kinds.contains("api") {
            return;
        }
        let named = self
            .s
            .operations
            .iter()
            .map(|o| ("operation", o.id.as_str(), Some(o.api)))
            .chain(self.s.models.iter().map(|m| ("model", m.id.as_str(), m.api())))
            .chain(self.s.faults.iter().map(|f| ("fault", f.id.as_str(), Some(f.api))))
            .chain(self.s.state_machines.iter().map(|m| ("state machine", m.id.as_str(), Some(m.api))))
            .chain(self.s.limits.iter().map(|l| ("limit", l.id.as_str(), Some(l.api))));
        for (kind, id, api) in named {
            if let Some(api) = api.filter(|a| self.s.api(*a).is_none() && !self.gone("api", a.as_str())) {
                let known: Vec<&str> = self.s.apis.iter().map(|a| a.key.as_str()).collect();
                diags.push(&self.at(kind, id).child("api"), ProblemKind::Reference, format!("{kind} {id} is of API `{api}`, which apis.json does not list (it lists {known:?})"));
            }
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
                None if self.gone("model", id) => {}
                None => diags.push(at, ProblemKind::Reference, format!("unknown model `{id}`")),
                Some(m) if m.kind == ModelKind::Enum => {
                    diags.push(at, ProblemKind::Reference, format!("`{id}` is an enum: write {{\"enum\": \"{id}\"}}"))
                }
                Some(_) => {}
            },
            TypeExpr::Enum(id) => match self.s.model(id) {
                None if self.gone("model", id) => {}
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
            self.need(self.s.namespace(p).is_some() || self.gone("namespace", p), at, diags, || format!("unknown namespace prefix `{p}` (see data/namespaces.json)"));
        }
    }

    fn models(&self, diags: &mut Diagnostics) {
        let requests = self.request_users();
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
                    None if self.gone("model", &v.model) => {}
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
                if let Some(role) = f.role {
                    self.role(m, f, role, &fat.child("role"), diags);
                }
                if let Some(src) = &f.value_from {
                    self.field_source(m, f, src, requests.get(m.id.as_str()), &fat.child("value_from"), diags);
                }
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

    /// A field's role fits its type, and its model has no other field of that role.
    fn role(&self, m: &Model, f: &Field, role: FieldRole, at: &Location, diags: &mut Diagnostics) {
        if m.fields.iter().filter(|x| x.role == Some(role)).count() > 1 {
            diags.push(at, ProblemKind::Duplicate, format!("more than one field of {} has role `{}`", m.id, role.as_str()));
        }
        match (&f.ty, role) {
            (TypeExpr::Enum(e) | TypeExpr::Model(e), FieldRole::Status) => {
                if !self.s.state_machines.iter().any(|sm| sm.subject.as_deref() == Some(e.as_str())) {
                    diags.push(at, ProblemKind::Reference, format!("field `{}` has role `status`, but no state machine has its type {e} as subject", f.name));
                }
            }
            (TypeExpr::Model(id), r) if r.is_credentials() => {
                // An unknown model is reported with the field's type.
                if let Some(cm) = self.s.model(id) {
                    for need in [FieldRole::CredentialUser, FieldRole::CredentialSecret] {
                        if cm.field_with_role(need).is_none() {
                            diags.push(at, ProblemKind::Consistency, format!("field `{}` has role `{}`, but its model {id} has no field with role `{}`", f.name, role.as_str(), need.as_str()));
                        }
                    }
                }
            }
            (TypeExpr::Scalar(s), _) if role.scalars().contains(s) => {}
            (ty, _) => {
                let expected: Vec<&str> = role.scalars().iter().map(|s| s.as_str()).collect();
                let expected = if role.is_credentials() {
                    "a model with a `credential-user` and a `credential-secret` field".to_string()
                } else if expected.is_empty() {
                    "the subject enum of a state machine".to_string()
                } else {
                    expected.join(" or ")
                };
                diags.push(at, ProblemKind::Shape, format!("field `{}` has role `{}`, which needs {expected}, not {ty:?}", f.name, role.as_str()));
            }
        }
    }

    /// At most one enumeration value stands for each API (the API's name in a service
    /// catalog): a second one would leave clients guessing.
    fn enum_apis(&self, diags: &mut Diagnostics) {
        let mut seen: Vec<(crate::Api, String)> = Vec::new();
        for m in &self.s.models {
            for (i, v) in m.enum_values().iter().enumerate() {
                let Some(api) = v.api else { continue };
                let at = self.at("model", &m.id).child("values").child(i).child("api");
                match seen.iter().find(|(a, _)| *a == api) {
                    Some((_, first)) => diags.push(&at, ProblemKind::Duplicate, format!("`{}` of {} stands for API {api}, and so does {first}", v.value, m.id)),
                    None => seen.push((api, format!("`{}` of {}", v.value, m.id))),
                }
            }
        }
    }

    /// Header roles: each at most once per operation and in its place (the credentials
    /// exchange's user, key, token and endpoint; the token in operations authenticated by
    /// token); the key and a sent token are secrets; every token header has one name,
    /// which must exist when an operation is authenticated by token; an exchange that sends
    /// a user sends a key and answers with a token.
    fn header_roles(&self, diags: &mut Diagnostics) {
        let mut token_names: Vec<(String, Location)> = Vec::new();
        for o in &self.s.operations {
            let at = self.at("operation", &o.id);
            for role in HeaderRole::ALL {
                if o.request_headers.iter().filter(|h| h.role == Some(role)).count() > 1 {
                    diags.push(&at.child("request_headers"), ProblemKind::Duplicate, format!("more than one request header of {} has role `{}`", o.id, role.as_str()));
                }
            }
            for (i, h) in o.request_headers.iter().enumerate() {
                let hat = at.child("request_headers").child(i);
                let Some(role) = h.role else { continue };
                let fits = match role {
                    HeaderRole::AuthUser | HeaderRole::AuthKey => o.auth == Auth::Credentials,
                    HeaderRole::AuthToken => o.auth == Auth::Token,
                    HeaderRole::Endpoint => false,
                };
                if !fits {
                    diags.push(&hat.child("role"), ProblemKind::Consistency, format!("request header `{}` has role `{}`, which does not fit an operation with auth `{:?}`", h.name, role.as_str(), o.auth));
                }
                if matches!(role, HeaderRole::AuthKey | HeaderRole::AuthToken) && !h.secret {
                    diags.push(&hat.child("secret"), ProblemKind::Consistency, format!("request header `{}` has role `{}`: its value is a secret", h.name, role.as_str()));
                }
                if role == HeaderRole::AuthToken {
                    token_names.push((h.name.clone(), hat));
                }
            }
            for (ri, r) in o.responses.iter().enumerate() {
                for (i, h) in r.headers.iter().enumerate() {
                    let hat = at.child("responses").child(ri).child("headers").child(i);
                    let Some(role) = h.role else { continue };
                    if !matches!(role, HeaderRole::AuthToken | HeaderRole::Endpoint) || o.auth != Auth::Credentials {
                        diags.push(&hat.child("role"), ProblemKind::Consistency, format!("response header `{}` has role `{}`: only the token and endpoint a credentials exchange answers with have roles", h.name, role.as_str()));
                    }
                    if role == HeaderRole::AuthToken {
                        token_names.push((h.name.clone(), hat));
                    }
                }
            }
            if o.request_header_with_role(HeaderRole::AuthUser).is_some() {
                if o.request_header_with_role(HeaderRole::AuthKey).is_none() {
                    diags.push(&at.child("request_headers"), ProblemKind::Consistency, format!("{} sends a user (`auth-user`) but no key (`auth-key`)", o.id));
                }
                if o.response_header_with_role(HeaderRole::AuthToken).is_none() {
                    diags.push(&at.child("responses"), ProblemKind::Consistency, format!("{} sends a user (`auth-user`) but no success response has the token header (`auth-token`)", o.id));
                }
            }
        }
        if let Some((first, _)) = token_names.first() {
            for (name, at) in &token_names[1..] {
                if !name.eq_ignore_ascii_case(first) {
                    diags.push(at, ProblemKind::Consistency, format!("token header `{name}` differs from `{first}`: every header with role `auth-token` has one name"));
                }
            }
        } else if let Some(o) = self.s.operations.iter().find(|o| o.auth == Auth::Token) {
            diags.push(&self.at("operation", &o.id).child("auth"), ProblemKind::Reference, format!("{} is authenticated by token, but no header has role `auth-token` to carry it", o.id));
        }
    }

    /// A format-selecting parameter is an enumeration of format names, and the operation
    /// says which format it answers in when the parameter is omitted.
    fn format_selector(&self, o: &Operation, p: &Param, at: &Location, diags: &mut Diagnostics) {
        let values = match &p.ty {
            TypeExpr::Enum(e) | TypeExpr::Model(e) => self.s.model(e).map(|m| m.enum_values()),
            _ => None,
        };
        match values {
            Some(values) => {
                for v in values {
                    if serde_json::from_value::<Format>(serde_json::Value::String(v.value.clone())).is_err() {
                        diags.push(&at.child("type"), ProblemKind::Shape, format!("`{}` selects the format, but its value `{}` is no format (json, xml, text)", p.name, v.value));
                    }
                }
            }
            None => diags.push(&at.child("type"), ProblemKind::Shape, format!("`{}` selects the format, so its type is an enumeration of format names", p.name)),
        }
        if !o.responses.iter().any(|r| r.default_format.is_some()) {
            diags.push(at, ProblemKind::Consistency, format!("`{}` selects the format, but no response of {} names its default format", p.name, o.id));
        }
    }

    /// A filter parameter compares a field of the model its operation lists (a number,
    /// for `at-least`).
    fn filter(&self, o: &Operation, p: &crate::operations::Param, f: &shapes::operations::Filter<'_>, at: &Location, diags: &mut Diagnostics) {
        match self.field_type(&f.of, &f.field) {
            Err(e) => diags.push(at, ProblemKind::Reference, format!("`{}` of {}: {e}", p.name, o.id)),
            Ok(ty) if f.compare == shapes::operations::Compare::AtLeast && !matches!(ty, TypeExpr::Scalar(shapes::Scalar::Integer | shapes::Scalar::Number)) => {
                diags.push(at, ProblemKind::Consistency, format!("`{}` of {} compares `{}` as a number, but it is {ty}", p.name, o.id, f.field))
            }
            Ok(_) => {}
        }
    }

    /// A parameter's source names an operation of the same API that can be called before
    /// the parameter's own operation, and its pointer reaches, in every success response
    /// body of that operation, a scalar of the parameter's type (see [`Ctx::value_source`]).
    /// An operation that makes what a parameter names exists, is of the parameter's API,
    /// and documents the header it names the new resource in on a success response.
    fn made_by(&self, o: &Operation, p: &Param, m: &crate::operations::MadeBy, at: &Location, diags: &mut Diagnostics) {
        let Some(maker) = self.s.operation(&m.operation) else {
            diags.push(&at.child("operation"), ProblemKind::Reference, format!("`{}` of {}: operation `{}` does not exist", p.name, o.id, m.operation));
            return;
        };
        if maker.api != o.api {
            diags.push(&at.child("operation"), ProblemKind::Consistency, format!("`{}` of {}: {} is of API {}, not {}", p.name, o.id, maker.id, maker.api, o.api));
        }
        let documented = maker.responses.iter().filter(|r| (200..300).contains(&r.status)).any(|r| r.headers.iter().any(|h| h.name.eq_ignore_ascii_case(&m.header)));
        if !documented {
            diags.push(&at.child("header"), ProblemKind::Reference, format!("`{}` of {}: {} documents no success response with a {} header", p.name, o.id, maker.id, m.header));
        }
    }

    fn param_source(&self, o: &Operation, p: &Param, src: &ParamSource, at: &Location, diags: &mut Diagnostics) {
        let slot = Slot { what: format!("`{}` of {}", p.name, o.id), api: o.api, ty: &p.ty, users: vec![o], param: true };
        self.value_source(&slot, src, at, diags);
    }

    /// A request field's `value_from` is a source as a parameter's is (see
    /// [`Ctx::value_source`]), for every operation whose request holds the field's model;
    /// a model in no request has none (it says where a request's value comes from).
    fn field_source(&self, m: &Model, f: &Field, src: &ParamSource, users: Option<&Vec<&Operation>>, at: &Location, diags: &mut Diagnostics) {
        let Some(users) = users.filter(|u| !u.is_empty()) else {
            diags.push(at, ProblemKind::Consistency, format!("field `{}` of {} has `value_from`, but {} is in no request body: `value_from` says where a request's value comes from", f.name, m.id, m.id));
            return;
        };
        let Some(api) = m.api() else { return };
        let slot = Slot { what: format!("`{}` of {}", f.name, m.id), api, ty: &f.ty, users: users.clone(), param: false };
        self.value_source(&slot, src, at, diags);
    }

    /// A source names an operation of the slot's API that can be called before each
    /// operation that uses the slot, and its pointer reaches, in every success response
    /// body of that operation, a value the slot takes (a scalar of its type or one a
    /// string carries, or, ending in `*`, the keys of a map, for a string).
    fn value_source(&self, slot: &Slot<'_, '_>, src: &ParamSource, at: &Location, diags: &mut Diagnostics) {
        let what = &slot.what;
        let Some(from) = self.s.operation(&src.operation) else {
            if !self.gone("operation", &src.operation) {
                diags.push(&at.child("operation"), ProblemKind::Reference, format!("{what}: source operation `{}` does not exist", src.operation));
            }
            return;
        };
        if from.api != slot.api {
            diags.push(&at.child("operation"), ProblemKind::Consistency, format!("{what}: source operation {} is of API {}, not {}: a value comes from its own API", from.id, from.api, slot.api));
        }
        if let Some(maker) = &src.credentials_from {
            self.credentials_from(what, from, maker, &at.child("credentials_from"), diags);
        }
        // An operation that is its own source reads its request body (the key a metadata
        // item's path names is the one its body sets).
        let own_request = slot.param && from.request.is_some() && slot.users.iter().any(|o| o.id == from.id);
        for o in slot.users.iter().filter(|_| !own_request) {
            if let Some(chain) = self.source_cycle(&o.id, from) {
                diags.push(&at.child("operation"), ProblemKind::Consistency, format!("{what}: source operation {} needs a value that comes from {} itself ({} → {})", from.id, o.id, o.id, chain.join(" → ")));
            }
        }
        let steps = match src.steps() {
            Ok(steps) => steps,
            Err(e) => {
                diags.push(&at.child("pointer"), ProblemKind::Shape, format!("{what}: {e}"));
                return;
            }
        };
        let mut bodies: Vec<Body> = Vec::new();
        let answers = from.responses.iter().filter(|r| (200..300).contains(&r.status)).filter_map(|r| r.body());
        let read: Vec<Body> = if own_request { from.request.iter().cloned().collect() } else { answers.collect() };
        for b in read {
            if !bodies.iter().any(|x| x.model == b.model && x.wrap == b.wrap) {
                bodies.push(b);
            }
        }
        if bodies.is_empty() {
            diags.push(&at.child("pointer"), ProblemKind::Reference, format!("{what}: source operation {} has no success response with a body for pointer `{}` to read", from.id, src.pointer));
        }
        for b in &bodies {
            if self.s.model(&b.model).is_none() {
                // An unknown model is reported at the response's body.
                continue;
            }
            let unresolved = |why: String| format!("{what}: pointer `{}` does not resolve in the success response of {} ({}): {why}", src.pointer, from.id, b.model);
            if !b.formats.contains(&Format::Json) {
                diags.push(&at.child("pointer"), ProblemKind::Reference, unresolved("the pointer reads a JSON body, and this one is not offered as JSON".into()));
                continue;
            }
            let body_steps = match b.wrap.as_deref() {
                None => &steps[..],
                Some(w) => match steps.first() {
                    Some(PointerStep::Key(k)) if k == w => &steps[1..],
                    _ => {
                        diags.push(&at.child("pointer"), ProblemKind::Reference, unresolved(format!("the body is wrapped in `{w}`, so the pointer starts with `/{w}`")));
                        continue;
                    }
                },
            };
            match self.pointer_target(&TypeExpr::Model(b.model.clone()), body_steps) {
                Err(why) => diags.push(&at.child("pointer"), ProblemKind::Reference, unresolved(why)),
                Ok(reached) if reached.fits(slot.ty) => {}
                Ok(reached) => {
                    let got = match &reached {
                        Reached::Keys => "the keys of a map, which are strings".to_string(),
                        Reached::Value(t) => t.to_string(),
                    };
                    diags.push(&at.child("pointer"), ProblemKind::Consistency, format!("{what} is {}, but pointer `{}` of {} reaches {got}", slot.ty, src.pointer, from.id));
                }
            }
        }
    }

    /// A source called as what another operation made: that operation exists, is of the
    /// source's API, and its request has a name and a secret (the `resource-name` and
    /// `credential-secret` roles) for the source, a credentials exchange, to sign in with.
    fn credentials_from(&self, what: &str, from: &Operation, maker: &str, at: &Location, diags: &mut Diagnostics) {
        let Some(m) = self.s.operation(maker) else {
            diags.push(at, ProblemKind::Reference, format!("{what}: operation `{maker}` does not exist"));
            return;
        };
        if m.api != from.api {
            diags.push(at, ProblemKind::Consistency, format!("{what}: {maker} is of API {}, not {}", m.api, from.api));
        }
        if from.auth != crate::operations::Auth::Credentials {
            diags.push(at, ProblemKind::Consistency, format!("{what}: {} is not a credentials exchange, so it cannot be called as what {maker} made", from.id));
        }
        let fields: Vec<&Field> = m.request.as_ref().and_then(|b| self.s.model(&b.model)).map(|model| model.fields.iter().collect()).unwrap_or_default();
        for need in [FieldRole::ResourceName, FieldRole::CredentialSecret] {
            if !fields.iter().any(|f| f.role == Some(need)) {
                diags.push(at, ProblemKind::Consistency, format!("{what}: the request of {maker} has no field with the {} role to sign in with", need.as_str()));
            }
        }
    }

    /// The chain of source operations from `from` back to the operation `id`, when calling
    /// `from` needs (through the sources of its own path parameters and request fields,
    /// [`Schema::value_sources`]) a value that only `id` yields.
    fn source_cycle(&self, id: &str, from: &Operation) -> Option<Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(&Operation, Vec<String>)> = vec![(from, vec![from.id.clone()])];
        while let Some((op, chain)) = stack.pop() {
            if op.id == id {
                return Some(chain);
            }
            if !seen.insert(op.id.as_str()) {
                continue;
            }
            for next in self.s.value_sources(op).into_iter().filter_map(|s| self.s.operation(&s.operation)) {
                let mut c = chain.clone();
                c.push(next.id.clone());
                stack.push((next, c));
            }
        }
        None
    }

    /// The operations whose request holds each model (see [`Schema::request_models`]).
    fn request_users(&self) -> BTreeMap<&str, Vec<&Operation>> {
        let mut out: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
        for o in &self.s.operations {
            for m in self.s.request_models(o) {
                out.entry(m.id.as_str()).or_default().push(o);
            }
        }
        out
    }

    /// What the pointer `steps` reaches from a value of type `ty`: a scalar (or enum), or
    /// the keys of a map (`*`); an error says where and why it does not.
    fn pointer_target(&self, ty: &TypeExpr, steps: &[PointerStep]) -> Result<Reached, String> {
        let model = match ty {
            TypeExpr::Model(id) | TypeExpr::Enum(id) => Some(self.s.model(id).ok_or_else(|| format!("unknown model `{id}`"))?),
            _ => None,
        };
        let Some(step) = steps.first() else {
            return match (ty, model) {
                (TypeExpr::Scalar(_) | TypeExpr::Enum(_), _) => Ok(Reached::Value(ty.clone())),
                (_, Some(m)) if m.kind == ModelKind::Enum => Ok(Reached::Value(TypeExpr::Enum(m.id.clone()))),
                _ => Err(format!("the pointer ends at {ty}, which is not a scalar (end it with `/*` for a key of a map, `/0` for an item of an array)")),
            };
        };
        if let Some(m) = model.filter(|m| m.kind == ModelKind::Union) {
            let mut why = Vec::new();
            for v in &m.variants {
                let rest = match (v.wrap.as_deref(), step) {
                    (None, _) => steps,
                    (Some(w), PointerStep::Key(k)) if k == w => &steps[1..],
                    (Some(w), _) => {
                        why.push(format!("{}: wrapped in `{w}`", v.model));
                        continue;
                    }
                };
                match self.pointer_target(&TypeExpr::Model(v.model.clone()), rest) {
                    Ok(r) => return Ok(r),
                    Err(e) => why.push(format!("{}: {e}", v.model)),
                }
            }
            return Err(format!("no shape of the union {} has it ({})", m.id, why.join("; ")));
        }
        if let PointerStep::AnyKey = step {
            return match self.map_values(ty) {
                Some(_) => Ok(Reached::Keys),
                None => Err(format!("`*` (any key) needs a map, the value there is {ty}")),
            };
        }
        if let Some(items) = self.array_items(ty) {
            return match step {
                PointerStep::Index(_) => self.pointer_target(&items, &steps[1..]),
                _ => Err(format!("the value there is {ty}: an array is entered by an index (`/0` for its first item)")),
            };
        }
        let name = match step {
            PointerStep::Key(k) => k.clone(),
            PointerStep::Index(n) => n.to_string(),
            PointerStep::AnyKey => unreachable!("handled above"),
        };
        if let Some(values) = self.map_values(ty) {
            return self.pointer_target(&values, &steps[1..]);
        }
        match model {
            Some(m) if m.kind == ModelKind::Object => {
                let Some(f) = m.fields.iter().find(|f| f.name == name) else {
                    let known: Vec<&str> = m.fields.iter().filter(|f| f.json).map(|f| f.name.as_str()).collect();
                    return Err(format!("{} has no field `{name}` (its fields: {})", m.id, known.join(", ")));
                };
                if !f.json {
                    return Err(format!("field `{name}` of {} has no JSON form", m.id));
                }
                self.pointer_target(&f.ty, &steps[1..])
            }
            Some(m) => Err(format!("`{name}` is a field name but {} is a model of kind {:?}, which has no fields", m.id, m.kind)),
            None => Err(format!("`{name}` is a field name but the value there is {ty}, which has no fields")),
        }
    }

    /// The type of the field at `path` (JSON names joined by `.`) of a model.
    fn field_type(&self, model: &str, path: &str) -> Result<TypeExpr, String> {
        let mut ty = TypeExpr::Model(model.to_string());
        for name in path.split('.') {
            let TypeExpr::Model(id) = &ty else { return Err(format!("`{path}`: the value before `{name}` has no fields")) };
            let m = self.s.model(id).ok_or_else(|| format!("unknown model `{id}`"))?;
            let f = m.fields.iter().find(|f| f.name == name).ok_or_else(|| format!("{id} has no field `{name}` (in `{path}`)"))?;
            ty = f.ty.clone();
        }
        Ok(ty)
    }

    /// The list model a paged operation returns has the parts its pager reads.
    fn page_model(&self, l: &Limit, op: &Operation, id_field: Option<&str>, next_links: bool, at: &Location, diags: &mut Diagnostics) {
        let models = op.responses.iter().filter(|r| (200..300).contains(&r.status)).filter_map(|r| r.model.as_deref());
        for m in models.filter_map(|id| self.s.model(id)) {
            let Some(page) = self.s.page_of(m) else {
                diags.push(at, ProblemKind::Consistency, format!("{} pages {} but its model {} has not exactly one array of items", l.id, op.id, m.id));
                continue;
            };
            if let Some(mf) = id_field {
                if !page.item.fields.iter().any(|f| f.name == mf) {
                    diags.push(&at.child("id_field"), ProblemKind::Reference, format!("the items of {} ({}) have no identifying field `{mf}`", m.id, page.item.id));
                }
            }
            if next_links && page.links.is_none() {
                diags.push(&at.child("next_rel"), ProblemKind::Consistency, format!("{} pages by next links but {} has no links array (an array of a model with `link-rel` and `link-href` fields)", l.id, m.id));
            }
        }
    }

    fn body(&self, b: &Body, at: &Location, diags: &mut Diagnostics) {
        match self.s.model(&b.model) {
            None if self.gone("model", &b.model) => {}
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
                if let Some(src) = &p.source {
                    self.param_source(o, p, src, &at.child("path_params").child(i).child("source"), diags);
                }
                if let Some(m) = &p.made_by {
                    self.made_by(o, p, m, &at.child("path_params").child(i).child("made_by"), diags);
                }
            }
            for (i, p) in o.query.iter().enumerate() {
                self.type_refs(&p.ty, &at.child("query").child(i), diags);
                if let Some(src) = &p.source {
                    self.param_source(o, p, src, &at.child("query").child(i).child("source"), diags);
                }
                if let Some(f) = &p.filter {
                    self.filter(o, p, f, &at.child("query").child(i).child("filter"), diags);
                }
                if p.selects_format {
                    self.format_selector(o, p, &at.child("query").child(i), diags);
                }
            }
            if o.query.iter().filter(|p| p.selects_format).count() > 1 {
                diags.push(&at.child("query"), ProblemKind::Shape, "at most one query parameter selects the format");
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
                self.need(self.s.fault(&f.fault).is_some() || self.gone("fault", &f.fault), &at.child("faults").child(i), diags, || format!("unknown fault `{}`", f.fault));
            }
            for (i, l) in o.limits.iter().enumerate() {
                self.need(self.s.limit(l).is_some() || self.gone("limit", l), &at.child("limits").child(i), diags, || format!("unknown limit `{l}`"));
            }
        }
    }

    fn faults(&self, diags: &mut Diagnostics) {
        for f in &self.s.faults {
            let at = self.at("fault", &f.id);
            if let Some(m) = &f.model {
                self.need(self.s.model(m).is_some() || self.gone("model", m), &at.child("model"), diags, || format!("unknown model `{m}`"));
            }
            for (i, m) in f.embedded_in.iter().enumerate() {
                self.need(self.s.model(m).is_some() || self.gone("model", m), &at.child("embedded_in").child(i), diags, || format!("unknown model `{m}`"));
            }
            if f.codes.is_empty() {
                diags.push(&at.child("codes"), ProblemKind::Shape, "a fault needs at least one code");
            }
            if let Some(r) = &f.retry {
                match f.model.as_deref().map(|id| (id, self.s.model(id))) {
                    None => diags.push(&at.child("retry"), ProblemKind::Reference, format!("`retry` names the body field `{r}` but the fault has no `model`")),
                    Some((_, Some(m))) if !m.fields.iter().any(|x| &x.name == r) => {
                        let known: Vec<&str> = m.fields.iter().map(|x| x.name.as_str()).collect();
                        diags.push(&at.child("retry"), ProblemKind::Reference, format!("`retry` names `{r}`, which is no field of {} (its fields: {})", m.id, known.join(", ")));
                    }
                    // A missing model is reported at `model`.
                    Some(_) => {}
                }
            }
        }
    }

    fn machines(&self, diags: &mut Diagnostics) {
        let mut tids = BTreeSet::new();
        let tables: Vec<shapes::machines::StateMachine> = self.s.state_machines.iter().map(|m| m.table(self.s)).collect();
        for m in &self.s.state_machines {
            let at = self.at("state machine", &m.id);
            let mut names = BTreeSet::new();
            for (i, st) in m.states.iter().enumerate() {
                if !names.insert(st.name.as_str()) {
                    diags.push(&at.child("states").child(i), ProblemKind::Duplicate, format!("state `{}` twice", st.name));
                }
            }
            if let Some(subject) = &m.subject {
                match self.subject_enum(subject) {
                    Ok(Some(e)) => {
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
                    Ok(None) => {}
                    Err(msg) => diags.push(&at.child("subject"), ProblemKind::Reference, msg),
                }
            }
            for s in &m.initial {
                self.need(names.contains(s.as_str()), &at.child("initial"), diags, || format!("initial state `{s}` is not a state"));
            }
            if let Some(slot) = &m.metadata {
                self.need(self.s.model(&slot.model).is_some(), &at.child("metadata").child("model"), diags, || format!("no model `{}` holds the metadata", slot.model));
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
                    self.need(self.s.operation(op).is_some() || self.gone("operation", op), &tat.child("operation"), diags, || format!("unknown operation `{op}`"));
                }
                if let Some(c) = &t.when {
                    if let Err(e) = self.condition(t.operation.as_deref(), c) {
                        diags.push(&tat.child("when"), ProblemKind::Reference, e);
                    }
                }
            }
            for (i, row) in m.mapping.iter().enumerate() {
                let status = row.get("status").and_then(|v| v.as_str());
                if let Some(st) = status {
                    if !tables.iter().any(|t| t.state(st).is_some()) && !self.failed.kinds.contains("state machine") {
                        diags.push(&at.child("mapping").child(i), ProblemKind::Reference, format!("mapping status `{st}` is no machine's state"));
                    }
                }
            }
        }
    }

    fn limits(&self, diags: &mut Diagnostics) {
        for l in &self.s.limits {
            let at = self.at("limit", &l.id);
            let ops_key = if matches!(l.kind, LimitKind::Absolute { .. }) { "enforced_by" } else { "applies_to" };
            for (i, op) in l.operations().iter().enumerate() {
                self.need(self.s.operation(op).is_some() || self.gone("operation", op), &at.child(ops_key).child(i), diags, || format!("unknown operation `{op}`"));
            }
            if let Some(f) = l.exceeded().and_then(|e| e.fault.as_ref()) {
                self.need(self.s.fault(f).is_some() || self.gone("fault", f), &at.child("exceeded").child("fault"), diags, || format!("unknown fault `{f}`"));
            }
            let reference = match &l.kind {
                LimitKind::Usage { counts: Some(id), .. } => Some(("counts", id)),
                LimitKind::Field { absolute: Some(id), .. } => Some(("absolute", id)),
                _ => None,
            };
            if let Some((key, id)) = reference {
                match self.s.limit(id) {
                    None if self.gone("limit", id) => {}
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
            match &l.kind {
                LimitKind::Field { field: Some(path), applies_to, max_bytes, max_count, .. } => {
                    self.field_path(&l.id, path, applies_to, *max_bytes, *max_count, &at.child("field"), diags);
                }
                LimitKind::Pagination { params, applies_to, id_field, next_rel, .. } => {
                    if params.marker.is_some() == params.offset.is_some() {
                        diags.push(&at.child("params"), ProblemKind::Shape, "a pagination limit pages by exactly one of `marker` and `offset`");
                    }
                    if params.marker.is_some() && id_field.is_none() {
                        diags.push(&at.child("id_field"), ProblemKind::Shape, "marker paging names the item field its marker comes from (`id_field`)");
                    }
                    for op in applies_to.iter().filter_map(|id| self.s.operation(id)) {
                        for p in params.names() {
                            if !op.query.iter().any(|q| q.name == p) {
                                let known: Vec<&str> = op.query.iter().map(|q| q.name.as_str()).collect();
                                diags.push(&at.child("params"), ProblemKind::Reference, format!("paging parameter `{p}` is not a query parameter of {} (its query parameters: {known:?})", op.id));
                            }
                        }
                        self.page_model(l, op, id_field.as_deref(), next_rel.is_some(), &at, diags);
                    }
                }
                LimitKind::ChangesSince { param, applies_to, .. } => {
                    for op in applies_to.iter().filter_map(|id| self.s.operation(id)) {
                        if !op.query.iter().any(|q| &q.name == param) {
                            diags.push(&at.child("param"), ProblemKind::Reference, format!("changes-since parameter `{param}` is not a query parameter of {}", op.id));
                        }
                    }
                }
                _ => {}
            }
            if let LimitTable::Rate(r) = l.table(self.s) {
                if let Err(e) = r.matcher() {
                    diags.push(&at.child("regex"), ProblemKind::Shape, format!("rate limit pattern `{}` is not a regular expression: {e}", r.pattern()));
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

    /// Whether the body an example would be compared with did not load: its model, or the
    /// fault its root names, or that fault's model.
    fn body_gone(&self, e: &Example) -> bool {
        let Some(op) = self.s.operation(&e.operation) else { return false };
        let model = match e.direction {
            Direction::Exchange => return false,
            Direction::Request => op.request.as_ref().map(|b| b.model.clone()),
            Direction::Response => op.responses.iter().find(|r| Some(r.status) == e.status).and_then(|r| r.body()).map(|b| b.model),
        };
        if let Some(m) = model {
            return self.gone("model", &m);
        }
        let Some(name) = e.root_name() else { return false };
        match self.s.fault_named(op.api, &name) {
            Some(f) => f.model.as_deref().is_some_and(|m| self.gone("model", m)),
            None => self.gone("fault", &format!("{}.{name}", op.api)),
        }
    }

    /// The enum a state machine's `subject` names: an enum model id (`v2.ServerStatus`), or
    /// a field `Model.field` whose type is an enum (`v2.Server.status`). `Ok(None)` when
    /// what it names did not load.
    fn subject_enum(&self, subject: &str) -> Result<Option<&Model>, String> {
        const EXPECTED: &str = "expected an enum model id (`v2.ServerStatus`) or `Model.field` naming a field of an object model whose type is an enum (`v2.Server.status`)";
        match self.s.model(subject) {
            Some(e) if e.kind == ModelKind::Enum => return Ok(Some(e)),
            Some(m) => return Err(format!("subject `{subject}` is a model of kind {:?}, not an enum: {EXPECTED}", m.kind)),
            None => {}
        }
        let Some((model_id, field)) = subject.rsplit_once('.') else {
            return Err(format!("unknown subject `{subject}`: {EXPECTED}"));
        };
        let Some(m) = self.s.model(model_id) else {
            if self.gone("model", subject) || self.gone("model", model_id) {
                return Ok(None);
            }
            return Err(format!("unknown subject `{subject}`: no enum `{subject}` and no model `{model_id}`; {EXPECTED}"));
        };
        let Some(f) = m.fields.iter().find(|f| f.name == field) else {
            let known: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
            return Err(format!("subject `{subject}`: {model_id} has no field `{field}` (its fields: {}); {EXPECTED}", known.join(", ")));
        };
        match &f.ty {
            TypeExpr::Enum(id) | TypeExpr::Model(id) => match self.s.model(id) {
                Some(e) if e.kind == ModelKind::Enum => Ok(Some(e)),
                None if self.gone("model", id) => Ok(None),
                // An unknown type is reported at the field.
                None => Ok(None),
                Some(_) => Err(format!("subject `{subject}`: the field's type is {}, not an enum; {EXPECTED}", f.ty)),
            },
            other => Err(format!("subject `{subject}`: the field's type is {other}, not an enum; {EXPECTED}")),
        }
    }

    /// Resolves a field limit's `field` against the request of each operation it applies
    /// to; reports a path that no alternative resolves for an operation, an alternative
    /// that never applies, and alternatives that do not parse.
    #[allow(clippy::too_many_arguments)]
    fn field_path(
        &self,
        limit: &str,
        path: &str,
        applies_to: &[String],
        max_bytes: Option<u64>,
        max_count: Option<u64>,
        at: &Location,
        diags: &mut Diagnostics,
    ) {
        if max_bytes.is_none() && max_count.is_none() {
            diags.push(at, ProblemKind::Shape, format!("field limit {limit} names a field but has neither `max_bytes` nor `max_count`"));
            return;
        }
        let alts: Vec<(&str, Result<Vec<PathStep>, String>)> = path.split('|').map(str::trim).map(|a| (a, parse_field_path(a))).collect();
        let mut bad_syntax = false;
        for (alt, parsed) in &alts {
            if let Err(e) = parsed {
                diags.push(at, ProblemKind::Shape, format!("alternative `{alt}` of field path `{path}`: {e}; expected field names joined by `.`, each optionally followed by `{{}}`, `{{key}}`, `{{value}}`, `[]` or `@base64`"));
                bad_syntax = true;
            }
        }
        if bad_syntax {
            return;
        }
        let mut used = vec![false; alts.len()];
        for op_id in applies_to {
            let Some(op) = self.s.operation(op_id) else { continue };
            let Some(req) = &op.request else {
                diags.push(at, ProblemKind::Reference, format!("field path `{path}` of {limit} cannot resolve against {op_id}: the operation has no request body"));
                continue;
            };
            let Some(model) = self.s.model(&req.model) else { continue };
            let mut why = Vec::new();
            let mut resolved = false;
            for (i, (alt, parsed)) in alts.iter().enumerate() {
                let Ok(steps) = parsed else { continue };
                match self.resolve_path(model, req.wrap.as_deref(), steps, max_bytes, max_count) {
                    Ok(()) => {
                        used[i] = true;
                        resolved = true;
                        break;
                    }
                    Err(e) => why.push(format!("`{alt}`: {e}")),
                }
            }
            if !resolved {
                let wrap = req.wrap.as_deref().map(|w| format!(" inside `{w}`")).unwrap_or_default();
                diags.push(at, ProblemKind::Reference, format!("field path `{path}` of {limit} resolves against no request field of {op_id} (model {}{wrap}): {}", model.id, why.join("; ")));
            }
        }
        let any_op = applies_to.iter().any(|id| self.s.operation(id).and_then(|o| o.request.as_ref()).is_some_and(|r| self.s.model(&r.model).is_some()));
        if any_op {
            for ((alt, _), used) in alts.iter().zip(used) {
                if !used {
                    diags.push(at, ProblemKind::Reference, format!("alternative `{alt}` of field path `{path}` applies to none of {applies_to:?}: an earlier alternative resolves first, or it resolves against no request"));
                }
            }
        }
    }

    /// Resolves one parsed alternative against a request model (the same rules the
    /// generated validators follow).
    /// Whether a transition's condition names a field of its operation's request model
    /// (and, for an enumeration, one of its values).
    fn condition(&self, op: Option<&str>, c: &crate::machines::Condition) -> Result<(), String> {
        let op_id = op.ok_or("a transition with a condition needs its operation")?;
        let Some(op) = self.s.operation(op_id) else { return Ok(()) };
        let req = op.request.as_ref().ok_or_else(|| format!("{op_id} has no request body for the condition to read"))?;
        let ty = self.field_type(&req.model, &c.field)?;
        if let TypeExpr::Enum(id) = &ty {
            let values = self.s.model(id).map(|m| m.enum_values()).unwrap_or_default();
            if !values.is_empty() && !values.iter().any(|v| v.value == c.equals) {
                return Err(format!("`{}` is not a value of {id}, the type of `{}`", c.equals, c.field));
            }
        }
        Ok(())
    }

    fn resolve_path(&self, model: &Model, wrap: Option<&str>, steps: &[PathStep], max_bytes: Option<u64>, max_count: Option<u64>) -> Result<(), String> {
        let ends_in_count = matches!(steps.last(), Some(PathStep::MapCount | PathStep::ArrayCount));
        let count = Measure::of(ends_in_count, max_bytes, max_count)? == Measure::Count;
        let mut steps = steps;
        if let (Some(PathStep::Field(first)), Some(w)) = (steps.first(), wrap) {
            if first == w && !model.fields.iter().any(|f| &f.name == first) {
                steps = &steps[1..];
            }
        }
        self.resolve_steps(&TypeExpr::Model(model.id.clone()), steps, count)
    }

    fn resolve_steps(&self, ty: &TypeExpr, steps: &[PathStep], count: bool) -> Result<(), String> {
        match steps.first() {
            None => self.path_end(ty, count),
            Some(PathStep::Base64) if steps.len() == 1 => self.path_end(ty, count),
            Some(PathStep::Base64) => Err("`@base64` must end the path".into()),
            Some(PathStep::Field(name)) => {
                let m = match ty {
                    TypeExpr::Model(id) => self.s.model(id).ok_or_else(|| format!("unknown model `{id}`"))?,
                    other => return Err(format!("`{name}` is a field name but the value there is {other}, which has no fields")),
                };
                if m.kind != ModelKind::Object {
                    return Err(format!("`{name}` is a field name but {} is a model of kind {:?}, which has no fields", m.id, m.kind));
                }
                let Some(f) = m.fields.iter().find(|f| &f.name == name) else {
                    let known: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
                    return Err(format!("{} has no field `{name}` (its fields: {})", m.id, known.join(", ")));
                };
                if steps.len() == 1 && count && !self.is_collection(&f.ty) {
                    return Ok(());
                }
                self.resolve_steps(&f.ty, &steps[1..], count)
            }
            Some(step @ (PathStep::MapCount | PathStep::MapKeys | PathStep::MapValues)) => {
                let inner = self.map_values(ty).ok_or_else(|| format!("`{}` needs a map, the value there is {ty}", step.spelling()))?;
                match step {
                    PathStep::MapCount if steps.len() == 1 => Ok(()),
                    PathStep::MapKeys if steps.len() == 1 && !count => Ok(()),
                    PathStep::MapKeys if steps.len() == 1 => Err("`{key}` bounds the bytes of each key but the limit has only `max_count`".into()),
                    PathStep::MapValues => self.resolve_steps(&inner, &steps[1..], count),
                    _ => Err(format!("`{}` must end the path", step.spelling())),
                }
            }
            Some(PathStep::ArrayCount) => {
                self.array_items(ty).ok_or_else(|| format!("`[]` needs an array, the value there is {ty}"))?;
                Ok(())
            }
            Some(PathStep::ArrayItems) => {
                let inner = self.array_items(ty).ok_or_else(|| format!("`[]` needs an array, the value there is {ty}"))?;
                self.resolve_steps(&inner, &steps[1..], count)
            }
        }
    }

    /// The end of a path measured in bytes must be text (or an enum's spelling).
    fn path_end(&self, ty: &TypeExpr, count: bool) -> Result<(), String> {
        use crate::models::Scalar;
        if count {
            return Err(format!("the path ends at {ty}: a count needs `{{}}` (a map's entries) or `[]` (an array's items) at the end, or a single field"));
        }
        let text = match ty {
            TypeExpr::Scalar(s) => matches!(
                s,
                Scalar::String | Scalar::DateTime | Scalar::Uuid | Scalar::Uri | Scalar::Ipv4 | Scalar::Ipv6 | Scalar::Ip | Scalar::Base64 | Scalar::Secret
            ),
            TypeExpr::Enum(id) | TypeExpr::Model(id) => self.s.model(id).is_some_and(|m| m.kind == ModelKind::Enum),
            _ => false,
        };
        if text {
            Ok(())
        } else {
            Err(format!("the path ends at {ty}, which has no byte length: `max_bytes` bounds a text value"))
        }
    }

    fn is_collection(&self, ty: &TypeExpr) -> bool {
        match ty {
            TypeExpr::Array(_) | TypeExpr::Map(_) => true,
            TypeExpr::Model(id) => self.s.model(id).is_some_and(|m| matches!(m.kind, ModelKind::Map | ModelKind::Array)),
            _ => false,
        }
    }

    fn map_values(&self, ty: &TypeExpr) -> Option<TypeExpr> {
        match ty {
            TypeExpr::Map(inner) => Some(inner.as_ref().clone()),
            TypeExpr::Model(id) => self.s.model(id).filter(|m| m.kind == ModelKind::Map).and_then(|m| m.map_values().cloned()),
            _ => None,
        }
    }

    fn array_items(&self, ty: &TypeExpr) -> Option<TypeExpr> {
        match ty {
            TypeExpr::Array(inner) => Some(inner.as_ref().clone()),
            TypeExpr::Model(id) => self.s.model(id).filter(|m| m.kind == ModelKind::Array).and_then(|m| m.items.clone()),
            _ => None,
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
            if self.body_gone(e) {
                // The body's model (or the fault it names) did not load: nothing to compare.
            } else if has_status {
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

    /// What an example says of the request it answers: query parameters of its operation,
    /// a page of a list the pagination applies to, earlier operations that exist.
    fn example_context(&self, e: &Example, at: &Location, diags: &mut Diagnostics) {
        let Some(op) = self.s.operation(&e.operation) else { return };
        for name in e.query.keys() {
            if !op.query.iter().any(|q| q.name == *name) {
                diags.push(&at.child("query"), ProblemKind::Reference, format!("{} has no query parameter `{name}`", op.id));
            }
        }
        let paged = self.s.limits.iter().any(|l| matches!(&l.kind, crate::limits::LimitKind::Pagination { applies_to, next_rel: Some(_), .. } if applies_to.contains(&op.id)));
        if e.page.is_some() && !paged {
            diags.push(&at.child("page"), ProblemKind::Reference, format!("no pagination with next links applies to {}", op.id));
        }
        if e.page.is_some() && e.direction != Direction::Response {
            diags.push(&at.child("page"), ProblemKind::Shape, "only a response is a page");
        }
        for (i, id) in e.after.iter().enumerate() {
            if self.s.operation(id).is_none() {
                diags.push(&at.child("after").child(i), ProblemKind::Reference, format!("unknown operation `{id}`"));
            }
        }
    }

    fn example(&self, e: &Example, diags: &mut Diagnostics) {
        let at = self.at("example", &e.id);
        if self.s.operation(&e.operation).is_none() {
            if self.gone("operation", &e.operation) {
                return;
            }
            diags.push(&at.child("operation"), ProblemKind::Reference, format!("unknown operation `{}`", e.operation));
            return;
        }
        if e.direction == Direction::Response && e.status.is_none() {
            diags.push(&at, ProblemKind::Shape, "a response example needs `status`");
        }
        self.example_context(e, &at, diags);
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

/// What a source's pointer reaches.
enum Reached {
    /// A scalar or enum value of this type.
    Value(TypeExpr),
    /// The keys of a map (a pointer ending in `*`).
    Keys,
}

impl Reached {
    /// Whether a parameter or field of type `slot` takes the value: one of its own type;
    /// for a string, any value JSON writes as a string (an enum, a uuid, a URI, the keys
    /// of a map); for an integer-or-uuid, an integer or a uuid.
    fn fits(&self, slot: &TypeExpr) -> bool {
        use shapes::Scalar;
        match (self, slot) {
            (Reached::Keys, TypeExpr::Scalar(Scalar::String)) => true,
            (Reached::Keys, _) => false,
            (Reached::Value(t), _) if t == slot => true,
            (Reached::Value(TypeExpr::Enum(_)), TypeExpr::Scalar(Scalar::String)) => true,
            (Reached::Value(TypeExpr::Scalar(s)), TypeExpr::Scalar(Scalar::String)) => !s.is_numeric() && !matches!(s, Scalar::Boolean | Scalar::Any | Scalar::IntegerOrUuid),
            (Reached::Value(TypeExpr::Scalar(s)), TypeExpr::Scalar(Scalar::IntegerOrUuid)) => matches!(s, Scalar::Integer | Scalar::Uuid),
            _ => false,
        }
    }
}

/// What takes a source's value: a path parameter of an operation, or a field of a request
/// model, with the operations that send it.
struct Slot<'s, 'o> {
    /// How messages name it: "`server_id` of v2.servers.get".
    what: String,
    /// The API its value comes from.
    api: crate::Api,
    /// Its type.
    ty: &'s TypeExpr,
    /// The operations a value is sent with (the source must not need them first).
    users: Vec<&'o Operation>,
    /// A parameter's (which may name what its own operation's request body sets), not a
    /// request field's.
    param: bool,
}

/// One step of a field limit's `field` path (see FORMAT.md, limits.json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    /// A JSON field of an object (or, first, the operation's `wrap` key: the request itself).
    Field(String),
    /// `{}`: the number of entries of a map.
    MapCount,
    /// `{key}`: each key of a map.
    MapKeys,
    /// `{value}`: each value of a map.
    MapValues,
    /// `[]` at the end: the number of items of an array.
    ArrayCount,
    /// `[]` followed by more: each item of an array.
    ArrayItems,
    /// `@base64`: the decoded size of a base64 text.
    Base64,
}

impl PathStep {
    fn spelling(&self) -> &str {
        match self {
            PathStep::Field(n) => n,
            PathStep::MapCount => "{}",
            PathStep::MapKeys => "{key}",
            PathStep::MapValues => "{value}",
            PathStep::ArrayCount | PathStep::ArrayItems => "[]",
            PathStep::Base64 => "@base64",
        }
    }
}

/// Parses one alternative of a field path (no ` | `).
pub fn parse_field_path(path: &str) -> Result<Vec<PathStep>, String> {
    let mut steps = Vec::new();
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    for (i, seg) in path.split('.').enumerate() {
        let cut = seg.find(['{', '[', '@']).unwrap_or(seg.len());
        let (name, mut rest) = seg.split_at(cut);
        if name.is_empty() {
            return Err(format!("segment {} has no field name", i + 1));
        }
        steps.push(PathStep::Field(name.to_string()));
        while !rest.is_empty() {
            let (step, len) = if rest.starts_with("{}") {
                (PathStep::MapCount, 2)
            } else if rest.starts_with("{key}") {
                (PathStep::MapKeys, 5)
            } else if rest.starts_with("{value}") {
                (PathStep::MapValues, 7)
            } else if rest.starts_with("[]") {
                (PathStep::ArrayItems, 2)
            } else if rest.starts_with("@base64") {
                (PathStep::Base64, 7)
            } else {
                return Err(format!("unknown suffix `{rest}`"));
            };
            steps.push(step);
            rest = &rest[len..];
        }
    }
    if let Some(last) = steps.last_mut() {
        if *last == PathStep::ArrayItems {
            *last = PathStep::ArrayCount;
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_parse() {
        assert_eq!(parse_field_path("metadata{key}"), Ok(vec![PathStep::Field("metadata".into()), PathStep::MapKeys]));
        assert_eq!(parse_field_path("personality[]"), Ok(vec![PathStep::Field("personality".into()), PathStep::ArrayCount]));
        assert_eq!(
            parse_field_path("personality[].contents@base64"),
            Ok(vec![PathStep::Field("personality".into()), PathStep::ArrayItems, PathStep::Field("contents".into()), PathStep::Base64])
        );
        assert!(parse_field_path("metadata{nope}").is_err());
        assert!(parse_field_path("a..b").is_err());
        assert!(parse_field_path("").is_err());
    }
}
