//! Requests the documents do not allow: each must get a documented fault (the status the
//! operation lists for it, in a well-formed fault body), never a 5xx, an HTML page or a
//! hang.

use crate::checks::{BadCase, Check, Wire as Format};
use crate::outcome::Verdict;
use crate::session::{gist, Answer, Body, Session};

/// A key no document uses as an action.
const NO_ACTION: &str = "conformanceUnknownAction";

/// Runs a bad-input check.
pub async fn run(s: &Session<'_>, c: &Check, case: BadCase) -> Verdict {
    let Some(op) = s.schema.operation(&c.operation) else { return Verdict::fail(format!("no operation {}", c.operation)) };
    let documented = crate::examples::any_documented_body(s, op);
    let json_body = || -> Vec<u8> {
        match &documented {
            Some((b, Format::Json)) => b.bytes.clone(),
            _ => b"{}".to_vec(),
        }
    };
    let (params, body, expect) = match case {
        BadCase::UnknownId => {
            // The body refers to what the target has, so that only the id is unknown.
            let body = match &documented {
                Some((b, _)) => match s.resolve_references(op, b.clone()).await {
                    Ok(b) => Some(b),
                    Err(why) => return Verdict::skip(format!("prerequisite: {why}")),
                },
                None => None,
            };
            (crate::examples::unknown_ids(op), body, vec![404])
        }
        BadCase::TruncatedBody => {
            let full = json_body();
            let cut = full[..full.len().div_ceil(2).max(1)].to_vec();
            (Vec::new(), Some(Body::new("application/json", cut)), vec![400])
        }
        BadCase::WrongContentType => {
            // A body the service cannot read names no action: what any action of the path
            // documents for it may answer.
            let actions: Vec<&schema::operations::Operation> = match op.action {
                Some(_) => crate::checks::actions_of_path(s.schema, op).collect(),
                None => vec![op],
            };
            let mut want: Vec<u16> = actions.iter().map(|o| if o.faults.iter().any(|f| f.codes.contains(&415)) { 415 } else { 400 }).collect();
            want.sort_unstable();
            want.dedup();
            (Vec::new(), Some(Body::new("text/plain", json_body())), want)
        }
        BadCase::UnknownAction => {
            let bytes = serde_json::to_vec(&serde_json::json!({ NO_ACTION: {} })).unwrap_or_default();
            (Vec::new(), Some(Body::new("application/json", bytes)), vec![400])
        }
    };
    let params = if params.is_empty() {
        match s.fixture.params(s, op, None).await {
            Ok(p) => p,
            Err(why) => return Verdict::skip(format!("prerequisite: {why}")),
        }
    } else {
        params
    };
    send(s, c, op, &params, body.as_ref(), &expect, case.as_str()).await
}

/// Sends a bad request and judges the answer: one of the `expect`ed statuses, in a
/// documented fault body. What a wrongly accepted request made is deleted at the end.
async fn send(s: &Session<'_>, c: &Check, op: &schema::operations::Operation, params: &[(String, String)], body: Option<&Body>, expect: &[u16], what: &str) -> Verdict {
    let (answer, curl) = s.call_traced(&c.id, op, params, body, Format::Json, &[]).await;
    let r = match answer {
        Answer::Received(r) => r,
        Answer::Failed(why) => return Verdict::fail(why).with(curl),
        Answer::Unsent(why) => return Verdict::skip(why),
    };
    if !expect.contains(&r.status) {
        s.fixture.adopt(s, op, params, &r).await;
        return Verdict::fail(format!("status {} where {} is documented for {what}: {}", r.status, join(expect), gist(&r.text()))).with(curl);
    }
    let (problems, _) = crate::responses::validate(s.schema, op, Format::Json, &r);
    match problems.first() {
        Some(p) => Verdict::fail(format!("{}: {p}", r.status)).with(curl).diff(problems.clone()),
        None => Verdict::pass(format!("{} with a documented fault", r.status)).with(curl),
    }
}

