//! Cloud Servers v1.0: servers, their addresses and actions, images, flavors, backup
//! schedules, shared IP groups, limits and versions, written with the generated v1.0
//! models.
//!
//! Servers and images walk the generated v1.0 machines (`SERVER_STATUS`, `IMAGE_STATUS`);
//! an operation the machine has no transition for from a resource's state gets the
//! operation's 409 fault. Flavors, the documented images and the version documents are the
//! documents' own examples, read once with the generated models. Limits are the generated
//! limit tables: the field limits refuse a request as the service would, the absolute
//! limits bound what an account holds, and the limits call reports both.
//!
//! List calls page and poll as the v1.0 tables say (`PAGINATION`, `CHANGES_SINCE`): a
//! size and an offset rather than v2's marker, and a time in the table's format, with the
//! table's not-modified status when nothing changed. Every resource keeps when it last
//! changed for that.

use crate::http::{Answer, Call};
use crate::lifecycle::{Lifecycle, Outcome};
use crate::state::Store;
use crate::wire::{self, Fault};
use axum::response::Response;
use cloudservers::v1_0;
use jiff::{SignedDuration, Timestamp};
use runtime::faults::FaultInfo;
use runtime::limits::{AccountLimits, ChangesSince, Pagination};
use runtime::machines::{StateKind, StateMachine, Transition};
use runtime::shapes::Scalar;
use runtime::strict::Shaped;
use runtime::Secret;
use schema::examples::{Direction, ExampleFormat};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use v1_0::machines::{IMAGE_STATUS, SERVER_STATUS};
use v1_0::models as m;

/// One account's v1.0 resources.
#[derive(Debug, Default)]
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Account {
    /// Servers in creation order (deleted ones stay, in the machine's terminal state, so
    /// their ids are never reused).
    servers: Vec<ServerRec>,
    /// The images the account made (the documented ones are every account's).
    images: Vec<ImageRec>,
    /// Shared IP groups in creation order.
    groups: Vec<GroupRec>,
}

/// A v1.0 server.
#[derive(Debug, Clone)]
#[derive(serde::Serialize, serde::Deserialize)]
struct ServerRec {
    id: i64,
    name: String,
    image_id: i64,
    flavor_id: i64,
    host_id: String,
    life: Lifecycle,
    metadata: BTreeMap<String, String>,
    /// Its own public address, then the addresses shared with it.
    public: Vec<String>,
    private: Vec<String>,
    /// The addresses of other servers shared with this one (also in `public`).
    shared: Vec<String>,
    /// The shared IP group it belongs to.
    group: Option<i64>,
    backup: m::BackupSchedule,
    /// The flavor before a resize, until it is confirmed or reverted.
    resized_from: Option<i64>,
    /// When it last changed (for changes-since; the epoch in older state files).
    #[serde(default)]
    updated: Timestamp,
}

/// An image made from a server.
#[derive(Debug, Clone)]
#[derive(serde::Serialize, serde::Deserialize)]
struct ImageRec {
    id: i64,
    name: String,
    server_id: i64,
    created: Timestamp,
    life: Lifecycle,
    /// When it last changed (for changes-since; the epoch in older state files).
    #[serde(default)]
    updated: Timestamp,
}

/// A shared IP group; its members are the live servers that name it.
#[derive(Debug, Clone)]
#[derive(serde::Serialize, serde::Deserialize)]
struct GroupRec {
    id: i64,
    name: String,
    /// When it was made or a server joined or left it (for changes-since; the epoch in
    /// older state files).
    #[serde(default)]
    updated: Timestamp,
}

impl Account {
    /// Moves every resource to the state its walk has reached by `now`, and records when
    /// a resource that moved last changed.
    fn settle(&mut self, now: Timestamp) {
        for s in &mut self.servers {
            if let Some(at) = settle(&mut s.life, s.updated, now) {
                s.updated = at;
            }
        }
        for i in &mut self.images {
            if let Some(at) = settle(&mut i.life, i.updated, now) {
                i.updated = at;
            }
        }
    }

    /// Marks the group `id` changed (a server joined or left it).
    fn touch_group(&mut self, id: Option<i64>, now: Timestamp) {
        for g in self.groups.iter_mut().filter(|g| Some(g.id) == id) {
            g.updated = now;
        }
    }

    /// The servers that are not gone.
    fn live(&self) -> impl Iterator<Item = &ServerRec> {
        self.servers.iter().filter(|s| !is_gone(&SERVER_STATUS, &s.life.state))
    }

    /// The live members of a group.
    fn members(&self, group: i64) -> impl Iterator<Item = &ServerRec> {
        self.live().filter(move |s| s.group == Some(group))
    }
}

