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

impl Drop for Element {
    /// Drops the subtree without recursion: the descendants are moved onto an explicit
    /// stack first, so a tree of any depth (built by hand; parsed trees are bounded by
    /// [`Limits::max_depth`]) is freed without overflowing the call stack.
    fn drop(&mut self) {
        if self.children.iter().all(|c| c.children.is_empty()) {
            return;
        }
        let mut pending = std::mem::take(&mut self.children);
        while let Some(mut el) = pending.pop() {
            pending.append(&mut el.children);
        }
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
    /// What kind of problem it is.
    pub kind: XmlErrorKind,
}

impl XmlError {
    fn syntax(line: usize, message: impl Into<String>) -> Self {
        XmlError { line, message: message.into(), kind: XmlErrorKind::Syntax }
    }

    /// Whether the text was refused for nesting deeper than [`Limits::max_depth`].
    pub fn is_too_deep(&self) -> bool {
        matches!(self.kind, XmlErrorKind::TooDeep { .. })
    }
}

/// The kinds of [`XmlError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// The text is not well-formed (or uses an undeclared prefix, an unknown entity...).
    Syntax,
    /// Elements nest deeper than the limit: the text may be well-formed, but it was
    /// refused before building a tree that deep.
    TooDeep {
        /// The limit ([`Limits::max_depth`]) that was passed.
        max_depth: usize,
    },
}

/// Bounds on what [`parse_with`] accepts, so that hostile input (a service body is
/// network input) cannot exhaust the stack or memory of code that walks the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The deepest element nesting accepted: the root is at depth 1, its children at 2...
    /// A deeper element makes the parse fail with [`XmlErrorKind::TooDeep`].
    pub max_depth: usize,
}

impl Limits {
    /// The limits [`parse`] applies: [`DEFAULT_MAX_DEPTH`] levels.
    pub const DEFAULT: Limits = Limits { max_depth: DEFAULT_MAX_DEPTH };

    /// These limits with another maximum depth.
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The default maximum element depth (256). The documented Cloud Servers bodies nest at
/// most a handful of levels (a server, its addresses, a network, an address: 4), so this
/// is far above any real body, and far below what would strain a thread's stack in code
/// that walks a tree recursively (the generated decoders, `Clone`, `PartialEq`, `Debug`).
pub const DEFAULT_MAX_DEPTH: usize = 256;

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
        ResolveResult::Unknown(p) => Err(XmlError::syntax(line, format!("undeclared namespace prefix `{}`", p))),
    }
}

/// Parses a well-formed XML document into its root element, with the default
/// [`Limits`] (at most [`DEFAULT_MAX_DEPTH`] levels of elements).
pub fn parse(text: &str) -> Result<Element, XmlError> {
    parse_with(text, Limits::DEFAULT)
}

