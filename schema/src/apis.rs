//! The APIs themselves: key, Rust module, title, where they are served and how clients
//! find them (`data/apis.json`), the one place every consumer reads them from.

use crate::provenance::{Api, Source};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One API and what the documents say about it as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiInfo {
    /// The key operations, models, faults and limits name it by.
    pub key: Api,
    /// The name of its generated Rust module, which is also its cargo feature in the
    /// generated crate.
    pub module: String,
    /// Its title (the OpenAPI `info.title`).
    pub title: String,
    /// Its version (the OpenAPI `info.version`).
    pub version: String,
    /// One line on what it is (the generated module's first doc line).
    pub summary: String,
    /// Where it is described.
    pub source: Source,
    /// How the identity service catalog names its service, when it is in the catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogEntry>,
    /// The server of operations whose paths are relative to the service endpoint (the
    /// endpoint ends in the account), when the API has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Host>,
    /// The servers of operations whose paths start at the host root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Host>,
}

/// A service in the identity service catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// The service `name` (`cloudServersOpenStack`).
    pub name: String,
    /// The service `type` (`compute`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Where the catalog shows it.
    pub source: Source,
}

/// A documented server: a URL, possibly with `{variables}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// The URL, with `{name}` for each variable.
    pub url: String,
    /// What it is.
    pub description: String,
    /// The variables of the URL.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Variable>,
    /// The host serves only the operations whose path starts with this; hosts without
    /// one serve the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Where it is documented.
    pub source: Source,
}

/// A variable of a server URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// The value used when none is given.
    pub default: String,
    /// The documented values, when the documents list them.
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// What it stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl ApiInfo {
    /// The hosts that serve an operation at `path` (from the host root): those whose
    /// prefix `path` has, else those without a prefix.
    pub fn hosts_for(&self, path: &str) -> Vec<&Host> {
        let prefixed: Vec<&Host> =
            self.hosts.iter().filter(|h| h.path_prefix.as_deref().is_some_and(|p| path.starts_with(p))).collect();
        if prefixed.is_empty() {
            self.hosts.iter().filter(|h| h.path_prefix.is_none()).collect()
        } else {
            prefixed
        }
    }
}
