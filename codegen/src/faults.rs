//! Faults: one error enum per operation, decoded from JSON or XML.
//!
//! Per API, the `faults` module holds:
//! - `FAULTS` (every fault the API can return, as `runtime::faults::FaultInfo` data) and
//!   `EMBEDDED_FAULTS` (the asynchronous fault embedded in a resource in ERROR);
//! - `FAULT_PARTS`: where its fault bodies hold their code, message, details, creation
//!   time and retry time (`runtime::faults::FaultParts`), from the fields of its fault
//!   models that have the matching roles, which the decoder of every enum reads with;
//! - `ApiError`: one variant per fault of `FAULTS` plus `Other`;
//! - per operation, `<OperationType>Error` (see [`error_type`]): one variant per fault the
//!   operation lists and per fault the API says any request may return, plus `Other`;
//! - `classify(operation_id, body)`: a fault decoded with an operation's enum, as `ApiError`.
//!
//! Every enum maps a decoded `runtime::faults::FaultBody` by its fault name (or an alias,
//! exactly, then ignoring ASCII case); a name no fault of the API knows maps by status
//! when exactly one variant lists that status (the body keeps the name); a body that
//! names no fault (empty, plain text) maps by status to the most generic fault with that
//! code; anything else is `Other`.

use crate::names::camel;
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::models::FieldRole;
use schema::{Api, Fault, Operation, Source};

/// `document, place`: how generated data cites a source.
pub(crate) fn source_text(s: &Source) -> String {
    format!("{}, {}", s.document, s.place)
}

/// An operation id without its API prefix (`v2.servers.create` -> `servers.create`).
pub(crate) fn local_id(op: &Operation) -> &str {
    op.id.strip_prefix(op.api.as_str()).and_then(|r| r.strip_prefix('.')).unwrap_or(&op.id)
}

/// The type-name stem of an operation (`v2.servers.create` -> `ServersCreate`,
/// `identity.v2.tokens.create` -> `V2TokensCreate`).
pub(crate) fn operation_type(op: &Operation) -> String {
    camel(local_id(op))
}

/// The error enum of an operation, in the API's `faults` module (`ServersCreateError`).
pub(crate) fn error_type(op: &Operation) -> String {
    format!("{}Error", operation_type(op))
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// One fault as an enum variant.
struct Variant<'a> {
    fault: &'a Fault,
    name: proc_macro2::Ident,
    /// The codes this variant stands for (the operation's list, else the fault table's).
    codes: Vec<u16>,
}

