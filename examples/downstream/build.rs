//! The README's `build.rs`, verbatim (tests/readme.rs checks it): only the RackConnect API,
//! from the schema shipped with the schema crate.

fn main() {
    // The schema shipped with cloudservers-schema; Builder::new(dir) reads another.
    if let Err(e) = cloudservers_codegen::Builder::default()
        .api("rackconnect") // or "v2", "v1.0", "identity" (schema/data/apis.json); none = all
        .clients(true)      // false: models, faults, machines, limits only
        .write_to_out_dir("cloudservers.rs")
    {
        eprintln!("{e}"); // the schema loader's message: file, JSON pointer, what was expected
        std::process::exit(1);
    }
}
