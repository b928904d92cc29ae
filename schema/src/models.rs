//! Body models: the JSON shape of every request and response body and its XML mapping.

use crate::provenance::{Api, Erratum, Source};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

pub use shapes::Scalar;

/// A type expression: a scalar, a reference to a model or enum, an array or a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr {
    /// A scalar value.
    Scalar(Scalar),
    /// A model of kind `object`, `map`, `array` or `text`.
    Model(String),
    /// A model of kind `enum`.
    Enum(String),
    /// A JSON array of the inner type.
    Array(Box<TypeExpr>),
    /// A JSON object with string keys and values of the inner type.
    Map(Box<TypeExpr>),
}

impl TypeExpr {
    /// The ids of the models and enums this type refers to, directly or through arrays and maps.
    pub fn referenced_ids(&self) -> Vec<&str> {
        match self {
            TypeExpr::Scalar(_) => Vec::new(),
            TypeExpr::Model(id) | TypeExpr::Enum(id) => vec![id.as_str()],
            TypeExpr::Array(inner) | TypeExpr::Map(inner) => inner.referenced_ids(),
        }
    }

    fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            TypeExpr::Scalar(s) => json!(s.as_str()),
            TypeExpr::Model(id) => json!({ "model": id }),
            TypeExpr::Enum(id) => json!({ "enum": id }),
            TypeExpr::Array(inner) => json!({ "array": inner.to_json() }),
            TypeExpr::Map(inner) => json!({ "map": inner.to_json() }),
        }
    }

    fn from_json(v: &serde_json::Value) -> Result<Self, String> {
        const EXPECTED: &str = "a scalar type name (string, integer, number, boolean, datetime, unix-time, uuid, uri, ipv4, ipv6, ip, base64, secret, integer-or-uuid, any) or an object with one key: model, enum, array or map";
        match v {
            serde_json::Value::String(s) => Scalar::parse(s)
                .map(TypeExpr::Scalar)
                .ok_or_else(|| format!("unknown type `{s}`: expected {EXPECTED}")),
            serde_json::Value::Object(o) if o.len() == 1 => {
                let (k, inner) = o.iter().next().ok_or_else(|| EXPECTED.to_string())?;
                match (k.as_str(), inner) {
                    ("model", serde_json::Value::String(id)) => Ok(TypeExpr::Model(id.clone())),
                    ("enum", serde_json::Value::String(id)) => Ok(TypeExpr::Enum(id.clone())),
                    ("array", t) => Ok(TypeExpr::Array(Box::new(Self::from_json(t)?))),
                    ("map", t) => Ok(TypeExpr::Map(Box::new(Self::from_json(t)?))),
                    (k, _) => Err(format!("unknown type key `{k}`: expected {EXPECTED}")),
                }
            }
            other => Err(format!("found {other}: expected {EXPECTED}")),
        }
    }
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeExpr::Scalar(s) => f.write_str(s.as_str()),
            TypeExpr::Model(id) => write!(f, "model {id}"),
            TypeExpr::Enum(id) => write!(f, "enum {id}"),
            TypeExpr::Array(inner) => write!(f, "array of {inner}"),
            TypeExpr::Map(inner) => write!(f, "map of {inner}"),
        }
    }
}

impl Serialize for TypeExpr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TypeExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        TypeExpr::from_json(&v).map_err(de::Error::custom)
    }
}

/// How a value is compared when a live response is checked against a documented example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Varies {
    /// The value must match the example exactly.
    Exact,
    /// The value is instance-specific (an ID, a time, an address, a secret, a host in a link).
    Any,
}

/// The XML mapping of a model: the element that represents it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelXml {
    /// The element's local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// The namespace prefix (see `namespaces.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// For maps: the element of one entry (absent when the element itself is the one entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// For maps: the attribute that holds the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// For maps: the attribute that holds a scalar value (else the entry's text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_attribute: Option<String>,
    /// For arrays: the element of one item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Box<ModelXml>>,
}

/// The XML mapping of one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FieldXml {
    /// The field is an attribute of this local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// The field is a child element of this local name (one per item for arrays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element: Option<String>,
    /// Array items are wrapped in an element of this local name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrapper: Option<String>,
    /// The field is the element's own text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub text: bool,
    /// Namespace prefix of the attribute or element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ns: Option<String>,
    /// The field has no XML form.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json_only: bool,
    /// For scalar values: the attribute of the field's element that holds the value
    /// (`<server id="422"/>` for a JSON integer), instead of the element's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_attribute: Option<String>,
    /// Other mappings a reader accepts for the same value (a shape another place of the
    /// documents, or servers of the family, use); values are written in this mapping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<FieldXml>,
}

