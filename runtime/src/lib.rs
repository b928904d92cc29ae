//! Support code for the generated Cloud Servers models, codecs and clients.
//!
//! Generated code refers to this crate by path (`::runtime::...`) and to serde through
//! [`serde`] re-exported here, so a crate that generates code needs only this dependency.

pub mod client;
pub mod faults;
pub mod lenient;
pub mod limits;
pub mod machines;
pub mod strict;
pub mod values;
pub mod xml;

pub use jiff;
/// The HTTP client the transport sends with, for building one to pass to
/// [`client::TransportBuilder::http_client`] with the same version.
pub use reqwest;
pub use serde;
pub use serde_json;
pub use shapes;
pub use values::{IntegerOrUuid, Secret, Timestamp};

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The JSON body is malformed or has the wrong shape.
    #[error("JSON: {0}")]
    Json(String),
    /// The XML body is not well-formed.
    #[error("XML: {0}")]
    XmlSyntax(#[from] xml_dom::XmlError),
    /// The root element is not the one expected.
    #[error("XML: root element is {found}, expected {expected}")]
    WrongRoot {
        /// The element found.
        found: String,
        /// The element expected.
        expected: String,
    },
    /// A required attribute or element is missing.
    #[error("XML: line {line}: <{element}> lacks required {what}")]
    Missing {
        /// The element that lacks it.
        element: String,
        /// The attribute or element missing.
        what: String,
        /// The line of the element.
        line: usize,
    },
    /// A value could not be read as its type.
    #[error("XML: line {line}: <{element}>: {message}")]
    Value {
        /// The element holding the value.
        element: String,
        /// What is wrong.
        message: String,
        /// The line of the element.
        line: usize,
    },
    /// The JSON body lacks the key that wraps the resource.
    #[error("JSON: expected an object with the key `{0}`")]
    MissingWrap(String),
}
