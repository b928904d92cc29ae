//! The command line stops cleanly when its reader goes away (`cloudservers-codegen rust | head -1`): status 0
//! and nothing on stderr, not a "failed printing to stdout" panic.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_pipe_ends_the_command_cleanly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudservers-codegen"))
        .arg("rust")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("the command writes its output");
    // Close the pipe after a few bytes, well before the output (far over a pipe buffer) ends.
    drop(stdout);
    let out = child.wait_with_output().expect("the command ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("failed printing"), "stderr: {stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(out.status.code(), Some(0), "status {:?}, stderr: {stderr}", out.status);
}

#[test]
fn the_whole_output_is_longer_than_a_pipe_buffer() {
    // Otherwise the test above could pass by writing everything before the pipe closes.
    let out = Command::new(env!("CARGO_BIN_EXE_cloudservers-codegen")).arg("rust").output().expect("the command runs");
    assert!(out.status.success());
    assert!(out.stdout.len() > 256 << 10, "only {} bytes", out.stdout.len());
}
