//! Authentication facts: the identity exchanges and what each client tells its transport.
//!
//! - The API that holds the `credentials` operations (identity) gets an `auth` module:
//!   `Exchange`, the `runtime::client::IdentityExchange` of the schema, which builds the
//!   v2.0 token request with the generated request model and reads the token response
//!   with the generated response model, reaching each part through the fields with the
//!   identity roles (`password-credentials`, `credential-user`, `token-id`,
//!   `token-expires`, `tenant-id`, `service-name`, `endpoint-url`...), and which names
//!   the v1.0 call's headers by their header roles (`auth-user`, `auth-key`,
//!   `auth-token`, `endpoint`); and `EXCHANGE`, its one value.
//! - Every client module gets `API`, the `runtime::client::ApiFacts` it binds its
//!   transport to: the API's name in the service catalog (the enumeration value that
//!   stands for the API, `identity.CatalogService`), its `FAULT_PARTS`, and the exchange.
//! - Operations authenticated by `token` send it in the header with role `auth-token`
//!   ([`Context::token_header`]).
//!
//! This is the one place codegen reads the catalog names from ([`Context::catalog_service`]).

use crate::models::{option_depth, wrap_value, Scope};
use crate::names::snake;
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::models::{Field, FieldRole, Model, ModelKind, Scalar, TypeExpr};
use schema::operations::{Auth, Format, HeaderRole, Operation};
use schema::Api;
use std::collections::BTreeSet;

/// One field on the way from a model to a field with a role.
#[derive(Clone, Copy)]
struct Step<'a> {
    field: &'a Field,
    /// The field is an array (of `model`).
    array: bool,
    /// The object model the field holds, if it holds one.
    model: Option<&'a Model>,
}

/// The operations of the identity exchanges.
struct Exchanges<'a> {
    /// The v2.0 token call: a `credentials` operation whose request holds credentials.
    tokens: Option<&'a Operation>,
    /// The v1.0 call: a `credentials` operation that sends a user header.
    v1_0: Option<&'a Operation>,
}

