//! A small namespace-resolved XML tree on quick-xml: parsing for checks and decoders, writing for encoders.

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

/// Line numbers of increasing positions, counting each byte once (a parse stays linear).
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: u64) -> usize {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(self.text.len());
        if end > self.pos {
            self.line += self.text[self.pos..end].iter().filter(|b| **b == b'\n').count();
            self.pos = end;
        }
        self.line
    }
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
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    loop {
        let pos = reader.buffer_position();
        let line = lines.at(pos);
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

impl Element {
    /// A new element with no attributes, children or text.
    pub fn new(ns: Option<&str>, local: &str) -> Self {
        Element {
            name: Name { ns: ns.map(str::to_string), local: local.to_string() },
            attributes: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            line: 0,
        }
    }

    /// The child elements with this local name and namespace.
    pub fn children_named<'a>(&'a self, ns: Option<&'a str>, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name.local == local && c.name.ns.as_deref() == ns)
    }

    /// The attribute with this namespace and local name.
    pub fn attr(&self, ns: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.local == local && n.ns.as_deref() == ns)
            .map(|(_, v)| v.as_str())
    }

    /// Adds an attribute.
    pub fn set_attr(&mut self, ns: Option<&str>, local: &str, value: impl Into<String>) {
        self.attributes.push((Name { ns: ns.map(str::to_string), local: local.to_string() }, value.into()));
    }

    /// A copy with attributes sorted, text trimmed and line numbers cleared, so two
    /// documents that differ only in formatting, prefixes or attribute order compare equal.
    pub fn canonical(&self) -> Element {
        let mut attributes = self.attributes.clone();
        attributes.sort();
        Element {
            name: self.name.clone(),
            attributes,
            children: self.children.iter().map(Element::canonical).collect(),
            text: self.text.trim().to_string(),
            line: 0,
        }
    }

    /// Writes the element as an XML document. The root's namespace becomes the default
    /// namespace; every other namespace used is declared on the root with the prefix
    /// `prefixes` gives it (or `ns1`, `ns2`...).
    pub fn to_xml(&self, prefixes: &[(&str, &str)]) -> String {
        let mut used: Vec<String> = Vec::new();
        self.collect_namespaces(&mut used);
        let default_ns = self.name.ns.clone();
        let mut table: Vec<(String, String)> = Vec::new();
        for uri in used {
            if Some(&uri) == default_ns.as_ref() && !self.attr_uses(&uri) {
                continue;
            }
            let prefix = prefixes
                .iter()
                .find(|(_, u)| *u == uri)
                .map(|(p, _)| p.to_string())
                .unwrap_or_else(|| format!("ns{}", table.len() + 1));
            table.push((uri, prefix));
        }
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write(&mut out, default_ns.as_deref(), &table, true);
        out
    }

    fn attr_uses(&self, uri: &str) -> bool {
        self.attributes.iter().any(|(n, _)| n.ns.as_deref() == Some(uri)) || self.children.iter().any(|c| c.attr_uses(uri))
    }

    fn collect_namespaces(&self, out: &mut Vec<String>) {
        let mut add = |ns: &Option<String>| {
            if let Some(ns) = ns {
                if !out.contains(ns) {
                    out.push(ns.clone());
                }
            }
        };
        add(&self.name.ns);
        for (n, _) in &self.attributes {
            add(&n.ns);
        }
        for c in &self.children {
            c.collect_namespaces(out);
        }
    }

    fn write(&self, out: &mut String, default_ns: Option<&str>, table: &[(String, String)], root: bool) {
        let prefix_of = |ns: &str| table.iter().find(|(u, _)| u == ns).map(|(_, p)| p.as_str());
        let qname = match (&self.name.ns, default_ns) {
            (Some(ns), Some(d)) if ns == d => self.name.local.clone(),
            (Some(ns), _) => match prefix_of(ns) {
                Some(p) => format!("{p}:{}", self.name.local),
                None => self.name.local.clone(),
            },
            (None, _) => self.name.local.clone(),
        };
        out.push('<');
        out.push_str(&qname);
        if root {
            if let Some(d) = default_ns {
                out.push_str(&format!(" xmlns=\"{}\"", quick_xml::escape::escape(d)));
            }
            for (uri, p) in table {
                out.push_str(&format!(" xmlns:{p}=\"{}\"", quick_xml::escape::escape(uri.as_str())));
            }
        } else if self.name.ns.is_none() && default_ns.is_some() {
            out.push_str(" xmlns=\"\"");
        }
        for (n, v) in &self.attributes {
            let an = match &n.ns {
                Some(ns) => match prefix_of(ns) {
                    Some(p) => format!("{p}:{}", n.local),
                    None => n.local.clone(),
                },
                None => n.local.clone(),
            };
            out.push_str(&format!(" {an}=\"{}\"", escape_attr(v)));
        }
        if self.children.is_empty() && self.text.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        out.push_str(&escape_text(&self.text));
        let child_default = if self.name.ns.is_none() && default_ns.is_some() { None } else { default_ns };
        for c in &self.children {
            c.write(out, child_default, table, false);
        }
        out.push_str(&format!("</{qname}>"));
    }
}

/// Escapes an attribute value so that it reads back unchanged: besides the markup
/// characters, tab, line feed and carriage return become character references, which
/// attribute-value normalization would otherwise turn into spaces.
fn escape_attr(v: &str) -> String {
    let escaped = quick_xml::escape::escape(v);
    if !v.contains(['\t', '\n', '\r']) {
        return escaped.into_owned();
    }
    escaped.replace('\t', "&#9;").replace('\n', "&#10;").replace('\r', "&#13;")
}

/// Escapes element text so that it reads back unchanged: besides the markup characters,
/// a carriage return becomes a character reference, which end-of-line handling would
/// otherwise turn into a line feed.
fn escape_text(v: &str) -> String {
    let escaped = quick_xml::escape::escape(v);
    if !v.contains('\r') {
        return escaped.into_owned();
    }
    escaped.replace('\r', "&#13;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_parse_gives_the_same_tree() {
        let text = r#"<server xmlns="urn:a" xmlns:x="urn:x" id="1" x:flag="on"><meta key="k">v &amp; w</meta><x:link href="h"/></server>"#;
        let el = parse(text).unwrap();
        let again = parse(&el.to_xml(&[("x", "urn:x")])).unwrap();
        assert_eq!(el.canonical(), again.canonical());
        assert_eq!(again.attr(Some("urn:x"), "flag"), Some("on"));
        assert_eq!(again.children[0].text, "v & w");
    }

    #[test]
    fn whitespace_in_attributes_and_carriage_returns_in_text_survive_writing() {
        let mut el = Element::new(None, "a");
        el.set_attr(None, "v", "tab\tlf\ncr\r<&>\"'");
        el.text = "line\r\nnext\rend".into();
        let again = parse(&el.to_xml(&[])).unwrap();
        assert_eq!(again.attr(None, "v"), Some("tab\tlf\ncr\r<&>\"'"));
        assert_eq!(again.text, "line\r\nnext\rend");
    }

    #[test]
    fn undeclared_prefix_is_an_error_with_a_line() {
        let err = parse("<a>\n<b:c/></a>").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("undeclared namespace prefix `b`"), "{err}");
    }

    #[test]
    fn malformed_input_never_panics() {
        for text in ["", "<", "<a", "<a></b>", "</a>", "<a/><b/>", "text", "<a x=1/>", "<a>&bogus;</a>", "<a>&#xFFFFFFFF;</a>"] {
            assert!(parse(text).is_err(), "{text:?} parsed");
        }
    }
}
