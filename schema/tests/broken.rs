//! The validator rejects deliberately broken schemas with a message that says where and what.
//!
//! Each case copies the minimal fixture, breaks one thing, and expects a diagnostic of a
//! given kind, at a given file and pointer, whose message contains a given phrase.

use cloudservers_schema::{ProblemKind, Schema, SchemaError};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

enum Break {
    /// Replace a file's whole text.
    Text(&'static str, &'static str),
    /// Set the value at a JSON pointer (the parent must exist).
    Set(&'static str, &'static str, Value),
    /// Replace a substring of a file.
    Replace(&'static str, &'static str, &'static str),
}

fn apply(dir: &Path, b: &Break) {
    match b {
        Break::Text(file, text) => fs::write(dir.join(file), text).unwrap(),
        Break::Replace(file, from, to) => {
            let p = dir.join(file);
            let s = fs::read_to_string(&p).unwrap();
            assert!(s.contains(from), "fixture {file} lacks {from}");
            fs::write(p, s.replace(from, to)).unwrap();
        }
        Break::Set(file, pointer, value) => {
            let p = dir.join(file);
            let mut doc: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
            let (parent, key) = pointer.rsplit_once('/').unwrap();
            match doc.pointer_mut(parent).unwrap() {
                Value::Object(o) => {
                    o.insert(key.to_string(), value.clone());
                }
                Value::Array(a) => {
                    let i: usize = key.parse().unwrap();
                    if i < a.len() {
                        a[i] = value.clone();
                    } else {
                        a.push(value.clone());
                    }
                }
                _ => panic!("bad pointer {pointer}"),
            }
            fs::write(p, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
        }
    }
}

fn expect(name: &str, breaks: &[Break], kind: ProblemKind, at: &str, phrase: &str) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    for b in breaks {
        apply(tmp.path(), b);
    }
    let err = match Schema::load(tmp.path()) {
        Ok(_) => panic!("{name}: the broken schema loaded"),
        Err(SchemaError::Invalid { diagnostics, .. }) => diagnostics,
        Err(e) => panic!("{name}: unexpected error {e}"),
    };
    let hit = err.0.iter().any(|d| d.kind == kind && d.location.to_string().starts_with(at) && d.message.contains(phrase));
    assert!(hit, "{name}: expected {kind:?} at {at} containing {phrase:?}, got:\n{err}");
}

const OPS: &str = "data/cloud-servers-v2/operations.json";
const MODELS: &str = "data/cloud-servers-v2/models.json";
const EXAMPLES: &str = "data/cloud-servers-v2/examples/examples.json";

#[test]
fn the_fixture_itself_is_valid() {
    let s = Schema::load(fixture()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.examples.len(), 3);
}

#[test]
fn invalid_json_names_file_and_line() {
    expect("syntax", &[Break::Text(OPS, "{\"operations\": [\n  {\"id\": \"x\",,}\n]}")], ProblemKind::Syntax, "data/cloud-servers-v2/operations.json:2", "not valid JSON");
}

#[test]
fn unknown_key_in_an_operation() {
    expect("unknown key", &[Break::Set(OPS, "/operations/0/methd", json!("GET"))], ProblemKind::Shape, "data/cloud-servers-v2/operations.json#/operations/0", "unknown field `methd`");
}

#[test]
fn wrong_type_of_a_value_names_the_pointer() {
    expect("status type", &[Break::Set(OPS, "/operations/0/responses/0/status", json!("two hundred"))], ProblemKind::Shape, "data/cloud-servers-v2/operations.json#/operations/0/responses/0/status", "invalid type");
}

#[test]
fn unknown_document_key() {
    expect("doc key", &[Break::Set(OPS, "/operations/0/source/document", json!("cloud-servers-v3"))], ProblemKind::Shape, "data/cloud-servers-v2/operations.json#/operations/0/source/document", "unknown variant `cloud-servers-v3`");
}

#[test]
fn duplicate_ids() {
    let dup = json!({"id": "v2.ServerStatus", "kind": "enum", "source": {"document": "cloud-servers-v2", "ref": "x"}, "values": [{"value": "A"}]});
    expect("duplicate", &[Break::Set(MODELS, "/models/9", dup)], ProblemKind::Duplicate, "data/cloud-servers-v2/models.json#/models/4/id", "duplicate model id `v2.ServerStatus`");
}

#[test]
fn unknown_fault_reference() {
    expect("fault ref", &[Break::Set(OPS, "/operations/0/faults/0/fault", json!("v2.noSuchFault"))], ProblemKind::Reference, "data/cloud-servers-v2/operations.json#/operations/0/faults/0", "unknown fault `v2.noSuchFault`");
}

#[test]
fn transition_to_an_unknown_state() {
    expect("state", &[Break::Set("data/cloud-servers-v2/state-machines.json", "/state_machines/0/transitions/0/to", json!("ACTIV"))], ProblemKind::Reference, "data/cloud-servers-v2/state-machines.json#/state_machines/0/transitions/0/to", "`ACTIV` is not a state");
}

#[test]
fn transition_condition_without_a_request_to_read() {
    let sm = "data/cloud-servers-v2/state-machines.json";
    expect(
        "when",
        &[Break::Set(sm, "/state_machines/0/transitions/0/operation", json!("v2.servers.get")), Break::Set(sm, "/state_machines/0/transitions/0/when", json!({"field": "type", "equals": "HARD"}))],
        ProblemKind::Reference,
        "data/cloud-servers-v2/state-machines.json#/state_machines/0/transitions/0/when",
        "v2.servers.get has no request body for the condition to read",
    );
}

#[test]
fn enum_and_machine_disagree() {
    expect("subject", &[Break::Set(MODELS, "/models/2/values/2", json!({"value": "ERROR"}))], ProblemKind::Consistency, "data/cloud-servers-v2/state-machines.json#/state_machines/0/subject", "value `ERROR` that is not a state");
}

#[test]
fn unknown_type_name() {
    expect("type", &[Break::Set(MODELS, "/models/0/fields/1/type", json!("str"))], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/0", "unknown type `str`");
}

#[test]
fn path_placeholder_without_parameter() {
    expect("placeholder", &[Break::Set(OPS, "/operations/0/path", json!("/servers/{server_id}/ips/{network_id}"))], ProblemKind::Reference, "data/cloud-servers-v2/operations.json#/operations/0/path", "`{network_id}` has no entry");
}

#[test]
fn example_of_an_unknown_operation() {
    expect("example op", &[Break::Set(EXAMPLES, "/examples/0/operation", json!("v2.servers.gte"))], ProblemKind::Reference, "data/cloud-servers-v2/examples/examples.json#/examples/0/operation", "unknown operation `v2.servers.gte`");
}

#[test]
fn json_example_with_an_undocumented_field() {
    expect("extra key", &[Break::Set(EXAMPLES, "/examples/0/body/server/flavour", json!("1"))], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/0/body", "undocumented key `flavour`");
}

#[test]
fn json_example_missing_a_required_field() {
    expect("required", &[Break::Set(EXAMPLES, "/examples/0/body/server", json!({"name": "x"}))], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/0/body", "missing required field `id`");
}

#[test]
fn json_example_with_an_undocumented_status_value() {
    expect("enum", &[Break::Set(EXAMPLES, "/examples/0/body/server/status", json!("ACTIVATING"))], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/0/body", "value \"ACTIVATING\" not among the documented values of v2.ServerStatus");
}

#[test]
fn xml_example_not_well_formed() {
    expect("xml syntax", &[Break::Set(EXAMPLES, "/examples/1/body", json!("<server xmlns=\"http://docs.openstack.org/compute/api/v1.1\" id\"1\"/>"))], ProblemKind::Syntax, "data/cloud-servers-v2/examples/examples.json#/examples/1/body", "not well-formed XML");
}

#[test]
fn xml_example_in_the_wrong_namespace() {
    expect("xml ns", &[Break::Replace(EXAMPLES, "xmlns=\\\"http://docs.openstack.org/compute/api/v1.1\\\"", "xmlns=\\\"https://docs.openstack.org/compute/api/v1.1\\\"")], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/1/body", "root element in namespace https://docs.openstack.org/compute/api/v1.1, documented http://docs.openstack.org/compute/api/v1.1");
}

#[test]
fn xml_example_with_an_undocumented_attribute() {
    expect("xml attr", &[Break::Replace(EXAMPLES, "status=\\\"BUILD\\\"", "status=\\\"BUILD\\\" progress=\\\"5\\\"")], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/1/body", "undocumented attribute progress");
}

#[test]
fn fault_example_with_a_code_the_fault_does_not_have() {
    expect("fault status", &[Break::Set(EXAMPLES, "/examples/2/status", json!(500))], ProblemKind::Conformance, "data/cloud-servers-v2/examples/examples.json#/examples/2/status", "status 500 is not a code of fault v2.itemNotFound");
}

#[test]
fn xsd_lacking_a_mapped_element() {
    expect("xsd decl", &[Break::Replace("xsd/mini.xsd", "<xs:element name=\"metadata\" type=\"Metadata\" minOccurs=\"0\"/>", "")], ProblemKind::Xsd, "data/cloud-servers-v2/models.json#/models/0/fields/3/xml", "element `v2:metadata` used by v2.Server is not declared");
}

#[test]
fn xsd_with_the_wrong_target_namespace() {
    expect("xsd ns", &[Break::Replace("xsd/mini.xsd", "targetNamespace=\"http://docs.openstack.org/compute/api/v1.1\"", "targetNamespace=\"urn:other\"")], ProblemKind::Xsd, "xsd/mini.xsd", "targetNamespace is Some(\"urn:other\")");
}

/// Well-formed XML, but an XML Schema that imports a file that is not there.
const XSD_IMPORTING_A_MISSING_FILE: Break =
    Break::Replace("xsd/mini.xsd", "elementFormDefault=\"qualified\">", "elementFormDefault=\"qualified\">\n  <xs:import namespace=\"urn:missing\" schemaLocation=\"missing.xsd\"/>");

/// With the `xsd` feature (the command line's), every XSD must parse as XML Schema.
#[cfg(feature = "xsd")]
#[test]
fn xsd_that_does_not_parse_as_xml_schema() {
    expect("xsd parse", &[XSD_IMPORTING_A_MISSING_FILE], ProblemKind::Xsd, "xsd/mini.xsd", "xsd-parser: ");
}

/// Without the `xsd` feature (a build script's load), the XSDs are read for their names only.
#[cfg(not(feature = "xsd"))]
#[test]
fn xsd_that_does_not_parse_as_xml_schema() {
    loads("xsd parse", &[XSD_IMPORTING_A_MISSING_FILE]);
}

#[test]
fn limit_with_a_misspelt_key() {
    expect("limit key", &[Break::Set("data/cloud-servers-v2/limits.json", "/limits/0/vlaue", json!(3))], ProblemKind::Shape, "data/cloud-servers-v2/limits.json#/limits/0/vlaue", "unexpected key `vlaue`");
}

#[test]
fn stray_file_in_a_document_directory() {
    expect("stray", &[Break::Text("data/cloud-servers-v2/operation.json", "{}")], ProblemKind::Shape, "data/cloud-servers-v2/operation.json", "unexpected file `operation.json`");
}

#[test]
fn missing_directory_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(matches!(Schema::load(tmp.path().join("nope")), Err(SchemaError::Directory { .. })));
}

const LIMITS: &str = "data/cloud-servers-v2/limits.json";

#[test]
fn union_with_an_unknown_variant() {
    let union = json!({"id": "v2.ServerOrNothing", "kind": "union", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "variants": [{"model": "v2.Server", "wrap": "server"}, {"model": "v2.NoSuchModel"}]});
    expect("union variant", &[Break::Set(MODELS, "/models/9", union)], ProblemKind::Reference, "data/cloud-servers-v2/models.json#/models/4/variants/1/model", "unknown model `v2.NoSuchModel`");
}

#[test]
fn union_without_variants() {
    let union = json!({"id": "v2.Empty", "kind": "union", "source": {"document": "cloud-servers-v2", "ref": "x"}});
    expect("union empty", &[Break::Set(MODELS, "/models/9", union)], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/4", "needs `variants`");
}

#[test]
fn field_limit_whose_absolute_is_not_absolute() {
    let field = json!({"id": "v2.field.meta", "kind": "field", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "name": "metadata items", "max_count": 20, "absolute": "v2.rate.get-any", "applies_to": ["v2.servers.get"]});
    expect("absolute kind", &[Break::Set(LIMITS, "/limits/1", field)], ProblemKind::Reference, "data/cloud-servers-v2/limits.json#/limits/1/absolute", "`v2.rate.get-any` is not an absolute limit");
}

#[test]
fn usage_counting_an_unknown_limit() {
    let usage = json!({"id": "v2.usage.ram", "kind": "usage", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "name": "totalRAMUsed", "counts": "v2.absolute.maxNothing"});
    expect("usage counts", &[Break::Set(LIMITS, "/limits/1", usage)], ProblemKind::Reference, "data/cloud-servers-v2/limits.json#/limits/1/counts", "unknown limit `v2.absolute.maxNothing`");
}

#[test]
fn usage_with_an_enforcement_key() {
    let usage = json!({"id": "v2.usage.ram", "kind": "usage", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "name": "totalRAMUsed", "enforced_by": ["v2.servers.get"]});
    expect("usage key", &[Break::Set(LIMITS, "/limits/1", usage)], ProblemKind::Shape, "data/cloud-servers-v2/limits.json#/limits/1/enforced_by", "unexpected key `enforced_by`");
}

#[test]
fn operation_missing_a_rate_limit_its_path_selects() {
    let rate = json!({"id": "v2.rate.get-servers", "kind": "rate", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "Table 1.3"},
        "verb": "GET", "uri": "/servers", "regex": "^/servers", "value": 1000, "unit": "DAY"});
    expect("rate derived", &[Break::Set(LIMITS, "/limits/1", rate)], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/0/limits", "missing [\"v2.rate.get-servers\"]");
}

#[test]
fn operation_listing_a_rate_limit_its_path_does_not_select() {
    let rate = json!({"id": "v2.rate.get-images", "kind": "rate", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "verb": "GET", "uri": "/images", "regex": "^/images", "value": 10, "unit": "DAY"});
    expect("rate extra", &[Break::Set(LIMITS, "/limits/1", rate), Break::Set(OPS, "/operations/0/limits/1", json!("v2.rate.get-images"))], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/0/limits", "not selected [\"v2.rate.get-images\"]");
}

#[test]
fn rate_limit_with_a_bad_regex() {
    expect("regex", &[Break::Set(LIMITS, "/limits/0/regex", json!("^/servers("))], ProblemKind::Shape, "data/cloud-servers-v2/limits.json#/limits/0/regex", "not a regular expression");
}

#[test]
fn nullable_values_on_a_non_map() {
    expect("nullable_values", &[Break::Set(MODELS, "/models/0/nullable_values", json!(true))], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/0/nullable_values", "only a map has `nullable_values`");
}

// Field paths and other path-like references resolve.

const MACHINES: &str = "data/cloud-servers-v2/state-machines.json";
const FAULTS: &str = "data/cloud-servers-v2/faults.json";

/// An operation whose request is a `v2.Server` inside `server`, for field limits to bound.
fn update_operation() -> Break {
    Break::Set(OPS, "/operations/1", json!({
        "id": "v2.servers.update", "api": "v2", "name": "Update Server",
        "source": {"document": "cloud-servers-v2", "ref": "Section 2.1.4"},
        "method": "PUT", "path": "/servers/{server_id}",
        "path_params": [{"name": "server_id", "type": "uuid", "required": true}],
        "request": {"model": "v2.Server", "wrap": "server", "formats": ["json"]},
        "responses": [{"status": 200, "model": "v2.Server", "wrap": "server", "formats": ["json"]}]
    }))
}

fn field_limit(path: &str, bound: (&str, u64), applies_to: &[&str]) -> Break {
    let mut l = json!({"id": "v2.field.test", "kind": "field", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "name": "test", "field": path, "applies_to": applies_to});
    l[bound.0] = json!(bound.1);
    Break::Set(LIMITS, "/limits/1", l)
}

fn loads(name: &str, breaks: &[Break]) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    for b in breaks {
        apply(tmp.path(), b);
    }
    if let Err(e) = Schema::load(tmp.path()) {
        panic!("{name}: expected the schema to load, got {e}");
    }
}

const FIELD_AT: &str = "data/cloud-servers-v2/limits.json#/limits/1/field";

#[test]
fn field_paths_that_resolve_load() {
    loads("map keys", &[update_operation(), field_limit("metadata{key}", ("max_bytes", 255), &["v2.servers.update"])]);
    loads("map count", &[update_operation(), field_limit("metadata{}", ("max_count", 5), &["v2.servers.update"])]);
    loads("wrap key first", &[update_operation(), field_limit("server.name", ("max_bytes", 255), &["v2.servers.update"])]);
    loads("single field counted", &[update_operation(), field_limit("name", ("max_count", 1), &["v2.servers.update"])]);
    loads("enum as text", &[update_operation(), field_limit("status", ("max_bytes", 16), &["v2.servers.update"])]);
}

#[test]
fn field_path_naming_an_unknown_field() {
    expect("field name", &[update_operation(), field_limit("metdata{key}", ("max_bytes", 255), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "v2.Server has no field `metdata` (its fields: id, name, status, metadata)");
}

#[test]
fn field_path_with_a_suffix_of_the_wrong_kind() {
    expect("array of a map", &[update_operation(), field_limit("metadata[]", ("max_count", 5), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "`[]` needs an array, the value there is model v2.Metadata");
    expect("into a scalar", &[update_operation(), field_limit("name.first", ("max_bytes", 5), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "`first` is a field name but the value there is string");
    expect("bytes of a map", &[update_operation(), field_limit("metadata", ("max_bytes", 5), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "which has no byte length");
}

#[test]
fn field_path_that_does_not_parse() {
    expect("suffix", &[update_operation(), field_limit("metadata{nope}", ("max_bytes", 255), &["v2.servers.update"])], ProblemKind::Shape, FIELD_AT, "unknown suffix `{nope}`");
}

#[test]
fn field_path_on_an_operation_without_a_request() {
    expect("no request", &[field_limit("metadata{key}", ("max_bytes", 255), &["v2.servers.get"])], ProblemKind::Reference, FIELD_AT, "v2.servers.get: the operation has no request body");
}

#[test]
fn field_path_alternative_that_never_applies() {
    expect("dead alternative", &[update_operation(), field_limit("metadata{key} | meta{key}", ("max_bytes", 255), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "alternative `meta{key}` of field path `metadata{key} | meta{key}` applies to none");
}

#[test]
fn field_path_whose_alternatives_all_fail_names_each() {
    expect("all fail", &[update_operation(), field_limit("meta{key} | metas{key}", ("max_bytes", 255), &["v2.servers.update"])], ProblemKind::Reference, FIELD_AT, "`meta{key}`: v2.Server has no field `meta`");
}

#[test]
fn field_limit_with_a_path_and_no_bound() {
    let l = json!({"id": "v2.field.test", "kind": "field", "api": "v2", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "name": "test", "field": "metadata{}", "applies_to": ["v2.servers.update"]});
    expect("no bound", &[update_operation(), Break::Set(LIMITS, "/limits/1", l)], ProblemKind::Shape, FIELD_AT, "neither `max_bytes` nor `max_count`");
}

#[test]
fn machine_subject_as_a_model_field() {
    loads("subject field", &[Break::Set(MACHINES, "/state_machines/0/subject", json!("v2.Server.status"))]);
    expect("subject no field", &[Break::Set(MACHINES, "/state_machines/0/subject", json!("v2.Server.state"))], ProblemKind::Reference, "data/cloud-servers-v2/state-machines.json#/state_machines/0/subject", "v2.Server has no field `state` (its fields: id, name, status, metadata)");
    expect("subject not enum", &[Break::Set(MACHINES, "/state_machines/0/subject", json!("v2.Server.name"))], ProblemKind::Reference, "data/cloud-servers-v2/state-machines.json#/state_machines/0/subject", "the field's type is string, not an enum");
    expect("subject unknown", &[Break::Set(MACHINES, "/state_machines/0/subject", json!("v2.Servr.status"))], ProblemKind::Reference, "data/cloud-servers-v2/state-machines.json#/state_machines/0/subject", "no enum `v2.Servr.status` and no model `v2.Servr`");
}

#[test]
fn fault_retry_naming_no_field_of_its_model() {
    expect("retry", &[Break::Set(FAULTS, "/faults/0/retry", json!("retryAt"))], ProblemKind::Reference, "data/cloud-servers-v2/faults.json#/faults/0/retry", "`retry` names `retryAt`, which is no field of v2.Fault (its fields: code, message, details)");
}

#[test]
fn unknown_operation_of_a_limit_names_its_key() {
    expect("applies_to", &[field_limit("metadata{key}", ("max_bytes", 255), &["v2.servers.nope"])], ProblemKind::Reference, "data/cloud-servers-v2/limits.json#/limits/1/applies_to/0", "unknown operation `v2.servers.nope`");
}

// A file that does not load is reported first, without the follow-on problems of what it held.

fn diagnostics_of(breaks: &[Break]) -> cloudservers_schema::Diagnostics {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), tmp.path());
    for b in breaks {
        apply(tmp.path(), b);
    }
    match Schema::load(tmp.path()) {
        Ok(_) => panic!("the broken schema loaded"),
        Err(SchemaError::Invalid { diagnostics, .. }) => diagnostics,
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn models_file_that_is_not_json_is_the_only_problem() {
    let d = diagnostics_of(&[Break::Text(MODELS, "{\"models\": [\n  {\"id\": \"v2.Server\",,}\n]}")]);
    let first = &d.0[0];
    assert!(first.kind == ProblemKind::Syntax && first.location.to_string().starts_with("data/cloud-servers-v2/models.json:2"), "first is not the syntax error:\n{d}");
    assert_eq!(d.0.len(), 1, "follow-on problems of the models that did not load:\n{d}");
}

#[test]
fn model_with_an_unknown_key_is_reported_first_and_alone() {
    let d = diagnostics_of(&[Break::Set(MODELS, "/models/0/colour", json!("red"))]);
    let first = &d.0[0];
    assert!(first.kind == ProblemKind::Shape && first.location.to_string() == "data/cloud-servers-v2/models.json#/models/0/colour" && first.message.contains("unknown field `colour`"), "first is not the shape error:\n{d}");
    assert_eq!(d.0.len(), 1, "follow-on problems of v2.Server, which did not load:\n{d}");
}

#[test]
fn an_item_that_did_not_load_hides_only_references_to_it() {
    // v2.Server does not load; a reference to another unknown model is still reported.
    let d = diagnostics_of(&[Break::Set(MODELS, "/models/0/colour", json!("red")), Break::Set(FAULTS, "/faults/0/model", json!("v2.Faults"))]);
    assert_eq!(d.0[0].kind, ProblemKind::Shape, "{d}");
    assert!(d.0.iter().any(|x| x.kind == ProblemKind::Reference && x.message.contains("unknown model `v2.Faults`")), "{d}");
    assert!(!d.0.iter().any(|x| x.message.contains("`v2.Server`")), "{d}");
}

#[test]
fn load_problems_come_before_cross_check_problems() {
    // The cross-check problem is in faults.json, which sorts before models.json.
    let d = diagnostics_of(&[Break::Text(MODELS, "{\"models\": [}"), Break::Set(FAULTS, "/faults/0/codes", json!([]))]);
    assert_eq!(d.0[0].kind, ProblemKind::Syntax, "{d}");
    assert!(d.0.iter().any(|x| x.message.contains("at least one code")), "{d}");
}

const APIS: &str = "data/apis.json";

#[test]
fn an_item_of_an_api_apis_json_does_not_list() {
    expect("unlisted api", &[Break::Set(OPS, "/operations/0/api", json!("v3"))], ProblemKind::Reference, "data/cloud-servers-v2/operations.json#/operations/0/api", "API `v3`, which apis.json does not list");
}

#[test]
fn an_api_module_that_is_no_identifier() {
    expect("module", &[Break::Set(APIS, "/apis/0/module", json!("v-2"))], ProblemKind::Shape, "data/apis.json#/apis/0/module", "not a lower-case Rust identifier");
}

#[test]
fn an_api_key_that_is_no_key() {
    expect("key", &[Break::Set(APIS, "/apis/0/key", json!("v 2"))], ProblemKind::Shape, "data/apis.json#/apis/0/key", "is not an API key");
}

#[test]
fn a_role_that_does_not_fit_its_type() {
    expect("role type", &[Break::Set(MODELS, "/models/0/fields/1/role", json!("fault-code"))], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/0/fields/1/role", "role `fault-code`, which needs integer");
}

#[test]
fn two_fields_of_one_role() {
    expect(
        "role twice",
        &[Break::Set(MODELS, "/models/3/fields/1/role", json!("fault-message")), Break::Set(MODELS, "/models/3/fields/2/role", json!("fault-message"))],
        ProblemKind::Duplicate,
        "data/cloud-servers-v2/models.json#/models/3/fields/1/role",
        "more than one field of v2.Fault has role `fault-message`",
    );
}

#[test]
fn a_token_operation_needs_a_header_to_carry_the_token() {
    expect(
        "no token header",
        &[Break::Set(OPS, "/operations/0/request_headers", json!([]))],
        ProblemKind::Reference,
        "data/cloud-servers-v2/operations.json#/operations/0/auth",
        "no header has role `auth-token`",
    );
}

#[test]
fn a_status_role_on_a_type_no_machine_has() {
    expect("status role", &[Break::Set(MODELS, "/models/0/fields/1/role", json!("status"))], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/0/fields/1/role", "the subject enum of a state machine");
}

#[test]
fn an_unknown_role() {
    expect("role name", &[Break::Set(MODELS, "/models/0/fields/1/role", json!("owner"))], ProblemKind::Shape, "data/cloud-servers-v2/models.json#/models/0", "unknown variant `owner`");
}

#[test]
fn a_paging_parameter_the_operation_lacks() {
    let paging = json!({"id": "v2.pagination", "kind": "pagination", "api": "v2",
        "source": {"document": "cloud-servers-v2", "ref": "Section 1.6"}, "max": 1000,
        "params": {"size": "limit", "marker": "marker"}, "id_field": "id", "applies_to": ["v2.servers.get"]});
    expect("paging", &[Break::Set(LIMITS, "/limits/1", paging)], ProblemKind::Reference, "data/cloud-servers-v2/limits.json#/limits/1/params", "paging parameter `limit` is not a query parameter of v2.servers.get");
}

#[test]
fn marker_paging_without_an_id_field() {
    let paging = json!({"id": "v2.pagination", "kind": "pagination", "api": "v2",
        "source": {"document": "cloud-servers-v2", "ref": "Section 1.6"}, "max": 1000,
        "params": {"size": "limit", "marker": "marker"}, "applies_to": []});
    expect("id field", &[Break::Set(LIMITS, "/limits/1", paging)], ProblemKind::Shape, "data/cloud-servers-v2/limits.json#/limits/1/id_field", "names the item field its marker comes from");
}

#[test]
fn a_format_selector_that_is_no_enumeration_of_formats() {
    let q = json!([{"name": "format", "type": "string", "selects_format": true}]);
    expect("selector", &[Break::Set(OPS, "/operations/0/query", q)], ProblemKind::Shape, "data/cloud-servers-v2/operations.json#/operations/0/query/0/type", "an enumeration of format names");
}

#[test]
fn every_token_header_has_one_name_and_is_a_secret() {
    let other = json!({"name": "X-Other-Token", "required": true, "secret": true, "role": "auth-token"});
    let exchange = json!({
        "id": "v2.login", "api": "v2", "name": "Login", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "method": "GET", "path": "/login", "auth": "credentials",
        "request_headers": [{"name": "X-User", "role": "auth-user"}, {"name": "X-Key", "role": "auth-key", "secret": true}],
        "responses": [{"status": 204, "headers": [{"name": "X-Auth-Token", "role": "auth-token"}]}]
    });
    expect("two names", &[Break::Set(OPS, "/operations/1", exchange.clone()), Break::Set(OPS, "/operations/0/request_headers/0", other)], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/1/responses/0/headers/0", "every header with role `auth-token` has one name");
    let shown = json!({"name": "X-Auth-Token", "required": true, "secret": false, "role": "auth-token"});
    expect("not secret", &[Break::Set(OPS, "/operations/0/request_headers/0", shown)], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/0/request_headers/0/secret", "its value is a secret");
    let mut keyless = exchange.clone();
    keyless["request_headers"] = json!([{"name": "X-User", "role": "auth-user"}]);
    expect("no key", &[Break::Set(OPS, "/operations/1", keyless)], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/1/request_headers", "no key (`auth-key`)");
    let user_on_token_op = json!({"name": "X-User", "role": "auth-user"});
    expect("misplaced", &[Break::Set(OPS, "/operations/0/request_headers/1", user_on_token_op)], ProblemKind::Consistency, "data/cloud-servers-v2/operations.json#/operations/0/request_headers/1/role", "does not fit an operation with auth `Token`");
    expect("bad role", &[Break::Set(OPS, "/operations/1", json!({
        "id": "v2.login", "api": "v2", "name": "Login", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "method": "GET", "path": "/login", "auth": "credentials",
        "responses": [{"status": 204, "headers": [{"name": "X-Auth-Token", "role": "token"}]}]
    }))], ProblemKind::Shape, "data/cloud-servers-v2/operations.json#/operations/1/responses/0/headers/0", "a response header is a name, or an object");
}

#[test]
fn identity_roles_fit_their_types() {
    expect(
        "expiry as a string",
        &[Break::Set(MODELS, "/models/0/fields/1/role", json!("token-expires"))],
        ProblemKind::Shape,
        "data/cloud-servers-v2/models.json#/models/0/fields/1/role",
        "has role `token-expires`, which needs datetime",
    );
    expect(
        "credentials without a secret",
        &[Break::Set(MODELS, "/models/0/fields/1/role", json!("password-credentials"))],
        ProblemKind::Shape,
        "data/cloud-servers-v2/models.json#/models/0/fields/1/role",
        "needs a model with a `credential-user` and a `credential-secret` field",
    );
    let creds = json!({"id": "v2.Creds", "kind": "object", "source": {"document": "cloud-servers-v2", "ref": "x"},
        "fields": [{"name": "user", "type": "string", "role": "credential-user"}]});
    let field = json!({"name": "creds", "type": {"model": "v2.Creds"}, "role": "api-key-credentials"});
    expect(
        "credentials model lacks its secret",
        &[Break::Set(MODELS, "/models/9", creds), Break::Set(MODELS, "/models/0/fields/9", field)],
        ProblemKind::Consistency,
        "data/cloud-servers-v2/models.json#/models/0/fields/4/role",
        "has no field with role `credential-secret`",
    );
}

#[test]
fn one_value_names_each_api() {
    expect(
        "two names for v2",
        &[
            Break::Set(MODELS, "/models/2/values/0/api", json!("v2")),
            Break::Set(MODELS, "/models/2/values/1/api", json!("v2")),
        ],
        ProblemKind::Duplicate,
        "data/cloud-servers-v2/models.json#/models/2/values/1/api",
        "stands for API v2",
    );
}

#[test]
fn machine_metadata_held_by_an_unknown_model() {
    let slot = json!({"model": "v2.Nowhere", "key": "k", "source": {"document": "cloud-servers-v2", "ref": "Section 2.1.1"}});
    expect("metadata", &[Break::Set("data/cloud-servers-v2/state-machines.json", "/state_machines/0/metadata", slot)], ProblemKind::Reference, "data/cloud-servers-v2/state-machines.json#/state_machines/0/metadata/model", "no model `v2.Nowhere`");
}

// Path parameter sources: an operation of the same API whose success response yields the value.

/// An operation that answers with a `v2.Server` inside `server`, for path parameters to
/// take their values from.
fn create_operation(id: &str, api: &str) -> Break {
    Break::Set(OPS, "/operations/1", json!({
        "id": id, "api": api, "name": "Create Server",
        "source": {"document": "cloud-servers-v2", "ref": "Section 2.1.1"},
        "method": "POST", "path": "/servers",
        "request": {"model": "v2.Server", "wrap": "server", "formats": ["json"]},
        "responses": [{"status": 202, "model": "v2.Server", "wrap": "server", "formats": ["json"]}]
    }))
}

fn server_id_from(operation: &str, pointer: &str) -> Break {
    Break::Set(OPS, "/operations/0/path_params/0/source", json!({"operation": operation, "pointer": pointer}))
}

const SOURCE_AT: &str = "data/cloud-servers-v2/operations.json#/operations/0/path_params/0/source";

#[test]
fn param_sources_that_resolve_load() {
    loads("create id", &[create_operation("v2.servers.create", "v2"), server_id_from("v2.servers.create", "/server/id")]);
    loads(
        "any key of a map",
        &[create_operation("v2.servers.create", "v2"), server_id_from("v2.servers.create", "/server/metadata/*"), Break::Set(OPS, "/operations/0/path_params/0/type", json!("string"))],
    );
}

#[test]
fn param_source_naming_an_unknown_operation() {
    expect(
        "unknown source",
        &[server_id_from("v2.servers.craete", "/server/id")],
        ProblemKind::Reference,
        &format!("{SOURCE_AT}/operation"),
        "`server_id` of v2.servers.get: source operation `v2.servers.craete` does not exist",
    );
}

#[test]
fn param_source_of_another_api() {
    expect(
        "other API",
        &[create_operation("v1.0.servers.create", "v1.0"), server_id_from("v1.0.servers.create", "/server/id")],
        ProblemKind::Consistency,
        &format!("{SOURCE_AT}/operation"),
        "source operation v1.0.servers.create is of API v1.0, not v2",
    );
}

#[test]
fn param_source_that_needs_the_parameter_itself() {
    expect("cycle", &[server_id_from("v2.servers.get", "/server/id")], ProblemKind::Consistency, &format!("{SOURCE_AT}/operation"), "needs a value that comes from v2.servers.get itself");
}

#[test]
fn param_source_pointer_that_does_not_resolve() {
    let create = || create_operation("v2.servers.create", "v2");
    let at = format!("{SOURCE_AT}/pointer");
    expect(
        "unknown field",
        &[create(), server_id_from("v2.servers.create", "/server/uuid")],
        ProblemKind::Reference,
        &at,
        "`server_id` of v2.servers.get: pointer `/server/uuid` does not resolve in the success response of v2.servers.create (v2.Server): v2.Server has no field `uuid`",
    );
    expect("no wrap key", &[create(), server_id_from("v2.servers.create", "/id")], ProblemKind::Reference, &at, "the body is wrapped in `server`, so the pointer starts with `/server`");
    expect("not a scalar", &[create(), server_id_from("v2.servers.create", "/server/metadata")], ProblemKind::Reference, &at, "the pointer ends at model v2.Metadata, which is not a scalar");
    expect("index into an object", &[create(), server_id_from("v2.servers.create", "/server/0")], ProblemKind::Reference, &at, "v2.Server has no field `0`");
    expect("any key of an object", &[create(), server_id_from("v2.servers.create", "/server/*")], ProblemKind::Reference, &at, "`*` (any key) needs a map, the value there is model v2.Server");
    expect("star inside", &[create(), server_id_from("v2.servers.create", "/server/metadata/*/x")], ProblemKind::Shape, &at, "`*` (any key of a map) must end it");
    expect("no slash", &[create(), server_id_from("v2.servers.create", "server/id")], ProblemKind::Shape, &at, "does not start with `/`");
}

#[test]
fn param_source_of_the_wrong_type() {
    expect(
        "string for a uuid",
        &[create_operation("v2.servers.create", "v2"), server_id_from("v2.servers.create", "/server/name")],
        ProblemKind::Consistency,
        &format!("{SOURCE_AT}/pointer"),
        "`server_id` of v2.servers.get is uuid, but pointer `/server/name` of v2.servers.create reaches string",
    );
    expect(
        "map keys for a uuid",
        &[create_operation("v2.servers.create", "v2"), server_id_from("v2.servers.create", "/server/metadata/*")],
        ProblemKind::Consistency,
        &format!("{SOURCE_AT}/pointer"),
        "reaches the keys of a map, which are strings",
    );
}

#[test]
fn param_source_operation_without_a_body() {
    let create = Break::Set(OPS, "/operations/1", json!({
        "id": "v2.servers.create", "api": "v2", "name": "Create Server",
        "source": {"document": "cloud-servers-v2", "ref": "Section 2.1.1"},
        "method": "POST", "path": "/servers",
        "responses": [{"status": 202}]
    }));
    expect("no body", &[create, server_id_from("v2.servers.create", "/server/id")], ProblemKind::Reference, &format!("{SOURCE_AT}/pointer"), "has no success response with a body");
}

// Request field sources (`value_from`): a field of a request model takes its value from the
// success response of an operation of the same API, as a path parameter's `source` does.

/// `value_from` on field `field` (by index) of v2.Server, which `create_operation` makes a
/// request model.
fn server_field_from(field: usize, operation: &str, pointer: &str) -> Break {
    let at: &'static str = match field {
        0 => "/models/0/fields/0/value_from",
        1 => "/models/0/fields/1/value_from",
        _ => panic!("no such fixture field"),
    };
    Break::Set(MODELS, at, json!({"operation": operation, "pointer": pointer}))
}

const VALUE_FROM_AT: &str = "data/cloud-servers-v2/models.json#/models/0/fields/1/value_from";

#[test]
fn field_sources_that_resolve_load() {
    let create = || create_operation("v2.servers.create", "v2");
    loads("same type", &[create(), server_field_from(1, "v2.servers.get", "/server/name")]);
    loads("a string takes a uuid", &[create(), server_field_from(1, "v2.servers.get", "/server/id")]);
    loads("a string takes an enum", &[create(), server_field_from(1, "v2.servers.get", "/server/status")]);
    // A model the request body reaches through a field is a request model too.
    let wrapper = Break::Set(MODELS, "/models/4", json!({
        "id": "v2.ServerWrapper", "kind": "object", "source": {"document": "cloud-servers-v2", "ref": "Table 2.3"},
        "fields": [{"name": "server", "type": {"model": "v2.Server"}, "xml": {"json_only": true}}]
    }));
    let wrapped = Break::Set(OPS, "/operations/1/request", json!({"model": "v2.ServerWrapper", "formats": ["json"]}));
    loads("nested in the request", &[create(), wrapper, wrapped, server_field_from(1, "v2.servers.get", "/server/name")]);
}

#[test]
fn field_source_naming_an_unknown_operation() {
    expect(
        "unknown source",
        &[create_operation("v2.servers.create", "v2"), server_field_from(1, "v2.images.lst", "/images/0/id")],
        ProblemKind::Reference,
        &format!("{VALUE_FROM_AT}/operation"),
        "`name` of v2.Server: source operation `v2.images.lst` does not exist",
    );
}

#[test]
fn field_source_pointer_that_does_not_resolve() {
    let create = || create_operation("v2.servers.create", "v2");
    let at = format!("{VALUE_FROM_AT}/pointer");
    expect(
        "unknown field",
        &[create(), server_field_from(1, "v2.servers.get", "/server/nmae")],
        ProblemKind::Reference,
        &at,
        "`name` of v2.Server: pointer `/server/nmae` does not resolve in the success response of v2.servers.get (v2.Server): v2.Server has no field `nmae`",
    );
    expect("no wrap key", &[create(), server_field_from(1, "v2.servers.get", "/name")], ProblemKind::Reference, &at, "the body is wrapped in `server`, so the pointer starts with `/server`");
    expect("not a scalar", &[create(), server_field_from(1, "v2.servers.get", "/server/metadata")], ProblemKind::Reference, &at, "the pointer ends at model v2.Metadata, which is not a scalar");
    expect("no slash", &[create(), server_field_from(1, "v2.servers.get", "server/name")], ProblemKind::Shape, &at, "does not start with `/`");
}

#[test]
fn field_source_of_another_api_or_the_wrong_type() {
    expect(
        "other API",
        &[create_operation("v2.servers.create", "v2"), create_operation("v1.0.servers.create", "v1.0"), server_field_from(1, "v1.0.servers.create", "/server/name")],
        ProblemKind::Consistency,
        &format!("{VALUE_FROM_AT}/operation"),
        "source operation v1.0.servers.create is of API v1.0, not v2",
    );
    expect(
        "string for a uuid",
        &[create_operation("v2.servers.create", "v2"), server_field_from(0, "v2.servers.get", "/server/name")],
        ProblemKind::Consistency,
        "data/cloud-servers-v2/models.json#/models/0/fields/0/value_from/pointer",
        "`id` of v2.Server is uuid, but pointer `/server/name` of v2.servers.get reaches string",
    );
}

#[test]
fn field_source_that_needs_its_own_operation() {
    expect(
        "cycle",
        &[create_operation("v2.servers.create", "v2"), server_field_from(1, "v2.servers.create", "/server/name")],
        ProblemKind::Consistency,
        &format!("{VALUE_FROM_AT}/operation"),
        "needs a value that comes from v2.servers.create itself",
    );
    // Through a path parameter: v2.servers.get takes its server from v2.servers.create,
    // whose request takes a value from v2.servers.get.
    expect(
        "cycle through a parameter",
        &[create_operation("v2.servers.create", "v2"), server_id_from("v2.servers.create", "/server/id"), server_field_from(1, "v2.servers.get", "/server/name")],
        ProblemKind::Consistency,
        &format!("{VALUE_FROM_AT}/operation"),
        "(v2.servers.create → v2.servers.get → v2.servers.create)",
    );
}

#[test]
fn field_source_on_a_model_no_request_holds() {
    expect(
        "response only",
        &[server_field_from(1, "v2.servers.get", "/server/name")],
        ProblemKind::Consistency,
        VALUE_FROM_AT,
        "field `name` of v2.Server has `value_from`, but v2.Server is in no request body",
    );
}

const MADE_BY_AT: &str = "data/cloud-servers-v2/operations.json#/operations/0/path_params/0/made_by";

fn server_id_made_by(operation: &str, header: &str) -> Break {
    Break::Set(OPS, "/operations/0/path_params/0/made_by", json!({"operation": operation, "header": header}))
}

#[test]
fn made_by_naming_an_unknown_operation() {
    expect("unknown", &[server_id_made_by("v2.nothing", "Location")], ProblemKind::Reference, &format!("{MADE_BY_AT}/operation"), "operation `v2.nothing` does not exist");
}

#[test]
fn made_by_an_operation_that_documents_no_such_header() {
    expect("no header", &[server_id_made_by("v2.servers.get", "Location")], ProblemKind::Reference, &format!("{MADE_BY_AT}/header"), "documents no success response with a Location header");
}
