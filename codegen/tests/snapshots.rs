//! Snapshots of the generated code, reviewed with `cargo insta review` when the schema or
//! the generator changes. Every snapshot is also compiled: the `generated` crate builds the
//! models of the shipped schema, and the `fixture` example crate builds the fixture's code.

use schema::{Api, Schema};
use std::collections::BTreeSet;
use std::path::Path;

const RACKCONNECT: Api = Api::new("rackconnect");

fn shipped() -> Schema {
    Schema::load_default().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn models_of_each_api() {
    let schema = shipped();
    for api in schema.api_keys() {
        let code = codegen::render_models(&schema, api).unwrap_or_else(|e| panic!("{e}"));
        insta::assert_snapshot!(format!("models_{}", schema.api(api).map_or(api.as_str(), |a| a.module.as_str())), code);
    }
}

#[test]
fn fixture_with_every_mapping_form() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mappings");
    let schema = Schema::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let code = codegen::generate(&schema, &BTreeSet::new()).unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!("fixture_mappings", code);
}

#[test]
fn output_is_deterministic() {
    let schema = shipped();
    let a = codegen::generate(&schema, &BTreeSet::new()).unwrap();
    let b = codegen::generate(&shipped(), &BTreeSet::new()).unwrap();
    assert!(a == b, "two generations of the same schema differ");
    assert!(a.starts_with("// @generated"));
}

#[test]
fn a_broken_schema_stops_generation_with_the_loader_message() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    std::fs::write(tmp.path().join("data/namespaces.json"), "{\"namespaces\": [}").unwrap();
    let err = codegen::Builder::new(tmp.path()).generate().unwrap_err().to_string();
    assert!(err.contains("data/namespaces.json:1") && err.contains("not valid JSON"), "{err}");
}

#[test]
fn clients_can_be_left_out() {
    let schema = shipped();
    let apis = BTreeSet::from([RACKCONNECT]);
    let with = codegen::generate_with(&schema, &apis, true).unwrap();
    let without = codegen::generate_with(&schema, &apis, false).unwrap();
    assert!(with.contains("pub mod client"));
    assert!(!without.contains("pub mod client"));
    assert!(without.contains("pub mod models") && without.contains("pub mod limits"));
}
