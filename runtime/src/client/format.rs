//! Wire formats and how a client asks for one.

use std::fmt;

/// The body format of a request or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// `application/json` (the services' default).
    #[default]
    Json,
    /// `application/xml`.
    Xml,
}

impl Format {
    /// The media type sent in `Accept` and `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Xml => "application/xml",
        }
    }

    /// The URI extension that asks for this format (`.json`, `.xml`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => ".json",
            Format::Xml => ".xml",
        }
    }

    /// The format a `Content-Type` value names, if it names JSON or XML
    /// (`application/json; charset=UTF-8`, `application/atom+xml`, `text/xml`).
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

    /// The format a body looks like from its first non-blank byte: `<` is XML, `{` or `[` JSON.
    pub fn sniff(body: &[u8]) -> Option<Format> {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Some(Format::Xml),
            Some(b'{') | Some(b'[') => Some(Format::Json),
            _ => None,
        }
    }

    /// The first of `offered` that equals `self`, else the first offered, else `self`:
    /// the format to use for an operation that offers only some formats.
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
        f.write_str(match self {
            Format::Json => "json",
            Format::Xml => "xml",
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_name_formats() {
        assert_eq!(Format::from_content_type("application/json; charset=UTF-8"), Some(Format::Json));
        assert_eq!(Format::from_content_type("application/XML"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("application/atom+xml"), Some(Format::Xml));
        assert_eq!(Format::from_content_type("application/vnd.openstack.compute+json;version=2"), Some(Format::Json));
        assert_eq!(Format::from_content_type("text/plain"), None);
    }

    #[test]
    fn sniffing_and_choice() {
        assert_eq!(Format::sniff(b"  <?xml"), Some(Format::Xml));
        assert_eq!(Format::sniff(b"\n{\"a\":1}"), Some(Format::Json));
        assert_eq!(Format::sniff(b"DEPLOYED"), None);
        assert_eq!(Format::Xml.among(&[Format::Json]), Format::Json);
        assert_eq!(Format::Xml.among(&[Format::Json, Format::Xml]), Format::Xml);
        assert_eq!(Format::Xml.among(&[]), Format::Xml);
        assert_eq!(Format::Xml.extension(), ".xml");
    }
}
