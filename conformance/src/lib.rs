//! A conformance suite for the Cloud Servers family of APIs: every documented example
//! replayed and compared, every response validated against the schema, bad input
//! answered with the documented faults, against the embedded reference provider or any
//! endpoint.
//!
//! Checks come from the schema ([`checks::all`]); each has a stable id made of schema
//! ids (`example/v2.example.2.14/xml`, `response/v2.servers.get/json`,
//! `bad-input/v2.servers.get/unknown-id`). [`run::run`] runs a selection of them and
//! returns a [`report::Report`].
//!
//! ```no_run
//! # async fn doc() -> Result<(), Box<dyn std::error::Error>> {
//! let schema = schema::Schema::load_default()?;
//! let checks = conformance::checks::all(&schema);
//! let report = conformance::run::run(&schema, checks, &conformance::run::Options::default()).await?;
//! println!("{}", report.summary());
//! # Ok(()) }
//! ```

pub mod bad_input;
pub mod checks;
pub mod compare;
pub mod config;
pub mod examples;
pub mod fixture;
pub mod outcome;
pub mod report;
pub mod responses;
pub mod run;
pub mod session;
pub mod target;
pub mod wire;