/// Settles `life` to `now`; when it moved, the time of its last move after `since` (when
/// it last changed). The lifecycle keeps the times of its walk to itself, so the time is
/// found by halving: settling a copy of the old lifecycle to any time from the last move
/// on gives the new one, and to any time before it does not.
fn settle(life: &mut Lifecycle, since: Timestamp, now: Timestamp) -> Option<Timestamp> {
    let before = life.clone();
    life.settle(now);
    if *life == before {
        return None;
    }
    let at = |t: Timestamp| {
        let mut l = before.clone();
        l.settle(t);
        l == *life
    };
    let (mut lo, mut hi) = (since.as_nanosecond(), now.as_nanosecond());
    // At most 128 halvings of the nanoseconds between the two times.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match Timestamp::from_nanosecond(mid) {
            Ok(t) if at(t) => hi = mid,
            Ok(_) => lo = mid,
            Err(_) => break,
        }
    }
    Some(Timestamp::from_nanosecond(hi).unwrap_or(now))
}

/// Answers a v1.0 operation.
pub fn handle(call: &Call<'_>) -> Answer {
    let id = call.op.id.as_ref();
    let rest = id.strip_prefix("v1.0.").unwrap_or(id);
    match rest {
        "versions.list" => versions(call),
        "versions.get" => version(call),
        "limits.get" => limits(call),
        "servers.create" => create(call),
        "servers.list" => list(call, false),
        "servers.list-detail" => list(call, true),
        "servers.get" => with_server(call, |call, a, i, now, _| reply(call, &server_model(&a.servers[i], now))),
        "servers.update" => update(call),
        "servers.delete" => delete(call),
        "addresses.list" => with_server(call, |call, a, i, _, _| reply(call, &addresses(&a.servers[i]))),
        "addresses.list-public" => with_server(call, |call, a, i, _, _| reply(call, &m::PublicAddresses(a.servers[i].public.clone()))),
        "addresses.list-private" => with_server(call, |call, a, i, _, _| reply(call, &m::PrivateAddresses(a.servers[i].private.clone()))),
        "addresses.share" => share(call),
        "addresses.unshare" => unshare(call),
        "servers.reboot" => reboot(call),
        "servers.rebuild" => rebuild(call),
        "servers.resize" => resize(call),
        "servers.confirm-resize" => {
            call.read::<m::ConfirmResizeAction>()?;
            end_resize(call, false)
        }
        "servers.revert-resize" => {
            call.read::<m::RevertResizeAction>()?;
            end_resize(call, true)
        }
        "flavors.list" | "flavors.list-detail" => flavors(call, rest.ends_with("detail")),
        "flavors.get" => flavor(call),
        "images.list" | "images.list-detail" => images(call, rest.ends_with("detail")),
        "images.get" => image(call),
        "images.create" => create_image(call),
        "backup-schedule.get" => with_server(call, |call, a, i, _, _| reply(call, &a.servers[i].backup)),
        "backup-schedule.set" => set_backup(call),
        "backup-schedule.delete" => backup_off(call),
        "shared-ip-groups.list" | "shared-ip-groups.list-detail" => groups(call, rest.ends_with("detail")),
        "shared-ip-groups.get" => group(call),
        "shared-ip-groups.create" => create_group(call),
        "shared-ip-groups.delete" => delete_group(call),
        _ => Err(crate::http::unserved(call)),
    }
}

/// The operation's success answer with `value` as its body.
fn reply<T: Shaped + serde::Serialize + runtime::xml::ToXml>(call: &Call<'_>, value: &T) -> Answer {
    Ok(wire::reply(call.op, call.success(), value, call.format, cloudservers::ns::PREFIXES))
}

/// The operation's success answer without a body.
fn done(call: &Call<'_>) -> Answer {
    Ok(wire::empty(call.success()))
}

/// The fault `info` with `status` when the operation lists it, else the operation's
/// fault for the status: some statuses (409) stand for several documented faults.
fn fault_of(call: &Call<'_>, info: &FaultInfo, status: u16, message: String) -> Fault {
    let listed = call.op.faults.iter().any(|f| f.fault == info.id && f.codes.contains(&status));
    match v1_0::faults::FAULTS.iter().find(|f| f.id == info.id) {
        Some(info) if listed => Fault { info, status, message, retry_at: None, details: None },
        _ => call.fault(status, message),
    }
}

fn is_gone(machine: &StateMachine, state: &str) -> bool {
    machine.kind_of(state) == Some(StateKind::Terminal)
}

fn is_busy(machine: &StateMachine, state: &str) -> bool {
    machine.kind_of(state) == Some(StateKind::Transient)
}

/// An integer id from the path: one that is not a number names nothing (404).
fn id_param(call: &Call<'_>, name: &str, what: &str) -> Result<i64, Fault> {
    let raw = call.param(name);
    raw.parse().map_err(|_| call.fault(404, format!("{what} {raw} does not exist")))
}

/// The next id of this provider above `floor` (the largest documented id of the kind),
/// so ids count up and never repeat a documented one.
fn next_id(serial: &mut u64, floor: i64) -> i64 {
    *serial += 1;
    floor.saturating_add(i64::try_from(*serial).unwrap_or(i64::MAX))
}

