//! Shapes: each API's models as a `static` table for the strict validator, written from
//! the same [`schema::shapes`] mapping that `schema check` judges examples by.

use crate::names::model_type;
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::Api;
use shapes::{Base, Container, FieldXml, Kind, Scalar, Type};
use std::borrow::Cow;

fn s(text: &str) -> TokenStream {
    quote!(::runtime::shapes::s(#text))
}

fn opt(text: &Option<Cow<'_, str>>) -> TokenStream {
    match text {
        Some(t) => {
            let t = s(t);
            quote!(Some(#t))
        }
        None => quote!(None),
    }
}

fn scalar(sc: Scalar) -> TokenStream {
    let v = format_ident!("{}", format!("{sc:?}"));
    quote!(::runtime::shapes::Scalar::#v)
}

fn ty(t: &Type<'_>) -> TokenStream {
    let containers = t.containers.iter().map(|c| match c {
        Container::Array => quote!(::runtime::shapes::Container::Array),
        Container::Map => quote!(::runtime::shapes::Container::Map),
    });
    let base = match &t.base {
        Base::Scalar(sc) => {
            let sc = scalar(*sc);
            quote!(::runtime::shapes::Base::Scalar(#sc))
        }
        Base::Model(id) => {
            let id = s(id);
            quote!(::runtime::shapes::Base::Model(#id))
        }
    };
    quote!(::runtime::shapes::Type { containers: ::std::borrow::Cow::Borrowed(&[#(#containers),*]), base: #base })
}

fn field_xml(x: &FieldXml<'_>) -> TokenStream {
    match x {
        FieldXml::None => quote!(::runtime::shapes::FieldXml::None),
        FieldXml::Text => quote!(::runtime::shapes::FieldXml::Text),
        FieldXml::Attribute { ns, local } => {
            let (ns, local) = (opt(ns), s(local));
            quote!(::runtime::shapes::FieldXml::Attribute { ns: #ns, local: #local })
        }
        FieldXml::Element { ns, local, value_attribute } => {
            let (ns, local, va) = (opt(ns), s(local), opt(value_attribute));
            quote!(::runtime::shapes::FieldXml::Element { ns: #ns, local: #local, value_attribute: #va })
        }
        FieldXml::Wrapper { ns, local, item, value_attribute } => {
            let (ns, local, item, va) = (opt(ns), s(local), opt(item), opt(value_attribute));
            quote!(::runtime::shapes::FieldXml::Wrapper { ns: #ns, local: #local, item: #item, value_attribute: #va })
        }
    }
}

fn model(m: &shapes::Model<'_>) -> TokenStream {
    let id = s(&m.id);
    let kind = match &m.kind {
        Kind::Object { fields } => {
            let fields = fields.iter().map(|f| {
                let (name, t, required, nullable, json, xml) = (s(&f.name), ty(&f.ty), f.required, f.nullable, f.json, field_xml(&f.xml));
                let alternatives = f.alternatives.iter().map(field_xml);
                quote!(::runtime::shapes::Field {
                    name: #name, ty: #t, required: #required, nullable: #nullable, json: #json, xml: #xml,
                    alternatives: ::std::borrow::Cow::Borrowed(&[#(#alternatives),*]),
                })
            });
            quote!(::runtime::shapes::Kind::Object { fields: ::std::borrow::Cow::Borrowed(&[#(#fields),*]) })
        }
        Kind::Map { values, nullable_values, entry, key, value_attribute } => {
            let (values, entry, key, va) = (ty(values), opt(entry), s(key), opt(value_attribute));
            quote!(::runtime::shapes::Kind::Map { values: #values, nullable_values: #nullable_values, entry: #entry, key: #key, value_attribute: #va })
        }
        Kind::Array { items, item, value_attribute } => {
            let (items, item, va) = (ty(items), opt(item), opt(value_attribute));
            quote!(::runtime::shapes::Kind::Array { items: #items, item: #item, value_attribute: #va })
        }
        Kind::Enum { values } => {
            let values = values.iter().map(|v| s(v));
            quote!(::runtime::shapes::Kind::Enum { values: ::std::borrow::Cow::Borrowed(&[#(#values),*]) })
        }
        Kind::Text { ty: t } => {
            let t = ty(t);
            quote!(::runtime::shapes::Kind::Text { ty: #t })
        }
        Kind::Union { variants } => {
            let variants = variants.iter().map(|v| {
                let (model, wrap) = (s(&v.model), opt(&v.wrap));
                quote!(::runtime::shapes::Variant { model: #model, wrap: #wrap })
            });
            quote!(::runtime::shapes::Kind::Union { variants: ::std::borrow::Cow::Borrowed(&[#(#variants),*]) })
        }
    };
    let element = match &m.element {
        Some(e) => {
            let (ns, local) = (opt(&e.ns), s(&e.local));
            quote!(Some(::runtime::shapes::XmlName { ns: #ns, local: #local }))
        }
        None => quote!(None),
    };
    quote!(::runtime::shapes::Model { id: #id, kind: #kind, element: #element })
}

impl Context<'_> {
    /// The `shapes` module of one API: its models as a table sorted by id, and `Shaped`
    /// for each generated model type.
    pub(crate) fn shapes_module(&self, api: Api) -> TokenStream {
        let catalog = schema::shapes::ShapeCatalog::new(self.schema);
        let mut ids: Vec<&str> = self.schema.models.iter().filter(|m| m.api() == Some(api)).map(|m| m.id.as_str()).collect();
        ids.sort_unstable();
        let entries = ids.iter().filter_map(|id| shapes::Catalog::model(&catalog, id)).map(model);
        let shaped = self.schema.models.iter().filter(|m| m.api() == Some(api)).map(|m| {
            let t = format_ident!("{}", model_type(&m.id));
            let id = &m.id;
            quote! {
                impl ::runtime::strict::Shaped for super::models::#t {
                    const MODEL_ID: &'static str = #id;
                    fn catalog() -> &'static ::runtime::shapes::Tables {
                        &super::super::SHAPES
                    }
                }
            }
        });
        quote! {
            /// The shapes of this API's models, for the strict validator (`runtime::strict`).
            pub mod shapes {
                /// Every model of this API, sorted by id.
                pub static MODELS: &[::runtime::shapes::Model<'static>] = &[#(#entries),*];
                #(#shaped)*
            }
        }
    }
}
