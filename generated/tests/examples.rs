//! Every documented JSON and XML example decodes into its generated type and encodes back
//! to an equivalent document.
//!
//! The body model of an example is resolved as `schema check` resolves it
//! (`Schema::example_body`): a request takes the operation's request body;
//! a response takes the body of the response with the example's status, or else the fault
//! whose name is the body's root (JSON: its single key; XML: its root element).
//!
//! Equivalence:
//! - JSON: the body without its wrapping key is decoded, encoded, wrapped again and
//!   compared with the document by `serde_json::Value` equality.
//! - XML: both documents are parsed and compared after `Element::canonical` (attributes
//!   sorted, text trimmed, prefixes resolved) and after grouping each element's children by
//!   name (see [`grouped`]). The encoders write children in the schema's field order, which
//!   need not be the order a document shows (`<metadata>` before or after `<addresses>`):
//!   the order between children of different names carries no meaning in these APIs, while
//!   the order of children of one name (list items) does, and is kept. Map entries
//!   (`<meta key>`, `<network id>`, `<limit name>`, `<feature name>`, taken from the
//!   schema's map models) are compared by key, as the maps they are.
//!
//! The count of examples checked is printed per format and API (`--nocapture`) and must
//! equal the number of JSON and XML examples that have a body model; only shell
//! exchanges may lack one.
//!
//! Also here: every enum keeps a value the documents do not list (`Unknown`) and writes
//! it back unchanged, and unknown JSON fields and unknown XML attributes and elements,
//! added throughout every documented example, are ignored on decode.

use schema::examples::{Direction, Example, ExampleFormat};
use schema::models::{Model, ModelKind, TypeExpr};
use schema::xml::Element;
use schema::{Api, Schema};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const V2: Api = Api::new("v2");
const V1_0: Api = Api::new("v1.0");
const RACKCONNECT: Api = Api::new("rackconnect");
const IDENTITY: Api = Api::new("identity");

/// The shipped schema, loaded (and checked) once for all tests of this file.
fn shipped() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| Schema::load_default().unwrap_or_else(|e| panic!("the shipped schema loads: {e}")))
}

/// The body model of an example and its JSON wrapping key (or fault name), as
/// `schema check` resolves it; `None` when the example has no body model.
fn expected_body<'s>(s: &'s Schema, e: &Example) -> Option<(&'s Model, Option<String>)> {
    s.example_body(e).map(|b| (b.model, b.wrap))
}

/// The generated `roundtrip_json` of the model's API.
fn roundtrip_json(api: Api, id: &str, v: &Value) -> Option<Result<Value, String>> {
    match api {
        V2 => generated::v2::models::roundtrip_json(id, v),
        V1_0 => generated::v1_0::models::roundtrip_json(id, v),
        RACKCONNECT => generated::rackconnect::models::roundtrip_json(id, v),
        IDENTITY => generated::identity::models::roundtrip_json(id, v),
        other => panic!("no generated module for API {other}"),
    }
}

/// The generated `roundtrip_xml` of the model's API.
fn roundtrip_xml(api: Api, id: &str, root: &str, body: &str) -> Option<Result<String, String>> {
    match api {
        V2 => generated::v2::models::roundtrip_xml(id, root, body),
        V1_0 => generated::v1_0::models::roundtrip_xml(id, root, body),
        RACKCONNECT => generated::rackconnect::models::roundtrip_xml(id, root, body),
        IDENTITY => generated::identity::models::roundtrip_xml(id, root, body),
        other => panic!("no generated module for API {other}"),
    }
}

