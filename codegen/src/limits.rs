//! Limits: rate, absolute and field limits as data, and client-side validation of field limits.
//!
//! Per API, the `limits` module holds one constant per limit of the schema (typed by
//! kind: `runtime::limits::RateLimit`, `AbsoluteLimit`, `FieldLimit`, `Pagination`,
//! `ChangesSince`, `TokenLifetime`, `Caching`), one table per kind (`RATE_LIMITS`,
//! `ABSOLUTE_LIMITS`, `FIELD_LIMITS`, `PAGINATION_LIMITS`, `CHANGES_SINCE_LIMITS`,
//! `TOKEN_LIMITS`, `CACHING_LIMITS`), and, for every operation
//! whose request a field limit with a `field` path bounds, `validate_<operation>`; the
//! `VALIDATED` table lists what each validator checks, and `validate_json` runs the
//! validator of an operation on a JSON body.
//!
//! Field paths (`field` in limits.json; see FORMAT.md) are resolved against the request
//! model of each operation the limit applies to: `.`-separated JSON field names, where
//! the first may name the operation's `wrap` key (the request model itself); `{}` counts
//! a map's entries, `{key}` / `{value}` bound each key / value, `[]` counts an array's
//! items (or, followed by `.field`, reaches into each item), `@base64` measures the
//! decoded size; ` | ` separates alternatives, the first that resolves applies.

use crate::faults::local_id;
use crate::machines::{opt_text, text, texts, variant};
use crate::models::Access;
use crate::names::{screaming, snake};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::limits::{Exceeded, LimitKind, LimitTable};
use schema::models::{ModelKind, Scalar, TypeExpr};
use schema::{Api, Limit, Operation};
use shapes::limits::Measure;

// Field paths are parsed by the schema crate, which checks them: one reading of the syntax.
use schema::check::{parse_field_path as parse_path, PathStep as Step};

/// Names the limits module defines besides the limit constants.
const RESERVED: [&str; 8] = [
    "RATE_LIMITS",
    "ABSOLUTE_LIMITS",
    "FIELD_LIMITS",
    "PAGINATION_LIMITS",
    "CHANGES_SINCE_LIMITS",
    "TOKEN_LIMITS",
    "CACHING_LIMITS",
    "VALIDATED",
];

/// The constant name of each limit of the schema (`v2.field.metadata-key` ->
/// `FIELD_METADATA_KEY`), unique within its API's module.
fn limit_consts(schema: &schema::Schema) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for l in &schema.limits {
        let local = l.id.strip_prefix(l.api.as_str()).and_then(|r| r.strip_prefix('.')).unwrap_or(&l.id);
        let mut n = screaming(local);
        let taken = |n: &str, out: &[(String, String)]| {
            RESERVED.contains(&n)
                || out.iter().any(|(id, c)| c == n && schema.limit(id).is_some_and(|o| o.api == l.api))
        };
        if taken(&n, &out) {
            n.push_str("_LIMIT");
        }
        while taken(&n, &out) {
            n.push('_');
        }
        out.push((l.id.clone(), n));
    }
    out
}

