//! Arbitrary requests to the provider's request handling (the input's form:
//! `provider::offline::Offline::status_of_input`). Nothing may panic, and no answer may
//! be a 5xx.

#![no_main]

use libfuzzer_sys::fuzz_target;
use provider::offline::Offline;
use std::sync::OnceLock;

static PROVIDER: OnceLock<Offline> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let cloud = PROVIDER.get_or_init(|| Offline::new().expect("the provider starts"));
    if let Some(status) = cloud.status_of_input(data) {
        assert!(status < 500, "{status} for {data:?}");
    }
});
