//! Where each API lives on the provider: under its module name (the schema's `apis.json`),
//! which stands for its documented host, with its endpoint (for APIs whose operations are
//! relative to an account) at `/v{version}/{tenant}` below that, as the documented
//! endpoints are.

use cloudservers::{identity, rackconnect, v1_0, v2};
use runtime::shapes::operations::Operation;

/// One mounted API.
#[derive(Debug, Clone)]
pub struct Mount {
    /// The schema key (`v2`).
    pub key: String,
    /// The path segment it is mounted under (the API's module, `v2`).
    pub module: String,
    /// The version segment of its endpoint (`v2`, `v1.0`).
    pub version_segment: String,
    /// Its name and type in the service catalog, when the catalog lists it.
    pub catalog: Option<(String, String)>,
    /// Its operations.
    pub operations: &'static [Operation<'static>],
    /// The header a token is sent in.
    pub token_header: String,
}

/// The generated operation tables, with the key of the API each belongs to.
fn tables() -> [(&'static str, &'static [Operation<'static>]); 4] {
    [
        (v2::client::API.api, v2::operations::OPERATIONS),
        (v1_0::client::API.api, v1_0::operations::OPERATIONS),
        (rackconnect::client::API.api, rackconnect::operations::OPERATIONS),
        (identity::client::API.api, identity::operations::OPERATIONS),
    ]
}

fn operations_of(key: &str) -> Option<&'static [Operation<'static>]> {
    tables().into_iter().find(|(k, _)| *k == key).map(|(_, ops)| ops)
}

impl Mount {
    /// Whether this API is where credentials are exchanged for tokens (the identity
    /// service): one of its operations authenticates by the credentials it carries.
    pub fn exchanges_credentials(&self) -> bool {
        self.operations.iter().any(|o| o.auth == runtime::shapes::operations::AuthKind::Credentials)
    }
}

/// Every API of the schema that has generated operations, mounted.
pub fn mounts(schema: &schema::Schema) -> Vec<Mount> {
    let token_header = schema.token_header().unwrap_or_default().to_string();
    schema
        .apis
        .iter()
        .filter_map(|api| {
            let key = api.key.as_str().to_string();
            Some(Mount {
                operations: operations_of(&key)?,
                module: api.module.clone(),
                version_segment: format!("v{}", api.version),
                catalog: api.catalog.as_ref().map(|c| (c.name.clone(), c.kind.clone())),
                key,
                token_header: token_header.clone(),
            })
        })
        .collect()
}
