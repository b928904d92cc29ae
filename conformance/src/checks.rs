//! The checks, derived from the schema: each with a stable id built from schema ids, so
//! that adding an example or an operation adds its checks, and lists of ids survive.

use schema::examples::{Direction, Example, ExampleFormat};
use schema::machines::{StateKind, StateMachine};
use schema::models::FieldRole;
use schema::{Api, Schema};
use serde::Serialize;

/// What a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A documented example, replayed and compared.
    Example,
    /// Every response of an operation in a format, validated against the schema.
    Response,
    /// A malformed or unacceptable request gets the documented fault.
    BadInput,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 3] = [Kind::Example, Kind::Response, Kind::BadInput];

    /// The kind as ids and reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Example => "example",
            Kind::Response => "response",
            Kind::BadInput => "bad-input",
        }
    }

    /// The kind of this spelling.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A wire format of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Wire {
    /// JSON.
    Json,
    /// XML.
    Xml,
    /// Plain text.
    Text,
}

impl Wire {
    /// The spelling in ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Wire::Json => "json",
            Wire::Xml => "xml",
            Wire::Text => "text",
        }
    }

    /// The runtime's format.
    pub fn format(self) -> shapes::Format {
        match self {
            Wire::Json => shapes::Format::Json,
            Wire::Xml => shapes::Format::Xml,
            Wire::Text => shapes::Format::Text,
        }
    }

    /// The wire format of a schema format.
    pub fn of(f: shapes::Format) -> Wire {
        match f {
            shapes::Format::Xml => Wire::Xml,
            shapes::Format::Text => Wire::Text,
            _ => Wire::Json,
        }
    }
}

/// A malformed or unacceptable request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BadCase {
    /// A body cut short.
    TruncatedBody,
    /// A body in a media type the operation does not take.
    WrongContentType,
    /// An id of nothing in a path parameter.
    UnknownId,
    /// An action the documents do not list.
    UnknownAction,
}

impl BadCase {
    /// The spelling in ids.
    pub fn as_str(self) -> &'static str {
        match self {
            BadCase::TruncatedBody => "truncated-body",
            BadCase::WrongContentType => "wrong-content-type",
            BadCase::UnknownId => "unknown-id",
            BadCase::UnknownAction => "unknown-action",
        }
    }
}

/// What a check does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Replays the example of this id.
    Example(String),
    /// Validates the responses of the operation in the format.
    Response(Wire),
    /// Sends the bad request.
    BadInput(BadCase),
    /// Sends the documented request with the field the limit of this id bounds longer
    /// than the limit allows.
    OverLong(String),
}

/// One check.
#[derive(Debug, Clone)]
pub struct Check {
    /// The stable id (`example/v2.example.2.14/xml`).
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// The API.
    pub api: Api,
    /// The operation (schema id).
    pub operation: String,
    /// The format it is in.
    pub wire: Wire,
    /// What it does.
    pub plan: Plan,
    /// It uses the target's control API for something other requests could meet (a fault
    /// for the next request of an operation, a failing walk): it runs alone, after the
    /// others.
    pub exclusive: bool,
}

/// Every check the schema defines, in a stable order.
pub fn all(schema: &Schema) -> Vec<Check> {
    let mut out = Vec::new();
    for e in &schema.examples {
        let wire = match e.format {
            ExampleFormat::Json => Wire::Json,
            ExampleFormat::Xml => Wire::Xml,
            ExampleFormat::Text => Wire::Text,
            // A credentials exchange whose JSON body only a command line shows is replayed
            // with that body (and the run's own credentials).
            ExampleFormat::Shell if crate::session::shell_request(schema, e).is_some() => Wire::Json,
            // Other shell and HTTP transcripts show how to call; their bodies are in the
            // JSON and XML examples of the same operation.
            _ => continue,
        };
        if e.direction == Direction::Exchange {
            continue;
        }
        let Some(op) = schema.operation(&e.operation) else { continue };
        let provoked = e.direction == Direction::Response && e.status.is_some_and(|st| st >= 400 && st != 404);
        let exclusive = provoked || documented_state(schema, e).is_some_and(|(_, k)| k == StateKind::Error);
        out.push(Check { id: format!("example/{}/{}", e.id, wire.as_str()), kind: Kind::Example, api: op.api, operation: op.id.clone(), wire, plan: Plan::Example(e.id.clone()), exclusive });
    }
    for op in &schema.operations {
        for wire in response_formats(op) {
            out.push(Check { id: format!("response/{}/{}", op.id, wire.as_str()), kind: Kind::Response, api: op.api, operation: op.id.clone(), wire, plan: Plan::Response(wire), exclusive: false });
        }
        for case in bad_cases(schema, op) {
            let wire = op.request.as_ref().and_then(|b| b.formats.first().copied()).map(Wire::of).unwrap_or(Wire::Json);
            out.push(Check { id: format!("bad-input/{}/{}", op.id, case.as_str()), kind: Kind::BadInput, api: op.api, operation: op.id.clone(), wire, plan: Plan::BadInput(case), exclusive: false });
        }
        for l in over_long_limits(schema, op) {
            let id = format!("bad-input/{}/over-long/{}", op.id, l.id);
            out.push(Check { id, kind: Kind::BadInput, api: op.api, operation: op.id.clone(), wire: Wire::Json, plan: Plan::OverLong(l.id.clone()), exclusive: false });
        }
    }
    out
}

