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

use crate::faults::{local_id, source_text};
use crate::names::{screaming, snake};
use crate::models::Access;
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::limits::{Exceeded, LimitKind, RateUnit};
use schema::models::{ModelKind, Scalar, TypeExpr};
use schema::{Api, Limit, Operation};

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

/// What a path's end measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Measure {
    Bytes,
    Count,
}

impl Context<'_> {
    fn exceeded_tokens(&self, e: &Exceeded) -> TokenStream {
        let status = e.status;
        let fault = match &e.fault {
            Some(f) => quote!(Some(#f)),
            None => quote!(None),
        };
        let name = match e.fault.as_deref().and_then(|f| self.schema.fault(f)) {
            Some(f) => {
                let n = &f.name;
                quote!(Some(#n))
            }
            None => quote!(None),
        };
        let header = match &e.retry_header {
            Some(h) => quote!(Some(#h)),
            None => quote!(None),
        };
        quote!(::runtime::limits::Exceeded { status: #status, fault: #fault, fault_name: #name, retry_header: #header })
    }

    fn opt_exceeded(&self, e: Option<&Exceeded>) -> TokenStream {
        match e {
            Some(e) => {
                let t = self.exceeded_tokens(e);
                quote!(Some(#t))
            }
            None => quote!(None),
        }
    }

    /// What a field limit reports: its `exceeded`, else 400 with the API's `badRequest`.
    fn refused_with(&self, l: &Limit) -> TokenStream {
        match l.exceeded() {
            Some(e) => self.exceeded_tokens(e),
            None => {
                let fault = self.schema.faults.iter().find(|f| f.api == l.api && f.name == "badRequest");
                let e = Exceeded { status: 400, fault: fault.map(|f| f.id.clone()), retry_header: None };
                self.exceeded_tokens(&e)
            }
        }
    }

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
        let id = &l.id;
        let source = source_text(&l.source);
        let doc = crate::doc_lines(l.doc.as_deref(), &l.source, &l.errata);
        let strs = |v: &[String]| quote!(&[#(#v),*]);
        let (ty, value, table) = match &l.kind {
            LimitKind::Rate { verb, uri, regex, value, unit, exceeded } => {
                let regex = match regex {
                    Some(r) => quote!(Some(#r)),
                    None => quote!(None),
                };
                let unit = match unit {
                    RateUnit::Second => quote!(::runtime::limits::RateUnit::Second),
                    RateUnit::Minute => quote!(::runtime::limits::RateUnit::Minute),
                    RateUnit::Hour => quote!(::runtime::limits::RateUnit::Hour),
                    RateUnit::Day => quote!(::runtime::limits::RateUnit::Day),
                };
                let ex = self.opt_exceeded(exceeded.as_ref());
                (
                    quote!(::runtime::limits::RateLimit),
                    quote!(::runtime::limits::RateLimit { id: #id, verb: #verb, uri: #uri, regex: #regex, value: #value, unit: #unit, exceeded: #ex, source: #source }),
                    "RATE_LIMITS",
                )
            }
            LimitKind::Absolute { name, value, unit, enforced_by, exceeded, account } => {
                let value = match value.as_ref().and_then(serde_json::Value::as_i64) {
                    Some(v) => quote!(Some(#v)),
                    None => quote!(None),
                };
                let unit = match unit {
                    Some(u) => quote!(Some(#u)),
                    None => quote!(None),
                };
                let enforced = strs(enforced_by);
                let ex = self.opt_exceeded(exceeded.as_ref());
                (
                    quote!(::runtime::limits::AbsoluteLimit),
                    quote!(::runtime::limits::AbsoluteLimit { id: #id, name: #name, value: #value, unit: #unit, account: #account, enforced_by: #enforced, exceeded: #ex, source: #source }),
                    "ABSOLUTE_LIMITS",
                )
            }
            LimitKind::Field { name, max_bytes, max_count, field, applies_to, exceeded, absolute } => {
                let opt_u64 = |v: &Option<u64>| match v {
                    Some(v) => quote!(Some(#v)),
                    None => quote!(None),
                };
                let (mb, mc) = (opt_u64(max_bytes), opt_u64(max_count));
                let field = match field {
                    Some(f) => quote!(Some(#f)),
                    None => quote!(None),
                };
                let applies = strs(applies_to);
                let ex = self.opt_exceeded(exceeded.as_ref());
                let refused = self.refused_with(l);
                let account_limit = match absolute.as_deref().and_then(|id| self.schema.limit(id)).map(|a| &a.kind) {
                    Some(LimitKind::Absolute { name, .. }) => quote!(Some(#name)),
                    _ => quote!(None),
                };
                (
                    quote!(::runtime::limits::FieldLimit),
                    quote!(::runtime::limits::FieldLimit {
                        id: #id, name: #name, max_bytes: #mb, max_count: #mc, field: #field, account_limit: #account_limit,
                        applies_to: #applies, exceeded: #ex, refused_with: #refused, source: #source
                    }),
                    "FIELD_LIMITS",
                )
            }
            LimitKind::Pagination { max, default, params, id_field, next_rel, applies_to, exceeded } => {
                let default = match default {
                    Some(d) => quote!(Some(#d)),
                    None => quote!(None),
                };
                let size = &params.size;
                let marker = opt_str(params.marker.as_deref());
                let offset = opt_str(params.offset.as_deref());
                let id_field = opt_str(id_field.as_deref());
                let next_rel = opt_str(next_rel.as_deref());
                let applies = strs(applies_to);
                let ex = self.opt_exceeded(exceeded.as_ref());
                (
                    quote!(::runtime::limits::Pagination),
                    quote!(::runtime::limits::Pagination {
                        id: #id, max: #max, default: #default, size_param: #size, marker_param: #marker, offset_param: #offset,
                        id_field: #id_field, next_rel: #next_rel, applies_to: #applies, exceeded: #ex, source: #source
                    }),
                    "PAGINATION_LIMITS",
                )
            }
            LimitKind::ChangesSince { param, format, retention_days, applies_to, not_modified_status } => {
                let retention = match retention_days {
                    Some(d) => quote!(Some(#d)),
                    None => quote!(None),
                };
                let nm = match not_modified_status {
                    Some(s) => quote!(Some(#s)),
                    None => quote!(None),
                };
                let applies = strs(applies_to);
                (
                    quote!(::runtime::limits::ChangesSince),
                    quote!(::runtime::limits::ChangesSince { id: #id, param: #param, format: #format, retention_days: #retention, applies_to: #applies, not_modified_status: #nm, source: #source }),
                    "CHANGES_SINCE_LIMITS",
                )
            }
            LimitKind::Token { hours, applies_to, exceeded } => {
                let hours = match hours {
                    Some(h) => quote!(Some(#h)),
                    None => quote!(None),
                };
                let applies = strs(applies_to);
                let ex = self.opt_exceeded(exceeded.as_ref());
                (
                    quote!(::runtime::limits::TokenLifetime),
                    quote!(::runtime::limits::TokenLifetime { id: #id, hours: #hours, applies_to: #applies, exceeded: #ex, source: #source }),
                    "TOKEN_LIMITS",
                )
            }
            LimitKind::Usage { name, unit, counts } => {
                let unit = match unit {
                    Some(u) => quote!(Some(#u)),
                    None => quote!(None),
                };
                let counts = match counts {
                    Some(c) => quote!(Some(#c)),
                    None => quote!(None),
                };
                (
                    quote!(::runtime::limits::UsageCounter),
                    quote!(::runtime::limits::UsageCounter { id: #id, name: #name, unit: #unit, counts: #counts, source: #source }),
                    "USAGE_COUNTERS",
                )
            }
            LimitKind::Caching { status, applies_to } => {
                let applies = strs(applies_to);
                (
                    quote!(::runtime::limits::Caching),
                    quote!(::runtime::limits::Caching { id: #id, status: #status, applies_to: #applies, source: #source }),
                    "CACHING_LIMITS",
                )
            }
        };
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
        let measure = match steps.last() {
            Some(Step::MapCount | Step::ArrayCount) => Measure::Count,
            _ if max_bytes.is_some() => Measure::Bytes,
            _ => Measure::Count,
        };
        match measure {
            Measure::Bytes if max_bytes.is_none() => return Err("it measures bytes but the limit has no `max_bytes`".into()),
            Measure::Count if max_count.is_none() => return Err("it counts entries or items but the limit has no `max_count`".into()),
            _ => {}
        }
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

/// `Some("text")` or `None`, as tokens.
fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
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
