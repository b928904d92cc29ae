//! Limits: rate, absolute and field limits as data, and client-side validation of field limits.

use crate::Context;
use proc_macro2::TokenStream;
use quote::quote;
use schema::Api;

impl Context<'_> {
    /// Generates this part of the module of one API.
    pub(crate) fn limits_module(&self, _api: Api) -> TokenStream {
        quote!()
    }
}
