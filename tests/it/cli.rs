//! The binary starts, answers `--version` and `--help`.

use std::process::Command;

/// Path of the `silica` binary built for these tests.
pub fn silica() -> Command {
    Command::new(env!("CARGO_BIN_EXE_silica"))
}

#[test]
fn version_and_help() {
    let out = silica().arg("--version").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.starts_with("silica "), "{s}");
    let out = silica().arg("--help").output().unwrap();
    assert!(out.status.success());
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    use std::io::Read;
    use std::process::Stdio;
    // Like `silica presets | head -c 10`: the reader goes away after a few bytes.
    let mut child = silica()
        .arg("presets")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped (closed) here; the child's next write fails with EPIPE.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?} {stderr}", out.status);
}

#[test]
fn no_subcommand_prints_help() {
    let out = silica().output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: silica"));
}
