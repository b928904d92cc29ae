//! Generates Rust code for the Cloud Servers APIs from the schema, for use in `build.rs`.
//!
//! ```no_run
//! // in build.rs
//! codegen::Builder::new("../schema")
//!     .api(schema::Api::Rackconnect)
//!     .write_to_out_dir("rackconnect.rs")
//!     .unwrap_or_else(|e| panic!("{e}"));
//! ```
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/rackconnect.rs"));`
//!
//! The output is deterministic (the same schema gives byte-identical code), starts with a
//! `@generated` header, and cites the documents in the rustdoc of every item.

mod client;
mod faults;
mod identity;
mod limits;
mod machines;
mod models;
pub mod names;
mod shapes;
pub mod openapi;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use schema::{Api, Erratum, Schema, Source};
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
}

/// Everything generation needs: the loaded schema and the APIs asked for.
pub(crate) struct Context<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) apis: BTreeSet<Api>,
    pub(crate) clients: bool,
}

/// Options for one generated file: the schema directory and the APIs to generate.
#[derive(Debug, Clone)]
pub struct Builder {
    schema_dir: PathBuf,
    apis: BTreeSet<Api>,
    clients: bool,
}

impl Builder {
    /// Generates from the schema in `schema_dir` (the directory holding `data/` and `xsd/`).
    pub fn new(schema_dir: impl Into<PathBuf>) -> Self {
        Builder { schema_dir: schema_dir.into(), apis: BTreeSet::new(), clients: true }
    }

    /// Adds one API; with none added, every API is generated.
    pub fn api(mut self, api: Api) -> Self {
        self.apis.insert(api);
        self
    }

    /// Adds several APIs.
    pub fn apis(mut self, apis: impl IntoIterator<Item = Api>) -> Self {
        self.apis.extend(apis);
        self
    }

    /// Whether to generate the async HTTP clients (default true). Without them the output
    /// holds models, codecs, faults, state machines and limits, for servers and tools that
    /// do not call the APIs.
    pub fn clients(mut self, yes: bool) -> Self {
        self.clients = yes;
        self
    }

    /// Loads the schema and returns the formatted code.
    pub fn generate(&self) -> Result<String, Error> {
        let schema = Schema::load(&self.schema_dir)?;
        generate_with(&schema, &self.apis, self.clients)
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

/// The APIs whose models `apis` refer to, included so references resolve.
fn with_dependencies(schema: &Schema, apis: &BTreeSet<Api>) -> BTreeSet<Api> {
    let mut set: BTreeSet<Api> = if apis.is_empty() { Api::ALL.into_iter().collect() } else { apis.clone() };
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
            return set;
        }
    }
}

/// Generates the formatted code for `apis` (all APIs when empty).
pub fn generate(schema: &Schema, apis: &BTreeSet<Api>) -> Result<String, Error> {
    generate_with(schema, apis, true)
}

/// Generates the formatted code for `apis` (all when empty), with or without clients.
pub fn generate_with(schema: &Schema, apis: &BTreeSet<Api>, clients: bool) -> Result<String, Error> {
    let ctx = Context { schema, apis: with_dependencies(schema, apis), clients };
    ctx.check_limits()?;
    let tokens = ctx.file();
    let file: syn::File = syn::parse2(tokens)?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// @generated by codegen from the Cloud Servers schema. Do not edit: change the schema and rebuild.\n{body}"
    ))
}

/// The formatted `models` module of one API, as reviewed in the snapshots.
pub fn render_models(schema: &Schema, api: Api) -> Result<String, Error> {
    let ctx = Context { schema, apis: with_dependencies(schema, &BTreeSet::from([api])), clients: false };
    let file: syn::File = syn::parse2(ctx.models_module(api))?;
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
            let m = names::ident(names::api_module(*a));
            quote!(#m::shapes::MODELS)
        });
        quote! {
            /// The shapes of every generated model, for the strict validator (`runtime::strict`).
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

    fn api_module(&self, api: Api) -> TokenStream {
        let m = names::ident(names::api_module(api));
        let doc = match api {
            Api::V2 => " Next Generation Cloud Servers API v2 with the Rackspace extensions.",
            Api::V1_0 => " First generation Cloud Servers API v1.0.",
            Api::Rackconnect => " RackConnect v2.0 API, queried from a cloud server.",
            Api::Identity => " Identity service: v2.0 tokens, v1.0 authentication, users.",
        };
        let models = self.models_module(api);
        let faults = self.faults_module(api);
        let machines = self.machines_module(api);
        let limits = self.limits_module(api);
        let shapes = self.shapes_module(api);
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
