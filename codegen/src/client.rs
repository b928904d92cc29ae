//! Clients: one async client per API, one method per operation.
//!
//! Per API, the `client` module holds `Client` (wrapping a [`runtime::client::Transport`])
//! with, for every operation of the API:
//! - `<operation>` (`servers_create`, `server_metadata_set_item`): typed path parameters,
//!   a typed `<Operation>Query` for query parameters, the typed request body, and the
//!   typed response (`Reply<T>`; `Reply<Option<T>>` when some documented success or
//!   `304` response has no body, while body-less redirections such as `300` are the error
//!   `ClientError::Redirect`; `Reply<CreatedLocation>` when none has a body but a success
//!   response documents `Location`; `Reply<()>` otherwise) or the operation's fault enum;
//! - for list operations with `limit` and `marker` (or `offset`), `<operation>_pages`: a
//!   stream of pages following `next` links, else markers (offsets);
//! - for operations with `changes-since`, `<operation>_changes`: a polling stream;
//!
//! and `wait_for_<model>_status` for each model whose status enum is the subject of a
//! state machine and that a `GET` operation returns. Everything generic is in
//! `runtime::client`; this module emits only what the schema says.

use crate::faults::{error_type, local_id, operation_type};
use crate::names::{model_type, screaming, snake};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::models::{Field, FieldRole, Model, ModelKind, Scalar, TypeExpr};
use schema::pages::Paging;
use schema::operations::{Auth, Base, Format, HeaderRole, Operation};
use schema::Api;
use std::collections::{BTreeMap, BTreeSet};

/// Local variable names of generated method bodies that parameters must not shadow.
const RESERVED: [&str; 17] = [
    "format", "body", "query", "request", "resp", "body_json", "bytes", "chosen", "since", "interval", "client", "base",
    "stamp", "pairs", "target", "opts", "what",
];

use crate::models::{option_depth, Access};

/// `<owner>.<field>` as an owned `Option<T>` (cloned unless `copy`).
fn owned_opt(ctx: &Context<'_>, owner: &TokenStream, f: &Field, copy: bool) -> TokenStream {
    ctx.field_value(owner, f, if copy { Access::Owned } else { Access::Cloned })
}

