//! The schema shipped in `schema/data` loads cleanly, round-trips, exports its stable
//! shape, and covers every document's inventory.

use schema::{coverage, export, Example, Schema};
use std::sync::OnceLock;

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| Schema::load_default().unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn every_example_round_trips_through_the_loader() {
    let s = schema();
    let mut xml = 0;
    for e in &s.examples {
        let text = serde_json::to_string(e).unwrap();
        let back: Example = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", e.id));
        assert_eq!(&back, e, "{} changed in a round trip", e.id);
        if let (schema::examples::ExampleFormat::Xml, Some(body)) = (e.format, e.body_text()) {
            schema::xml::parse(body).unwrap_or_else(|err| panic!("{}: {err}", e.id));
            xml += 1;
        }
    }
    println!("{} examples round-tripped ({xml} XML bodies re-parsed)", s.examples.len());
    let listed: usize = s.inventories.values().map(|i| i.examples.len()).sum();
    assert!(listed >= 241, "the inventories list {listed} examples");
    assert_eq!(s.examples.len(), listed, "one example per listed example");
}

#[test]
fn export_has_the_stable_shape() {
    let v = export::export(schema());
    for key in ["operations", "faults", "state_machines", "limits", "examples"] {
        let items = v[key].as_array().unwrap_or_else(|| panic!("no array {key}"));
        assert!(!items.is_empty(), "{key} is empty");
        for item in items {
            assert!(item["id"].is_string(), "{key} item without id: {item}");
            assert!(item["source"]["document"].is_string() && item["source"]["ref"].is_string(), "{key} item without source: {}", item["id"]);
        }
    }
    for o in v["operations"].as_array().unwrap() {
        for k in ["api", "method", "path"] {
            assert!(o[k].is_string(), "operation {} lacks {k}", o["id"]);
        }
    }
    for f in v["faults"].as_array().unwrap() {
        assert!(f["name"].is_string() && f["codes"].is_array(), "fault {}", f["id"]);
    }
    for m in v["state_machines"].as_array().unwrap() {
        assert!(m["states"].is_array(), "machine {}", m["id"]);
        for t in m["transitions"].as_array().unwrap() {
            assert!(t["from"].is_string() && t["to"].is_string(), "transition in {}", m["id"]);
        }
    }
    let op_ids: Vec<&str> = v["operations"].as_array().unwrap().iter().filter_map(|o| o["id"].as_str()).collect();
    for e in v["examples"].as_array().unwrap() {
        assert!(op_ids.contains(&e["operation"].as_str().unwrap_or("")), "example {} has no operation", e["id"]);
        assert!(e["direction"].is_string() && e["format"].is_string() && e["errata"].is_array(), "example {}", e["id"]);
    }
}

#[test]
fn export_is_deterministic() {
    let a = serde_json::to_string(&export::export(schema())).unwrap();
    let b = serde_json::to_string(&export::export(&Schema::load_default().unwrap())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn coverage_is_complete_for_every_document() {
    let cov = coverage::coverage(schema());
    let report = coverage::render(&cov);
    insta::assert_snapshot!("coverage", report);
    for d in &cov {
        assert!(d.complete(), "{} is missing items:\n{report}", d.document);
        let listed: usize = d.categories.iter().map(|c| c.listed).sum();
        assert!(listed > 0, "{} has an empty inventory", d.document);
    }
}

#[test]
fn each_api_has_its_documented_operations() {
    let s = schema();
    let count = |api: schema::Api| s.operations.iter().filter(|o| o.api == api).count();
    // The guides' own operation tables: v2 lists 46 (with its extensions), v1.0 34 besides
    // authentication, RackConnect 4; identity has the token exchange, v1.0 auth and user calls.
    assert!(count(schema::Api::V2) >= 46, "v2: {}", count(schema::Api::V2));
    assert!(count(schema::Api::V1_0) >= 34, "v1.0: {}", count(schema::Api::V1_0));
    assert_eq!(count(schema::Api::Rackconnect), 4);
    assert!(count(schema::Api::Identity) >= 3, "identity: {}", count(schema::Api::Identity));
}
