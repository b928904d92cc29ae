// The one table of this crate's API features: the cargo feature that generates each API.
// `build.rs` reads the `CARGO_FEATURE_*` variable of each, and `tests/features.rs` checks
// the table against `Api::ALL` and against the `[features]` of `Cargo.toml`.

/// Every API and the cargo feature of this crate that generates it (the module's name).
const API_FEATURES: [(&str, Api); 4] = [("v2", Api::V2), ("v1_0", Api::V1_0), ("rackconnect", Api::Rackconnect), ("identity", Api::Identity)];
