//! The XSD files: each parses (with xsd-parser, feature `xsd`), declares its namespace, and
//! declares every element and attribute that the models map to XML in that namespace.
//! Without the `xsd` feature the files are read as XML only (quick-xml): their target
//! namespace and declared names are checked, their validity as XML Schema is not.

use crate::diagnostics::{Diagnostics, Location, ProblemKind};
use crate::models::ModelKind;
use crate::Schema;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Names an XSD declares, by kind.
#[derive(Debug, Default, Clone)]
pub struct Declared {
    /// The target namespace.
    pub target_namespace: Option<String>,
    /// Top-level element names (possible document roots).
    pub global_elements: BTreeSet<String>,
    /// Every element name declared anywhere in the file.
    pub elements: BTreeSet<String>,
    /// Every attribute name declared anywhere in the file.
    pub attributes: BTreeSet<String>,
}

/// Reads one XSD and collects the names it declares: with the `xsd` feature the file must
/// parse with xsd-parser, which gives its target namespace and top-level elements.
pub fn read(path: &Path) -> Result<Declared, String> {
    #[cfg(feature = "xsd")]
    let (target_namespace, global_elements) = parse(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let scanned = scan(&text)?;
    #[cfg(feature = "xsd")]
    let scanned = Declared { target_namespace, global_elements, ..scanned };
    Ok(scanned)
}

/// Parses one XSD with xsd-parser: its target namespace and top-level element names.
#[cfg(feature = "xsd")]
fn parse(path: &Path) -> Result<(Option<String>, BTreeSet<String>), String> {
    use xsd_parser::models::schema::xs::SchemaContent;
    use xsd_parser::pipeline::parser::Parser;

    let schemas = Parser::new()
        .with_default_resolver()
        .with_default_namespaces()
        .add_schema_from_file(path)
        .map_err(|e| format!("xsd-parser: {e}"))?
        .finish();
    let mut target_namespace = None;
    let mut global_elements = BTreeSet::new();
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    for (_, info) in schemas.schemas() {
        let same_file = info
            .location
            .as_ref()
            .and_then(|u| u.path_segments().and_then(|mut s| s.next_back().map(str::to_string)))
            == file_name;
        if !same_file {
            continue;
        }
        target_namespace = info.schema.target_namespace.clone();
        for c in &info.schema.content {
            if let SchemaContent::Element(e) = c {
                if let Some(n) = &e.name {
                    global_elements.insert(n.clone());
                }
            }
        }
    }
    Ok((target_namespace, global_elements))
}

/// Reads an XSD as XML: the root's `targetNamespace`, the elements directly under the root,
/// and every `element` and `attribute` name declared anywhere.
fn scan(text: &str) -> Result<Declared, String> {
    let mut d = Declared::default();
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut record = |e: &BytesStart, depth: usize| {
        let local = e.local_name();
        let name = || e.attributes().flatten().find(|a| a.key.as_ref() == "name").map(|a| a.value.to_string());
        match local.as_ref() {
            "schema" if depth == 0 => {
                d.target_namespace =
                    e.attributes().flatten().find(|a| a.key.as_ref() == "targetNamespace").map(|a| a.value.to_string());
            }
            "element" => {
                if let Some(n) = name() {
                    if depth == 1 {
                        d.global_elements.insert(n.clone());
                    }
                    d.elements.insert(n);
                }
            }
            "attribute" => d.attributes.extend(name()),
            _ => {}
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                record(&e, depth);
                depth += 1;
            }
            Ok(Event::Empty(e)) => record(&e, depth),
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => break,
            Err(e) => return Err(e.to_string()),
            _ => {}
        }
    }
    Ok(d)
}

/// Checks every XSD against the namespaces and models of `schema`.
pub fn check(schema: &Schema, diags: &mut Diagnostics) {
    let xsd_dir = schema.dir.join("xsd");
    let mut declared: BTreeMap<String, Declared> = BTreeMap::new();
    for n in &schema.namespaces {
        let rel = PathBuf::from("xsd").join(&n.xsd);
        let at = Location::new(&rel, "");
        match read(&schema.dir.join(&rel)) {
            Ok(d) => {
                if d.target_namespace.as_deref() != Some(n.uri.as_str()) {
                    diags.push(&at, ProblemKind::Xsd, format!("targetNamespace is {:?}, namespaces.json says {} for prefix `{}`", d.target_namespace, n.uri, n.prefix));
                }
                declared.insert(n.prefix.clone(), d);
            }
            Err(e) => diags.push(&at, ProblemKind::Xsd, e),
        }
    }
    if let Ok(entries) = std::fs::read_dir(&xsd_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".xsd") && !schema.namespaces.iter().any(|n| n.xsd == name) {
                diags.push(&Location::new(PathBuf::from("xsd").join(&name), ""), ProblemKind::Xsd, "no namespace in data/namespaces.json names this XSD");
            }
        }
    }
    // Every XML name a model uses must be declared by the XSD of its namespace.
    for m in &schema.models {
        let at = schema.origin("model", &m.id);
        let Some(x) = &m.xml else { continue };
        let model_ns = x.ns.clone();
        let mut want = |ns: Option<&String>, name: &str, attribute: bool, at: &Location| {
            let Some(prefix) = ns else { return };
            let Some(d) = declared.get(prefix) else { return };
            let set = if attribute { &d.attributes } else { &d.elements };
            if !set.contains(name) {
                let what = if attribute { "attribute" } else { "element" };
                diags.push(at, ProblemKind::Xsd, format!("{what} `{prefix}:{name}` used by {} is not declared in xsd/{}", m.id, schema.namespace(prefix).map_or("?", |n| n.xsd.as_str())));
            }
        };
        if let Some(el) = &x.element {
            want(model_ns.as_ref(), el, false, &at.child("xml"));
        }
        if m.kind == ModelKind::Map {
            if let Some(entry) = &x.entry {
                want(model_ns.as_ref(), entry, false, &at.child("xml"));
            }
        }
        for (i, f) in m.fields.iter().enumerate() {
            let Some(fx) = &f.xml else { continue };
            let fat = at.child("fields").child(i).child("xml");
            if let Some(a) = &fx.attribute {
                want(fx.ns.as_ref().or(model_ns.as_ref()), a, true, &fat);
            }
            let ns = fx.ns.as_ref().or(model_ns.as_ref());
            if let Some(w) = &fx.wrapper {
                want(ns, w, false, &fat);
            }
            if let Some(e) = &fx.element {
                want(ns, e, false, &fat);
            }
        }
    }
}
