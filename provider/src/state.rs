//! What a provider holds: its settings, accounts, tokens and every account's resources.

use crate::clock::Clock;
use crate::lifecycle::{Lifecycle, Outcome};
use crate::mounts::{mounts, Mount};
use crate::seed::Seed;
use crate::Config;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A provider: settings, clock, mounted APIs and the store.
pub struct App {
    /// The settings.
    pub config: Config,
    /// The clock.
    pub clock: Clock,
    /// The root URL.
    pub base: String,
    /// The mounted APIs.
    pub mounts: Vec<Mount>,
    /// The starting data.
    pub seed: Seed,
    /// The deliberate departures from the documents that are on.
    pub switches: crate::deviations::Switches,
    store: Mutex<Store>,
    /// The state file, when the state is kept in one (`--state`).
    persister: Option<crate::persist::Persister>,
}

/// A token and whom it is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRec {
    /// The tenant.
    pub tenant: String,
    /// When it stops working.
    pub expires: Timestamp,
}

/// A server of an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRec {
    pub id: String,
    pub name: String,
    pub life: Lifecycle,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub flavor: String,
    pub image: String,
    pub metadata: BTreeMap<String, String>,
    pub access_ipv4: String,
    pub access_ipv6: String,
    pub host_id: String,
    pub disk_config: Option<String>,
    /// The flavor before a resize, until it is confirmed or reverted.
    pub resized_from: Option<String>,
    /// The fault of a walk that ended in an error state.
    pub fault: Option<String>,
    /// The provider-wide number of the server (for models that show an integer id).
    pub serial: u64,
    /// Volume attachments (os-volume_attachments).
    pub attachments: Vec<cloudservers::v2::models::VolumeAttachment>,
    /// The Cloud Block Storage volumes the RS-CBS attach-volume action attached, as the
    /// extended server shows them (absent from older state files: none).
    #[serde(default)]
    pub cbs_volumes: Vec<cloudservers::v2::models::VolumeRef>,
    /// The machines the service runs on the server by itself and writes into its
    /// metadata (RackConnect and Managed Operations automation), by machine id.
    #[serde(default)]
    pub automation: Vec<(String, Lifecycle)>,
    /// The last answer that showed the server, while the record is as it was then.
    #[serde(skip)]
    pub shown: Shown,
}

/// An encoded answer showing a record, kept with a copy of the record it was written from:
/// reused only while the record is equal to that copy, so no change can be missed, however
/// it is made.
#[derive(Default)]
pub struct Shown(Option<Box<(ShownAs, ServerRec, axum::body::Bytes)>>);

/// What besides the record an answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShownAs {
    /// The operation, by its address in the static tables.
    pub operation: usize,
    /// The format.
    pub format: runtime::shapes::Format,
    /// The deviations on when it was written.
    pub switches: u64,
}

impl Shown {
    /// The kept answer for `rec` shown as `how`, or the one `write` makes (then kept).
    pub fn get_or_write(rec: &mut ServerRec, how: ShownAs, write: impl FnOnce(&ServerRec) -> Vec<u8>) -> axum::body::Bytes {
        if let Some(kept) = &rec.shown.0 {
            if kept.0 == how && kept.1 == *rec {
                return kept.2.clone();
            }
        }
        let body = axum::body::Bytes::from(write(rec));
        let copy = rec.clone();
        rec.shown = Shown(Some(Box::new((how, copy, body.clone()))));
        body
    }
}

impl Clone for Shown {
    /// A copy of a record starts with nothing kept (the copy is what is compared).
    fn clone(&self) -> Self {
        Shown(None)
    }
}

impl PartialEq for Shown {
    /// What was kept is not part of the record.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Shown {
    /// Nothing of what was kept: records that are equal read the same.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Shown")
    }
}

/// An image of an account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageRec {
    /// The image as the API shows it, but for what the record holds below.
    pub image: cloudservers::v2::models::Image,
    /// Where it is in the image machine.
    pub life: Lifecycle,
    /// Last change.
    pub updated: Timestamp,
}

