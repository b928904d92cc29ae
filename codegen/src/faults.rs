//! Faults: one error enum per operation, decoded from JSON or XML.

use crate::Context;
use proc_macro2::TokenStream;
use quote::quote;
use schema::Api;

impl Context<'_> {
    /// Generates this part of the module of one API.
    pub(crate) fn faults_module(&self, _api: Api) -> TokenStream {
        quote!()
    }
}
