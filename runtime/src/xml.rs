//! XML decoding and encoding helpers that generated `FromXml`/`ToXml` impls call.
//!
//! Decoding walks an [`Element`] tree: attributes and children are looked up by
//! namespace and local name, so prefixes never matter and unknown attributes or
//! elements (extensions a client does not know) are ignored. Reading is tolerant: an
//! attribute or element found only in another namespace is read by its local name, a
//! blank number is absent, and a missing required value is its type's default.

use crate::values::XmlText;
use crate::DecodeError;
use std::collections::BTreeMap;
pub use xml_dom::{parse, Element, Name, XmlError};

/// A model that can be read from the content of an element.
pub trait FromXml: Sized {
    /// Reads the model from `el` (whose name the caller has matched).
    fn from_xml(el: &Element) -> Result<Self, DecodeError>;
}

/// A model that can be written as an element.
pub trait ToXml {
    /// Writes the model as an element named `local` in namespace `ns`.
    fn to_xml(&self, ns: Option<&str>, local: &str) -> Element;
}

fn value_err(el: &Element, message: String) -> DecodeError {
    DecodeError::Value { element: el.name.local.clone(), message, line: el.line }
}

/// Fails with a clear error when a required value is absent.
pub fn required<T>(v: Option<T>, el: &Element, what: &str) -> Result<T, DecodeError> {
    v.ok_or_else(|| DecodeError::Missing { element: el.name.local.clone(), what: what.to_string(), line: el.line })
}

/// The attribute named `local` in namespace `ns`, else (tolerantly) any of that local name.
fn find_attr<'a>(el: &'a Element, ns: Option<&str>, local: &str) -> Option<&'a str> {
    el.attr(ns, local).or_else(|| el.attributes.iter().find(|(n, _)| n.local == local).map(|(_, v)| v.as_str()))
}

/// Reads an attribute: in namespace `ns`, else (tolerantly) any attribute of that local
/// name; a blank value of a type whose blank means "no value" is absent.
pub fn attr<T: XmlText>(el: &Element, ns: Option<&str>, local: &str) -> Result<Option<T>, DecodeError> {
    match find_attr(el, ns, local) {
        Some(v) if T::blank_is_absent() && v.trim().is_empty() => Ok(None),
        Some(v) => T::from_text(v).map(Some).map_err(|m| value_err(el, format!("@{local}: {m}"))),
        None => Ok(None),
    }
}

/// The children named `local` in namespace `ns`; when there are none, (tolerantly) the
/// children of that local name in any namespace.
// A concrete iterator, not generic, so the generic readers below stay small in every
// crate that uses them, and nothing is allocated.
fn named<'a>(el: &'a Element, ns: Option<&'a str>, local: &'a str) -> Named<'a> {
    let exact = el.children.iter().any(|c| c.name.local == local && c.name.ns.as_deref() == ns);
    Named { children: el.children.iter(), ns, local, exact }
}

struct Named<'a> {
    children: std::slice::Iter<'a, Element>,
    ns: Option<&'a str>,
    local: &'a str,
    exact: bool,
}

impl<'a> Iterator for Named<'a> {
    type Item = &'a Element;
    fn next(&mut self) -> Option<&'a Element> {
        let (ns, local, exact) = (self.ns, self.local, self.exact);
        self.children.by_ref().find(|c| c.name.local == local && (!exact || c.name.ns.as_deref() == ns))
    }
}

/// Reads an element's own text.
pub fn text<T: XmlText + Default>(el: &Element) -> Result<T, DecodeError> {
    let t = el.text.trim();
    if T::blank_is_absent() && t.is_empty() {
        return Ok(T::default());
    }
    T::from_text(t).map_err(|m| value_err(el, m))
}

/// Reads the text of the first child of this name.
pub fn child_text<T: XmlText + Default>(el: &Element, ns: Option<&str>, local: &str) -> Result<Option<T>, DecodeError> {
    named(el, ns, local).next().map(text).transpose()
}

/// Reads the text of every child of this name.
pub fn children_text<T: XmlText + Default>(el: &Element, ns: Option<&str>, local: &str) -> Result<Vec<T>, DecodeError> {
    named(el, ns, local).map(text).collect()
}

/// Reads an attribute of every child of this name (`<server id="1"/><server id="2"/>`).
pub fn children_attr<T: XmlText + Default>(el: &Element, ns: Option<&str>, local: &str, attribute: &str) -> Result<Vec<T>, DecodeError> {
    named(el, ns, local)
        .map(|c| attr(c, None, attribute).map(Option::unwrap_or_default))
        .collect()
}

/// Reads the first child of this name as a model.
pub fn child<T: FromXml>(el: &Element, ns: Option<&str>, local: &str) -> Result<Option<T>, DecodeError> {
    named(el, ns, local).next().map(T::from_xml).transpose()
}

/// Reads every child of this name as a model.
pub fn children<T: FromXml>(el: &Element, ns: Option<&str>, local: &str) -> Result<Vec<T>, DecodeError> {
    named(el, ns, local).map(T::from_xml).collect()
}

/// The first child of this name, if any (a wrapper element).
pub fn wrapper<'a>(el: &'a Element, ns: Option<&'a str>, local: &'a str) -> Option<&'a Element> {
    named(el, ns, local).next()
}

