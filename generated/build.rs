//! Generates every API from the schema shipped in `../schema`.

fn main() {
    let schema_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    if let Err(e) = codegen::Builder::new(schema_dir).write_to_out_dir("cloudservers.rs") {
        // The schema loader's message names the file and place; stop the build with it.
        eprintln!("{e}");
        std::process::exit(1);
    }
}
