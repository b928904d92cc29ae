//! Inventories: what each document itself lists, kept so coverage runs without the documents.

use crate::provenance::DocumentKey;
use serde::{Deserialize, Serialize};

/// What one document lists, by category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// The document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentKey>,
    /// The document's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The document's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Operations, as `METHOD path[ action]`.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Fault names.
    #[serde(default)]
    pub faults: Vec<String>,
    /// Transitions, as `machine: FROM → TO`.
    #[serde(default)]
    pub transitions: Vec<String>,
    /// Limit ids.
    #[serde(default)]
    pub limits: Vec<String>,
    /// Example places (`Example 2.14`, `Create Server / Sample JSON Request`).
    #[serde(default)]
    pub examples: Vec<String>,
}

impl Inventory {
    /// Adds another inventory file's lists to this one.
    pub fn merge(&mut self, other: Inventory) {
        self.document = self.document.or(other.document);
        self.file = self.file.take().or(other.file);
        self.title = self.title.take().or(other.title);
        self.operations.extend(other.operations);
        self.faults.extend(other.faults);
        self.transitions.extend(other.transitions);
        self.limits.extend(other.limits);
        self.examples.extend(other.examples);
    }
}
