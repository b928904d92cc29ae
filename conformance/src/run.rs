//! A run: the target signed in to, the features it offers probed, the selected checks
//! run concurrently with a progress bar, the responses validated, what the run made
//! deleted, and a report.

use crate::checks::{Check, Kind, Plan, Wire as Format};
use crate::config::{Config, Waivers};
use crate::outcome::{CheckResult, Outcome, Verdict};
use crate::report::Report;
use crate::session::{Answer, Session, Settings};
use crate::target::{Credentials, Target, TargetError};
use futures::StreamExt;
use schema::Schema;
use std::time::{Duration, Instant};

/// Where a run goes.
#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// The reference provider, started in this process.
    Embedded,
    /// Any endpoint, by its identity URL.
    Remote {
        /// The identity service's URL.
        identity: String,
        /// The run's credentials.
        credentials: Credentials,
        /// The region of the endpoints.
        region: Option<String>,
    },
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The target.
    pub target: TargetSpec,
    /// The configuration.
    pub config: Config,
    /// Checks run at once.
    pub jobs: usize,
    /// Show a progress bar (on a terminal).
    pub progress: bool,
    /// The seed of the run, in the report (the property tests of state machines use it).
    pub seed: u64,
    /// The embedded provider's configuration (its deviations, for the suite's own tests).
    pub provider: provider::Config,
}

