//! Examples: every documented request, response and sample, tied to its operation.

use crate::provenance::{Erratum, Source};
use serde::{Deserialize, Serialize};

/// Whether an example shows a request, a response, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// A request.
    Request,
    /// A response.
    Response,
    /// A shell session that shows both.
    Exchange,
}

/// The form of an example's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleFormat {
    /// A JSON body, stored as a JSON value.
    Json,
    /// An XML body, stored as text.
    Xml,
    /// A plain-text body.
    Text,
    /// A command line or shell session.
    Shell,
    /// Headers only, no body.
    Http,
}

/// The HTTP framing an example shows: request line or status line, and headers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpFrame {
    /// The request method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The request path, as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The status line, as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_line: Option<String>,
    /// The headers, in the order shown.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub headers: serde_json::Map<String, serde_json::Value>,
}

/// A page of a paginated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Page {
    /// The page by number: 1 is the one the query asks for, each next one a next link on.
    Number(u32),
    /// The last page: the first with no next link.
    Last(LastPage),
}

/// The word naming the last page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LastPage {
    /// `"last"`.
    Last,
}

/// A documented example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// Unique id.
    pub id: String,
    /// Where it stands.
    pub source: Source,
    /// The document's title or label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The operation it illustrates.
    pub operation: String,
    /// Request, response or both.
    pub direction: Direction,
    /// The body's form.
    pub format: ExampleFormat,
    /// The HTTP status, for responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The request or status line and headers, when shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpFrame>,
    /// The body: a JSON value for `json`, text otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
    /// The query parameters of the request a response answers, when the document gives
    /// them in its text rather than in a request line (`{"limit": "1"}`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub query: std::collections::BTreeMap<String, String>,
    /// Which page of a paginated list a response is: reached from the page `query` asks
    /// for by following the pagination's next links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<Page>,
    /// Operations the example presumes were done first, in order, on the resource it
    /// shows (a schedule set before it is read, a volume attached before a server lists
    /// it, a second server made in a group before an address is shared with it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<String>,
    /// Notes on the example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Corrections of the document's text of it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

impl Example {
    /// The root key of a JSON body or the root element's local name of an XML body.
    pub fn root_name(&self) -> Option<String> {
        match self.format {
            ExampleFormat::Json => self.body.as_ref()?.as_object()?.keys().next().cloned(),
            ExampleFormat::Xml => xml_dom::parse(self.body_text()?).ok().map(|el| el.name.local.clone()),
            _ => None,
        }
    }

    /// The JSON body a shell example's command sends: the data argument (`-d`, `--data`,
    /// `--data-raw`, `--data-binary`) of its `curl` command, when it is JSON.
    pub fn shell_payload(&self) -> Option<serde_json::Value> {
        if self.format != ExampleFormat::Shell {
            return None;
        }
        // Lines continued with a backslash are one command line.
        let line = self.body_text()?.replace("\\\n", " ");
        let words = shlex::split(&line)?;
        let at = words.iter().position(|w| matches!(w.as_str(), "-d" | "--data" | "--data-raw" | "--data-binary"))?;
        serde_json::from_str(words.get(at + 1)?).ok()
    }

    /// The body as text, for formats stored as text.
    pub fn body_text(&self) -> Option<&str> {
        self.body.as_ref().and_then(|b| b.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(body: &str) -> Example {
        Example {
            id: "t".into(),
            source: Source { document: crate::provenance::DocumentKey::CloudServersV2, place: "p".into() },
            title: None,
            operation: "o".into(),
            direction: Direction::Request,
            format: ExampleFormat::Shell,
            status: None,
            http: None,
            body: Some(serde_json::Value::String(body.into())),
            query: Default::default(),
            page: None,
            after: Vec::new(),
            doc: None,
            errata: Vec::new(),
        }
    }

    #[test]
    fn a_curl_commands_json_data_is_its_payload() {
        let e = shell("$ curl -s https://h/v2.0/tokens -X 'POST' \\\n-d '{\"auth\": {\"a\": 1}}' \\\n-H 'Content-Type: application/json' | python -m json.tool");
        assert_eq!(e.shell_payload(), Some(serde_json::json!({"auth": {"a": 1}})));
    }

    #[test]
    fn a_command_without_json_data_has_none() {
        assert_eq!(shell("| python -m json.tool").shell_payload(), None);
        assert_eq!(shell("curl -X DELETE https://h/users/1 -H \"X-Auth-Token: t\"").shell_payload(), None);
        assert_eq!(shell("curl -d 'not json' https://h").shell_payload(), None);
    }
}