/// One account's resources.
#[derive(Default, Serialize, Deserialize)]
pub struct Tenant {
    /// Servers in creation order (add them with [`Tenant::add_server`]).
    pub servers: Vec<ServerRec>,
    /// Images: the seed's, then those the account made; `None` until first used.
    pub images: Option<Vec<ImageRec>>,
    /// Where each server is in `servers`, by id (rebuilt when stale, as after a restore).
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

// The index is how the records are found, not what they are.
impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant").field("servers", &self.servers).field("images", &self.images).finish()
    }
}

impl Tenant {
    /// Adds a server.
    pub fn add_server(&mut self, s: ServerRec) {
        if self.by_id.len() == self.servers.len() {
            self.by_id.insert(s.id.clone(), self.servers.len());
        }
        self.servers.push(s);
    }

    /// The server of this id (deleted ones included).
    pub fn server(&self, id: &str) -> Option<&ServerRec> {
        if self.by_id.len() == self.servers.len() {
            self.by_id.get(id).and_then(|i| self.servers.get(*i))
        } else {
            self.servers.iter().find(|s| s.id == id)
        }
    }

    /// The server of this id, to change (deleted ones included).
    pub fn server_mut(&mut self, id: &str) -> Option<&mut ServerRec> {
        if self.by_id.len() != self.servers.len() {
            self.by_id = self.servers.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
        }
        self.by_id.get(id).copied().and_then(|i| self.servers.get_mut(i))
    }
}

/// Everything that changes (and what a state file holds).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Store {
    /// Tokens by value.
    pub tokens: HashMap<String, TokenRec>,
    /// Accounts' resources by tenant.
    pub tenants: HashMap<String, Tenant>,
    /// Accounts' v1.0 resources by tenant.
    pub first_gen: HashMap<String, crate::first_gen::Account>,
    /// The behaviours asked for through the control API, in the order given.
    #[serde(default)]
    pub behaviours: Vec<crate::behaviours::Behaviour>,
    /// Which server a source address is (RackConnect), bound through the control API:
    /// the tenant and the server id.
    #[serde(default)]
    pub bindings: HashMap<String, (String, String)>,
    /// Rate-limit windows (a list of pairs in a state file: JSON keys are strings).
    #[serde(with = "crate::persist::entries")]
    pub windows: crate::limits::Windows,
    /// Counter for addresses and host ids.
    pub serial: u64,
    /// The identity users accounts' administrators added (absent from older state
    /// files: none).
    #[serde(default)]
    pub users: crate::identity::Users,
}

impl Store {
    /// The outcome of the next walk of `operation`, by the behaviours that match it
    /// without regard to a server.
    pub fn next_outcome(&mut self, operation: &str) -> Outcome {
        crate::behaviours::outcome(&mut self.behaviours, &crate::behaviours::Subject { operation, name: None, metadata: None })
    }

    /// The outcome of the next walk of `operation` on a server of this name and metadata.
    pub fn outcome_for(&mut self, operation: &str, name: &str, metadata: &std::collections::BTreeMap<String, String>) -> Outcome {
        crate::behaviours::outcome(&mut self.behaviours, &crate::behaviours::Subject { operation, name: Some(name), metadata: Some(metadata) })
    }
}

impl App {
    /// A provider of these settings, schema and seed, reachable at `base`.
    pub fn new(config: Config, schema: &schema::Schema, seed: Seed, base: String) -> Self {
        let switches = crate::deviations::Switches::default();
        for d in &config.deviations {
            switches.set(*d, true);
        }
        App { clock: Clock::new(config.clock), config, base, mounts: mounts(schema), seed, switches, store: Mutex::new(Store::default()), persister: None }
    }

    /// Keeps the state in a state file from now on, restoring its snapshot first.
    pub fn keep_state(&mut self, persister: crate::persist::Persister, stored: Option<crate::persist::Stored>) -> Result<(), crate::persist::StateError> {
        if let Some(s) = stored {
            crate::persist::restore(self, s.decode(&self.base)?);
        }
        self.persister = Some(persister);
        Ok(())
    }

    /// The state file, when the state is kept in one.
    pub fn persister(&self) -> Option<&crate::persist::Persister> {
        self.persister.as_ref()
    }

    /// Replaces the whole store (restoring a snapshot).
    pub fn replace_store(&self, store: Store) {
        *self.store() = store;
    }

    /// The store, locked. A panic while it was held leaves it usable: every change is
    /// made in one step under the lock.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The URL of an API's host.
    pub fn host_url(&self, m: &Mount) -> String {
        format!("{}/{}", self.base, m.module)
    }

