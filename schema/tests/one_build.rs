//! The schema command line and the tests share one build. The command line (`cargo run --release --bin
//! cloudservers-schema`) resolves dependency features for the whole workspace without
//! dev-dependencies; the tests (`cargo test --workspace --release`) with them. Every
//! package the command line is built from must come out of both resolutions with the same
//! features, or the test command compiles it (and all above it) a second time.

use std::collections::BTreeSet;
use std::process::Command;

/// `cargo tree` from the workspace root, one `package|features` line per package.
fn tree(args: &[&str]) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .arg("tree")
        .args(args)
        .args(["--prefix", "none"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).expect("cargo tree prints UTF-8");
    text.lines().map(|l| l.trim_end_matches(" (*)").to_string()).filter(|l| !l.is_empty()).collect()
}

#[test]
fn the_command_line_and_the_tests_build_its_dependencies_alike() {
    let own: BTreeSet<String> = tree(&["-p", env!("CARGO_PKG_NAME"), "-e", "normal,build", "-f", "{p}"]).into_iter().collect();
    assert!(own.iter().any(|p| p.starts_with("xsd-parser ")), "the command line's tree lacks xsd-parser: {own:?}");
    let for_the_command = tree(&["--workspace", "-e", "no-dev", "-f", "{p}|{f}"]);
    let for_the_tests = tree(&["--workspace", "-e", "normal,build,dev", "-f", "{p}|{f}"]);
    let differing: Vec<&String> =
        for_the_command.iter().filter(|line| line.split('|').next().is_some_and(|p| own.contains(p))).filter(|line| !for_the_tests.contains(*line)).collect();
    assert!(
        differing.is_empty(),
        "the tests build these with other features than the command line does (turn the \
         features the dev-dependencies add on for the command line too): {differing:?}\n\
         the tests' features: {:?}",
        for_the_tests.iter().filter(|l| differing.iter().any(|d| d.split('|').next() == l.split('|').next())).collect::<Vec<_>>()
    );
}
