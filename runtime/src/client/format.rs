//! Wire formats and how a client asks for one.

/// The body format of a request or response: the one format type of the schema, the
/// clients and the fault decoder.
pub use shapes::Format;

/// How the response format is asked for. Request bodies always carry `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FormatStyle {
    /// An `Accept` header (the default).
    #[default]
    Headers,
    /// A `.json` or `.xml` extension appended to the path, before the query string.
    /// Requests whose path is the host root (`GET /`) fall back to `Accept`.
    Extension,
}
