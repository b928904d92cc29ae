//! The `cloudservers-provider` command: a fake Rackspace cloud on a local port.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

// Most of a request's allocations are short-lived strings and maps; mimalloc serves them
// from per-thread pages instead of the system allocator's shared arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serve a fake Rackspace cloud (Cloud Servers v2, identity) from the schema.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8774")]
    listen: SocketAddr,
    /// Run on a virtual clock, moved only through the control API.
    #[arg(long)]
    virtual_clock: bool,
    /// Serve the control API under /_control.
    #[arg(long)]
    control: bool,
    /// How long each transient state lasts, in milliseconds.
    #[arg(long, default_value_t = 200)]
    step_ms: u64,
    /// How long a token lives, in seconds (default: the documented lifetime).
    #[arg(long)]
    token_lifetime: Option<u64>,
    /// A seed file (accounts, flavors, images) replacing the documented seed.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Do not enforce the documented rate limits (for load tests).
    #[arg(long)]
    no_rate_limits: bool,
    /// Switch a deliberate departure from the documents on (repeatable; `GET /_control`
    /// with `--control` lists them).
    #[arg(long, value_name = "NAME", value_parser = deviation)]
    deviation: Vec<provider::Deviation>,
    /// Keep the whole state in this SQLite file (created when missing) instead of in
    /// memory: every change is committed before it is answered, and a restart on the same
    /// file resumes where the last run stopped, clock included.
    #[arg(long, value_name = "PATH")]
    state: Option<PathBuf>,
    /// Give every account its own value of an absolute limit, as the limits calls name it
    /// (repeatable): `--account-limit maxTotalInstances=500`.
    #[arg(long, value_name = "NAME=VALUE", value_parser = account_limit)]
    account_limit: Vec<(String, i64)>,
    /// Run RackConnect and Managed Operations automation on every account's new servers
    /// (the RackConnect API answers only such servers).
    #[arg(long)]
    automation: bool,
}

fn account_limit(text: &str) -> Result<(String, i64), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("{text} is not NAME=VALUE"))?;
    let value = value.trim().parse().map_err(|e| format!("the value of {name} is not an integer: {e}"))?;
    Ok((name.trim().to_string(), value))
}

fn deviation(name: &str) -> Result<provider::Deviation, String> {
    provider::Deviation::named(name).ok_or_else(|| {
        let names: Vec<&str> = provider::Deviation::ALL.iter().map(|(_, n, _)| *n).collect();
        format!("no deviation is named {name}; one of: {}", names.join(", "))
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let mut config = provider::Config::default()
        .listen(args.listen)
        .step(Duration::from_millis(args.step_ms))
        .control(args.control)
        .automation(args.automation)
        .rate_limits(!args.no_rate_limits);
    for (name, value) in args.account_limit {
        config = config.account_limit(name, value);
    }
    for d in args.deviation {
        config = config.deviation(d);
    }
    if args.virtual_clock {
        config = config.virtual_clock();
    }
    if let Some(s) = args.token_lifetime {
        config = config.token_lifetime(Duration::from_secs(s));
    }
    if let Some(seed) = args.seed {
        config = config.seed(seed);
    }
    if let Some(state) = args.state {
        config = config.state(state);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(provider::serve(config, shutdown())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut msg = format!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}