/// Runs `f` on the caller's account, settled to now, with the provider's id counter and
/// the outcome queued for this operation, under one lock of the store.
fn with_account<R>(call: &Call<'_>, f: impl FnOnce(&mut Account, &mut u64, Timestamp, Outcome) -> R) -> R {
    let now = call.app.clock.now();
    let mut guard = call.app.store();
    let store: &mut Store = &mut guard;
    let outcome = store.next_outcome(&call.op.id);
    let account = store.first_gen.entry(call.tenant.clone()).or_default();
    account.settle(now);
    f(account, &mut store.serial, now, outcome)
}

/// Runs `f` on the addressed server (by its index in the account), or answers 404.
fn with_server(call: &Call<'_>, f: impl FnOnce(&Call<'_>, &mut Account, usize, Timestamp, Outcome) -> Answer) -> Answer {
    let id = id_param(call, "server_id", "server")?;
    with_account(call, |a, _, now, outcome| {
        let i = locate(call, a, id)?;
        f(call, a, i, now, outcome)
    })
}

fn locate(call: &Call<'_>, a: &Account, id: i64) -> Result<usize, Fault> {
    a.servers
        .iter()
        .position(|s| s.id == id && !is_gone(&SERVER_STATUS, &s.life.state))
        .ok_or_else(|| call.fault(404, format!("server {id} does not exist")))
}

/// Starts the call's operation on the server through the server machine, taking the
/// first transition `choose` accepts, or answers the operation's 409 fault.
fn start(call: &Call<'_>, s: &mut ServerRec, now: Timestamp, outcome: Outcome, choose: impl Fn(&Transition) -> bool) -> Result<(), Fault> {
    s.life.start(call.walk(&SERVER_STATUS, now, outcome), choose).map_err(|e| call.fault(409, e.to_string()))?;
    s.updated = now;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The documents' data.

/// The documents' examples the provider serves: flavors, images and versions.
struct Documented {
    flavors: Vec<m::Flavor>,
    images: Vec<m::Image>,
    versions: m::Versions,
    version: m::Version,
}

static DOCUMENTED: OnceLock<Result<Documented, String>> = OnceLock::new();

/// The documented data, read from the schema the first time it is asked for; a schema
/// without it answers the operation's 500 fault.
fn documented(call: &Call<'_>) -> Result<&'static Documented, Fault> {
    DOCUMENTED.get_or_init(load_documented).as_ref().map_err(|e| call.fault(500, e.clone()))
}

fn load_documented() -> Result<Documented, String> {
    let schema = schema::Schema::load_default().map_err(|e| format!("the schema did not load: {e}"))?;
    let flavors: m::FlavorsDetail = documented_response(&schema)?;
    let images: m::ImagesDetail = documented_response(&schema)?;
    let versions: m::Versions = documented_response(&schema)?;
    let version: m::Version = documented_response(&schema)?;
    Ok(Documented { flavors: flavors.flavors, images: images.images, versions, version })
}

/// The first documented JSON response of a v1.0 operation whose body is `T`, read with
/// the generated model (inside the operation's wrapping key, when it has one).
fn documented_response<T: Shaped + serde::de::DeserializeOwned>(schema: &schema::Schema) -> Result<T, String> {
    schema
        .examples
        .iter()
        .filter(|e| e.direction == Direction::Response && e.format == ExampleFormat::Json)
        .filter(|e| v1_0::operations::OPERATIONS.iter().any(|o| o.id == e.operation))
        .find_map(|e| {
            let spec = schema.example_body(e).filter(|b| b.model.id == T::MODEL_ID && b.fault.is_none())?;
            let body = e.body.as_ref()?;
            let inner = match &spec.wrap {
                Some(w) => body.get(w)?,
                None => body,
            };
            serde_json::from_value(inner.clone()).ok()
        })
        .ok_or_else(|| format!("the schema has no {} example to serve", T::MODEL_ID))
}

/// Whether an image of this status can be built from (a stable state of the image machine).
fn usable_status(status: &str) -> bool {
    IMAGE_STATUS.kind_of(status) == Some(StateKind::Stable)
}

/// Whether `id` names an image the account can build a server from.
fn usable_image(docs: &Documented, a: &Account, id: i64) -> bool {
    docs.images.iter().any(|i| i.id == id && usable_status(i.status.as_str())) || a.images.iter().any(|i| i.id == id && usable_status(&i.life.state))
}

// ---------------------------------------------------------------------------------------
// Limits.

/// The account's values of the absolute limits (its own, else the documented defaults).
fn account_limits(call: &Call<'_>) -> AccountLimits {
    crate::limits::account(call, v1_0::limits::ABSOLUTE_LIMITS)
}

/// The RAM of the account's live servers, in the flavors' unit.
fn ram_in_use(docs: &Documented, a: &Account, except: Option<i64>) -> i64 {
    a.live().filter(|s| Some(s.id) != except).map(|s| flavor_ram(docs, s.flavor_id)).sum()
}

fn flavor_ram(docs: &Documented, id: i64) -> i64 {
    docs.flavors.iter().find(|f| f.id == id).map(|f| f.ram).unwrap_or(0)
}

fn limits(call: &Call<'_>) -> Answer {
    let now = call.app.clock.now();
    let store = call.app.store();
    let rate = v1_0::limits::RATE_LIMITS
        .iter()
        .map(|l| {
            let value = i64::try_from(l.value).unwrap_or(i64::MAX);
            let (remaining, next) = crate::limits::remaining(&store.windows, call.mount, &call.tenant, l, now);
            let remaining = i64::try_from(remaining).unwrap_or(i64::MAX);
            m::RateLimit::new(l.verb.to_string(), l.uri.to_string(), l.pattern().into_owned(), value, remaining, m::RateUnit::from(l.unit.as_str()), next.as_second())
        })
        .collect::<Vec<_>>();
    drop(store);
    let values = account_limits(call);
    let absolute = v1_0::limits::ABSOLUTE_LIMITS.iter().filter_map(|l| Some((l.name.to_string(), values.get(&l.name)?))).collect();
    reply(call, &m::Limits::new(rate, m::AbsoluteLimits(absolute)))
}

fn versions(call: &Call<'_>) -> Answer {
    reply(call, &documented(call)?.versions)
}

fn version(call: &Call<'_>) -> Answer {
    reply(call, &documented(call)?.version)
}

// ---------------------------------------------------------------------------------------
// Lists: paging and changes-since, read from the v1.0 tables.

/// An item of a list, with when it last changed and whether it is gone (deleted items
/// are listed only among changes).
struct Listed<T> {
    changed: Timestamp,
    gone: bool,
    item: T,
}

/// What a list call answers: a page of items, or the not-modified answer.
enum Selected<T> {
    Page(Vec<T>),
    NotModified(Response),
}

/// The changes-since rule of the call's operation, with the time the call asks from; an
/// unreadable time is the operation's 400 fault.
fn changes_since(call: &Call<'_>) -> Result<Option<(Timestamp, &'static ChangesSince)>, Fault> {
    let Some(c) = call.mount.changes_since.iter().find(|c| c.applies_to.contains(&call.op.id)) else { return Ok(None) };
    let Some((_, text)) = call.query.iter().find(|(k, _)| *k == c.param) else { return Ok(None) };
    match Scalar::parse(&c.format) {
        Some(Scalar::UnixTime) => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|secs| Timestamp::from_second(secs).ok())
            .map(|t| Some((t, c)))
            .ok_or_else(|| call.fault(400, format!("{} {text:?} is not a time in seconds since the epoch", c.param))),
        // Every other format is the generic rule's (an ISO 8601 date and time).
        _ => crate::limits::changes_since(call),
    }
}

/// Whether an item changed at `changed` is among the changes since `since`: deleted
/// ones only for the days the rule keeps them, when it says.
fn is_change(changed: Timestamp, gone: bool, since: Timestamp, rule: &ChangesSince, now: Timestamp) -> bool {
    let kept = |days: u64| {
        let secs = i64::try_from(days).ok().and_then(|d| d.checked_mul(86_400));
        secs.is_none_or(|s| now.duration_since(changed) < SignedDuration::from_secs(s))
    };
    changed >= since && (!gone || rule.retention_days.is_none_or(kept))
}

/// The items a list call answers: without changes-since the live ones, with it those
/// changed since then (or the rule's not-modified answer when there are none, if the
/// operation documents it), then the page the call asks for.
fn select<T>(call: &Call<'_>, since: Option<(Timestamp, &'static ChangesSince)>, now: Timestamp, all: Vec<Listed<T>>) -> Result<Selected<T>, Fault> {
    let items: Vec<T> = match since {
        None => all.into_iter().filter(|l| !l.gone).map(|l| l.item).collect(),
        Some((t, rule)) => {
            let changed: Vec<T> = all.into_iter().filter(|l| is_change(l.changed, l.gone, t, rule, now)).map(|l| l.item).collect();
            let not_modified = rule.not_modified_status.filter(|s| call.op.response(*s).is_some());
            if let (true, Some(status)) = (changed.is_empty(), not_modified) {
                return Ok(Selected::NotModified(wire::empty(status)));
            }
            changed
        }
    };
    page(call, items).map(Selected::Page)
}

