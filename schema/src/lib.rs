//! The schema of the Rackspace Cloud Servers family of APIs, loaded from its data files.
//!
//! [`Schema::load`] reads `schema/data/**/*.json` and `schema/xsd/*.xsd` (see `FORMAT.md`),
//! checks every cross-reference, every example body against its operation's model, and
//! every XSD, and returns typed items, each with the place in the documents it comes from.
//! Nothing in a data file can make it panic: every problem is a [`Diagnostic`] naming the
//! file, the JSON pointer and what was expected.

pub mod apis;
pub mod check;
pub mod cli;
pub mod conform;
pub mod coverage;
pub mod diagnostics;
pub mod examples;
pub mod export;
pub mod faults;
pub mod inventory;
mod load;
pub mod limits;
pub mod machines;
pub mod models;
pub mod namespaces;
pub mod operations;
pub mod pages;
pub mod provenance;
pub mod shapes;
pub mod xsd;

/// The XML tree used to check XML example bodies.
pub use xml_dom as xml;

pub use diagnostics::{Diagnostic, Diagnostics, LoadFailures, Location, ProblemKind, SchemaError};
pub use examples::Example;
pub use faults::Fault;
pub use inventory::Inventory;
pub use limits::Limit;
pub use machines::StateMachine;
pub use models::Model;
pub use namespaces::Namespace;
pub use operations::Operation;
pub use provenance::{Api, DocumentKey, Erratum, Source};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The body an example conforms to (see [`Schema::example_body`]).
#[derive(Debug, Clone)]
pub struct ExampleBody<'a> {
    /// The body model.
    pub model: &'a Model,
    /// The JSON key that wraps the model; for a fault, the fault name (also the XML root).
    pub wrap: Option<String>,
    /// The fault, when the example is a fault body.
    pub fault: Option<&'a Fault>,
    /// The formats the operation offers the body in (empty for faults: every format).
    pub formats: Vec<operations::Format>,
}

/// The directory of the schema that ships with this crate.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The whole schema: every item of every document, checked.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// The schema directory it was loaded from.
    pub dir: PathBuf,
    /// The APIs, with their metadata, in the order they are listed.
    pub apis: Vec<apis::ApiInfo>,
    /// XML namespaces and their XSD files.
    pub namespaces: Vec<Namespace>,
    /// Operations of all APIs.
    pub operations: Vec<Operation>,
    /// Body models of all APIs.
    pub models: Vec<Model>,
    /// Faults of all APIs.
    pub faults: Vec<Fault>,
    /// State machines.
    pub state_machines: Vec<StateMachine>,
    /// Limits.
    pub limits: Vec<Limit>,
    /// Examples of all documents.
    pub examples: Vec<Example>,
    /// What each document lists.
    pub inventories: BTreeMap<DocumentKey, Inventory>,
    /// Where each item was read from, keyed by `kind:id`.
    pub origins: BTreeMap<String, Location>,
}

impl Schema {
    /// Loads and checks the schema in `dir` (the directory holding `data/` and `xsd/`).
    pub fn load(dir: impl AsRef<Path>) -> Result<Schema, SchemaError> {
        let dir = dir.as_ref();
        // Problems reading the files come first, then the cross-checks, which skip what
        // did not load.
        let (schema, mut diagnostics, failed) = load::read(dir)?;
        diagnostics.tidy();
        let mut checked = Diagnostics::default();
        check::check_loaded(&schema, &failed, &mut checked);
        checked.tidy();
        diagnostics.0.extend(checked.0);
        if diagnostics.is_empty() {
            Ok(schema)
        } else {
            Err(SchemaError::Invalid { dir: dir.to_path_buf(), diagnostics })
        }
    }

    /// Loads the schema that ships with this crate.
    pub fn load_default() -> Result<Schema, SchemaError> {
        Schema::load(default_dir())
    }

    /// The metadata of the API with this key.
    pub fn api(&self, key: Api) -> Option<&apis::ApiInfo> {
        self.apis.iter().find(|a| a.key == key)
    }

    /// The API with this key (`v2`) or module name (`v1_0`), as a command line or a
    /// build script names it.
    pub fn api_named(&self, name: &str) -> Option<Api> {
        self.apis.iter().find(|a| a.key.as_str() == name || a.module == name).map(|a| a.key)
    }

    /// The key of every API, in the order they are listed.
    pub fn api_keys(&self) -> Vec<Api> {
        self.apis.iter().map(|a| a.key).collect()
    }

