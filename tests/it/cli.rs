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