/// The page of `items` a list call asks for, by the pagination rule of its operation:
/// from its offset (past the end, an empty page), at most its size. A size above the
/// documented maximum is the rule's documented fault when it names one; without one the
/// documents say only that a list holds at most the maximum, so the page is cut there.
fn page<T>(call: &Call<'_>, items: Vec<T>) -> Result<Vec<T>, Fault> {
    let rule: Option<&Pagination> = call.mount.pagination.iter().find(|p| p.applies_to.contains(&call.op.id));
    let Some(p) = rule.filter(|_| !call.app.switches.on(crate::deviations::Deviation::NoPagination)) else { return Ok(items) };
    let query = |name: &str| call.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let whole = |name: &str, text: &str| text.trim().parse::<u64>().map_err(|_| call.fault(400, format!("{name} must be a whole number, not {text:?}")));
    let size = match query(&p.size_param) {
        None => p.default.unwrap_or(p.max),
        Some(text) => match whole(&p.size_param, text)? {
            n if n <= p.max => n,
            n => match &p.exceeded {
                Some(e) => {
                    let message = format!("{} {n} is above the maximum of {}", p.size_param, p.max);
                    return Err(crate::limits::exceeded_fault(call.mount, Some(call.op), Some(e), message.clone()).unwrap_or_else(|| call.fault(e.status, message)));
                }
                None => p.max,
            },
        },
    };
    let offset = match p.offset_param.as_deref().and_then(|name| query(name).map(|text| (name, text))) {
        Some((name, text)) => whole(name, text)?,
        None => 0,
    };
    let (offset, size) = (usize::try_from(offset).unwrap_or(usize::MAX), usize::try_from(size).unwrap_or(usize::MAX));
    Ok(items.into_iter().skip(offset).take(size).collect())
}

