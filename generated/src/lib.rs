//! Typed models with JSON and XML codecs, faults, state machines, limits and async clients
//! for the Cloud Servers family of APIs, generated at build time from the schema
//! (`cloudservers-schema`) by `cloudservers-codegen`.
//!
//! One module per API, each behind the cargo feature of the same name, all on by default:
//! `v2`, `v1_0`, `rackconnect`, `identity`. With `default-features = false, features =
//! ["v2"]` only the v2 API is generated and compiled. XML namespaces are in [`ns`], and the
//! runtime the generated code calls is re-exported as [`runtime`].
#![deny(warnings)]
#![allow(missing_docs)]

#[cfg(not(any(feature = "v2", feature = "v1_0", feature = "rackconnect", feature = "identity")))]
compile_error!("cloudservers: turn on at least one API feature: v2, v1_0, rackconnect, identity");

/// The runtime crate (`cloudservers-runtime`) that the generated code calls: the transport,
/// secrets, XML and strict-validation helpers, at the version this crate was built with.
pub use runtime;

include!(concat!(env!("OUT_DIR"), "/cloudservers.rs"));
