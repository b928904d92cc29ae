//! The schema's models as [`shapes`] models: what the strict validator judges bodies by.
//!
//! This is the one mapping from the data files' models to shapes: `cloudservers-schema check` judges
//! the documented examples with it, and codegen writes the same shapes into generated
//! code as `static` tables, so a server's body and a documented example meet one rule set.

use crate::examples::{Example, ExampleFormat};
use crate::models::{FieldXml, Model, ModelKind, TypeExpr};
use crate::Schema;
use shapes::{Base, Catalog, Container, Field, Kind, Type, XmlName};
use std::borrow::Cow;
use std::collections::HashMap;

/// Every model of a schema as a shape, by id.
#[derive(Debug, Clone)]
pub struct ShapeCatalog<'s> {
    models: HashMap<&'s str, shapes::Model<'s>>,
}

impl<'s> Catalog<'s> for ShapeCatalog<'s> {
    fn model(&self, id: &str) -> Option<&shapes::Model<'s>> {
        self.models.get(id)
    }
}

impl<'s> ShapeCatalog<'s> {
    /// The shapes of every model of `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        let models = schema.models.iter().map(|m| (m.id.as_str(), shape_of(schema, m))).collect();
        ShapeCatalog { models }
    }

    /// The strict validator's findings on a JSON or XML example's body, against the body
    /// [`Schema::example_body`] gives it; `None` for other formats, exchanges, bodies
    /// without a model, or XML that does not parse.
    pub fn example_findings(&self, schema: &Schema, e: &Example) -> Option<Vec<shapes::Finding>> {
        let body = schema.example_body(e)?;
        let model = body.model.id.as_str();
        match e.format {
            ExampleFormat::Json => {
                let value = e.body.as_ref()?;
                match &body.wrap {
                    Some(w) => Some(shapes::validate_json(self, model, value.get(w)?, &format!("/{w}"))),
                    None => Some(shapes::validate_json(self, model, value, "")),
                }
            }
            ExampleFormat::Xml => {
                let el = xml_dom::parse(e.body_text()?).ok()?;
                let root = body.fault.map(|f| f.name.as_str());
                Some(shapes::validate_xml_root(self, model, root, &el))
            }
            _ => None,
        }
    }
}

/// A schema type expression as a shape type.
pub fn type_of(ty: &TypeExpr) -> Type<'_> {
    let mut containers = Vec::new();
    let mut t = ty;
    loop {
        match t {
            TypeExpr::Array(inner) => {
                containers.push(Container::Array);
                t = inner;
            }
            TypeExpr::Map(inner) => {
                containers.push(Container::Map);
                t = inner;
            }
            TypeExpr::Scalar(s) => return Type { containers: containers.into(), base: Base::Scalar(*s) },
            TypeExpr::Model(id) | TypeExpr::Enum(id) => {
                return Type { containers: containers.into(), base: Base::Model(Cow::Borrowed(id)) }
            }
        }
    }
}

fn ns_uri<'s>(schema: &'s Schema, prefix: Option<&'s str>) -> Option<Cow<'s, str>> {
    prefix.map(|p| match schema.namespace(p) {
        Some(n) => Cow::Borrowed(n.uri.as_str()),
        None => Cow::Owned(format!("urn:unknown-prefix:{p}")),
    })
}

fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

/// The element a model's type names (for a field mapped to an element without a name).
fn element_of<'s>(schema: &'s Schema, ty: &'s TypeExpr) -> Option<&'s str> {
    let item = match ty {
        TypeExpr::Array(inner) => inner,
        t => t,
    };
    match item {
        TypeExpr::Model(id) => schema.model(id)?.xml.as_ref()?.element.as_deref(),
        _ => None,
    }
}

fn field_xml<'s>(schema: &'s Schema, x: Option<&'s FieldXml>, ty: &'s TypeExpr) -> shapes::FieldXml<'s> {
    let Some(x) = x.filter(|x| !x.json_only) else { return shapes::FieldXml::None };
    let ns = ns_uri(schema, x.ns.as_deref());
    if let Some(a) = &x.attribute {
        return shapes::FieldXml::Attribute { ns, local: b(a) };
    }
    if x.text {
        return shapes::FieldXml::Text;
    }
    let value_attribute = x.value_attribute.as_deref().map(b);
    if let Some(w) = &x.wrapper {
        return shapes::FieldXml::Wrapper { ns, local: b(w), item: x.element.as_deref().map(b), value_attribute };
    }
    match x.element.as_deref().or_else(|| element_of(schema, ty)) {
        Some(local) => shapes::FieldXml::Element { ns, local: b(local), value_attribute },
        None => shapes::FieldXml::None,
    }
}