// ---------------------------------------------------------------------------------------
// Servers.

fn addresses(s: &ServerRec) -> m::Addresses {
    m::Addresses::new(s.public.clone(), s.private.clone())
}

fn server_model(s: &ServerRec, now: Timestamp) -> m::Server {
    let status = m::ServerStatus::from(s.life.state.as_str());
    let mut out = m::Server::new(s.id, s.name.clone(), s.image_id, s.flavor_id, s.host_id.clone(), status, addresses(s)).progress(s.life.progress(now));
    if !s.metadata.is_empty() {
        out.metadata = Some(m::Metadata(s.metadata.clone()));
    }
    out
}

/// A new administrative password: the service generates one for every new server.
fn new_password() -> String {
    uuid::Uuid::new_v4().simple().to_string().chars().take(12).collect()
}

fn create(call: &Call<'_>) -> Answer {
    let req: m::CreateServerRequest = call.read()?;
    v1_0::limits::validate_servers_create(&req, &account_limits(call)).map_err(|v| call.fault(v.status, v.message))?;
    let docs = documented(call)?;
    let Some(flavor) = docs.flavors.iter().find(|f| f.id == req.flavor_id) else {
        return Err(call.fault(400, format!("flavor {} does not exist", req.flavor_id)));
    };
    with_account(call, |a, serial, now, outcome| {
        if !usable_image(docs, a, req.image_id) {
            return Err(call.fault(400, format!("image {} does not exist or is not ready", req.image_id)));
        }
        crate::limits::within(call, &v1_0::limits::ABSOLUTE_MAX_TOTAL_RAM_SIZE, &account_limits(call), ram_in_use(docs, a, None).saturating_add(flavor.ram), "the account's RAM")?;
        if let Some(g) = req.shared_ip_group_id {
            if !a.groups.iter().any(|x| x.id == g) {
                return Err(call.fault(400, format!("shared IP group {g} does not exist")));
            }
            let members = i64::try_from(a.members(g).count()).unwrap_or(i64::MAX);
            crate::limits::within(call, &v1_0::limits::ABSOLUTE_MAX_IP_GROUP_MEMBERS, &account_limits(call), members.saturating_add(1), "the group's servers")?;
        }
        let life = Lifecycle::create(call.walk(&SERVER_STATUS, now, outcome)).map_err(|e| call.fault(409, e.to_string()))?;
        let id = next_id(serial, 0);
        let n = *serial;
        let rec = ServerRec {
            id,
            name: req.name.clone(),
            image_id: req.image_id,
            flavor_id: req.flavor_id,
            host_id: format!("{:032x}", u128::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)),
            life,
            metadata: req.metadata.as_ref().map(|md| md.0.clone()).unwrap_or_default(),
            // Benchmarking (198.18.0.0/15) and private (10.0.0.0/8) ranges: never a real
            // host's address.
            public: vec![format!("198.{}.{}.{}", 18 + ((n >> 16) & 1), (n >> 8) & 255, n & 255)],
            private: vec![format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)],
            shared: Vec::new(),
            group: req.shared_ip_group_id,
            backup: m::BackupSchedule::new(false),
            resized_from: None,
            updated: now,
        };
        a.touch_group(rec.group, now);
        // The password is in this answer only: later reads never return it.
        let out = server_model(&rec, now).admin_pass(Secret::new(new_password()));
        a.servers.push(rec);
        reply(call, &out)
    })
}

fn list(call: &Call<'_>, detail: bool) -> Answer {
    let since = changes_since(call)?;
    let (now, all) = with_account(call, |a, _, now, _| {
        let all: Vec<Listed<m::Server>> = a
            .servers
            .iter()
            .map(|s| Listed { changed: s.updated, gone: is_gone(&SERVER_STATUS, &s.life.state), item: server_model(s, now) })
            .collect();
        (now, all)
    });
    let servers = match select(call, since, now, all)? {
        Selected::Page(p) => p,
        Selected::NotModified(r) => return Ok(r),
    };
    if detail {
        reply(call, &m::ServersDetail::new(servers))
    } else {
        reply(call, &m::Servers::new(servers.into_iter().map(|s| m::ServerSummary::new(s.id, s.name)).collect::<Vec<_>>()))
    }
}

