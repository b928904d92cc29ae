//! The shapes of request and response bodies, and the strict validator over them.
//!
//! A [`Model`] says what a body may hold: fields with their types, which are required or
//! nullable, documented enumeration values, and how each field travels in XML. The
//! schema crate builds models from its data files (borrowing its strings), and generated
//! code holds the same models as `static` tables, so both judge a body by one set of
//! rules: [`validate_json`] and [`validate_xml`] report every departure as a [`Finding`]
//! with a path. Readers stay tolerant; findings are for those who ask for them
//! (conformance checks, a provider judging requests, `cloudservers-schema check` on examples).
//!
//! The same holds for state machines ([`machines`]) and limits ([`limits`]): one table
//! form that the schema projects its loaded items into and generated code holds as
//! `static` data, with the rules on it implemented once.

mod format;
pub mod limits;
pub mod machines;
pub mod operations;
mod scalars;
pub mod time;
mod validate;

pub use format::Format;
pub use scalars::{check_text, Scalar};
pub use time::{parse_datetime, DateTimeError};
pub use validate::{validate_json, validate_xml, validate_xml_root, Finding, FindingKind};
use std::borrow::Cow;

/// A borrowed string in a `static` table (`s("id")`), for generated code.
pub const fn s(text: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(text)
}

/// The value at a field path of a JSON document (JSON names joined by `.`, `image.id`),
/// as the schema's conditions and filters name fields.
pub fn value_at<'v>(doc: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.').try_fold(doc, |v, name| v.get(name))
}

/// The containers between a field and its base type, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Container {
    /// A JSON array (in XML: one element per item).
    Array,
    /// A JSON object with free string keys.
    Map,
}

/// What a type finally holds, inside its containers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base<'a> {
    /// A scalar value.
    Scalar(Scalar),
    /// A model (object, map, array, enum, text or union) by id.
    Model(Cow<'a, str>),
}

/// A value type: a base type inside zero or more containers (`array of map of X`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Type<'a> {
    /// Containers, outermost first.
    pub containers: Cow<'a, [Container]>,
    /// The innermost type.
    pub base: Base<'a>,
}

impl<'a> Type<'a> {
    /// A scalar type.
    pub const fn scalar(s: Scalar) -> Self {
        Type { containers: Cow::Borrowed(&[]), base: Base::Scalar(s) }
    }

    /// The same type without its outermost container.
    pub fn inner(&self) -> Option<(Container, Type<'a>)> {
        let (first, rest) = self.containers.split_first()?;
        Some((*first, Type { containers: Cow::Owned(rest.to_vec()), base: self.base.clone() }))
    }
}

/// An XML name: a namespace URI (none for unqualified) and a local name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlName<'a> {
    /// The namespace URI.
    pub ns: Option<Cow<'a, str>>,
    /// The local name.
    pub local: Cow<'a, str>,
}

/// Where a field lives in XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldXml<'a> {
    /// No XML form.
    None,
    /// An attribute (`ns`: `None` for unqualified).
    Attribute {
        /// The attribute's namespace URI.
        ns: Option<Cow<'a, str>>,
        /// Its local name.
        local: Cow<'a, str>,
    },
    /// A child element (one per item for arrays); `ns: None` means the parent's namespace.
    Element {
        /// The element's namespace URI, when it differs from the parent's.
        ns: Option<Cow<'a, str>>,
        /// Its local name.
        local: Cow<'a, str>,
        /// The attribute of the element that holds a scalar value, instead of its text.
        value_attribute: Option<Cow<'a, str>>,
    },
    /// Array items inside a wrapper element.
    Wrapper {
        /// The wrapper's namespace URI, when it differs from the parent's.
        ns: Option<Cow<'a, str>>,
        /// The wrapper's local name.
        local: Cow<'a, str>,
        /// The items' local name (any, when `None`).
        item: Option<Cow<'a, str>>,
        /// The attribute of each item that holds a scalar value.
        value_attribute: Option<Cow<'a, str>>,
    },
    /// The element's own text.
    Text,
}

