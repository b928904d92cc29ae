//! State machines as data: the states of a resource status, their kinds, the transitions
//! operations cause, and the queries on them.
//!
//! The schema loads [`StateKind`] as it is written in its data files and turns each loaded
//! machine into a [`StateMachine`] (owned strings); generated code holds the same
//! [`StateMachine`]s as `static` tables (borrowed strings). Either way the queries
//! ([`StateMachine::kind_of`], [`StateMachine::can_transition`], ...) are the ones below.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// Whether a state lasts, passes, failed or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateKind {
    /// The resource stays here until asked to change.
    Stable,
    /// The service is working; the state changes by itself.
    Transient,
    /// Stable, but the work failed.
    Error,
    /// The resource is gone.
    Terminal,
}

impl StateKind {
    /// Every kind.
    pub const ALL: [StateKind; 4] = [StateKind::Stable, StateKind::Transient, StateKind::Error, StateKind::Terminal];

    /// The kind as the schema spells it (`stable`, `transient`, `error`, `terminal`).
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Stable => "stable",
            StateKind::Transient => "transient",
            StateKind::Error => "error",
            StateKind::Terminal => "terminal",
        }
    }

    /// The service is done with a resource in a state of this kind: every kind but
    /// [`StateKind::Transient`].
    pub fn is_settled(self) -> bool {
        self != StateKind::Transient
    }
}

impl fmt::Display for StateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One state of a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// The name as the documents spell it (the wire value).
    pub name: Cow<'static, str>,
    /// Whether it lasts, passes, failed or ended.
    pub kind: StateKind,
    /// What it means (empty when the schema says nothing).
    pub doc: Cow<'static, str>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

/// One documented transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The schema id.
    pub id: Cow<'static, str>,
    /// The state before.
    pub from: Cow<'static, str>,
    /// The state after.
    pub to: Cow<'static, str>,
    /// The operation that causes it; `None` when the service moves on by itself.
    pub operation: Option<Cow<'static, str>>,
    /// The transition happens when the work fails.
    pub on_error: bool,
    /// What the operation's request says when this is the transition it takes (a reboot
    /// of type `HARD`); `None`: any request.
    pub when: Option<Condition>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

/// A request field and its value, on which a transition depends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The field of the request model: JSON names, `.` between levels, inside the body's
    /// wrapper.
    pub field: Cow<'static, str>,
    /// The value it has.
    pub equals: Cow<'static, str>,
    /// The condition also holds when the request leaves the field out (the documented
    /// default).
    pub absent: bool,
}

impl Condition {
    /// Whether the request, as its JSON form (inside the wrapper), says so.
    pub fn holds(&self, request: &serde_json::Value) -> bool {
        let found = crate::value_at(request, &self.field);
        match found {
            Some(serde_json::Value::String(s)) => *s == self.equals,
            Some(serde_json::Value::Null) | None => self.absent,
            Some(other) => other.to_string() == self.equals,
        }
    }
}

/// One cell of a [`MappingRow`]: its column and its value (`None` for a null cell).
pub type Cell = (Cow<'static, str>, Option<Cow<'static, str>>);

/// One row of a table keyed by a machine's states (the v2 extended status mapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRow {
    /// The cells, in the schema's column order.
    pub cells: Cow<'static, [Cell]>,
    /// Notes on cells (a table's footnote marks): `(column, note)`; they are no column.
    pub notes: Cow<'static, [(Cow<'static, str>, Cow<'static, str>)]>,
    /// Where the row is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl MappingRow {
    /// The value of a column; `None` when the cell is null or the row lacks the column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells.iter().find(|(c, _)| c == column).and_then(|(_, v)| v.as_deref())
    }

    /// Whether the row has exactly this value in `column` (`None`: null or absent).
    pub fn has(&self, column: &str, value: Option<&str>) -> bool {
        self.get(column) == value
    }
}

/// Where the service writes a machine's state into a resource's metadata: the model of
/// the resource and the metadata key (`v2.Server`, `rackconnect_automation_status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSlot {
    /// The model of the resource whose metadata holds the state.
    pub model: Cow<'static, str>,
    /// The metadata key.
    pub key: Cow<'static, str>,
}

/// A state machine of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachine {
    /// The schema id (`v2.server-status`).
    pub id: Cow<'static, str>,
    /// The enum model whose values are the states, if any.
    pub subject: Option<Cow<'static, str>>,
    /// The states.
    pub states: Cow<'static, [State]>,
    /// The states a resource starts in.
    pub initial: Cow<'static, [Cow<'static, str>]>,
    /// Every documented transition.
    pub transitions: Cow<'static, [Transition]>,
    /// The table keyed by the states, if the schema has one.
    pub mapping: Cow<'static, [MappingRow]>,
    /// The resource metadata entry the service keeps the state in, if any.
    pub metadata: Option<MetadataSlot>,
    /// Where it is documented (`document, place`).
    pub source: Cow<'static, str>,
}

impl StateMachine {
    /// The state of this name (exact spelling).
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The kind of the state of this name; `None` for a name the machine does not list.
    pub fn kind_of(&self, name: &str) -> Option<StateKind> {
        self.state(name).map(|s| s.kind)
    }

    /// Whether a resource starts in the state of this name.
    pub fn is_initial(&self, name: &str) -> bool {
        self.initial.iter().any(|s| s == name)
    }

    /// Whether a documented transition leads from `from` to `to`.
    pub fn can_transition(&self, from: &str, to: &str) -> bool {
        self.transitions.iter().any(|t| t.from == from && t.to == to)
    }

