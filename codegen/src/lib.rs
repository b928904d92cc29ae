//! Generates Rust code for the Cloud Servers APIs from the schema, for use in `build.rs`.
//!
//! ```no_run
//! // in build.rs
//! cloudservers_codegen::Builder::default() // the schema shipped with cloudservers-schema
//!     .api("rackconnect")
//!     .write_to_out_dir("rackconnect.rs")
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/rackconnect.rs"));`
//!
//! The output is deterministic (the same schema gives byte-identical code), starts with a
//! `@generated` header, and cites the documents in the rustdoc of every item. It names the
//! runtime crate `::cloudservers_runtime` (see [`Builder::runtime_crate`]).
//!
//! # Features
//!
//! - `cli` (default): the `cloudservers-codegen` command line (clap, tracing-subscriber),
//!   and with it `xsd`.
//! - `xsd`: loading the schema parses every XSD with xsd-parser (the schema crate's `xsd`
//!   feature); without it the XSDs are read for their namespaces and names only.
//!
//! A build script depends on this crate with `default-features = false`, and compiles
//! neither clap, tracing-subscriber nor xsd-parser:
//!
//! ```toml
//! [build-dependencies]
//! cloudservers-codegen = { version = "0.1", default-features = false }
//! ```

mod client;
mod faults;
mod identity;
mod limits;
mod machines;
mod models;
mod operations;
pub mod names;
mod shapes;
pub mod openapi;
mod runtime_path;

