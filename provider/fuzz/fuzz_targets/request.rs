//! Arbitrary requests to the provider's request decoding: the first byte picks a method,
//! the next line a path below the v2 endpoint (or the root), the one after a content
//! type, the rest is the body. Nothing may panic, and no answer may be a 5xx.

#![no_main]

use libfuzzer_sys::fuzz_target;
use provider::offline::Offline;
use std::sync::OnceLock;

static PROVIDER: OnceLock<Offline> = OnceLock::new();

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"];

fuzz_target!(|data: &[u8]| {
    let cloud = PROVIDER.get_or_init(|| Offline::new().expect("the provider starts"));
    let Some((&m, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\n');
    let path = parts.next().unwrap_or_default();
    let content_type = parts.next();
    let body = parts.next().unwrap_or_default().as_bytes();
    let root = if m & 0x80 == 0 { cloud.endpoint_path("v2").unwrap_or_default() } else { String::new() };
    let status = cloud.status(METHODS[usize::from(m) % METHODS.len()], &format!("{root}/{path}"), content_type, body);
    assert!(status < 500, "{status} for {path:?}");
});
