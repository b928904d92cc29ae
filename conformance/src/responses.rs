//! Every response the run received, validated against the schema: the status among the
//! operation's documented codes, the body in the format asked for and read strictly by
//! the generated validator, faults well formed, documented headers present.

use crate::checks::{Check, Wire as Format};
use crate::outcome::Verdict;
use crate::wire::{Exchange, Incoming};
use schema::operations::Operation;
use schema::Schema;
use shapes::FindingKind;

/// The verdict of a response check over the exchanges of the run.
pub fn run(schema: &Schema, c: &Check, exchanges: &[Exchange]) -> Verdict {
    let Some(op) = schema.operation(&c.operation) else { return Verdict::fail(format!("no operation {}", c.operation)) };
    let mine: Vec<&Exchange> = exchanges.iter().filter(|x| x.request.operation == op.id && Format::of(x.request.asked) == c.wire).collect();
    if mine.is_empty() {
        return Verdict::skip(format!("no response of {} in {} was received", op.id, c.wire.as_str()));
    }
    let mut notes = Vec::new();
    let mut checked = 0;
    for x in &mine {
        let Ok(r) = &x.response else { continue };
        checked += 1;
        let (problems, mut n) = validate(schema, op, c.wire, r);
        notes.append(&mut n);
        if let Some(first) = problems.first() {
            let more = if problems.len() > 1 { format!(" (and {} more)", problems.len() - 1) } else { String::new() };
            return Verdict::fail(format!("{} {}: {first}{more}", x.request.method, r.status)).with(x.reproduction()).diff(problems);
        }
    }
    if checked == 0 {
        return Verdict::skip(format!("every request of {} in {} went unanswered", op.id, c.wire.as_str()));
    }
    notes.sort();
    notes.dedup();
    let noted = if notes.is_empty() { String::new() } else { format!("; noted: {}", notes.join("; ")) };
    Verdict::pass(format!("{checked} responses valid{noted}"))
}

/// The problems of one response, and what is only worth noting (enumeration values the
/// documents do not list, which they allow).
pub fn validate(schema: &Schema, op: &Operation, asked: Format, r: &Incoming) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let success = op.responses.iter().find(|x| x.status == r.status);
    let faults: Vec<&schema::faults::Fault> = schema
        .faults
        .iter()
        .filter(|f| f.api == op.api)
        .filter(|f| {
            f.all_requests
                || std::iter::once(op).chain(crate::checks::actions_of_path(schema, op)).any(|o| o.faults.iter().any(|fr| fr.fault == f.id))
        })
        .collect();
    // A body the service cannot read names no action: any action of the path may answer.
    let listed = |o: &Operation| o.faults.iter().any(|f| f.codes.contains(&r.status));
    let documented = success.is_some() || listed(op) || crate::checks::actions_of_path(schema, op).any(listed) || faults.iter().any(|f| f.all_requests && f.codes.contains(&r.status));
    if !documented {
        problems.push(format!("status {} is not documented for {}", r.status, op.id));
    }
    if r.truncated {
        problems.push(format!("the body is longer than {} bytes", crate::wire::MAX_BODY));
    }
    let media = r.media_type();
    let body_format = |f: Format| media.as_deref() == Some(f.format().media_type());
    match success {
        Some(resp) => {
            for h in &resp.headers {
                if r.header(&h.name).is_none() {
                    problems.push(format!("no {} header", h.name));
                }
            }
            let Some(body) = resp.body() else { return (problems, notes) };
            if r.body.is_empty() {
                problems.push(format!("an empty body where {} is documented", body.model));
                return (problems, notes);
            }
            let want = if body.formats.contains(&asked.format()) { asked } else { body.default_format.or(body.formats.first().copied()).map(Format::of).unwrap_or(asked) };
            if !body_format(want) {
                problems.push(format!("Content-Type {} where {} was asked for", media.clone().unwrap_or_else(|| "(none)".into()), want.format().media_type()));
                return (problems, notes);
            }
            findings(&body.model, body.wrap.as_deref(), None, want, r, &mut problems, &mut notes);
        }
        None if r.status >= 400 => {
            // A fault body: in the format asked for, or JSON where only JSON is documented.
            let want = if body_format(Format::Xml) { Format::Xml } else { Format::Json };
            if !body_format(want) {
                problems.push(format!("a {} fault in {}, not a documented fault body", r.status, media.clone().unwrap_or_else(|| "no media type".into())));
                return (problems, notes);
            }
            let root = match want {
                Format::Xml => xml_dom::parse(&r.text()).ok().map(|e| e.name.local.clone()),
                _ => serde_json::from_slice::<serde_json::Value>(&r.body).ok().and_then(|v| v.as_object().filter(|o| o.len() == 1).and_then(|o| o.keys().next().cloned())),
            };
            let Some(root) = root else {
                problems.push(format!("the {} body is not a fault document: {}", r.status, crate::session::gist(&r.text())));
                return (problems, notes);
            };
            match faults.iter().find(|f| f.name == root || f.aliases.contains(&root)) {
                Some(f) => {
                    if !f.codes.contains(&r.status) && !f.more_codes {
                        problems.push(format!("{} with status {}, documented with {:?}", f.name, r.status, f.codes));
                    }
                    if let Some(h) = &f.retry_header {
                        if r.header(h).is_none() {
                            problems.push(format!("{} without a {h} header", f.name));
                        }
                    }
                    if let Some(m) = &f.model {
                        findings(m, Some(&root), Some(&root), want, r, &mut problems, &mut notes);
                    }
                }
                None => problems.push(format!("`{root}` is not a fault of the {} API", op.api.as_str())),
            }
        }
        None => {}
    }
    (problems, notes)
}

/// The strict validator's findings over a body of `model`.
fn findings(model: &str, wrap: Option<&str>, root: Option<&str>, format: Format, r: &Incoming, problems: &mut Vec<String>, notes: &mut Vec<String>) {
    let found = match format {
        Format::Json => match serde_json::from_slice::<serde_json::Value>(&r.body) {
            Ok(doc) => match wrap {
                Some(w) => match doc.as_object().and_then(|o| o.get(w).map(|v| (o, v))) {
                    Some((o, inner)) => {
                        let mut f = shapes::validate_json(&cloudservers::SHAPES, model, inner, &format!("/{w}"));
                        for k in o.keys().filter(|k| k.as_str() != w) {
                            f.push(shapes::Finding { path: format!("/{k}"), line: None, kind: FindingKind::Undocumented, message: "a key beside the wrapping key".into() });
                        }
                        f
                    }
                    None => {
                        problems.push(format!("no `{w}` key at the root"));
                        return;
                    }
                },
                None => shapes::validate_json(&cloudservers::SHAPES, model, &doc, ""),
            },
            Err(e) => {
                problems.push(format!("the body is not JSON: {e}"));
                return;
            }
        },
        Format::Xml => match xml_dom::parse(&r.text()) {
            Ok(el) => shapes::validate_xml_root(&cloudservers::SHAPES, model, root, &el),
            Err(e) => {
                problems.push(format!("the body is not XML: {e}"));
                return;
            }
        },
        Format::Text => Vec::new(),
    };
    for f in found {
        if f.kind == FindingKind::UndocumentedValue {
            notes.push(f.to_string());
        } else {
            problems.push(f.to_string());
        }
    }
}
