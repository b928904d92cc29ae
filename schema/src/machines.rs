//! State machines: statuses, their kinds, and the transitions operations cause.
//!
//! A machine is loaded with its provenance (sources, errata, notes) and turned by
//! [`StateMachine::table`] into the table form of [`shapes::machines`], which generated
//! code holds too and whose queries both use.

use crate::models::{Model, ModelKind, TypeExpr};
use crate::provenance::{Api, Erratum, Source};
use crate::Schema;
use serde::{Deserialize, Serialize};
use shapes::machines as table;
use std::borrow::Cow;

pub use shapes::machines::StateKind;

/// One state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The name as the documents spell it.
    pub name: String,
    /// Whether it lasts, passes, failed or ended.
    pub kind: StateKind,
    /// What it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Where it is documented, when not where its machine is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// The documents imply the state but do not state it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

/// The keys of a mapping row that are not its columns: where it is documented, and notes
/// on its cells (`{"task_state": "a"}`, a table's footnote mark), which are no column.
pub const MAPPING_ROW_KEYS: [&str; 2] = ["source", "notes"];

/// What a request must say for a transition to be the one its operation takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The field of the operation's request model (JSON names, `.` between levels,
    /// inside the body's wrapper).
    pub field: String,
    /// The value the field has.
    pub equals: String,
    /// The condition also holds when the request leaves the field out (the value is the
    /// documented default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
}

/// One transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Unique id.
    pub id: String,
    /// The state before.
    pub from: String,
    /// The state after.
    pub to: String,
    /// The operation that causes it; `None` when the service moves on by itself.
    #[serde(default)]
    pub operation: Option<String>,
    /// The transition happens when the work fails.
    #[serde(default)]
    pub on_error: bool,
    /// The transition is the one the operation takes when its request says so (a reboot
    /// of type `HARD`); absent, it does not depend on the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// Where it is documented (for an inferred transition: the place it is inferred from).
    pub source: Source,
    /// No document states the transition: it is read from what the documents do say (a
    /// list of values, their meaning), not from a "Status Transition" line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
    /// Notes on the transition (for an inferred one: what it is inferred from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Corrections of the documents about it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<Erratum>,
}

/// Where the service writes a machine's state into a resource's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSlot {
    /// The model of the resource whose metadata holds the state (`v2.Server`).
    pub model: String,
    /// The metadata key (`rackconnect_automation_status`).
    pub key: String,
    /// Where the document says so.
    pub source: Source,
}

/// A state machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateMachine {
    /// Unique id.
    pub id: String,
    /// The API whose resources have this status.
    pub api: Api,
    /// Where it is documented.
    pub source: Source,
    /// What it describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// The enum model whose values are the states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The states.
    pub states: Vec<State>,
    /// The states a resource starts in.
    #[serde(default)]
    pub initial: Vec<String>,
    /// The transitions.
    pub transitions: Vec<Transition>,
    /// A table keyed by state (the v2 extended status mapping): each row's columns, with
    /// the keys of [`MAPPING_ROW_KEYS`] besides them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mapping: Vec<serde_json::Map<String, serde_json::Value>>,
    /// The resource metadata entry the service keeps the state in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<MetadataSlot>,
    /// Corrections of the documents about it.
    #[serde(default)]
    pub errata: Vec<Erratum>,
}

impl StateMachine {
    /// The enum model whose values are the states: `subject` names it directly
    /// (`v2.ServerStatus`) or as a model field (`v2.Server.status`). `None` when there is
    /// no subject or it names no enum (`schema check` reports which).
    pub fn subject_enum<'s>(&self, schema: &'s Schema) -> Option<&'s Model> {
        let subject = self.subject.as_deref()?;
        if let Some(model) = schema.model(subject) {
            return (model.kind == ModelKind::Enum).then_some(model);
        }
        let (model_id, field) = subject.rsplit_once('.')?;
        let f = schema.model(model_id)?.fields.iter().find(|f| f.name == field)?;
        match &f.ty {
            TypeExpr::Enum(id) | TypeExpr::Model(id) => schema.model(id).filter(|e| e.kind == ModelKind::Enum),
            _ => None,
        }
    }

    /// The machine in table form: its subject resolved to the enum model
    /// ([`StateMachine::subject_enum`]), sources as `document, place` (a state without
    /// its own takes the machine's), and the mapping's cells as text (`None` for null),
    /// without the rows' `source` cells, which become the rows' sources.
    pub fn table(&self, schema: &Schema) -> table::StateMachine {
        let text = |s: &str| Cow::Owned(s.to_string());
        let source = |s: &Source| Cow::Owned(s.to_string());
        let states = self.states.iter().map(|s| table::State {
            name: text(&s.name),
            kind: s.kind,
            doc: text(s.doc.as_deref().unwrap_or_default()),
            source: source(s.source.as_ref().unwrap_or(&self.source)),
        });
        let transitions = self.transitions.iter().map(|t| table::Transition {
            id: text(&t.id),
            from: text(&t.from),
            to: text(&t.to),
            operation: t.operation.as_deref().map(text),
            on_error: t.on_error,
            when: t.when.as_ref().map(|c| table::Condition { field: text(&c.field), equals: text(&c.equals), absent: c.absent }),
            source: source(&t.source),
        });
        let rows = self.mapping.iter().map(|row| {
            let cells = row.iter().filter(|(k, _)| !MAPPING_ROW_KEYS.contains(&k.as_str())).map(|(k, v)| {
                let value = match v {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(text(s)),
                    other => Some(Cow::Owned(other.to_string())),
                };
                (text(k), value)
            });
            let row_source = row.get("source").and_then(|s| serde_json::from_value::<Source>(s.clone()).ok());
            let notes = row.get("notes").and_then(serde_json::Value::as_object).into_iter().flatten();
            let notes = notes.filter_map(|(k, v)| Some((text(k), text(v.as_str()?))));
            table::MappingRow { cells: cells.collect(), notes: notes.collect(), source: source(row_source.as_ref().unwrap_or(&self.source)) }
        });
        table::StateMachine {
            id: text(&self.id),
            subject: self.subject_enum(schema).map(|m| text(&m.id)),
            states: states.collect(),
            initial: self.initial.iter().map(|s| text(s)).collect(),
            transitions: transitions.collect(),
            mapping: rows.collect(),
            metadata: self.metadata.as_ref().map(|m| table::MetadataSlot { model: text(&m.model), key: text(&m.key) }),
            source: source(&self.source),
        }
    }
}
