//! Generates, from the schema shipped with the schema crate, the APIs whose features are on:
//! each API's feature is its module name in the schema's `apis.json`.

fn main() {
    let schema = match codegen::schema::Schema::load(codegen::schema::SHIPPED_DIR) {
        Ok(s) => s,
        Err(e) => {
            // The schema loader's message names the file and place; stop the build with it.
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let on = |module: &str| std::env::var_os(format!("CARGO_FEATURE_{}", module.to_uppercase())).is_some();
    let modules: Vec<String> = schema.apis.iter().map(|a| a.module.clone()).filter(|m| on(m)).collect();
    // This crate depends on the runtime under the workspace's short name, `runtime`.
    let builder = codegen::Builder::default().runtime_crate("::runtime").apis(modules.iter().cloned());
    let written = if modules.is_empty() {
        // No API feature: nothing to generate (an empty set would mean every API); the
        // crate stops with its own message.
        let path = std::path::Path::new(&std::env::var_os("OUT_DIR").unwrap_or_default()).join("cloudservers.rs");
        std::fs::write(&path, "").map_err(|e| format!("cannot write {}: {e}", path.display()))
    } else {
        builder.write_to_out_dir("cloudservers.rs").map(drop).map_err(|e| e.to_string())
    };
    if let Err(e) = written {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
