//! State machines: transition tables, state kinds, the extended-status mapping.

use crate::Context;
use proc_macro2::TokenStream;
use quote::quote;
use schema::Api;

impl Context<'_> {
    /// Generates this part of the module of one API.
    pub(crate) fn machines_module(&self, _api: Api) -> TokenStream {
        quote!()
    }
}