/// One field of an object model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The JSON key, exactly as on the wire (`OS-DCF:diskConfig`).
    pub name: String,
    /// The value type.
    #[serde(rename = "type")]
    pub ty: TypeExpr,
    /// Present in every documented body of this model.
    #[serde(default)]
    pub required: bool,
    /// JSON `null` is allowed.
    #[serde(default)]
    pub nullable: bool,
    /// The field has a JSON form (false for XML-only fields).
    #[serde(default = "yes")]
    pub json: bool,
    /// The XML mapping; absent for fields with no XML form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<FieldXml>,
    /// How conformance checks compare the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub varies: Option<Varies>,
    /// Where a request's value of the field comes from: a field of the success response
    /// of another operation (the id or link of an image, a flavor, a server).
    ///
    /// The value the target yields replaces the documented value when a request is sent
    /// (a conformance run replaying a documented example, which names an image or a
    /// server of the document's account). A field that takes an id or a URL (v2
    /// `imageRef`, `flavorRef`: a resource refers to another "by providing an ID or a
    /// URL", Section 1.5; Tables 2.2, 2.7 and 2.8 call them IDs) takes the id as well, as
    /// the documents allow, so the source is the id. Only fields of models a request body
    /// holds have one: it says nothing about responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<crate::operations::ParamSource>,
    /// What the field means to a client or a server beyond its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<FieldRole>,
    /// The extension alias that adds the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// What the field is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where the field is documented, when not where its model is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Corrections of the documents about this field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<Erratum>,
}

/// What a field means to the code that handles its model, beyond its value: the parts of
/// a fault, the relation and target of a link, the status a resource is polled for, and
/// the parts of the identity v2.0 token exchange (credentials, token, catalog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldRole {
    /// The numeric fault code (the HTTP status) of a fault body.
    FaultCode,
    /// The human-readable message of a fault body.
    FaultMessage,
    /// The details of a fault body.
    FaultDetails,
    /// When the fault happened (an asynchronous fault).
    FaultCreated,
    /// When the request may be retried (a date-time).
    RetryAt,
    /// When, or in how many seconds, the request may be retried.
    RetryAfter,
    /// The relation of a link (`self`, `bookmark`, `next`).
    LinkRel,
    /// The target of a link.
    LinkHref,
    /// The status of a resource: the value of a state machine a client waits on.
    Status,
    /// In a token request: the password credentials (a model with a `credential-user`
    /// and a `credential-secret` field).
    PasswordCredentials,
    /// In a token request: the API key credentials (a model with a `credential-user` and
    /// a `credential-secret` field).
    ApiKeyCredentials,
    /// The user name of credentials.
    CredentialUser,
    /// The password or key of credentials.
    CredentialSecret,
    /// In a token response: the token a client sends on every request.
    TokenId,
    /// In a token response: when the token expires.
    TokenExpires,
    /// In a token response: the tenant (account) the token is for.
    TenantId,
    /// In a token response's service catalog: the name of a service.
    ServiceName,
    /// In a token response's service catalog: the URL of an endpoint of a service.
    EndpointUrl,
    /// In a token response's service catalog: the region of an endpoint.
    EndpointRegion,
    /// In a token response's service catalog: the tenant of an endpoint.
    EndpointTenant,
    /// In a request that makes a resource (or renames one): the name the client gives it,
    /// which the service shows back and which a client that makes many may need unique.
    ResourceName,
}

impl FieldRole {
    /// Every role, in the order reports list them.
    pub const ALL: [FieldRole; 21] = [
        FieldRole::FaultCode,
        FieldRole::FaultMessage,
        FieldRole::FaultDetails,
        FieldRole::FaultCreated,
        FieldRole::RetryAt,
        FieldRole::RetryAfter,
        FieldRole::LinkRel,
        FieldRole::LinkHref,
        FieldRole::Status,
        FieldRole::PasswordCredentials,
        FieldRole::ApiKeyCredentials,
        FieldRole::CredentialUser,
        FieldRole::CredentialSecret,
        FieldRole::TokenId,
        FieldRole::TokenExpires,
        FieldRole::TenantId,
        FieldRole::ServiceName,
        FieldRole::EndpointUrl,
        FieldRole::EndpointRegion,
        FieldRole::EndpointTenant,
        FieldRole::ResourceName,
    ];