    /// The documented transitions out of `from`.
    pub fn transitions_from<'m, 'q>(&'m self, from: &'q str) -> impl Iterator<Item = &'m Transition> + use<'m, 'q> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// The documented transitions an operation causes.
    pub fn transitions_by<'m, 'q>(&'m self, operation: &'q str) -> impl Iterator<Item = &'m Transition> + use<'m, 'q> {
        self.transitions.iter().filter(move |t| t.operation.as_deref() == Some(operation))
    }

    /// The first row of the mapping whose cells match every `(column, value)` given
    /// (`None` as a value matches a null or absent cell).
    pub fn find_row(&self, given: &[(&str, Option<&str>)]) -> Option<&MappingRow> {
        self.mapping.iter().find(|r| given.iter().all(|(c, v)| r.has(c, *v)))
    }

    /// Every row of the mapping whose `column` has `value`.
    pub fn rows_where<'m, 'q>(&'m self, column: &'q str, value: Option<&'q str>) -> impl Iterator<Item = &'m MappingRow> + use<'m, 'q> {
        self.mapping.iter().filter(move |r| r.has(column, value))
    }

    /// The first mapping column whose every cell names one of the machine's states
    /// (`vm_state` of the extended status mapping), if the machine has a mapping.
    pub fn state_column(&self) -> Option<&str> {
        let first = self.mapping.first()?;
        first
            .cells
            .iter()
            .map(|(c, _)| c.as_ref())
            .find(|c| self.mapping.iter().all(|row| row.get(c).is_some_and(|v| self.state(v).is_some())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn b(s: &'static str) -> Cow<'static, str> {
        Cow::Borrowed(s)
    }

    static M: StateMachine = StateMachine {
        id: b("t"),
        subject: None,
        states: Cow::Borrowed(&[
            State { name: b("A"), kind: StateKind::Transient, doc: b(""), source: b("s") },
            State { name: b("B"), kind: StateKind::Stable, doc: b(""), source: b("s") },
        ]),
        initial: Cow::Borrowed(&[b("A")]),
        transitions: Cow::Borrowed(&[Transition {
            id: b("t.a-b"),
            from: b("A"),
            to: b("B"),
            operation: Some(b("op")),
            on_error: false,
            when: None,
            source: b("s"),
        }]),
        mapping: Cow::Borrowed(&[
            MappingRow { cells: Cow::Borrowed(&[(b("status"), Some(b("X"))), (b("vm"), Some(b("A"))), (b("task"), None)]), notes: Cow::Borrowed(&[(b("task"), b("a"))]), source: b("s") },
            MappingRow { cells: Cow::Borrowed(&[(b("status"), Some(b("Y"))), (b("vm"), Some(b("A"))), (b("task"), Some(b("t")))]), notes: Cow::Borrowed(&[]), source: b("s") },
        ]),
        metadata: None,
        source: b("s"),
    };

    #[test]
    fn conditions_read_the_request() {
        let hard = Condition { field: b("type"), equals: b("HARD"), absent: false };
        assert!(hard.holds(&serde_json::json!({"type": "HARD"})));
        assert!(!hard.holds(&serde_json::json!({"type": "SOFT"})));
        assert!(!hard.holds(&serde_json::json!({})));
        let soft = Condition { field: b("type"), equals: b("SOFT"), absent: true };
        assert!(soft.holds(&serde_json::json!({})) && soft.holds(&serde_json::json!({"type": null})));
        assert!(!soft.holds(&serde_json::json!({"type": "HARD"})));
        let nested = Condition { field: b("a.n"), equals: b("2"), absent: false };
        assert!(nested.holds(&serde_json::json!({"a": {"n": 2}})));
        assert!(!nested.holds(&serde_json::json!({"a": 2})));
    }

    #[test]
    fn lookups() {
        assert_eq!(M.kind_of("A"), Some(StateKind::Transient));
        assert_eq!(M.kind_of("a"), None);
        assert!(M.is_initial("A") && !M.is_initial("B"));
        assert!(M.can_transition("A", "B"));
        assert!(!M.can_transition("B", "A"));
        assert_eq!(M.transitions_by("op").count(), 1);
        assert_eq!(M.transitions_from("A").count(), 1);
        assert_eq!(M.transitions_from("B").count(), 0);
        assert_eq!(M.find_row(&[("vm", Some("A")), ("task", None)]).and_then(|r| r.get("status")), Some("X"));
        assert_eq!(M.find_row(&[("vm", Some("A")), ("task", Some("t"))]).and_then(|r| r.get("status")), Some("Y"));
        assert_eq!(M.find_row(&[("vm", Some("b"))]), None);
        assert_eq!(M.rows_where("vm", Some("A")).count(), 2);
        assert_eq!(M.state_column(), Some("vm"), "`status` holds X and Y, which are not states");
    }

    #[test]
    fn owned_and_borrowed_tables_are_equal() {
        let mut owned = M.clone();
        owned.states = Cow::Owned(M.states.iter().map(|s| State { name: Cow::Owned(s.name.to_string()), ..s.clone() }).collect());
        assert_eq!(owned, M);
        assert_eq!(owned.kind_of("B"), Some(StateKind::Stable));
    }

    #[test]
    fn kinds_round_trip_through_serde_with_their_spelling() {
        for k in StateKind::ALL {
            let json = serde_json::to_value(k).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(json, serde_json::Value::from(k.as_str()));
            assert_eq!(serde_json::from_value::<StateKind>(json).ok(), Some(k));
            assert_eq!(k.to_string(), k.as_str());
        }
        assert!(serde_json::from_str::<StateKind>("\"Stable\"").is_err(), "the schema spells kinds in lower case");
        assert!(StateKind::Error.is_settled() && !StateKind::Transient.is_settled());
    }
}
