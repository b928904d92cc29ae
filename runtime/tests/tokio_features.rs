//! The runtime turns on only the tokio features its code uses: each `tokio::<module>` that
//! `src/` names is a feature of its tokio dependency, and each feature of that dependency is
//! used. What only tests need (`#[tokio::test]`, `spawn_blocking`) is a dev-dependency.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The tokio feature a `tokio::<name>` path needs; `None` for `tokio::test`, which only
/// tests use.
fn feature_of(name: &str) -> Option<&'static str> {
    match name {
        "time" => Some("time"),
        "sync" => Some("sync"),
        "net" => Some("net"),
        "fs" => Some("fs"),
        "io" => Some("io-util"),
        "process" => Some("process"),
        "signal" => Some("signal"),
        "task" | "runtime" | "spawn" => Some("rt"),
        "select" | "join" | "try_join" | "main" => Some("macros"),
        "test" => None,
        other => panic!("tokio::{other}: say here which tokio feature it needs"),
    }
}

/// Every `tokio::<name>` in the Rust files under `dir`.
fn tokio_paths(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            tokio_paths(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file is readable");
            for (at, m) in text.match_indices("tokio::") {
                let rest = &text[at + m.len()..];
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                out.insert(name);
            }
        }
    }
}

/// The features of this package's tokio dependency of `kind` (`None`: normal, `"dev"`).
fn declared(kind: Option<&str>) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let package = metadata["packages"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == env!("CARGO_PKG_NAME"))).expect("this package");
    let dep = package["dependencies"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["name"] == "tokio" && d["kind"].as_str() == kind))
        .unwrap_or_else(|| panic!("no tokio dependency of kind {kind:?}"));
    assert_eq!(dep["uses_default_features"], true, "tokio has no default features; keep the declaration plain");
    dep["features"].as_array().expect("features").iter().filter_map(|f| f.as_str().map(str::to_string)).collect()
}

#[test]
fn the_tokio_features_are_the_ones_src_uses() {
    let mut paths = BTreeSet::new();
    tokio_paths(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut paths);
    let used: BTreeSet<String> = paths.iter().filter_map(|p| feature_of(p)).map(str::to_string).collect();
    assert_eq!(declared(None), used, "src/ names tokio::{paths:?}");
}

#[test]
fn test_only_features_are_dev_dependencies() {
    let normal = declared(None);
    for test_only in ["macros", "rt", "rt-multi-thread", "test-util"] {
        assert!(!normal.contains(test_only), "the runtime turns on tokio's `{test_only}` for its users");
    }
    assert!(declared(Some("dev")).is_subset(&["macros", "rt"].map(String::from).into()));
}
