//! Cloud Servers v2: servers and their actions (walked through the generated server
//! machine), flavors and images from the seed, written with the generated models.

use crate::http::{Answer, Call};
use crate::lifecycle::{Lifecycle, Outcome};
use crate::state::{ServerRec, Shown, ShownAs, Store};
use crate::wire::{self, Fault, Typed};
use cloudservers::{v1_0, v2};
use jiff::Timestamp;
use runtime::machines::{StateKind, StateMachine};
use runtime::Secret;
use v2::machines::{EXTENDED_STATUS, IMAGE_STATUS, SERVER_STATUS};
use v2::models as m;

/// The v2 fault bodies.
pub static V2_FAULTS: Typed<m::Fault> = Typed::new(v2::faults::FAULTS, cloudservers::ns::PREFIXES, |f| {
    let mut doc = m::Fault::new(f.status, f.message.clone());
    if let Some(at) = f.retry_at {
        doc = doc.retry_at(at);
    }
    if let Some(d) = &f.details {
        doc = doc.details(d.clone());
    }
    doc
});

/// The v1.0 fault bodies.
pub static V1_0_FAULTS: Typed<v1_0::models::Fault> = Typed::new(v1_0::faults::FAULTS, cloudservers::ns::PREFIXES, |f| {
    let mut doc = v1_0::models::Fault::new(f.status, f.message.clone());
    if let Some(at) = f.retry_at {
        doc = doc.retry_after(at);
    }
    if let Some(d) = &f.details {
        doc = doc.details(d.clone());
    }
    doc
});