fn method_tokens(method: &str) -> TokenStream {
    let m = format_ident!("{}", method.to_ascii_uppercase());
    quote!(::runtime::client::Method::#m)
}

fn format_tokens(f: Format) -> TokenStream {
    match f {
        Format::Json => quote!(::runtime::client::Format::Json),
        Format::Xml => quote!(::runtime::client::Format::Xml),
        Format::Text => quote!(::runtime::client::Format::Text),
    }
}

/// The value at the end of `steps` from the place `root` (no array among them): a place
/// expression as long as no field on the way is optional (`Ok`), else an `Option<&T>` of
/// it (`Err`).
fn reach_place(root: TokenStream, steps: &[Step<'_>]) -> Result<TokenStream, TokenStream> {
    let mut place = root;
    let mut opt: Option<TokenStream> = None;
    for s in steps {
        let n = format_ident!("{}", snake(&s.field.name));
        opt = Some(match (opt.take(), option_depth(s.field)) {
            (None, 0) => {
                place = quote!(#place.#n);
                continue;
            }
            (None, 1) => quote!(#place.#n.as_ref()),
            (None, _) => quote!(#place.#n.as_ref().and_then(Option::as_ref)),
            (Some(o), 0) => quote!(#o.map(|v| &v.#n)),
            (Some(o), 1) => quote!(#o.and_then(|v| v.#n.as_ref())),
            (Some(o), _) => quote!(#o.and_then(|v| v.#n.as_ref().and_then(Option::as_ref))),
        });
    }
    match opt {
        None => Ok(place),
        Some(o) => Err(o),
    }
}

/// `Option<&T>` of the value at the end of `steps` from the place `root` (no array among
/// them).
fn reach(root: TokenStream, steps: &[Step<'_>]) -> TokenStream {
    match reach_place(root, steps) {
        Ok(place) => quote!(Some(&#place)),
        Err(opt) => opt,
    }
}

/// `body` run for every item at the end of `steps` from `root`, bound to `var`: one loop
/// per array on the way (a path without arrays binds the one value, when present).
fn each(root: TokenStream, steps: &[Step<'_>], var: &proc_macro2::Ident, body: TokenStream) -> TokenStream {
    let Some(i) = steps.iter().position(|s| s.array) else {
        return match reach_place(root, steps) {
            Ok(place) => quote!({ let #var = &#place; #body }),
            Err(opt) => quote!(if let Some(#var) = #opt { #body }),
        };
    };
    let list = match reach_place(root, &steps[..=i]) {
        Ok(place) => quote!(&#place),
        Err(opt) => quote!(#opt.into_iter().flatten()),
    };
    let item = format_ident!("{}_{}", var, i);
    let rest = &steps[i + 1..];
    if rest.is_empty() {
        quote!(for #var in #list { #body })
    } else {
        let inner = each(quote!(#item), rest, var, body);
        quote!(for #item in #list { #inner })
    }
}

impl Context<'_> {
    /// The name under which the service catalog lists `api` (its `catalog` in apis.json).
    /// The one place codegen reads it.
    pub(crate) fn catalog_service(&self, api: Api) -> Option<&str> {
        self.schema.api(api).and_then(|a| a.catalog.as_ref()).map(|c| c.name.as_str())
    }

    /// The header operations authenticated by `token` send it in: the one name of the
    /// headers with role `auth-token`.
    pub(crate) fn token_header(&self) -> Option<&str> {
        self.schema.token_header()
    }

    /// The fields from `model` to the first field with `role`, breadth first through
    /// fields holding object models (and arrays of them).
    fn path_to<'a>(&'a self, model: &'a Model, role: FieldRole) -> Option<Vec<Step<'a>>> {
        let mut queue: std::collections::VecDeque<(&Model, Vec<Step<'a>>)> = std::collections::VecDeque::from([(model, Vec::new())]);
        let mut seen: BTreeSet<&str> = BTreeSet::from([model.id.as_str()]);
        while let Some((m, path)) = queue.pop_front() {
            if let Some(f) = m.field_with_role(role) {
                let mut p = path.clone();
                p.push(Step { field: f, array: false, model: None });
                return Some(p);
            }
            for f in &m.fields {
                let (id, array) = match &f.ty {
                    TypeExpr::Model(id) => (id, false),
                    TypeExpr::Array(inner) => match inner.as_ref() {
                        TypeExpr::Model(id) => (id, true),
                        _ => continue,
                    },
                    _ => continue,
                };
                let Some(next) = self.schema.model(id).filter(|n| n.kind == ModelKind::Object) else { continue };
                if seen.insert(next.id.as_str()) {
                    let mut p = path.clone();
                    p.push(Step { field: f, array, model: Some(next) });
                    queue.push_back((next, p));
                }
            }
        }
        None
    }

    /// The model holding the last field of `path` (the one reached before it, or `from`).
    fn holder<'a>(from: &'a Model, path: &[Step<'a>]) -> &'a Model {
        path.iter().rev().skip(1).find_map(|s| s.model).unwrap_or(from)
    }

    fn exchanges(&self) -> Exchanges<'_> {
        let credentials = || self.schema.operations.iter().filter(|o| o.auth == Auth::Credentials);
        let tokens = credentials().find(|o| {
            o.request.as_ref().and_then(|b| self.schema.model(&b.model)).is_some_and(|m| {
                self.path_to(m, FieldRole::PasswordCredentials).is_some() || self.path_to(m, FieldRole::ApiKeyCredentials).is_some()
            })
        });
        let v1_0 = credentials().find(|o| o.request_header_with_role(HeaderRole::AuthUser).is_some());
        Exchanges { tokens, v1_0 }
    }

    /// The API whose module holds the identity exchange: that of the token call, else of
    /// the v1.0 call; `None` when neither is in the schema or the API is not generated.
    pub(crate) fn exchange_api(&self) -> Option<Api> {
        let x = self.exchanges();
        x.tokens.or(x.v1_0).map(|o| o.api).filter(|a| self.apis.contains(a))
    }

    /// `pub static API`: what the client module of `api` binds its transport to.
    pub(crate) fn api_facts(&self, api: Api) -> TokenStream {
        let key = api.as_str();
        let catalog = match self.catalog_service(api) {
            Some(c) => quote!(Some(#c)),
            None => quote!(None),
        };
        let identity = match self.exchange_api() {
            Some(a) => {
                let m = self.api_mod(a);
                quote!(Some(&super::super::#m::auth::EXCHANGE))
            }
            None => quote!(None),
        };
        let doc = format!(
            " What this client tells its transport about the `{key}` API (see [`Client::new`]): its name in the service catalog{}, where its fault bodies hold their parts, and the identity exchanges.",
            self.catalog_service(api).map(|c| format!(" (`{c}`)")).unwrap_or_else(|| " (none: it is not in the catalog)".into())
        );
        quote! {
            #[doc = #doc]
            pub static API: ::runtime::client::ApiFacts = ::runtime::client::ApiFacts {
                api: #key,
                catalog_service: #catalog,
                faults: &super::faults::FAULT_PARTS,
                identity: #identity,
            };
        }
    }

    /// The request body of one kind of credentials: the request model with the
    /// credentials model at `role` holding the user and the secret.
    fn credentials_body(&self, api: Api, request: &Model, role: FieldRole) -> Option<TokenStream> {
        let path = self.path_to(request, role)?;
        let creds = path.last()?.field;
        let TypeExpr::Model(id) = &creds.ty else { return None };
        let cm = self.schema.model(id)?;
        let user = cm.field_with_role(FieldRole::CredentialUser)?;
        let secret = cm.field_with_role(FieldRole::CredentialSecret)?;
        let ty = self.type_path(Scope::Sibling(api), &cm.id);
        let (un, sn) = (format_ident!("{}", snake(&user.name)), format_ident!("{}", snake(&secret.name)));
        let uv = wrap_value(user, quote!(username.to_string()));
        let sv = wrap_value(secret, quote!(secret.clone()));
        let others = if cm.fields.len() > 2 { quote!(, ..Default::default()) } else { quote!() };
        let leaf = quote!(#ty { #un: #uv, #sn: #sv #others });
        Some(self.build_to(api, request, &path, leaf))
    }

    /// `model` as a struct literal with the field at the end of `path` holding `value`:
    /// each model on the way with that one field set (the others default).
    fn build_to(&self, api: Api, model: &Model, path: &[Step<'_>], value: TokenStream) -> TokenStream {
        let Some((first, rest)) = path.split_first() else { return value };
        let inner = match first.model {
            Some(m) if !rest.is_empty() => self.build_to(api, m, rest, value),
            _ => value,
        };
        let ty = self.type_path(Scope::Sibling(api), &model.id);
        let n = format_ident!("{}", snake(&first.field.name));
        let v = wrap_value(first.field, inner);
        let others = if model.fields.len() > 1 { quote!(, ..Default::default()) } else { quote!() };
        quote!(#ty { #n: #v #others })
    }

    /// `tokens_call`, `tokens_request` and `tokens_response` of the exchange.
    fn tokens_fns(&self, api: Api, op: Option<&Operation>) -> TokenStream {
        let none = quote! {
            fn tokens_call(&self) -> Option<::runtime::client::IdentityCall> {
                None
            }
            fn tokens_request(&self, _username: &str, _credential: &::runtime::client::Credential) -> Result<Vec<u8>, ::runtime::client::AuthError> {
                Err(::runtime::client::AuthError::NoExchange)
            }
            fn tokens_response(&self, _body: &[u8]) -> Result<::runtime::client::Session, ::runtime::client::AuthError> {
                Err(::runtime::client::AuthError::NoExchange)
            }
        };
        let Some(op) = op else { return none };
        let Some(req) = op.request.as_ref() else { return none };
        let Some(request) = self.schema.model(&req.model) else { return none };
        let Some(resp) = op.responses.iter().find(|r| (200..300).contains(&r.status) && r.model.is_some()) else { return none };
        let Some(response) = resp.model.as_deref().and_then(|id| self.schema.model(id)) else { return none };
        // The exchange is written and read as JSON, which the schema must offer.
        if !req.formats.contains(&Format::Json) || !(resp.formats.is_empty() || resp.formats.contains(&Format::Json)) {
            return none;
        }
        let password = self.credentials_body(api, request, FieldRole::PasswordCredentials);
        let api_key = self.credentials_body(api, request, FieldRole::ApiKeyCredentials);
        let no_kind = quote!(return Err(::runtime::client::AuthError::NoExchange));
        let password = password.unwrap_or_else(|| no_kind.clone());
        let api_key = api_key.unwrap_or(no_kind);
        let id = &op.id;
        let path = &op.path;
        let method = method_tokens(&op.method);
        let format = format_tokens(Format::Json);
        let wrap = |w: &Option<String>| match w {
            Some(w) => quote!(Some(#w)),
            None => quote!(None),
        };
        let (req_wrap, resp_wrap) = (wrap(&req.wrap), wrap(&resp.wrap));
        let resp_ty = self.type_path(Scope::Sibling(api), &response.id);
        let doc = quote!(doc);

        let token = match self.path_to(response, FieldRole::TokenId).filter(|p| !p.iter().any(|s| s.array)) {
            Some(p) => {
                let v = reach(doc.clone(), &p);
                match &p[p.len() - 1].field.ty {
                    TypeExpr::Scalar(Scalar::Secret) => quote!(#v.filter(|t| !t.expose().is_empty()).cloned()),
                    _ => quote!(#v.filter(|t| !t.is_empty()).map(|t| ::runtime::Secret::new(t.as_str()))),
                }
            }
            None => quote!(None),
        };
        let expires = match self.path_to(response, FieldRole::TokenExpires).filter(|p| !p.iter().any(|s| s.array)) {
            Some(p) => {
                let v = reach(doc.clone(), &p);
                quote!(#v.and_then(|t| t.parse().ok()))
            }
            None => quote!(None),
        };
        let tenant = match self.path_to(response, FieldRole::TenantId).filter(|p| !p.iter().any(|s| s.array)) {
            Some(p) => {
                let v = reach(doc.clone(), &p);
                quote!(#v.filter(|t| !t.is_empty()).cloned())
            }
            None => quote!(None),
        };
        let catalog = self.catalog_loop(response).unwrap_or_default();
        quote! {
            fn tokens_call(&self) -> Option<::runtime::client::IdentityCall> {
                Some(::runtime::client::IdentityCall { operation: #id, method: #method, path: #path, format: #format })
            }
            fn tokens_request(&self, username: &str, credential: &::runtime::client::Credential) -> Result<Vec<u8>, ::runtime::client::AuthError> {
                let body = match credential {
                    ::runtime::client::Credential::Password(secret) => #password,
                    ::runtime::client::Credential::ApiKey(secret) => #api_key,
                };
                ::runtime::client::encode_json(&body, #req_wrap).map_err(|e| ::runtime::client::AuthError::Encode(e.to_string()))
            }
            #[allow(unused_mut)]
            fn tokens_response(&self, body: &[u8]) -> Result<::runtime::client::Session, ::runtime::client::AuthError> {
                let doc: #resp_ty = ::runtime::client::decode_json(body, #resp_wrap)
                    .map_err(|e| ::runtime::client::AuthError::BadResponse(e.to_string()))?;
                let token = #token.ok_or_else(|| ::runtime::client::AuthError::BadResponse("the response holds no token".into()))?;
                let mut catalog = Vec::new();
                #catalog
                Ok(::runtime::client::Session {
                    token: Some(token),
                    expires: #expires,
                    tenant_id: #tenant,
                    catalog,
                    endpoint: None,
                })
            }
        }
    }

    /// The loops that push every catalog endpoint of `doc` (a `response`) to `catalog`.
    fn catalog_loop(&self, response: &Model) -> Option<TokenStream> {
        let to_name = self.path_to(response, FieldRole::ServiceName)?;
        let service = Self::holder(response, &to_name);
        let to_url = self.path_to(service, FieldRole::EndpointUrl)?;
        let endpoint = Self::holder(service, &to_url);
        let (sv, ev) = (format_ident!("service"), format_ident!("endpoint"));
        let opt_text = |m: &Model, role: FieldRole, var: &proc_macro2::Ident| match self.path_to(m, role).filter(|p| !p.iter().any(|s| s.array)) {
            Some(p) => {
                let v = reach(quote!(#var), &p);
                quote!(#v.filter(|t| !t.is_empty()).cloned())
            }
            None => quote!(None),
        };
        let name = opt_text(service, FieldRole::ServiceName, &sv);
        let url = opt_text(endpoint, FieldRole::EndpointUrl, &ev);
        let region = opt_text(endpoint, FieldRole::EndpointRegion, &ev);
        let tenant = opt_text(endpoint, FieldRole::EndpointTenant, &ev);
        let push = quote! {
            if let (Some(service_name), Some(url)) = (name.clone(), #url) {
                catalog.push(::runtime::client::CatalogEndpoint { service: service_name, url, region: #region, tenant_id: #tenant });
            }
        };
        let endpoints = each(quote!(#sv), &to_url[..to_url.len() - 1], &ev, push);
        let body = quote! {
            let name: Option<String> = #name;
            #endpoints
        };
        Some(each(quote!(doc), &to_name[..to_name.len() - 1], &sv, body))
    }

    /// `v1_0_call` of the exchange.
    fn v1_0_fn(&self, op: Option<&Operation>) -> TokenStream {
        let call = op.and_then(|op| {
            let user = op.request_header_with_role(HeaderRole::AuthUser)?.name.as_str();
            let key = op.request_header_with_role(HeaderRole::AuthKey)?.name.as_str();
            let token = op.response_header_with_role(HeaderRole::AuthToken)?.name.as_str();
            let endpoint = op.response_header_with_role(HeaderRole::Endpoint)?.name.as_str();
            let (id, path, method) = (&op.id, &op.path, method_tokens(&op.method));
            let format = format_tokens(op.responses.iter().flat_map(|r| r.formats.first()).next().copied().unwrap_or(Format::Json));
            Some(quote! {
                Some(::runtime::client::V1_0Call {
                    call: ::runtime::client::IdentityCall { operation: #id, method: #method, path: #path, format: #format },
                    user_header: #user,
                    key_header: #key,
                    token_header: #token,
                    endpoint_header: #endpoint,
                })
            })
        });
        let call = call.unwrap_or_else(|| quote!(None));
        quote! {
            fn v1_0_call(&self) -> Option<::runtime::client::V1_0Call> {
                #call
            }
        }
    }

    /// The `auth` module of `api`, when it holds the identity exchange.
    pub(crate) fn auth_module(&self, api: Api) -> TokenStream {
        if self.exchange_api() != Some(api) {
            return TokenStream::new();
        }
        let x = self.exchanges();
        let tokens = self.tokens_fns(api, x.tokens);
        let v1_0 = self.v1_0_fn(x.v1_0);
        let ops: Vec<String> = [x.tokens, x.v1_0].into_iter().flatten().map(|o| format!("`{}`", o.id)).collect();
        let doc = format!(
            " The identity exchanges of the schema ({}), built from its operations and models, for the transport: give [`EXCHANGE`] to `TransportBuilder::identity`, or let a generated client's `Client::new` bind it.",
            ops.join(", ")
        );
        quote! {
            /// Authentication: the identity exchanges as the schema describes them.
            pub mod auth {
                #[doc = #doc]
                #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
                pub struct Exchange;

                /// The identity exchanges, for `::runtime::client::TransportBuilder::identity`.
                pub static EXCHANGE: Exchange = Exchange;

                impl ::runtime::client::IdentityExchange for Exchange {
                    #tokens
                    #v1_0
                    fn faults(&self) -> &'static ::runtime::faults::FaultParts {
                        &super::faults::FAULT_PARTS
                    }
                }
            }
        }
    }
}
