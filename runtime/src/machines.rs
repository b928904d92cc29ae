//! State machines as data: the states of a resource status, their kinds, and the
//! transitions operations cause. The generated `machines` module of each API holds one
//! [`StateMachine`] per machine of the schema and implements the status queries on the
//! status enums by looking the value up here.

/// Whether a state lasts, passes, failed or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
    /// The kind as the schema spells it (`stable`, `transient`, `error`, `terminal`).
    pub fn as_str(self) -> &'static str {
        match self {
            StateKind::Stable => "stable",
            StateKind::Transient => "transient",
            StateKind::Error => "error",
            StateKind::Terminal => "terminal",
        }
    }
}

/// One state of a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The name as the documents spell it (the wire value).
    pub name: &'static str,
    /// Whether it lasts, passes, failed or ended.
    pub kind: StateKind,
    /// What it means (empty when the schema says nothing).
    pub doc: &'static str,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// One documented transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The schema id.
    pub id: &'static str,
    /// The state before.
    pub from: &'static str,
    /// The state after.
    pub to: &'static str,
    /// The operation that causes it; `None` when the service moves on by itself.
    pub operation: Option<&'static str>,
    /// The transition happens when the work fails.
    pub on_error: bool,
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

/// One row of a table keyed by a machine's states (the v2 extended status mapping):
/// `(column, value)` cells, `None` for a null cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MappingRow {
    /// The cells, in the schema's column order.
    pub cells: &'static [(&'static str, Option<&'static str>)],
    /// Where the row is documented (`document, place`).
    pub source: &'static str,
}

impl MappingRow {
    /// The value of a column; `None` when the cell is null or the row lacks the column.
    pub fn get(&self, column: &str) -> Option<&'static str> {
        self.cells.iter().find(|(c, _)| *c == column).and_then(|(_, v)| *v)
    }

    /// Whether the row has exactly this value in `column` (`None`: null or absent).
    pub fn has(&self, column: &str, value: Option<&str>) -> bool {
        self.get(column) == value
    }
}

/// A state machine of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateMachine {
    /// The schema id (`v2.server-status`).
    pub id: &'static str,
    /// The enum model whose values are the states, if any.
    pub subject: Option<&'static str>,
    /// The states.
    pub states: &'static [State],
    /// The states a resource starts in.
    pub initial: &'static [&'static str],
    /// Every documented transition.
    pub transitions: &'static [Transition],
    /// The table keyed by the states, if the schema has one.
    pub mapping: &'static [MappingRow],
    /// Where it is documented (`document, place`).
    pub source: &'static str,
}

impl StateMachine {
    /// The state of this name (exact spelling).
    pub fn state(&self, name: &str) -> Option<&'static State> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The kind of the state of this name; `None` for a name the machine does not list.
    pub fn kind_of(&self, name: &str) -> Option<StateKind> {
        self.state(name).map(|s| s.kind)
    }

    /// Whether a documented transition leads from `from` to `to`.
    pub fn can_transition(&self, from: &str, to: &str) -> bool {
        self.transitions.iter().any(|t| t.from == from && t.to == to)
    }

    /// The documented transitions out of `from`.
    pub fn transitions_from<'a>(&'a self, from: &'a str) -> impl Iterator<Item = &'static Transition> + 'a {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// The documented transitions an operation causes.
    pub fn transitions_by<'a>(&'a self, operation: &'a str) -> impl Iterator<Item = &'static Transition> + 'a {
        self.transitions.iter().filter(move |t| t.operation == Some(operation))
    }

    /// The first row of the mapping whose cells match every `(column, value)` given
    /// (`None` as a value matches a null or absent cell).
    pub fn find_row(&self, given: &[(&str, Option<&str>)]) -> Option<&'static MappingRow> {
        self.mapping.iter().find(|r| given.iter().all(|(c, v)| r.has(c, *v)))
    }

    /// Every row of the mapping whose `column` has `value`.
    pub fn rows_where<'a>(&'a self, column: &'a str, value: Option<&'a str>) -> impl Iterator<Item = &'static MappingRow> + 'a {
        self.mapping.iter().filter(move |r| r.has(column, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: StateMachine = StateMachine {
        id: "t",
        subject: None,
        states: &[
            State { name: "A", kind: StateKind::Transient, doc: "", source: "s" },
            State { name: "B", kind: StateKind::Stable, doc: "", source: "s" },
        ],
        initial: &["A"],
        transitions: &[Transition { id: "t.a-b", from: "A", to: "B", operation: Some("op"), on_error: false, source: "s" }],
        mapping: &[
            MappingRow { cells: &[("status", Some("X")), ("vm", Some("a")), ("task", None)], source: "s" },
            MappingRow { cells: &[("status", Some("Y")), ("vm", Some("a")), ("task", Some("t"))], source: "s" },
        ],
        source: "s",
    };

    #[test]
    fn lookups() {
        assert_eq!(M.kind_of("A"), Some(StateKind::Transient));
        assert_eq!(M.kind_of("a"), None);
        assert!(M.can_transition("A", "B"));
        assert!(!M.can_transition("B", "A"));
        assert_eq!(M.transitions_by("op").count(), 1);
        assert_eq!(M.transitions_from("B").count(), 0);
        assert_eq!(M.find_row(&[("vm", Some("a")), ("task", None)]).and_then(|r| r.get("status")), Some("X"));
        assert_eq!(M.find_row(&[("vm", Some("a")), ("task", Some("t"))]).and_then(|r| r.get("status")), Some("Y"));
        assert_eq!(M.find_row(&[("vm", Some("b"))]), None);
        assert_eq!(M.rows_where("vm", Some("a")).count(), 2);
    }
}
