//! The generic parts of the generated async clients: HTTP transport with timeouts,
//! authentication and token renewal, wire format negotiation, bounded retry on
//! `413`/`503`, pagination, changes-since polling and waiting for a status.
//!
//! Generated clients (`cloudservers::<api>::client::Client`) wrap a [`Transport`] and call
//! the helpers here; everything in this module is independent of any one API. What it
//! needs of an API (its catalog name, where its fault bodies hold their parts, the
//! identity exchanges, the token header) comes from the schema through generated code:
//! [`ApiFacts`], [`IdentityExchange`], [`Request::token_header`].
//!
//! Secrets never leave this module in readable form: tokens, passwords and API keys
//! are [`Secret`](crate::Secret)s, whose `Debug` hides them, tracing spans name only the
//! operation, method, path and status, and request headers are never logged.

mod api;
mod auth;
mod codec;
mod error;
mod format;
mod paginate;
mod poll;
mod retry;
pub use shapes::time;
mod transport;

pub use api::ApiFacts;
pub use auth::{
    select_endpoint, Auth, AuthError, CatalogEndpoint, Credential, IdentityCall, IdentityExchange, IdentityV2, Session, V1_0Call,
    V1_0,
};
pub use codec::{
    body_excerpt, created_location, decode_body, decode_error, decode_json, decode_text, decode_xml,
    encode_body, encode_json, fault, json_document, redirect, response_format, BodySpec, CreatedLocation, EmbeddedFault,
    XmlRoot, EXCERPT_CHARS,
};
pub use error::ClientError;
pub use format::{Format, FormatStyle};
pub use paginate::{items, pages, PageBy, PageStyle, Paged};
pub use poll::{changes_since, wait_for_status, TimeFormat, WaitOptions, Watched};
pub use retry::{retry_delay, RetryPolicy};
pub use transport::{
    Base, Reply, Request, Response, Transport, TransportBuilder, TransportError, DEFAULT_MAX_BODY_BYTES, DEFAULT_RENEW_BEFORE,
};

/// Re-exported so generated code and its users name HTTP and stream types through
/// `::runtime` only.
pub use futures::stream::{Stream, StreamExt, TryStreamExt};
pub use reqwest::{header::HeaderMap, Method, Url};
