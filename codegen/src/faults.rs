//! Faults: one error enum per operation, decoded from JSON or XML.
//!
//! Per API, the `faults` module holds:
//! - `FAULTS` (every fault the API can return, as `runtime::faults::FaultInfo` data) and
//!   `EMBEDDED_FAULTS` (the asynchronous fault embedded in a resource in ERROR);
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

use crate::names::{camel, ident};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
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

    /// Generates the faults module of one API.
    pub(crate) fn faults_module(&self, api: Api) -> TokenStream {
        let infos: Vec<TokenStream> = self.api_faults(api).into_iter().map(|f| self.fault_info(f)).collect();
        let embedded: Vec<TokenStream> = self
            .schema
            .faults
            .iter()
            .filter(|f| f.api == api && !f.embedded_in.is_empty())
            .map(|f| self.fault_info(f))
            .collect();
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
                /// Every fault this API may return (the asynchronous fault aside), as data.
                pub const FAULTS: &[::runtime::faults::FaultInfo] = &[#(#infos),*];

                /// Faults embedded in a resource in an error state rather than returned as
                /// an error response.
                pub const EMBEDDED_FAULTS: &[::runtime::faults::FaultInfo] = &[#(#embedded),*];

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

    /// One error enum with its mapping, accessors and trait impls.
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
                let text = format!(
                    "`{}`{}: {}",
                    v.fault.name,
                    if codes.is_empty() { String::new() } else { format!(" (HTTP {})", codes.join(", ")) },
                    v.fault.doc.as_deref().unwrap_or("a documented fault.")
                );
                let d = crate::doc_lines(Some(&text), &v.fault.source, &v.fault.errata);
                let n = &v.name;
                quote!(#d #n(#body_ty),)
            })
            .collect();
        let ids: Vec<&str> = variants.iter().map(|v| v.fault.id.as_str()).collect();
        let names = &variants.iter().map(|v| &v.name).collect::<Vec<_>>();

        // Name table: every name and alias with its variant index.
        let mut name_rows = Vec::new();
        for (i, v) in variants.iter().enumerate() {
            for n in std::iter::once(&v.fault.name).chain(v.fault.aliases.iter()) {
                name_rows.push(quote!((#n, #i)));
            }
        }
        // Status table: per code, the most generic fault with it (one code only, then any
        // request may return it, then the order listed).
        let mut statuses: Vec<u16> = variants.iter().flat_map(|v| v.codes.iter().copied()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let status_rows: Vec<TokenStream> = statuses
            .iter()
            .filter_map(|s| {
                let best = variants
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.codes.contains(s))
                    .min_by_key(|(i, v)| (v.fault.codes.len() != 1, !v.fault.all_requests, *i))?;
                let i = best.0;
                Some(quote!((#s, #i)))
            })
            .collect();
        // Unique status table: the codes exactly one variant lists, for a fault name no
        // fault of the API knows.
        let unique_rows: Vec<TokenStream> = statuses
            .iter()
            .filter_map(|s| {
                let mut with = variants.iter().enumerate().filter(|(_, v)| v.codes.contains(s));
                match (with.next(), with.next()) {
                    (Some((i, _)), None) => Some(quote!((#s, #i))),
                    _ => None,
                }
            })
            .collect();
        let from_fault_body = if variants.is_empty() {
            quote!(#name::Other(body))
        } else {
            let arms = variants.iter().enumerate().map(|(i, v)| {
                let n = &v.name;
                quote!(Some(#i) => #name::#n(body),)
            });
            quote! {
                const NAMES: &[(&str, usize)] = &[#(#name_rows),*];
                const STATUSES: &[(u16, usize)] = &[#(#status_rows),*];
                const UNIQUE_STATUSES: &[(u16, usize)] = &[#(#unique_rows),*];
                let index = ::runtime::faults::variant_index(body.name.as_deref(), body.status, NAMES, STATUSES, UNIQUE_STATUSES, self::FAULTS);
                match index {
                    #(#arms)*
                    _ => #name::Other(body),
                }
            }
        };
        let id_arms = variants.iter().map(|v| {
            let n = &v.name;
            let id = &v.fault.id;
            quote!(#name::#n(_) => Some(#id),)
        });
        let into_api_impl = if into_api {
            let arms = variants.iter().map(|v| {
                let n = &v.name;
                // Every fault of an operation is a fault of its API (see `api_faults`).
                let target = self.variant_ident(api, &v.fault.id).unwrap_or_else(|| ident("Other"));
                quote!(#name::#n(b) => ApiError::#target(b),)
            });
            quote! {
                impl From<#name> for ApiError {
                    fn from(e: #name) -> ApiError {
                        match e {
                            #(#arms)*
                            // A fault the operation does not list may still be one the API documents.
                            #name::Other(b) => ApiError::from_fault(b),
                        }
                    }
                }
            }
        } else {
            quote!()
        };
        let display_body = if variants.is_empty() {
            quote!(write!(f, "undocumented error response: {}", self.fault()))
        } else {
            quote! {
                match self {
                    #name::Other(b) => write!(f, "undocumented error response: {b}"),
                    other => ::std::fmt::Display::fmt(other.fault(), f),
                }
            }
        };
        let other_doc = " Any other error response: a fault not listed here (its name is in the body), a fault of unknown name whose status several or no listed faults have, or a status no listed fault has.";
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub enum #name {
                #(#decls)*
                #[doc = #other_doc]
                Other(#body_ty),
            }

            impl #name {
                /// The operation id (for [`ApiError`], the API key).
                pub const OPERATION: &'static str = #operation;

                /// The ids of the documented faults, in variant order.
                pub const FAULTS: &'static [&'static str] = &[#(#ids),*];

                /// Decodes an error response received now: `retry_after` is the `Retry-After`
                /// header, `content_type` the `Content-Type` header (the format is guessed from
                /// the body without it).
                pub fn from_response(status: u16, retry_after: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
                    Self::from_fault(::runtime::faults::FaultBody::from_response(status, retry_after, content_type, body))
                }

                /// Maps a decoded fault: by its name or an alias; a name no fault of the API
                /// knows (a server's own, such as `conflictingRequest`) by its status when
                /// exactly one variant lists that status; a body naming no fault by its status
                /// (to the most generic fault with that code); else `Other`. The body keeps the
                /// name it was sent with (`fault().name`).
                pub fn from_fault(body: #body_ty) -> Self {
                    #from_fault_body
                }

                /// The decoded fault document.
                pub fn fault(&self) -> &#body_ty {
                    match self {
                        #(#name::#names(b) => b,)*
                        #name::Other(b) => b,
                    }
                }

                /// The decoded fault document, by value.
                pub fn into_fault(self) -> #body_ty {
                    match self {
                        #(#name::#names(b) => b,)*
                        #name::Other(b) => b,
                    }
                }

                /// The schema id of the documented fault; `None` for `Other`.
                pub fn fault_id(&self) -> Option<&'static str> {
                    match self {
                        #(#id_arms)*
                        #name::Other(_) => None,
                    }
                }

                /// The HTTP status of the response.
                pub fn status(&self) -> u16 {
                    self.fault().status
                }

                /// When the request may be retried: the `Retry-After` header (seconds or
                /// HTTP-date), else the body's `retryAt`/`retryAfter` (ISO 8601).
                pub fn retry_at(&self) -> Option<::std::time::SystemTime> {
                    self.fault().retry_at()
                }

                /// The message of the fault, if it has one.
                pub fn message(&self) -> Option<&str> {
                    self.fault().message.as_deref()
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #display_body
                }
            }

            impl ::std::error::Error for #name {}

            impl ::runtime::faults::FaultError for #name {
                const OPERATION: &'static str = #operation;
                fn from_fault(body: #body_ty) -> Self {
                    #name::from_fault(body)
                }
                fn fault(&self) -> &#body_ty {
                    #name::fault(self)
                }
                fn fault_id(&self) -> Option<&'static str> {
                    #name::fault_id(self)
                }
            }

            impl From<::runtime::limits::LimitViolation> for #name {
                /// The fault the service would answer a request with that breaks a field limit.
                fn from(v: ::runtime::limits::LimitViolation) -> Self {
                    #name::from_fault(v.to_fault())
                }
            }

            #into_api_impl
        }
    }
}