    /// The role as written in data files.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldRole::FaultCode => "fault-code",
            FieldRole::FaultMessage => "fault-message",
            FieldRole::FaultDetails => "fault-details",
            FieldRole::FaultCreated => "fault-created",
            FieldRole::RetryAt => "retry-at",
            FieldRole::RetryAfter => "retry-after",
            FieldRole::LinkRel => "link-rel",
            FieldRole::LinkHref => "link-href",
            FieldRole::Status => "status",
            FieldRole::PasswordCredentials => "password-credentials",
            FieldRole::ApiKeyCredentials => "api-key-credentials",
            FieldRole::CredentialUser => "credential-user",
            FieldRole::CredentialSecret => "credential-secret",
            FieldRole::TokenId => "token-id",
            FieldRole::TokenExpires => "token-expires",
            FieldRole::TenantId => "tenant-id",
            FieldRole::ServiceName => "service-name",
            FieldRole::EndpointUrl => "endpoint-url",
            FieldRole::EndpointRegion => "endpoint-region",
            FieldRole::EndpointTenant => "endpoint-tenant",
            FieldRole::ResourceName => "resource-name",
        }
    }

    /// The scalar types a field of this role may have.
    pub fn scalars(self) -> &'static [Scalar] {
        match self {
            FieldRole::FaultCode => &[Scalar::Integer],
            FieldRole::FaultMessage | FieldRole::FaultDetails => &[Scalar::String],
            FieldRole::FaultCreated | FieldRole::RetryAt => &[Scalar::DateTime, Scalar::String],
            FieldRole::RetryAfter => &[Scalar::DateTime, Scalar::Integer, Scalar::String],
            FieldRole::LinkRel | FieldRole::LinkHref => &[Scalar::String, Scalar::Uri],
            // A status is an enumeration, checked against the state machines; credentials
            // are a model, checked for their user and secret.
            FieldRole::Status | FieldRole::PasswordCredentials | FieldRole::ApiKeyCredentials => &[],
            FieldRole::CredentialUser
            | FieldRole::TenantId
            | FieldRole::ServiceName
            | FieldRole::EndpointRegion
            | FieldRole::EndpointTenant
            | FieldRole::ResourceName => &[Scalar::String],
            FieldRole::CredentialSecret => &[Scalar::Secret],
            FieldRole::TokenId => &[Scalar::Secret, Scalar::String],
            FieldRole::TokenExpires => &[Scalar::DateTime],
            FieldRole::EndpointUrl => &[Scalar::Uri, Scalar::String],
        }
    }

    /// Whether a field of this role holds credentials (a model with a user and a secret).
    pub fn is_credentials(self) -> bool {
        matches!(self, FieldRole::PasswordCredentials | FieldRole::ApiKeyCredentials)
    }
}

impl Model {
    /// The field that has `role`, if any (a model has at most one per role).
    pub fn field_with_role(&self, role: FieldRole) -> Option<&Field> {
        self.fields.iter().find(|f| f.role == Some(role))
    }
}

fn yes() -> bool {
    true
}

impl Field {
    /// How conformance checks compare this field's value.
    pub fn varies(&self) -> Varies {
        self.varies.unwrap_or(match &self.ty {
            TypeExpr::Scalar(s) if s.varies_by_default() => Varies::Any,
            _ => Varies::Exact,
        })
    }
}

/// One documented value of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value as spelled on the wire.
    pub value: String,
    /// The API the value stands for, when it names one: the name under which a service
    /// catalog lists that API's endpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where it is documented, when not where its enum is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// The kinds of models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// A JSON object with named fields.
    Object,
    /// A JSON object with free string keys.
    Map,
    /// A closed set of documented strings, read leniently (unknown values become `Unknown`).
    Enum,
    /// A JSON array.
    Array,
    /// A plain-text body.
    Text,
    /// A body a reader accepts in any of several shapes (`variants`); the first is the
    /// one the documents show.
    Union,
}

/// One accepted shape of a union model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The model of this shape.
    pub model: String,
    /// In JSON, the key of the single-key object that holds the model; absent when the
    /// model is the whole document. In XML the variant is recognised by its model's root
    /// element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap: Option<String>,
    /// The documents imply this shape but do not show it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// Where the shape comes from and why a reader accepts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// A body model: one JSON shape with its XML mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Unique id, `<api>.<Name>`.
    pub id: String,
    /// The kind of shape.
    pub kind: ModelKind,
    /// The API whose module holds the model (defaults to the id's prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<Api>,
    /// Where the model is documented.
    pub source: Source,
    /// What the model is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The XML mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<ModelXml>,
    /// Fields of an object.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// Value type of a map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<ModelValues>,
    /// For maps: a value may be JSON `null`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nullable_values: bool,
    /// Item type of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<TypeExpr>,
    /// The accepted shapes of a union, the documented one first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Value type of a text body.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub text_type: Option<TypeExpr>,
    /// The extension alias that adds the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// Corrections of the documents about this model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<Erratum>,
}

/// `values` of a model: a value type for maps, the documented values for enums.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ModelValues {
    /// The values of an enum.
    Enum(Vec<EnumValue>),
    /// The value type of a map.
    Map(TypeExpr),
}

impl<'de> Deserialize<'de> for ModelValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(deserializer)?;
        if v.is_array() {
            serde_json::from_value(v)
                .map(ModelValues::Enum)
                .map_err(|e| de::Error::custom(format!("enum values: {e}")))
        } else {
            TypeExpr::from_json(&v).map(ModelValues::Map).map_err(de::Error::custom)
        }
    }
}

impl Model {
    /// The documented values of an enum model.
    pub fn enum_values(&self) -> &[EnumValue] {
        match &self.values {
            Some(ModelValues::Enum(v)) => v,
            _ => &[],
        }
    }

    /// The value type of a map model.
    pub fn map_values(&self) -> Option<&TypeExpr> {
        match &self.values {
            Some(ModelValues::Map(t)) => Some(t),
            _ => None,
        }
    }

    /// The API whose module holds the model.
    pub fn api(&self) -> Option<Api> {
        self.api.or_else(|| {
            let prefix = self.id.rsplit_once('.').map(|(p, _)| p)?;
            Api::parse(prefix)
        })
    }
}