/// One field of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The JSON key, exactly as on the wire.
    pub name: Cow<'a, str>,
    /// The value type.
    pub ty: Type<'a>,
    /// Present in every documented body.
    pub required: bool,
    /// JSON `null` is documented.
    pub nullable: bool,
    /// The field has a JSON form.
    pub json: bool,
    /// Its XML form.
    pub xml: FieldXml<'a>,
    /// Other XML forms a reader accepts for the same value.
    pub alternatives: Cow<'a, [FieldXml<'a>]>,
}

impl<'a> Field<'a> {
    /// Every XML form of the field: its own, then the alternatives.
    pub fn xml_forms(&self) -> impl Iterator<Item = &FieldXml<'a>> {
        std::iter::once(&self.xml).chain(self.alternatives.iter())
    }
}

/// One shape a union accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant<'a> {
    /// The model of this shape.
    pub model: Cow<'a, str>,
    /// The JSON key that wraps it, if any.
    pub wrap: Option<Cow<'a, str>>,
}

/// What a model is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind<'a> {
    /// An object with named fields.
    Object {
        /// Its fields.
        fields: Cow<'a, [Field<'a>]>,
    },
    /// Free string keys to values of one type.
    Map {
        /// The value type.
        values: Type<'a>,
        /// Values may be `null`.
        nullable_values: bool,
        /// XML: the element of one entry (the model's element itself when `None`).
        entry: Option<Cow<'a, str>>,
        /// XML: the attribute holding the key.
        key: Cow<'a, str>,
        /// XML: the attribute holding a scalar value, instead of the entry's text.
        value_attribute: Option<Cow<'a, str>>,
    },
    /// A list of items.
    Array {
        /// The item type.
        items: Type<'a>,
        /// XML: the element of one item (any, when `None`).
        item: Option<Cow<'a, str>>,
        /// XML: the attribute of each item that holds a scalar value.
        value_attribute: Option<Cow<'a, str>>,
    },
    /// One of the documented strings.
    Enum {
        /// The documented values.
        values: Cow<'a, [Cow<'a, str>]>,
    },
    /// A plain-text value.
    Text {
        /// The value type.
        ty: Type<'a>,
    },
    /// A body accepted in any of several shapes; the first is the documented one.
    Union {
        /// The shapes.
        variants: Cow<'a, [Variant<'a>]>,
    },
}

/// A body model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model<'a> {
    /// The schema id (`v2.Server`).
    pub id: Cow<'a, str>,
    /// What it is.
    pub kind: Kind<'a>,
    /// The element that represents it in XML, if it has an XML form (an empty local
    /// name when only the namespace is fixed: a fault body's root is the fault's name).
    pub element: Option<XmlName<'a>>,
}

/// Looks models up by id: the schema's models, or the generated tables.
pub trait Catalog<'a> {
    /// The model with this id.
    fn model(&self, id: &str) -> Option<&Model<'a>>;
}

/// A catalog over generated `static` tables, each sorted by id.
#[derive(Debug, Clone, Copy)]
pub struct Tables(pub &'static [&'static [Model<'static>]]);

impl Catalog<'static> for Tables {
    fn model(&self, id: &str) -> Option<&Model<'static>> {
        let tables: &'static [&'static [Model<'static>]] = self.0;
        for table in tables {
            if let Ok(i) = table.binary_search_by(|m| m.id.as_ref().cmp(id)) {
                let found: &'static Model<'static> = &table[i];
                return Some(found);
            }
        }
        None
    }
}

impl<'a, C: Catalog<'a> + ?Sized> Catalog<'a> for &C {
    fn model(&self, id: &str) -> Option<&Model<'a>> {
        (**self).model(id)
    }
}

/// Constructors for `static` shape tables, so generated tables stay short:
/// `field("id", scalar(S::Uuid), REQUIRED | JSON, attr(None, "id"), &[])`. Slices of
/// constructed values (an object's fields) are written as literals' fields, where a
/// `static` keeps them.
pub mod build {
    use super::{Base, Container, Field, FieldXml, Kind, Scalar, Type, Variant, XmlName};
    use std::borrow::Cow;

