//! Models: a Rust type per schema model, with serde (JSON) and `FromXml`/`ToXml` (XML).

use crate::names::{camel, model_type};
use crate::Context;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::models::{Field, FieldXml, Model, ModelKind, Scalar, TypeExpr};
use schema::Api;

/// How many `Option`s wrap a field's Rust type: none for a required non-nullable field,
/// two for an optional field whose `null` is documented (absent, `null`, or a value).
pub(crate) fn option_depth(f: &Field) -> u8 {
    match (f.required && f.json, f.nullable) {
        (true, false) => 0,
        (true, true) | (false, false) => 1,
        (false, true) => 2,
    }
}

/// The module generated code names a type from.
#[derive(Clone, Copy)]
pub(crate) enum Scope {
    /// The `models` module of an API.
    Models(Api),
    /// A module beside it (`client`, `machines`, `limits`).
    Sibling(Api),
}

impl Scope {
    fn api(self) -> Api {
        match self {
            Scope::Models(a) | Scope::Sibling(a) => a,
        }
    }
}

/// How generated code reaches a field's value through its `Option`s.
#[derive(Clone, Copy)]
pub(crate) enum Access {
    /// `Option<&T>`.
    Ref,
    /// `Option<&mut T>`.
    Mut,
    /// `Option<T>`, moving the value out of its owner.
    Owned,
    /// `Option<T>`, cloning the value.
    Cloned,
}