    /// The URL of an API's endpoint for a tenant.
    pub fn endpoint_url(&self, m: &Mount, tenant: &str) -> String {
        self.url(m, &[m.version_segment.as_str(), tenant])
    }

    /// The tenant's endpoint of an API without its version segment: the base of bookmark
    /// links.
    pub fn bookmark_url(&self, m: &Mount, tenant: &str) -> String {
        self.url(m, &[tenant])
    }

    /// The API's URL followed by path segments, written without the formatting machinery
    /// (every answer with links writes two of them).
    fn url(&self, m: &Mount, segments: &[&str]) -> String {
        let mut out = String::with_capacity(self.base.len() + m.module.len() + segments.iter().map(|s| s.len() + 1).sum::<usize>() + 1);
        for part in [self.base.as_str(), "/", m.module.as_str()] {
            out.push_str(part);
        }
        for s in segments {
            out.push('/');
            out.push_str(s);
        }
        out
    }

    /// The identity service's URL.
    pub fn identity_url(&self) -> String {
        self.mounts.iter().find(|m| m.exchanges_credentials()).map(|m| self.host_url(m)).unwrap_or_else(|| self.base.clone())
    }

    /// What the provider prints at start: its URLs and accounts.
    pub fn banner(&self) -> String {
        let mut out = format!("cloudservers-provider listening on {}\n", self.base);
        for m in &self.mounts {
            out.push_str(&format!("{}: {}\n", m.key, self.host_url(m)));
        }
        for a in &self.seed.accounts {
            out.push_str(&format!("account: tenant {} user {} password {} api key {}\n", a.tenant, a.username, a.password, a.api_key));
        }
        if self.config.control {
            out.push_str(&format!("control: {}{}\n", self.base, crate::CONTROL_PREFIX));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::shapes::Format;

    fn server() -> ServerRec {
        let now = Timestamp::UNIX_EPOCH;
        ServerRec {
            id: "s1".into(),
            name: "one".into(),
            life: Lifecycle::at("ACTIVE"),
            created: now,
            updated: now,
            flavor: "2".into(),
            image: "i".into(),
            metadata: BTreeMap::new(),
            access_ipv4: String::new(),
            access_ipv6: String::new(),
            host_id: String::new(),
            disk_config: None,
            resized_from: None,
            fault: None,
            serial: 1,
            attachments: Vec::new(),
            cbs_volumes: Vec::new(),
            automation: Vec::new(),
            shown: Shown::default(),
        }
    }

    const JSON: ShownAs = ShownAs { operation: 1, format: Format::Json, switches: 0 };

    /// Writes the record's name, counting how often it is asked to.
    fn shown(rec: &mut ServerRec, how: ShownAs, writes: &mut u32) -> String {
        let body = Shown::get_or_write(rec, how, |r| {
            *writes += 1;
            r.name.clone().into_bytes()
        });
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[test]
    fn a_kept_answer_is_reused_only_while_the_record_and_the_question_are_unchanged() {
        let (mut rec, mut writes) = (server(), 0);
        assert_eq!(shown(&mut rec, JSON, &mut writes), "one");
        assert_eq!(shown(&mut rec, JSON, &mut writes), "one");
        assert_eq!(writes, 1, "the second answer is the kept one");
        rec.name = "two".into();
        assert_eq!(shown(&mut rec, JSON, &mut writes), "two", "any change to the record is seen");
        rec.metadata.insert("k".into(), "v".into());
        shown(&mut rec, JSON, &mut writes);
        assert_eq!(writes, 3);
        shown(&mut rec, ShownAs { format: Format::Xml, ..JSON }, &mut writes);
        shown(&mut rec, ShownAs { switches: 4, ..JSON }, &mut writes);
        shown(&mut rec, ShownAs { operation: 2, ..JSON }, &mut writes);
        assert_eq!(writes, 6, "another format, deviation or operation is written anew");
    }

    #[test]
    fn a_copy_of_a_record_keeps_no_answer_and_equals_the_original() {
        let (mut rec, mut writes) = (server(), 0);
        shown(&mut rec, JSON, &mut writes);
        let copy = rec.clone();
        assert!(copy.shown.0.is_none());
        assert_eq!(copy, rec);
    }
}