fn update(call: &Call<'_>) -> Answer {
    let req: m::UpdateServerRequest = call.read()?;
    if req.name.is_none() && req.admin_pass.is_none() {
        return Err(call.fault(400, "the update names neither a name nor an adminPass"));
    }
    with_server(call, move |call, a, i, now, outcome| {
        let s = &mut a.servers[i];
        // Only a new password walks the machine (ACTIVE, PASSWORD, ACTIVE); a new name
        // is the system's record alone.
        if req.admin_pass.is_some() {
            start(call, s, now, outcome, |_| true)?;
        }
        if let Some(n) = &req.name {
            s.name = n.clone();
            s.updated = now;
        }
        done(call)
    })
}

fn delete(call: &Call<'_>) -> Answer {
    with_server(call, |call, a, i, now, outcome| {
        start(call, &mut a.servers[i], now, outcome, |_| true)?;
        // A deleted server leaves its group's members.
        let group = a.servers[i].group;
        a.touch_group(group, now);
        done(call)
    })
}

fn reboot(call: &Call<'_>) -> Answer {
    let req: m::RebootAction = call.read()?;
    let kind = req.type_.as_str().to_string();
    if !m::RebootType::DOCUMENTED.contains(&kind.as_str()) {
        return Err(call.fault(400, format!("{kind} is not a documented reboot type")));
    }
    let request = serde_json::to_value(&req).unwrap_or_default();
    with_server(call, move |call, a, i, now, outcome| {
        start(call, &mut a.servers[i], now, outcome, crate::lifecycle::asked(&request))?;
        done(call)
    })
}

fn rebuild(call: &Call<'_>) -> Answer {
    let req: m::RebuildAction = call.read()?;
    let docs = documented(call)?;
    with_server(call, move |call, a, i, now, outcome| {
        if let Some(image) = req.image_id {
            if !usable_image(docs, a, image) {
                return Err(call.fault(400, format!("image {image} does not exist or is not ready")));
            }
        }
        let s = &mut a.servers[i];
        start(call, s, now, outcome, |_| true)?;
        if let Some(image) = req.image_id {
            s.image_id = image;
        }
        done(call)
    })
}

fn resize(call: &Call<'_>) -> Answer {
    let req: m::ResizeAction = call.read()?;
    let docs = documented(call)?;
    let Some(flavor) = docs.flavors.iter().find(|f| f.id == req.flavor_id) else {
        return Err(call.fault(400, format!("flavor {} does not exist", req.flavor_id)));
    };
    with_server(call, move |call, a, i, now, outcome| {
        let (id, current) = (a.servers[i].id, a.servers[i].flavor_id);
        if current == flavor.id {
            return Err(call.fault(403, format!("server {id} already has flavor {current}")));
        }
        crate::limits::within(call, &v1_0::limits::ABSOLUTE_MAX_TOTAL_RAM_SIZE, &account_limits(call), ram_in_use(docs, a, Some(id)).saturating_add(flavor.ram), "the account's RAM")?;
        let s = &mut a.servers[i];
        start(call, s, now, outcome, |_| true)?;
        // A resize that is to fail leaves the server in the flavor it has.
        if outcome != Outcome::Fails {
            s.resized_from = Some(std::mem::replace(&mut s.flavor_id, flavor.id));
        }
        done(call)
    })
}

/// Confirms (keeps the new flavor) or reverts (back to the old one) a resize.
fn end_resize(call: &Call<'_>, revert: bool) -> Answer {
    with_server(call, move |call, a, i, now, outcome| {
        let s = &mut a.servers[i];
        start(call, s, now, outcome, |_| true)?;
        match s.resized_from.take() {
            Some(old) if revert => s.flavor_id = old,
            _ => {}
        }
        done(call)
    })
}

// ---------------------------------------------------------------------------------------
// Shared addresses and groups.

fn share(call: &Call<'_>) -> Answer {
    let req: m::ShareIpRequest = call.read()?;
    let address = call.param("address").to_string();
    // The documents: the server is not configured unless asked.
    let configure = req.configure_server.unwrap_or_default();
    with_server(call, move |call, a, i, now, outcome| {
        let g = req.shared_ip_group_id;
        if !a.groups.iter().any(|x| x.id == g) {
            return Err(call.fault(404, format!("shared IP group {g} does not exist")));
        }
        let target = a.servers[i].id;
        if a.servers[i].group != Some(g) {
            return Err(call.fault(400, format!("server {target} is not in shared IP group {g}")));
        }
        if !a.members(g).any(|s| s.id != target && s.public.first() == Some(&address)) {
            return Err(call.fault(404, format!("no other server of shared IP group {g} has the public address {address}")));
        }
        if a.servers[i].public.contains(&address) {
            return Err(call.fault(400, format!("server {target} already has the address {address}")));
        }
        // Sharing without configuring the server has a state of its own, named after
        // the configuring one (SHARE_IP_NO_CONFIG after SHARE_IP).
        let targets: Vec<&str> = SERVER_STATUS.transitions_by(&call.op.id).filter(|t| !t.on_error).map(|t| t.to.as_ref()).collect();
        let extends = |to: &str| targets.iter().any(|o| *o != to && to.starts_with(o));
        let s = &mut a.servers[i];
        start(call, s, now, outcome, |t| extends(&t.to) != configure)?;
        s.public.push(address.clone());
        s.shared.push(address);
        done(call)
    })
}

