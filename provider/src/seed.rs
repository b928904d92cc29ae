//! What a provider starts with: accounts, flavors and images. By default the documents'
//! own examples (the v2 flavor and image lists, the account of the documented token
//! response); or a JSON file (`--seed FILE`) of the same form:
//!
//! ```json
//! {"accounts": [{"username": "u", "password": "p", "api_key": "k", "tenant": "010101",
//!                "automation": false, "limits": {"maxTotalInstances": 500}}],
//!  "flavors": [ /* v2 flavors, as in a flavor list with details */ ],
//!  "images": [ /* v2 images, as in an image list with details */ ],
//!  "versions": [ /* v2 versions, as in the version list */ ],
//!  "extensions": [ /* v2 extensions, as in the extension list */ ]}
//! ```

use cloudservers::{identity, v2};
use runtime::shapes::operations::AuthKind;
use schema::examples::{Direction, ExampleFormat};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// An account and its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// The user name.
    pub username: String,
    /// The password (for `passwordCredentials`).
    pub password: String,
    /// The API key (for `RAX-KSKEY:apiKeyCredentials` and v1.0 `X-Auth-Key`).
    pub api_key: String,
    /// The tenant (account) ID that ends the account's endpoints.
    pub tenant: String,
    /// The account has RackConnect and Managed Operations: its new servers run their
    /// automation and show its status in their metadata.
    #[serde(default)]
    pub automation: bool,
    /// The account's own values of absolute limits, by the names the limits calls report
    /// them under (`{"maxTotalInstances": 500}`); the documented defaults hold for the
    /// others.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub limits: std::collections::BTreeMap<String, i64>,
    /// The roles its user holds, as token responses show them (the documented account's
    /// user is its administrator).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<identity::models::Role>,
}

impl Account {
    /// An account of these credentials.
    pub fn new(username: impl Into<String>, password: impl Into<String>, api_key: impl Into<String>, tenant: impl Into<String>) -> Self {
        Account { username: username.into(), password: password.into(), api_key: api_key.into(), tenant: tenant.into(), automation: false, limits: Default::default(), roles: Vec::new() }
    }

    /// The account with RackConnect and Managed Operations automation on or off.
    #[must_use]
    pub fn automation(mut self, on: bool) -> Self {
        self.automation = on;
        self
    }
}

/// The starting data of a provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Seed {
    /// The accounts.
    pub accounts: Vec<Account>,
    /// The flavors every account sees.
    #[serde(default)]
    pub flavors: Vec<v2::models::Flavor>,
    /// The images every account starts with.
    #[serde(default)]
    pub images: Vec<v2::models::Image>,
    /// The v2 API versions (`GET /`).
    #[serde(default)]
    pub versions: Vec<v2::models::Version>,
    /// The v2 extensions (`GET /extensions`).
    #[serde(default)]
    pub extensions: Vec<v2::models::Extension>,
}

/// Why a seed is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read the seed file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a seed.
    #[error("the seed file {path} is not a seed (accounts, flavors, images)")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// The documents lack an example the default seed is made of.
    #[error("the schema has no {0} example to seed from")]
    NoExample(&'static str),
    /// A seed without accounts serves nobody.
    #[error("the seed has no account")]
    NoAccount,
}

/// The password and API key of the documented account: the documents show an account's
/// tenant and user name, never a usable secret.
const DEFAULT_PASSWORD: &str = "password";
const DEFAULT_API_KEY: &str = "api-key";

impl Seed {
    /// Reads a seed file.
    pub fn from_file(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read(path).map_err(|source| SeedError::Read { path: path.to_path_buf(), source })?;
        let seed: Seed = serde_json::from_slice(&text).map_err(|source| SeedError::Parse { path: path.to_path_buf(), source })?;
        if seed.accounts.is_empty() {
            return Err(SeedError::NoAccount);
        }
        Ok(seed)
    }

    /// The documents' own data: the flavors and images of the documented v2 list-detail
    /// responses, and the tenant and user of the documented token response.
    pub fn documented(schema: &schema::Schema) -> Result<Seed, SeedError> {
        let flavors: v2::models::FlavorsDetail = documented_response(schema, |id| id == "v2.flavors.list-detail").ok_or(SeedError::NoExample("flavor list"))?;
        let images = documented_images(schema);
        if images.is_empty() {
            return Err(SeedError::NoExample("image list"));
        }
        let exchange: Vec<&str> = schema
            .operations
            .iter()
            .filter(|o| o.auth == AuthKind::Credentials && o.responses.iter().any(|r| r.body().is_some()))
            .map(|o| o.id.as_str())
            .collect();
        let access: identity::models::AuthResponse =
            documented_response(schema, |id| exchange.contains(&id)).ok_or(SeedError::NoExample("token response"))?;
        let mut account = Account::new(access.user.name.clone(), DEFAULT_PASSWORD, DEFAULT_API_KEY, access.token.tenant.id.clone());
        account.roles = access.user.roles.clone();
        let versions: v2::models::Versions = documented_response(schema, |id| id == "v2.versions.list").ok_or(SeedError::NoExample("version list"))?;
        let extensions: v2::models::Extensions = documented_response(schema, |id| id == "v2.extensions.list").ok_or(SeedError::NoExample("extension list"))?;
        Ok(Seed { accounts: vec![account], flavors: flavors.flavors, images, versions: versions.versions, extensions: extensions.extensions })
    }
}

/// Every image of the documented detailed image lists, in JSON or XML, each once (the
/// first list that shows an image gives it): the lists show different images, with
/// either disk configuration.
fn documented_images(schema: &schema::Schema) -> Vec<v2::models::Image> {
    let mut out: Vec<v2::models::Image> = Vec::new();
    let lists = schema.examples.iter().filter(|e| e.operation == "v2.images.list-detail" && e.direction == Direction::Response);
    for e in lists {
        let list: Option<v2::models::ImagesDetail> = match e.format {
            ExampleFormat::Json => {
                let wrap = schema.example_body(e).and_then(|b| b.wrap);
                let body = e.body.as_ref();
                body.and_then(|b| match &wrap {
                    Some(w) => b.get(w),
                    None => Some(b),
                })
                .and_then(|inner| serde_json::from_value(inner.clone()).ok())
            }
            ExampleFormat::Xml => e.body_text().and_then(|t| runtime::strict::decode_xml::<v2::models::ImagesDetail>(t, None).ok()).map(|(list, _)| list),
            _ => None,
        };
        for image in list.map(|l| l.images).unwrap_or_default() {
            if !out.iter().any(|i| i.id == image.id) {
                out.push(image);
            }
        }
    }
    out
}

/// The body of the first documented JSON response of an operation `op` accepts, read with
/// the generated model (inside the operation's wrapping key, when it has one).
fn documented_response<T: serde::de::DeserializeOwned>(schema: &schema::Schema, op: impl Fn(&str) -> bool) -> Option<T> {
    schema.examples.iter().filter(|e| op(&e.operation) && e.direction == Direction::Response && e.format == ExampleFormat::Json).find_map(|e| {
        let body = e.body.as_ref()?;
        let wrap = schema.example_body(e).and_then(|b| b.wrap);
        let inner = match &wrap {
            Some(w) => body.get(w)?,
            None => body,
        };
        serde_json::from_value(inner.clone()).ok()
    })
}
