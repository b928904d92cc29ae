//! The wire format of a body: JSON, XML or plain text. One type for the schema (which
//! names the formats an operation offers), the clients (which ask for one and read what
//! came) and the fault decoder (which reads any).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The format of a request or response body.
///
/// In schema data it is written in lowercase (`json`, `xml`, `text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `application/json` (the services' default).
    #[default]
    Json,
    /// `application/xml`.
    Xml,
    /// `text/plain` (RackConnect's `format=text`).
    Text,
}

impl Format {
    /// Every format, in the order the documents list them.
    pub const ALL: [Format; 3] = [Format::Json, Format::Xml, Format::Text];

    /// The name as written in schema data and format parameters (`json`, `xml`, `text`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Xml => "xml",
            Format::Text => "text",
        }
    }

    /// The format of a name as written in schema data (`json`, `xml`, `text`).
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The media type sent in `Accept` and `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
            Format::Text => "text/plain",
        }
    }

    /// The URI extension that asks for this format (`.json`, `.xml`); plain text has none.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            Format::Json => Some(".json"),
            Format::Xml => Some(".xml"),
            Format::Text => None,
        }
    }

    /// The format a `Content-Type` value names, if it names JSON or XML
    /// (`application/json; charset=UTF-8`, `application/vnd.openstack.compute+json`,
    /// `application/atom+xml`, `text/xml`). Any other type (`text/plain`, `text/html`)
    /// gives `None`: such a body may still be a JSON or XML document (see [`Format::sniff`]).
    pub fn from_content_type(value: &str) -> Option<Format> {
        let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if essence == "application/json" || essence.ends_with("+json") {
            Some(Format::Json)
        } else if essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml") {
            Some(Format::Xml)
        } else {
            None
        }
    }

    /// The format a body looks like from its first non-blank byte: `<` is XML, `{` or `[`
    /// JSON; `None` for anything else (plain text, an empty body).
    pub fn sniff(body: &[u8]) -> Option<Format> {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Some(Format::Xml),
            Some(b'{') | Some(b'[') => Some(Format::Json),
            _ => None,
        }
    }

    /// `self` when `offered` holds it, else the first offered, else `self`: the format to
    /// use for an operation that offers only some formats.
    pub fn among(self, offered: &[Format]) -> Format {
        if offered.contains(&self) {
            self
        } else {
            offered.first().copied().unwrap_or(self)
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_name_formats() {
        assert_eq!(Format::from_content_type("application/json; charset=UTF-8"), Some(Format::Json));
        assert_eq!(Format::from_content_type("application/XML"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("text/xml"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("application/atom+xml"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("application/vnd.openstack.compute+json;version=2"), Some(Format::Json));
        assert_eq!(Format::from_content_type("text/plain"), None);
        assert_eq!(Format::from_content_type("text/html"), None);
        assert_eq!(Format::from_content_type("application/jsonp"), None, "only JSON itself");
    }

    #[test]
    fn sniffing_and_choice() {
        assert_eq!(Format::sniff(b"  <?xml"), Some(Format::Xml));
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Some(Format::Json));
        assert_eq!(Format::sniff(b"[1]"), Some(Format::Json));
        assert_eq!(Format::sniff(b"DEPLOYED"), None);
        assert_eq!(Format::sniff(b""), None);
        assert_eq!(Format::Xml.among(&[Format::Json]), Format::Json);
        assert_eq!(Format::Xml.among(&[Format::Json, Format::Xml]), Format::Xml);
        assert_eq!(Format::Xml.among(&[]), Format::Xml);
        assert_eq!(Format::Xml.extension(), Some(".xml"));
        assert_eq!(Format::Text.extension(), None);
        assert_eq!(Format::Text.media_type(), "text/plain");
    }

    #[test]
    fn names_as_in_schema_data() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()), Some(f));
            assert_eq!(serde_json::to_value(f).unwrap(), serde_json::Value::String(f.to_string()));
            assert_eq!(serde_json::from_value::<Format>(serde_json::Value::String(f.as_str().into())).unwrap(), f);
        }
        assert!(serde_json::from_str::<Format>("\"JSON\"").is_err());
        assert_eq!(Format::parse("yaml"), None);
    }
}
