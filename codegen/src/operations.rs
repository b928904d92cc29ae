//! Operations: each API's documented operations as a `static` table that servers route
//! requests by and suites judge responses by, written from the same
//! [`schema::shapes::operation_of`] mapping the schema offers.

use crate::shapes::ty;
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::Api;
use shapes::operations::{AuthKind, Base, Body, Operation};
use shapes::Format;

fn format(f: Format) -> TokenStream {
    let v = format_ident!("{}", format!("{f:?}"));
    quote!(Format::#v)
}

fn opt_text(t: Option<&str>) -> TokenStream {
    match t {
        Some(t) => quote!(Some(#t)),
        None => quote!(None),
    }
}

fn body(b: &Body<'_>) -> TokenStream {
    let (model, wrap) = (b.model.as_ref(), opt_text(b.wrap.as_deref()));
    let formats = b.formats.iter().map(|f| format(*f));
    let default = match b.default_format {
        Some(f) => {
            let f = format(f);
            quote!(Some(#f))
        }
        None => quote!(None),
    };
    quote!(body(#model, #wrap, &[#(#formats),*], #default))
}

fn operation(o: &Operation<'_>) -> TokenStream {
    let (id, method, path, source) = (o.id.as_ref(), o.method.as_ref(), o.path.as_ref(), o.source.as_ref());
    let base = match o.base {
        Base::Endpoint => quote!(Base::Endpoint),
        Base::Host => quote!(Base::Host),
    };
    let auth = match o.auth {
        AuthKind::Token => quote!(AuthKind::Token),
        AuthKind::None => quote!(AuthKind::None),
        AuthKind::SourceIp => quote!(AuthKind::SourceIp),
        AuthKind::Credentials => quote!(AuthKind::Credentials),
    };
    let action = match o.action.as_deref() {
        Some(a) => quote!(Some(Cow::Borrowed(#a))),
        None => quote!(None),
    };
    let params = |ps: &[shapes::operations::Param<'_>]| -> Vec<TokenStream> {
        ps.iter()
            .map(|p| {
                let (name, t, required, selects) = (p.name.as_ref(), ty(&p.ty), p.required, p.selects_format);
                match &p.filter {
                    Some(f) if !required && !selects => {
                        let (of, field) = (f.of.as_ref(), f.field.as_ref());
                        let compare = match f.compare {
                            shapes::operations::Compare::Equals => quote!(Compare::Equals),
                            shapes::operations::Compare::AtLeast => quote!(Compare::AtLeast),
                        };
                        quote!(filter_param(#name, #t, #of, #field, #compare))
                    }
                    _ => quote!(param(#name, #t, #required, #selects)),
                }
            })
            .collect()
    };
    let (path_params, query) = (params(&o.path_params), params(&o.query));
    let headers = o.request_headers.iter().map(|h| {
        let (name, required, secret) = (h.name.as_ref(), h.required, h.secret);
        quote!(header(#name, #required, #secret))
    });
    let request = match &o.request {
        Some(b) => {
            let b = body(b);
            quote!(Some(#b))
        }
        None => quote!(None),
    };
    let responses = o.responses.iter().map(|r| {
        let status = r.status;
        let b = match &r.body {
            Some(b) => {
                let b = body(b);
                quote!(Some(#b))
            }
            None => quote!(None),
        };
        let hs = r.headers.iter().map(|h| h.as_ref());
        quote!(response(#status, #b, &[#(Cow::Borrowed(#hs)),*]))
    });
    let faults = o.faults.iter().map(|f| {
        let (id, codes) = (f.fault.as_ref(), f.codes.iter());
        quote!(fault(#id, &[#(#codes),*]))
    });
    let limits = o.limits.iter().map(|l| l.as_ref());
    quote! {
        Operation {
            id: Cow::Borrowed(#id),
            method: Cow::Borrowed(#method),
            path: Cow::Borrowed(#path),
            base: #base,
            action: #action,
            auth: #auth,
            path_params: Cow::Borrowed(&[#(#path_params),*]),
            query: Cow::Borrowed(&[#(#query),*]),
            request_headers: Cow::Borrowed(&[#(#headers),*]),
            request: #request,
            responses: Cow::Borrowed(&[#(#responses),*]),
            faults: Cow::Borrowed(&[#(#faults),*]),
            limits: Cow::Borrowed(&[#(Cow::Borrowed(#limits)),*]),
            source: Cow::Borrowed(#source),
        }
    }
}

impl Context<'_> {
    /// The `operations` module of one API: every operation, in schema order.
    pub(crate) fn operations_module(&self, api: Api) -> TokenStream {
        let ops = self.schema.operations.iter().filter(|o| o.api == api).map(|o| operation(&schema::shapes::operation_of(o)));
        quote! {
            /// Every documented operation of this API as data (method, path, parameters,
            /// bodies, responses, faults, limits), for servers that route requests by it
            /// (`runtime::shapes::operations::Router`) and suites that judge responses by it.
            pub mod operations {
                #[allow(unused_imports)]
                use ::runtime::shapes::build::*;
                #[allow(unused_imports)]
                use ::runtime::shapes::operations::build::*;
                #[allow(unused_imports)]
                use ::runtime::shapes::operations::{AuthKind, Base, Compare, Operation};
                #[allow(unused_imports)]
                use ::runtime::shapes::{Container as C, Format, Scalar as S};
                #[allow(unused_imports)]
                use ::std::borrow::Cow;

                /// Every operation of this API, in the schema's order.
                pub static OPERATIONS: &[Operation<'static>] = &[#(#ops),*];
            }
        }
    }
}
