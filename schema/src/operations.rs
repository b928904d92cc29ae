//! Operations: method, path, parameters, bodies, responses, faults and limits of each API call.

use crate::models::TypeExpr;
use crate::provenance::{Api, Erratum, Source};
use serde::{Deserialize, Serialize};

/// Wire formats of bodies: the one format type, shared with the clients and the fault
/// decoder.
pub use shapes::Format;

/// How a request is authenticated, and what a path is relative to: one definition, in
/// the shapes crate, shared with the generated operation tables.
pub use shapes::operations::{AuthKind as Auth, Base};

/// A path or query parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// The parameter name.
    pub name: String,
    /// The value type.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// Whether the parameter must be given (path parameters always are).
    #[serde(default)]
    pub required: bool,
    /// The parameter picks the response format: its values are format names (`json`,
    /// `xml`, `text`), and the response's `default_format` applies when it is omitted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub selects_format: bool,
    /// The list items the parameter keeps, for a filter of a list call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<shapes::operations::Filter<'static>>,
    /// Where a value of the parameter comes from: a field of the success response of
    /// another operation (the id a create answers with, or an item of a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ParamSource>,
    /// An operation that makes a resource the parameter can name, when its `source` only
    /// lists them (a new image of a server): what a run makes one of its own with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_by: Option<MadeBy>,
    /// What it selects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// An operation that makes a resource and names it in a response header only: a URL whose
/// last path segment is the new resource's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MadeBy {
    /// The id of the operation, of the same API.
    pub operation: String,
    /// The response header holding the new resource's URL (`Location`).
    pub header: String,
    /// Why this operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// The operation whose success response yields values of a path parameter or of a request
/// field, and where in that response a value is: what a conformance run fills the
/// parameter or the field from, having called the operation first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSource {
    /// The id of the operation that yields the value, of the same API.
    pub operation: String,
    /// A JSON pointer into that operation's success response body, its wrapping key
    /// included: object fields by JSON name, `/0` for the first item of an array, and a
    /// last segment `*` for any key of a map (`/server/id`, `/flavors/0/id`,
    /// `/metadata/*`).
    pub pointer: String,
    /// The operation (of the same API) whose made resource the source operation is called
    /// as: a credentials exchange signed in with the user name and secret that operation's
    /// request set (its fields with the `resource-name` and `credential-secret` roles), so
    /// that a user added to the account yields its own id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_from: Option<String>,
    /// Why this operation, when the obvious one does not yield the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// One step of a [`ParamSource::pointer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PointerStep {
    /// An object field by its JSON name, or a key of a map.
    Key(String),
    /// An item of an array, by its index (also a possible map key or field name).
    Index(usize),
    /// `*`, last: any key of a map.
    AnyKey,
}

impl ParamSource {
    /// The steps of the pointer, `~1` and `~0` decoded; an error says why it is no
    /// JSON pointer of this form (empty, no leading `/`, `*` before the end).
    pub fn steps(&self) -> Result<Vec<PointerStep>, String> {
        let Some(rest) = self.pointer.strip_prefix('/') else {
            return Err(format!("pointer `{}` does not start with `/`", self.pointer));
        };
        let segments: Vec<&str> = rest.split('/').collect();
        let mut out = Vec::with_capacity(segments.len());
        for (i, seg) in segments.iter().enumerate() {
            let step = match *seg {
                "*" if i + 1 == segments.len() => PointerStep::AnyKey,
                "*" => return Err(format!("pointer `{}`: `*` (any key of a map) must end it", self.pointer)),
                "" => return Err(format!("pointer `{}` has an empty segment", self.pointer)),
                s if s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0')) => match s.parse() {
                    Ok(n) => PointerStep::Index(n),
                    Err(_) => PointerStep::Key(s.to_string()),
                },
                s => PointerStep::Key(s.replace("~1", "/").replace("~0", "~")),
            };
            out.push(step);
        }
        Ok(out)
    }
}

/// What a header means to a client beyond its value: the parts of the authentication
/// exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderRole {
    /// The user name of a credentials exchange (`X-Auth-User`).
    AuthUser,
    /// The key of a credentials exchange (`X-Auth-Key`).
    AuthKey,
    /// The authentication token: what a credentials exchange answers with, and what
    /// operations authenticated by `token` send (`X-Auth-Token`).
    AuthToken,
    /// The service endpoint a credentials exchange answers with (`X-Server-Management-Url`).
    Endpoint,
}

