//! What the suite's test binaries share.

use std::sync::Arc;

/// The schema, or the test binary ends with its error (no test can run without it).
pub fn schema_or_exit() -> Arc<schema::Schema> {
    match schema::Schema::load_default() {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("the schema does not load: {e}");
            std::process::exit(101);
        }
    }
}
