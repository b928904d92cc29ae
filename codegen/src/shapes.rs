//! Shapes: each API's models as a `static` table for the strict validator, written from
//! the same [`schema::shapes`] mapping that `cloudservers-schema check` judges examples by.

use crate::names::{model_type, screaming};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::Api;
use shapes::{Base, Container, FieldXml, Kind, Type};
use std::borrow::Cow;

fn opt(text: &Option<Cow<'_, str>>) -> TokenStream {
    match text {
        Some(t) => {
            let t = t.as_ref();
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

pub(crate) fn ty(t: &Type<'_>) -> TokenStream {
    let containers: Vec<TokenStream> = t
        .containers
        .iter()
        .map(|c| match c {
            Container::Array => quote!(C::Array),
            Container::Map => quote!(C::Map),
        })
        .collect();
    match (&t.base, containers.is_empty()) {
        (Base::Scalar(sc), true) => {
            let v = format_ident!("{}", format!("{sc:?}"));
            quote!(scalar(S::#v))
        }
        (Base::Scalar(sc), false) => {
            let v = format_ident!("{}", format!("{sc:?}"));
            quote!(scalars(&[#(#containers),*], S::#v))
        }
        (Base::Model(id), true) => {
            let id = id.as_ref();
            quote!(model(#id))
        }
        (Base::Model(id), false) => {
            let id = id.as_ref();
            quote!(models(&[#(#containers),*], #id))
        }
    }
}

impl Context<'_> {
    /// A namespace URI as the `ns` constant that holds it.
    fn uri(&self, uri: &Option<Cow<'_, str>>) -> TokenStream {
        let Some(u) = uri else { return quote!(None) };
        match self.schema.namespaces.iter().find(|n| n.uri == u.as_ref()) {
            Some(n) => {
                let c = format_ident!("{}", screaming(&n.prefix));
                quote!(Some(super::super::ns::#c))
            }
            None => {
                let u = u.as_ref();
                quote!(Some(#u))
            }
        }
    }

    fn shape_xml(&self, x: &FieldXml<'_>) -> TokenStream {
        match x {
            FieldXml::None => quote!(FieldXml::None),
            FieldXml::Text => quote!(FieldXml::Text),
            FieldXml::Attribute { ns, local } => {
                let (ns, local) = (self.uri(ns), local.as_ref());
                quote!(attr(#ns, #local))
            }
            FieldXml::Element { ns, local, value_attribute } => {
                let (ns, local, va) = (self.uri(ns), local.as_ref(), opt(value_attribute));
                quote!(elem(#ns, #local, #va))
            }
            FieldXml::Wrapper { ns, local, item, value_attribute } => {
                let (ns, local, item, va) = (self.uri(ns), local.as_ref(), opt(item), opt(value_attribute));
                quote!(wrapper(#ns, #local, #item, #va))
            }
        }
    }

    fn shape_tokens(&self, m: &shapes::Model<'_>) -> TokenStream {
        let id = m.id.as_ref();
        let kind = match &m.kind {
            Kind::Object { fields } => {
                let fields = fields.iter().map(|f| {
                    let (name, t, xml) = (f.name.as_ref(), ty(&f.ty), self.shape_xml(&f.xml));
                    let mut flags = Vec::new();
                    if f.required {
                        flags.push(quote!(REQUIRED));
                    }
                    if f.nullable {
                        flags.push(quote!(NULLABLE));
                    }
                    if f.json {
                        flags.push(quote!(JSON));
                    }
                    let flags = if flags.is_empty() { quote!(0) } else { quote!(#(#flags)|*) };
                    if f.alternatives.is_empty() {
                        return quote!(field(#name, #t, #flags, #xml, &[]));
                    }
                    // A slice of constructed values is only `'static` as a literal's field.
                    let alternatives = f.alternatives.iter().map(|a| self.shape_xml(a));
                    let (required, nullable, json) = (f.required, f.nullable, f.json);
                    quote!(Field {
                        name: Cow::Borrowed(#name), ty: #t, required: #required, nullable: #nullable, json: #json, xml: #xml,
                        alternatives: Cow::Borrowed(&[#(#alternatives),*]),
                    })
                });
                quote!(Kind::Object { fields: Cow::Borrowed(&[#(#fields),*]) })
            }
            Kind::Map { values, nullable_values, entry, key, value_attribute } => {
                let (values, entry, key, va) = (ty(values), opt(entry), key.as_ref(), opt(value_attribute));
                quote!(map(#values, #nullable_values, #entry, #key, #va))
            }
            Kind::Array { items, item, value_attribute } => {
                let (items, item, va) = (ty(items), opt(item), opt(value_attribute));
                quote!(list(#items, #item, #va))
            }
            Kind::Enum { values } => {
                let values = values.iter().map(|v| v.as_ref());
                quote!(Kind::Enum { values: Cow::Borrowed(&[#(Cow::Borrowed(#values)),*]) })
            }
            Kind::Text { ty: t } => {
                let t = ty(t);
                quote!(text_value(#t))
            }
            Kind::Union { variants } => {
                let variants = variants.iter().map(|v| {
                    let (model, wrap) = (v.model.as_ref(), opt(&v.wrap));
                    quote!(variant(#model, #wrap))
                });
                quote!(Kind::Union { variants: Cow::Borrowed(&[#(#variants),*]) })
            }
        };
        let element = match &m.element {
            Some(e) => {
                let (ns, local) = (self.uri(&e.ns), e.local.as_ref());
                quote!(element(#ns, #local))
            }
            None => quote!(None),
        };
        quote!(Model { id: Cow::Borrowed(#id), kind: #kind, element: #element })
    }

    /// The `shapes` module of one API: its models as a table sorted by id, and `Shaped`
    /// for each generated model type.
    pub(crate) fn shapes_module(&self, api: Api) -> TokenStream {
        let catalog = schema::shapes::ShapeCatalog::new(self.schema);
        let mut ids: Vec<&str> = self.schema.models.iter().filter(|m| m.api() == Some(api)).map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        let entries = ids.iter().filter_map(|id| shapes::Catalog::model(&catalog, id)).map(|m| self.shape_tokens(m));
        let shaped = self.schema.models.iter().filter(|m| m.api() == Some(api)).map(|m| {
            let t = format_ident!("{}", model_type(&m.id));
            let id = &m.id;
            quote!(::runtime::shaped!(super::models::#t, #id, super::super::SHAPES);)
        });
        quote! {
            /// The shapes of this API's models, for the strict validator ([`::runtime::strict`]).
            pub mod shapes {
                #[allow(unused_imports)]
                use ::runtime::shapes::build::*;
                #[allow(unused_imports)]
                use ::runtime::shapes::{Container as C, Field, FieldXml, Kind, Model, Scalar as S};
                #[allow(unused_imports)]
                use ::std::borrow::Cow;

                /// Every model of this API, sorted by id.
                pub static MODELS: &[::runtime::shapes::Model<'static>] = &[#(#entries),*];
                #(#shaped)*
            }
        }
    }
}
