//! Wire names that are Rust keywords or reserved words, or that clash once made Rust
//! names, give valid code that keeps the wire name; a field limit the generator cannot resolve stops generation with an error.

use schema::{Api, Schema};
use std::collections::BTreeSet;
use std::path::Path;

const V2: Api = Api::new("v2");

fn keywords_fixture() -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keywords");
    Schema::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

/// Every item of the file, modules entered.
fn items(file: &syn::File) -> Vec<&syn::Item> {
    fn walk<'a>(items: &'a [syn::Item], out: &mut Vec<&'a syn::Item>) {
        for i in items {
            out.push(i);
            if let syn::Item::Mod(m) = i {
                if let Some((_, inner)) = &m.content {
                    walk(inner, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&file.items, &mut out);
    out
}

/// Every named field of every struct called `name`, with its `serde(rename)` if any.
fn fields_of(file: &syn::File, name: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for i in items(file) {
        let syn::Item::Struct(s) = i else { continue };
        if s.ident != name {
            continue;
        }
        for f in &s.fields {
            let Some(id) = &f.ident else { continue };
            let mut rename = None;
            for a in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                let _ = a.parse_nested_meta(|m| {
                    if m.path.is_ident("rename") {
                        rename = Some(m.value()?.parse::<syn::LitStr>()?.value());
                    }
                    Ok(())
                });
            }
            out.push((id.to_string(), rename));
        }
    }
    out
}

fn variants_of(file: &syn::File, name: &str) -> Vec<String> {
    items(file)
        .into_iter()
        .filter_map(|i| match i {
            syn::Item::Enum(e) if e.ident == name => Some(e.variants.iter().map(|v| v.ident.to_string()).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn keyword_wire_names_give_code_that_parses_and_keeps_the_wire_name() {
    let schema = keywords_fixture();
    for clients in [false, true] {
        let code = codegen::generate_with(&schema, &BTreeSet::new(), clients).unwrap_or_else(|e| panic!("{e}"));
        let file = syn::parse_file(&code).unwrap_or_else(|e| panic!("generated code does not parse: {e}"));
        let fields = fields_of(&file, "Thing");
        let names: BTreeSet<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.len(), fields.len(), "two fields share a name: {fields:?}");
        for (rust, wire) in [("yield_", "yield"), ("try_", "try"), ("box_", "box"), ("type_", "type"), ("self_", "self"), ("async_", "async")] {
            let hit = fields.iter().find(|(n, _)| n == rust);
            assert_eq!(hit.map(|(_, r)| r.as_deref()), Some(Some(wire)), "field {rust} with serde rename {wire:?} in {fields:?}");
            // The tolerant reader matches the wire name.
            assert!(code.contains(&format!("\"{wire}\" =>")), "no reader arm for `{wire}`");
        }
        // Wire names that differ only by case or word separator get distinct Rust names.
        for (rust, wire) in [("self__2", "Self"), ("foo_bar", "fooBar"), ("foo_bar_2", "foo_bar")] {
            let hit = fields.iter().find(|(n, _)| n == rust);
            assert!(hit.is_some(), "field {rust} for wire name {wire} in {fields:?}");
            assert!(code.contains(&format!("\"{wire}\" =>")), "no reader arm for `{wire}`");
        }
        let variants = variants_of(&file, "Kind");
        for v in ["Self_", "Self__", "Yield", "Crate", "Active"] {
            assert!(variants.iter().any(|x| x == v), "variant {v} in {variants:?}");
        }
        assert!(code.contains("\"Self\" => Kind::Self_") || code.contains("\"Self\" => Self::Self_"), "`Self` reads as Kind::Self_");
        // The validator reaches the keyword field.
        assert!(code.contains("yield_"), "validator");
        assert!(code.contains("fn validate_things_try"), "validator of v2.things.try");
    }
}

#[test]
fn a_field_limit_that_does_not_resolve_stops_generation() {
    let mut schema = Schema::load_default().unwrap_or_else(|e| panic!("{e}"));
    let l = schema.limits.iter_mut().find(|l| l.id == "v2.field.metadata-key").expect("shipped limit");
    let schema::limits::LimitKind::Field { field, .. } = &mut l.kind else { panic!("not a field limit") };
    *field = Some("metdata{key} | meta{key}".into());
    let err = codegen::generate_with(&schema, &BTreeSet::from([V2]), false).expect_err("generation went on");
    assert!(matches!(err, codegen::Error::UnresolvedLimit { .. }), "{err}");
    let msg = err.to_string();
    for part in ["v2.field.metadata-key", "v2.servers.create", "`metdata{key} | meta{key}`", "has no field `metdata`", "has no field `meta`"] {
        assert!(msg.contains(part), "`{part}` missing from: {msg}");
    }
}

#[test]
fn a_field_limit_on_an_operation_without_a_request_stops_generation() {
    let mut schema = keywords_fixture();
    let l = schema.limits.iter_mut().find(|l| l.id == "v2.field.yield").expect("fixture limit");
    let schema::limits::LimitKind::Field { applies_to, .. } = &mut l.kind else { panic!("not a field limit") };
    applies_to.push("v2.things.get".into());
    let err = codegen::generate_with(&schema, &BTreeSet::new(), false).expect_err("generation went on");
    let msg = err.to_string();
    assert!(msg.contains("v2.field.yield") && msg.contains("v2.things.get") && msg.contains("no request body"), "{msg}");
}
