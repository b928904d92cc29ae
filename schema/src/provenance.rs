//! Where each fact comes from: document keys, places in documents, and errata.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the five source documents the schema is transcribed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DocumentKey {
    /// Next Generation Cloud Servers Developer Guide, API v2.
    #[serde(rename = "cloud-servers-v2")]
    CloudServersV2,
    /// Cloud Servers Developer Guide, API v1.0.
    #[serde(rename = "cloud-servers-v1.0")]
    CloudServersV1_0,
    /// RackConnect v2.0 API.
    #[serde(rename = "rackconnect-v2-api")]
    RackconnectV2Api,
    /// RackConnect and Managed Operations automation status in server metadata.
    #[serde(rename = "rackconnect-automation-status")]
    RackconnectAutomationStatus,
    /// Cloud Servers sample code.
    #[serde(rename = "cloud-servers-sample-code")]
    CloudServersSampleCode,
}

impl DocumentKey {
    /// Every document, in the order reports list them.
    pub const ALL: [DocumentKey; 5] = [
        DocumentKey::CloudServersV2,
        DocumentKey::CloudServersV1_0,
        DocumentKey::RackconnectV2Api,
        DocumentKey::RackconnectAutomationStatus,
        DocumentKey::CloudServersSampleCode,
    ];

    /// The key as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKey::CloudServersV2 => "cloud-servers-v2",
            DocumentKey::CloudServersV1_0 => "cloud-servers-v1.0",
            DocumentKey::RackconnectV2Api => "rackconnect-v2-api",
            DocumentKey::RackconnectAutomationStatus => "rackconnect-automation-status",
            DocumentKey::CloudServersSampleCode => "cloud-servers-sample-code",
        }
    }

    /// Parses a key as written in data files.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DocumentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The place in a document where an item is described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document.
    pub document: DocumentKey,
    /// The place: `Example 2.14`, `Table 1.3`, `Section 2.3.4`, or `Section title / Sample label`.
    #[serde(rename = "ref")]
    pub place: String,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.document, self.place)
    }
}

/// A correction of what a document shows, kept beside the corrected item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// What the document shows.
    pub shows: String,
    /// What the schema holds instead (absent when the correction removes something).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holds: Option<String>,
    /// Why the document's reading was corrected.
    pub why: String,
}

/// The APIs the schema describes; each becomes one generated module and client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Api {
    /// Next generation Cloud Servers API v2 with Rackspace extensions.
    #[serde(rename = "v2")]
    V2,
    /// First generation Cloud Servers API v1.0.
    #[serde(rename = "v1.0")]
    V1_0,
    /// RackConnect v2.0 API.
    #[serde(rename = "rackconnect")]
    Rackconnect,
    /// Identity service (v2.0 tokens, v1.0 authentication, users).
    #[serde(rename = "identity")]
    Identity,
}

impl Api {
    /// Every API.
    pub const ALL: [Api; 4] = [Api::V2, Api::V1_0, Api::Rackconnect, Api::Identity];

    /// The key as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            Api::V2 => "v2",
            Api::V1_0 => "v1.0",
            Api::Rackconnect => "rackconnect",
            Api::Identity => "identity",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
