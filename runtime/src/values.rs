//! Value types the schema uses that Rust lacks: secrets, mixed integer-or-UUID ids, and
//! the text forms of scalars in XML.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A password, key or token. Its `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for sending it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret(s.to_string())
    }
}

/// An id that is an integer in the first generation API and a UUID string in the next.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntegerOrUuid {
    /// A first generation integer id.
    Integer(i64),
    /// A next generation string id.
    Uuid(String),
}

impl Default for IntegerOrUuid {
    fn default() -> Self {
        IntegerOrUuid::Uuid(String::new())
    }
}

impl fmt::Display for IntegerOrUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntegerOrUuid::Integer(i) => write!(f, "{i}"),
            IntegerOrUuid::Uuid(s) => f.write_str(s),
        }
    }
}

/// A date-time as a server sent it: the raw text, kept whatever its form, and parsed
/// on demand as ISO 8601 ([`Timestamp::parse`]). A date in another form never fails a decode; the strict
/// validator reports it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(String);

impl Timestamp {
    /// Keeps `raw` as received.
    pub fn new(raw: impl Into<String>) -> Self {
        Timestamp(raw.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, when the text is an ISO 8601 date-time (`Z`, an offset, or no zone:
    /// UTC), read by the one reader of times ([`shapes::time::parse_datetime`]).
    pub fn parse(&self) -> Result<jiff::Timestamp, shapes::DateTimeError> {
        shapes::parse_datetime(&self.0)
    }
}

impl From<jiff::Timestamp> for Timestamp {
    /// The instant in UTC, `2012-08-20T21:11:09Z`, as the documents write it.
    fn from(t: jiff::Timestamp) -> Self {
        Timestamp(shapes::time::format_datetime(t))
    }
}

impl From<&str> for Timestamp {
    fn from(s: &str) -> Self {
        Timestamp(s.to_string())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({:?})", self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl XmlText for Timestamp {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(Timestamp(text.to_string()))
    }
    fn to_text(&self) -> String {
        self.0.clone()
    }
}

/// A value with a text form, as XML attributes and element text carry it.
pub trait XmlText: Sized {
    /// Reads the value from text.
    fn from_text(text: &str) -> Result<Self, String>;
    /// Writes the value as text.
    fn to_text(&self) -> String;
    /// Whether a blank text stands for "no value" (`swap=""` on a number).
    fn blank_is_absent() -> bool {
        false
    }
}

impl XmlText for String {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
    fn to_text(&self) -> String {
        self.clone()
    }
}

impl XmlText for Secret {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(Secret(text.to_string()))
    }
    fn to_text(&self) -> String {
        self.0.clone()
    }
}

impl XmlText for i64 {
    fn blank_is_absent() -> bool {
        true
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("`{text}` is not an integer"))
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl XmlText for f64 {
    fn blank_is_absent() -> bool {
        true
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("`{text}` is not a number"))
    }
    /// As JSON writes it: a whole number keeps its decimal point (`2.0`, not `2`).
    fn to_text(&self) -> String {
        let s = self.to_string();
        if self.is_finite() && !s.contains('.') {
            format!("{s}.0")
        } else {
            s
        }
    }
}

impl XmlText for bool {
    fn blank_is_absent() -> bool {
        true
    }
    fn from_text(text: &str) -> Result<Self, String> {
        match text.trim() {
            "true" | "True" => Ok(true),
            "false" | "False" => Ok(false),
            _ => Err(format!("`{text}` is not a boolean")),
        }
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl XmlText for IntegerOrUuid {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(match text.trim().parse::<i64>() {
            Ok(i) => IntegerOrUuid::Integer(i),
            Err(_) => IntegerOrUuid::Uuid(text.to_string()),
        })
    }
    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl XmlText for serde_json::Value {
    fn from_text(text: &str) -> Result<Self, String> {
        Ok(serde_json::Value::String(text.to_string()))
    }
    fn to_text(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

/// A value that may be `null` in JSON (a map value); XML has no null, so its text is
/// always a value.
impl<T: XmlText> XmlText for Option<T> {
    fn from_text(text: &str) -> Result<Self, String> {
        T::from_text(text).map(Some)
    }
    fn to_text(&self) -> String {
        self.as_ref().map(T::to_text).unwrap_or_default()
    }
}

/// Serde support for fields that may be absent, `null`, or a value (`Option<Option<T>>`).
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Reads a present field: `null` becomes `Some(None)`.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }

    /// Writes `Some(None)` as `null` (absent fields are skipped by the caller).
    pub fn serialize<T: Serialize, S: Serializer>(v: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }
}