/// Parses a well-formed XML document into its root element, refusing documents beyond
/// `limits` (an element deeper than [`Limits::max_depth`] is an [`XmlErrorKind::TooDeep`]
/// error, reported at its line, before anything deeper is read).
pub fn parse_with(text: &str, limits: Limits) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    loop {
        let pos = reader.buffer_position();
        let line = lines.at(pos);
        let err = |e: quick_xml::Error| XmlError::syntax(line, e.to_string());
        let (res, event) = reader.read_resolved_event().map_err(err)?;
        let ns = resolved(res, line)?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(XmlError::syntax(line, "content after the root element"));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError {
                        line,
                        message: format!("elements nest deeper than the limit of {} levels", limits.max_depth),
                        kind: XmlErrorKind::TooDeep { max_depth: limits.max_depth },
                    });
                }
                let local = e.local_name().as_ref().to_string();
                let mut attributes = Vec::new();
                for attr in e.attributes() {
                    let attr = attr.map_err(|e| XmlError::syntax(line, e.to_string()))?;
                    let key = attr.key;
                    if key.as_ref() == "xmlns" || key.as_ref().starts_with("xmlns:") {
                        continue;
                    }
                    let (ares, alocal) = reader.resolver().resolve_attribute(key);
                    let ans = resolved(ares, line)?;
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| XmlError::syntax(line, e.to_string()))?
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
                let el = stack.pop().ok_or_else(|| XmlError::syntax(line, "unbalanced end tag"))?;
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
                        .map_err(|e| XmlError::syntax(line, e.to_string()))?
                        .map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r.xml_content(XmlVersion::Implicit1_0))
                        .map(String::from)
                };
                let s = resolved.ok_or_else(|| XmlError::syntax(line, "unknown entity reference"))?;
                push_text(&mut stack, &s, line)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::syntax(line_of(text, text.len() as u64), "unclosed element at end of text"));
    }
    root.ok_or_else(|| XmlError::syntax(1, "no root element"))
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
        None => Err(XmlError::syntax(line, "text outside the root element")),
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
    /// Iterative: a tree of any depth is copied without recursion.
    pub fn canonical(&self) -> Element {
        fn shallow(e: &Element) -> Element {
            let mut attributes = e.attributes.clone();
            attributes.sort();
            Element {
                name: e.name.clone(),
                attributes,
                children: Vec::with_capacity(e.children.len()),
                text: e.text.trim().to_string(),
                line: 0,
            }
        }
        // Each frame: the source element, the index of its next child, and its copy so far.
        let mut stack: Vec<(&Element, usize, Element)> = vec![(self, 0, shallow(self))];
        while let Some(&mut (src, ref mut next, _)) = stack.last_mut() {
            if let Some(child) = src.children.get(*next) {
                *next += 1;
                stack.push((child, 0, shallow(child)));
                continue;
            }
            let Some((_, _, done)) = stack.pop() else { break };
            match stack.last_mut() {
                Some((_, _, parent)) => parent.children.push(done),
                None => return done,
            }
        }
        shallow(self)
    }

    /// This element and its descendants, in document order (pre-order), without recursion.
    pub fn descendants(&self) -> impl Iterator<Item = &Element> + '_ {
        let mut pending = vec![self];
        std::iter::from_fn(move || {
            let el = pending.pop()?;
            pending.extend(el.children.iter().rev());
            Some(el)
        })
    }

    /// Writes the element as an XML document. The root's namespace becomes the default
    /// namespace; every other namespace used is declared on the root with the prefix
    /// `prefixes` gives it (or `ns1`, `ns2`...). Iterative: a tree of any depth is
    /// written without recursion.
    pub fn to_xml(&self, prefixes: &[(&str, &str)]) -> String {
        let mut used: Vec<String> = Vec::new();
        for el in self.descendants() {
            for ns in std::iter::once(&el.name.ns).chain(el.attributes.iter().map(|(n, _)| &n.ns)).flatten() {
                if !used.contains(ns) {
                    used.push(ns.clone());
                }
            }
        }
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
        self.write(&mut out, default_ns.as_deref(), &table);
        out
    }

    fn attr_uses(&self, uri: &str) -> bool {
        self.descendants().any(|e| e.attributes.iter().any(|(n, _)| n.ns.as_deref() == Some(uri)))
    }

    fn write(&self, out: &mut String, default_ns: Option<&str>, table: &[(String, String)]) {
        enum Step<'a> {
            Open { el: &'a Element, default_ns: Option<&'a str>, root: bool },
            Close(String),
        }
        let prefix_of = |ns: &str| table.iter().find(|(u, _)| u == ns).map(|(_, p)| p.as_str());
        let mut steps = vec![Step::Open { el: self, default_ns, root: true }];
        while let Some(step) = steps.pop() {
            let (el, default_ns, root) = match step {
                Step::Close(qname) => {
                    out.push_str(&format!("</{qname}>"));
                    continue;
                }
                Step::Open { el, default_ns, root } => (el, default_ns, root),
            };
            let qname = match (&el.name.ns, default_ns) {
                (Some(ns), Some(d)) if ns == d => el.name.local.clone(),
                (Some(ns), _) => match prefix_of(ns) {
                    Some(p) => format!("{p}:{}", el.name.local),
                    None => el.name.local.clone(),
                },
                (None, _) => el.name.local.clone(),
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
            } else if el.name.ns.is_none() && default_ns.is_some() {
                out.push_str(" xmlns=\"\"");
            }
            for (n, v) in &el.attributes {
                let an = match &n.ns {
                    Some(ns) => match prefix_of(ns) {
                        Some(p) => format!("{p}:{}", n.local),
                        None => n.local.clone(),
                    },
                    None => n.local.clone(),
                };
                out.push_str(&format!(" {an}=\"{}\"", escape_attr(v)));
            }
            if el.children.is_empty() && el.text.is_empty() {
                out.push_str("/>");
                continue;
            }
            out.push('>');
            out.push_str(&escape_text(&el.text));
            let child_default = if el.name.ns.is_none() && default_ns.is_some() { None } else { default_ns };
            steps.push(Step::Close(qname));
            steps.extend(el.children.iter().rev().map(|c| Step::Open { el: c, default_ns: child_default, root: false }));
        }
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

    /// A chain of `depth` nested `<a>` elements built by hand, without recursion.
    fn chain(depth: usize) -> Element {
        let mut el = Element::new(Some("urn:a"), "a");
        el.text = "leaf".into();
        for n in 1..depth {
            let mut parent = Element::new(if n % 2 == 1 { Some("urn:a") } else { Some("urn:b") }, "a");
            parent.children.push(el);
            el = parent;
        }
        el
    }

    #[test]
    fn very_deep_input_is_a_depth_error_not_a_stack_overflow() {
        let text = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let err = parse(&text).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::TooDeep { max_depth: DEFAULT_MAX_DEPTH });
        assert!(err.is_too_deep());
        assert!(err.to_string().contains("deeper than the limit of 256 levels"), "{err}");
        // Unclosed, self-closing at the bottom, or on many lines: the same error, at its line.
        let unclosed = "<a>".repeat(100_000);
        assert!(parse(&unclosed).unwrap_err().is_too_deep());
        let lines = format!("{}<b/>", "<a>\n".repeat(300));
        let err = parse(&lines).unwrap_err();
        assert!(err.is_too_deep());
        assert_eq!(err.line, DEFAULT_MAX_DEPTH + 1);
    }

    #[test]
    fn depth_limit_counts_the_root_as_level_one_and_is_configurable() {
        let nested = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        let doc = parse(&nested(200)).unwrap();
        assert_eq!(doc.descendants().count(), 200);
        assert!(parse(&nested(DEFAULT_MAX_DEPTH)).is_ok());
        assert!(parse(&nested(DEFAULT_MAX_DEPTH + 1)).unwrap_err().is_too_deep());
        let empty_leaf = format!("{}<b/>{}", "<a>".repeat(DEFAULT_MAX_DEPTH), "</a>".repeat(DEFAULT_MAX_DEPTH));
        assert!(parse(&empty_leaf).unwrap_err().is_too_deep(), "a self-closing element counts as a level");
        let two = Limits::default().with_max_depth(2);
        assert!(parse_with("<a><b/></a>", two).is_ok());
        let err = parse_with("<a><b><c/></b></a>", two).unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::TooDeep { max_depth: 2 });
        assert!(parse_with(&nested(10_000), Limits { max_depth: 20_000 }).is_ok());
        assert_eq!(Limits::default(), Limits::DEFAULT);
        assert_eq!(parse("<a").unwrap_err().kind, XmlErrorKind::Syntax);
    }

    #[test]
    fn a_hand_built_deep_tree_drops_copies_and_writes_without_overflow() {
        // Run on a small stack so that any recursion over the depth would overflow.
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let deep = chain(100_000);
                assert_eq!(deep.descendants().count(), 100_000);
                let copy = deep.canonical();
                assert_eq!(copy.descendants().last().map(|e| e.text.as_str()), Some("leaf"));
                let xml = deep.to_xml(&[("b", "urn:b")]);
                assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:a\" xmlns:b=\"urn:b\">"));
                assert!(xml.contains("<b:a><a>") && xml.ends_with("</a>"));
                // Reading it back is refused at the default depth, accepted with a larger limit.
                assert!(parse(&xml).unwrap_err().is_too_deep());
                drop(copy);
                drop(deep);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn iterative_writing_and_canonical_form_match_the_tree() {
        let text = r#"<r xmlns="urn:a" xmlns:x="urn:x"><p b="2" a="1"> t <q xmlns=""><x:s x:k="v"/></q></p><p/></r>"#;
        let el = parse(text).unwrap();
        let c = el.canonical();
        assert_eq!(c.children[0].attributes[0].0.local, "a");
        assert_eq!(c.children[0].text, "t");
        assert_eq!(c.children[0].children[0].children[0].attr(Some("urn:x"), "k"), Some("v"));
        let again = parse(&el.to_xml(&[])).unwrap();
        assert_eq!(again.canonical(), c);
        assert_eq!(again.children[0].children[0].name, Name { ns: None, local: "q".into() });
        let names: Vec<&str> = el.descendants().map(|e| e.name.local.as_str()).collect();
        assert_eq!(names, ["r", "p", "q", "s", "p"]);
    }
}
