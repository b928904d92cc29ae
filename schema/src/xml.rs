//! A small namespace-resolved XML tree, enough to check example bodies against models.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;
use std::fmt;

/// A name with its resolved namespace URI.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name {
    /// The namespace URI, if the name is qualified (or defaulted, for elements).
    pub ns: Option<String>,
    /// The local name.
    pub local: String,
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ns {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

/// An element with its attributes (namespace declarations excluded), children and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The element name.
    pub name: Name,
    /// The attributes, in document order.
    pub attributes: Vec<(Name, String)>,
    /// The child elements, in document order.
    pub children: Vec<Element>,
    /// The concatenated text directly inside the element.
    pub text: String,
    /// The line the element starts on (1-based).
    pub line: usize,
}

impl Element {
    /// The attribute of this name, if present.
    pub fn attribute(&self, name: &Name) -> Option<&str> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why an XML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    /// The line of the problem (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn line_of(text: &str, pos: u64) -> usize {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

fn resolved(r: ResolveResult<'_>, line: usize) -> Result<Option<String>, XmlError> {
    match r {
        ResolveResult::Bound(ns) => Ok(Some(ns.as_ref().to_string())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(p) => Err(XmlError {
            line,
            message: format!("undeclared namespace prefix `{}`", p),
        }),
    }
}

/// Parses a well-formed XML document into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let pos = reader.buffer_position();
        let line = line_of(text, pos);
        let err = |e: quick_xml::Error| XmlError { line, message: e.to_string() };
        let (res, event) = reader.read_resolved_event().map_err(err)?;
        let ns = resolved(res, line)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(XmlError { line, message: "content after the root element".into() });
                }
                let local = e.local_name().as_ref().to_string();
                let mut attributes = Vec::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| XmlError { line, message: e.to_string() })?;
                    let key = attr.key;
                    if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
                        continue;
                    }
                    let (ares, alocal) = reader.resolver().resolve_attribute(key);
                    let ans = resolved(ares, line)?;
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| XmlError { line, message: e.to_string() })?
                        .into_owned();
                    attributes.push((
                        Name { ns: ans, local: alocal.as_ref().to_string() },
                        value,
                    ));
                }
                let el = Element { name: Name { ns, local }, attributes, children: Vec::new(), text: String::new(), line };
                if matches!(event, Event::Empty(_)) {
                    close(el, &mut stack, &mut root);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or(XmlError { line, message: "unbalanced end tag".into() })?;
                close(el, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let raw = t.xml_content(XmlVersion::Implicit1_0);
                push_text(&mut stack, &raw, line)?;
            }
            Event::CData(t) => {
                let raw = t.xml_content(XmlVersion::Implicit1_0).into_owned();
                push_text(&mut stack, &raw, line)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| XmlError { line, message: e.to_string() })?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r.xml_content(XmlVersion::Implicit1_0))
                        .map(String::from)
                };
                let s = resolved.ok_or(XmlError { line, message: "unknown entity reference".into() })?;
                push_text(&mut stack, &s, line)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError { line: line_of(text, text.len() as u64), message: "unclosed element at end of text".into() });
    }
    root.ok_or(XmlError { line: 1, message: "no root element".into() })
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], s: &str, line: usize) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(el) => {
            el.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(XmlError { line, message: "text outside the root element".into() }),
    }
}
