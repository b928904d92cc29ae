//! `cloudservers-codegen`: print the generated Rust code for the schema.

use clap::{Parser, Subcommand, ValueEnum};
use schema::Api;
use std::path::PathBuf;
use std::process::ExitCode;

/// Generate code from the Cloud Servers schema.
#[derive(Parser)]
#[command(name = "cloudservers-codegen", version, about)]
struct Cli {
    /// The schema directory (holding data/ and xsd/); defaults to the one shipped with the schema crate.
    #[arg(long, global = true, value_name = "DIR")]
    schema: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ApiArg {
    #[value(name = "v2")]
    V2,
    #[value(name = "v1.0")]
    V1_0,
    #[value(name = "rackconnect")]
    Rackconnect,
    #[value(name = "identity")]
    Identity,
}

impl From<ApiArg> for Api {
    fn from(a: ApiArg) -> Api {
        match a {
            ApiArg::V2 => Api::V2,
            ApiArg::V1_0 => Api::V1_0,
            ApiArg::Rackconnect => Api::Rackconnect,
            ApiArg::Identity => Api::Identity,
        }
    }
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
        /// APIs to generate (all when none is given).
        #[arg(long, value_enum)]
        api: Vec<ApiArg>,
        /// The path by which the generated code names the runtime crate (`::name` or `crate::...`).
        #[arg(long, value_name = "PATH", default_value = cloudservers_codegen::DEFAULT_RUNTIME_CRATE)]
        runtime_crate: String,
    },
    /// Print the OpenAPI 3.1 document of one API on stdout.
    Openapi {
        /// The API.
        #[arg(long, value_enum)]
        api: ApiArg,
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
        Command::Rust { api, runtime_crate } => {
            match cloudservers_codegen::Builder::new(dir).apis(api.into_iter().map(Api::from)).runtime_crate(runtime_crate).generate() {
                Ok(code) => emit(|out| out.write_all(code.as_bytes())),
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Openapi { api, format } => {
            let doc = schema::Schema::load(&dir)
                .map_err(cloudservers_codegen::openapi::OpenApiError::from)
                .and_then(|s| cloudservers_codegen::openapi::document(&s, api.into()));
            match doc {
                Ok(doc) => {
                    let text = match format {
                        DocFormat::Json => cloudservers_codegen::openapi::to_json(&doc),
                        DocFormat::Yaml => cloudservers_codegen::openapi::to_yaml(&doc),
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
