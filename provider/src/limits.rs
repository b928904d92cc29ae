//! The documented limits, enforced from the generated `limits` tables: rate limits per
//! account (each counts the requests its verb and pattern select, in fixed windows of its
//! unit), the page size and marker of list calls, and changes-since.

use crate::http::Call;
use crate::mounts::Mount;
use crate::wire::{self, Fault};
use jiff::{SignedDuration, Timestamp};
use runtime::limits::{AbsoluteLimit, AccountLimits, ChangesSince, Exceeded, Pagination, RateLimit};
use std::collections::HashMap;

/// One rate limit, with its pattern compiled.
#[derive(Debug, Clone)]
pub struct Rate {
    /// The limit.
    pub limit: &'static RateLimit,
    matcher: Option<regex::Regex>,
}

impl Rate {
    /// The limit with its pattern compiled (a pattern that does not compile counts
    /// nothing, as the table form says).
    pub fn new(limit: &'static RateLimit) -> Self {
        Rate { limit, matcher: limit.matcher().ok() }
    }

    fn counts(&self, method: &str, target: &str) -> bool {
        self.limit.counts_method(method) && self.matcher.as_ref().is_some_and(|m| m.is_match(target))
    }
}

/// A window of one limit for one account: when it began and how many requests it counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    /// When the window began.
    pub start: Timestamp,
    /// Requests counted in it.
    pub count: u64,
}

/// Every account's windows, by (tenant, API key, limit id).
pub type Windows = HashMap<(String, String, String), Window>;

fn window_end(limit: &RateLimit, start: Timestamp) -> Timestamp {
    let length = SignedDuration::try_from(limit.window()).unwrap_or(SignedDuration::MAX);
    start.saturating_add(length).unwrap_or(Timestamp::MAX)
}

/// The fault of an exceeded limit: the documented fault of the API with the documented
/// status, else the operation's fault for that status.
pub fn exceeded_fault(call_mount: &Mount, op: Option<&runtime::shapes::operations::Operation<'_>>, exceeded: Option<&Exceeded>, message: String) -> Option<Fault> {
    let style = crate::http::style(call_mount);
    let status = exceeded.map(|e| e.status)?;
    let named = exceeded.and_then(|e| e.fault.as_deref()).and_then(|id| style.faults().iter().find(|f| f.id == id));
    match named {
        Some(info) => Some(Fault { info, status, message, retry_at: None, details: None }),
        None => wire::fault_for(style, op, status, message),
    }
}

/// Counts a request against every rate limit of its API that selects it; when one is used
/// up, nothing is counted and the answer is that limit's fault, with the time its window
/// ends.
pub fn admit(windows: &mut Windows, mount: &Mount, tenant: &str, method: &str, target: &str, now: Timestamp) -> Result<(), (Fault, &'static RateLimit)> {
    let selecting: Vec<&Rate> = mount.rates.iter().filter(|r| r.counts(method, target)).collect();
    for r in &selecting {
        let key = (tenant.to_string(), mount.key.clone(), r.limit.id.to_string());
        if let Some(w) = windows.get(&key) {
            let end = window_end(r.limit, w.start);
            if end > now && w.count >= r.limit.value {
                let message = format!("{} requests per {} to {} {}: try again at {end}", r.limit.value, r.limit.unit.as_str(), r.limit.verb, r.limit.uri);
                if let Some(mut f) = exceeded_fault(mount, None, r.limit.exceeded.as_ref(), message) {
                    f.retry_at = Some(end);
                    return Err((f, r.limit));
                }
            }
        }
    }
    for r in selecting {
        let key = (tenant.to_string(), mount.key.clone(), r.limit.id.to_string());
        let w = windows.entry(key).or_insert(Window { start: now, count: 0 });
        if window_end(r.limit, w.start) <= now {
            *w = Window { start: now, count: 0 };
        }
        w.count += 1;
    }
    Ok(())
}

/// The remaining count of a limit for an account, and when its window ends.
pub fn remaining(windows: &Windows, mount: &Mount, tenant: &str, limit: &RateLimit, now: Timestamp) -> (u64, Timestamp) {
    let key = (tenant.to_string(), mount.key.clone(), limit.id.to_string());
    match windows.get(&key) {
        Some(w) if window_end(limit, w.start) > now => (limit.value.saturating_sub(w.count), window_end(limit, w.start)),
        _ => (limit.value, now),
    }
}