impl Context<'_> {
    /// The faults of an API, in schema order: those whose `api` it is, then those its
    /// operations list from other APIs. Asynchronous (embedded) faults are left out.
    pub(crate) fn api_faults(&self, api: Api) -> Vec<&Fault> {
        let mut out: Vec<&Fault> = self.schema.faults.iter().filter(|f| f.api == api && f.embedded_in.is_empty()).collect();
        for op in self.schema.operations.iter().filter(|o| o.api == api) {
            for r in &op.faults {
                if let Some(f) = self.schema.fault(&r.fault) {
                    if f.embedded_in.is_empty() && !out.iter().any(|g| g.id == f.id) {
                        out.push(f);
                    }
                }
            }
        }
        out
    }

    /// The variant name of each fault of an API, unique within the API (`Other` is taken).
    fn fault_variant_names(&self, api: Api) -> Vec<(String, proc_macro2::Ident)> {
        let mut taken: Vec<String> = vec!["Other".into()];
        let mut out = Vec::new();
        for f in self.api_faults(api) {
            let mut n = camel(&f.name);
            if taken.contains(&n) {
                n = format!("{n}{}", camel(f.api.as_str()));
            }
            while taken.contains(&n) {
                n.push('_');
            }
            taken.push(n.clone());
            out.push((f.id.clone(), format_ident!("{}", n)));
        }
        out
    }

    fn variant_ident(&self, api: Api, fault_id: &str) -> Option<proc_macro2::Ident> {
        self.fault_variant_names(api).into_iter().find(|(id, _)| id == fault_id).map(|(_, n)| n)
    }

    /// The faults one operation's error enum covers: those it lists, then the faults of
    /// its API that any request may return.
    fn operation_variants(&self, op: &Operation) -> Vec<Variant<'_>> {
        let mut out: Vec<Variant<'_>> = Vec::new();
        for r in &op.faults {
            let Some(f) = self.schema.fault(&r.fault) else { continue };
            if !f.embedded_in.is_empty() || out.iter().any(|v| v.fault.id == f.id) {
                continue;
            }
            let Some(name) = self.variant_ident(op.api, &f.id) else { continue };
            let codes = if r.codes.is_empty() { f.codes.clone() } else { r.codes.clone() };
            out.push(Variant { fault: f, name, codes });
        }
        for f in self.api_faults(op.api) {
            if f.all_requests && f.api == op.api && !out.iter().any(|v| v.fault.id == f.id) {
                if let Some(name) = self.variant_ident(op.api, &f.id) {
                    out.push(Variant { fault: f, name, codes: f.codes.clone() });
                }
            }
        }
        out
    }

    fn api_variants(&self, api: Api) -> Vec<Variant<'_>> {
        self.api_faults(api)
            .into_iter()
            .filter_map(|f| Some(Variant { fault: f, name: self.variant_ident(api, &f.id)?, codes: f.codes.clone() }))
            .collect()
    }

    /// The constant of a fault's info in its API's `faults` module (`ITEM_NOT_FOUND`).
    fn fault_const(&self, api: Api, f: &Fault) -> proc_macro2::Ident {
        let name = self.variant_ident(api, &f.id).map_or_else(|| camel(&f.name), |i| i.to_string());
        format_ident!("{}", crate::names::screaming(&name))
    }

    fn fault_info(&self, f: &Fault) -> TokenStream {
        let id = &f.id;
        let name = &f.name;
        let aliases = &f.aliases;
        let codes = &f.codes;
        let more = f.more_codes;
        let all = f.all_requests;
        let retry = opt_str(f.retry.as_deref());
        let header = opt_str(f.retry_header.as_deref());
        let embedded = &f.embedded_in;
        let source = source_text(&f.source);
        quote! {
            ::runtime::faults::FaultInfo {
                id: #id,
                name: #name,
                aliases: &[#(#aliases),*],
                codes: &[#(#codes),*],
                more_codes: #more,
                all_requests: #all,
                retry_field: #retry,
                retry_header: #header,
                embedded_in: &[#(#embedded),*],
                source: #source,
            }
        }
    }

    /// The fault models of an API: the models of the faults it may return (those its
    /// operations list from other APIs included) and of its embedded fault, in schema
    /// order, without repeats.
    fn fault_models(&self, api: Api) -> Vec<&schema::Model> {
        let embedded = self.schema.faults.iter().filter(|f| f.api == api && !f.embedded_in.is_empty());
        let mut out: Vec<&schema::Model> = Vec::new();
        for f in self.api_faults(api).into_iter().chain(embedded) {
            if let Some(m) = f.model.as_deref().and_then(|id| self.schema.model(id)) {
                if !out.iter().any(|o| o.id == m.id) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// `FAULT_PARTS` of an API: for each part, the JSON names and XML local names of the
    /// fault models' fields with its role, without repeats.
    fn fault_parts(&self, api: Api) -> TokenStream {
        let models = self.fault_models(api);
        let names = |role: FieldRole| {
            let mut out: Vec<String> = Vec::new();
            for f in models.iter().filter_map(|m| m.field_with_role(role)) {
                let xml = f.xml.as_ref().and_then(|x| x.attribute.clone().or_else(|| x.element.clone()));
                for n in std::iter::once(f.name.clone()).chain(xml) {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            quote!(&[#(#out),*])
        };
        let code = names(FieldRole::FaultCode);
        let message = names(FieldRole::FaultMessage);
        let details = names(FieldRole::FaultDetails);
        let created = names(FieldRole::FaultCreated);
        let retry_at = names(FieldRole::RetryAt);
        let retry_after = names(FieldRole::RetryAfter);
        let mut headers: Vec<&str> = Vec::new();
        for h in self.api_faults(api).into_iter().filter_map(|f| f.retry_header.as_deref()) {
            if !headers.contains(&h) {
                headers.push(h);
            }
        }
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        let doc = if ids.is_empty() {
            " Where this API's fault bodies hold their parts: nowhere the schema knows (its faults have no body model), so only a fault's name and a plain-text message are read; and the header its faults say when to retry in.".to_string()
        } else {
            format!(
                " Where this API's fault bodies hold their parts: the JSON keys and XML names of the fields of {} with the roles `fault-code`, `fault-message`, `fault-details`, `fault-created`, `retry-at` and `retry-after`; and the header its faults say when to retry in (their `retry_header`).",
                ids.join(", ")
            )
        };
        quote! {
            #[doc = #doc]
            pub const FAULT_PARTS: ::runtime::faults::FaultParts = ::runtime::faults::FaultParts {
                code: #code,
                message: #message,
                details: #details,
                created: #created,
                retry_at: #retry_at,
                retry_after: #retry_after,
                retry_header: &[#(#headers),*],
            };
        }
    }

    /// Generates the faults module of one API.
    pub(crate) fn faults_module(&self, api: Api) -> TokenStream {
        let mut info_consts = Vec::new();
        let mut infos = Vec::new();
        for f in self.api_faults(api) {
            let c = self.fault_const(api, f);
            let info = self.fault_info(f);
            let d = crate::doc_lines(f.doc.as_deref(), &f.source, &f.errata);
            info_consts.push(quote!(#d pub const #c: ::runtime::faults::FaultInfo = #info;));
            infos.push(quote!(#c));
        }
        let embedded: Vec<TokenStream> = self
            .schema
            .faults
            .iter()
            .filter(|f| f.api == api && !f.embedded_in.is_empty())
            .map(|f| self.fault_info(f))
            .collect();
        let parts = self.fault_parts(api);
        let api_key = api.as_str();
        let api_doc = format!(
            " Any error response of the `{api_key}` API: one variant per fault in [`FAULTS`], and `Other` for the rest."
        );
        let api_enum = self.error_enum(api, &format_ident!("ApiError"), api_key, &self.api_variants(api), quote!(#[doc = #api_doc]), false);
        let ops: Vec<&Operation> = self.schema.operations.iter().filter(|o| o.api == api).collect();
        let op_enums: Vec<TokenStream> = ops
            .iter()
            .map(|op| {
                let doc = self.operation_error_doc(op);
                self.error_enum(api, &format_ident!("{}", error_type(op)), &op.id, &self.operation_variants(op), doc, true)
            })
            .collect();
        let classify_arms: Vec<TokenStream> = ops
            .iter()
            .map(|op| {
                let id = &op.id;
                let t = format_ident!("{}", error_type(op));
                quote!(#id => #t::from_fault(body).into(),)
            })
            .collect();
        let classify_body = if classify_arms.is_empty() {
            quote! { let _ = operation; ApiError::from_fault(body) }
        } else {
            quote! {
                match operation {
                    #(#classify_arms)*
                    _ => ApiError::from_fault(body),
                }
            }
        };
        quote! {
            /// Faults: the documented error responses, decoded from JSON, XML or text into one
            /// error enum per operation.
            pub mod faults {
                #(#info_consts)*

                /// Every fault this API may return (the asynchronous fault aside), as data.
                pub const FAULTS: &[::runtime::faults::FaultInfo] = &[#(#infos),*];

                /// Faults embedded in a resource in an error state rather than returned as
                /// an error response.
                pub const EMBEDDED_FAULTS: &[::runtime::faults::FaultInfo] = &[#(#embedded),*];

                #parts

                #api_enum

                #(#op_enums)*

                /// Maps a decoded fault with the error enum of `operation` (an operation id of
                /// this API), and returns it as [`ApiError`]; for an id of no operation of this
                /// API, maps it with [`ApiError::from_fault`].
                pub fn classify(operation: &str, body: ::runtime::faults::FaultBody) -> ApiError {
                    #classify_body
                }
            }
        }
    }

    fn operation_error_doc(&self, op: &Operation) -> TokenStream {
        let text = format!(
            "Error responses of {} (`{}`): a variant per fault the operation lists, and per fault its API says any request may return; `Other` for any other.",
            op.name, op.id
        );
        crate::doc_lines(Some(&text), &op.source, &[])
    }

    /// One error enum: its variants, and `fault_enum!` for the mapping, accessors and
    /// trait impls. The API-wide enum documents each fault in full; an operation's enum
    /// names the fault and its codes.
    fn error_enum(
        &self,
        api: Api,
        name: &proc_macro2::Ident,
        operation: &str,
        variants: &[Variant<'_>],
        doc: TokenStream,
        into_api: bool,
    ) -> TokenStream {
        let body_ty = quote!(::runtime::faults::FaultBody);
        let decls: Vec<TokenStream> = variants
            .iter()
            .map(|v| {
                let codes: Vec<String> = v.codes.iter().map(u16::to_string).collect();
                let codes = if codes.is_empty() { String::new() } else { format!(" (HTTP {})", codes.join(", ")) };
                let n = &v.name;
                let d = if into_api {
                    let text = format!(" `{}`{codes}: see [`ApiError::{n}`].", v.fault.name);
                    quote!(#[doc = #text])
                } else {
                    let text = format!("`{}`{codes}: {}", v.fault.name, v.fault.doc.as_deref().unwrap_or("a documented fault."));
                    crate::doc_lines(Some(&text), &v.fault.source, &v.fault.errata)
                };
                quote!(#d #n(#body_ty),)
            })
            .collect();
        let rows = variants.iter().enumerate().map(|(i, v)| {
            let n = &v.name;
            let c = self.fault_const(api, v.fault);
            let codes = &v.codes;
            quote!(#n = #i => #c, [#(#codes),*];)
        });
        let into_api_impl = if into_api {
            quote! {
                impl From<#name> for ApiError {
                    fn from(e: #name) -> ApiError {
                        ::runtime::faults::FaultError::convert(e)
                    }
                }
            }
        } else {
            quote!()
        };
        let other_doc = " Any other error response: a fault not listed here (its name is in the body), a fault of unknown name whose status several or no listed faults have, or a status no listed fault has.";
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq)]
            #[non_exhaustive]
            pub enum #name {
                #(#decls)*
                #[doc = #other_doc]
                Other(#body_ty),
            }
            ::runtime::fault_enum!(#name, #operation, FAULTS, FAULT_PARTS, [#(#rows)*]);
            #into_api_impl
        }
    }
}
