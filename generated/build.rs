//! Generates, from the schema shipped with the schema crate, the APIs whose features are on.

use codegen::Api;

include!("api_features.rs");

fn main() {
    let apis: Vec<Api> = API_FEATURES
        .iter()
        .filter(|(feature, _)| std::env::var_os(format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"))).is_some())
        .map(|(_, api)| *api)
        .collect();
    // The schema shipped with the schema crate. This crate depends on the runtime under the
    // workspace's short name, `runtime`.
    let builder = codegen::Builder::default().runtime_crate("::runtime").apis(apis.iter().copied());
    let written = if apis.is_empty() {
        // No API feature: nothing to generate (an empty set would mean every API); the
        // crate stops with its own message.
        let path = std::path::Path::new(&std::env::var_os("OUT_DIR").expect("OUT_DIR is set for build scripts")).join("cloudservers.rs");
        std::fs::write(&path, "").map_err(|e| format!("cannot write {}: {e}", path.display()))
    } else {
        builder.write_to_out_dir("cloudservers.rs").map(drop).map_err(|e| e.to_string())
    };
    if let Err(e) = written {
        // The schema loader's message names the file and place; stop the build with it.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