/// Runs an over-long field check: the operation's documented JSON request (its references
/// the target's, so that only the field is wrong) with the field the limit `limit_id`
/// bounds one byte longer than allowed; the limit's documented fault is the answer, or a
/// bad request where it documents none.
pub async fn over_long(s: &Session<'_>, c: &Check, limit_id: &str) -> Verdict {
    let Some(op) = s.schema.operation(&c.operation) else { return Verdict::fail(format!("no operation {}", c.operation)) };
    let Some(limit) = s.schema.limits.iter().find(|l| l.id == limit_id) else { return Verdict::fail(format!("no limit {limit_id}")) };
    let schema::limits::LimitKind::Field { max_bytes: Some(max), field: Some(field), .. } = &limit.kind else {
        return Verdict::fail(format!("{limit_id} bounds no field's length"));
    };
    let Some(documented) = s.documented_request(op, Format::Json) else { return Verdict::skip(format!("no documented JSON request of {} to lengthen", op.id)) };
    let body = match s.resolve_references(op, documented).await {
        Ok(b) => b,
        Err(why) => return Verdict::skip(format!("prerequisite: {why}")),
    };
    let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(&body.bytes) else { return Verdict::skip(format!("the documented request of {} is not JSON", op.id)) };
    let wrap = op.request.as_ref().and_then(|b| b.wrap.clone());
    let too_long = usize::try_from(*max).unwrap_or(usize::MAX - 1).saturating_add(1);
    let lengthened = field.split(" | ").filter_map(|alt| schema::check::parse_field_path(alt.trim()).ok()).any(|steps| lengthen(&mut doc, wrap.as_deref(), &steps, too_long));
    if !lengthened {
        return Verdict::skip(format!("the documented request of {} has no `{field}` to lengthen", op.id));
    }
    let params = match s.fixture.params(s, op, None).await {
        Ok(p) => p,
        Err(why) => return Verdict::skip(format!("prerequisite: {why}")),
    };
    let expect = [limit.exceeded().map_or(400, |e| e.status)];
    let bytes = serde_json::to_vec(&doc).unwrap_or_default();
    send(s, c, op, &params, Some(&Body::new("application/json", bytes)), &expect, &format!("a value longer than {max} bytes ({limit_id})")).await
}

/// Makes the value a field path reaches `len` bytes long (decoded, after `@base64`): a
/// new map key or value, or the path's field in the request (its first step may be the
/// request's wrapping key, the request itself). Whether the path was there to lengthen.
fn lengthen(doc: &mut serde_json::Value, wrap: Option<&str>, steps: &[schema::check::PathStep], len: usize) -> bool {
    use schema::check::PathStep;
    use serde_json::Value;
    let (at, steps): (Option<&mut Value>, &[PathStep]) = match (wrap, steps.first()) {
        (Some(w), Some(PathStep::Field(f))) if f == w => (doc.get_mut(w), &steps[1..]),
        (Some(w), _) => (doc.get_mut(w), steps),
        (None, _) => (Some(doc), steps),
    };
    let Some(at) = at else { return false };
    fn walk(v: &mut Value, steps: &[PathStep], len: usize) -> bool {
        let long = || "x".repeat(len);
        match steps {
            [PathStep::Field(f), PathStep::Base64] => match v.get_mut(f) {
                Some(slot) => {
                    *slot = Value::String(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, vec![b'x'; len]));
                    true
                }
                None => false,
            },
            [PathStep::Field(f)] => match v.get_mut(f) {
                Some(slot) => {
                    *slot = Value::String(long());
                    true
                }
                None => false,
            },
            [PathStep::Field(f), rest @ ..] => v.get_mut(f).is_some_and(|inner| walk(inner, rest, len)),
            [PathStep::MapKeys] => match v.as_object_mut() {
                Some(m) => {
                    m.insert(long(), Value::String("x".into()));
                    true
                }
                None => false,
            },
            [PathStep::MapValues] => match v.as_object_mut().and_then(|m| m.values_mut().next()) {
                Some(slot) => {
                    *slot = Value::String(long());
                    true
                }
                None => false,
            },
            [PathStep::ArrayItems, rest @ ..] => v.as_array_mut().and_then(|a| a.first_mut()).is_some_and(|item| walk(item, rest, len)),
            _ => false,
        }
    }
    walk(at, steps, len)
}

fn join(codes: &[u16]) -> String {
    codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")
}
