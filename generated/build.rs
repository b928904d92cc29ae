//! Generates every API from the schema shipped in `../schema`.

fn main() {
    let schema_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    // This crate depends on the runtime under the workspace's short name, `runtime`.
    let builder = codegen::Builder::new(schema_dir).runtime_crate("::runtime");
    if let Err(e) = builder.write_to_out_dir("cloudservers.rs") {
        // The schema loader's message names the file and place; stop the build with it.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
