//! The one error type of every client call.

use super::auth::AuthError;
use super::codec::EmbeddedFault;
use super::transport::TransportError;
use crate::DecodeError;
use std::time::Duration;

/// Why a client call failed. `F` is the operation's fault type: the generated
/// `<Operation>Error` enum, or [`FaultBody`](crate::faults::FaultBody) where none is generated.
#[derive(Debug, thiserror::Error)]
pub enum ClientError<F> {
    /// The request could not be sent or the response could not be read (connection
    /// refused, TLS, reset...): the operation and the HTTP client's error, whose causes
    /// the message shows. The message never holds a header value or a URL.
    #[error("transport: {what}: {}", super::transport::causes(source))]
    Transport {
        /// The operation (or identity call) that failed.
        what: String,
        /// The HTTP client's error.
        #[source]
        source: reqwest::Error,
    },
    /// A request, or a wait, took longer than allowed.
    #[error("timed out after {after:?}: {what}{}", last_status.as_ref().map(|s| format!(" (last status {s})")).unwrap_or_default())]
    Timeout {
        /// What timed out: an operation id, or the wait.
        what: String,
        /// The time allowed.
        after: Duration,
        /// For a wait: the last status seen.
        last_status: Option<String>,
    },
    /// The response body is not the documented model. The message names the operation,
    /// the status, the content type, where in the body decoding failed and a short excerpt
    /// of the response body (at most [`EXCERPT_CHARS`](super::EXCERPT_CHARS) characters;
    /// withheld for models that hold secrets). Request bodies are never shown.
    #[error(
        "cannot decode the {status} response of {operation} ({}){}: {source}{}",
        content_type.as_deref().unwrap_or("no content type"),
        path.as_ref().map(|p| format!(" at `{p}`")).unwrap_or_default(),
        excerpt.as_ref().map(|e| format!("; body: {e}")).unwrap_or_default()
    )]
    Decode {
        /// The schema id of the operation (`v2.flavors.get`).
        operation: &'static str,
        /// The HTTP status of the response.
        status: u16,
        /// The response's `Content-Type`, if it has one.
        content_type: Option<String>,
        /// Where in the body decoding failed: JSON field names joined by `.` from the
        /// document root (`flavor.swap`, `servers[2].id`), or the XML element (and
        /// attribute) at fault; `None` when the body as a whole is unreadable.
        path: Option<String>,
        /// The start of the response body, whitespace collapsed and bounded; `None` when
        /// the body is empty or its model holds secrets.
        excerpt: Option<String>,
        /// What is wrong with it (boxed: it keeps the error small).
        #[source]
        source: Box<DecodeError>,
    },
    /// The service answered with a documented body-less redirection (`300 Multiple
    /// Choices`) instead of the resource. Operations whose only body-less responses are
    /// such redirections return their body type directly and report them here.
    #[error("{operation} answered {status} instead of the resource{}", location.as_ref().map(|l| format!(" (Location: {l})")).unwrap_or_default())]
    Redirect {
        /// The schema id of the operation.
        operation: &'static str,
        /// The HTTP status (`300`).
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// A response header the operation documents, and the client reads, is missing or
    /// unusable (a `Location` without a path).
    #[error("the {status} response of {operation} has no usable `{header}` header")]
    MissingHeader {
        /// The schema id of the operation.
        operation: &'static str,
        /// The HTTP status of the response.
        status: u16,
        /// The header name, as the schema documents it.
        header: &'static str,
    },
    /// The request body could not be written.
    #[error("cannot encode the request: {0}")]
    Encode(String),
    /// The service answered with a fault.
    #[error("{0}")]
    Fault(F),
    /// Authentication failed or gave no usable endpoint.
    #[error("authentication: {0}")]
    Auth(#[from] AuthError),
    /// The request breaks a documented limit; it was not sent. The violation names the
    /// status and fault the service would have answered with.
    #[error("refused before sending: {0}")]
    Limit(#[from] crate::limits::LimitViolation),
    /// A waited-for resource reached a status it cannot leave towards the target
    /// (an error state such as `ERROR`, or a terminal one such as `DELETED`).
    #[error("resource reached status {status}{}", fault.as_ref().map(|f| format!(": {f}")).unwrap_or_default())]
    Failed {
        /// The status reached.
        status: String,
        /// The fault the resource carries, if any.
        fault: Option<EmbeddedFault>,
    },
    /// The client is configured wrongly (no endpoint, an invalid URL...).
    #[error("configuration: {0}")]
    Config(String),
    /// The response body is longer than the transport reads
    /// ([`TransportBuilder::max_body_bytes`](super::TransportBuilder::max_body_bytes),
    /// default [`DEFAULT_MAX_BODY_BYTES`](super::DEFAULT_MAX_BODY_BYTES)); it was not decoded.
    #[error("the {status} response of {operation} has a body over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The operation.
        operation: String,
        /// The HTTP status of the response.
        status: u16,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl<F> From<TransportError> for ClientError<F> {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Transport { what, source } => ClientError::Transport { what, source },
            TransportError::Timeout { what, after } => ClientError::Timeout { what, after, last_status: None },
            TransportError::Auth(a) => ClientError::Auth(a),
            TransportError::Config(m) => ClientError::Config(m),
            TransportError::BodyTooLarge { operation, status, limit } => ClientError::BodyTooLarge { operation, status, limit },
        }
    }
}

impl<F> ClientError<F> {
    /// The same error with the fault converted (the other variants are kept).
    pub fn map_fault<G>(self, f: impl FnOnce(F) -> G) -> ClientError<G> {
        match self {
            ClientError::Transport { what, source } => ClientError::Transport { what, source },
            ClientError::Timeout { what, after, last_status } => ClientError::Timeout { what, after, last_status },
            ClientError::Decode { operation, status, content_type, path, excerpt, source } => {
                ClientError::Decode { operation, status, content_type, path, excerpt, source }
            }
            ClientError::Redirect { operation, status, location } => ClientError::Redirect { operation, status, location },
            ClientError::MissingHeader { operation, status, header } => ClientError::MissingHeader { operation, status, header },
            ClientError::Encode(m) => ClientError::Encode(m),
            ClientError::Fault(x) => ClientError::Fault(f(x)),
            ClientError::Auth(a) => ClientError::Auth(a),
            ClientError::Limit(v) => ClientError::Limit(v),
            ClientError::Failed { status, fault } => ClientError::Failed { status, fault },
            ClientError::Config(m) => ClientError::Config(m),
            ClientError::BodyTooLarge { operation, status, limit } => ClientError::BodyTooLarge { operation, status, limit },
        }
    }

    /// The fault, if the service answered with one.
    pub fn fault(&self) -> Option<&F> {
        match self {
            ClientError::Fault(f) => Some(f),
            _ => None,
        }
    }
}
