//! `cloudservers-schema`: check, export and report coverage of the Cloud Servers schema.

use clap::{Parser, Subcommand};
use cloudservers_schema::{coverage, export, Schema};
use std::path::PathBuf;
use std::process::ExitCode;

/// Check, export and report coverage of the Cloud Servers schema.
#[derive(Parser)]
#[command(name = "cloudservers-schema", version, about)]
struct Cli {
    /// The schema directory (holding data/ and xsd/); defaults to the one shipped with this crate.
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and validate every data file; print every problem found.
    Check,
    /// Print the whole schema as one JSON document on stdout.
    Export,
    /// Print, per document, what the schema holds against the document's own inventory.
    Coverage {
        /// Print the report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List every erratum, grouped by document.
    Errata,
}

use cloudservers_schema::cli::{emit, init_logging};

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    let dir = cli.dir.unwrap_or_else(cloudservers_schema::default_dir);
    tracing::debug!(dir = %dir.display(), "loading the schema");
    let schema = match Schema::load(&dir) {
        Ok(s) => {
            tracing::debug!(operations = s.operations.len(), models = s.models.len(), "schema loaded");
            s
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Check => emit(|out| {
            writeln!(
                out,
                "schema OK: {} operations, {} models, {} faults, {} state machines ({} transitions), {} limits, {} examples, {} errata",
                schema.operations.len(),
                schema.models.len(),
                schema.faults.len(),
                schema.state_machines.len(),
                schema.state_machines.iter().map(|m| m.transitions.len()).sum::<usize>(),
                schema.limits.len(),
                schema.examples.len(),
                schema.errata().len()
            )
        }),
        Command::Export => match serde_json::to_string_pretty(&export::export(&schema)) {
            Ok(s) => emit(|out| writeln!(out, "{s}")),
            Err(e) => {
                eprintln!("error: cannot serialize the export: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Coverage { json } => {
            let cov = coverage::coverage(&schema);
            let text = if json {
                match serde_json::to_string_pretty(&cov) {
                    Ok(s) => s + "\n",
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                coverage::render(&cov)
            };
            let written = emit(|out| out.write_all(text.as_bytes()));
            if written != ExitCode::SUCCESS {
                written
            } else if cov.iter().all(|d| d.complete()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Errata => emit(|out| {
            for (doc, item, e) in schema.errata() {
                let holds = e.holds.as_deref().map(|h| format!(" -> {h}")).unwrap_or_default();
                writeln!(out, "{doc}\t{item}\t{}{holds}\t({})", e.shows, e.why)?;
            }
            Ok(())
        }),
    }
}
