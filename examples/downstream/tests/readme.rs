//! This crate is made of the README's text: its section "Using codegen from `build.rs`"
//! shows a `Cargo.toml` snippet, a `build.rs` and the `include!` line of `src/lib.rs`, and
//! each appears verbatim in this crate's files, so the README and a crate that builds
//! cannot drift apart. The README's two commands share one release build, and `.ci/run`
//! runs exactly its test command.

use std::path::Path;

const SECTION: &str = "## Using codegen from `build.rs`";

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README's section on build scripts, up to the next heading.
fn section() -> String {
    let readme = read("../../README.md");
    let start = readme.find(SECTION).unwrap_or_else(|| panic!("README.md has no section {SECTION:?}"));
    let body = &readme[start + SECTION.len()..];
    let end = body.find("\n#").unwrap_or(body.len());
    body[..end].to_string()
}

/// The fenced code blocks of `text` in `language`, each without its fences.
fn blocks(text: &str, language: &str) -> Vec<String> {
    let open = format!("```{language}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let body = &rest[at + open.len()..];
        let end = body.find("```").expect("a fenced block is closed");
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

/// The one block of `language` in the section.
fn one_block(language: &str) -> String {
    let found = blocks(&section(), language);
    assert_eq!(found.len(), 1, "the section should show one {language} block: {found:?}");
    found.into_iter().next().unwrap_or_default()
}

#[test]
fn cargo_toml_holds_the_readme_dependencies() {
    let snippet = one_block("toml");
    assert!(snippet.contains("[build-dependencies]") && snippet.contains("cloudservers-codegen"), "{snippet}");
    assert!(read("Cargo.toml").contains(&snippet), "examples/downstream/Cargo.toml lacks the README's snippet:\n{snippet}");
}

#[test]
fn build_rs_is_the_readme_build_script() {
    let snippet = one_block("rust");
    assert!(snippet.starts_with("fn main() {"), "{snippet}");
    assert!(read("build.rs").contains(&snippet), "examples/downstream/build.rs lacks the README's build.rs:\n{snippet}");
}

#[test]
fn lib_rs_includes_the_generated_file_as_the_readme_says() {
    let section = section();
    let at = section.find("`include!(").expect("the section shows the include! line");
    let line = &section[at + 1..];
    let line = &line[..line.find('`').expect("a closed code span")];
    assert!(read("src/lib.rs").lines().any(|l| l == line), "examples/downstream/src/lib.rs lacks `{line}`");
}

/// The first line of the first `sh` block after `heading` in the README.
fn command_after(heading: &str) -> String {
    let readme = read("../../README.md");
    let at = readme.find(heading).unwrap_or_else(|| panic!("README.md lacks {heading:?}"));
    let block = blocks(&readme[at..], "sh").into_iter().next().expect("an sh block follows");
    block.lines().next().unwrap_or_default().to_string()
}

#[test]
fn the_main_job_is_the_conformance_suite_and_both_commands_build_release() {
    let main = command_after("Main job:");
    let tests = command_after("All tests:");
    assert_eq!(main, "cargo run --release");
    assert_eq!(tests, "cargo test --workspace --release");
    // `cargo run` at the root runs the workspace's default member: the suite.
    let workspace = read("../../Cargo.toml");
    assert!(workspace.lines().any(|l| l.trim() == r#"default-members = ["conformance"]"#), "the workspace's default member is not the conformance suite");
    let suite = read("../../conformance/Cargo.toml");
    assert!(suite.lines().any(|l| l.trim() == r#"default-run = "cloudservers-conformance""#), "the suite's package runs another binary by default");
}

#[test]
fn ci_runs_exactly_the_test_command() {
    let tests = command_after("All tests:");
    let ci = read("../../.ci/run");
    let commands: Vec<&str> = ci.lines().map(str::trim).filter(|l| l.starts_with("cargo ")).collect();
    assert_eq!(commands, [tests.as_str()], ".ci/run runs other cargo commands than the README's test command");
}
