//! The provider's integration tests, in one test binary (one link of the generated crate
//! instead of one per file).

mod behaviours;
mod clients;
mod deviations;
mod documents;
mod first_gen;
mod hostile;
mod identity;
mod limits;
mod offline;
mod persistence;
mod rackconnect;
mod support;
mod waits;