impl HeaderRole {
    /// Every role, in the order reports list them.
    pub const ALL: [HeaderRole; 4] = [HeaderRole::AuthUser, HeaderRole::AuthKey, HeaderRole::AuthToken, HeaderRole::Endpoint];

    /// The role as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            HeaderRole::AuthUser => "auth-user",
            HeaderRole::AuthKey => "auth-key",
            HeaderRole::AuthToken => "auth-token",
            HeaderRole::Endpoint => "endpoint",
        }
    }
}

/// A request header the operation uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The header name.
    pub name: String,
    /// Whether it must be sent.
    #[serde(default)]
    pub required: bool,
    /// Whether its value is a credential that must never be logged.
    #[serde(default)]
    pub secret: bool,
    /// What the header means to a client (see [`HeaderRole`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<HeaderRole>,
    /// What it carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// A response header the operation documents: its name, written as a plain string, or
/// `{"name": ..., "role": ...}` when it has a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHeader {
    /// The header name, as the documents spell it.
    pub name: String,
    /// What the header means to a client (see [`HeaderRole`]).
    pub role: Option<HeaderRole>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseHeaderObject {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<HeaderRole>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ResponseHeaderForm {
    Name(String),
    Object(ResponseHeaderObject),
}

impl Serialize for ResponseHeader {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.role {
            None => ResponseHeaderForm::Name(self.name.clone()),
            Some(role) => ResponseHeaderForm::Object(ResponseHeaderObject { name: self.name.clone(), role: Some(role) }),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ResponseHeader {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        let form: ResponseHeaderForm = serde_json::from_value(v).map_err(|_| {
            serde::de::Error::custom("a response header is a name, or an object with `name` and `role` (auth-user, auth-key, auth-token, endpoint)")
        })?;
        Ok(match form {
            ResponseHeaderForm::Name(name) => ResponseHeader { name, role: None },
            ResponseHeaderForm::Object(o) => ResponseHeader { name: o.name, role: o.role },
        })
    }
}

/// A request or response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// The body model id.
    pub model: String,
    /// The JSON key that wraps the model, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// The formats the body is offered in.
    pub formats: Vec<Format>,
    /// The format used when none is asked for (RackConnect's `format` parameter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_format: Option<Format>,
}

/// One normal response of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The body model id; absent when the response has no body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The JSON key that wraps the model, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// The formats the body is offered in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formats: Vec<Format>,
    /// The format used when none is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_format: Option<Format>,
    /// Response headers the operation documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<ResponseHeader>,
    /// When this response is given (e.g. 203 for a cached answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

impl Response {
    /// The response body, if it has one.
    pub fn body(&self) -> Option<Body> {
        self.model.as_ref().map(|model| Body {
            model: model.clone(),
            wrap: self.wrap.clone(),
            formats: self.formats.clone(),
            default_format: self.default_format,
        })
    }
}

/// A fault an operation may return, with the codes its list gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRef {
    /// The fault id.
    pub fault: String,
    /// The codes the operation's list gives for it.
    #[serde(default)]
    pub codes: Vec<u16>,
}

/// One API call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Unique id, `<api>.<resource>.<verb>`.
    pub id: String,
    /// The API that offers it.
    pub api: Api,
    /// The document's name for it.
    pub name: String,
    /// Where it is documented.
    pub source: Source,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The path template, `{name}` for parameters.
    pub path: String,
    /// What the path is relative to.
    #[serde(default)]
    pub base: Base,
    /// The action key, for `POST .../action` operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Path parameters, one per placeholder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_params: Vec<Param>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<Param>,
    /// Request headers beyond the usual ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub request_headers: Vec<Header>,
    /// How the request is authenticated.
    #[serde(default = "default_auth")]
    pub auth: Auth,
    /// The request body, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Body>,
    /// The normal responses.
    pub responses: Vec<Response>,
    /// The faults it may return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRef>,
    /// The limits that apply to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
    /// The extension alias that adds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Corrections of the documents about it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

