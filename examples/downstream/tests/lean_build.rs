//! A crate that generates its code in `build.rs`, depending on the generator as the README
//! says, compiles neither the command lines' crates (clap, tracing-subscriber) nor the XSD
//! parser (xsd-parser): none of them is in this crate's normal and build dependency tree,
//! as cargo resolves it for this crate alone.

use std::collections::BTreeSet;
use std::process::Command;

/// The names of every package in this crate's normal and build dependencies, transitively.
fn packages() -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "-p", env!("CARGO_PKG_NAME"), "-e", "normal,build", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo tree failed: {stderr}");
    let text = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    text.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_string).collect()
}

#[test]
fn a_build_script_compiles_neither_the_command_lines_nor_the_xsd_parser() {
    let packages = packages();
    // The tree is the real one: the generator and what it and the generated code need.
    for present in [env!("CARGO_PKG_NAME"), "cloudservers-codegen", "cloudservers-schema", "cloudservers-runtime", "syn", "prettyplease", "tokio"] {
        assert!(packages.contains(present), "{present} is not in the tree: {packages:?}");
    }
    for absent in ["clap", "clap_builder", "tracing-subscriber", "xsd-parser"] {
        assert!(!packages.contains(absent), "{absent} is compiled for a build script: {packages:?}");
    }
}
