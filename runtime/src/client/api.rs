//! What a generated client tells its transport about its API: the schema's facts the
//! generic transport needs and must not guess.

use super::auth::IdentityExchange;
use crate::faults::FaultParts;
use std::fmt;

/// The facts of one API a transport needs, from the schema: generated clients hold one
/// as `<api>::client::API` and bind their transport to it (see
/// [`Transport::for_api`](super::Transport::for_api)).
#[derive(Clone, Copy)]
pub struct ApiFacts {
    /// The API's key in the schema (`v2`, `v1.0`).
    pub api: &'static str,
    /// The name of the API's service in the identity v2.0 service catalog
    /// (`cloudServersOpenStack`); `None` for an API the catalog does not list.
    pub catalog_service: Option<&'static str>,
    /// Where the API's fault bodies hold their parts (for the retry time of a `413`).
    pub faults: &'static FaultParts,
    /// The identity exchanges, from the generated identity API; `None` when it was not
    /// generated.
    pub identity: Option<&'static dyn IdentityExchange>,
}

impl fmt::Debug for ApiFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiFacts")
            .field("api", &self.api)
            .field("catalog_service", &self.catalog_service)
            .field("faults", &self.faults)
            .field("identity", &self.identity.is_some())
            .finish()
    }
}