/// A value of a parameter type, for instantiating path templates.
fn sample_value(ty: &TypeExpr) -> &'static str {
    use crate::models::Scalar;
    match ty {
        TypeExpr::Scalar(Scalar::Uuid) => "3f2c1e0a-5b7d-4c9e-8a61-0d4b2f6e9a17",
        TypeExpr::Scalar(Scalar::Integer | Scalar::IntegerOrUuid | Scalar::UnixTime) => "1",
        TypeExpr::Scalar(Scalar::DateTime) => "2013-03-26T00:00:00Z",
        TypeExpr::Scalar(Scalar::Ipv4 | Scalar::Ip) => "192.0.2.1",
        TypeExpr::Scalar(Scalar::Ipv6) => "2001:db8::1",
        _ => "sample",
    }
}

fn default_auth() -> Auth {
    Auth::Token
}

impl Operation {
    /// The request header that has `role`, if any.
    pub fn request_header_with_role(&self, role: HeaderRole) -> Option<&Header> {
        self.request_headers.iter().find(|h| h.role == Some(role))
    }

    /// The header of a success response that has `role`, if any.
    pub fn response_header_with_role(&self, role: HeaderRole) -> Option<&ResponseHeader> {
        self.responses.iter().filter(|r| (200..300).contains(&r.status)).flat_map(|r| r.headers.iter()).find(|h| h.role == Some(role))
    }

    /// The key that identifies the operation in a document's inventory: `METHOD path[ action]`.
    pub fn inventory_key(&self) -> String {
        match &self.action {
            Some(a) => format!("{} {} {}", self.method, self.path, a),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The request targets a rate limit is matched against: the path with every
    /// placeholder replaced by a sample value of its type, alone and followed by each
    /// query parameter with a sample value (`/servers?changes-since=...`).
    pub fn sample_targets(&self) -> Vec<String> {
        let mut path = self.path.clone();
        for p in &self.path_params {
            path = path.replace(&format!("{{{}}}", p.name), sample_value(&p.ty));
        }
        let mut out = vec![path.clone()];
        for q in &self.query {
            out.push(format!("{path}?{}={}", q.name, sample_value(&q.ty)));
        }
        out
    }

    /// The placeholder names of the path template, in order.
    pub fn path_placeholders(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = self.path.as_str();
        while let Some(start) = rest.find('{') {
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    out.push(&after[..end]);
                    rest = &after[end + 1..];
                }
                None => break,
            }
        }
        out
    }
}

impl crate::Schema {
    /// The header operations authenticated by `token` send the token in: the one name of
    /// the headers with role `auth-token` (`X-Auth-Token`); `None` when no header has it.
    pub fn token_header(&self) -> Option<&str> {
        self.operations.iter().find_map(|o| {
            o.request_header_with_role(HeaderRole::AuthToken)
                .map(|h| h.name.as_str())
                .or_else(|| o.response_header_with_role(HeaderRole::AuthToken).map(|h| h.name.as_str()))
        })
    }

    /// The models a request of `op` is made of: its request body's model and every model
    /// it reaches through field types, array items, map values and union variants, each
    /// once, the body's first. Empty for an operation without a request body.
    pub fn request_models(&self, op: &Operation) -> Vec<&crate::models::Model> {
        let mut out: Vec<&crate::models::Model> = Vec::new();
        let mut todo: Vec<&str> = op.request.iter().map(|b| b.model.as_str()).collect();
        while let Some(id) = todo.pop() {
            let Some(m) = self.model(id) else { continue };
            if out.iter().any(|x| x.id == m.id) {
                continue;
            }
            out.push(m);
            let types = m.fields.iter().map(|f| &f.ty).chain(m.map_values()).chain(m.items.as_ref()).chain(m.text_type.as_ref());
            let mut next: Vec<&str> = types.flat_map(TypeExpr::referenced_ids).chain(m.variants.iter().map(|v| v.model.as_str())).collect();
            next.reverse();
            todo.extend(next);
        }
        out
    }

    /// Where the values a call of `op` takes from other operations come from: the sources
    /// of its path parameters, then the `value_from` of every field of its request
    /// models (see [`Schema::request_models`]). A conformance run calls these operations
    /// before `op`.
    pub fn value_sources<'a>(&'a self, op: &'a Operation) -> Vec<&'a ParamSource> {
        let params = op.path_params.iter().filter_map(|p| p.source.as_ref());
        let fields = self.request_models(op).into_iter().flat_map(|m| m.fields.iter().filter_map(|f| f.value_from.as_ref()));
        params.chain(fields).collect()
    }
}
