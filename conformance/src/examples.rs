//! Replaying a documented example: the request sent as documented (with the run's
//! values), the response compared with the documented one.

use crate::checks::{Check, Wire as Format};
use crate::compare::Comparer;
use crate::outcome::Verdict;
use crate::session::{example_format, gist, Answer, Body, Session};
use schema::examples::{Direction, Example};
use schema::machines::StateKind;
use schema::operations::{Operation, ParamSource};
use serde_json::Value;

/// Runs an example check.
pub async fn run(s: &Session<'_>, c: &Check, example_id: &str) -> Verdict {
    let Some(e) = s.schema.examples.iter().find(|e| e.id == example_id) else { return Verdict::fail(format!("no example {example_id} in the schema")) };
    let Some(op) = s.schema.operation(&e.operation) else { return Verdict::fail(format!("no operation {}", e.operation)) };
    let format = c.wire;
    // The documented pair: this example and the other half in the same format.
    let (request, response) = match e.direction {
        Direction::Request => (Some(e), documented_response(s, e, format, success_status(op))),
        _ => (documented_request_example(s, e, op, format), Some(e)),
    };
    let status = response.and_then(|r| r.status).unwrap_or_else(|| success_status(op));
    let mut mine = (op.method == "POST" && creates(s, op)).then(Vec::new);
    let body = match request {
        Some(r) => match s.request_body(op, r) {
            // A create's references to made resources are its own (an image of a server
            // that makes no other image, a group of a server in no other group).
            Some(b) => match s.resolve_references_as(op, b, &mut mine).await {
                Ok(b) => Some(b),
                Err(why) => {
                    release_all(s, mine).await;
                    return Verdict::skip(format!("prerequisite: {why}"));
                }
            },
            None => return Verdict::fail(format!("the request of {} cannot be built from the example", r.id)),
        },
        None if op.request.is_some() && (200..300).contains(&status) => {
            return Verdict::skip(format!("no documented {} request of {} to send", format.as_str(), op.id));
        }
        None => None,
    };
    let failing = response.and_then(|r| crate::checks::documented_state(s.schema, r)).is_some_and(|(_, k)| k == StateKind::Error);
    let (params, own) = match prepare(s, op, c, failing).await {
        Ok(p) => p,
        Err(why) => return Verdict::skip(format!("prerequisite: {why}")),
    };
    let verdict = replay(s, c, op, (request, response), status, body, params).await;
    if let Some((source, value)) = own {
        s.fixture.release(s, &source, &value).await;
    }
    release_all(s, mine).await;
    verdict
}

/// Whether `op` makes a resource that the schema names as a source of values.
fn creates(s: &Session<'_>, op: &Operation) -> bool {
    s.schema.operations.iter().flat_map(|o| &o.path_params).filter_map(|p| p.source.as_ref()).any(|src| src.operation == op.id)
}

async fn release_all(s: &Session<'_>, made: Option<Vec<(ParamSource, String)>>) {
    for (source, v) in made.unwrap_or_default().into_iter().rev() {
        s.fixture.release(s, &source, &v).await;
    }
}