/// The map entries of the schema's XML map models, as (entry element, key attribute):
/// `<meta key>`, `<network id>`, `<limit name>`, `<feature name>`.
fn map_entries(s: &Schema) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = s
        .models
        .iter()
        .filter(|m| m.kind == ModelKind::Map)
        .filter_map(|m| {
            let x = m.xml.as_ref()?;
            Some((x.entry.clone()?, x.key.clone().unwrap_or_else(|| "key".into())))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A canonical element (`Element::canonical`: attributes sorted, text trimmed, prefixes
/// resolved) whose children are grouped by name: a stable sort by (namespace, local name),
/// so the items of a list keep their order. Map entries (children that are all `<entry>`
/// elements carrying the map's key attribute, per `entries`) are ordered by key, since a
/// map's order carries no meaning and the generated maps are sorted; an entry repeated
/// exactly (same key, same value) is one map entry and is counted in `collapsed`. Entries
/// with one key and different values are kept, so they fail the comparison.
/// Applied recursively.
fn grouped(el: &Element, entries: &[(String, String)], collapsed: &mut usize) -> Element {
    fn sort(el: &mut Element, entries: &[(String, String)], collapsed: &mut usize) {
        el.children.sort_by(|a, b| a.name.cmp(&b.name));
        let map_key = entries.iter().find(|(entry, key)| {
            !el.children.is_empty()
                && el.children.iter().all(|c| &c.name.local == entry && c.attr(None, key).is_some())
        });
        if let Some((_, key)) = map_key {
            el.children.sort_by(|a, b| a.attr(None, key).cmp(&b.attr(None, key)));
            let before = el.children.len();
            el.children.dedup();
            *collapsed += before - el.children.len();
        }
        el.children.iter_mut().for_each(|c| sort(c, entries, collapsed));
    }
    let mut c = el.canonical();
    sort(&mut c, entries, collapsed);
    c
}

/// Where two canonical trees first differ, as a path and the two sides.
fn first_difference(a: &Element, b: &Element, path: &str) -> Option<String> {
    let here = format!("{path}/{}", a.name.local);
    if a.name != b.name {
        return Some(format!("{path}: element {} vs {}", a.name, b.name));
    }
    if a.attributes != b.attributes {
        let show = |e: &Element| {
            e.attributes.iter().map(|(n, v)| format!("{n}={v:?}")).collect::<Vec<_>>().join(" ")
        };
        return Some(format!("{here}: attributes\n    document: {}\n    encoded:  {}", show(a), show(b)));
    }
    if a.text != b.text {
        return Some(format!("{here}: text {:?} vs {:?}", a.text, b.text));
    }
    for (i, (x, y)) in a.children.iter().zip(&b.children).enumerate() {
        if let Some(d) = first_difference(x, y, &format!("{here}[{i}]")) {
            return Some(d);
        }
    }
    if a.children.len() != b.children.len() {
        let names = |e: &Element| e.children.iter().map(|c| c.name.to_string()).collect::<Vec<_>>().join(", ");
        return Some(format!("{here}: children\n    document: {}\n    encoded:  {}", names(a), names(b)));
    }
    None
}

/// Round-trips one JSON example; the error says what differs.
fn check_json(api: Api, m: &Model, wrap: Option<&str>, body: &Value) -> Result<(), String> {
    let inner = match wrap {
        Some(w) => body
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get(w))
            .ok_or_else(|| format!("expected an object with the single key `{w}`"))?,
        None => body,
    };
    let out = roundtrip_json(api, &m.id, inner).ok_or_else(|| format!("no roundtrip_json for {}", m.id))??;
    let out = match wrap {
        Some(w) => serde_json::json!({ w: out }),
        None => out,
    };
    if &out == body {
        Ok(())
    } else {
        Err(format!(
            "re-encoded JSON differs\n  document: {}\n  encoded:  {}",
            serde_json::to_string(body).unwrap_or_default(),
            serde_json::to_string(&out).unwrap_or_default()
        ))
    }
}

/// Round-trips one XML example; the error says what differs.
fn check_xml(
    api: Api,
    m: &Model,
    fault_root: Option<&str>,
    text: &str,
    entries: &[(String, String)],
) -> Result<(), String> {
    let doc = schema::xml::parse(text).map_err(|e| format!("document does not parse: {e}"))?;
    let root = match fault_root {
        Some(r) => r.to_string(),
        // A union's root names the shape it comes in.
        None if m.kind == schema::models::ModelKind::Union => doc.name.local.clone(),
        None => m.xml.as_ref().and_then(|x| x.element.clone()).ok_or_else(|| format!("{} has no XML element", m.id))?,
    };
    let out = roundtrip_xml(api, &m.id, &root, text).ok_or_else(|| format!("no roundtrip_xml for {}", m.id))??;
    let again = schema::xml::parse(&out).map_err(|e| format!("encoded XML does not parse: {e}\n{out}"))?;
    let mut collapsed = 0;
    let a = grouped(&doc, entries, &mut collapsed);
    if collapsed > 0 {
        println!("  note: {} repeats {collapsed} map entries exactly (same key and value); compared as one entry each", m.id);
    }
    let b = grouped(&again, entries, &mut 0);
    match first_difference(&a, &b, "") {
        None if a == b => Ok(()),
        // A body in an XML form readers accept is written back in the documented form:
        // the strict validator says so, and every value must survive.
        Some(_) if uses_alternative_form(&m.id, fault_root, &doc) && leaf_values(&doc) == leaf_values(&again) => Ok(()),
        d => Err(format!("re-encoded XML differs at {}\n  encoded: {out}", d.unwrap_or_default())),
    }
}

/// Whether the generated strict validator finds a value of `doc` in an alternative form.
fn uses_alternative_form(model_id: &str, root: Option<&str>, doc: &Element) -> bool {
    runtime::shapes::validate_xml_root(&generated::SHAPES, model_id, root, doc)
        .iter()
        .any(|f| f.kind == runtime::shapes::FindingKind::Shape)
}

/// Every attribute value and non-blank text of a document, sorted.
fn leaf_values(el: &Element) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![el];
    while let Some(e) = stack.pop() {
        out.extend(e.attributes.iter().map(|(_, v)| v.clone()));
        if !e.text.trim().is_empty() {
            out.push(e.text.trim().to_string());
        }
        stack.extend(e.children.iter());
    }
    out.sort();
    out
}

#[test]
fn every_documented_example_round_trips() {
    let s = shipped();
    let entries = map_entries(s);
    // (format, api) -> (eligible, checked)
    let mut counts: BTreeMap<(&str, String), (usize, usize)> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut not_eligible: Vec<String> = Vec::new();
    let (mut eligible, mut checked) = (0usize, 0usize);
    for e in &s.examples {
        let format = match e.format {
            ExampleFormat::Json => "json",
            ExampleFormat::Xml => "xml",
            _ => continue,
        };
        let Some((m, wrap)) = expected_body(s, e) else {
            // Only a shell exchange has no single body model; anything else is a failure,
            // never a silent skip.
            if e.direction == Direction::Exchange {
                not_eligible.push(format!("{} ({format}, exchange)", e.id));
            } else {
                failures.push(format!("{} ({format}): no body model resolves for this {:?}", e.id, e.direction));
            }
            continue;
        };
        let api = m.api().expect("every model has an API");
        let op_api = s.operation(&e.operation).map_or(api, |o| o.api);
        eligible += 1;
        let slot = counts.entry((format, op_api.to_string())).or_default();
        slot.0 += 1;
        let result = match e.format {
            ExampleFormat::Json => match &e.body {
                Some(body) => check_json(api, m, wrap.as_deref(), body),
                None => Err("no body".into()),
            },
            _ => match e.body_text() {
                Some(text) => {
                    let is_fault = s
                        .faults
                        .iter()
                        .any(|f| Some(&f.name) == wrap.as_ref() && f.model.as_deref() == Some(m.id.as_str()));
                    check_xml(api, m, if is_fault { wrap.as_deref() } else { None }, text, &entries)
                }
                None => Err("no body text".into()),
            },
        };
        match result {
            Ok(()) => {
                checked += 1;
                slot.1 += 1;
            }
            Err(why) => failures.push(format!("{} ({format}, {}): {why}", e.id, m.id)),
        }
    }
    println!("documented examples round-tripped (format, API: checked / eligible):");
    for ((format, api), (n, ok)) in &counts {
        println!("  {format:4} {api:12} {ok:4} / {n}");
    }
    for format in ["json", "xml"] {
        let (n, ok) = counts
            .iter()
            .filter(|((f, _), _)| *f == format)
            .fold((0, 0), |(n, ok), (_, (a, b))| (n + a, ok + b));
        println!("  {format:4} {:12} {ok:4} / {n}", "all");
    }
    println!("  json and xml examples without a body model (exchanges): {}", not_eligible.len());
    for n in &not_eligible {
        println!("    {n}");
    }
    assert!(failures.is_empty(), "{} of {eligible} examples do not round-trip:\n{}", failures.len(), failures.join("\n\n"));
    assert_eq!(checked, eligible, "every eligible example is checked");
    let json_or_xml = s.examples.iter().filter(|e| matches!(e.format, ExampleFormat::Json | ExampleFormat::Xml)).count();
    assert_eq!(eligible + not_eligible.len(), json_or_xml, "every JSON and XML example is accounted for");
    // The schema documents well over a hundred JSON and XML bodies; a resolver that
    // found none would pass vacuously.
    assert!(eligible > 100, "only {eligible} eligible examples");
}

/// Adds an unknown field to every object of model type in `v` (walking the value along
/// its schema type, so maps and free JSON are left alone); returns how many were added.
fn inject_json(s: &Schema, v: &mut Value, ty: &TypeExpr) -> usize {
    match ty {
        TypeExpr::Array(inner) => v.as_array_mut().map_or(0, |a| a.iter_mut().map(|i| inject_json(s, i, inner)).sum()),
        TypeExpr::Map(inner) => {
            v.as_object_mut().map_or(0, |o| o.values_mut().map(|i| inject_json(s, i, inner)).sum())
        }
        TypeExpr::Model(id) => {
            let Some(m) = s.model(id) else { return 0 };
            match m.kind {
                ModelKind::Object if !m.fields.is_empty() => {
                    let Some(o) = v.as_object_mut() else { return 0 };
                    let mut n = 0;
                    for f in &m.fields {
                        if let Some(fv) = o.get_mut(&f.name) {
                            n += inject_json(s, fv, &f.ty);
                        }
                    }
                    o.insert("X-FUTURE:unknownField".into(), serde_json::json!({"nested": [1, "two", null]}));
                    n + 1
                }
                ModelKind::Map => m.map_values().map_or(0, |t| inject_json(s, v, &TypeExpr::Map(Box::new(t.clone())))),
                ModelKind::Array => m.items.as_ref().map_or(0, |t| inject_json(s, v, &TypeExpr::Array(Box::new(t.clone())))),
                _ => 0,
            }
        }
        TypeExpr::Enum(_) | TypeExpr::Scalar(_) => 0,
    }
}

/// Adds to every element an unknown unqualified attribute, an unknown attribute in a
/// foreign namespace, an unknown child element in its own namespace and one in a foreign
/// namespace (with content of its own); returns how many elements were touched.
fn inject_xml(el: &mut Element) -> usize {
    const FOREIGN: &str = "urn:example:future-extension";
    let mut n = 1;
    for c in el.children.iter_mut() {
        n += inject_xml(c);
    }
    el.set_attr(None, "unknownAttr", "u & <v> \"w\"");
    el.set_attr(Some(FOREIGN), "ext", "1");
    let mut own = Element::new(el.name.ns.as_deref(), "unknownElement");
    own.set_attr(None, "id", "x");
    own.text = "ignored".into();
    let mut foreign = Element::new(Some(FOREIGN), "extension");
    foreign.children.push(Element::new(Some(FOREIGN), "detail"));
    el.children.insert(0, own);
    el.children.push(foreign);
    n
}

#[test]
fn unknown_json_fields_and_xml_attributes_and_elements_are_ignored() {
    let s = shipped();
    let entries = map_entries(s);
    let (mut json_examples, mut json_fields, mut xml_examples, mut xml_elements) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for e in &s.examples {
        let Some((m, wrap)) = expected_body(s, e) else { continue };
        let api = m.api().expect("every model has an API");
        match e.format {
            ExampleFormat::Json => {
                let Some(body) = &e.body else { continue };
                let mut inner = match &wrap {
                    Some(w) => body.get(w).cloned().unwrap_or(Value::Null),
                    None => body.clone(),
                };
                let added = inject_json(s, &mut inner, &TypeExpr::Model(m.id.clone()));
                if added == 0 {
                    continue;
                }
                let out = match roundtrip_json(api, &m.id, &inner) {
                    Some(Ok(out)) => out,
                    other => {
                        failures.push(format!("{} (json): {other:?}", e.id));
                        continue;
                    }
                };
                let out = match &wrap {
                    Some(w) => serde_json::json!({ w: out }),
                    None => out,
                };
                if &out != body {
                    failures.push(format!("{} (json): unknown fields changed the result: {out}", e.id));
                }
                json_examples += 1;
                json_fields += added;
            }
            ExampleFormat::Xml => {
                let Some(text) = e.body_text() else { continue };
                let Ok(doc) = schema::xml::parse(text) else { continue };
                let mut injected = doc.clone();
                let touched = inject_xml(&mut injected);
                let is_fault =
                    s.faults.iter().any(|f| Some(&f.name) == wrap.as_ref() && f.model.as_deref() == Some(m.id.as_str()));
                let root = if is_fault { wrap.clone() } else { m.xml.as_ref().and_then(|x| x.element.clone()) };
                let Some(root) = root else { continue };
                let injected_text = injected.to_xml(&[]);
                let out = match roundtrip_xml(api, &m.id, &root, &injected_text) {
                    Some(Ok(out)) => out,
                    other => {
                        failures.push(format!("{} (xml): {other:?}\n  input: {injected_text}", e.id));
                        continue;
                    }
                };
                let again = schema::xml::parse(&out).expect("encoded XML parses");
                // The result without the unknown content: the example's own re-encoding.
                let Some(Ok(clean)) = roundtrip_xml(api, &m.id, &root, text) else { continue };
                let clean = schema::xml::parse(&clean).expect("encoded XML parses");
                let a = grouped(&clean, &entries, &mut 0);
                let b = grouped(&again, &entries, &mut 0);
                if let Some(d) = first_difference(&a, &b, "") {
                    failures.push(format!("{} (xml): unknown content changed the result at {d}", e.id));
                }
                xml_examples += 1;
                xml_elements += touched;
            }
            _ => {}
        }
    }
    println!("unknown content ignored: {json_fields} unknown JSON fields in {json_examples} examples, unknown attributes and elements on {xml_elements} XML elements in {xml_examples} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(json_examples > 50 && xml_examples > 50, "too few examples exercised");
}

#[test]
fn every_enum_keeps_an_unknown_value() {
    let s = shipped();
    let mut checked = 0;
    for m in s.models.iter().filter(|m| m.kind == ModelKind::Enum) {
        let api = m.api().expect("every model has an API");
        let documented: Vec<&str> = m.enum_values().iter().map(|v| v.value.as_str()).collect();
        for value in ["NOT_A_DOCUMENTED_VALUE", "späť <&> \"x\"", ""] {
            assert!(!documented.contains(&value));
            let v = Value::String(value.to_string());
            let out = roundtrip_json(api, &m.id, &v).unwrap_or_else(|| panic!("no roundtrip_json for enum {}", m.id));
            // Only `Unknown(String)` holds a spelling that no documented variant has.
            assert_eq!(out, Ok(v), "{}: an unknown value is kept as received", m.id);
        }
        for value in documented {
            let v = Value::String(value.to_string());
            assert_eq!(roundtrip_json(api, &m.id, &v), Some(Ok(v)), "{}: documented value {value}", m.id);
        }
        checked += 1;
    }
    println!("enums checked for unknown values: {checked}");
    assert_eq!(checked, s.models.iter().filter(|m| m.kind == ModelKind::Enum).count());
    assert!(checked > 10);
}

#[test]
fn an_unknown_status_decodes_into_unknown_in_both_formats() {
    use generated::v2::models::{Server, ServerStatus};
    use runtime::xml::{decode_root, encode_root, FromXml};
    assert_eq!(ServerStatus::from("HIBERNATING"), ServerStatus::Unknown("HIBERNATING".into()));
    assert_eq!(ServerStatus::from("ACTIVE").as_str(), "ACTIVE");
    assert!(!matches!(ServerStatus::from("ACTIVE"), ServerStatus::Unknown(_)));

    let json = serde_json::json!({"id": "52415800-8b69-11e0-9b19-734f000004d2", "status": "HIBERNATING", "future": 1});
    let server: Server = serde_json::from_value(json).expect("decodes");
    assert_eq!(server.status, Some(ServerStatus::Unknown("HIBERNATING".into())));
    assert_eq!(serde_json::to_value(&server).expect("encodes")["status"], "HIBERNATING");

    let ns = generated::ns::V2;
    let xml = format!(r#"<server xmlns="{ns}" id="1" status="HIBERNATING" future="1"><future/></server>"#);
    let server: Server = decode_root(&xml, Some(ns), "server").expect("decodes");
    assert_eq!(server.status, Some(ServerStatus::Unknown("HIBERNATING".into())));
    let again = encode_root(&server, Some(ns), "server", generated::ns::PREFIXES);
    let el = runtime::xml::parse(&again).expect("parses");
    assert_eq!(el.attr(None, "status"), Some("HIBERNATING"));
    assert_eq!(Server::from_xml(&el).expect("decodes again"), server);
}
