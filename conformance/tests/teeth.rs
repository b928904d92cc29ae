//! The suite has teeth: with a deviation switch of the reference provider on, the run
//! fails, and among its failures are the checks the switch concerns (by id and by what
//! their message names). A switch only the state-machine and limit checks can catch is
//! listed as such and not run here.

mod common;

use conformance::outcome::Outcome;
use conformance::run::Options;
use libtest_mimic::{Arguments, Failed, Trial};

/// What a switch breaks, as the suite reports it.
enum Caught {
    /// A failed check whose id matches the glob and whose message holds the text.
    Check(&'static str, &'static str),
    /// The run stops with a target error whose message holds the text (the sign-in
    /// itself breaks).
    Target(&'static str),
    /// Only checks of kinds that walk state machines or drive limits see it.
    Dynamic,
}

/// Each switch of the provider and how the suite catches it.
fn caught(d: provider::Deviation) -> Caught {
    use provider::Deviation as D;
    match d {
        D::WrongSuccessCode => Caught::Check("response/*", "is not documented"),
        D::MissingRequiredField => Caught::Target("authentication"),
        D::WrongFaultElement => Caught::Check("example/*", "root"),
        D::IllegalTransition => Caught::Check("example/*", "status 409"),
        D::WrongContentType => Caught::Check("response/*", "Content-Type text/html"),
        D::JsonOnly => Caught::Check("response/rackconnect.*/text", "where text/plain was asked for"),
        D::NoPagination => Caught::Check("example/v2.example.1.{17,18,20,21}/*", ""),
        D::NoExtendedStatus => Caught::Check("example/*", "OS-EXT-STS"),
        D::NoLocation => Caught::Check("response/*", "no Location header"),
        _ => Caught::Dynamic,
    }
}

fn main() {
    let args = Arguments::from_args();
    let schema = common::schema_or_exit();
    let trials = provider::Deviation::ALL
        .iter()
        .map(|(d, name, _)| {
            let (d, schema) = (*d, schema.clone());
            let dynamic = matches!(caught(d), Caught::Dynamic);
            Trial::test(format!("deviation/{name}"), move || teeth(&schema, d)).with_ignored_flag(dynamic)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn teeth(schema: &schema::Schema, d: provider::Deviation) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| Failed::from(e.to_string()))?;
    let opts = Options { provider: provider::Config::default().deviation(d), ..Options::default() };
    let checks = conformance::checks::all(schema);
    let outcome = runtime.block_on(conformance::run::run(schema, checks, &opts));
    match (caught(d), outcome) {
        (Caught::Target(text), Err(e)) if e.to_string().contains(text) => Ok(()),
        (Caught::Target(text), Err(e)) => Err(format!("the run stopped, but not at {text}: {e}").into()),
        (Caught::Target(text), Ok(_)) => Err(format!("the run did not stop at {text}").into()),
        (_, Err(e)) => Err(format!("the run stopped: {e}").into()),
        (Caught::Check(glob, text), Ok(report)) => {
            let glob = globset::Glob::new(glob).map_err(|e| Failed::from(e.to_string()))?.compile_matcher();
            let failed: Vec<_> = report.results.iter().filter(|r| r.outcome == Outcome::Failed).collect();
            if failed.is_empty() {
                return Err(format!("{}: nothing failed", d.name()).into());
            }
            if failed.iter().any(|r| glob.is_match(&r.id) && r.message.contains(text)) {
                Ok(())
            } else {
                let seen: Vec<String> = failed.iter().take(5).map(|r| format!("{}: {}", r.id, r.message)).collect();
                Err(format!("{}: {} failed, none of them {} with `{text}`; e.g. {seen:#?}", d.name(), failed.len(), glob.glob()).into())
            }
        }
        (Caught::Dynamic, Ok(_)) => Ok(()),
    }
}
