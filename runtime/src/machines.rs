//! State machines as data: the states of a resource status, their kinds, and the
//! transitions operations cause. The generated `machines` module of each API holds one
//! [`StateMachine`] per machine of the schema and implements the status queries on the
//! status enums by looking the value up here.
//!
//! The types and their queries are those of [`shapes::machines`], which the schema uses
//! too; they are re-exported here for generated code and its users.

pub use shapes::machines::{Cell, Condition, MappingRow, MetadataSlot, State, StateKind, StateMachine, Transition};