/// `<owner>.<field>` (a `String`) as an `Option<&str>`.
fn str_opt(ctx: &Context<'_>, owner: &TokenStream, f: &Field) -> TokenStream {
    ctx.with_field(owner, f, Access::Ref, None, |v| quote!(#v.as_str()))
}

/// What a method returns in `Reply<_>`.
enum Returns {
    /// No documented response has a body.
    Unit,
    /// No documented response has a body, and a success response documents this
    /// `Location` header: the created resource, as `runtime::client::CreatedLocation`.
    Created(String),
    /// Every documented success response has this body; the other documented responses
    /// (none, or body-less redirections such as `300 Multiple Choices`) are errors.
    Always(String),
    /// Some documented responses have this body, some none.
    Sometimes(String),
    /// Responses have different bodies: an enum per operation.
    Several(Vec<(u16, Option<String>)>),
}

fn param_ident(name: &str) -> proc_macro2::Ident {
    let mut n = snake(name);
    if RESERVED.contains(&n.as_str()) {
        n.push('_');
    }
    format_ident!("{}", n)
}

/// An operation's path parameters as method parameters (`server_id: &str`, `id: i64`)
/// and as the arguments that pass them on.
fn path_params(op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    op.path_params
        .iter()
        .map(|p| {
            let i = param_ident(&p.name);
            let t = match &p.ty {
                TypeExpr::Scalar(Scalar::Integer | Scalar::UnixTime) => quote!(i64),
                _ => quote!(&str),
            };
            (quote!(#i: #t), quote!(#i))
        })
        .unzip()
}

fn format_tokens(f: Format) -> Option<TokenStream> {
    match f {
        Format::Json => Some(quote!(::runtime::client::Format::Json)),
        Format::Xml => Some(quote!(::runtime::client::Format::Xml)),
        Format::Text => None,
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Json => "json",
        Format::Xml => "xml",
        Format::Text => "text",
    }
}

impl<'s> Context<'s> {
    /// The Rust type of a type expression, as seen from the client module of `api`.
    fn client_type(&self, api: Api, ty: &TypeExpr) -> TokenStream {
        self.type_expr(crate::models::Scope::Sibling(api), ty)
    }

    /// The XML root of a model: its element in its namespace, or any root.
    fn xml_root(&self, model_id: &str) -> TokenStream {
        let Some(x) = self.schema.model(model_id).and_then(|m| m.xml.as_ref()) else {
            return quote!(::runtime::client::XmlRoot::ANY);
        };
        let Some(element) = &x.element else {
            return quote!(::runtime::client::XmlRoot::ANY);
        };
        let ns = match x.ns.as_deref().and_then(|p| self.schema.namespace(p)) {
            Some(n) => {
                let c = format_ident!("{}", screaming(&n.prefix));
                quote!(Some(super::super::ns::#c))
            }
            None => quote!(None),
        };
        quote!(::runtime::client::XmlRoot::named(#ns, #element))
    }

    /// The formats the client may ask for: those every body of the operation offers.
    fn negotiable(op: &Operation) -> Vec<Format> {
        let mut sets: Vec<&Vec<Format>> = Vec::new();
        if let Some(r) = &op.request {
            sets.push(&r.formats);
        }
        for r in op.responses.iter().filter(|r| r.model.is_some() && !r.formats.is_empty()) {
            sets.push(&r.formats);
        }
        let all = [Format::Json, Format::Xml];
        let out: Vec<Format> = all.into_iter().filter(|f| sets.iter().all(|s| s.contains(f))).collect();
        if out.is_empty() {
            vec![Format::Json]
        } else {
            out
        }
    }

    /// The query parameter that picks the response format (RackConnect), with the format
    /// of a response when it is omitted.
    fn format_selector(op: &Operation) -> Option<(&str, Format)> {
        let param = op.query.iter().find(|p| p.selects_format)?;
        Some((param.name.as_str(), op.responses.iter().find_map(|r| r.default_format)?))
    }

    /// Whether the operation's request headers are at most the token header, which the
    /// transport sends: its methods then take no header parameters.
    fn only_token_headers(op: &Operation) -> bool {
        op.request_headers.iter().all(|h| h.role == Some(HeaderRole::AuthToken))
    }

    /// A body-less status that is a redirection rather than an answer: `3xx` but `304`.
    fn is_redirect(status: u16) -> bool {
        (300..400).contains(&status) && status != 304
    }

    /// The `Location` header a body-less success response of `op` documents, as the
    /// schema spells it.
    fn location_header(op: &Operation) -> Option<&str> {
        op.responses
            .iter()
            .filter(|r| (200..300).contains(&r.status) && r.model.is_none())
            .flat_map(|r| r.headers.iter())
            .find(|h| h.name.eq_ignore_ascii_case("Location"))
            .map(|h| h.name.as_str())
    }

    /// Whether a model holds a secret (a field of type `secret`, directly or in a model
    /// it contains): decode errors then show no excerpt of the body.
    fn holds_secret(&self, model_id: &str, seen: &mut BTreeSet<String>) -> bool {
        if !seen.insert(model_id.to_string()) {
            return false;
        }
        let Some(m) = self.schema.model(model_id) else { return false };
        let mut types: Vec<&TypeExpr> = m.fields.iter().map(|f| &f.ty).collect();
        types.extend(m.items.iter());
        types.extend(m.text_type.iter());
        if let Some(schema::models::ModelValues::Map(t)) = &m.values {
            types.push(t);
        }
        types.into_iter().any(|t| self.type_holds_secret(t, seen))
    }

    fn type_holds_secret(&self, t: &TypeExpr, seen: &mut BTreeSet<String>) -> bool {
        match t {
            TypeExpr::Scalar(s) => *s == Scalar::Secret,
            TypeExpr::Model(id) | TypeExpr::Enum(id) => self.holds_secret(id, seen),
            TypeExpr::Array(inner) | TypeExpr::Map(inner) => self.type_holds_secret(inner, seen),
        }
    }

    /// The path segments naming a version of `api`: the first segments of its
    /// host-relative paths (`v2` from `GET /v2`), for [`runtime::client::Request::versions`].
    fn host_versions(&self, api: Api) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for op in self.schema.operations.iter().filter(|o| o.api == api && o.base == Base::Host) {
            if let Some(first) = op.path.split('/').find(|s| !s.is_empty()).filter(|s| !s.contains('{')) {
                if !out.iter().any(|o| o == first) {
                    out.push(first.to_string());
                }
            }
        }
        out
    }

    fn returns(op: &Operation) -> Returns {
        let mut models: Vec<&str> = Vec::new();
        for r in &op.responses {
            if let Some(m) = &r.model {
                if !models.contains(&m.as_str()) {
                    models.push(m);
                }
            }
        }
        // A body-less 3xx other than `304 Not Modified` (which answers a conditional or
        // changes-since request with "nothing new", a normal outcome) is a redirection the
        // caller did not ask for: it need not make every success an `Option`.
        let redirect_only = |r: &&schema::operations::Response| r.model.is_some() || Self::is_redirect(r.status);
        match models.as_slice() {
            [] => match Self::location_header(op) {
                Some(h) => Returns::Created(h.to_string()),
                None => Returns::Unit,
            },
            [one] if op.responses.iter().all(|r| redirect_only(&r)) => Returns::Always(one.to_string()),
            [one] => Returns::Sometimes(one.to_string()),
            _ => Returns::Several(op.responses.iter().map(|r| (r.status, r.model.clone())).collect()),
        }
    }

    /// The expression decoding `resp` into `model` (a `Result` already `?`-ed).
    fn decode_expr(&self, api: Api, op: &Operation, model_id: &str, wrap: Option<&str>, err: &TokenStream) -> TokenStream {
        let ty = self.sibling_model_path(api, model_id);
        let root = self.xml_root(model_id);
        let wrap = match wrap {
            Some(w) => quote!(Some(#w)),
            None => quote!(None),
        };
        let op_id = &op.id;
        let secret = self.holds_secret(model_id, &mut BTreeSet::new());
        let spec = quote!(&::runtime::client::BodySpec { operation: #op_id, wrap: #wrap, root: #root, holds_secrets: #secret });
        if Self::format_selector(op).is_none() {
            return quote!(::runtime::client::decode_body::<#ty, #err>(&resp, format, #spec)?);
        }
        let is_text = self.schema.model(model_id).is_some_and(|m| m.kind == ModelKind::Text);
        let text_arm = if is_text {
            quote! {
                "text" => #ty::from_text_body(::runtime::client::decode_text::<#err>(&resp, #spec)?)
                    .map_err(|source| ::runtime::client::decode_error::<#err>(#spec, &resp, None, source))?,
            }
        } else {
            quote!()
        };
        quote! {
            match chosen.as_str() {
                #text_arm
                "xml" => ::runtime::client::decode_body::<#ty, #err>(&resp, ::runtime::client::Format::Xml, #spec)?,
                _ => ::runtime::client::decode_body::<#ty, #err>(&resp, ::runtime::client::Format::Json, #spec)?,
            }
        }
    }

    /// Generates the client module of one API.
    pub(crate) fn client_module(&self, api: Api) -> TokenStream {
        let ops: Vec<&Operation> = self.schema.operations.iter().filter(|o| o.api == api).collect();
        let mut methods = Vec::new();
        let mut items = Vec::new();
        let mut paged: BTreeMap<String, Paging<'_>> = BTreeMap::new();
        for op in &ops {
            let (m, i) = self.operation_methods(api, op, &mut paged);
            methods.push(m);
            items.push(i);
        }
        for (model_id, paging) in &paged {
            items.push(self.paged_impl(api, model_id, paging));
        }
        let (waits, watched) = self.waiters(api, &ops);
        let api_name = api.as_str();
        let doc = format!(
            " Async client of the `{api_name}` API: one method per operation, over a [`::runtime::client::Transport`] (timeouts, authentication, format, retry)."
        );
        let facts = self.api_facts(api);
        quote! {
            /// The async client: one method per operation, pagination streams, changes-since
            /// polling, and waiting for a status through the state machines.
            #[allow(clippy::too_many_arguments, clippy::large_enum_variant)]
            pub mod client {
                #[doc = #doc]
                #[derive(Debug, Clone)]
                pub struct Client {
                    transport: ::runtime::client::Transport,
                }

                #facts

                impl Client {
                    /// A client over `transport` (sharing its session), which it binds to this
                    /// API's facts ([`API`]): the catalog endpoint of this API, its fault parts,
                    /// and the identity exchanges.
                    pub fn new(transport: ::runtime::client::Transport) -> Self {
                        Client { transport: transport.for_api(&API) }
                    }

                    /// The transport requests go through.
                    pub fn transport(&self) -> &::runtime::client::Transport {
                        &self.transport
                    }

                    #(#methods)*

                    #(#waits)*
                }

                #(#items)*

                #(#watched)*
            }
        }
    }

    /// The methods of one operation (in `impl Client`) and its items (query struct,
    /// response enum).
    fn operation_methods(&self, api: Api, op: &Operation, paged: &mut BTreeMap<String, Paging<'s>>) -> (TokenStream, TokenStream) {
        let name = format_ident!("{}", snake(local_id(op)));
        let op_type = operation_type(op);
        let err_ident = format_ident!("{}", error_type(op));
        let err = quote!(super::faults::#err_ident);
        let op_id = &op.id;
        let mut items = Vec::new();

        // Path parameters and extra headers, as method parameters.
        let (mut params, mut args) = path_params(op);
        let mut header_calls = Vec::new();
        // The token header is the transport's to send.
        for h in op.request_headers.iter().filter(|h| h.role != Some(HeaderRole::AuthToken)) {
            let i = param_ident(&h.name);
            let n = &h.name;
            if h.secret {
                params.push(quote!(#i: &::runtime::Secret));
                header_calls.push(quote!(.header(#n, #i.expose())));
            } else {
                params.push(quote!(#i: &str));
                header_calls.push(quote!(.header(#n, #i)));
            }
            args.push(quote!(#i));
        }

        // Path segments.
        let by_name = |n: &str| op.path_params.iter().find(|p| p.name == n).map(|p| param_ident(&p.name));
        let segments: Vec<TokenStream> = op
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|seg| {
                if let Some(inner) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')).filter(|s| !s.contains('{')) {
                    if let Some(i) = by_name(inner) {
                        return quote!(#i.to_string());
                    }
                }
                if !seg.contains('{') {
                    return quote!(#seg.to_string());
                }
                // A segment mixing text and placeholders.
                let mut fmt = String::new();
                let mut fargs = Vec::new();
                let mut rest = seg;
                while let Some(start) = rest.find('{') {
                    fmt.push_str(&rest[..start]);
                    let after = &rest[start + 1..];
                    match (after.find('}'), after.find('}').and_then(|e| by_name(&after[..e]))) {
                        (Some(end), Some(i)) => {
                            fmt.push_str("{}");
                            fargs.push(i);
                            rest = &after[end + 1..];
                        }
                        _ => {
                            fmt.push_str("{{");
                            rest = after;
                        }
                    }
                }
                fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
                quote!(format!(#fmt, #(#fargs),*))
            })
            .collect();

        // Query parameters.
        let has_query = !op.query.is_empty();
        let query_ident = format_ident!("{}Query", op_type);
        if has_query {
            items.push(self.query_struct(api, op, &query_ident));
        }

        // Request body.
        let selector = Self::format_selector(op);
        let negotiable = Self::negotiable(op);
        let offered: Vec<TokenStream> = negotiable.iter().filter_map(|f| format_tokens(*f)).collect();
        let mut body_stmts = quote!();
        let mut body_call = quote!();
        if let Some(req) = &op.request {
            let ty = self.sibling_model_path(api, &req.model);
            let unit = self.schema.model(&req.model).is_some_and(|m| m.kind == ModelKind::Object && m.fields.is_empty());
            if !unit {
                params.push(quote!(body: &#ty));
                args.push(quote!(body));
            }
            let value = if unit { quote!(&#ty) } else { quote!(body) };
            let wrap = match &req.wrap {
                Some(w) => quote!(Some(#w)),
                None => quote!(None),
            };
            let root = self.xml_root(&req.model);
            // The typed body is checked against the operation's field limits, if it has any.
            let check = if self.validator(api, op).ok().flatten().is_some() {
                let f = format_ident!("validate_{}", snake(local_id(op)));
                quote! {
                    if self.transport.validates() {
                        super::limits::#f(#value, &self.transport.account_limits()).map_err(::runtime::client::ClientError::Limit)?;
                    }
                }
            } else {
                quote!()
            };
            body_stmts = quote! {
                let body_json = ::runtime::client::json_document::<_, #err>(#value, #wrap)?;
                #check
                let bytes = ::runtime::client::encode_body::<_, #err>(#value, &body_json, format, #wrap, #root, super::super::ns::PREFIXES)?;
            };
            body_call = quote!(.body(format, bytes));
        }

        let method = format_ident!("{}", op.method.to_ascii_uppercase());
        let base = match op.base {
            Base::Endpoint => quote!(::runtime::client::Base::Endpoint),
            Base::Host => quote!(::runtime::client::Base::Host),
        };
        let versions_call = match op.base {
            Base::Endpoint => quote!(),
            Base::Host => {
                let v = self.host_versions(api);
                quote!(.versions(&[#(#v),*]))
            }
        };
        let token_call = match (op.auth, self.token_header()) {
            (Auth::Token, Some(h)) => quote!(.token_header(#h)),
            _ => quote!(),
        };
        let (format_stmt, accept_call, chosen_stmt) = match selector {
            Some((param, default)) => {
                let d = format_name(default);
                let needs_format = op.request.is_some();
                (
                    if needs_format { quote!(let format = self.transport.format().among(&[#(#offered),*]);) } else { quote!() },
                    quote!(),
                    quote! {
                        let chosen: String = query.iter().find(|(k, _)| k == #param).map_or_else(|| #d.to_string(), |(_, v)| v.clone());
                    },
                )
            }
            None => (
                quote!(let format = self.transport.format().among(&[#(#offered),*]);),
                quote!(.accept(format)),
                quote!(),
            ),
        };
        let query_call = if has_query { quote!(.query(query)) } else { quote!() };

        // Response decoding.
        let returns = Self::returns(op);
        let ok = |s: &u16| (200..300).contains(s);
        let (ret_ty, arms, lenient) = match &returns {
            Returns::Unit => {
                let other: Vec<u16> = op.responses.iter().map(|r| r.status).filter(|s| !ok(s)).collect();
                let arms = if other.is_empty() { quote!() } else { quote!(#(#other)|* => Ok(resp.reply(())),) };
                (quote!(()), arms, quote!(Ok(resp.reply(()))))
            }
            Returns::Created(header) => {
                let other: Vec<u16> = op.responses.iter().map(|r| r.status).filter(|s| !ok(s)).collect();
                let created = quote!(Ok(resp.reply(::runtime::client::created_location::<#err>(#op_id, &resp, #header)?)));
                let arms = if other.is_empty() { quote!() } else { quote!(#(#other)|* => #created,) };
                (quote!(::runtime::client::CreatedLocation), arms, created)
            }
            Returns::Always(m) => {
                let ty = self.sibling_model_path(api, m);
                let other: Vec<u16> =
                    op.responses.iter().filter(|r| r.model.is_some()).map(|r| r.status).filter(|s| !ok(s)).collect();
                let redirects: Vec<u16> = op.responses.iter().filter(|r| r.model.is_none()).map(|r| r.status).collect();
                let wrap = op.responses.iter().find_map(|r| r.wrap.clone());
                let dec = self.decode_expr(api, op, m, wrap.as_deref(), &err);
                let mut arms = if other.is_empty() { quote!() } else { quote!(#(#other)|* => Ok(resp.reply(#dec)),) };
                if !redirects.is_empty() {
                    arms.extend(quote!(#(#redirects)|* => Err(::runtime::client::redirect(#op_id, &resp)),));
                }
                (ty, arms, quote!(Ok(resp.reply(#dec))))
            }
            Returns::Sometimes(m) => {
                let ty = self.sibling_model_path(api, m);
                let with: Vec<u16> = op.responses.iter().filter(|r| r.model.is_some()).map(|r| r.status).collect();
                let without: Vec<u16> = op.responses.iter().filter(|r| r.model.is_none()).map(|r| r.status).collect();
                let wrap = op.responses.iter().find_map(|r| r.wrap.clone());
                let dec = self.decode_expr(api, op, m, wrap.as_deref(), &err);
                (
                    quote!(Option<#ty>),
                    // The documents make the body optional: an empty one is `None`
                    // whatever the status.
                    quote! {
                        #(#without)|* => Ok(resp.reply(None)),
                        #(#with)|* if resp.body.iter().all(u8::is_ascii_whitespace) => Ok(resp.reply(None)),
                        #(#with)|* => Ok(resp.reply(Some(#dec))),
                    },
                    quote!(if resp.body.iter().all(u8::is_ascii_whitespace) { Ok(resp.reply(None)) } else { Ok(resp.reply(Some(#dec))) }),
                )
            }
            Returns::Several(rs) => {
                let enum_ident = format_ident!("{}Body", op_type);
                let mut variants = Vec::new();
                let mut arms = Vec::new();
                for (status, model) in rs {
                    let v = format_ident!("Status{}", status);
                    let d = format!(" The `{status}` response.");
                    match model {
                        Some(m) => {
                            let ty = self.sibling_model_path(api, m);
                            let wrap = op.responses.iter().find(|r| r.status == *status).and_then(|r| r.wrap.clone());
                            let dec = self.decode_expr(api, op, m, wrap.as_deref(), &err);
                            variants.push(quote!(#[doc = #d] #v(#ty),));
                            arms.push(quote!(#status => Ok(resp.reply(#enum_ident::#v(#dec))),));
                        }
                        None => {
                            variants.push(quote!(#[doc = #d] #v,));
                            arms.push(quote!(#status => Ok(resp.reply(#enum_ident::#v)),));
                        }
                    }
                }
                let d = format!(" The responses of `{}`, which carry different bodies.", op.id);
                items.push(quote! {
                    #[doc = #d]
                    #[derive(Debug, Clone, PartialEq)]
                    pub enum #enum_ident { #(#variants)* }
                });
                (quote!(#enum_ident), quote!(#(#arms)*), quote!(Err(::runtime::client::fault(&resp))))
            }
        };
        let ret = quote!(Result<::runtime::client::Reply<#ret_ty>, ::runtime::client::ClientError<#err>>);

        let send = quote! {
            #format_stmt
            #chosen_stmt
            #body_stmts
            let request = ::runtime::client::Request::new(
                #op_id,
                ::runtime::client::Method::#method,
                #base,
                vec![#(#segments),*],
            )
            #query_call
            #accept_call
            #versions_call
            #token_call
            #body_call
            #(#header_calls)*;
            let resp = self.transport.send(&request).await?;
            match resp.status {
                #arms
                200..=299 => #lenient,
                _ => Err(::runtime::client::fault(&resp)),
            }
        };

        let doc = crate::doc_lines(op.doc.as_deref(), &op.source, &op.errata);
        let call_doc = format!(
            " `{} {}`{} (`{}`, {}).",
            op.method,
            op.path,
            op.action.as_ref().map(|a| format!(" with action `{a}`")).unwrap_or_default(),
            op.id,
            op.name
        );
        let returns_doc = match &returns {
            Returns::Created(h) => format!(
                " Returns the resource the `{h}` header of the body-less response points at: its URL and its id (the last path segment); [`::runtime::client::ClientError::MissingHeader`] when the header is missing or has no path."
            ),
            Returns::Always(_) if op.responses.iter().any(|r| r.model.is_none()) => {
                let codes: Vec<String> = op.responses.iter().filter(|r| r.model.is_none()).map(|r| format!("`{}`", r.status)).collect();
                format!(
                    " Returns the body of every success response directly. The documented body-less {} response (a redirection such as `300 Multiple Choices`) is the error [`::runtime::client::ClientError::Redirect`], carrying its `Location`.",
                    codes.join(", ")
                )
            }
            Returns::Sometimes(_) => {
                let codes: Vec<String> = op.responses.iter().filter(|r| r.model.is_none()).map(|r| format!("`{}`", r.status)).collect();
                format!(" The body is `None` for the documented body-less {} response.", codes.join(", "))
            }
            _ => String::new(),
        };
        let returns_doc = if returns_doc.is_empty() {
            quote!()
        } else {
            quote!(#[doc = ""] #[doc = #returns_doc])
        };
        let mut out = Vec::new();
        if has_query {
            let with = format_ident!("{}_with", name);
            out.push(quote! {
                #doc
                ///
                #[doc = #call_doc]
                #returns_doc
                pub async fn #name(&self, #(#params,)* query: &#query_ident) -> #ret {
                    self.#with(#(#args,)* query.to_pairs()).await
                }

                async fn #with(&self, #(#params,)* query: Vec<(String, String)>) -> #ret {
                    #send
                }
            });
            out.push(self.pages_method(api, op, &returns, &err, &query_ident, paged));
            out.push(self.changes_method(op, &ret_ty, &err, &query_ident, &params, &args));
        } else {
            out.push(quote! {
                #doc
                ///
                #[doc = #call_doc]
                #returns_doc
                pub async fn #name(&self, #(#params),*) -> #ret {
                    #send
                }
            });
        }
        (quote!(#(#out)*), quote!(#(#items)*))
    }

    fn query_struct(&self, api: Api, op: &Operation, ident_: &proc_macro2::Ident) -> TokenStream {
        let mut fields = Vec::new();
        let mut pushes = Vec::new();
        for p in &op.query {
            let f = format_ident!("{}", snake(&p.name));
            let ty = self.client_type(api, &p.ty);
            let wire = &p.name;
            let text = match &p.ty {
                TypeExpr::Array(_) | TypeExpr::Map(_) => {
                    quote!(::runtime::serde_json::to_string(v).unwrap_or_default())
                }
                _ => quote!(::runtime::values::XmlText::to_text(v)),
            };
            let d = format!(" `{wire}`: {}", p.doc.clone().unwrap_or_else(|| "query parameter.".into()));
            if p.required {
                fields.push(quote!(#[doc = #d] pub #f: #ty,));
                pushes.push(quote! { { let v = &self.#f; pairs.push((#wire.to_string(), #text)); } });
            } else {
                fields.push(quote!(#[doc = #d] pub #f: Option<#ty>,));
                pushes.push(quote! { if let Some(v) = &self.#f { pairs.push((#wire.to_string(), #text)); } });
            }
        }
        let all_optional = op.query.iter().all(|p| !p.required);
        let default = if all_optional { quote!(Default,) } else { quote!() };
        let d = format!(" Query parameters of `{}` ({}). Source: {}, {}.", op.id, op.name, op.source.document, op.source.place);
        quote! {
            #[doc = #d]
            #[derive(Debug, Clone, PartialEq, #default)]
            pub struct #ident_ {
                #(#fields)*
            }

            impl #ident_ {
                /// The parameters as sent, in schema order.
                pub fn to_pairs(&self) -> Vec<(String, String)> {
                    let mut pairs = Vec::new();
                    #(#pushes)*
                    pairs
                }
            }
        }
    }

    fn pages_method(
        &self,
        api: Api,
        op: &Operation,
        returns: &Returns,
        err: &TokenStream,
        query_ident: &proc_macro2::Ident,
        paged: &mut BTreeMap<String, Paging<'s>>,
    ) -> TokenStream {
        let Some(paging) = self.schema.paging_of(op) else { return quote!() };
        if !op.path_params.is_empty() || !Self::only_token_headers(op) {
            return quote!();
        }
        let size = &paging.params.size;
        let (style, by) = match (&paging.params.marker, &paging.params.offset) {
            (Some(m), _) => (quote!(::runtime::client::PageStyle::marker(#size, #m)), m),
            (None, Some(o)) => (quote!(::runtime::client::PageStyle::offset(#size, #o)), o),
            (None, None) => return quote!(),
        };
        let (model_id, body) = match returns {
            Returns::Always(m) => (m, quote!(Some(r.body))),
            Returns::Sometimes(m) => (m, quote!(r.body)),
            _ => return quote!(),
        };
        let Some(model) = self.schema.model(model_id) else { return quote!() };
        let Some(page) = self.schema.page_of(model) else { return quote!() };
        paged.insert(model_id.clone(), paging);
        let ty = self.sibling_model_path(api, model_id);
        let name = format_ident!("{}_pages", snake(local_id(op)));
        let items_name = format_ident!("{}_items", snake(local_id(op)));
        let item_ty = match &page.items.ty {
            TypeExpr::Array(inner) => Some(self.client_type(api, inner)),
            _ => None,
        };
        let with = format_ident!("{}_with", snake(local_id(op)));
        let d = format!(
            " Every page of `{}`, from `query` on: follows the next-page links, else pages by `{by}` with the same `{size}`.",
            op.id,
        );
        let items_doc = format!(" Every item of `{}`, page after page (see [`Client::{name}`]).", op.id);
        let items_method = match item_ty {
            Some(item) => quote! {
                #[doc = #items_doc]
                pub fn #items_name(&self, query: &#query_ident) -> impl ::runtime::client::Stream<Item = Result<#item, ::runtime::client::ClientError<#err>>> {
                    ::runtime::client::items(self.#name(query))
                }
            },
            None => quote!(),
        };
        quote! {
            #[doc = #d]
            pub fn #name(&self, query: &#query_ident) -> impl ::runtime::client::Stream<Item = Result<#ty, ::runtime::client::ClientError<#err>>> {
                let client = self.clone();
                ::runtime::client::pages(query.to_pairs(), #style, move |pairs| {
                    let client = client.clone();
                    async move { client.#with(pairs).await.map(|r| #body) }
                })
            }

            #items_method
        }
    }

    fn changes_method(
        &self,
        op: &Operation,
        ret_ty: &TokenStream,
        err: &TokenStream,
        query_ident: &proc_macro2::Ident,
        params: &[TokenStream],
        args: &[TokenStream],
    ) -> TokenStream {
        let Some(since) = self.schema.changes_since_of(op) else { return quote!() };
        let Some(p) = op.query.iter().find(|p| p.name == since.param) else { return quote!() };
        let time_format = match &p.ty {
            TypeExpr::Scalar(Scalar::UnixTime | Scalar::Integer) => quote!(::runtime::client::TimeFormat::UnixTime),
            _ => quote!(::runtime::client::TimeFormat::DateTime),
        };
        // Owned copies of borrowed parameters, for a stream that outlives the call.
        let owned: Vec<TokenStream> = args.iter().map(|a| quote!(let #a = #a.to_owned();)).collect();
        let reborrow: Vec<TokenStream> = params
            .iter()
            .zip(args)
            .map(|(p, a)| if p.to_string().contains('&') { quote!(&#a) } else { quote!(#a) })
            .collect();
        let clones: Vec<TokenStream> = args.iter().map(|a| quote!(let #a = #a.clone();)).collect();
        let name = format_ident!("{}_changes", snake(local_id(op)));
        let with = format_ident!("{}_with", snake(local_id(op)));
        let wire = &p.name;
        let d = format!(
            " Lists `{}` every `interval`, each time with `{wire}` set to the time of the previous listing (the first time to `since`). The stream never ends by itself.",
            op.id
        );
        quote! {
            #[doc = #d]
            pub fn #name(&self, #(#params,)* query: &#query_ident, since: ::std::time::SystemTime, interval: ::std::time::Duration)
                -> impl ::runtime::client::Stream<Item = Result<::runtime::client::Reply<#ret_ty>, ::runtime::client::ClientError<#err>>> {
                let client = self.clone();
                let base: Vec<(String, String)> = query.to_pairs().into_iter().filter(|(k, _)| k != #wire).collect();
                #(#owned)*
                ::runtime::client::changes_since(since, interval, #time_format, move |stamp| {
                    let client = client.clone();
                    let mut pairs = base.clone();
                    pairs.push((#wire.to_string(), stamp));
                    #(#clones)*
                    async move { client.#with(#(#reborrow,)* pairs).await }
                })
            }
        }
    }

    /// The enum ids that are the subject of a state machine of `api` (whose status
    /// queries the machines module generates).
    fn subject_enums(&self, api: Api) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for m in self.schema.state_machines.iter().filter(|m| m.api == api) {
            let Some(subject) = m.subject.as_deref() else { continue };
            let id = match self.schema.model(subject) {
                Some(model) if model.kind == ModelKind::Enum => Some(model.id.clone()),
                Some(_) => None,
                None => subject.rsplit_once('.').and_then(|(mid, field)| {
                    let f = self.schema.model(mid)?.fields.iter().find(|f| f.name == field)?;
                    match &f.ty {
                        TypeExpr::Enum(e) | TypeExpr::Model(e) => {
                            self.schema.model(e).filter(|x| x.kind == ModelKind::Enum).map(|x| x.id.clone())
                        }
                        _ => None,
                    }
                }),
            };
            if let Some(id) = id.filter(|id| self.schema.model(id).and_then(Model::api) == Some(api)) {
                out.insert(id);
            }
        }
        out
    }

    /// `wait_for_<model>_status` methods and the `Watched` impls they need.
    fn waiters(&self, api: Api, ops: &[&Operation]) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let subjects = self.subject_enums(api);
        let mut waits = Vec::new();
        let mut impls = Vec::new();
        for m in self.schema.models.iter().filter(|m| m.api() == Some(api) && m.kind == ModelKind::Object) {
            let Some(status) = m
                .field_with_role(FieldRole::Status)
                .filter(|f| matches!(&f.ty, TypeExpr::Enum(e) | TypeExpr::Model(e) if subjects.contains(e)))
            else {
                continue;
            };
            let getter = ops.iter().find(|o| {
                o.method.eq_ignore_ascii_case("GET")
                    && o.request.is_none()
                    && Self::only_token_headers(o)
                    && matches!(Self::returns(o), Returns::Always(ref r) if *r == m.id)
            });
            let Some(getter) = getter else { continue };
            let (TypeExpr::Enum(status_enum) | TypeExpr::Model(status_enum)) = &status.ty else { continue };
            let model_ty = self.sibling_model_path(api, &m.id);
            let status_ty = self.sibling_model_path(api, status_enum);
            let status_ref = owned_opt(self, &quote!(self), status, false);
            let fault_fn = self.embedded_fault_fn(m);
            impls.push(quote! {
                impl ::runtime::client::Watched for #model_ty {
                    type Status = #status_ty;
                    fn status(&self) -> Option<#status_ty> {
                        #status_ref
                    }
                    #fault_fn
                }
            });

            let err = format_ident!("{}", error_type(getter));
            let get = format_ident!("{}", snake(local_id(getter)));
            let (params, args) = path_params(getter);
            let call = if getter.query.is_empty() {
                quote!(self.#get(#(#args),*))
            } else {
                let with = format_ident!("{}_with", get);
                quote!(self.#with(#(#args,)* Vec::new()))
            };
            let label = model_type(&m.id);
            let what = if args.is_empty() {
                quote!(#label.to_string())
            } else {
                quote!(format!("{} {}", #label, [#(#args.to_string()),*].join("/")))
            };
            let name = format_ident!("wait_for_{}_status", snake(&model_type(&m.id)));
            let d = format!(
                " Polls `{}` every `opts.interval` until the {label}'s `{}` is `target`; fails at once with the embedded fault when it reaches an error or terminal state of its state machine, and with a timeout naming the last status after `opts.timeout`.",
                getter.id, status.name
            );
            waits.push(quote! {
                #[doc = #d]
                pub async fn #name(&self, #(#params,)* target: #status_ty, opts: ::runtime::client::WaitOptions)
                    -> Result<#model_ty, ::runtime::client::ClientError<super::faults::#err>> {
                    let what = #what;
                    ::runtime::client::wait_for_status(
                        move || async move { #call.await.map(|r| r.body) },
                        &target,
                        |s: &#status_ty| s.is_error() || s.is_terminal(),
                        opts,
                        &what,
                    )
                    .await
                }
            });
        }
        (waits, impls)
    }

    /// `fn embedded_fault` of a model that embeds the asynchronous fault, if it does.
    fn embedded_fault_fn(&self, m: &Model) -> TokenStream {
        let Some(fault) = self.schema.faults.iter().find(|f| f.embedded_in.contains(&m.id)) else { return quote!() };
        let Some(fault_model) = fault.model.as_deref().and_then(|id| self.schema.model(id)) else { return quote!() };
        let Some(field) = m.fields.iter().find(|f| matches!(&f.ty, TypeExpr::Model(id) if *id == fault_model.id)) else {
            return quote!();
        };
        let part = |role: FieldRole| fault_model.field_with_role(role);
        let f = quote!(f);
        let code = part(FieldRole::FaultCode).map_or(quote!(None), |x| owned_opt(self, &f, x, true));
        let message = part(FieldRole::FaultMessage).map_or(quote!(String::new()), |x| {
            self.with_field(&f, x, Access::Cloned, Some(quote!(String::new())), |v| v)
        });
        let details = part(FieldRole::FaultDetails).map_or(quote!(None), |x| owned_opt(self, &f, x, false));
        let created = part(FieldRole::FaultCreated).map_or(quote!(None), |x| {
            let v = owned_opt(self, &f, x, false);
            if matches!(x.ty, TypeExpr::Scalar(Scalar::DateTime)) {
                quote!(#v.map(|t| t.as_str().to_string()))
            } else {
                v
            }
        });
        let build = quote!(::runtime::client::EmbeddedFault { code: #code, message: #message, details: #details, created: #created });
        let body = self.with_field(&quote!(self), field, Access::Ref, None, |v| quote!({ let f = &#v; #build }));
        quote! {
            fn embedded_fault(&self) -> Option<::runtime::client::EmbeddedFault> {
                #body
            }
        }
    }

    /// `impl Paged` for a list model.
    fn paged_impl(&self, api: Api, model_id: &str, paging: &Paging<'_>) -> TokenStream {
        let Some(m) = self.schema.model(model_id) else { return quote!() };
        let Some(page) = self.schema.page_of(m) else { return quote!() };
        let ty = self.sibling_model_path(api, model_id);
        let item = self.sibling_model_path(api, &page.item.id);
        let me = quote!(self);
        let items_ref = self.with_field(&me, page.items, Access::Ref, Some(quote!(&[])), |v| quote!(#v.as_slice()));
        let into_items = self.with_field(&me, page.items, Access::Owned, Some(quote!(Vec::new())), |v| v);
        // An empty default: a statement, run only when there are items.
        let retain = self.with_field(&me, page.items, Access::Mut, Some(quote!()), |v| quote!(#v.retain(|i| keep(i))));
        let next = match (page.links, paging.next_rel) {
            (Some(links), Some(next_rel)) => {
                let l = quote!(l);
                let all = self.field_value(&me, links.field, Access::Ref);
                // Plain comparisons and `map` where a value is always there (clippy prefers them).
                let rel_is_next = if option_depth(links.rel) == 0 {
                    self.with_field(&l, links.rel, Access::Ref, Some(quote!(false)), |v| quote!(#v == #next_rel))
                } else {
                    let rel = str_opt(self, &l, links.rel);
                    quote!(#rel == Some(#next_rel))
                };
                let href_of = if option_depth(links.href) == 0 {
                    let href = self.with_field(&l, links.href, Access::Ref, Some(quote!("")), |v| quote!(#v.as_str()));
                    quote!(map(|l| #href))
                } else {
                    let href = str_opt(self, &l, links.href);
                    quote!(and_then(|l| #href))
                };
                quote!(#all.into_iter().flatten().find(|l| #rel_is_next).#href_of)
            }
            _ => quote!(None),
        };
        let it = quote!(item);
        let id = paging
            .id_field
            .and_then(|name| page.item.fields.iter().find(|f| f.name == name))
            .map(|f| self.with_field(&it, f, Access::Ref, None, |v| quote!(#v.to_string())))
            .unwrap_or(quote!(None));
        quote! {
            impl ::runtime::client::Paged for #ty {
                type Item = #item;
                fn items(&self) -> &[#item] {
                    #items_ref
                }
                fn next_link(&self) -> Option<&str> {
                    #next
                }
                #[allow(unused_variables)]
                fn item_id(item: &#item) -> Option<String> {
                    #id
                }
                fn retain_items(&mut self, keep: &mut dyn FnMut(&#item) -> bool) {
                    #retain
                }
                fn into_items(self) -> Vec<#item> {
                    #into_items
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_not_shadowed() {
        assert_eq!(param_ident("server_id").to_string(), "server_id");
        assert_eq!(param_ident("format").to_string(), "format_");
        assert_eq!(param_ident("X-Auth-User").to_string(), "x_auth_user");
    }
}
