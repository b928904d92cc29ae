//! Generated code names the runtime crate by the path the builder is given
//! (`Builder::runtime_crate`), `::cloudservers_runtime` by default, and by no other.

use cloudservers_codegen::{Builder, Error, DEFAULT_RUNTIME_CRATE};

/// Whether `code` still names the runtime crate as the generators write it, `::runtime`.
fn names_the_written_runtime(code: &str) -> bool {
    code.match_indices("::runtime").any(|(at, m)| !code[at + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

#[test]
fn a_custom_path_is_used_everywhere() {
    let code = Builder::new(schema::default_dir()).runtime_crate("::my_rt").generate().unwrap_or_else(|e| panic!("{e}"));
    assert!(!names_the_written_runtime(&code), "`::runtime` left in the generated code");
    assert!(!code.contains("cloudservers_runtime"));
    for used in ["::my_rt::serde", "::my_rt::client::Transport", "\"::my_rt::values::nullable::serialize\"", "[`::my_rt::client::Transport`]"] {
        assert!(code.contains(used), "{used} missing");
    }
}

#[test]
fn a_path_from_the_crate_root_is_used() {
    let code = Builder::new(schema::default_dir()).api("rackconnect").runtime_crate("crate::rt").generate().unwrap_or_else(|e| panic!("{e}"));
    assert!(!names_the_written_runtime(&code));
    assert!(code.contains("crate::rt::serde") && code.contains("#[serde(crate = \"crate::rt::serde\""));
}

#[test]
fn the_default_is_the_runtime_crate_under_its_own_name() {
    assert_eq!(DEFAULT_RUNTIME_CRATE, "::cloudservers_runtime");
    let code = Builder::new(schema::default_dir()).api("rackconnect").generate().unwrap_or_else(|e| panic!("{e}"));
    assert!(!names_the_written_runtime(&code));
    assert!(code.contains("::cloudservers_runtime::client::Transport"));
}

#[test]
fn a_malformed_path_is_a_builder_error() {
    for bad in ["cloudservers_runtime", "::a b", "::rt::<T>", "self::rt", ""] {
        // Refused before the schema is read: the directory does not exist.
        let err = Builder::new("/nonexistent").runtime_crate(bad).generate().expect_err(bad);
        assert!(matches!(&err, Error::RuntimeCrate { path, .. } if path == bad), "{bad}: {err}");
        assert!(err.to_string().starts_with(&format!("runtime crate path `{bad}`: ")), "{err}");
    }
}