/// A value wrapped in as many `Some`s as the field's [`option_depth`].
pub(crate) fn wrap_value(f: &Field, value: TokenStream) -> TokenStream {
    match option_depth(f) {
        0 => value,
        1 => quote!(Some(#value)),
        _ => quote!(Some(Some(#value))),
    }
}

/// How a type's values travel in XML text (attributes, element text) or as elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum XmlShape {
    /// Has a text form (`XmlText`): scalars and enums.
    Text,
    /// Is an element's content (`FromXml`/`ToXml`): object, map, array and text models.
    Element,
}

impl Context<'_> {
    /// `<owner>.<field>` as an `Option` of its value, reached as `how` says, whatever the
    /// field's [`option_depth`]: the one rule generated accessors follow.
    pub(crate) fn field_value(&self, owner: &TokenStream, f: &Field, how: Access) -> TokenStream {
        let n = self.field_ident(f);
        let depth = option_depth(f);
        match (how, depth) {
            (Access::Ref, 0) => quote!(Some(&#owner.#n)),
            (Access::Mut, 0) => quote!(Some(&mut #owner.#n)),
            (Access::Owned, 0) => quote!(Some(#owner.#n)),
            (Access::Cloned, 0) => quote!(Some(#owner.#n.clone())),
            (Access::Ref, 1) => quote!(#owner.#n.as_ref()),
            (Access::Mut, 1) => quote!(#owner.#n.as_mut()),
            (Access::Owned, 1) => quote!(#owner.#n),
            (Access::Cloned, 1) => quote!(#owner.#n.clone()),
            (Access::Ref, _) => quote!(#owner.#n.as_ref().and_then(Option::as_ref)),
            (Access::Mut, _) => quote!(#owner.#n.as_mut().and_then(Option::as_mut)),
            (Access::Owned, _) => quote!(#owner.#n.flatten()),
            (Access::Cloned, _) => quote!(#owner.#n.clone().flatten()),
        }
    }

    /// What `body` makes of the value of `<owner>.<field>` (reached as `how` says), or
    /// `default` when the field holds none; `default: None` makes the result an `Option`.
    /// `body` gets the value's expression; where the field has no `Option`, that is the
    /// place itself (`owner.field`, reached by method calls through auto-reference).
    pub(crate) fn with_field(
        &self,
        owner: &TokenStream,
        f: &Field,
        how: Access,
        default: Option<TokenStream>,
        body: impl Fn(TokenStream) -> TokenStream,
    ) -> TokenStream {
        if option_depth(f) == 0 {
            let n = self.field_ident(f);
            let v = body(match how {
                Access::Cloned => quote!(#owner.#n.clone()),
                _ => quote!(#owner.#n),
            });
            return if default.is_some() { v } else { quote!(Some(#v)) };
        }
        let opt = self.field_value(owner, f, how);
        let v = body(quote!(v));
        match default {
            Some(d) if d.is_empty() => quote!(if let Some(v) = #opt { #v; }),
            Some(d) => quote!(#opt.map_or(#d, |v| #v)),
            None => quote!(#opt.map(|v| #v)),
        }
    }

    /// Whether a scalar is held as a Rust `String`.
    pub(crate) fn is_string_scalar(s: Scalar) -> bool {
        matches!(
            s,
            Scalar::String
                | Scalar::DateTime
                | Scalar::Uuid
                | Scalar::Uri
                | Scalar::Ipv4
                | Scalar::Ipv6
                | Scalar::Ip
                | Scalar::Base64
        )
    }

    /// The Rust type of a scalar.
    pub(crate) fn scalar_type(s: Scalar) -> TokenStream {
        match s {
            Scalar::DateTime => quote!(::runtime::Timestamp),
            s if Self::is_string_scalar(s) => quote!(String),
            Scalar::Integer | Scalar::UnixTime => quote!(i64),
            Scalar::Number => quote!(f64),
            Scalar::Boolean => quote!(bool),
            Scalar::Secret => quote!(::runtime::Secret),
            Scalar::IntegerOrUuid => quote!(::runtime::IntegerOrUuid),
            Scalar::Any => quote!(::runtime::serde_json::Value),
            _ => quote!(String),
        }
    }

    /// The path of a model's type as seen from `scope`.
    pub(crate) fn type_path(&self, scope: Scope, id: &str) -> TokenStream {
        let name = format_ident!("{}", model_type(id));
        let from = scope.api();
        let api = self.schema.model(id).and_then(Model::api).unwrap_or(from);
        match scope {
            _ if api != from => {
                let m = self.api_mod(api);
                quote!(super::super::#m::models::#name)
            }
            Scope::Models(_) => quote!(#name),
            Scope::Sibling(_) => quote!(super::models::#name),
        }
    }

    /// The path of a model's type as seen from the models module of `from`.
    pub(crate) fn model_path(&self, from: Api, id: &str) -> TokenStream {
        self.type_path(Scope::Models(from), id)
    }

    /// The Rust type of a type expression, as seen from `scope`: the one mapping of
    /// schema types to Rust types.
    pub(crate) fn type_expr(&self, scope: Scope, ty: &TypeExpr) -> TokenStream {
        match ty {
            TypeExpr::Scalar(s) => Self::scalar_type(*s),
            TypeExpr::Model(id) | TypeExpr::Enum(id) => self.type_path(scope, id),
            TypeExpr::Array(inner) => {
                let t = self.type_expr(scope, inner);
                quote!(Vec<#t>)
            }
            TypeExpr::Map(inner) => {
                let t = self.type_expr(scope, inner);
                quote!(::std::collections::BTreeMap<String, #t>)
            }
        }
    }

    /// The Rust type of a type expression, as seen from the models module of `from`.
    pub(crate) fn rust_type(&self, from: Api, ty: &TypeExpr) -> TokenStream {
        self.type_expr(Scope::Models(from), ty)
    }

    fn shape(&self, ty: &TypeExpr) -> XmlShape {
        match ty {
            TypeExpr::Scalar(_) | TypeExpr::Enum(_) => XmlShape::Text,
            TypeExpr::Model(id) => match self.schema.model(id).map(|m| m.kind) {
                Some(ModelKind::Enum) => XmlShape::Text,
                _ => XmlShape::Element,
            },
            TypeExpr::Array(_) | TypeExpr::Map(_) => XmlShape::Element,
        }
    }

    /// The XML element name a model takes when nothing else names it.
    fn model_element<'m>(&'m self, ty: &TypeExpr) -> Option<&'m str> {
        match ty {
            TypeExpr::Model(id) => self.schema.model(id)?.xml.as_ref()?.element.as_deref(),
            _ => None,
        }
    }

    fn ns_expr(&self, prefix: Option<&str>) -> TokenStream {
        match prefix.and_then(|p| self.schema.namespace(p)) {
            Some(n) => {
                let c = format_ident!("{}", crate::names::screaming(&n.prefix));
                quote!(Some(super::super::ns::#c))
            }
            None => quote!(None),
        }
    }

    /// Generates the models module of one API.
    pub(crate) fn models_module(&self, api: Api) -> TokenStream {
        let items: Vec<TokenStream> = self
            .schema
            .models
            .iter()
            .filter(|m| m.api() == Some(api))
            .map(|m| self.model_item(api, m))
            .collect();
        let roundtrip = self.roundtrip_fns(api);
        quote! {
            /// Request and response bodies: JSON through serde, XML through `FromXml`/`ToXml`.
            #[allow(clippy::large_enum_variant, clippy::too_many_lines)]
            pub mod models {
                #[allow(unused_imports)]
                use ::runtime::xml::{FromXml, ToXml};
                #[allow(unused_imports)]
                use ::runtime::values::XmlText;
                #(#items)*
                #roundtrip
            }
        }
    }

    /// The body models of `api`: every model of this API that an operation (of any API)
    /// takes or returns as a body, or that a fault uses as its body, in schema order.
    fn body_models(&self, api: Api) -> Vec<&Model> {
        let s = self.schema;
        let used = |id: &str| {
            s.operations.iter().any(|o| {
                o.request.as_ref().is_some_and(|b| b.model == id)
                    || o.responses.iter().any(|r| r.model.as_deref() == Some(id))
            }) || s.faults.iter().any(|f| f.model.as_deref() == Some(id))
        };
        s.models
            .iter()
            .filter(|m| m.api() == Some(api) && m.kind != ModelKind::Enum && used(&m.id))
            .collect()
    }

    /// `roundtrip_json` and `roundtrip_xml`: decode a body into the type of a model id and
    /// encode it back, for the documented-example tests and for tools. JSON also covers
    /// the enums of the API (a JSON string).
    fn roundtrip_fns(&self, api: Api) -> TokenStream {
        let models = self.body_models(api);
        let enums = self.schema.models.iter().filter(|m| m.api() == Some(api) && m.kind == ModelKind::Enum);
        let json_arms = models.iter().copied().chain(enums).map(|m| {
            let id = &m.id;
            let t = format_ident!("{}", model_type(&m.id));
            quote!(#id => Some(json::<#t>(value)),)
        });
        // Models without an XML mapping (the identity bodies) have no XML form.
        // A union is written in the namespace of its documented (first) shape.
        let xml_of = |m: &Model| -> Option<Option<String>> {
            match m.kind {
                ModelKind::Union => {
                    let first = self.schema.model(&m.variants.first()?.model)?;
                    Some(first.xml.as_ref()?.ns.clone())
                }
                ModelKind::Text => Some(m.xml.as_ref().and_then(|x| x.ns.clone())),
                _ => Some(m.xml.as_ref()?.ns.clone()),
            }
        };
        let xml_arms = models.iter().filter_map(|m| Some((m, xml_of(m)?))).map(|(m, ns)| {
            let id = &m.id;
            let t = format_ident!("{}", model_type(&m.id));
            let ns = self.ns_expr(ns.as_deref());
            quote!(#id => Some(xml::<#t>(body, #ns, root_local)),)
        });
        quote! {
            /// Decodes a JSON body (without its wrapping key) into the type of the body model
            /// or enum `model_id` and encodes it back; `None` when `model_id` is neither a
            /// body model nor an enum of this API. Errors are the decoder's or encoder's message.
            #[allow(unused_variables, dead_code, clippy::match_single_binding)]
            pub fn roundtrip_json(model_id: &str, value: &::runtime::serde_json::Value) -> Option<Result<::runtime::serde_json::Value, String>> {
                fn json<T: ::runtime::serde::Serialize + ::runtime::serde::de::DeserializeOwned>(
                    value: &::runtime::serde_json::Value,
                ) -> Result<::runtime::serde_json::Value, String> {
                    let decoded: T = ::runtime::serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
                    ::runtime::serde_json::to_value(&decoded).map_err(|e| e.to_string())
                }
                match model_id {
                    #(#json_arms)*
                    _ => None,
                }
            }

            /// Decodes an XML document whose root is `root_local` in the namespace of the body
            /// model `model_id` (a fault body's root is the fault name) into the model's type,
            /// and writes it back as a document with the same root; `None` when `model_id` is
            /// not a body model of this API with an XML form.
            #[allow(unused_variables, dead_code, clippy::match_single_binding)]
            pub fn roundtrip_xml(model_id: &str, root_local: &str, body: &str) -> Option<Result<String, String>> {
                fn xml<T: FromXml + ToXml>(body: &str, ns: Option<&str>, local: &str) -> Result<String, String> {
                    let decoded: T = ::runtime::xml::decode_root(body, ns, local).map_err(|e| e.to_string())?;
                    Ok(::runtime::xml::encode_root(&decoded, ns, local, super::super::ns::PREFIXES))
                }
                match model_id {
                    #(#xml_arms)*
                    _ => None,
                }
            }
        }
    }

    fn model_item(&self, api: Api, m: &Model) -> TokenStream {
        let doc = crate::doc_lines(m.doc.as_deref(), &m.source, &m.errata);
        match m.kind {
            ModelKind::Object => self.object(api, m, doc),
            ModelKind::Enum => self.enumeration(m, doc),
            ModelKind::Map => self.map(api, m, doc),
            ModelKind::Array => self.array(api, m, doc),
            ModelKind::Text => self.text_model(api, m, doc),
            ModelKind::Union => self.union(api, m, doc),
        }
    }

    fn field_type(&self, api: Api, f: &Field) -> TokenStream {
        let t = self.rust_type(api, &f.ty);
        match option_depth(f) {
            0 => t,
            1 => quote!(Option<#t>),
            _ => quote!(Option<Option<#t>>),
        }
    }

    fn object(&self, api: Api, m: &Model, doc: TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        if m.fields.is_empty() {
            return quote! {
                #doc
                /// It has no fields: JSON sends it as `null` (or `{}`).
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
                #[non_exhaustive]
                pub struct #name;
                impl ::runtime::serde::Serialize for #name {
                    fn serialize<S: ::runtime::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        s.serialize_unit()
                    }
                }
                impl<'de> ::runtime::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        <::runtime::serde::de::IgnoredAny as ::runtime::serde::Deserialize>::deserialize(d).map(|_| #name)
                    }
                }
                impl ::runtime::lenient::LenientModel for #name {
                    fn lenient_model<'de, D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                        <::runtime::serde::de::IgnoredAny as ::runtime::serde::Deserialize>::deserialize(d).map(|_| Some(#name))
                    }
                }
                impl FromXml for #name {
                    fn from_xml(_el: &::runtime::xml::Element) -> Result<Self, ::runtime::DecodeError> {
                        Ok(#name)
                    }
                }
                impl ToXml for #name {
                    fn to_xml(&self, ns: Option<&str>, local: &str) -> ::runtime::xml::Element {
                        ::runtime::xml::Element::new(ns, local)
                    }
                }
            };
        }
        let mut fields = Vec::new();
        let mut decode = Vec::new();
        let mut encode_attrs = Vec::new();
        let mut encode_children = Vec::new();
        let mut json_reads = Vec::new();
        let mut ctor_params = Vec::new();
        let mut ctor_sets = Vec::new();
        let mut setters = Vec::new();
        for f in &m.fields {
            let fname = self.field_ident(f);
            let ty = self.field_type(api, f);
            let wire = &f.name;
            let fdoc = crate::field_doc(f);
            let rename = if fname == wire.as_str() { quote!() } else { quote!(rename = #wire,) };
            let serde_attr = if !f.json {
                quote!(#[serde(skip)])
            } else {
                // Serialization only: reading is the generated tolerant visitor below.
                let rest = match option_depth(f) {
                    0 => quote!(),
                    1 if f.required => quote!(),
                    1 => quote!(skip_serializing_if = "Option::is_none"),
                    _ => quote!(serialize_with = "::runtime::values::nullable::serialize", skip_serializing_if = "Option::is_none"),
                };
                if rename.is_empty() && rest.is_empty() {
                    quote!()
                } else {
                    quote!(#[serde(#rename #rest)])
                }
            };
            if f.json {
                let read = match option_depth(f) {
                    0 => quote!(out.#fname = ::runtime::lenient::next_value(&mut map)?.unwrap_or_default()),
                    2 => quote!(out.#fname = Some(::runtime::lenient::next_value(&mut map)?)),
                    _ => quote!(out.#fname = ::runtime::lenient::next_value(&mut map)?),
                };
                json_reads.push(quote!(#wire => #read,));
            }
            fields.push(quote! { #fdoc #serde_attr pub #fname: #ty, });
            let inner = self.rust_type(api, &f.ty);
            if option_depth(f) == 0 {
                ctor_params.push(quote!(#fname: impl Into<#inner>));
                ctor_sets.push(quote!(#fname: #fname.into(),));
            } else {
                let sdoc = format!(" Sets `{wire}`.");
                let value = wrap_value(f, quote!(value.into()));
                setters.push(quote! {
                    #[doc = #sdoc]
                    #[must_use]
                    pub fn #fname(mut self, value: impl Into<#inner>) -> Self {
                        self.#fname = #value;
                        self
                    }
                });
            }
            let (dec, enc, is_attr) = self.field_xml(api, f);
            decode.push(quote!(#fname: #dec,));
            if is_attr {
                encode_attrs.push(enc);
            } else {
                encode_children.push(enc);
            }
        }
        let ctor_doc = if ctor_params.is_empty() {
            " An empty body: every field is optional; add them with the setters.".to_string()
        } else {
            " A body with its required fields; add optional ones with the setters.".to_string()
        };
        let fill = if ctor_sets.len() == m.fields.len() { quote!() } else { quote!(..Default::default()) };
        let derive_eq = if self.has_float(m) { quote!() } else { quote!(Eq,) };
        let expecting = format!("an object ({})", m.id);
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, #derive_eq Default, ::runtime::serde::Serialize)]
            #[serde(crate = "::runtime::serde")]
            #[non_exhaustive]
            pub struct #name {
                #(#fields)*
            }
            impl<'de> ::runtime::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    <Self as ::runtime::lenient::LenientModel>::lenient_model(d).map(Option::unwrap_or_default)
                }
            }
            impl ::runtime::lenient::LenientModel for #name {
                fn lenient_model<'de, D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                    struct Fields;
                    impl<'de> ::runtime::serde::de::Visitor<'de> for Fields {
                        type Value = Option<#name>;
                        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                            f.write_str(#expecting)
                        }
                        fn visit_unit<E: ::runtime::serde::de::Error>(self) -> Result<Self::Value, E> {
                            Ok(None)
                        }
                        fn visit_str<E: ::runtime::serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                            ::runtime::lenient::blank(v, #expecting)
                        }
                        #[allow(unused_mut)]
                        fn visit_map<A: ::runtime::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                            let mut out = #name::default();
                            while let Some(key) = map.next_key::<::runtime::lenient::Key<'de>>()? {
                                match key.as_str() {
                                    #(#json_reads)*
                                    _ => ::runtime::lenient::skip_value(&mut map)?,
                                }
                            }
                            Ok(Some(out))
                        }
                    }
                    d.deserialize_any(Fields)
                }
            }
            impl #name {
                #[doc = #ctor_doc]
                pub fn new(#(#ctor_params),*) -> Self {
                    #name { #(#ctor_sets)* #fill }
                }
                #(#setters)*
            }
            impl FromXml for #name {
                #[allow(unused_variables)]
                fn from_xml(el: &::runtime::xml::Element) -> Result<Self, ::runtime::DecodeError> {
                    let ns = el.name.ns.as_deref();
                    Ok(#name { #(#decode)* })
                }
            }
            impl ToXml for #name {
                #[allow(unused_variables, unused_mut, clippy::let_and_return)]
                fn to_xml(&self, ns: Option<&str>, local: &str) -> ::runtime::xml::Element {
                    let mut el = ::runtime::xml::Element::new(ns, local);
                    #(#encode_attrs)*
                    #(#encode_children)*
                    el
                }
            }
        }
    }

    fn has_float(&self, m: &Model) -> bool {
        fn walk(c: &Context<'_>, ty: &TypeExpr, seen: &mut Vec<String>) -> bool {
            match ty {
                TypeExpr::Scalar(Scalar::Number | Scalar::Any) => true,
                TypeExpr::Scalar(_) => false,
                TypeExpr::Array(i) | TypeExpr::Map(i) => walk(c, i, seen),
                TypeExpr::Model(id) | TypeExpr::Enum(id) => {
                    if seen.contains(id) {
                        return false;
                    }
                    seen.push(id.clone());
                    match c.schema.model(id) {
                        Some(m) => {
                            m.fields.iter().any(|f| walk(c, &f.ty, seen))
                                || m.map_values().is_some_and(|t| walk(c, t, seen))
                                || m.items.as_ref().is_some_and(|t| walk(c, t, seen))
                                || m.text_type.as_ref().is_some_and(|t| walk(c, t, seen))
                        }
                        None => false,
                    }
                }
            }
        }
        walk(self, &TypeExpr::Model(m.id.clone()), &mut Vec::new())
    }

    /// Decode expression, encode statement, and whether the field is an attribute. The
    /// value is read from the field's mapping, else from each of its alternative mappings
    /// in turn (shapes readers accept); it is written in the primary mapping only.
    fn field_xml(&self, _api: Api, f: &Field) -> (TokenStream, TokenStream, bool) {
        let x: FieldXml = match &f.xml {
            Some(x) if !x.json_only => x.clone(),
            _ => {
                // No XML form: the field reads as absent (its default when required).
                let dec = if option_depth(f) == 0 { quote!(Default::default()) } else { quote!(None) };
                return (dec, quote!(), false);
            }
        };
        let mut read = self.xml_read(f, &x);
        for alt in x.alternatives.iter().filter(|a| !a.json_only) {
            let other = self.xml_read(f, alt);
            read = quote!(match #read { Some(v) => Some(v), None => #other });
        }
        // A missing required value reads as its default (the strict validator reports it).
        let dec = match option_depth(f) {
            0 => quote!((#read).unwrap_or_default()),
            2 => quote!((#read).map(Some)),
            _ => read,
        };
        let value_ref = self.field_value(&quote!(self), f, Access::Ref);
        let (enc, is_attr) = self.xml_write(f, &x, &value_ref);
        (dec, enc, is_attr)
    }

    /// The XML namespace expression of a mapping: its own, else the element's (`ns`).
    fn mapping_ns(&self, x: &FieldXml) -> TokenStream {
        match &x.ns {
            Some(p) => self.ns_expr(Some(p)),
            None => quote!(ns),
        }
    }

    /// The local name of a field's element (or of its items): the mapping's, else the
    /// element of the item model.
    fn item_local(&self, f: &Field, x: &FieldXml) -> String {
        let item_ty = match &f.ty {
            TypeExpr::Array(inner) => inner.as_ref(),
            t => t,
        };
        x.element.clone().or_else(|| self.model_element(item_ty).map(str::to_string)).unwrap_or_else(|| "item".into())
    }

    /// An expression reading a field through one mapping, as `Option<T>` (`None` when absent).
    /// What reading and writing a field through a mapping need: whether it is a list, how
    /// its items travel, the namespace of its elements and that of its attribute.
    fn mapping_parts(&self, f: &Field, x: &FieldXml) -> (bool, XmlShape, TokenStream, TokenStream) {
        let (is_array, item_ty) = match &f.ty {
            TypeExpr::Array(inner) => (true, inner.as_ref()),
            t => (false, t),
        };
        let attr_ns = match &x.ns {
            Some(p) => self.ns_expr(Some(p)),
            None => quote!(None),
        };
        (is_array, self.shape(item_ty), self.mapping_ns(x), attr_ns)
    }

    fn xml_read(&self, f: &Field, x: &FieldXml) -> TokenStream {
        let has_alternatives = f.xml.as_ref().is_some_and(|p| !p.alternatives.is_empty());
        let (is_array, shape, ns, ans) = self.mapping_parts(f, x);
        if let Some(a) = &x.attribute {
            return quote!(::runtime::xml::attr(el, #ans, #a)?);
        }
        if x.text {
            return quote!(if el.text.trim().is_empty() { None } else { Some(::runtime::xml::text(el)?) });
        }
        let item_local = self.item_local(f, x);
        let items = |parent: TokenStream| -> TokenStream {
            match (shape, &x.value_attribute) {
                (_, Some(a)) => quote!(::runtime::xml::children_attr(#parent, #ns, #item_local, #a)?),
                (XmlShape::Text, None) => quote!(::runtime::xml::children_text(#parent, #ns, #item_local)?),
                (XmlShape::Element, None) => quote!(::runtime::xml::children(#parent, #ns, #item_local)?),
            }
        };
        if let Some(w) = &x.wrapper {
            let list = items(quote!(w));
            // With other forms to try, a wrapper without items of this form is not a match.
            let found = if has_alternatives { quote!(Some(#list).filter(|v: &Vec<_>| !v.is_empty())) } else { quote!(Some(#list)) };
            return quote!(match ::runtime::xml::wrapper(el, #ns, #w) { Some(w) => #found, None => None });
        }
        if is_array {
            let list = items(quote!(el));
            return quote!({ let v = #list; if v.is_empty() { None } else { Some(v) } });
        }
        match (shape, &x.value_attribute) {
            (_, Some(a)) => quote!(::runtime::xml::children_attr(el, #ns, #item_local, #a)?.into_iter().next()),
            (XmlShape::Text, None) => quote!(::runtime::xml::child_text(el, #ns, #item_local)?),
            (XmlShape::Element, None) => quote!(::runtime::xml::child(el, #ns, #item_local)?),
        }
    }

    /// The statement writing a field in its primary mapping, and whether it is an attribute.
    fn xml_write(&self, f: &Field, x: &FieldXml, value_ref: &TokenStream) -> (TokenStream, bool) {
        let (is_array, shape, ns, ans) = self.mapping_parts(f, x);
        if let Some(a) = &x.attribute {
            return (quote! { if let Some(v) = #value_ref { ::runtime::xml::put_attr(&mut el, #ans, #a, v); } }, true);
        }
        if x.text {
            return (quote! { if let Some(v) = #value_ref { el.text = XmlText::to_text(v); } }, false);
        }
        let item_local = self.item_local(f, x);
        let write = |parent: TokenStream, v: TokenStream| -> TokenStream {
            match (shape, &x.value_attribute) {
                (_, Some(a)) => quote!(::runtime::xml::put_attr_child(#parent, #ns, #item_local, #a, #v);),
                (XmlShape::Text, None) => quote!(::runtime::xml::put_text(#parent, #ns, #item_local, #v);),
                (XmlShape::Element, None) => quote!(::runtime::xml::put_child(#parent, #ns, #item_local, #v);),
            }
        };
        if let Some(w) = &x.wrapper {
            let one = write(quote!(&mut wrapper), quote!(item));
            return (
                quote! {
                    if let Some(items) = #value_ref {
                        let mut wrapper = ::runtime::xml::Element::new(#ns, #w);
                        for item in items.iter() { #one }
                        el.children.push(wrapper);
                    }
                },
                false,
            );
        }
        if is_array {
            let one = write(quote!(&mut el), quote!(item));
            return (quote! { if let Some(items) = #value_ref { for item in items.iter() { #one } } }, false);
        }
        let one = write(quote!(&mut el), quote!(v));
        (quote! { if let Some(v) = #value_ref { #one } }, false)
    }

    fn enumeration(&self, m: &Model, doc: TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        let mut variants = Vec::new();
        let mut to_str = Vec::new();
        let mut from_str = Vec::new();
        let mut documented = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for v in m.enum_values() {
            documented.push(v.value.clone());
            if v.value.eq_ignore_ascii_case("unknown") {
                continue;
            }
            let mut vname = camel(&v.value);
            // Two spellings of one word ("build", "BUILD") keep distinct variants.
            while seen.contains(&vname) || vname == "Unknown" {
                vname.push('_');
            }
            seen.push(vname.clone());
            let vid = format_ident!("{}", vname);
            let value = &v.value;
            let vdoc = match &v.doc {
                Some(d) => quote!(#[doc = #d]),
                None => {
                    let d = format!("`{value}`.");
                    quote!(#[doc = #d])
                }
            };
            variants.push(quote!(#vdoc #vid,));
            to_str.push(quote!(#name::#vid => #value,));
            from_str.push(quote!(#value => #name::#vid,));
        }
        quote! {
            #doc
            ///
            /// Values the documents do not list (and `UNKNOWN`) are kept in `Unknown`, never an error.
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                /// A value the documents do not list, or `UNKNOWN`, as received.
                Unknown(String),
            }
            impl #name {
                /// Every value the documents list, as spelled on the wire.
                pub const DOCUMENTED: &'static [&'static str] = &[#(#documented),*];

                /// The value as spelled on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#to_str)*
                        #name::Unknown(s) => s.as_str(),
                    }
                }
            }
            impl From<&str> for #name {
                fn from(s: &str) -> Self {
                    match s {
                        #(#from_str)*
                        other => #name::Unknown(other.to_string()),
                    }
                }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
            impl ::runtime::serde::Serialize for #name {
                fn serialize<S: ::runtime::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.as_str())
                }
            }
            impl<'de> ::runtime::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    <Self as ::runtime::lenient::LenientModel>::lenient_model(d).map(Option::unwrap_or_default)
                }
            }
            /// An absent value: `Unknown("")`.
            impl Default for #name {
                fn default() -> Self {
                    #name::Unknown(String::new())
                }
            }
            impl ::runtime::lenient::LenientModel for #name {
                fn lenient_model<'de, D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                    Ok(::runtime::lenient::enum_text(d)?.map(|s| #name::from(s.as_str())))
                }
            }
            impl XmlText for #name {
                fn from_text(text: &str) -> Result<Self, String> {
                    Ok(#name::from(text))
                }
                fn to_text(&self) -> String {
                    self.as_str().to_string()
                }
            }
        }
    }

    fn map(&self, api: Api, m: &Model, doc: TokenStream) -> TokenStream {
        let Some(values) = m.map_values() else { return quote!() };
        let vt = self.rust_type(api, values);
        let vt = if m.nullable_values { quote!(Option<#vt>) } else { vt };
        let x = m.xml.clone().unwrap_or_default();
        let key = x.key.clone().unwrap_or_else(|| "key".into());
        let entry = match &x.entry {
            Some(e) => quote!(Some(#e)),
            None => quote!(None),
        };
        let (dec, enc) = match values {
            TypeExpr::Array(inner) => {
                let item = self.model_element(inner).unwrap_or("item").to_string();
                (
                    quote!(::runtime::xml::map_lists(el, ns, #entry, #key, #item)?),
                    quote!(::runtime::xml::put_map_lists(&mut el, ns, #entry, #key, #item, &self.0);),
                )
            }
            t if self.shape(t) == XmlShape::Text => {
                let va = match &x.value_attribute {
                    Some(a) => quote!(Some(#a)),
                    None => quote!(None),
                };
                (
                    quote!(::runtime::xml::map_text(el, ns, #entry, #key, #va)?),
                    quote!(::runtime::xml::put_map_text(&mut el, ns, #entry, #key, #va, &self.0);),
                )
            }
            _ => (
                quote!(::runtime::xml::map_models(el, ns, #entry, #key)?),
                quote!(::runtime::xml::put_map_models(&mut el, ns, #entry, #key, &self.0);),
            ),
        };
        self.newtype(m, doc, quote!(::std::collections::BTreeMap<String, #vt>), dec, enc)
    }

    fn array(&self, api: Api, m: &Model, doc: TokenStream) -> TokenStream {
        let Some(items) = &m.items else { return quote!() };
        let it = self.rust_type(api, items);
        let item_xml = m.xml.as_ref().and_then(|x| x.item.as_ref());
        let local: String = item_xml
            .and_then(|i| i.element.clone())
            .or_else(|| self.model_element(items).map(str::to_string))
            .unwrap_or_else(|| "item".into());
        let (dec, enc) = match (self.shape(items), item_xml.and_then(|i| i.value_attribute.clone())) {
            (_, Some(a)) => (
                quote!(::runtime::xml::children_attr(el, ns, #local, #a)?),
                quote!(::runtime::xml::put_attr_child(&mut el, ns, #local, #a, item);),
            ),
            (XmlShape::Text, None) => (
                quote!(::runtime::xml::children_text(el, ns, #local)?),
                quote!(::runtime::xml::put_text(&mut el, ns, #local, item);),
            ),
            (XmlShape::Element, None) => (
                quote!(::runtime::xml::children(el, ns, #local)?),
                quote!(::runtime::xml::put_child(&mut el, ns, #local, item);),
            ),
        };
        self.newtype(m, doc, quote!(Vec<#it>), dec, quote!(for item in self.0.iter() { #enc }))
    }

    /// A one-field wrapper (map, array or text model) that travels as its inner value in
    /// JSON, read tolerantly.
    fn transparent_wrapper(&self, m: &Model, doc: TokenStream, inner: &TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        let derive_eq = if self.has_float(m) { quote!() } else { quote!(Eq,) };
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, #derive_eq Default, ::runtime::serde::Serialize)]
            #[serde(crate = "::runtime::serde", transparent)]
            pub struct #name(pub #inner);
            impl<'de> ::runtime::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    ::runtime::lenient::Lenient::lenient(d).map(|v| #name(v.unwrap_or_default()))
                }
            }
            impl ::runtime::lenient::LenientModel for #name {
                fn lenient_model<'de, D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                    ::runtime::lenient::Lenient::lenient(d).map(|v| v.map(#name))
                }
            }
        }
    }

    /// A map or array model: a transparent newtype whose XML content `dec` reads and
    /// `enc` writes (into `el`).
    fn newtype(&self, m: &Model, doc: TokenStream, inner: TokenStream, dec: TokenStream, enc: TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        let wrapper = self.transparent_wrapper(m, doc, &inner);
        quote! {
            #wrapper
            impl FromXml for #name {
                fn from_xml(el: &::runtime::xml::Element) -> Result<Self, ::runtime::DecodeError> {
                    let ns = el.name.ns.as_deref();
                    Ok(#name(#dec))
                }
            }
            impl ToXml for #name {
                fn to_xml(&self, ns: Option<&str>, local: &str) -> ::runtime::xml::Element {
                    let mut el = ::runtime::xml::Element::new(ns, local);
                    #enc
                    el
                }
            }
        }
    }

    /// A body accepted in several shapes: an enum with a variant per shape, read by trying
    /// each in order (a wrapped shape when its key is present), written back as it came.
    fn union(&self, api: Api, m: &Model, doc: TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        let mut variants = Vec::new();
        let mut json_tries = Vec::new();
        let mut json_writes = Vec::new();
        let mut xml_tries = Vec::new();
        let mut xml_writes = Vec::new();
        for v in &m.variants {
            let vname = format_ident!("{}", model_type(&v.model));
            let ty = self.model_path(api, &v.model);
            let vdoc = match &v.doc {
                Some(d) => format!(" {d}"),
                None => format!(" The shape of `{}`.", v.model),
            };
            variants.push(quote!(#[doc = #vdoc] #vname(#ty),));
            json_tries.push(match &v.wrap {
                Some(w) => quote! {
                    if let Some(inner) = value.get(#w) {
                        if let Ok(x) = ::runtime::serde_json::from_value::<#ty>(inner.clone()) {
                            return Ok(#name::#vname(x));
                        }
                    }
                },
                None => quote! {
                    if let Ok(x) = ::runtime::serde_json::from_value::<#ty>(value.clone()) {
                        return Ok(#name::#vname(x));
                    }
                },
            });
            json_writes.push(match &v.wrap {
                Some(w) => quote! {
                    #name::#vname(x) => {
                        let mut m = ::runtime::serde::Serializer::serialize_map(s, Some(1))?;
                        ::runtime::serde::ser::SerializeMap::serialize_entry(&mut m, #w, x)?;
                        ::runtime::serde::ser::SerializeMap::end(m)
                    }
                },
                None => quote!(#name::#vname(x) => ::runtime::serde::Serialize::serialize(x, s),),
            });
            let element = self.model_element(&TypeExpr::Model(v.model.clone())).unwrap_or_default().to_string();
            xml_tries.push(quote! {
                if el.name.local == #element {
                    return Ok(#name::#vname(<#ty as FromXml>::from_xml(el)?));
                }
            });
            xml_writes.push(quote!(#name::#vname(x) => x.to_xml(ns, local),));
        }
        let Some(first) = m.variants.first() else { return quote!() };
        let first_v = format_ident!("{}", model_type(&first.model));
        let first_ty = self.model_path(api, &first.model);
        let expected = m.variants.iter().map(|v| v.model.as_str()).collect::<Vec<_>>().join(", ");
        let derive_eq = if self.has_float(m) { quote!() } else { quote!(Eq,) };
        quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, #derive_eq)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
            }
            impl Default for #name {
                fn default() -> Self {
                    #name::#first_v(Default::default())
                }
            }
            impl ::runtime::lenient::LenientModel for #name {
                fn lenient_model<'de, D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Option<Self>, D::Error> {
                    match <Option<::runtime::serde_json::Value> as ::runtime::serde::Deserialize>::deserialize(d)? {
                        None => Ok(None),
                        Some(v) => <Self as ::runtime::serde::Deserialize>::deserialize(v).map(Some).map_err(<D::Error as ::runtime::serde::de::Error>::custom),
                    }
                }
            }
            impl ::runtime::serde::Serialize for #name {
                fn serialize<S: ::runtime::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#json_writes)*
                    }
                }
            }
            impl<'de> ::runtime::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let value = <::runtime::serde_json::Value as ::runtime::serde::Deserialize>::deserialize(d)?;
                    #(#json_tries)*
                    Err(<D::Error as ::runtime::serde::de::Error>::custom(concat!("the body has none of the shapes ", #expected)))
                }
            }
            impl FromXml for #name {
                fn from_xml(el: &::runtime::xml::Element) -> Result<Self, ::runtime::DecodeError> {
                    #(#xml_tries)*
                    Ok(#name::#first_v(<#first_ty as FromXml>::from_xml(el)?))
                }
            }
            impl ToXml for #name {
                fn to_xml(&self, ns: Option<&str>, local: &str) -> ::runtime::xml::Element {
                    match self {
                        #(#xml_writes)*
                    }
                }
            }
        }
    }

    fn text_model(&self, api: Api, m: &Model, doc: TokenStream) -> TokenStream {
        let name = format_ident!("{}", model_type(&m.id));
        let t = m.text_type.as_ref().map_or(quote!(String), |t| self.rust_type(api, t));
        let wrapper = self.transparent_wrapper(m, doc, &t);
        quote! {
            #wrapper
            impl #name {
                /// Reads the plain-text body.
                pub fn from_text_body(body: &str) -> Result<Self, ::runtime::DecodeError> {
                    XmlText::from_text(body.trim()).map(#name).map_err(::runtime::DecodeError::Json)
                }
                /// Writes the plain-text body.
                pub fn to_text_body(&self) -> String {
                    XmlText::to_text(&self.0)
                }
            }
            impl FromXml for #name {
                fn from_xml(el: &::runtime::xml::Element) -> Result<Self, ::runtime::DecodeError> {
                    Ok(#name(::runtime::xml::text(el)?))
                }
            }
            impl ToXml for #name {
                fn to_xml(&self, ns: Option<&str>, local: &str) -> ::runtime::xml::Element {
                    let mut el = ::runtime::xml::Element::new(ns, local);
                    el.text = XmlText::to_text(&self.0);
                    el
                }
            }
        }
    }
}