/// Sends the request of an example check and compares what comes back.
async fn replay(
    s: &Session<'_>,
    c: &Check,
    op: &Operation,
    (_, response): (Option<&Example>, Option<&Example>),
    status: u16,
    body: Option<Body>,
    params: Vec<(String, String)>,
) -> Verdict {
    let format = c.wire;
    let params = if (200..300).contains(&status) || status == 409 {
        params
    } else {
        // A fault example: provoked with unknown ids (404) or by the target's control API.
        match provoke(s, op, status, params).await {
            Ok(p) => p,
            Err(why) => return Verdict::skip(why),
        }
    };
    if op.auth == schema::operations::Auth::SourceIp {
        if let Err(why) = s.fixture.bind_caller(s, op).await {
            return Verdict::skip(format!("prerequisite: {why}"));
        }
    }
    if op.path_params.is_empty() && op.method == "GET" {
        s.fixture.populate(s, op).await;
    }
    let (answer, curl) = if (200..300).contains(&status) { s.call_traced(&c.id, op, &params, body.as_ref(), format, &[]).await } else { s.call_once(&c.id, op, &params, body.as_ref(), format).await };
    if let Answer::Received(r) = &answer {
        s.fixture.adopt(s, op, &params, r).await;
    }
    let received = match answer {
        Answer::Received(r) => r,
        Answer::Failed(why) => return Verdict::fail(why).with(curl),
        Answer::Unsent(why) => return Verdict::skip(why),
    };
    if received.status != status {
        return Verdict::fail(format!("status {} where the example shows {status}: {}", received.status, gist(&received.text()))).with(curl);
    }
    let Some(documented) = response else {
        return Verdict::pass(format!("{} {status}; no documented response body to compare", op.id)).with(curl);
    };
    let Some(expected) = s.schema.example_body(documented) else {
        return Verdict::pass(format!("{status}; the documented response has no body model")).with(curl);
    };
    let mut substitutions = s.settings.substitutions.clone();
    substitutions.extend(body.iter().flat_map(|b| b.names.iter().cloned()));
    let comparer = Comparer::new(s.schema, substitutions, body.as_ref().map(chosen).unwrap_or_default());
    let diffs = match format {
        Format::Json => {
            let Some(doc) = &documented.body else { return Verdict::pass("no documented body").with(curl) };
            match serde_json::from_slice::<Value>(&received.body) {
                Ok(got) => comparer.json(&expected.model.id, expected.wrap.as_deref(), doc, &got),
                Err(e) => return Verdict::fail(format!("the body is not JSON ({e}): {}", gist(&received.text()))).with(curl),
            }
        }
        Format::Xml => {
            let Some(doc) = documented.body_text().and_then(|t| xml_dom::parse(t).ok()) else { return Verdict::fail(format!("{} does not parse as XML", documented.id)) };
            match xml_dom::parse(&received.text()) {
                Ok(got) => comparer.xml(&expected.model.id, &doc, &got),
                Err(e) => return Verdict::fail(format!("the body is not XML ({e}): {}", gist(&received.text()))).with(curl),
            }
        }
        Format::Text => {
            if received.text().trim().is_empty() == documented.body_text().unwrap_or_default().trim().is_empty() {
                Vec::new()
            } else {
                vec![crate::compare::Difference { path: String::new(), what: format!("`{}` where the example has `{}`", gist(&received.text()), gist(documented.body_text().unwrap_or_default())) }]
            }
        }
    };
    if diffs.is_empty() {
        Verdict::pass(format!("{status}, as {}", documented.id)).with(curl)
    } else {
        let first = diffs.first().map(ToString::to_string).unwrap_or_default();
        let more = if diffs.len() > 1 { format!(" (and {} more)", diffs.len() - 1) } else { String::new() };
        Verdict::fail(format!("differs from {}: {first}{more}", documented.id)).with(curl).diff(diffs.iter().map(ToString::to_string).collect())
    }
}

/// The success status of an operation.
pub fn success_status(op: &Operation) -> u16 {
    op.responses.iter().map(|r| r.status).find(|s| (200..300).contains(s)).unwrap_or(200)
}

/// The response a document shows for a request example: the next example of the same
/// operation, in the same format, with the status, when the document shows it right
/// after the request (another request of the operation in between answers that one).
fn documented_response<'s>(s: &Session<'s>, request: &Example, format: Format, status: u16) -> Option<&'s Example> {
    let at = s.schema.examples.iter().position(|e| e.id == request.id)?;
    let same = |e: &&Example| e.operation == request.operation && example_format(e.format) == Some(format);
    let next = s.schema.examples[at + 1..].iter().find(same)?;
    (next.direction == Direction::Response && next.status == Some(status)).then_some(next)
}

/// The request a document shows for a response example: the one of the same operation and
/// format right before it, else the operation's first documented request in the format.
fn documented_request_example<'s>(s: &Session<'s>, response: &Example, op: &Operation, format: Format) -> Option<&'s Example> {
    let at = s.schema.examples.iter().position(|e| e.id == response.id)?;
    let same = |e: &&Example| e.operation == response.operation && example_format(e.format) == Some(format);
    match s.schema.examples[..at].iter().rev().find(same) {
        Some(before) if before.direction == Direction::Request => Some(before),
        _ => s.request_example(op, format),
    }
}