    /// The operation with this id.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|o| o.id == id)
    }

    /// The model with this id.
    pub fn model(&self, id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.id == id)
    }

    /// The fault with this id.
    pub fn fault(&self, id: &str) -> Option<&Fault> {
        self.faults.iter().find(|f| f.id == id)
    }

    /// The state machine with this id.
    pub fn state_machine(&self, id: &str) -> Option<&StateMachine> {
        self.state_machines.iter().find(|m| m.id == id)
    }

    /// The limit with this id.
    pub fn limit(&self, id: &str) -> Option<&Limit> {
        self.limits.iter().find(|l| l.id == id)
    }

    /// The fault of `api` whose name, or one of whose other spellings, is `name`.
    pub fn fault_named(&self, api: Api, name: &str) -> Option<&Fault> {
        self.faults.iter().find(|f| f.api == api && (f.name == name || f.aliases.iter().any(|a| a == name)))
    }

    /// The body an example must conform to: the operation's request body for a request,
    /// the response with the example's status for a response, or else the fault body that
    /// the example's root key (JSON) or root element (XML) names. `None` for an exchange,
    /// or when no such body exists.
    pub fn example_body(&self, e: &Example) -> Option<ExampleBody<'_>> {
        let op = self.operation(&e.operation)?;
        let body = match e.direction {
            examples::Direction::Exchange => return None,
            examples::Direction::Request => op.request.clone(),
            examples::Direction::Response => {
                let status = e.status.unwrap_or(0);
                match op.responses.iter().find(|r| r.status == status) {
                    Some(r) => r.body(),
                    None => {
                        let fault = self.fault_named(op.api, &e.root_name()?)?;
                        let model = self.model(fault.model.as_deref()?)?;
                        return Some(ExampleBody { model, wrap: Some(fault.name.clone()), fault: Some(fault), formats: Vec::new() });
                    }
                }
            }
        }?;
        Some(ExampleBody { model: self.model(&body.model)?, wrap: body.wrap, fault: None, formats: body.formats })
    }

    /// The rate limits that count requests of `op`, derived from each rate limit of the
    /// operation's API: its verb matches the method and its pattern matches one of
    /// [`Operation::sample_targets`]. This is the one rule for which rate limits apply;
    /// an operation's `limits` must list exactly these (`schema check`).
    pub fn rate_limits_of(&self, op: &Operation) -> Vec<&Limit> {
        let targets = op.sample_targets();
        self.limits
            .iter()
            .filter(|l| l.api == op.api && targets.iter().any(|t| l.rate_applies(&op.method, t)))
            .collect()
    }

    /// The namespace with this prefix.
    pub fn namespace(&self, prefix: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.prefix == prefix)
    }

    /// Where the item `kind:id` was read from.
    pub fn origin(&self, kind: &str, id: &str) -> Location {
        self.origins
            .get(&format!("{kind}:{id}"))
            .cloned()
            .unwrap_or_else(|| Location::new("data", ""))
    }

    /// Every erratum in the schema with the document it corrects and the item it is on.
    pub fn errata(&self) -> Vec<(DocumentKey, String, &Erratum)> {
        fn add<'a>(
            out: &mut Vec<(DocumentKey, String, &'a Erratum)>,
            doc: DocumentKey,
            item: String,
            errata: &'a [Erratum],
        ) {
            out.extend(errata.iter().map(|e| (doc, item.clone(), e)));
        }
        let mut out = Vec::new();
        for o in &self.operations {
            add(&mut out, o.source.document, format!("operation {}", o.id), &o.errata);
        }
        for m in &self.models {
            add(&mut out, m.source.document, format!("model {}", m.id), &m.errata);
            for f in &m.fields {
                let doc = f.source.as_ref().map_or(m.source.document, |s| s.document);
                add(&mut out, doc, format!("model {} field {}", m.id, f.name), &f.errata);
            }
        }
        for f in &self.faults {
            add(&mut out, f.source.document, format!("fault {}", f.id), &f.errata);
        }
        for m in &self.state_machines {
            add(&mut out, m.source.document, format!("state machine {}", m.id), &m.errata);
            for t in &m.transitions {
                add(&mut out, t.source.document, format!("transition {}", t.id), &t.errata);
            }
        }
        for l in &self.limits {
            add(&mut out, l.source.document, format!("limit {}", l.id), &l.errata);
        }
        for e in &self.examples {
            add(&mut out, e.source.document, format!("example {}", e.id), &e.errata);
        }
        out
    }
}