/// The literal of an `exceeded` in table form.
fn exceeded_literal(e: &Exceeded) -> TokenStream {
    let status = e.status;
    let (fault, name, header) = (opt_text(e.fault.as_deref()), opt_text(e.fault_name.as_deref()), opt_text(e.retry_header.as_deref()));
    quote!(::runtime::limits::Exceeded { status: #status, fault: #fault, fault_name: #name, retry_header: #header })
}

fn opt_exceeded(e: Option<&Exceeded>) -> TokenStream {
    match e {
        Some(e) => {
            let t = exceeded_literal(e);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

/// `Some(v)` or `None`, for a number.
fn opt<T: quote::ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// The type, the literal and the table of a limit in table form.
fn limit_literal(t: &LimitTable) -> (TokenStream, TokenStream, &'static str) {
    match t {
        LimitTable::Rate(r) => {
            let (id, verb, uri, regex, source) = (text(&r.id), text(&r.verb), text(&r.uri), opt_text(r.regex.as_deref()), text(&r.source));
            let value = r.value;
            let unit = variant(r.unit);
            let ex = opt_exceeded(r.exceeded.as_ref());
            (
                quote!(::runtime::limits::RateLimit),
                quote!(::runtime::limits::RateLimit {
                    id: #id, verb: #verb, uri: #uri, regex: #regex, value: #value, unit: ::runtime::limits::RateUnit::#unit, exceeded: #ex, source: #source
                }),
                "RATE_LIMITS",
            )
        }
        LimitTable::Absolute(a) => {
            let (id, name, unit, source) = (text(&a.id), text(&a.name), opt_text(a.unit.as_deref()), text(&a.source));
            let (value, account, enforced, ex) = (opt(a.value), a.account, texts(&a.enforced_by), opt_exceeded(a.exceeded.as_ref()));
            (
                quote!(::runtime::limits::AbsoluteLimit),
                quote!(::runtime::limits::AbsoluteLimit {
                    id: #id, name: #name, value: #value, unit: #unit, account: #account, enforced_by: #enforced, exceeded: #ex, source: #source
                }),
                "ABSOLUTE_LIMITS",
            )
        }
        LimitTable::Usage(u) => {
            let (id, name, unit, counts, source) = (text(&u.id), text(&u.name), opt_text(u.unit.as_deref()), opt_text(u.counts.as_deref()), text(&u.source));
            (
                quote!(::runtime::limits::UsageCounter),
                quote!(::runtime::limits::UsageCounter { id: #id, name: #name, unit: #unit, counts: #counts, source: #source }),
                "USAGE_COUNTERS",
            )
        }
        LimitTable::Field(f) => {
            let (id, name, field, account_limit, source) =
                (text(&f.id), text(&f.name), opt_text(f.field.as_deref()), opt_text(f.account_limit.as_deref()), text(&f.source));
            let (mb, mc, applies) = (opt(f.max_bytes), opt(f.max_count), texts(&f.applies_to));
            let (ex, refused) = (opt_exceeded(f.exceeded.as_ref()), exceeded_literal(&f.refused_with));
            (
                quote!(::runtime::limits::FieldLimit),
                quote!(::runtime::limits::FieldLimit {
                    id: #id, name: #name, max_bytes: #mb, max_count: #mc, field: #field, account_limit: #account_limit,
                    applies_to: #applies, exceeded: #ex, refused_with: #refused, source: #source
                }),
                "FIELD_LIMITS",
            )
        }
        LimitTable::Pagination(p) => {
            let (id, source, max, default) = (text(&p.id), text(&p.source), p.max, opt(p.default));
            let (size, marker, offset) = (text(&p.size_param), opt_text(p.marker_param.as_deref()), opt_text(p.offset_param.as_deref()));
            let (id_field, next_rel) = (opt_text(p.id_field.as_deref()), opt_text(p.next_rel.as_deref()));
            let (applies, ex) = (texts(&p.applies_to), opt_exceeded(p.exceeded.as_ref()));
            (
                quote!(::runtime::limits::Pagination),
                quote!(::runtime::limits::Pagination {
                    id: #id, max: #max, default: #default, size_param: #size, marker_param: #marker, offset_param: #offset,
                    id_field: #id_field, next_rel: #next_rel, applies_to: #applies, exceeded: #ex, source: #source
                }),
                "PAGINATION_LIMITS",
            )
        }
        LimitTable::ChangesSince(c) => {
            let (id, param, format, source) = (text(&c.id), text(&c.param), text(&c.format), text(&c.source));
            let (retention, applies, nm) = (opt(c.retention_days), texts(&c.applies_to), opt(c.not_modified_status));
            (
                quote!(::runtime::limits::ChangesSince),
                quote!(::runtime::limits::ChangesSince {
                    id: #id, param: #param, format: #format, retention_days: #retention, applies_to: #applies, not_modified_status: #nm,
                    source: #source
                }),
                "CHANGES_SINCE_LIMITS",
            )
        }
        LimitTable::Token(t) => {
            let (id, source, hours, applies, ex) = (text(&t.id), text(&t.source), opt(t.hours), texts(&t.applies_to), opt_exceeded(t.exceeded.as_ref()));
            (
                quote!(::runtime::limits::TokenLifetime),
                quote!(::runtime::limits::TokenLifetime { id: #id, hours: #hours, applies_to: #applies, exceeded: #ex, source: #source }),
                "TOKEN_LIMITS",
            )
        }
        LimitTable::Caching(c) => {
            let (id, source, status, applies) = (text(&c.id), text(&c.source), c.status, texts(&c.applies_to));
            (
                quote!(::runtime::limits::Caching),
                quote!(::runtime::limits::Caching { id: #id, status: #status, applies_to: #applies, source: #source }),
                "CACHING_LIMITS",
            )
        }
    }
}

impl Context<'_> {
    /// The path of a limit's constant as seen from the limits module of `from`.
    fn limit_path(&self, from: Api, l: &Limit) -> TokenStream {
        let c = self.limit_const(l);
        if l.api == from {
            quote!(#c)
        } else {
            let m = self.api_mod(l.api);
            quote!(super::super::#m::limits::#c)
        }
    }

    /// The constant of a limit.
    fn limit_const(&self, l: &Limit) -> proc_macro2::Ident {
        let name = limit_consts(self.schema).into_iter().find(|(id, _)| *id == l.id).map_or_else(|| "LIMIT".to_string(), |(_, c)| c);
        format_ident!("{}", name)
    }

    fn limit_item(&self, l: &Limit) -> Option<(TokenStream, &'static str)> {
        let c = self.limit_const(l);
        let doc = crate::doc_lines(l.doc.as_deref(), &l.source, &l.errata);
        let (ty, value, table) = limit_literal(&l.table(self.schema));
        let extra = match &l.kind {
            LimitKind::Field { exceeded: None, .. } => {
                " The document names no status for exceeding it: a violation reports 400 `badRequest`, what the service answers a request it cannot accept."
            }
            _ => "",
        };
        let extra_doc = if extra.is_empty() {
            quote!()
        } else {
            quote!(#[doc = ""] #[doc = #extra])
        };
        Some((
            quote! {
                #doc
                #extra_doc
                pub const #c: #ty = #value;
            },
            table,
        ))
    }

    /// Generates the limits module of one API.
    pub(crate) fn limits_module(&self, api: Api) -> TokenStream {
        let limits: Vec<&Limit> = self.schema.limits.iter().filter(|l| l.api == api).collect();
        let mut items = Vec::new();
        let mut tables: Vec<(&'static str, &'static str, Vec<TokenStream>)> = vec![
            ("RATE_LIMITS", "RateLimit", Vec::new()),
            ("ABSOLUTE_LIMITS", "AbsoluteLimit", Vec::new()),
            ("FIELD_LIMITS", "FieldLimit", Vec::new()),
            ("PAGINATION_LIMITS", "Pagination", Vec::new()),
            ("CHANGES_SINCE_LIMITS", "ChangesSince", Vec::new()),
            ("TOKEN_LIMITS", "TokenLifetime", Vec::new()),
            ("CACHING_LIMITS", "Caching", Vec::new()),
            ("USAGE_COUNTERS", "UsageCounter", Vec::new()),
        ];
        for l in &limits {
            if let Some((item, table)) = self.limit_item(l) {
                items.push(item);
                let c = self.limit_const(l);
                if let Some(t) = tables.iter_mut().find(|t| t.0 == table) {
                    t.2.push(quote!(#c));
                }
            }
        }
        let table_items = tables.iter().map(|(name, ty, entries)| {
            let n = format_ident!("{}", name);
            let t = format_ident!("{}", ty);
            let doc = format!(" Every `{}` limit of this API, in schema order.", ty);
            quote!(#[doc = #doc] pub const #n: &[::runtime::limits::#t] = &[#(#entries),*];)
        });

        let mut validators = Vec::new();
        let mut validated_rows = Vec::new();
        let mut json_arms = Vec::new();
        for op in self.schema.operations.iter().filter(|o| o.api == api) {
            match self.validator(api, op) {
                Ok(Some((item, ids, arm))) => {
                    validators.push(item);
                    let id = &op.id;
                    validated_rows.push(quote!((#id, &[#(#ids),*])));
                    json_arms.push(arm);
                }
                Ok(None) => {}
                // `check_limits` stops generation first; never leave a check out silently.
                Err(e) => {
                    let msg = e.to_string();
                    validators.push(quote!(compile_error!(#msg);));
                }
            }
        }
        let cow = if limits.is_empty() { quote!() } else { quote!(use ::std::borrow::Cow;) };
        // The validators check through the runtime's `FieldLimitCheck`.
        let check_trait = if validators.is_empty() { quote!() } else { quote!(use ::runtime::limits::FieldLimitCheck as _;) };
        let validate_json_body = if json_arms.is_empty() {
            quote! { let _ = (operation, body, account); None }
        } else {
            quote! {
                match operation {
                    #(#json_arms)*
                    _ => None,
                }
            }
        };
        quote! {
            /// Limits: rate, absolute and field limits, pagination, changes-since, token
            /// lifetime and caching as data; client-side checks of field limits.
            pub mod limits {
                #cow
                #check_trait

                #(#items)*

                #(#table_items)*

                /// Each operation with a validator, and the field limits it checks.
                pub const VALIDATED: &[(&str, &[&str])] = &[#(#validated_rows),*];

                #(#validators)*

                /// Decodes a JSON request body of `operation` (with its wrapping key, as sent)
                /// and checks its field limits; `None` when the operation has no validator.
                pub fn validate_json(
                    operation: &str,
                    body: &::runtime::serde_json::Value,
                    account: &::runtime::limits::AccountLimits,
                ) -> Option<Result<(), ::runtime::limits::RequestCheckError>> {
                    #validate_json_body
                }
            }
        }
    }

    /// Checks that every field limit's `field` path resolves against the request of each
    /// operation it applies to, in the APIs generated: a check the generator cannot write is
    /// an error, not a check silently left out.
    pub(crate) fn check_limits(&self) -> Result<(), crate::Error> {
        for op in self.schema.operations.iter().filter(|o| self.apis.contains(&o.api)) {
            self.validator(op.api, op)?;
        }
        Ok(())
    }

    /// The validator of one operation: the function, the limit ids it checks, and its
    /// `validate_json` arm; `None` when no field limit with a `field` path applies to it.
    pub(crate) fn validator(&self, api: Api, op: &Operation) -> Result<Option<(TokenStream, Vec<String>, TokenStream)>, crate::Error> {
        let applicable: Vec<(&Limit, &String, Option<u64>, Option<u64>)> = self
            .schema
            .limits
            .iter()
            .filter_map(|l| match &l.kind {
                LimitKind::Field { field: Some(path), applies_to, max_bytes, max_count, .. } if applies_to.contains(&op.id) => {
                    Some((l, path, *max_bytes, *max_count))
                }
                _ => None,
            })
            .collect();
        if applicable.is_empty() {
            return Ok(None);
        }
        let unresolved = |l: &Limit, path: &str, reason: String| crate::Error::UnresolvedLimit {
            limit: l.id.clone(),
            operation: op.id.clone(),
            path: path.to_string(),
            reason,
        };
        let (l0, p0, _, _) = applicable[0];
        let request = op.request.as_ref().ok_or_else(|| unresolved(l0, p0, "the operation has no request body".into()))?;
        let model = self
            .schema
            .model(&request.model)
            .ok_or_else(|| unresolved(l0, p0, format!("its request model `{}` does not exist", request.model)))?;
        let mut checks = Vec::new();
        let mut ids = Vec::new();
        for (l, path, max_bytes, max_count) in applicable {
            let lc = self.limit_path(api, l);
            let mut reasons = Vec::new();
            let mut resolved = None;
            for alt in path.split('|').map(str::trim) {
                match self.resolve_alternative(model, request.wrap.as_deref(), alt, max_bytes, max_count, &lc) {
                    Ok(code) => {
                        resolved = Some(code);
                        break;
                    }
                    Err(why) => reasons.push(format!("`{alt}`: {why}")),
                }
            }
            let code = resolved.ok_or_else(|| unresolved(l, path, reasons.join("; ")))?;
            checks.push(quote! { { #code } });
            ids.push(l.id.clone());
        }
        let ty = self.sibling_model_path(api, &model.id);
        let f = format_ident!("validate_{}", snake(local_id(op)));
        let doc = format!(
            " Checks the field limits of a {} (`{}`) request before it is sent: {}. Bounds that are the account's own (a documented default) are checked against `account`'s values, and not at all when those are unknown. Returns the first limit broken, with the status and fault the service would answer.",
            op.name,
            op.id,
            ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
        );
        let item = quote! {
            #[doc = #doc]
            pub fn #f(request: &#ty, account: &::runtime::limits::AccountLimits) -> Result<(), ::runtime::limits::LimitViolation> {
                #(#checks)*
                Ok(())
            }
        };
        let op_id = &op.id;
        let inner = match &request.wrap {
            Some(w) => quote! {
                match body.get(#w) {
                    Some(inner) => inner,
                    None => return Some(Err(::runtime::limits::RequestCheckError::Decode(format!("expected an object with the key `{}`", #w)))),
                }
            },
            None => quote!(body),
        };
        let arm = quote! {
            #op_id => {
                let inner = #inner;
                Some(match <#ty as ::runtime::serde::Deserialize>::deserialize(inner) {
                    Ok(request) => #f(&request, account).map_err(::runtime::limits::RequestCheckError::Limit),
                    Err(e) => Err(::runtime::limits::RequestCheckError::Decode(e.to_string())),
                })
            }
        };
        Ok(Some((item, ids, arm)))
    }

    /// The check of one alternative of a field path against a request model, or why it
    /// does not resolve.
    fn resolve_alternative(
        &self,
        model: &schema::Model,
        wrap: Option<&str>,
        alt: &str,
        max_bytes: Option<u64>,
        max_count: Option<u64>,
        lc: &TokenStream,
    ) -> Result<TokenStream, String> {
        let steps = parse_path(alt)?;
        let measure = Measure::of(matches!(steps.last(), Some(Step::MapCount | Step::ArrayCount)), max_bytes, max_count)?;
        let root = TypeExpr::Model(model.id.clone());
        let mut steps_ref: &[Step] = &steps;
        // The first name may be the operation's wrapping key: the request itself.
        if let (Some(Step::Field(first)), Some(wrap)) = (steps.first(), wrap) {
            if first == wrap && !model.fields.iter().any(|f| &f.name == first) {
                steps_ref = &steps[1..];
            }
        }
        self.walk(quote!(request), &root, steps_ref, lc, measure, 0)
    }

    /// Code that checks `limit` on the value `value` (a reference to a `ty`) along `steps`,
    /// or why the steps do not fit the type.
    fn walk(
        &self,
        value: TokenStream,
        ty: &TypeExpr,
        steps: &[Step],
        limit: &TokenStream,
        measure: Measure,
        depth: usize,
    ) -> Result<TokenStream, String> {
        let v = format_ident!("v{}", depth);
        match steps.first() {
            None => self.terminal(value, ty, false, limit, measure),
            Some(Step::Base64) if steps.len() == 1 => self.terminal(value, ty, true, limit, measure),
            Some(Step::Base64) => Err("`@base64` must end the path".into()),
            Some(Step::Field(name)) => {
                let TypeExpr::Model(id) = ty else {
                    return Err(format!("`{name}` is a field name but the value there is {ty}, which has no fields"));
                };
                let m = self.schema.model(id).ok_or_else(|| format!("unknown model `{id}`"))?;
                if m.kind != ModelKind::Object {
                    return Err(format!("`{name}` is a field name but {} is a model of kind {:?}, which has no fields", m.id, m.kind));
                }
                let f = m.fields.iter().find(|f| &f.name == name).ok_or_else(|| {
                    let known: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
                    format!("{} has no field `{name}` (its fields: {})", m.id, known.join(", "))
                })?;
                let fname = self.field_ident(f);
                let is_collection_ty = self.is_collection(&f.ty);
                // A single value counted: present or not.
                if steps.len() == 1 && measure == Measure::Count && !is_collection_ty {
                    let present = self.field_value(&value, f, Access::Ref);
                    let n = quote!(usize::from(#present.is_some()));
                    return Ok(quote!(#limit.check_count(#n, account)?;));
                }
                let rest = self.walk(quote!(#v), &f.ty, &steps[1..], limit, measure, depth + 1)?;
                Ok(match (f.required && f.json, f.nullable) {
                    (true, false) => quote! { let #v = &#value.#fname; #rest },
                    (true, true) | (false, false) => quote! { if let Some(#v) = &#value.#fname { #rest } },
                    (false, true) => quote! { if let Some(Some(#v)) = &#value.#fname { #rest } },
                })
            }
            Some(step @ (Step::MapCount | Step::MapKeys | Step::MapValues)) => {
                let spelling = match step {
                    Step::MapCount => "{}",
                    Step::MapKeys => "{key}",
                    _ => "{value}",
                };
                let (map, inner) = self.as_map(value, ty).ok_or_else(|| format!("`{spelling}` needs a map, the value there is {ty}"))?;
                match step {
                    Step::MapCount if steps.len() == 1 => Ok(quote!(#limit.check_count(#map.len(), account)?;)),
                    Step::MapKeys if steps.len() == 1 && measure == Measure::Bytes => {
                        Ok(quote! { for #v in #map.keys() { #limit.check_bytes(#v.len(), account)?; } })
                    }
                    Step::MapKeys if steps.len() == 1 => Err("`{key}` bounds the bytes of each key but the limit has only `max_count`".into()),
                    Step::MapValues => {
                        let rest = self.walk(quote!(#v), &inner, &steps[1..], limit, measure, depth + 1)?;
                        Ok(quote! { for #v in #map.values() { #rest } })
                    }
                    _ => Err(format!("`{spelling}` must end the path")),
                }
            }
            Some(Step::ArrayCount) if steps.len() == 1 => {
                let (vec, _) = self.as_array(value, ty).ok_or_else(|| format!("`[]` needs an array, the value there is {ty}"))?;
                Ok(quote!(#limit.check_count(#vec.len(), account)?;))
            }
            Some(Step::ArrayCount) => Err("a count `[]` must end the path".into()),
            Some(Step::ArrayItems) => {
                let (vec, inner) = self.as_array(value, ty).ok_or_else(|| format!("`[]` needs an array, the value there is {ty}"))?;
                let rest = self.walk(quote!(#v), &inner, &steps[1..], limit, measure, depth + 1)?;
                Ok(quote! { for #v in #vec.iter() { #rest } })
            }
        }
    }

    fn is_collection(&self, ty: &TypeExpr) -> bool {
        match ty {
            TypeExpr::Array(_) | TypeExpr::Map(_) => true,
            TypeExpr::Model(id) => self.schema.model(id).is_some_and(|m| matches!(m.kind, ModelKind::Map | ModelKind::Array)),
            _ => false,
        }
    }

    /// The map expression and value type of a map-typed value.
    fn as_map(&self, value: TokenStream, ty: &TypeExpr) -> Option<(TokenStream, TypeExpr)> {
        match ty {
            TypeExpr::Map(inner) => Some((value, inner.as_ref().clone())),
            TypeExpr::Model(id) => {
                let m = self.schema.model(id)?;
                if m.kind != ModelKind::Map {
                    return None;
                }
                m.map_values().cloned().map(|t| (quote!(#value.0), t))
            }
            _ => None,
        }
    }

    /// The vector expression and item type of an array-typed value.
    fn as_array(&self, value: TokenStream, ty: &TypeExpr) -> Option<(TokenStream, TypeExpr)> {
        match ty {
            TypeExpr::Array(inner) => Some((value, inner.as_ref().clone())),
            TypeExpr::Model(id) => {
                let m = self.schema.model(id)?;
                if m.kind != ModelKind::Array {
                    return None;
                }
                m.items.clone().map(|t| (quote!(#value.0), t))
            }
            _ => None,
        }
    }

    /// The check at the end of a path: the byte length of a text value (decoded, for base64).
    fn terminal(&self, value: TokenStream, ty: &TypeExpr, base64: bool, limit: &TokenStream, measure: Measure) -> Result<TokenStream, String> {
        if measure != Measure::Bytes {
            return Err(format!("the path ends at {ty}: a count needs `{{}}` (a map's entries) or `[]` (an array's items) at the end, or a single field"));
        }
        let text = match ty {
            TypeExpr::Scalar(Scalar::Secret) => quote!(#value.expose()),
            TypeExpr::Scalar(s) if Context::is_string_scalar(*s) => quote!(#value.as_str()),
            TypeExpr::Enum(id) | TypeExpr::Model(id) if self.schema.model(id).is_some_and(|m| m.kind == ModelKind::Enum) => {
                quote!(#value.as_str())
            }
            _ => return Err(format!("the path ends at {ty}, which has no byte length: `max_bytes` bounds a text value")),
        };
        Ok(if base64 {
            quote!(#limit.check_bytes(::runtime::limits::base64_decoded_len(#text), account)?;)
        } else {
            quote!(#limit.check_bytes(#text.len(), account)?;)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(parse_path("metadata{key}"), Ok(vec![Step::Field("metadata".into()), Step::MapKeys]));
        assert_eq!(parse_path("metadata{}"), Ok(vec![Step::Field("metadata".into()), Step::MapCount]));
        assert_eq!(parse_path("personality[]"), Ok(vec![Step::Field("personality".into()), Step::ArrayCount]));
        assert_eq!(
            parse_path("personality[].contents@base64"),
            Ok(vec![Step::Field("personality".into()), Step::ArrayItems, Step::Field("contents".into()), Step::Base64])
        );
        assert_eq!(parse_path("OS-DCF:diskConfig"), Ok(vec![Step::Field("OS-DCF:diskConfig".into())]));
        assert!(parse_path("metadata{nope}").is_err());
        assert!(parse_path("a..b").is_err());
    }
}
