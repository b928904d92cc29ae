//! Replaying a documented example: the request sent as documented (with the run's
//! values), the response compared with the documented one.

use crate::checks::{Check, Wire as Format};
use crate::compare::Comparer;
use crate::outcome::Verdict;
use crate::session::{example_format, gist, Answer, Body, Session};
use schema::examples::{Direction, Example, Page};
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
        Some(r) => match s.request_body(op, r).map(|b| (s.lacking_secret(op, &b), b)) {
            Some((Some(secret), _)) => return Verdict::skip(format!("the request sends {secret} and the run has none")),
            // A create's references to made resources are its own (an image of a server
            // that makes no other image, a group of a server in no other group).
            Some((None, b)) => match s.resolve_references_as(op, b, &mut mine).await {
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
    // What the documents presume was done first, on the example's resource; and the
    // resources the request refers to, which a resource made for the check is related to.
    let presumed: &[String] = [response, request].into_iter().flatten().map(|e| e.after.as_slice()).find(|a| !a.is_empty()).unwrap_or_default();
    let related = body.as_ref().map(|b| b.references.clone()).unwrap_or_default();
    let (params, own) = match prepare(s, op, c, failing, presumed, &related).await {
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

/// Whether `op` causes a transition of a state machine.
pub(crate) fn moves_a_machine(s: &Session<'_>, op: &Operation) -> bool {
    s.schema.state_machines.iter().any(|m| m.transitions.iter().any(|t| t.operation.as_deref() == Some(op.id.as_str())))
}

/// Whether `op` makes a resource that the schema names as a source of values.
/// (A parameter of `op` itself that names what its own request sets is not one; what a
/// source is called as, a user that signs in, is.)
pub(crate) fn creates(s: &Session<'_>, op: &Operation) -> bool {
    s.schema
        .operations
        .iter()
        .filter(|o| o.id != op.id)
        .flat_map(|o| &o.path_params)
        .filter_map(|p| p.source.as_ref())
        .any(|src| src.operation == op.id || src.credentials_from.as_deref() == Some(op.id.as_str()))
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
    let paged = response.filter(|r| !r.query.is_empty() || r.page.is_some());
    let (answer, curl) = match paged {
        Some(r) if (200..300).contains(&status) => page_of(s, c, op, &params, r, format).await,
        _ if (200..300).contains(&status) => s.call_traced(&c.id, op, &params, body.as_ref(), format, &[]).await,
        _ => s.call_once(&c.id, op, &params, body.as_ref(), format).await,
    };
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

/// The most pages a replay follows to the last one: a list that goes on past this is not
/// what a documented example shows.
const MOST_PAGES: usize = 1000;

/// Asks for the page of a list a response example shows: the example's query, then its
/// pagination's next links as far as its page.
async fn page_of(s: &Session<'_>, c: &Check, op: &Operation, params: &[(String, String)], r: &Example, format: Format) -> (Answer, String) {
    let query: Vec<(&str, &str)> = r.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let url = match s.url_with_query(op, params, &query, format) {
        Ok(u) => u,
        Err(why) => return (Answer::Unsent(why), String::new()),
    };
    let rel = s.schema.limits.iter().find_map(|l| match &l.kind {
        schema::limits::LimitKind::Pagination { applies_to, next_rel: Some(rel), .. } if applies_to.contains(&op.id) => Some(rel.as_str()),
        _ => None,
    });
    let mut at = s.call_at(&c.id, op, url.clone(), format).await;
    let mut seen = vec![url];
    let (wanted, last) = match r.page {
        Some(Page::Number(n)) => (n.max(1) as usize, false),
        Some(Page::Last(_)) => (MOST_PAGES, true),
        None => (1, false),
    };
    for page in 2..=wanted {
        let (Answer::Received(got), _) = &at else { return at };
        if !(200..300).contains(&got.status) {
            return at;
        }
        let next = rel.and_then(|rel| next_link(s, rel, format, &got.body));
        let Some(next) = next else {
            if last {
                return at;
            }
            return (Answer::Failed(format!("page {} has no next link to page {page}", page - 1)), at.1);
        };
        if seen.contains(&next) {
            return (Answer::Failed(format!("page {} links back to an earlier page ({next})", page - 1)), at.1);
        }
        seen.push(next.clone());
        at = s.call_at(&c.id, op, next, format).await;
    }
    if last {
        return (Answer::Failed(format!("the list has more than {MOST_PAGES} pages")), at.1);
    }
    at
}

/// The target of the link of relation `rel` in a body: a JSON object or an XML element
/// with the link fields of the schema (the fields with the link-rel and link-href roles).
fn next_link(s: &Session<'_>, rel: &str, format: Format, body: &[u8]) -> Option<String> {
    use schema::models::FieldRole;
    let pairs: Vec<(&schema::models::Field, &schema::models::Field)> = s
        .schema
        .models
        .iter()
        .filter_map(|m| Some((m.fields.iter().find(|f| f.role == Some(FieldRole::LinkRel))?, m.fields.iter().find(|f| f.role == Some(FieldRole::LinkHref))?)))
        .collect();
    fn json<'v>(v: &'v Value, pairs: &[(&schema::models::Field, &schema::models::Field)], rel: &str) -> Option<&'v str> {
        match v {
            Value::Object(o) => {
                let own = pairs.iter().find_map(|(r, h)| (o.get(&r.name)?.as_str()? == rel).then(|| o.get(&h.name)?.as_str()).flatten());
                own.or_else(|| o.values().find_map(|x| json(x, pairs, rel)))
            }
            Value::Array(a) => a.iter().find_map(|x| json(x, pairs, rel)),
            _ => None,
        }
    }
    fn xml<'e>(e: &'e xml_dom::Element, pairs: &[(&schema::models::Field, &schema::models::Field)], rel: &str) -> Option<&'e str> {
        let attr = |f: &schema::models::Field| f.xml.as_ref().and_then(|x| x.attribute.clone());
        let own = pairs.iter().find_map(|(r, h)| {
            let (ra, ha) = (attr(r)?, attr(h)?);
            let value = |name: &str| e.attributes.iter().find(|(n, _)| n.local == name).map(|(_, v)| v.as_str());
            (value(&ra)? == rel).then(|| value(&ha)).flatten()
        });
        own.or_else(|| e.children.iter().find_map(|c| xml(c, pairs, rel)))
    }
    match format {
        Format::Xml => {
            let root = xml_dom::parse(std::str::from_utf8(body).ok()?).ok()?;
            xml(&root, &pairs, rel).map(str::to_string)
        }
        _ => json(&serde_json::from_slice(body).ok()?, &pairs, rel).map(str::to_string),
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
async fn prepare(
    s: &Session<'_>,
    op: &Operation,
    c: &Check,
    failing: bool,
    after: &[String],
    related: &[(ParamSource, String)],
) -> Result<(Vec<(String, String)>, Option<(ParamSource, String)>), String> {
    // The resource whose state the operation changes (a server an address is shared
    // with, not the address), else the one its path ends with.
    let changed = op.path_params.iter().rev().filter_map(|p| p.source.as_ref()).find(|src| changes_state(s, op, src));
    let addressed = changed.or_else(|| op.path_params.last().and_then(|p| p.source.as_ref()));
    // A list shows the resource the presumed operations were done on.
    let presumed_on = || after.iter().filter_map(|id| s.schema.operation(id)).find_map(|o| o.path_params.last().and_then(|p| p.source.as_ref()));
    let own = match addressed {
        Some(src) if failing || !after.is_empty() || changed.is_some() => Some(src),
        None if !after.is_empty() => presumed_on(),
        _ => None,
    };
    let Some(own) = own else {
        return Ok((s.fixture.params(s, op, None).await?, None));
    };
    let listed = s.schema.operation(&own.operation).is_none_or(|o| o.method != "POST");
    // A resource that its source only lists is made by the operation that makes one.
    let maker = op.path_params.iter().find(|p| p.source.as_ref().is_some_and(|src| crate::fixture::same(src, own))).and_then(|p| p.made_by.as_ref());
    let value = match (listed, maker) {
        (true, Some(m)) if failing || changed.is_some() => s.fixture.make_by(s, m, own, &c.id, failing).await?,
        (true, _) if failing => return Err(format!("no operation makes a resource for {} to show in an error state ({} only lists them)", op.id, own.operation)),
        _ => s.fixture.make_as(s, own, &c.id, failing, related).await?,
    };
    if !failing {
        let ready = async {
            if changes_state(s, op, own) {
                walk_to(s, op, own, &value, &c.id).await?;
            }
            do_first(s, after, own, &value, &c.id).await
        };
        if let Err(e) = ready.await {
            s.fixture.release(s, own, &value).await;
            return Err(e);
        }
    }
    Ok((s.fixture.params(s, op, Some((own, &value))).await?, Some((own.clone(), value))))
}

/// Does the operations an example presumes were done first, with their first documented
/// requests, on the check's resource.
async fn do_first(s: &Session<'_>, after: &[String], src: &ParamSource, value: &str, check: &str) -> Result<(), String> {
    let steps: Vec<String> = after.iter().filter(|id| **id != src.operation).cloned().collect();
    do_steps(s, &steps, src, value, check).await.map_err(|why| format!("presumed done first: {why}"))
}

/// Does operations in order on a resource, each with its first documented JSON request and
/// waited for until the resource is settled.
async fn do_steps(s: &Session<'_>, steps: &[String], src: &ParamSource, value: &str, check: &str) -> Result<(), String> {
    for step in steps {
        let step_op = s.schema.operation(step).ok_or_else(|| format!("no operation {step}"))?;
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

/// Whether a state machine has a transition caused by `op` for the resource `src` yields.
fn changes_state(s: &Session<'_>, op: &Operation, src: &ParamSource) -> bool {
    let Some((_, machine, _)) = crate::fixture::reader(s, src) else { return false };
    machine.transitions.iter().any(|t| t.operation.as_deref() == Some(op.id.as_str()))
}

/// Brings the check's resource to a state `op` is allowed in, by the shortest walk of
/// documented operations through the machine.
pub(crate) async fn walk_to(s: &Session<'_>, op: &Operation, src: &ParamSource, value: &str, check: &str) -> Result<(), String> {
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
    do_steps(s, &path, src, value, check).await
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
