//! What the command lines of this workspace share: logging to stderr and writing their
//! output to stdout.

use std::io::{self, Write};
use std::process::ExitCode;

/// Logs to stderr (stdout carries the output), filtered by `RUST_LOG` (`RUST_LOG=debug`,
/// `RUST_LOG=cloudservers_schema=trace`); warnings and errors only without it.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Another subscriber already installed is not an error.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::IsTerminal::is_terminal(&io::stderr()))
        .try_init();
}

/// Writes a command's output to stdout. A reader that goes away early (`schema export |
/// head -1`) is not an error: on a closed pipe (`BrokenPipe`) the command stops writing and
/// exits with status 0, printing nothing (Rust ignores `SIGPIPE`, so the write fails
/// instead of killing the process; status 0 keeps `set -o pipefail` pipelines that stop
/// reading early passing). Any other write error is reported and exits with status 1.
pub fn emit(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> ExitCode {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}
