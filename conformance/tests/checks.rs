//! Every check of the suite as a test of its own, so `cargo test -p
//! cloudservers-conformance -- servers` runs those whose id contains `servers`.
//!
//! Against the embedded reference provider, or against `CONFORMANCE_TARGET` (an identity
//! URL, with the credentials in `CONFORMANCE_USERNAME` and `CONFORMANCE_PASSWORD` or
//! `CONFORMANCE_API_KEY`). The selected checks run once, together; each test reports its
//! check's outcome (a skipped check passes, and says why on stderr).

mod common;

use conformance::outcome::{CheckResult, Outcome};
use conformance::run::{Options, TargetSpec};
use libtest_mimic::{Arguments, Failed, Trial};
use std::sync::{Arc, OnceLock};

fn main() {
    let args = Arguments::from_args();
    let schema = common::schema_or_exit();
    let all = conformance::checks::all(&schema);
    // Only the checks the filter keeps are run, all at once on first use.
    let kept: Vec<_> = all.iter().filter(|c| keeps(&args, &c.id)).cloned().collect();
    let results: Arc<OnceLock<Result<Vec<CheckResult>, String>>> = Arc::default();
    let trials = all
        .iter()
        .map(|c| {
            let (id, results, schema, kept) = (c.id.clone(), results.clone(), schema.clone(), kept.clone());
            Trial::test(c.id.clone(), move || {
                let all = results.get_or_init(|| run(&schema, kept));
                let all = all.as_ref().map_err(|e| Failed::from(e.clone()))?;
                let r = all.iter().find(|r| r.id == id).ok_or_else(|| Failed::from(format!("{id} did not run")))?;
                match r.outcome {
                    Outcome::Passed | Outcome::Waived => Ok(()),
                    Outcome::Skipped => {
                        eprintln!("{id}: skipped: {}", r.message);
                        Ok(())
                    }
                    Outcome::Failed => Err(Failed::from(format!("{}\n{}{}", r.message, r.details.join("\n"), r.reproduction.as_ref().map(|c| format!("\n{c}")).unwrap_or_default()))),
                }
            })
            .with_kind(c.kind.as_str())
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// Whether the test filter of `args` keeps a test of this name.
fn keeps(args: &Arguments, name: &str) -> bool {
    let filtered = match &args.filter {
        Some(f) if args.exact => name == f,
        Some(f) => name.contains(f.as_str()),
        None => true,
    };
    filtered && !args.skip.iter().any(|s| if args.exact { name == s } else { name.contains(s.as_str()) })
}

fn run(schema: &schema::Schema, checks: Vec<conformance::checks::Check>) -> Result<Vec<CheckResult>, String> {
    let target = match std::env::var(conformance::target::TARGET_VAR).ok().filter(|t| !t.is_empty()) {
        None => TargetSpec::Embedded,
        Some(identity) => {
            let credentials = conformance::target::Credentials::from_env().ok_or_else(|| format!("{} is set but the credentials are not", conformance::target::TARGET_VAR))?;
            TargetSpec::Remote { identity, credentials, region: std::env::var("CONFORMANCE_REGION").ok() }
        }
    };
    // The reference provider departs from nothing: every check passes against it, none
    // waived. Another target's known deviations come from its configuration.
    let config = match (&target, std::env::var_os("CONFORMANCE_CONFIG")) {
        (TargetSpec::Remote { .. }, Some(p)) => conformance::config::Config::load(std::path::Path::new(&p)).map_err(|e| e.to_string())?,
        _ => conformance::config::Config::default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    let opts = Options { target, config, ..Options::default() };
    runtime.block_on(conformance::run::run(schema, checks, &opts)).map(|r| r.results).map_err(|e| e.to_string())
}