/// The path parameters of the check's request: shared resources, except when the
/// operation changes the state of the resource it addresses; that one is the check's
/// own, brought to a state the operation is allowed in.
///
/// With `failing`, the resource is the check's own and in its machine's error state.
/// Returns the parameters and the id of the check's own resource, if it has one.
async fn prepare(s: &Session<'_>, op: &Operation, c: &Check, failing: bool) -> Result<(Vec<(String, String)>, Option<(ParamSource, String)>), String> {
    let Some(own) = op.path_params.last().and_then(|p| p.source.as_ref()).filter(|src| failing || changes_state(s, op, src)) else {
        return Ok((s.fixture.params(s, op, None).await?, None));
    };
    if failing && s.schema.operation(&own.operation).is_none_or(|o| o.method != "POST") {
        return Err(format!("no operation makes a resource for {} to show in an error state ({} only lists them)", op.id, own.operation));
    }
    let value = s.fixture.make_as(s, own, &c.id, failing).await?;
    if !failing {
        if let Err(e) = walk_to(s, op, own, &value, &c.id).await {
            s.fixture.release(s, own, &value).await;
            return Err(e);
        }
    }
    Ok((s.fixture.params(s, op, Some((own, &value))).await?, Some((own.clone(), value))))
}

/// Whether a state machine has a transition caused by `op` for the resource `src` yields.
fn changes_state(s: &Session<'_>, op: &Operation, src: &ParamSource) -> bool {
    let Some((_, machine, _)) = crate::fixture::reader(s, src) else { return false };
    machine.transitions.iter().any(|t| t.operation.as_deref() == Some(op.id.as_str()))
}

/// Brings the check's resource to a state `op` is allowed in, by the shortest walk of
/// documented operations through the machine.
async fn walk_to(s: &Session<'_>, op: &Operation, src: &ParamSource, value: &str, check: &str) -> Result<(), String> {
    let Some((read, machine, field)) = crate::fixture::reader(s, src) else { return Ok(()) };
    let params = s.fixture.params(s, read, Some((src, value))).await?;
    let current = read_status(s, read, &params, &field).await.ok_or_else(|| format!("{} did not show the status of {value}", read.id))?;
    let allowed = |state: &str| machine.transitions.iter().any(|t| t.operation.as_deref() == Some(op.id.as_str()) && t.from == state);
    if allowed(&current) {
        return Ok(());
    }
    // Breadth-first over operations that lead from a stable state to a stable state.
    let stable = |st: &str| machine.states.iter().any(|x| x.name == st && x.kind == StateKind::Stable);
    let mut seen = vec![current.clone()];
    let mut queue = std::collections::VecDeque::from([(current.clone(), Vec::<String>::new())]);
    let mut path = None;
    while let Some((state, ops)) = queue.pop_front() {
        if allowed(&state) {
            path = Some(ops);
            break;
        }
        for t in machine.transitions.iter().filter(|t| t.from == state && !t.on_error) {
            let Some(step) = t.operation.as_deref() else { continue };
            let end = settle_from(machine, &t.to, step);
            if let Some(end) = end.filter(|e| stable(e) && !seen.contains(e)) {
                seen.push(end.clone());
                let mut more = ops.clone();
                more.push(step.to_string());
                queue.push_back((end, more));
            }
        }
    }
    let path = path.ok_or_else(|| format!("no documented walk brings {value} from {current} to a state {} is allowed in", op.id))?;
    for step in path {
        let step_op = s.schema.operation(&step).ok_or_else(|| format!("no operation {step}"))?;
        let p = s.fixture.params(s, step_op, Some((src, value))).await?;
        let body = s.prepared_request(step_op, Format::Json).await?;
        match s.call(check, step_op, &p, body.as_ref(), Format::Json, &[]).await {
            Answer::Received(r) if (200..300).contains(&r.status) => {}
            Answer::Received(r) => return Err(format!("{step} answered {}: {}", r.status, gist(&r.text()))),
            Answer::Failed(w) | Answer::Unsent(w) => return Err(format!("{step}: {w}")),
        }
        s.fixture.settle(s, src, value).await?;
    }
    Ok(())
}