fn unshare(call: &Call<'_>) -> Answer {
    let address = call.param("address").to_string();
    with_server(call, move |call, a, i, now, outcome| {
        let s = &mut a.servers[i];
        if !s.shared.contains(&address) {
            return Err(call.fault(404, format!("the address {address} is not shared with server {}", s.id)));
        }
        start(call, s, now, outcome, |_| true)?;
        s.shared.retain(|x| *x != address);
        s.public.retain(|x| *x != address);
        done(call)
    })
}

fn group_model(a: &Account, g: &GroupRec) -> m::SharedIpGroup {
    m::SharedIpGroup::new(g.id, g.name.clone(), a.members(g.id).map(|s| s.id).collect::<Vec<_>>())
}

fn groups(call: &Call<'_>, detail: bool) -> Answer {
    let since = changes_since(call)?;
    let (now, all) = with_account(call, |a, _, now, _| {
        // A deleted group is removed, so every listed one is live.
        let all: Vec<Listed<m::SharedIpGroup>> = a.groups.iter().map(|g| Listed { changed: g.updated, gone: false, item: group_model(a, g) }).collect();
        (now, all)
    });
    let groups = match select(call, since, now, all)? {
        Selected::Page(p) => p,
        Selected::NotModified(r) => return Ok(r),
    };
    if detail {
        reply(call, &m::SharedIpGroupsDetail::new(groups))
    } else {
        reply(call, &m::SharedIpGroups::new(groups.into_iter().map(|g| m::SharedIpGroupSummary::new(g.id, g.name)).collect::<Vec<_>>()))
    }
}

fn find_group(call: &Call<'_>, a: &Account, id: i64) -> Result<usize, Fault> {
    a.groups.iter().position(|g| g.id == id).ok_or_else(|| call.fault(404, format!("shared IP group {id} does not exist")))
}

fn group(call: &Call<'_>) -> Answer {
    let id = id_param(call, "group_id", "shared IP group")?;
    let out = with_account(call, |a, _, _, _| find_group(call, a, id).map(|i| group_model(a, &a.groups[i])))?;
    reply(call, &out)
}

fn create_group(call: &Call<'_>) -> Answer {
    let req: m::CreateSharedIpGroupRequest = call.read()?;
    v1_0::limits::validate_shared_ip_groups_create(&req, &account_limits(call)).map_err(|v| call.fault(v.status, v.message))?;
    let out = with_account(call, |a, serial, now, _| {
        let count = i64::try_from(a.groups.len()).unwrap_or(i64::MAX);
        crate::limits::within(call, &v1_0::limits::ABSOLUTE_MAX_IP_GROUPS, &account_limits(call), count.saturating_add(1), "the account's shared IP groups")?;
        let member = match req.server {
            Some(sid) => {
                let Some(i) = a.servers.iter().position(|s| s.id == sid && !is_gone(&SERVER_STATUS, &s.life.state)) else {
                    return Err(call.fault(400, format!("server {sid} does not exist")));
                };
                if let Some(g) = a.servers[i].group {
                    return Err(call.fault(400, format!("server {sid} is already in shared IP group {g}")));
                }
                crate::limits::within(call, &v1_0::limits::ABSOLUTE_MAX_IP_GROUP_MEMBERS, &account_limits(call), 1, "the group's servers")?;
                Some(i)
            }
            None => None,
        };
        let id = next_id(serial, 0);
        if let Some(i) = member {
            a.servers[i].group = Some(id);
            a.servers[i].updated = now;
        }
        let g = GroupRec { id, name: req.name.clone(), updated: now };
        let out = group_model(a, &g);
        a.groups.push(g);
        Ok(out)
    })?;
    reply(call, &out)
}

fn delete_group(call: &Call<'_>) -> Answer {
    let id = id_param(call, "group_id", "shared IP group")?;
    with_account(call, |a, _, now, _| {
        let i = find_group(call, a, id)?;
        // The documents: it succeeds only when none of its servers shares an address.
        if let Some(s) = a.members(id).find(|s| !s.shared.is_empty()) {
            return Err(call.fault(400, format!("server {} of shared IP group {id} is sharing addresses", s.id)));
        }
        a.groups.remove(i);
        for s in a.servers.iter_mut().filter(|s| s.group == Some(id)) {
            s.group = None;
            s.updated = now;
        }
        done(call)
    })
}

// ---------------------------------------------------------------------------------------
// Backup schedules.

fn set_backup(call: &Call<'_>) -> Answer {
    let req: m::BackupSchedule = call.read()?;
    with_server(call, move |call, a, i, _, _| {
        let s = &mut a.servers[i];
        refuse_busy(call, s)?;
        // A disabled schedule has no days or hours, as the documents show it.
        s.backup = if req.enabled { req } else { m::BackupSchedule::new(false) };
        done(call)
    })
}

fn backup_off(call: &Call<'_>) -> Answer {
    with_server(call, |call, a, i, _, _| {
        let s = &mut a.servers[i];
        refuse_busy(call, s)?;
        s.backup = m::BackupSchedule::new(false);
        done(call)
    })
}