/// The formats the operation answers in: those of its success bodies (JSON alone for an
/// operation without one).
pub fn response_formats(op: &schema::operations::Operation) -> Vec<Wire> {
    let mut out: Vec<Wire> = Vec::new();
    for r in &op.responses {
        for f in r.body().map(|b| b.formats).unwrap_or_default() {
            let w = Wire::of(f);
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    if out.is_empty() {
        out.push(Wire::Json);
    }
    out
}

/// The bad requests that apply to an operation, and that its documented faults answer.
fn bad_cases(schema: &Schema, op: &schema::operations::Operation) -> Vec<BadCase> {
    let documents = |status: u16| op.faults.iter().any(|f| f.codes.contains(&status));
    let mut out = Vec::new();
    if op.request.is_some() && documents(400) {
        out.push(BadCase::TruncatedBody);
    }
    if op.request.is_some() && (documents(415) || documents(400)) {
        out.push(BadCase::WrongContentType);
    }
    if !op.path_params.is_empty() && documents(404) {
        out.push(BadCase::UnknownId);
    }
    // One unknown action per action path: on its first action operation.
    if documents(400) && actions_of_path(schema, op).next().is_some_and(|first| first.id == op.id) {
        out.push(BadCase::UnknownAction);
    }
    out
}

/// The limits on the length of a field of the operation's JSON request.
pub fn over_long_limits<'s>(schema: &'s Schema, op: &'s schema::operations::Operation) -> impl Iterator<Item = &'s schema::limits::Limit> + 's {
    let json = op.request.as_ref().is_some_and(|b| b.formats.contains(&shapes::Format::Json));
    schema.limits.iter().filter(move |l| json && matches!(&l.kind, schema::limits::LimitKind::Field { max_bytes: Some(_), field: Some(_), applies_to, .. } if applies_to.contains(&op.id)))
}

/// The actions of the path an action operation is on (itself among them): the operations
/// a body that names no readable action may be meant for. None for another operation.
pub fn actions_of_path<'s>(schema: &'s Schema, op: &'s schema::operations::Operation) -> impl Iterator<Item = &'s schema::operations::Operation> + 's {
    schema.operations.iter().filter(move |o| op.action.is_some() && o.action.is_some() && o.api == op.api && o.path == op.path && o.method == op.method)
}

/// Which checks a run takes: by id glob, API, operation or kind.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    include: Vec<globset::GlobMatcher>,
    exclude: Vec<globset::GlobMatcher>,
    /// Only these formats (all when empty).
    pub formats: Vec<Wire>,
}

/// A pattern that is not a glob.
#[derive(Debug, thiserror::Error)]
#[error("`{pattern}` is not a glob")]
pub struct BadPattern {
    /// The pattern.
    pub pattern: String,
    /// Why.
    #[source]
    pub source: globset::Error,
}

impl Selection {
    /// A selection of checks matching any `include` pattern (all when there is none) and
    /// no `exclude` pattern. A pattern matches a check's id, API, operation or kind.
    pub fn new(include: &[String], exclude: &[String], formats: Vec<Wire>) -> Result<Selection, BadPattern> {
        let compile = |p: &String| globset::Glob::new(p).map(|g| g.compile_matcher()).map_err(|source| BadPattern { pattern: p.clone(), source });
        Ok(Selection { include: include.iter().map(compile).collect::<Result<_, _>>()?, exclude: exclude.iter().map(compile).collect::<Result<_, _>>()?, formats })
    }

    /// Whether the run takes `c`.
    pub fn takes(&self, c: &Check) -> bool {
        let names = [c.id.as_str(), c.api.as_str(), c.operation.as_str(), c.kind.as_str()];
        let hits = |m: &globset::GlobMatcher| names.iter().any(|n| m.is_match(n));
        (self.include.is_empty() || self.include.iter().any(hits)) && !self.exclude.iter().any(hits) && (self.formats.is_empty() || self.formats.contains(&c.wire))
    }
}

/// The state a documented response shows its resource in (the value of its model's field
/// with the status role), with the kind of that state in its machine.
pub fn documented_state<'s>(schema: &'s Schema, e: &Example) -> Option<(&'s StateMachine, StateKind)> {
    let body = schema.example_body(e)?;
    let field = body.model.fields.iter().find(|f| f.role == Some(FieldRole::Status))?;
    let machine = schema.state_machines.iter().find(|m| m.subject.as_deref().is_some_and(|s| field.ty.referenced_ids().contains(&s)))?;
    let value = match e.format {
        ExampleFormat::Json => {
            let doc = e.body.as_ref()?;
            let inner = match &body.wrap {
                Some(w) => doc.get(w)?,
                None => doc,
            };
            inner.get(&field.name)?.as_str()?.to_string()
        }
        ExampleFormat::Xml => {
            let root = xml_dom::parse(e.body_text()?).ok()?;
            let x = field.xml.as_ref()?;
            match (&x.attribute, &x.element) {
                (Some(a), _) => root.attributes.iter().find(|(n, _)| n.local == *a)?.1.clone(),
                (None, Some(el)) => root.children.iter().find(|c| c.name.local == *el)?.text.trim().to_string(),
                _ => return None,
            }
        }
        _ => return None,
    };
    let kind = machine.states.iter().find(|s| s.name == value)?.kind;
    Some((machine, kind))
}