/// Reads a map: one entry per child named `entry` (or `el` itself when `entry` is `None`),
/// keyed by the entry's attribute `key`, its value read by `value`.
fn read_map<V>(
    el: &Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    value: impl Fn(&Element) -> Result<V, DecodeError>,
) -> Result<BTreeMap<String, V>, DecodeError> {
    let entries: Vec<&Element> = match entry {
        Some(e) => named(el, ns, e).collect(),
        None => vec![el],
    };
    let mut out = BTreeMap::new();
    for e in entries {
        let k: String = required(attr(e, None, key)?, e, &format!("attribute `{key}`"))?;
        out.insert(k, value(e)?);
    }
    Ok(out)
}

/// Reads a map from entries (`<meta key="k">v</meta>`), or from `el` itself when `entry` is `None`.
/// The value is the entry's text, or the attribute `value_attribute` when given.
pub fn map_text<V: XmlText + Default>(
    el: &Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    value_attribute: Option<&str>,
) -> Result<BTreeMap<String, V>, DecodeError> {
    read_map(el, ns, entry, key, |e| match value_attribute {
        Some(a) => attr(e, None, a).map(Option::unwrap_or_default),
        None => text(e),
    })
}

/// Reads a map whose values are lists of items (`<network id="public"><ip .../></network>`).
/// The items are the entry's children named `item` in `ns`; other children are ignored.
pub fn map_lists<V: FromXml>(
    el: &Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    item: &str,
) -> Result<BTreeMap<String, Vec<V>>, DecodeError> {
    read_map(el, ns, entry, key, |e| children(e, ns, item))
}

/// Reads a map whose values are models held in the entries' content.
pub fn map_models<V: FromXml>(
    el: &Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
) -> Result<BTreeMap<String, V>, DecodeError> {
    read_map(el, ns, entry, key, V::from_xml)
}

/// Parses a document and reads its root, which must be named `local`. Its namespace is
/// documented as `ns`, but servers dispatch roots by local name, so a root in another
/// namespace of the family, or in none, is read too (the strict validator reports it);
/// its children are then looked up in the root's own namespace.
pub fn decode_root<T: FromXml>(body: &str, ns: Option<&str>, local: &str) -> Result<T, DecodeError> {
    let root = parse(body)?;
    if root.name.local != local {
        let expected = Name { ns: ns.map(str::to_string), local: local.to_string() };
        return Err(DecodeError::WrongRoot { found: root.name.to_string(), expected: expected.to_string() });
    }
    T::from_xml(&root)
}

/// Writes a model as a document whose root is `local` in namespace `ns`.
pub fn encode_root<T: ToXml>(value: &T, ns: Option<&str>, local: &str, prefixes: &[(&str, &str)]) -> String {
    value.to_xml(ns, local).to_xml(prefixes)
}

/// Adds an attribute with a value's text form.
pub fn put_attr<T: XmlText>(el: &mut Element, ns: Option<&str>, local: &str, v: &T) {
    el.set_attr(ns, local, v.to_text());
}

/// Adds a child element holding a value's text form.
pub fn put_text<T: XmlText>(el: &mut Element, ns: Option<&str>, local: &str, v: &T) {
    let mut c = Element::new(ns, local);
    c.text = v.to_text();
    el.children.push(c);
}

/// Adds a child element holding a value in an attribute (`<server id="1"/>`).
pub fn put_attr_child<T: XmlText>(el: &mut Element, ns: Option<&str>, local: &str, attribute: &str, v: &T) {
    let mut c = Element::new(ns, local);
    c.set_attr(None, attribute, v.to_text());
    el.children.push(c);
}

/// Adds a child element for a model.
pub fn put_child<T: ToXml>(el: &mut Element, ns: Option<&str>, local: &str, v: &T) {
    el.children.push(v.to_xml(ns, local));
}

/// Writes map entries as text or value attributes; with no `entry`, `el` is the one entry.
pub fn put_map_text<V: XmlText>(
    el: &mut Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    value_attribute: Option<&str>,
    map: &BTreeMap<String, V>,
) {
    for (k, v) in map {
        let mut e = match entry {
            Some(name) => Element::new(ns, name),
            None => Element::new(el.name.ns.as_deref(), &el.name.local),
        };
        e.set_attr(None, key, k.clone());
        match value_attribute {
            Some(a) => e.set_attr(None, a, v.to_text()),
            None => e.text = v.to_text(),
        }
        match entry {
            Some(_) => el.children.push(e),
            None => {
                el.attributes = std::mem::take(&mut e.attributes);
                el.text = std::mem::take(&mut e.text);
            }
        }
    }
}

/// Writes map entries whose values are lists of models.
pub fn put_map_lists<V: ToXml>(
    el: &mut Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    item: &str,
    map: &BTreeMap<String, Vec<V>>,
) {
    for (k, items) in map {
        let mut e = match entry {
            Some(name) => Element::new(ns, name),
            None => Element::new(el.name.ns.as_deref(), &el.name.local),
        };
        e.set_attr(None, key, k.clone());
        for i in items {
            e.children.push(i.to_xml(ns, item));
        }
        match entry {
            Some(_) => el.children.push(e),
            None => {
                el.attributes = std::mem::take(&mut e.attributes);
                el.children = std::mem::take(&mut e.children);
            }
        }
    }
}

/// Writes map entries whose values are models.
pub fn put_map_models<V: ToXml>(
    el: &mut Element,
    ns: Option<&str>,
    entry: Option<&str>,
    key: &str,
    map: &BTreeMap<String, V>,
) {
    for (k, v) in map {
        let name = entry.unwrap_or(&el.name.local).to_string();
        let mut e = v.to_xml(ns, &name);
        e.set_attr(None, key, k.clone());
        match entry {
            Some(_) => el.children.push(e),
            None => *el = e,
        }
    }
}
