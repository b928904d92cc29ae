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
    let (answer, curl) = s.call_traced(&c.id, op, &params, body.as_ref(), Format::Json, &[]).await;
    let r = match answer {
        Answer::Received(r) => r,
        Answer::Failed(why) => return Verdict::fail(why).with(curl),
        Answer::Unsent(why) => return Verdict::skip(why),
    };
    if !expect.contains(&r.status) {
        return Verdict::fail(format!("status {} where {} is documented for {}: {}", r.status, join(&expect), case.as_str(), gist(&r.text()))).with(curl);
    }
    let (problems, _) = crate::responses::validate(s.schema, op, Format::Json, &r);
    match problems.first() {
        Some(p) => Verdict::fail(format!("{}: {p}", r.status)).with(curl).diff(problems.clone()),
        None => Verdict::pass(format!("{} with a documented fault", r.status)).with(curl),
    }
}

fn join(codes: &[u16]) -> String {
    codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")
}
