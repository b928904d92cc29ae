//! Typed models with JSON and XML codecs for the Cloud Servers family of APIs, generated
//! at build time from the schema (`schema/`) by `codegen`.
//!
//! One module per API: [`v2`], [`v1_0`], [`rackconnect`], [`identity`]; XML namespaces in [`ns`].
#![deny(warnings)]
#![allow(missing_docs)]

include!(concat!(env!("OUT_DIR"), "/cloudservers.rs"));