pub use runtime_path::DEFAULT_RUNTIME_CRATE;
use runtime_path::RuntimePath;
/// The schema crate this generator reads, for [`generate`] and [`generate_with`].
pub use schema;
/// The APIs, for [`Builder::api`].
pub use schema::Api;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::{Erratum, Schema, Source};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The schema did not load; the message is the schema loader's.
    #[error("{0}")]
    Schema(#[from] schema::SchemaError),
    /// The generated tokens are not valid Rust (a bug in this generator).
    #[error("generated code does not parse: {0}")]
    Syntax(#[from] syn::Error),
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An API asked for is not in the schema.
    #[error("no API `{name}` in the schema (it has: {})", known.join(", "))]
    UnknownApi {
        /// The key or module name asked for.
        name: String,
        /// The keys the schema lists.
        known: Vec<String>,
    },
    /// `OUT_DIR` is not set (not running under cargo's build script).
    #[error("OUT_DIR is not set: write_to_out_dir runs inside a build script")]
    NoOutDir,
    /// A field limit's `field` path does not resolve against the request of an operation
    /// it applies to, so its client-side check cannot be generated.
    #[error("field limit {limit}: path `{path}` does not resolve against the request of {operation}: {reason}")]
    UnresolvedLimit {
        /// The limit id.
        limit: String,
        /// The operation id.
        operation: String,
        /// The limit's whole `field` path.
        path: String,
        /// Why each alternative does not resolve.
        reason: String,
    },
    /// The path given to [`Builder::runtime_crate`] is not one generated code can name the
    /// runtime crate by.
    #[error("runtime crate path `{path}`: {reason}")]
    RuntimeCrate {
        /// The path as given.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Everything generation needs: the loaded schema and the APIs asked for.
pub(crate) struct Context<'a> {
    pub(crate) schema: &'a Schema,
    /// The APIs generated, in the schema's order.
    pub(crate) apis: Vec<Api>,
    pub(crate) clients: bool,
    /// The Rust name of every model field, by the field's address in the schema.
    pub(crate) field_names: std::collections::HashMap<*const schema::models::Field, String>,
}

impl<'a> Context<'a> {
    fn new(schema: &'a Schema, apis: Vec<Api>, clients: bool) -> Self {
        let mut field_names = std::collections::HashMap::new();
        for m in &schema.models {
            for (f, n) in m.fields.iter().zip(names::field_names(m)) {
                field_names.insert(std::ptr::from_ref(f), n);
            }
        }
        Context { schema, apis, clients, field_names }
    }

    /// The Rust name of a model field (see [`names::field_names`]).
    pub(crate) fn field_ident(&self, f: &schema::models::Field) -> proc_macro2::Ident {
        let n = self.field_names.get(&std::ptr::from_ref(f)).cloned().unwrap_or_else(|| names::snake(&f.name));
        format_ident!("{}", n)
    }
}

/// Options for one generated file: the schema directory and the APIs to generate.
#[derive(Debug, Clone)]
pub struct Builder {
    schema_dir: PathBuf,
    apis: Vec<String>,
    clients: bool,
    runtime_crate: String,
}

impl Default for Builder {
    /// Generates from the schema shipped with the schema crate
    /// ([`schema::SHIPPED_DIR`]): every API, with clients.
    fn default() -> Self {
        Builder::new(schema::SHIPPED_DIR)
    }
}

impl Builder {
    /// Generates from the schema in `schema_dir` (the directory holding `data/` and `xsd/`).
    pub fn new(schema_dir: impl Into<PathBuf>) -> Self {
        Builder { schema_dir: schema_dir.into(), apis: Vec::new(), clients: true, runtime_crate: DEFAULT_RUNTIME_CRATE.to_string() }
    }

    /// Adds one API, by key (`v2`, `v1.0`) or module name (`v1_0`), as the schema's
    /// `apis.json` lists them; with none added, every API is generated. APIs whose models
    /// the chosen ones use are generated too.
    pub fn api(mut self, api: impl Into<String>) -> Self {
        self.apis.push(api.into());
        self
    }

    /// Adds several APIs (see [`Builder::api`]).
    pub fn apis(mut self, apis: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.apis.extend(apis.into_iter().map(Into::into));
        self
    }

    /// Whether to generate the async HTTP clients (default true). Without them the output
    /// holds models, codecs, faults, state machines and limits, for servers and tools that
    /// do not call the APIs.
    pub fn clients(mut self, yes: bool) -> Self {
        self.clients = yes;
        self
    }

    /// The path by which generated code names the runtime crate (default
    /// [`DEFAULT_RUNTIME_CRATE`], `::cloudservers_runtime`: a crate that depends on
    /// `cloudservers-runtime` under its own name). Give another when the dependency is
    /// renamed (`::runtime` for `runtime = { package = "cloudservers-runtime", .. }`) or
    /// re-exported (`crate::rt`). It must be absolute (`::name`) or start at the crate root
    /// (`crate::...`), without generic arguments; any other path makes
    /// [`generate`](Builder::generate) fail with [`Error::RuntimeCrate`].
    pub fn runtime_crate(mut self, path: impl Into<String>) -> Self {
        self.runtime_crate = path.into();
        self
    }

    /// Loads the schema and returns the formatted code.
    pub fn generate(&self) -> Result<String, Error> {
        let runtime = RuntimePath::parse(&self.runtime_crate)?;
        let schema = Schema::load(&self.schema_dir)?;
        let apis = resolve_apis(&schema, &self.apis)?;
        generate_inner(&schema, &apis, self.clients, &runtime)
    }

    /// Writes the code to `$OUT_DIR/file_name` and tells cargo to rerun when any schema
    /// file changes. Returns the path written.
    pub fn write_to_out_dir(&self, file_name: &str) -> Result<PathBuf, Error> {
        let out = std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?;
        for input in schema_inputs(&self.schema_dir) {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        let code = self.generate()?;
        let path = Path::new(&out).join(file_name);
        std::fs::write(&path, code).map_err(|source| Error::Write { path: path.clone(), source })?;
        Ok(path)
    }
}

/// Every file and directory of a schema directory, for `rerun-if-changed`.
pub fn schema_inputs(dir: &Path) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        out.push(p.to_path_buf());
        if let Ok(entries) = std::fs::read_dir(p) {
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            for e in paths {
                if e.is_dir() {
                    walk(&e, out);
                } else {
                    out.push(e);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&dir.join("data"), &mut out);
    walk(&dir.join("xsd"), &mut out);
    out
}

/// The APIs named (by key or module name), or an error naming the one the schema lacks.
pub fn resolve_apis(schema: &Schema, names: &[String]) -> Result<BTreeSet<Api>, Error> {
    names
        .iter()
        .map(|n| {
            schema.api_named(n).ok_or_else(|| Error::UnknownApi {
                name: n.clone(),
                known: schema.apis.iter().map(|a| a.key.to_string()).collect(),
            })
        })
        .collect()
}

/// `apis` (every API when empty) and the APIs whose models they refer to, included so
/// references resolve; in the schema's order. An API the schema does not list is an error.
fn with_dependencies(schema: &Schema, apis: &BTreeSet<Api>) -> Result<Vec<Api>, Error> {
    if let Some(a) = apis.iter().find(|a| schema.api(**a).is_none()) {
        return Err(Error::UnknownApi { name: a.to_string(), known: schema.apis.iter().map(|a| a.key.to_string()).collect() });
    }
    let mut set: BTreeSet<Api> = if apis.is_empty() { schema.api_keys().into_iter().collect() } else { apis.clone() };
    loop {
        let before = set.len();
        for m in &schema.models {
            if m.api().is_some_and(|a| set.contains(&a)) {
                let refs = m
                    .fields
                    .iter()
                    .flat_map(|f| f.ty.referenced_ids())
                    .chain(m.map_values().into_iter().flat_map(|t| t.referenced_ids()))
                    .chain(m.items.iter().flat_map(|t| t.referenced_ids()));
                for r in refs {
                    if let Some(a) = schema.model(r).and_then(|m| m.api()) {
                        set.insert(a);
                    }
                }
            }
        }
        if set.len() == before {
            return Ok(schema.api_keys().into_iter().filter(|a| set.contains(a)).collect());
        }
    }
}

/// Generates the formatted code for `apis` (all APIs when empty), naming the runtime
/// crate [`DEFAULT_RUNTIME_CRATE`].
pub fn generate(schema: &Schema, apis: &BTreeSet<Api>) -> Result<String, Error> {
    generate_with(schema, apis, true)
}

/// Generates the formatted code for `apis` (all when empty), with or without clients,
/// naming the runtime crate [`DEFAULT_RUNTIME_CRATE`].
pub fn generate_with(schema: &Schema, apis: &BTreeSet<Api>, clients: bool) -> Result<String, Error> {
    generate_inner(schema, apis, clients, &RuntimePath::parse(DEFAULT_RUNTIME_CRATE)?)
}

fn generate_inner(schema: &Schema, apis: &BTreeSet<Api>, clients: bool, runtime: &RuntimePath) -> Result<String, Error> {
    let ctx = Context::new(schema, with_dependencies(schema, apis)?, clients);
    ctx.check_limits()?;
    let tokens = runtime.rewrite(ctx.file());
    let file: syn::File = syn::parse2(tokens)?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// @generated by codegen from the Cloud Servers schema. Do not edit: change the schema and rebuild.\n{body}"
    ))
}

/// The formatted `models` module of one API, as reviewed in the snapshots (naming the
/// runtime crate [`DEFAULT_RUNTIME_CRATE`]).
pub fn render_models(schema: &Schema, api: Api) -> Result<String, Error> {
    let ctx = Context::new(schema, with_dependencies(schema, &BTreeSet::from([api]))?, false);
    let runtime = RuntimePath::parse(DEFAULT_RUNTIME_CRATE)?;
    let file: syn::File = syn::parse2(runtime.rewrite(ctx.models_module(api)))?;
    Ok(prettyplease::unparse(&file))
}

impl Context<'_> {
    fn file(&self) -> TokenStream {
        let ns_consts: Vec<TokenStream> = self
            .schema
            .namespaces
            .iter()
            .map(|n| {
                let c = format_ident!("{}", names::screaming(&n.prefix));
                let uri = &n.uri;
                let doc = format!(" {}", n.doc.clone().unwrap_or_else(|| format!("The `{}` namespace.", n.prefix)));
                quote!(#[doc = #doc] pub const #c: &str = #uri;)
            })
            .collect();
        let prefixes: Vec<TokenStream> = self
            .schema
            .namespaces
            .iter()
            .map(|n| {
                let p = &n.prefix;
                let uri = &n.uri;
                quote!((#p, #uri))
            })
            .collect();
        let modules: Vec<TokenStream> = self.apis.iter().map(|a| self.api_module(*a)).collect();
        let tables = self.apis.iter().map(|a| {
            let m = self.api_mod(*a);
            quote!(#m::shapes::MODELS)
        });
        quote! {
            /// The shapes of every generated model, for the strict validator ([`::runtime::strict`]).
            pub static SHAPES: ::runtime::shapes::Tables = ::runtime::shapes::Tables(&[#(#tables),*]);
            /// XML namespaces of the APIs and their extensions.
            pub mod ns {
                #(#ns_consts)*
                /// Every namespace with the prefix used when writing XML.
                pub const PREFIXES: &[(&str, &str)] = &[#(#prefixes),*];
            }
            #(#modules)*
        }
    }

    /// The generated module of an API, as the schema names it.
    pub(crate) fn api_mod(&self, api: Api) -> proc_macro2::Ident {
        names::ident(self.schema.api(api).map_or(api.as_str(), |a| a.module.as_str()))
    }

    fn api_module(&self, api: Api) -> TokenStream {
        let m = self.api_mod(api);
        let doc = format!(" {}", self.schema.api(api).map_or("", |a| a.summary.as_str()));
        let models = self.models_module(api);
        let faults = self.faults_module(api);
        let machines = self.machines_module(api);
        let limits = self.limits_module(api);
        let shapes = self.shapes_module(api);
        let operations = self.operations_module(api);
        let client = if self.clients { self.client_module(api) } else { TokenStream::new() };
        let auth = if self.clients { self.auth_module(api) } else { TokenStream::new() };
        quote! {
            #[doc = #doc]
            pub mod #m {
                #models
                #faults
                #machines
                #limits
                #shapes
                #operations
                #client
                #auth
            }
        }
    }
}

/// Rustdoc for an item: its description, its source, and any corrections of the document.
pub(crate) fn doc_lines(doc: Option<&str>, source: &Source, errata: &[Erratum]) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = doc {
        lines.push(d.to_string());
        lines.push(String::new());
    }
    lines.push(format!("Source: {}, {}.", source.document, source.place));
    for e in errata {
        lines.push(String::new());
        let holds = e.holds.as_deref().map(|h| format!("; the schema holds {h}")).unwrap_or_default();
        lines.push(format!("Erratum: the document shows {}{holds} ({}).", e.shows, e.why));
    }
    let lines = lines.into_iter().map(|l| {
        let l = if l.is_empty() { l } else { format!(" {}", escape_doc(&l)) };
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

/// Rustdoc for a field: its description, wire name and source.
pub(crate) fn field_doc(f: &schema::models::Field) -> TokenStream {
    let mut text = f.doc.clone().unwrap_or_else(|| format!("`{}`.", f.name));
    if let Some(s) = &f.source {
        text.push_str(&format!(" (Source: {}, {}.)", s.document, s.place));
    }
    let text = format!(" {}", escape_doc(&text));
    quote!(#[doc = #text])
}

/// Keeps document text from being read as markdown links or HTML by rustdoc.
fn escape_doc(s: &str) -> String {
    let s = s.replace('[', "\\[").replace(']', "\\]").replace('<', "&lt;").replace('>', "&gt;");
    // Bare URLs would trip rustdoc's bare-urls lint: show them as code.
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s.as_str();
    while let Some(start) = rest.find("http") {
        let tail = &rest[start..];
        if !(tail.starts_with("http://") || tail.starts_with("https://")) || rest[..start].ends_with('`') {
            out.push_str(&rest[..start + 4]);
            rest = &rest[start + 4..];
            continue;
        }
        let end = tail.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ')' | ',' | '`')).unwrap_or(tail.len());
        out.push_str(&rest[..start]);
        out.push('`');
        out.push_str(&tail[..end]);
        out.push('`');
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}
