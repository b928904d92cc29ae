//! The strict reading: a decoded body together with every departure from the documents.
//!
//! Generated models implement [`Shaped`], naming their schema model and the table of
//! shapes their crate was generated with; [`decode_json`] and [`decode_xml`] read a body
//! tolerantly, as a client does, and also return the [`Finding`]s of the strict
//! validator over the same bytes. A client never sees findings unless it asks.

use crate::xml::FromXml;
use crate::DecodeError;
use serde::de::DeserializeOwned;
use serde_json::Value;
pub use shapes::{Finding, FindingKind};

/// A generated model with a shape in its crate's table.
pub trait Shaped {
    /// The schema id of the model (`v2.Server`).
    const MODEL_ID: &'static str;
    /// The shapes the model's crate was generated with.
    fn catalog() -> &'static shapes::Tables;
}

/// Implements [`Shaped`] for a generated model: `shaped!(models::Server, "v2.Server", SHAPES);`.
#[macro_export]
macro_rules! shaped {
    ($t:ty, $id:expr, $tables:expr) => {
        impl $crate::strict::Shaped for $t {
            const MODEL_ID: &'static str = $id;
            fn catalog() -> &'static $crate::shapes::Tables {
                &$tables
            }
        }
    };
}

/// Every departure of a JSON value (without its wrapping key) from `T`'s model.
pub fn findings_json<T: Shaped>(value: &Value) -> Vec<Finding> {
    shapes::validate_json(T::catalog(), T::MODEL_ID, value, "")
}

/// Every departure of an XML document's root from `T`'s model; `root` overrides the
/// model's element name (a fault's root is the fault name).
pub fn findings_xml<T: Shaped>(root: &crate::xml::Element, root_name: Option<&str>) -> Vec<Finding> {
    shapes::validate_xml_root(T::catalog(), T::MODEL_ID, root_name, root)
}

/// Reads a JSON body as `T` (inside the key `wrap`, when given) and reports every
/// departure from the documents, with paths from the document's root.
pub fn decode_json<T: Shaped + DeserializeOwned>(body: &[u8], wrap: Option<&str>) -> Result<(T, Vec<Finding>), DecodeError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| DecodeError::Json(e.to_string()))?;
    let mut findings = Vec::new();
    let inner = match wrap {
        Some(w) => {
            let Some(obj) = doc.as_object().filter(|o| o.contains_key(w)) else {
                return Err(DecodeError::MissingWrap(w.to_string()));
            };
            for k in obj.keys().filter(|k| k.as_str() != w) {
                findings.push(Finding {
                    path: format!("/{k}"),
                    line: None,
                    kind: FindingKind::Undocumented,
                    message: format!("undocumented key `{k}` beside `{w}`"),
                });
            }
            &obj[w]
        }
        None => &doc,
    };
    let at = wrap.map(|w| format!("/{}", w.replace('~', "~0").replace('/', "~1"))).unwrap_or_default();
    findings.extend(shapes::validate_json(T::catalog(), T::MODEL_ID, inner, &at));
    let value = T::deserialize(inner).map_err(|e| DecodeError::Json(e.to_string()))?;
    Ok((value, findings))
}

/// Reads an XML body as `T` (its root named `root`, or the model's element) and reports
/// every departure from the documents, namespaces included.
pub fn decode_xml<T: Shaped + FromXml>(body: &str, root: Option<&str>) -> Result<(T, Vec<Finding>), DecodeError> {
    let el = crate::xml::parse(body)?;
    let findings = shapes::validate_xml_root(T::catalog(), T::MODEL_ID, root, &el);
    if let Some(f) = findings.iter().find(|f| f.kind == FindingKind::Root) {
        return Err(DecodeError::WrongRoot { found: el.name.to_string(), expected: f.message.clone() });
    }
    Ok((T::from_xml(&el)?, findings))
}
