//! `cloudservers-conformance`: runs the conformance suite against the embedded reference
//! provider (the default) or any endpoint, and reports.

use clap::Parser;
use conformance::checks::{self, Selection, Wire};
use conformance::config::Config;
use conformance::run::{Options, TargetSpec};
use conformance::target::{Credentials, API_KEY_VAR, PASSWORD_VAR, USERNAME_VAR};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Checks an endpoint of the Cloud Servers APIs against their documents: every example
/// replayed, every response validated, bad input answered as documented. Without
/// --target, against the reference provider started in this process.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The identity URL of the target; credentials come from the environment only
    /// (CONFORMANCE_USERNAME with CONFORMANCE_PASSWORD or CONFORMANCE_API_KEY).
    #[arg(long, value_name = "IDENTITY_URL")]
    target: Option<String>,
    /// The region whose endpoints to use.
    #[arg(long)]
    region: Option<String>,
    /// The configuration file (see conformance.sample.toml).
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
    /// List the selected checks and exit.
    #[arg(long)]
    list: bool,
    /// Run only checks whose id, API, operation or kind matches one of these globs.
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave out checks whose id, API, operation or kind matches one of these globs.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// The formats to check.
    #[arg(long, value_enum, default_value_t = Formats::Both)]
    format: Formats,
    /// Checks run at once.
    #[arg(long, default_value_t = 8)]
    jobs: usize,
    /// The run's seed (recorded in the report).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Write the JSON report here.
    #[arg(long, value_name = "PATH")]
    report_json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "PATH")]
    junit: Option<PathBuf>,
    /// No progress bar even on a terminal.
    #[arg(long)]
    quiet: bool,
    /// Refused: credentials are read from the environment only.
    #[arg(long, hide = true)]
    password: Option<String>,
    /// Refused: credentials are read from the environment only.
    #[arg(long, hide = true)]
    api_key: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Formats {
    Json,
    Xml,
    Both,
}

/// A usage or target error.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let args = Args::parse();
    if args.password.is_some() || args.api_key.is_some() {
        eprintln!("error: credentials are not taken on the command line; set {USERNAME_VAR} and {PASSWORD_VAR} or {API_KEY_VAR}");
        return ExitCode::from(USAGE);
    }
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            let mut msg = format!("error: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("{}", conformance::target::redact(&msg));
            ExitCode::from(USAGE)
        }
    }
}

fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let schema = schema::Schema::load_default()?;
    let formats = match args.format {
        Formats::Json => vec![Wire::Json, Wire::Text],
        Formats::Xml => vec![Wire::Xml, Wire::Text],
        Formats::Both => Vec::new(),
    };
    let selection = Selection::new(&args.include, &args.exclude, formats)?;
    let selected: Vec<_> = checks::all(&schema).into_iter().filter(|c| selection.takes(c)).collect();
    if args.list {
        for c in &selected {
            println!("{}", c.id);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let target = match &args.target {
        None => TargetSpec::Embedded,
        Some(url) => {
            let credentials = Credentials::from_env().ok_or_else(|| conformance::target::TargetError::NoCredentials(url.clone()))?;
            TargetSpec::Remote { identity: url.clone(), credentials, region: args.region.clone() }
        }
    };
    let opts = Options { target, config, jobs: args.jobs, progress: !args.quiet && std::io::stderr().is_terminal(), seed: args.seed, ..Options::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let report = runtime.block_on(conformance::run::run(&schema, selected, &opts))?;
    print!("{}", report.summary());
    if let Some(p) = &args.report_json {
        conformance::report::Report::write(p, &report.to_json()?)?;
    }
    if let Some(p) = &args.junit {
        conformance::report::Report::write(p, &report.to_junit()?)?;
    }
    Ok(if report.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