impl Default for Options {
    fn default() -> Self {
        Options { target: TargetSpec::Embedded, config: Config::default(), jobs: 8, progress: false, seed: 0, provider: provider::Config::default() }
    }
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The target cannot be used.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// The configuration is not valid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// Runs `checks` against the target of `opts`.
pub async fn run(schema: &Schema, checks: Vec<Check>, opts: &Options) -> Result<Report, RunError> {
    let started = Instant::now();
    let t = &opts.config.timeouts;
    let waivers = opts.config.deviations()?;
    let (mut target, settings) = connect(schema, opts).await?;
    let wire = crate::wire::Wire::new(target.endpoints.clone(), target.token.clone(), t.of(t.request_s)).map_err(TargetError::Http)?.renewing(target.renewer.take());
    let session = Session { schema, wire, fixture: Default::default(), settings, names_given: Default::default() };
    let absent = probe(&session, opts).await;

    let bar = progress_bar(opts.progress, checks.len());
    let (active, validations): (Vec<&Check>, Vec<&Check>) = checks.iter().partition(|c| c.kind != Kind::Response);
    // Checks that use the control API for what other requests could meet run alone, last.
    let (alone, together): (Vec<&Check>, Vec<&Check>) = active.into_iter().partition(|c| c.exclusive);
    let mut results: Vec<CheckResult> = Vec::new();
    let interrupted = {
        let phases = [(together, opts.jobs.max(1)), (alone, 1)];
        let work = futures::stream::iter(phases.into_iter().map(|(checks, jobs)| {
            futures::stream::iter(checks.into_iter().map(|c| {
                let session = &session;
                let absent = &absent;
                let bar = &bar;
                async move {
                let begun = Instant::now();
                let v = match absent.iter().find(|(api, f, _)| (api.is_none() || *api == Some(c.api)) && f.is_none_or(|f| f == c.wire)) {
                    Some((_, _, why)) => Verdict::skip(why.clone()),
                    None => bounded(session, c).await,
                };
                bar.inc(1);
                CheckResult::new(c, v, begun.elapsed())
            }
            }))
            .buffer_unordered(jobs)
        }))
        .flatten();
        tokio::pin!(work);
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        loop {
            tokio::select! {
                next = work.next() => match next {
                    Some(r) => results.push(r),
                    None => break false,
                },
                _ = &mut ctrl_c => break true,
            }
        }
    };
    // An operation no check called is called once here, where that is safe (a read, or a
    // write that changes no resource's state), so that its responses are validated too.
    if !interrupted {
        let seen = session.wire.exchanges();
        for c in &validations {
            let Some(op) = schema.operation(&c.operation) else { continue };
            let called = seen.iter().any(|x| x.request.operation == op.id && Format::of(x.request.asked) == c.wire);
            let absent_here = absent.iter().any(|(api, f, _)| (api.is_none() || *api == Some(c.api)) && f.is_none_or(|f| f == c.wire));
            // A write that makes nothing and moves no state machine (a metadata update) is
            // safe too, with a documented request in the format.
            let write = matches!(op.method.as_str(), "PUT" | "POST") && !crate::examples::creates(&session, op) && !crate::examples::moves_a_machine(&session, op);
            if called || absent_here {
                continue;
            }
            // A delete removes a resource the run makes for it, and nothing else.
            let made = op.path_params.last().and_then(|p| p.source.as_ref());
            if let (true, Some(src)) = (op.method == "DELETE", made) {
                if let Ok(value) = session.fixture.make_as(&session, src, &c.id, false, &[]).await {
                    session.fixture.release(&session, src, &value).await;
                }
                continue;
            }
            if !(op.method == "GET" || write) {
                continue;
            }
            if op.auth == schema::operations::Auth::SourceIp && session.fixture.bind_caller(&session, op).await.is_err() {
                continue;
            }
            let body = match (write, session.documented_request(op, c.wire)) {
                (false, _) => None,
                (true, Some(b)) => match session.resolve_references(op, b).await {
                    Ok(b) => Some(b),
                    Err(_) => continue,
                },
                (true, None) => continue,
            };
            if let Ok(params) = session.fixture.params(&session, op, None).await {
                session.call(&c.id, op, &params, body.as_ref(), c.wire, &[]).await;
            }
        }
    }
    let exchanges = session.wire.exchanges();
    for c in validations {
        let begun = Instant::now();
        let v = match absent.iter().find(|(api, f, _)| (api.is_none() || *api == Some(c.api)) && f.is_none_or(|f| f == c.wire)) {
            Some((_, _, why)) => Verdict::skip(why.clone()),
            None => crate::responses::run(schema, c, &exchanges),
        };
        bar.inc(1);
        results.push(CheckResult::new(c, v, begun.elapsed()));
    }
    bar.finish_and_clear();
    let leftovers = session.fixture.clean_up(&session).await;
    waive(&mut results, &waivers);
    let order: std::collections::HashMap<&str, usize> = checks.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    results.sort_by_key(|r| order.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
    let requests = session.wire.requests();
    if let Some(h) = target.embedded {
        h.shutdown().await;
    }
    Ok(Report { target: target.name, seed: opts.seed, duration_s: started.elapsed().as_secs_f64(), requests, results, leftovers, interrupted })
}

/// A check, within a bound on its time: a hanging target fails it, not the run.
async fn bounded(s: &Session<'_>, c: &Check) -> Verdict {
    let limit = s.settings.wait_timeout * 2 + s.wire.timeout() * 8;
    match tokio::time::timeout(limit, one(s, c)).await {
        Ok(v) => v,
        Err(_) => Verdict::fail(format!("no conclusion within {} s", limit.as_secs())),
    }
}

async fn one(s: &Session<'_>, c: &Check) -> Verdict {
    match &c.plan {
        Plan::Example(id) => crate::examples::run(s, c, id).await,
        Plan::BadInput(case) => crate::bad_input::run(s, c, *case).await,
        Plan::OverLong(limit) => crate::bad_input::over_long(s, c, limit).await,
        Plan::Response(_) => Verdict::skip("response checks run after the others"),
    }
}

fn waive(results: &mut [CheckResult], waivers: &Waivers) {
    for r in results.iter_mut().filter(|r| r.outcome == Outcome::Failed) {
        if let Some(reason) = waivers.reason(&r.id) {
            r.outcome = Outcome::Waived;
            r.message = format!("{} (known deviation: {reason})", r.message);
        }
    }
}

async fn connect(schema: &Schema, opts: &Options) -> Result<(Target, Settings), TargetError> {
    let t = &opts.config.timeouts;
    let timeout = t.of(t.request_s);
    let mut settings = Settings {
        wait_timeout: t.of(t.wait_s),
        poll_interval: t.of(t.poll_s),
        substitutions: opts.config.substitutions.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ..Settings::default()
    };
    let target = match &opts.target {
        TargetSpec::Embedded => {
            let target = Target::embedded(schema, opts.provider.clone(), timeout).await?;
            if let Some(a) = target.embedded.as_ref().and_then(|h| h.accounts().first()) {
                settings.username = Some(a.username.clone());
                settings.password = Some(a.password.clone());
                settings.api_key = Some(a.api_key.clone());
                settings.tenant = Some(a.tenant.clone());
                crate::target::remember_secret(&a.api_key);
                crate::target::remember_secret(&a.password);
            }
            target
        }
        TargetSpec::Remote { identity, credentials, region } => {
            settings.username = Some(credentials.username.clone());
            match &credentials.secret {
                runtime::client::Credential::Password(p) => settings.password = Some(p.expose().to_string()),
                runtime::client::Credential::ApiKey(k) => settings.api_key = Some(k.expose().to_string()),
            }
            Target::remote(schema, identity, credentials, region.as_deref(), timeout).await?
        }
    };
    Ok((target, settings))
}

/// What the target lacks: (API or all, format or all, why), each skipping the checks it
/// covers.
async fn probe(s: &Session<'_>, opts: &Options) -> Vec<(Option<schema::Api>, Option<Format>, String)> {
    let mut out = Vec::new();
    if !opts.config.features.xml {
        out.push((None, Some(Format::Xml), "XML is switched off in the configuration".to_string()));
    }
    for info in &s.schema.apis {
        if opts.config.features.skip_apis.iter().any(|a| a == info.key.as_str()) {
            out.push((Some(info.key), None, format!("the {} API is left out in the configuration", info.key.as_str())));
            continue;
        }
        let reachable = s.wire.endpoints.endpoint_of(info.key).is_some() || s.wire.endpoints.host_of(info.key).is_some();
        if !reachable {
            out.push((Some(info.key), None, format!("the target's catalog has no endpoint of the {} API", info.key.as_str())));
            continue;
        }
        if !opts.config.features.xml {
            continue;
        }
        // XML: asked of a call without parameters that documents an XML answer (one that
        // knows its caller by address once the run's address is bound to a resource).
        let callable = |o: &schema::operations::Operation| matches!(o.auth, schema::operations::Auth::Token | schema::operations::Auth::SourceIp);
        let Some(op) = s.schema.operations.iter().find(|o| {
            o.api == info.key && o.method == "GET" && o.path_params.is_empty() && callable(o) && o.responses.iter().any(|r| r.formats.contains(&shapes::Format::Xml))
        }) else {
            continue;
        };
        if op.auth == schema::operations::Auth::SourceIp && s.fixture.bind_caller(s, op).await.is_err() {
            continue;
        }
        if let Answer::Received(r) = s.call("probe", op, &[], None, Format::Xml, &[]).await {
            if r.status < 300 && r.media_type().as_deref() != Some(shapes::Format::Xml.media_type()) {
                out.push((Some(info.key), Some(Format::Xml), format!("the target answers {} in {} when asked for XML", op.id, r.media_type().unwrap_or_else(|| "no media type".into()))));
            }
        }
    }
    out
}

fn progress_bar(on: bool, len: usize) -> indicatif::ProgressBar {
    if !on {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} checks [{bar:40}] {elapsed}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
