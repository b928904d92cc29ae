//! XML namespaces of the APIs and extensions, and the XSD that describes each.

use serde::{Deserialize, Serialize};

/// One XML namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    /// The prefix models use to name it (`v2`, `atom`, `OS-DCF`).
    pub prefix: String,
    /// The namespace URI.
    pub uri: String,
    /// The XSD file under `schema/xsd/` whose target namespace it is.
    pub xsd: String,
    /// What it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}