/// The state a walk of `operation` comes to rest in from `state`: through transient states,
/// by transitions of no operation or of the same one (a chain `ACTIVE → RESIZE →
/// VERIFY_RESIZE` is two transitions of the resize).
fn settle_from(machine: &schema::machines::StateMachine, state: &str, operation: &str) -> Option<String> {
    let mut at = state.to_string();
    for _ in 0..machine.states.len() {
        let kind = machine.states.iter().find(|x| x.name == at).map(|x| x.kind)?;
        if kind != StateKind::Transient {
            return Some(at);
        }
        at = machine.transitions.iter().find(|t| t.from == at && t.operation.as_deref().is_none_or(|o| o == operation) && !t.on_error)?.to.clone();
    }
    None
}

async fn read_status(s: &Session<'_>, read: &Operation, params: &[(String, String)], field: &str) -> Option<String> {
    let wrap = read.responses.first().and_then(|r| r.wrap.clone());
    match s.call("fixture", read, params, None, Format::Json, &[]).await {
        Answer::Received(r) if r.status < 300 => {
            let d: Value = serde_json::from_slice(&r.body).ok()?;
            let inner = match &wrap {
                Some(w) => d.get(w)?.clone(),
                None => d,
            };
            inner.get(field).and_then(Value::as_str).map(str::to_string)
        }
        _ => None,
    }
}

/// Parameters that provoke `status` on `op`: ids of nothing for a 404, otherwise the
/// control API's fault behaviour for the next matching request.
async fn provoke(s: &Session<'_>, op: &Operation, status: u16, params: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    if status == 404 && !op.path_params.is_empty() {
        return Ok(unknown_ids(op));
    }
    let behaviour = serde_json::json!({"operation": op.id, "reaction": {"kind": "fault", "status": status}, "times": 1});
    s.control("behaviours", &behaviour).await.map_err(|why| format!("provoking a {status} needs the target's control API ({why})"))?;
    Ok(params)
}

/// Path parameters naming nothing: a fresh UUID, or a large number, by parameter type.
pub fn unknown_ids(op: &Operation) -> Vec<(String, String)> {
    op.path_params
        .iter()
        .map(|p| {
            let v = match &p.ty {
                schema::models::TypeExpr::Scalar(shapes::Scalar::Integer) => "987654321".to_string(),
                _ => uuid::Uuid::new_v4().to_string(),
            };
            (p.name.clone(), v)
        })
        .collect()
}

/// A body for requests the examples do not document in the format: the first one in any.
pub fn any_documented_body(s: &Session<'_>, op: &Operation) -> Option<(Body, Format)> {
    [Format::Json, Format::Xml].into_iter().find_map(|f| s.documented_request(op, f).map(|b| (b, f)))
}

/// The values a request body sets (strings and numbers, as text): what its response is to
/// show back exactly.
pub fn chosen(b: &Body) -> Vec<String> {
    fn json(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Bool(b) => out.push(b.to_string()),
            Value::Array(a) => a.iter().for_each(|i| json(i, out)),
            Value::Object(o) => o.iter().for_each(|(k, i)| {
                out.push(k.clone());
                json(i, out)
            }),
            _ => {}
        }
    }
    fn xml(e: &xml_dom::Element, out: &mut Vec<String>) {
        out.extend(e.attributes.iter().map(|(_, v)| v.clone()));
        if !e.text.trim().is_empty() {
            out.push(e.text.trim().to_string());
        }
        e.children.iter().for_each(|c| xml(c, out));
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_slice::<Value>(&b.bytes) {
        json(&v, &mut out);
    } else if let Ok(e) = xml_dom::parse(&String::from_utf8_lossy(&b.bytes)) {
        xml(&e, &mut out);
    }
    out
}
