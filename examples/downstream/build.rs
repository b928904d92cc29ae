//! Generates only the RackConnect API from the project's schema.

fn main() {
    let schema_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema");
    if let Err(e) = codegen::Builder::new(schema_dir).api("rackconnect").write_to_out_dir("rackconnect.rs") {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
