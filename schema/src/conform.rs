//! Whether a JSON value or an XML element conforms to a body model.
//!
//! Checking is strict where clients are lenient: a documented example must use only
//! documented fields and values, so an example that does not conform means the model
//! is incomplete or the example is defective (and needs an erratum). The rules are the
//! shared strict validator's ([`shapes`]), over the models mapped by [`crate::shapes`],
//! the same that generated code holds for judging live bodies.

use crate::models::{Model, TypeExpr};
use crate::shapes::ShapeCatalog;
use crate::xml::Element;
use crate::Schema;
use serde_json::Value;
use shapes::{Finding, FindingKind};

/// Checks values against the models of one schema.
pub struct Checker<'a> {
    catalog: ShapeCatalog<'a>,
}

/// One way a value departs from its model: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// A JSON pointer, or an element path with its line for XML.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl From<Finding> for Mismatch {
    fn from(f: Finding) -> Self {
        let at = match f.line {
            Some(line) => format!("line {line} {}", f.path).trim_end().to_string(),
            None => f.path,
        };
        Mismatch { at, message: f.message }
    }
}

/// Findings that make an example non-conforming: all but a union's accepted other shape,
/// which an example may show as well as a server may send it.
fn mismatches(findings: Vec<Finding>, out: &mut Vec<Mismatch>) {
    out.extend(findings.into_iter().filter(|f| f.kind != FindingKind::Shape).map(Mismatch::from));
}

impl<'a> Checker<'a> {
    /// A checker over `schema`'s models and namespaces.
    pub fn new(schema: &'a Schema) -> Self {
        Checker { catalog: ShapeCatalog::new(schema) }
    }

    /// Checks a JSON value against a model.
    pub fn json_model(&self, v: &Value, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        mismatches(shapes::validate_json(&self.catalog, &m.id, v, at), out);
    }

    /// Checks a JSON value against a type.
    pub fn json(&self, v: &Value, ty: &TypeExpr, at: &str, out: &mut Vec<Mismatch>) {
        match ty {
            TypeExpr::Model(id) | TypeExpr::Enum(id) => mismatches(shapes::validate_json(&self.catalog, id, v, at), out),
            _ => out.push(Mismatch { at: at.to_string(), message: format!("only a model can be checked, not {ty}") }),
        }
    }

    /// Checks a text value (a plain-text body) against a type.
    pub fn text(&self, s: &str, ty: &TypeExpr) -> Result<(), String> {
        let el = Element::new(None, "text");
        let mut el = el;
        el.text = s.to_string();
        let id = match ty {
            TypeExpr::Model(id) | TypeExpr::Enum(id) => id,
            TypeExpr::Scalar(sc) => return shapes::check_text(s, *sc),
            other => return Err(format!("a {other} cannot be a text value")),
        };
        let found = shapes::validate_xml(&self.catalog, id, &el, "");
        match found.into_iter().next() {
            Some(f) => Err(f.message),
            None => Ok(()),
        }
    }

    /// Checks an XML root element against a model whose element it must be (`root_name`
    /// overrides the model's element, as a fault's name does).
    pub fn xml_root(&self, el: &Element, m: &Model, root_name: Option<&str>, out: &mut Vec<Mismatch>) {
        mismatches(shapes::validate_xml_root(&self.catalog, &m.id, root_name, el), out);
    }

    /// Checks the content of an element (its name already matched) against a model.
    pub fn xml_model(&self, el: &Element, m: &Model, at: &str, out: &mut Vec<Mismatch>) {
        mismatches(shapes::validate_xml(&self.catalog, &m.id, el, at), out);
    }
}