    /// [`Field::required`].
    pub const REQUIRED: u8 = 1;
    /// [`Field::nullable`].
    pub const NULLABLE: u8 = 2;
    /// [`Field::json`].
    pub const JSON: u8 = 4;

    const fn text(t: Option<&'static str>) -> Option<Cow<'static, str>> {
        match t {
            Some(t) => Some(Cow::Borrowed(t)),
            None => None,
        }
    }

    /// A scalar type.
    pub const fn scalar(s: Scalar) -> Type<'static> {
        Type { containers: Cow::Borrowed(&[]), base: Base::Scalar(s) }
    }

    /// A model type by id.
    pub const fn model(id: &'static str) -> Type<'static> {
        Type { containers: Cow::Borrowed(&[]), base: Base::Model(Cow::Borrowed(id)) }
    }

    /// A scalar inside containers, outermost first.
    pub const fn scalars(containers: &'static [Container], s: Scalar) -> Type<'static> {
        Type { containers: Cow::Borrowed(containers), base: Base::Scalar(s) }
    }

    /// A model inside containers, outermost first.
    pub const fn models(containers: &'static [Container], id: &'static str) -> Type<'static> {
        Type { containers: Cow::Borrowed(containers), base: Base::Model(Cow::Borrowed(id)) }
    }

    /// A field; `flags` combines [`REQUIRED`], [`NULLABLE`] and [`JSON`].
    pub const fn field(
        name: &'static str,
        ty: Type<'static>,
        flags: u8,
        xml: FieldXml<'static>,
        alternatives: &'static [FieldXml<'static>],
    ) -> Field<'static> {
        Field {
            name: Cow::Borrowed(name),
            ty,
            required: flags & REQUIRED != 0,
            nullable: flags & NULLABLE != 0,
            json: flags & JSON != 0,
            xml,
            alternatives: Cow::Borrowed(alternatives),
        }
    }

    /// An attribute.
    pub const fn attr(ns: Option<&'static str>, local: &'static str) -> FieldXml<'static> {
        FieldXml::Attribute { ns: text(ns), local: Cow::Borrowed(local) }
    }

    /// A child element.
    pub const fn elem(ns: Option<&'static str>, local: &'static str, value_attribute: Option<&'static str>) -> FieldXml<'static> {
        FieldXml::Element { ns: text(ns), local: Cow::Borrowed(local), value_attribute: text(value_attribute) }
    }

    /// Items inside a wrapper element.
    pub const fn wrapper(
        ns: Option<&'static str>,
        local: &'static str,
        item: Option<&'static str>,
        value_attribute: Option<&'static str>,
    ) -> FieldXml<'static> {
        FieldXml::Wrapper { ns: text(ns), local: Cow::Borrowed(local), item: text(item), value_attribute: text(value_attribute) }
    }

    /// A model's XML element.
    pub const fn element(ns: Option<&'static str>, local: &'static str) -> Option<XmlName<'static>> {
        Some(XmlName { ns: text(ns), local: Cow::Borrowed(local) })
    }

    /// A map's kind.
    pub const fn map(
        values: Type<'static>,
        nullable_values: bool,
        entry: Option<&'static str>,
        key: &'static str,
        value_attribute: Option<&'static str>,
    ) -> Kind<'static> {
        Kind::Map { values, nullable_values, entry: text(entry), key: Cow::Borrowed(key), value_attribute: text(value_attribute) }
    }

    /// A list's kind.
    pub const fn list(items: Type<'static>, item: Option<&'static str>, value_attribute: Option<&'static str>) -> Kind<'static> {
        Kind::Array { items, item: text(item), value_attribute: text(value_attribute) }
    }

    /// A plain-text value's kind.
    pub const fn text_value(ty: Type<'static>) -> Kind<'static> {
        Kind::Text { ty }
    }

    /// A union's shape.
    pub const fn variant(model: &'static str, wrap: Option<&'static str>) -> Variant<'static> {
        Variant { model: Cow::Borrowed(model), wrap: text(wrap) }
    }
}
