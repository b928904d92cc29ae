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

/// The key of one API the schema describes (`v2`, `v1.0`, `rackconnect`, `identity`),
/// as `data/apis.json` lists it with the API's metadata ([`crate::apis::ApiInfo`]); each
/// API becomes one generated module and client. A small copyable value: at most
/// [`Api::MAX_LEN`] bytes of ASCII letters, digits, `.`, `-` and `_`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Api {
    len: u8,
    bytes: [u8; Api::MAX_LEN],
}

impl Api {
    /// The longest key.
    pub const MAX_LEN: usize = 23;

    /// The key `key`, or `None` when it is empty, too long, or has other characters.
    pub const fn parse(key: &str) -> Option<Api> {
        let b = key.as_bytes();
        if b.is_empty() || b.len() > Api::MAX_LEN {
            return None;
        }
        let mut bytes = [0u8; Api::MAX_LEN];
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_') {
                return None;
            }
            bytes[i] = c;
            i += 1;
        }
        Some(Api { len: b.len() as u8, bytes })
    }

    /// The key `key`, for keys written in code (tests, build scripts).
    ///
    /// # Panics
    /// When `key` is not a valid key (see [`Api::parse`]); in a `const` that is a
    /// compile-time error.
    pub const fn new(key: &str) -> Api {
        match Api::parse(key) {
            Some(a) => a,
            None => panic!("an API key is 1 to 23 ASCII letters, digits, `.`, `-` or `_`"),
        }
    }

    /// The key as written in data files.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Api({:?})", self.as_str())
    }
}

impl Serialize for Api {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Api {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Api, D::Error> {
        let key = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Api::parse(&key).ok_or_else(|| {
            serde::de::Error::custom(format!("`{key}` is not an API key (1 to 23 ASCII letters, digits, `.`, `-` or `_`)"))
        })
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
