//! Faults: the error elements each API returns, their codes and body fields.

use crate::provenance::{Api, Erratum, Source};
use serde::{Deserialize, Serialize};

/// A fault element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Unique id, `<api>.<name>`.
    pub id: String,
    /// The API that returns it.
    pub api: Api,
    /// The element name: the JSON wrapping key and the XML root element.
    pub name: String,
    /// Where it is documented.
    pub source: Source,
    /// The HTTP status codes it comes with.
    pub codes: Vec<u16>,
    /// The document says other codes are possible.
    #[serde(default)]
    pub more_codes: bool,
    /// The document marks it as possible on every request.
    #[serde(default)]
    pub all_requests: bool,
    /// The body model (`code`, `message`, `details`, retry field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The body field that says when to retry (`retryAfter` or `retryAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<String>,
    /// The header that says when to retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_header: Option<String>,
    /// For the asynchronous fault: the models it is embedded in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embedded_in: Vec<String>,
    /// Other spellings the documents use for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Corrections of the documents about it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}