/// Answers a compute operation.
pub fn handle(call: &Call<'_>) -> Answer {
    if call.mount.key != v2::client::API.api {
        return Err(crate::http::unserved(call));
    }
    let id = call.op.id.as_ref();
    let rest = id.strip_prefix("v2.").unwrap_or(id);
    match rest {
        "servers.create" => create(call),
        "servers.list" => list(call, false),
        "servers.list-detail" => list(call, true),
        "limits.get" => limits(call),
        "servers.get" => with_server(call, |call, s, now, _| {
            // The most frequent call: the answer is written again only when the server has
            // changed (never while a walk is under way, as its progress changes with time).
            if !s.life.is_settled() {
                return Ok(reply_server(call, s, now));
            }
            let how = ShownAs { operation: std::ptr::from_ref(call.op) as usize, format: call.format, switches: call.app.switches.bits() };
            let body = Shown::get_or_write(s, how, |s| wire::encode(call.op, call.success(), &server_model(call, s, now), call.format, prefixes()));
            Ok(wire::replay(call.success(), call.format, body))
        }),
        "servers.update" => update(call),
        "servers.delete" => delete(call),
        "flavors.list" | "flavors.list-detail" => flavors(call, rest.ends_with("detail")),
        "flavors.get" => flavor(call),
        "images.list" | "images.list-detail" => images(call, rest.ends_with("detail")),
        "images.get" => with_image(call, |call, i, _| Ok(wire::reply(call.op, call.success(), &image_model(call, i), call.format, prefixes()))),
        "images.delete" => image_delete(call),
        "servers.create-image" => create_image(call),
        "versions.list" => versions(call),
        "versions.get" => version(call),
        "extensions.list" => extensions(call),
        "extensions.get" => extension(call),
        "used-limits.get" => limits(call),
        "addresses.list" => with_server(call, |call, s, _, _| Ok(wire::reply(call.op, call.success(), &addresses(s), call.format, prefixes()))),
        "addresses.list-by-network" => with_server(call, |call, s, _, _| {
            let network = call.param("network_id").to_string();
            let ip = addresses(s).0.remove(&network).ok_or_else(|| call.fault(404, format!("the server has no network {network}")))?;
            let mut n = m::Network::default();
            n.id = network;
            n.ip = ip;
            // The answer is the union's network shape: in JSON wrapped by its key, in XML
            // the network element itself (the union has no element of its own).
            Ok(match call.format {
                runtime::shapes::Format::Xml => wire::reply(call.op, call.success(), &n, call.format, prefixes()),
                _ => wire::reply(call.op, call.success(), &m::NetworkAddresses::Network(n), call.format, prefixes()),
            })
        }),
        "server-metadata.list" => with_server(call, |call, s, _, _| Ok(wire::reply(call.op, call.success(), &m::Metadata(shown_metadata(s)), call.format, prefixes()))),
        "server-metadata.set" | "server-metadata.update" => {
            let req: m::Metadata = call.read()?;
            let check = if rest.ends_with("set") { v2::limits::validate_server_metadata_set } else { v2::limits::validate_server_metadata_update };
            check(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
            let replace = rest.ends_with("set");
            with_server(call, move |call, s, now, _| {
                let mut merged = if replace { Default::default() } else { s.metadata.clone() };
                merged.extend(req.0);
                check(&m::Metadata(merged.clone()), &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
                s.metadata = merged;
                s.updated = now;
                Ok(wire::reply(call.op, call.success(), &m::Metadata(s.metadata.clone()), call.format, prefixes()))
            })
        }
        "server-metadata.get-item" => with_server(call, |call, s, _, _| {
            let key = call.param("key");
            let value = s.metadata.get(key).ok_or_else(|| call.fault(404, format!("the server has no metadata item {key}")))?;
            Ok(wire::reply(call.op, call.success(), &m::MetaItem([(key.to_string(), value.clone())].into_iter().collect()), call.format, prefixes()))
        }),
        "server-metadata.set-item" => {
            let req: m::MetaItem = call.read()?;
            v2::limits::validate_server_metadata_set_item(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
            with_server(call, move |call, s, now, _| {
                let key = call.param("key").to_string();
                let value = match req.0.len() {
                    1 => req.0.get(&key).cloned().ok_or_else(|| call.fault(400, format!("the body's key is not the path's key {key}")))?,
                    n => return Err(call.fault(400, format!("a metadata item holds one key, not {n}"))),
                };
                let mut merged = s.metadata.clone();
                merged.insert(key.clone(), value.clone());
                v2::limits::validate_server_metadata_set(&m::Metadata(merged.clone()), &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
                s.metadata = merged;
                s.updated = now;
                Ok(wire::reply(call.op, call.success(), &m::MetaItem([(key, value)].into_iter().collect()), call.format, prefixes()))
            })
        }
        "server-metadata.delete-item" => with_server(call, |call, s, now, _| {
            let key = call.param("key");
            s.metadata.remove(key).ok_or_else(|| call.fault(404, format!("the server has no metadata item {key}")))?;
            s.updated = now;
            Ok(wire::empty(call.success()))
        }),
        "image-metadata.list" => with_image(call, |call, i, _| Ok(wire::reply(call.op, call.success(), &image_metadata(i), call.format, prefixes()))),
        "image-metadata.set" | "image-metadata.update" => {
            let req: m::Metadata = call.read()?;
            let check = if rest.ends_with("set") { v2::limits::validate_image_metadata_set } else { v2::limits::validate_image_metadata_update };
            check(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
            let replace = rest.ends_with("set");
            with_image(call, move |call, i, now| {
                let mut merged = if replace { Default::default() } else { i.image.metadata.clone().unwrap_or_default().0 };
                merged.extend(req.0.into_iter().map(|(k, v)| (k, Some(v))));
                let plain: std::collections::BTreeMap<String, String> = merged.iter().map(|(k, v)| (k.clone(), v.clone().unwrap_or_default())).collect();
                check(&m::Metadata(plain), &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
                i.image.metadata = Some(m::ImageMetadata(merged));
                i.updated = now;
                Ok(wire::reply(call.op, call.success(), &image_metadata(i), call.format, prefixes()))
            })
        }
        "image-metadata.get-item" => with_image(call, |call, i, _| {
            let key = call.param("key");
            let value = image_metadata(i).0.get(key).cloned().ok_or_else(|| call.fault(404, format!("the image has no metadata item {key}")))?;
            Ok(wire::reply(call.op, call.success(), &m::MetaItem([(key.to_string(), value.unwrap_or_default())].into_iter().collect()), call.format, prefixes()))
        }),
        "image-metadata.set-item" => {
            let req: m::MetaItem = call.read()?;
            v2::limits::validate_image_metadata_set_item(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
            with_image(call, move |call, i, now| {
                let key = call.param("key").to_string();
                let value = match req.0.len() {
                    1 => req.0.get(&key).cloned().ok_or_else(|| call.fault(400, format!("the body's key is not the path's key {key}")))?,
                    n => return Err(call.fault(400, format!("a metadata item holds one key, not {n}"))),
                };
                let mut md = image_metadata(i).0;
                md.insert(key.clone(), Some(value.clone()));
                let plain: std::collections::BTreeMap<String, String> = md.iter().map(|(k, v)| (k.clone(), v.clone().unwrap_or_default())).collect();
                v2::limits::validate_image_metadata_set(&m::Metadata(plain), &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
                i.image.metadata = Some(m::ImageMetadata(md));
                i.updated = now;
                Ok(wire::reply(call.op, call.success(), &m::MetaItem([(key, value)].into_iter().collect()), call.format, prefixes()))
            })
        }
        "image-metadata.delete-item" => with_image(call, |call, i, now| {
            let key = call.param("key").to_string();
            let mut md = image_metadata(i).0;
            md.remove(&key).ok_or_else(|| call.fault(404, format!("the image has no metadata item {key}")))?;
            i.image.metadata = Some(m::ImageMetadata(md));
            i.updated = now;
            Ok(wire::empty(call.success()))
        }),
        "volume-attachments.create" => {
            let req: m::AttachVolumeRequest = call.read()?;
            with_server(call, move |call, s, _, _| {
                let mut a = m::VolumeAttachment::default();
                a.id = uuid::Uuid::new_v4().to_string();
                a.volume_id = req.volume_id.clone();
                a.server_id = s.id.clone();
                // The device asked for; none (JSON null) or `auto` is the service's choice.
                a.device = match req.device.as_deref() {
                    None | Some("auto") => free_device(s),
                    Some(d) => d.to_string(),
                };
                s.attachments.push(a.clone());
                Ok(wire::reply(call.op, call.success(), &a, call.format, prefixes()))
            })
        }
        "volume-attachments.list" => with_server(call, |call, s, _, _| {
            let mut out = m::VolumeAttachments::default();
            out.volume_attachments = s.attachments.clone();
            Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
        }),
        "volume-attachments.get" => with_server(call, |call, s, _, _| {
            let id = call.param("attachment_id");
            let a = s.attachments.iter().find(|a| a.id == id).ok_or_else(|| call.fault(404, format!("the server has no attachment {id}")))?;
            Ok(wire::reply(call.op, call.success(), a, call.format, prefixes()))
        }),
        "volume-attachments.delete" => with_server(call, |call, s, _, _| {
            let id = call.param("attachment_id").to_string();
            let before = s.attachments.len();
            s.attachments.retain(|a| a.id != id);
            if s.attachments.len() == before {
                return Err(call.fault(404, format!("the server has no attachment {id}")));
            }
            Ok(wire::empty(call.success()))
        }),
        // The extension illustration's action: the volume of that URL is attached and shown
        // among the server's RS-CBS volumes (not an os-volume_attachments attachment, whose
        // volume is a UUID).
        "servers.cbs-attach-volume" => {
            let req: m::CbsAttachVolumeAction = call.read()?;
            with_server(call, move |call, s, now, _| {
                if !s.cbs_volumes.iter().any(|v| v.href == req.href) {
                    let mut v = m::VolumeRef::default();
                    v.name = last_segment(&req.href).to_string();
                    v.href = req.href.clone();
                    s.cbs_volumes.push(v);
                    s.updated = now;
                }
                Ok(wire::empty(call.success()))
            })
        }
        _ if call.op.action.is_some() && Lifecycle::moves(&SERVER_STATUS, id) => action(call),
        _ => Err(crate::http::unserved(call)),
    }
}

/// The first device name no attachment of the server uses (`/dev/xvdb` for the first).
fn free_device(s: &ServerRec) -> String {
    (b'b'..=b'z').map(|c| format!("/dev/xvd{}", char::from(c))).find(|d| !s.attachments.iter().any(|a| a.device == *d)).unwrap_or_else(|| "/dev/xvdz".to_string())
}

fn prefixes() -> &'static [(&'static str, &'static str)] {
    cloudservers::ns::PREFIXES
}

fn links(call: &Call<'_>, collection: &str, id: &str) -> Vec<m::Link> {
    let (endpoint, bookmark) = call.endpoint();
    vec![m::Link::new("self", href(endpoint, collection, id)), m::Link::new("bookmark", href(bookmark, collection, id))]
}

/// `{base}/{collection}/{id}`, written without the formatting machinery (a detailed list
/// writes hundreds of them).
fn href(base: &str, collection: &str, id: &str) -> String {
    let mut out = String::with_capacity(base.len() + collection.len() + id.len() + 2);
    for part in [base, "/", collection, "/", id] {
        out.push_str(part);
    }
    out
}

fn create(call: &Call<'_>) -> Answer {
    let req: m::CreateServerRequest = call.read()?;
    v2::limits::validate_servers_create(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
    if !call.app.seed.flavors.iter().any(|f| f.id == last_segment(&req.flavor_ref)) {
        return Err(call.fault(400, format!("flavor {} does not exist", req.flavor_ref)));
    }
    let now = call.app.clock.now();
    let mut store = call.app.store();
    let servers = store.tenants.get(&call.tenant).map(|t| t.servers.as_slice()).unwrap_or_default();
    within_absolute(call, || in_use(call, servers, None).plus(flavor_use(call, last_segment(&req.flavor_ref))))?;
    // The disk configuration asked for, else the image's, else AUTO (a create without one
    // answers AUTO, Examples 1.10 and 2.6).
    let image_disk = tenant_images(call, &mut store, now).iter().find(|i| i.image.id == last_segment(&req.image_ref)).and_then(|i| i.image.os_dcf_disk_config.clone());
    let disk_config = req.os_dcf_disk_config.clone().or(image_disk).unwrap_or(m::DiskConfig::Auto);
    let outcome = store.outcome_for(&call.op.id, &req.name, &req.metadata.as_ref().map(|md| md.0.clone()).unwrap_or_default());
    let life = Lifecycle::create(call.walk(&SERVER_STATUS, now, outcome))
        .map_err(|e| call.fault(409, e.to_string()))?;
    store.serial += 1;
    let n = store.serial;
    let id = uuid::Uuid::new_v4().to_string();
    let pass = req.admin_pass.as_ref().map(|p| p.expose().to_string()).unwrap_or_else(new_password);
    let rec = ServerRec {
        id: id.clone(),
        name: req.name.clone(),
        life,
        created: now,
        updated: now,
        flavor: last_segment(&req.flavor_ref).to_string(),
        image: last_segment(&req.image_ref).to_string(),
        metadata: req.metadata.as_ref().map(|md| md.0.clone()).unwrap_or_default(),
        access_ipv4: req.access_ipv4.clone().unwrap_or_else(|| format!("198.51.100.{}", n % 250 + 1)),
        access_ipv6: req.access_ipv6.clone().unwrap_or_else(|| format!("2001:db8::{n:x}")),
        host_id: format!("{:x}", n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        disk_config: Some(disk_config.as_str().to_string()),
        resized_from: None,
        fault: None,
        serial: n,
        attachments: Vec::new(),
        cbs_volumes: Vec::new(),
        shown: Shown::default(),
        automation: automation_machines()
            .iter()
            .filter(|_| call.app.seed.accounts.iter().any(|a| a.tenant == call.tenant && a.automation))
            .map(|machine| {
                let outcome = store.next_outcome(&machine.id);
                (machine.id.to_string(), Lifecycle::automatic(machine, now, call.app.config.step, outcome))
            })
            .collect(),
    };
    let mut out = m::CreateServerResponse::default();
    out.id = id.clone();
    out.admin_pass = Secret::new(pass);
    out.links = Some(links(call, "servers", &id));
    out.os_dcf_disk_config = Some(disk_config);
    out.metadata = req.metadata.clone();
    store.tenants.entry(call.tenant.clone()).or_default().add_server(rec);
    drop(store);
    Ok(located(call, wire::reply(call.op, call.success(), &out, call.format, prefixes()), "servers", &id))
}

/// The answer with the `Location` of the item of `collection` it is about, when the
/// operation's answer documents that header.
fn located(call: &Call<'_>, mut resp: axum::response::Response, collection: &str, id: &str) -> axum::response::Response {
    let documented = call.op.response(resp.status().as_u16()).is_some_and(|r| r.headers.iter().any(|h| h.eq_ignore_ascii_case(axum::http::header::LOCATION.as_str())));
    if let (true, Ok(v)) = (documented, axum::http::HeaderValue::from_str(&href(call.endpoint().0, collection, id))) {
        resp.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    resp
}

fn last_segment(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

fn is_gone(machine: &StateMachine, state: &str) -> bool {
    machine.kind_of(state) == Some(StateKind::Terminal)
}

/// The items of a list call (full models, of the resource its filters read): kept by the
/// documented filter parameters given, then paged.
fn listing<T: serde::Serialize>(call: &Call<'_>, items: Vec<T>, id_of: impl Fn(&T) -> &str, collection: &str) -> Result<(Vec<T>, Option<Vec<m::Link>>), Fault> {
    let filters: Vec<(&runtime::shapes::operations::Filter<'_>, &str)> = call
        .op
        .query
        .iter()
        .filter_map(|q| Some((q.filter.as_ref()?, call.query.iter().find(|(k, _)| *k == q.name)?.1.as_str())))
        .collect();
    // Most lists have no filter: no item is written out to be compared then.
    let items: Vec<T> = if filters.is_empty() {
        items
    } else {
        items
            .into_iter()
            .filter(|item| {
                let v = serde_json::to_value(item).unwrap_or_default();
                filters.iter().all(|(f, wanted)| f.keeps(&v, wanted))
            })
            .collect()
    };
    let (page, last) = crate::limits::page(call, items, id_of)?;
    let list_url = format!("{}/{collection}", call.endpoint().0);
    let links = last.and_then(|l| crate::limits::next_link(call, &list_url, &l)).map(|(rel, href)| vec![m::Link::new(rel, href)]);
    Ok((page, links))
}

fn list(call: &Call<'_>, detail: bool) -> Answer {
    let now = call.app.clock.now();
    let since = crate::limits::changes_since(call)?;
    let mut store = call.app.store();
    let servers: Vec<ServerRec> = tenant_servers(&mut store, &call.tenant, now)
        .into_iter()
        .filter(|s| match since {
            // Deleted servers are listed among the changes for the documented time.
            Some((t, c)) => {
                s.updated >= t
                    && (!is_gone(&SERVER_STATUS, &s.life.state)
                        || c.retention_days.is_none_or(|d| now.duration_since(s.updated).as_secs() < i64::try_from(d).unwrap_or(i64::MAX / 86_400) * 86_400))
            }
            None => !is_gone(&SERVER_STATUS, &s.life.state),
        })
        .collect();
    drop(store);
    let all: Vec<m::Server> = servers.iter().map(|s| server_model(call, s, now)).collect();
    let (page, links) = listing(call, all, |s| s.id.as_str(), "servers")?;
    if detail {
        let mut out = m::ServersDetail::default();
        out.servers = page;
        out.servers_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    } else {
        let mut out = m::Servers::default();
        out.servers = page
            .into_iter()
            .map(|s| {
                let mut r = m::ServerSummary::default();
                r.name = s.name.unwrap_or_default();
                r.links = s.links;
                r.id = s.id;
                r
            })
            .collect();
        out.servers_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    }
}

fn tenant_servers(store: &mut Store, tenant: &str, now: Timestamp) -> Vec<ServerRec> {
    let t = store.tenants.entry(tenant.to_string()).or_default();
    for s in &mut t.servers {
        settle(s, now);
    }
    t.servers.clone()
}

/// Moves a server and its automation to every state whose time has come.
pub fn settle(s: &mut ServerRec, now: Timestamp) {
    s.life.settle(now);
    for (_, l) in &mut s.automation {
        l.settle(now);
    }
}

/// Every machine whose state the service writes into a v2 server's metadata.
pub fn automation_machines() -> &'static [&'static StateMachine] {
    use runtime::strict::Shaped;
    // Read on every answer that shows a server's metadata: gathered once.
    static MACHINES: std::sync::OnceLock<Vec<&'static StateMachine>> = std::sync::OnceLock::new();
    MACHINES.get_or_init(|| {
        [v2::machines::MACHINES, cloudservers::rackconnect::machines::MACHINES]
            .into_iter()
            .flatten()
            .copied()
            .filter(|m| m.metadata.as_ref().is_some_and(|slot| slot.model == <m::Server as Shaped>::MODEL_ID))
            .collect()
    })
}

/// The server's metadata as the API shows it: the user's items and the automation states.
fn shown_metadata(s: &ServerRec) -> std::collections::BTreeMap<String, String> {
    let mut md = s.metadata.clone();
    for (id, l) in &s.automation {
        if let Some(slot) = automation_machines().iter().find(|m| m.id == *id).and_then(|m| m.metadata.as_ref()) {
            md.insert(slot.key.to_string(), l.state.clone());
        }
    }
    md
}

/// Runs `f` on the addressed server (settled to now), or answers 404.
fn with_server<T>(call: &Call<'_>, f: impl FnOnce(&Call<'_>, &mut ServerRec, Timestamp, Outcome) -> Result<T, Fault>) -> Result<T, Fault> {
    let now = call.app.clock.now();
    let id = call.param("server_id").to_string();
    let mut store = call.app.store();
    // Behaviours match on the server's name and metadata: copied only when there are some.
    let outcome = if store.behaviours.is_empty() {
        Outcome::default()
    } else {
        let who = store
            .tenants
            .get(&call.tenant)
            .and_then(|t| t.server(&id))
            .map(|s| (s.name.clone(), s.metadata.clone()))
            .unwrap_or_default();
        store.outcome_for(&call.op.id, &who.0, &who.1)
    };
    let t = store.tenants.entry(call.tenant.clone()).or_default();
    let s = t
        .server_mut(&id)
        .filter(|s| !is_gone(&SERVER_STATUS, &s.life.state))
        .ok_or_else(|| call.fault(404, format!("server {id} does not exist")))?;
    settle(s, now);
    f(call, s, now, outcome)
}

fn reply_server(call: &Call<'_>, s: &ServerRec, now: Timestamp) -> axum::response::Response {
    wire::reply(call.op, call.success(), &server_model(call, s, now), call.format, prefixes())
}

/// The extended status columns of the state's first row in the mapping table: the
/// column of the extended machine's own states, and the other column that is not the
/// server status.
/// The extended machine's state and the task state shown for a server status.
type Extended = (Option<&'static str>, Option<&'static str>);

fn extended(status: &str) -> Extended {
    // Worked out once per server state: every answer that shows a server shows them.
    static BY_STATE: std::sync::OnceLock<Vec<(&'static str, Extended)>> = std::sync::OnceLock::new();
    let table = BY_STATE.get_or_init(|| SERVER_STATUS.states.iter().map(|st| (st.name.as_ref(), extended_of(&st.name))).collect());
    table.iter().find(|(s, _)| *s == status).map(|(_, cols)| *cols).unwrap_or_else(|| extended_of(status))
}

fn extended_of(status: &str) -> Extended {
    let rows: &'static [runtime::machines::MappingRow] = &EXTENDED_STATUS.mapping;
    let vm_col = EXTENDED_STATUS.state_column().unwrap_or_default();
    let Some(row) = rows.iter().find(|r| r.cells.iter().any(|(c, v)| *c != vm_col && v.as_deref() == Some(status) && SERVER_STATUS.state(status).is_some())) else {
        return (None, None);
    };
    let status_col = row.cells.iter().find(|(_, v)| v.as_deref() == Some(status)).map(|(c, _)| c.as_ref()).unwrap_or_default();
    let vm = row.get(vm_col);
    let task = row.cells.iter().find(|(c, _)| *c != vm_col && *c != status_col).and_then(|(_, v)| v.as_deref());
    (vm, task)
}

/// The power state shown beside an extended (VM) state. Table 3.1 gives the values (0
/// powered down, 1 powered up, 4 shut off) and Table 3.2 maps none to a state, so: a VM at
/// rest is up, but a stopped or suspended one, which is shut off; one being built, in
/// error or deleted has no power state yet or any more (0, as Example 2.15 shows building).
fn power_state(vm: Option<&str>) -> i64 {
    match vm.map(|v| (v, EXTENDED_STATUS.kind_of(v))) {
        Some(("stopped" | "suspended", _)) => 4,
        Some((_, Some(StateKind::Stable))) => 1,
        _ => 0,
    }
}

fn server_model(call: &Call<'_>, s: &ServerRec, now: Timestamp) -> m::Server {
    let mut out = m::Server::default();
    out.id = s.id.clone();
    out.name = Some(s.name.clone());
    out.tenant_id = Some(call.tenant.clone());
    out.user_id = Some(call.tenant.clone());
    out.status = Some(m::ServerStatus::from(s.life.state.as_str()));
    out.progress = Some(s.life.progress(now));
    out.host_id = Some(s.host_id.clone());
    out.created = Some(s.created.into());
    out.updated = Some(s.updated.into());
    out.access_ipv4 = Some(s.access_ipv4.clone());
    out.access_ipv6 = Some(s.access_ipv6.clone());
    let mut image = m::ImageRef::default();
    image.id = s.image.clone();
    // A reference to another collection's item carries its self and bookmark links, as
    // Examples 1.44 and 2.21 show them (others show the bookmark alone).
    image.links = Some(links(call, "images", &s.image));
    out.image = Some(image);
    let mut flavor = m::FlavorRef::default();
    flavor.id = s.flavor.clone();
    flavor.links = Some(links(call, "flavors", &s.flavor));
    out.flavor = Some(flavor);
    out.metadata = Some(m::Metadata(shown_metadata(s)));
    let addresses = addresses(s);
    // The bandwidth statistics (rax-bandwidth), under both keys the documents show them.
    let bandwidth = bandwidth(&addresses, now);
    out.rax_bandwidth_bandwidth = Some(bandwidth.clone());
    out.rax_server_bandwidth = Some(bandwidth);
    out.addresses = Some(addresses);
    out.links = Some(links(call, "servers", &s.id));
    // No config drive and no key pair (no request sets one): empty, as Example 2.33 and
    // the sample code show them.
    out.config_drive = Some(String::new());
    out.key_name = Some(Some(String::new()));
    out.os_dcf_disk_config = s.disk_config.as_deref().map(m::DiskConfig::from);
    if !s.cbs_volumes.is_empty() {
        out.rs_cbs_volumes = Some(s.cbs_volumes.clone());
    }
    if !call.app.switches.on(crate::deviations::Deviation::NoExtendedStatus) {
        let (vm, task) = extended(&s.life.state);
        out.os_ext_sts_vm_state = vm.map(m::VmState::from);
        // No task is JSON null, and the text None in XML (Example 2.4).
        let idle = (call.format == runtime::shapes::Format::Xml).then_some(m::TaskState::None);
        out.os_ext_sts_task_state = Some(task.map(m::TaskState::from).or(idle));
        out.os_ext_sts_power_state = Some(power_state(vm));
    }
    if SERVER_STATUS.kind_of(&s.life.state) == Some(StateKind::Error) {
        let mut f = m::AsyncFault::default();
        f.code = 500;
        f.message = s.fault.clone().unwrap_or_else(|| "the operation failed".to_string());
        f.created = Some(s.updated.into());
        f.details = Some(walk_details(&SERVER_STATUS, &s.life));
        out.fault = Some(f);
    }
    out
}

/// The details of an asynchronous fault: the error state and what the machine says of it.
fn walk_details(machine: &StateMachine, life: &Lifecycle) -> String {
    match machine.state(&life.state).map(|s| s.doc.as_ref()).filter(|d| !d.is_empty()) {
        Some(doc) => format!("{}: {doc}", life.state),
        None => life.state.clone(),
    }
}

fn update(call: &Call<'_>) -> Answer {
    let req: m::UpdateServerRequest = call.read()?;
    with_server(call, move |call, s, now, outcome| {
        start(call, s, now, outcome, |_| true)?;
        if let Some(n) = &req.name {
            s.name = n.clone();
        }
        if let Some(v4) = &req.access_ipv4 {
            s.access_ipv4 = v4.clone();
        }
        if let Some(v6) = &req.access_ipv6 {
            s.access_ipv6 = v6.clone();
        }
        s.updated = now;
        Ok((server_model(call, s, now), now))
    })
    .map(|(mut out, now)| {
        // The update answer names the server's image and flavor (Examples 2.21, 2.23).
        named_references(call, &mut out, now);
        wire::reply(call.op, call.success(), &out, call.format, prefixes())
    })
}

/// Gives the image and flavor references of a server their names, where the account has
/// that image and the flavor exists.
fn named_references(call: &Call<'_>, out: &mut m::Server, now: Timestamp) {
    if let Some(image) = out.image.as_mut() {
        let mut store = call.app.store();
        image.name = tenant_images(call, &mut store, now).iter().find(|i| i.image.id == image.id && !is_gone(&IMAGE_STATUS, &i.life.state)).map(|i| i.image.name.clone());
    }
    if let Some(flavor) = out.flavor.as_mut() {
        flavor.name = call.app.seed.flavors.iter().find(|f| f.id == flavor.id).map(|f| f.name.clone());
    }
}

fn delete(call: &Call<'_>) -> Answer {
    with_server(call, |call, s, now, outcome| {
        start(call, s, now, outcome, |_| true)?;
        s.updated = now;
        Ok(wire::empty(call.success()))
    })
}

/// Starts the call's operation on the server, or answers the operation's 409 fault.
fn start(call: &Call<'_>, s: &mut ServerRec, now: Timestamp, outcome: Outcome, choose: impl Fn(&runtime::machines::Transition) -> bool) -> Result<(), Fault> {
    if !Lifecycle::moves(&SERVER_STATUS, &call.op.id) {
        return Ok(());
    }
    match s.life.start(call.walk(&SERVER_STATUS, now, outcome), choose) {
        Err(_) if call.app.switches.on(crate::deviations::Deviation::AcceptWrongState) => Ok(()),
        r => r.map_err(|e| call.fault(409, e.to_string())),
    }
}

fn action(call: &Call<'_>) -> Answer {
    let id = call.op.id.to_string();
    // Every action body is read strictly; those that carry data are kept.
    let (mut request, mut resize_to, mut rebuild) = (serde_json::Value::Null, None, None);
    match id.strip_prefix("v2.").unwrap_or_default() {
        "servers.reboot" => request = serde_json::to_value(call.read::<m::RebootAction>()?).unwrap_or_default(),
        "servers.resize" => resize_to = Some(call.read::<m::ResizeAction>()?.flavor_ref),
        "servers.rebuild" => {
            let r: m::RebuildAction = call.read()?;
            v2::limits::validate_servers_rebuild(&r, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
            rebuild = Some(r);
        }
        "servers.change-password" => drop(call.read::<m::ChangePasswordAction>()?),
        "servers.confirm-resize" => drop(call.read::<m::ConfirmResizeAction>()?),
        "servers.revert-resize" => drop(call.read::<m::RevertResizeAction>()?),
        "servers.rescue" => drop(call.read::<m::RescueAction>()?),
        "servers.unrescue" => drop(call.read::<m::UnrescueAction>()?),
        _ => {}
    }
    if let Some(f) = &resize_to {
        // A server that does not exist is that (404), whatever the resize would use.
        let store = call.app.store();
        let servers = store.tenants.get(&call.tenant).map(|t| t.servers.as_slice()).unwrap_or_default();
        let id = call.param("server_id");
        if !servers.iter().any(|s| s.id == id && !is_gone(&SERVER_STATUS, &s.life.state)) {
            return Err(call.fault(404, format!("server {id} does not exist")));
        }
        if !call.app.seed.flavors.iter().any(|x| x.id == last_segment(f)) {
            return Err(call.fault(400, format!("flavor {f} does not exist")));
        }
        // The account's other servers and this one in its new flavor.
        within_absolute(call, || in_use(call, servers, Some(call.param("server_id"))).plus(flavor_use(call, last_segment(f))))?;
    }
    with_server(call, move |call, s, now, outcome| {
        start(call, s, now, outcome, crate::lifecycle::asked(&request))?;
        // A resize that is to fail leaves the server in the flavor it has.
        if let Some(f) = resize_to.as_ref().filter(|_| outcome != Outcome::Fails) {
            s.resized_from = Some(std::mem::replace(&mut s.flavor, last_segment(f).to_string()));
        }
        if call.op.id.ends_with("revert-resize") {
            if let Some(before) = s.resized_from.take() {
                s.flavor = before;
            }
        } else if call.op.id.ends_with("confirm-resize") {
            s.resized_from = None;
        }
        if let Some(r) = &rebuild {
            s.image = last_segment(&r.image_ref).to_string();
            if let Some(n) = &r.name {
                s.name = n.clone();
            }
            if let Some(md) = &r.metadata {
                s.metadata = md.0.clone();
            }
            if let Some(v4) = &r.access_ipv4 {
                s.access_ipv4 = v4.clone();
            }
            if let Some(v6) = &r.access_ipv6 {
                s.access_ipv6 = v6.clone();
            }
            if let Some(d) = &r.os_dcf_disk_config {
                s.disk_config = Some(d.as_str().to_string());
            }
        }
        s.updated = now;
        // The answer is the body the operation documents, if any.
        match call.op.id.strip_prefix("v2.").unwrap_or_default() {
            "servers.rescue" => {
                let mut out = m::RescueResponse::default();
                out.admin_pass = Secret::new(new_password());
                Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
            }
            "servers.unrescue" => {
                let mut out = m::UnrescueServer::default();
                out.id = i64::try_from(s.serial).unwrap_or(i64::MAX);
                out.name = s.name.clone();
                out.status = m::ServerStatus::from(s.life.state.as_str());
                out.progress = Some(s.life.progress(now));
                out.host_id = Some(s.host_id.clone());
                out.metadata = Some(m::Metadata(shown_metadata(s)));
                // The first-generation style body of Examples 2.47 and 2.49: integer
                // references (a flavor's id is a number; an image is numbered by its
                // place among the documented ones) and plain address lists.
                out.flavor_id = s.flavor.parse().ok();
                out.image_id = call.app.seed.images.iter().position(|i| i.id == s.image).and_then(|i| i64::try_from(i + 1).ok());
                out.region = Some(call.app.config.region.clone());
                let plain = |network: &str| addresses(s).0.get(network).map(|list| m::UnrescueAddressList(list.iter().filter(|a| a.version == 4).map(|a| a.addr.clone()).collect()));
                let mut listed = m::UnrescueAddresses::default();
                listed.public = plain("public");
                listed.private = plain("private");
                out.addresses = Some(listed);
                Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
            }
            "servers.rebuild" => {
                let mut out = server_model(call, s, now);
                // The password asked for (Examples 2.32, 2.33), else a new one.
                let pass = rebuild.as_ref().and_then(|r| r.admin_pass.as_ref()).map(|p| p.expose().to_string()).unwrap_or_else(new_password);
                out.admin_pass = Some(Secret::new(pass));
                Ok(located(call, wire::reply(call.op, call.success(), &out, call.format, prefixes()), "servers", &s.id))
            }
            _ => Ok(wire::empty(call.success())),
        }
    })
}

/// A fresh administrator password.
fn new_password() -> String {
    uuid::Uuid::new_v4().simple().to_string().chars().take(12).collect()
}

fn flavor_model(call: &Call<'_>, f: &m::Flavor) -> m::Flavor {
    let mut f = f.clone();
    f.links = Some(links(call, "flavors", &f.id));
    f
}

fn flavors(call: &Call<'_>, detail: bool) -> Answer {
    let all: Vec<m::Flavor> = call.app.seed.flavors.iter().map(|f| flavor_model(call, f)).collect();
    let (page, links) = listing(call, all, |f| f.id.as_str(), "flavors")?;
    if detail {
        let mut out = m::FlavorsDetail::default();
        out.flavors = page;
        out.flavors_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    } else {
        let mut out = m::Flavors::default();
        out.flavors = page
            .into_iter()
            .map(|f| {
                let mut s = m::FlavorSummary::default();
                s.id = f.id;
                s.name = f.name;
                s.links = f.links;
                s
            })
            .collect();
        out.flavors_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    }
}

fn flavor(call: &Call<'_>) -> Answer {
    let id = call.param("flavor_id");
    let f = call.app.seed.flavors.iter().find(|f| f.id == id).ok_or_else(|| call.fault(404, format!("flavor {id} does not exist")))?;
    Ok(wire::reply(call.op, call.success(), &flavor_model(call, f), call.format, prefixes()))
}

fn image_model(call: &Call<'_>, rec: &crate::state::ImageRec) -> m::Image {
    let now = call.app.clock.now();
    let mut i = rec.image.clone();
    i.links = Some(image_links(call, &i.id));
    if rec.life.state.is_empty() {
        return i;
    }
    i.status = Some(m::ImageStatus::from(rec.life.state.as_str()));
    i.progress = Some(rec.life.progress(now));
    i.updated = Some(rec.updated.into());
    if IMAGE_STATUS.kind_of(&rec.life.state) == Some(StateKind::Error) {
        let mut f = m::AsyncFault::default();
        f.code = 500;
        f.message = "the image could not be saved".to_string();
        f.created = Some(rec.updated.into());
        f.details = Some(walk_details(&IMAGE_STATUS, &rec.life));
        i.fault = Some(f);
    }
    i
}

/// An image's self and bookmark links, and the other representations the documented
/// images link to (their relation and media type), all pointing back here.
fn image_links(call: &Call<'_>, id: &str) -> Vec<m::Link> {
    let mut out = links(call, "images", id);
    let ours: Vec<String> = out.iter().map(|l| l.rel.clone()).collect();
    let mut others: Vec<&m::Link> = call.app.seed.images.iter().flat_map(|i| i.links.iter().flatten()).filter(|l| !ours.contains(&l.rel)).collect();
    others.dedup_by(|a, b| a.rel == b.rel && a.type_ == b.type_);
    let here = href(call.endpoint().1, "images", id);
    for l in others {
        let mut alt = m::Link::new(l.rel.clone(), here.clone());
        alt.type_ = l.type_.clone();
        if !out.iter().any(|o| o.rel == alt.rel && o.type_ == alt.type_) {
            out.push(alt);
        }
    }
    out
}

fn image_metadata(rec: &crate::state::ImageRec) -> m::ImageMetadata {
    rec.image.metadata.clone().unwrap_or_default()
}

/// The account's images (the seed's on first use), settled to `now`.
fn tenant_images<'s>(call: &Call<'_>, store: &'s mut Store, now: Timestamp) -> &'s mut Vec<crate::state::ImageRec> {
    let t = store.tenants.entry(call.tenant.clone()).or_default();
    let images = t.images.get_or_insert_with(|| {
        call.app
            .seed
            .images
            .iter()
            .map(|i| {
                // A seeded image rests in its documented status.
                let state = i.status.as_ref().map(|s| s.as_str().to_string()).unwrap_or_default();
                crate::state::ImageRec { image: i.clone(), life: Lifecycle::at(state), updated: now }
            })
            .collect()
    });
    for i in images.iter_mut() {
        i.life.settle(now);
    }
    images
}

/// Runs `f` on the addressed image, or answers 404.
fn with_image(call: &Call<'_>, f: impl FnOnce(&Call<'_>, &mut crate::state::ImageRec, Timestamp) -> Answer) -> Answer {
    let now = call.app.clock.now();
    let id = call.param("image_id").to_string();
    let mut store = call.app.store();
    let images = tenant_images(call, &mut store, now);
    let i = images
        .iter_mut()
        .find(|i| i.image.id == id)
        .filter(|i| !is_gone(&IMAGE_STATUS, &i.life.state))
        .ok_or_else(|| call.fault(404, format!("image {id} does not exist")))?;
    f(call, i, now)
}

fn images(call: &Call<'_>, detail: bool) -> Answer {
    let now = call.app.clock.now();
    let since = crate::limits::changes_since(call)?;
    let mut store = call.app.store();
    let recs: Vec<crate::state::ImageRec> = tenant_images(call, &mut store, now)
        .iter()
        .filter(|i| match since {
            Some((t, _)) => i.updated >= t,
            None => !is_gone(&IMAGE_STATUS, &i.life.state),
        })
        .cloned()
        .collect();
    drop(store);
    let all: Vec<m::Image> = recs.iter().map(|i| image_model(call, i)).collect();
    let (page, links) = listing(call, all, |i| i.id.as_str(), "images")?;
    if detail {
        let mut out = m::ImagesDetail::default();
        out.images = page;
        out.images_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    } else {
        let mut out = m::Images::default();
        out.images = page
            .into_iter()
            .map(|i| {
                let mut s = m::ImageSummary::default();
                s.id = i.id;
                s.name = i.name;
                s.links = i.links;
                s
            })
            .collect();
        out.images_links = links;
        Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
    }
}

fn image_delete(call: &Call<'_>) -> Answer {
    with_image(call, |call, i, now| {
        let outcome = Outcome::Succeeds;
        i.life.start(call.walk(&IMAGE_STATUS, now, outcome), |_| true).map_err(|e| call.fault(409, e.to_string()))?;
        i.updated = now;
        Ok(wire::empty(call.success()))
    })
}

fn create_image(call: &Call<'_>) -> Answer {
    let req: m::CreateImageAction = call.read()?;
    v2::limits::validate_servers_create_image(&req, &account_limits(call)).map_err(|v| crate::limits::violation(call, &v))?;
    let now = call.app.clock.now();
    let server_id = call.param("server_id").to_string();
    let mut store = call.app.store();
    let outcome = store.next_outcome(&call.op.id);
    let server = store
        .tenants
        .get_mut(&call.tenant)
        .and_then(|t| t.server_mut(&server_id))
        .map(|s| {
            // The server's state as of now, not as of its last reading.
            settle(s, now);
            s.clone()
        })
        .filter(|s| !is_gone(&SERVER_STATUS, &s.life.state))
        .ok_or_else(|| call.fault(404, format!("server {server_id} does not exist")))?;
    if SERVER_STATUS.kind_of(&server.life.state) != Some(StateKind::Stable) {
        return Err(call.fault(409, format!("the server is {}", server.life.state)));
    }
    let life = Lifecycle::create(call.walk(&IMAGE_STATUS, now, outcome)).map_err(|e| call.fault(409, e.to_string()))?;
    let mut image = m::Image::default();
    image.id = uuid::Uuid::new_v4().to_string();
    image.name = req.name.clone();
    image.created = Some(now.into());
    image.metadata = req.metadata.as_ref().map(|md| m::ImageMetadata(md.0.iter().map(|(k, v)| (k.clone(), Some(v.clone()))).collect()));
    let mut sref = m::ServerRef::default();
    sref.id = server.id.clone();
    sref.links = Some(links(call, "servers", &server.id));
    image.server = Some(sref);
    // The image of the server's disk: its disk configuration, at least its flavor's disk
    // and whatever the image it was built from needs.
    let images = tenant_images(call, &mut store, now);
    let base = images.iter().find(|i| i.image.id == server.image).map(|i| &i.image);
    let flavor_disk = call.app.seed.flavors.iter().find(|f| f.id == server.flavor).map(|f| f.disk);
    image.min_disk = Some(flavor_disk.into_iter().chain(base.and_then(|b| b.min_disk)).max().unwrap_or(0));
    image.min_ram = Some(base.and_then(|b| b.min_ram).unwrap_or(0));
    image.os_dcf_disk_config = server.disk_config.as_deref().map(m::DiskConfig::from).or_else(|| base.and_then(|b| b.os_dcf_disk_config.clone()));
    let id = image.id.clone();
    images.push(crate::state::ImageRec { image, life, updated: now });
    drop(store);
    Ok(located(call, wire::empty(call.success()), "images", &id))
}

fn addresses(s: &ServerRec) -> m::Addresses {
    let mut public = m::Address::default();
    public.version = 4;
    public.addr = s.access_ipv4.clone();
    let mut public6 = m::Address::default();
    public6.version = 6;
    public6.addr = s.access_ipv6.clone();
    let mut private = m::Address::default();
    private.version = 4;
    private.addr = format!("10.176.{}.{}", (s.serial / 250) % 250, s.serial % 250 + 1);
    m::Addresses([("public".to_string(), vec![public, public6]), ("private".to_string(), vec![private])].into_iter().collect())
}

/// The bandwidth each network interface of the server used in the audit period: the
/// current day up to `now`. Nothing runs on these servers, so nothing was used. (A get
/// answer kept while the server is unchanged shows the period as of when it was written,
/// as the statistics of a periodic audit would.)
fn bandwidth(addresses: &m::Addresses, now: Timestamp) -> Vec<m::BandwidthInterface> {
    let zone = jiff::tz::TimeZone::UTC;
    let start = now.to_zoned(zone.clone()).start_of_day().map(|d| d.timestamp()).unwrap_or(now);
    addresses.0.keys().map(|network| m::BandwidthInterface::new(network.clone(), 0, 0, start, now)).collect()
}

fn versions(call: &Call<'_>) -> Answer {
    let mut out = m::Versions::default();
    out.versions = call.app.seed.versions.iter().map(|v| version_model(call, v)).collect();
    Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
}

fn version_model(call: &Call<'_>, v: &m::Version) -> m::Version {
    let mut v = v.clone();
    v.links = Some(vec![m::Link::new("self", format!("{}/{}", call.app.host_url(call.mount), v.id))]);
    // The version's media types: none listed, as the XML examples show them (1.29, 1.34).
    v.media_types.get_or_insert_with(Vec::new);
    v
}

fn version(call: &Call<'_>) -> Answer {
    let v = call.app.seed.versions.iter().find(|v| v.id == call.mount.version_segment).ok_or_else(|| call.fault(404, "no such version"))?;
    Ok(wire::reply(call.op, call.success(), &version_model(call, v), call.format, prefixes()))
}

fn extensions(call: &Call<'_>) -> Answer {
    let mut out = m::Extensions::default();
    out.extensions = call.app.seed.extensions.clone();
    Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
}

fn extension(call: &Call<'_>) -> Answer {
    let alias = call.param("alias");
    let e = call.app.seed.extensions.iter().find(|e| e.alias == alias).ok_or_else(|| call.fault(404, format!("no extension {alias}")))?;
    Ok(wire::reply(call.op, call.success(), e, call.format, prefixes()))
}
/// The documented default values of the absolute limits: every account has them.
/// What servers use of the absolute limits on them: how many there are, and their
/// flavors' RAM and cores.
#[derive(Debug, Clone, Copy, Default)]
struct InUse {
    instances: i64,
    ram: i64,
    cores: i64,
}

impl InUse {
    fn plus(self, other: InUse) -> InUse {
        InUse { instances: self.instances.saturating_add(other.instances), ram: self.ram.saturating_add(other.ram), cores: self.cores.saturating_add(other.cores) }
    }

    /// The use of the absolute limit of this id (0 for a limit on something else).
    fn of(&self, limit: &str) -> i64 {
        SERVER_LIMITS.iter().find(|(l, ..)| l.id == limit).map_or(0, |(_, used, _)| used(self))
    }
}

/// An absolute limit on servers, what of the servers' use it bounds, and what that is
/// called in a refusal.
type ServerLimit = (&'static runtime::limits::AbsoluteLimit, fn(&InUse) -> i64, &'static str);

/// The absolute limits on servers.
const SERVER_LIMITS: [ServerLimit; 3] = [
    (&v2::limits::ABSOLUTE_MAX_TOTAL_INSTANCES, |u| u.instances, "the account's servers"),
    (&v2::limits::ABSOLUTE_MAX_TOTAL_RAM_SIZE, |u| u.ram, "the account's RAM"),
    (&v2::limits::ABSOLUTE_MAX_TOTAL_CORES, |u| u.cores, "the account's cores"),
];

/// One server of this flavor.
fn flavor_use(call: &Call<'_>, flavor: &str) -> InUse {
    let f = call.app.seed.flavors.iter().find(|f| f.id == flavor);
    InUse { instances: 1, ram: f.map_or(0, |f| f.ram), cores: f.map_or(0, |f| f.vcpus) }
}

/// What the live servers use, but for the one `except`.
fn in_use(call: &Call<'_>, servers: &[ServerRec], except: Option<&str>) -> InUse {
    servers
        .iter()
        .filter(|s| !is_gone(&SERVER_STATUS, &s.life.state) && Some(s.id.as_str()) != except)
        .fold(InUse::default(), |sum, s| sum.plus(flavor_use(call, &s.flavor)))
}

/// Refuses a call that would take the account beyond an absolute limit on servers
/// (`total`: what the account would use; counted only when a limit applies).
fn within_absolute(call: &Call<'_>, total: impl FnOnce() -> InUse) -> Result<(), Fault> {
    let values = account_limits(call);
    let bounded = SERVER_LIMITS.iter().any(|(l, ..)| l.enforced_by.contains(&call.op.id) && values.get(&l.name).is_some_and(|v| v != -1));
    if !bounded {
        return Ok(());
    }
    let total = total();
    SERVER_LIMITS.iter().try_for_each(|(limit, used, what)| crate::limits::within(call, limit, &values, used(&total), what))
}

fn account_limits(call: &Call<'_>) -> runtime::limits::AccountLimits {
    crate::limits::account(call, v2::limits::ABSOLUTE_LIMITS)
}

/// The account's rate limits with what remains of each window, and the absolute limits.
fn limits(call: &Call<'_>) -> Answer {
    let now = call.app.clock.now();
    let store = call.app.store();
    let mut out = m::Limits::default();
    for limit in v2::limits::RATE_LIMITS {
        let regex = limit.pattern().to_string();
        let (remaining, next) = crate::limits::remaining(&store.windows, call.mount, &call.tenant, limit, now);
        let mut r = m::RateLimit::default();
        r.verb = m::RateLimitVerb::from(limit.verb.as_ref());
        r.value = i64::try_from(limit.value).unwrap_or(i64::MAX);
        r.remaining = i64::try_from(remaining).unwrap_or(i64::MAX);
        r.unit = m::RateLimitUnit::from(limit.unit.as_str());
        r.next_available = next.into();
        match out.rate.iter_mut().find(|g| g.uri == limit.uri && g.regex == regex) {
            Some(group) => group.limit.push(r),
            None => {
                let mut group = m::RateLimits::default();
                group.uri = limit.uri.to_string();
                group.regex = regex;
                group.limit = vec![r];
                out.rate.push(group);
            }
        }
    }
    drop(store);
    let used = {
        let store = call.app.store();
        in_use(call, store.tenants.get(&call.tenant).map(|t| t.servers.as_slice()).unwrap_or_default(), None)
    };
    let values = account_limits(call);
    let documented = v2::limits::ABSOLUTE_LIMITS.iter().filter_map(|l| Some((l.name.to_string(), values.get(&l.name)?)));
    // Each usage counter reports what the account uses of the limit it counts against;
    // of what this provider does not hold (volumes, key pairs...), nothing is used.
    let usage = v2::limits::USAGE_COUNTERS.iter().map(|u| (u.name.to_string(), u.counts.as_deref().map_or(0, |id| used.of(id))));
    out.absolute = m::AbsoluteLimits(documented.chain(usage).collect());
    Ok(wire::reply(call.op, call.success(), &out, call.format, prefixes()))
}
