//! `codegen`: print the generated Rust code for the schema.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate code from the Cloud Servers schema.
#[derive(Parser)]
#[command(name = "codegen", version, about)]
struct Cli {
    /// The schema directory (holding data/ and xsd/); defaults to the one shipped with the schema crate.
    #[arg(long, global = true, value_name = "DIR")]
    schema: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// How the OpenAPI document is printed.
#[derive(Clone, Copy, ValueEnum)]
enum DocFormat {
    /// Pretty-printed JSON.
    Json,
    /// YAML (block style).
    Yaml,
}

#[derive(Subcommand)]
enum Command {
    /// Print the generated Rust code on stdout.
    Rust {
        /// APIs to generate, by key (`v2`, `v1.0`) or module name (`v1_0`), as the
        /// schema's apis.json lists them (all when none is given).
        #[arg(long, value_name = "API")]
        api: Vec<String>,
    },
    /// Print the OpenAPI 3.1 document of one API on stdout.
    Openapi {
        /// The API, by key (`v2`) or module name (`v1_0`).
        #[arg(long, value_name = "API")]
        api: String,
        /// The output format.
        #[arg(long, value_enum, default_value = "json")]
        format: DocFormat,
    },
}

use schema::cli::{emit, init_logging};

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let dir = cli.schema.unwrap_or_else(schema::default_dir);
    tracing::debug!(dir = %dir.display(), "schema directory");
    match cli.command {
        Command::Rust { api } => {
            match codegen::Builder::new(dir).apis(api).generate() {
                Ok(code) => emit(|out| out.write_all(code.as_bytes())),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Openapi { api, format } => {
            let doc = schema::Schema::load(&dir).map_err(codegen::openapi::OpenApiError::from).and_then(|s| {
                match s.api_named(&api) {
                    Some(key) => codegen::openapi::document(&s, key),
                    None => Err(codegen::openapi::OpenApiError::UnknownApi {
                        name: api,
                        known: s.apis.iter().map(|a| a.key.to_string()).collect(),
                    }),
                }
            });
            match doc {
                Ok(doc) => {
                    let text = match format {
                        DocFormat::Json => codegen::openapi::to_json(&doc),
                        DocFormat::Yaml => codegen::openapi::to_yaml(&doc),
                    };
                    emit(|out| out.write_all(text.as_bytes()))
                }
                Err(e) => {
                    eprintln!("error: cannot build the OpenAPI document: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
