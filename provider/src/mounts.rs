//! Where each API lives on the provider: under its module name (the schema's `apis.json`),
//! which stands for its documented host, with its endpoint (for APIs whose operations are
//! relative to an account) at `/v{version}/{tenant}` below that, as the documented
//! endpoints are.

use cloudservers::{identity, rackconnect, v1_0, v2};
use crate::limits::Rate;
use runtime::limits::{ChangesSince, Pagination, RateLimit};
use runtime::shapes::operations::{Base, Operation, Router};

/// One mounted API.
#[derive(Debug, Clone)]
pub struct Mount {
    /// The schema key (`v2`).
    pub key: String,
    /// The path segment it is mounted under (the API's module, `v2`).
    pub module: String,
    /// The version segment of its endpoint (`v2`, `v1.0`).
    pub version_segment: String,
    /// The API's version (`2`), as the catalog's endpoints name it.
    pub version: String,
    /// Its name and type in the service catalog, when the catalog lists it.
    pub catalog: Option<(String, String)>,
    /// Its operations.
    pub operations: &'static [Operation<'static>],
    /// Its operations relative to its host, indexed for routing.
    pub host_routes: Router<'static, 'static>,
    /// Its operations relative to an account's endpoint, indexed for routing.
    pub endpoint_routes: Router<'static, 'static>,
    /// The header a token is sent in.
    pub token_header: String,
    /// Its rate limits.
    pub rates: Vec<Rate>,
    /// Its page-size and marker rules.
    pub pagination: &'static [Pagination],
    /// Its changes-since rules.
    pub changes_since: &'static [ChangesSince],
}

/// What the generated code of one API holds for a provider.
struct Tables {
    key: &'static str,
    operations: &'static [Operation<'static>],
    rates: &'static [RateLimit],
    pagination: &'static [Pagination],
    changes_since: &'static [ChangesSince],
}

macro_rules! tables {
    ($($api:ident),*) => {
        [$(Tables {
            key: $api::client::API.api,
            operations: $api::operations::OPERATIONS,
            rates: $api::limits::RATE_LIMITS,
            pagination: $api::limits::PAGINATION_LIMITS,
            changes_since: $api::limits::CHANGES_SINCE_LIMITS,
        }),*]
    };
}

fn tables() -> [Tables; 4] {
    tables!(v2, v1_0, rackconnect, identity)
}

impl Mount {
    /// Its operations relative to `base`, indexed for routing.
    pub fn routes(&self, base: Base) -> &Router<'static, 'static> {
        match base {
            Base::Host => &self.host_routes,
            Base::Endpoint => &self.endpoint_routes,
        }
    }

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
            let t = tables().into_iter().find(|t| t.key == key)?;
            let on = |base: Base| Router::new(t.operations.iter().filter(move |o| o.base == base));
            Some(Mount {
                operations: t.operations,
                host_routes: on(Base::Host),
                endpoint_routes: on(Base::Endpoint),
                rates: t.rates.iter().map(Rate::new).collect(),
                pagination: t.pagination,
                changes_since: t.changes_since,
                module: api.module.clone(),
                version_segment: format!("v{}", api.version),
                version: api.version.clone(),
                catalog: api.catalog.as_ref().map(|c| (c.name.clone(), c.kind.clone())),
                key,
                token_header: token_header.clone(),
            })
        })
        .collect()
}