/// A server the service is working on takes no new schedule or image (409).
fn refuse_busy(call: &Call<'_>, s: &ServerRec) -> Result<(), Fault> {
    if is_busy(&SERVER_STATUS, &s.life.state) {
        return Err(call.fault(409, format!("server {} is {}", s.id, s.life.state)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Flavors and images.

fn flavors(call: &Call<'_>, detail: bool) -> Answer {
    let docs = documented(call)?;
    let since = changes_since(call)?;
    // The documents' flavors carry no time and never change here: they count as
    // unchanged since the epoch, so any later changes-since finds nothing new.
    let all = docs.flavors.iter().map(|f| Listed { changed: Timestamp::UNIX_EPOCH, gone: false, item: f.clone() }).collect();
    let flavors = match select(call, since, call.app.clock.now(), all)? {
        Selected::Page(p) => p,
        Selected::NotModified(r) => return Ok(r),
    };
    if detail {
        reply(call, &m::FlavorsDetail::new(flavors))
    } else {
        reply(call, &m::Flavors::new(flavors.into_iter().map(|f| m::FlavorSummary::new(f.id, f.name)).collect::<Vec<_>>()))
    }
}

fn flavor(call: &Call<'_>) -> Answer {
    let id = id_param(call, "flavor_id", "flavor")?;
    let f = documented(call)?.flavors.iter().find(|f| f.id == id).ok_or_else(|| call.fault(404, format!("flavor {id} does not exist")))?;
    reply(call, f)
}

fn image_model(i: &ImageRec, now: Timestamp) -> m::Image {
    let status = m::ImageStatus::from(i.life.state.as_str());
    m::Image::new(i.id, i.name.clone(), i.created, status).server_id(i.server_id).updated(i.updated).progress(i.life.progress(now))
}

/// The documented images, then the account's own.
fn all_images(call: &Call<'_>, docs: &Documented) -> Vec<m::Image> {
    let own = with_account(call, |a, _, now, _| a.images.iter().map(|i| image_model(i, now)).collect::<Vec<_>>());
    docs.images.iter().cloned().chain(own).collect()
}

fn images(call: &Call<'_>, detail: bool) -> Answer {
    let docs = documented(call)?;
    let since = changes_since(call)?;
    // A documented image changed when the documents say it was updated (else created);
    // one whose time does not read counts as unchanged since the epoch.
    let stamp = |t: &runtime::Timestamp| t.parse().unwrap_or(Timestamp::UNIX_EPOCH);
    let documents = docs.images.iter().map(|i| Listed { changed: stamp(i.updated.as_ref().unwrap_or(&i.created)), gone: false, item: i.clone() });
    let (now, own) = with_account(call, |a, _, now, _| {
        let own: Vec<Listed<m::Image>> =
            a.images.iter().map(|i| Listed { changed: i.updated, gone: is_gone(&IMAGE_STATUS, &i.life.state), item: image_model(i, now) }).collect();
        (now, own)
    });
    let images = match select(call, since, now, documents.chain(own).collect())? {
        Selected::Page(p) => p,
        Selected::NotModified(r) => return Ok(r),
    };
    if detail {
        reply(call, &m::ImagesDetail::new(images))
    } else {
        reply(call, &m::Images::new(images.into_iter().map(|i| m::ImageSummary::new(i.id, i.name)).collect::<Vec<_>>()))
    }
}

fn image(call: &Call<'_>) -> Answer {
    let id = id_param(call, "image_id", "image")?;
    let all = all_images(call, documented(call)?);
    let i = all.into_iter().find(|i| i.id == id).ok_or_else(|| call.fault(404, format!("image {id} does not exist")))?;
    reply(call, &i)
}

fn create_image(call: &Call<'_>) -> Answer {
    let req: m::CreateImageRequest = call.read()?;
    let docs = documented(call)?;
    let floor = docs.images.iter().map(|i| i.id).max().unwrap_or(0);
    with_account(call, |a, serial, now, outcome| {
        let i = locate(call, a, req.server_id)?;
        refuse_busy(call, &a.servers[i])?;
        if let Some(busy) = a.images.iter().find(|x| x.server_id == req.server_id && is_busy(&IMAGE_STATUS, &x.life.state)) {
            let info = &v1_0::faults::BACKUP_OR_RESIZE_IN_PROGRESS;
            return Err(fault_of(call, info, 409, format!("image {} of server {} is {}", busy.id, req.server_id, busy.life.state)));
        }
        let life = Lifecycle::create(call.walk(&IMAGE_STATUS, now, outcome)).map_err(|e| call.fault(409, e.to_string()))?;
        // The documents: a name equal to an existing custom image's replaces that image.
        a.images.retain(|x| x.name != req.name);
        let rec = ImageRec { id: next_id(serial, floor), name: req.name.clone(), server_id: req.server_id, created: now, life, updated: now };
        let out = image_model(&rec, now);
        a.images.push(rec);
        reply(call, &out)
    })
}
