//! The crate's API features: each API's feature is its module name in the schema's
//! `apis.json` (which `build.rs` reads), `Cargo.toml` declares exactly those features and
//! turns them all on by default, and the build generates exactly the APIs whose features
//! are on.

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

/// Every API's feature and key, from the shipped schema.
fn api_features() -> Vec<(String, String)> {
    let schema = schema::Schema::load_default().unwrap_or_else(|e| panic!("{e}"));
    schema.apis.iter().map(|a| (a.module.clone(), a.key.to_string())).collect()
}

/// This package's `[features]`, as cargo reads them.
fn declared_features() -> serde_json::Map<String, Value> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let package = metadata["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == env!("CARGO_PKG_NAME")))
        .expect("this package is in the metadata");
    package["features"].as_object().expect("features are an object").clone()
}

#[test]
fn cargo_toml_declares_the_api_features_all_on_by_default() {
    let features = declared_features();
    let table: BTreeSet<String> = api_features().into_iter().map(|(f, _)| f).collect();
    let declared: BTreeSet<String> = features.keys().filter(|k| *k != "default").cloned().collect();
    assert_eq!(declared, table, "the features of Cargo.toml and the modules of apis.json differ");
    let default: BTreeSet<String> = features["default"].as_array().expect("a default list").iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    assert_eq!(default, table, "not every API is on by default");
}

#[test]
fn the_build_generates_the_apis_whose_features_are_on() {
    let code = include_str!(concat!(env!("OUT_DIR"), "/cloudservers.rs"));
    let is_on = |feature: &str| match feature {
        "v2" => cfg!(feature = "v2"),
        "v1_0" => cfg!(feature = "v1_0"),
        "rackconnect" => cfg!(feature = "rackconnect"),
        "identity" => cfg!(feature = "identity"),
        other => panic!("feature `{other}` of apis.json has no cfg! here"),
    };
    for (feature, api) in api_features() {
        let on = is_on(&feature);
        // The module is the feature's name; an API pulled in by another's references would
        // be generated with its feature off, and the feature list should say so.
        let module = format!("\npub mod {feature} {{");
        assert_eq!(code.contains(&module), on, "{api}: feature `{feature}` is {}", if on { "on" } else { "off" });
    }
}

/// The profile this test was built with: the name of the directory above `deps/`.
fn profile() -> String {
    let exe = std::env::current_exe().expect("the test knows its path");
    let dir = exe.parent().and_then(|deps| deps.parent()).and_then(|p| p.file_name()).and_then(|n| n.to_str()).expect("target/<profile>/deps/<test>");
    match dir {
        "debug" => "dev".to_string(),
        other => other.to_string(),
    }
}

#[test]
fn the_v2_api_alone_compiles() {
    let out = Command::new(env!("CARGO"))
        .args(["check", "--profile", &profile(), "-p", env!("CARGO_PKG_NAME"), "--no-default-features", "--features", "v2", "--lib", "--tests"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo check runs");
    assert!(out.status.success(), "cargo check --no-default-features --features v2 failed:\n{}", String::from_utf8_lossy(&out.stderr));
}