/// One schema model as a shape.
pub fn shape_of<'s>(schema: &'s Schema, m: &'s Model) -> shapes::Model<'s> {
    let xml = m.xml.as_ref();
    let kind = match m.kind {
        ModelKind::Object => Kind::Object {
            fields: m
                .fields
                .iter()
                .map(|f| Field {
                    name: b(&f.name),
                    ty: type_of(&f.ty),
                    required: f.required,
                    nullable: f.nullable,
                    json: f.json,
                    xml: field_xml(schema, f.xml.as_ref(), &f.ty),
                    alternatives: f
                        .xml
                        .iter()
                        .flat_map(|x| &x.alternatives)
                        .map(|a| field_xml(schema, Some(a), &f.ty))
                        .filter(|a| *a != shapes::FieldXml::None)
                        .collect(),
                })
                .collect(),
        },
        ModelKind::Map => Kind::Map {
            values: m.map_values().map_or(Type::scalar(shapes::Scalar::Any), type_of),
            nullable_values: m.nullable_values,
            entry: xml.and_then(|x| x.entry.as_deref()).map(b),
            key: b(xml.and_then(|x| x.key.as_deref()).unwrap_or("key")),
            value_attribute: xml.and_then(|x| x.value_attribute.as_deref()).map(b),
        },
        ModelKind::Array => {
            let item = xml.and_then(|x| x.item.as_deref());
            Kind::Array {
                items: m.items.as_ref().map_or(Type::scalar(shapes::Scalar::Any), type_of),
                item: item.and_then(|i| i.element.as_deref()).map(b),
                value_attribute: item.and_then(|i| i.value_attribute.as_deref()).map(b),
            }
        }
        ModelKind::Enum => Kind::Enum { values: m.enum_values().iter().map(|v| b(&v.value)).collect() },
        ModelKind::Text => Kind::Text { ty: m.text_type.as_ref().map_or(Type::scalar(shapes::Scalar::String), type_of) },
        ModelKind::Union => Kind::Union {
            variants: m.variants.iter().map(|v| shapes::Variant { model: b(&v.model), wrap: v.wrap.as_deref().map(b) }).collect(),
        },
    };
    // A model with a namespace but no element of its own (a fault body, named by its
    // fault) keeps the namespace with an empty local name.
    let element = xml.filter(|x| x.element.is_some() || x.ns.is_some()).map(|x| XmlName {
        ns: ns_uri(schema, x.ns.as_deref()),
        local: b(x.element.as_deref().unwrap_or("")),
    });
    shapes::Model { id: b(&m.id), kind, element }
}

/// An operation of the schema as a [`shapes::operations::Operation`]: the one mapping
/// from the data files' operations to the tables servers and suites route and judge by.
pub fn operation_of(op: &crate::Operation) -> shapes::operations::Operation<'_> {
    use shapes::operations as so;
    fn param(p: &crate::operations::Param) -> so::Param<'_> {
        so::Param { name: Cow::Borrowed(&p.name), ty: type_of(&p.ty), required: p.required, selects_format: p.selects_format, filter: p.filter.clone() }
    }
    let body = |b: crate::operations::Body| -> so::Body<'static> {
        so::Body { model: Cow::Owned(b.model), wrap: b.wrap.map(Cow::Owned), formats: Cow::Owned(b.formats), default_format: b.default_format }
    };
    so::Operation {
        id: Cow::Borrowed(&op.id),
        method: Cow::Owned(op.method.to_ascii_uppercase()),
        path: Cow::Borrowed(&op.path),
        base: op.base,
        action: op.action.as_deref().map(Cow::Borrowed),
        auth: op.auth,
        path_params: op.path_params.iter().map(param).collect(),
        query: op.query.iter().map(param).collect(),
        request_headers: op
            .request_headers
            .iter()
            .map(|h| so::Header { name: Cow::Borrowed(&h.name), required: h.required, secret: h.secret })
            .collect(),
        request: op.request.clone().map(body),
        responses: op
            .responses
            .iter()
            .map(|r| so::Response {
                status: r.status,
                body: r.body().map(body),
                headers: r.headers.iter().map(|h| Cow::Borrowed(h.name.as_str())).collect(),
            })
            .collect(),
        faults: op.faults.iter().map(|f| so::FaultRef { fault: Cow::Borrowed(&f.fault), codes: Cow::Borrowed(&f.codes) }).collect(),
        limits: op.limits.iter().map(|l| Cow::Borrowed(l.as_str())).collect(),
        source: Cow::Owned(op.source.to_string()),
    }
}