/// The page of `items` a list call asks for: after its marker (an unknown marker is the
/// operation's 404 fault), at most its size (above the documented maximum is the
/// documented fault), with whether more follow.
pub fn page<T>(call: &Call<'_>, mut items: Vec<T>, id_of: impl Fn(&T) -> &str) -> Result<(Vec<T>, Option<String>), Fault> {
    let Some(p) = paging(call).filter(|_| !call.app.switches.on(crate::deviations::Deviation::NoPagination)) else { return Ok((items, None)) };
    let query = |name: &str| call.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    if let Some(marker) = p.marker_param.as_deref().and_then(query) {
        let at = items.iter().position(|i| id_of(i) == marker).ok_or_else(|| call.fault(404, format!("the marker {marker} is no item of this list")))?;
        items.drain(..=at);
    }
    let size = match query(&p.size_param) {
        None => p.default.unwrap_or(p.max),
        Some(text) => match text.parse::<u64>() {
            Ok(n) if n <= p.max => n,
            Ok(n) => {
                let message = format!("{} {n} is above the maximum of {}", p.size_param, p.max);
                return Err(exceeded_fault(call.mount, Some(call.op), p.exceeded.as_ref(), message.clone()).unwrap_or_else(|| call.fault(400, message)));
            }
            Err(_) => return Err(call.fault(400, format!("{} must be a whole number, not {text:?}", p.size_param))),
        },
    };
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if items.len() > size {
        items.truncate(size);
        let next = items.last().map(|i| id_of(i).to_string());
        return Ok((items, next));
    }
    Ok((items, None))
}

fn paging<'m>(call: &Call<'m>) -> Option<&'m Pagination> {
    call.mount.pagination.iter().find(|p| p.applies_to.contains(&call.op.id))
}

/// The `next` link of a page that has more, keeping the call's other query parameters.
pub fn next_link(call: &Call<'_>, list_url: &str, last: &str) -> Option<(String, String)> {
    let p = paging(call)?;
    let rel = p.next_rel.as_deref()?.to_string();
    let marker = p.marker_param.as_deref()?;
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in call.query.iter().filter(|(k, _)| k != marker) {
        q.append_pair(k, v);
    }
    q.append_pair(marker, last);
    Some((rel, format!("{list_url}?{}", q.finish())))
}

/// The time a list call's changes-since asks from, if it has one (an unreadable time is
/// the operation's 400 fault).
pub fn changes_since(call: &Call<'_>) -> Result<Option<(Timestamp, &'static ChangesSince)>, Fault> {
    let Some(c) = call.mount.changes_since.iter().find(|c| c.applies_to.contains(&call.op.id)) else { return Ok(None) };
    let Some((_, text)) = call.query.iter().find(|(k, _)| *k == c.param) else { return Ok(None) };
    runtime::shapes::time::parse_datetime(text)
        .map(|t| Some((t, c)))
        .map_err(|e| call.fault(400, format!("{} {text:?} is not a date and time: {e}", c.param)))
}

/// The fault of a field limit a request breaks.
pub fn violation(call: &Call<'_>, v: &runtime::limits::LimitViolation) -> Fault {
    named_fault(call, v.fault.as_deref(), v.status, v.message.clone())
}

/// The fault of this id (a limit's documented fault), or the call's fault of the status.
fn named_fault(call: &Call<'_>, fault: Option<&str>, status: u16, message: String) -> Fault {
    let style = crate::http::style(call.mount);
    match fault.and_then(|id| style.faults().iter().find(|f| f.id == id)) {
        Some(info) => Fault { info, status, message, retry_at: None, details: None },
        None => call.fault(status, message),
    }
}

/// The call's account's values of the absolute limits of `table`: its own (the seed's),
/// else the documented defaults.
pub fn account(call: &Call<'_>, table: &[AbsoluteLimit]) -> AccountLimits {
    let own = call.app.seed.accounts.iter().find(|a| a.tenant == call.tenant).map(|a| &a.limits);
    let known = |name: &str| table.iter().any(|l| l.name == name);
    own.into_iter().flatten().filter(|(name, _)| known(name)).fold(AccountLimits::documented_defaults(table), |l, (name, v)| l.with(name, *v))
}

/// Refuses, with the limit's documented fault, a call the absolute limit is enforced by
/// when it would take the account's `total` of what the limit bounds beyond the account's
/// value of it (`-1` is no limit).
pub fn within(call: &Call<'_>, limit: &AbsoluteLimit, values: &AccountLimits, total: i64, what: &str) -> Result<(), Fault> {
    if !limit.enforced_by.contains(&call.op.id) {
        return Ok(());
    }
    match values.get(&limit.name) {
        Some(max) if max != -1 && total > max => {
            let (status, fault) = limit.exceeded.as_ref().map_or((400, None), |e| (e.status, e.fault.as_deref()));
            Err(named_fault(call, fault, status, format!("{what} would be {total}, more than the {} of {max} (limit {})", limit.name, limit.id)))
        }
        _ => Ok(()),
    }
}
