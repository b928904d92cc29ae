//! State machines: statuses, their kinds, and the transitions operations cause.

use crate::provenance::{Api, Erratum, Source};
use serde::{Deserialize, Serialize};

/// Whether a state lasts, passes, failed or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// The resource stays here until asked to change.
    Stable,
    /// The service is working; the state changes by itself.
    Transient,
    /// Stable, but the work failed.
    Error,
    /// The resource is gone.
    Terminal,
}

/// One state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The name as the documents spell it.
    pub name: String,
    /// Whether it lasts, passes, failed or ended.
    pub kind: StateKind,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where it is documented, when not where its machine is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The documents imply the state but do not state it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

/// One transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Unique id.
    pub id: String,
    /// The state before.
    pub from: String,
    /// The state after.
    pub to: String,
    /// The operation that causes it; `None` when the service moves on by itself.
    #[serde(default)]
    pub operation: Option<String>,
    /// The transition happens when the work fails.
    #[serde(default)]
    pub on_error: bool,
    /// Where it is documented (for an inferred transition: the place it is inferred from).
    pub source: Source,
    /// No document states the transition: it is read from what the documents do say (a
    /// list of values, their meaning), not from a "Status Transition" line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// Notes on the transition (for an inferred one: what it is inferred from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Corrections of the documents about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<Erratum>,
}

/// A state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateMachine {
    /// Unique id.
    pub id: String,
    /// The API whose resources have this status.
    pub api: Api,
    /// Where it is documented.
    pub source: Source,
    /// What it describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The enum model whose values are the states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The states.
    pub states: Vec<State>,
    /// The states a resource starts in.
    #[serde(default)]
    pub initial: Vec<String>,
    /// The transitions.
    pub transitions: Vec<Transition>,
    /// A table keyed by state (the v2 extended status mapping).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mapping: Vec<serde_json::Map<String, serde_json::Value>>,
    /// Corrections of the documents about it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

impl StateMachine {
    /// The state of this name.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }
}
