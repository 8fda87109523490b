//! Every command whose standard output is closed under it (`mcpgen generate --diff | head -1`) exits quietly
//! with 141, as a program the shell's SIGPIPE ended would, instead of panicking with exit code 101.

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::repo_root;

/// Runs `mcpgen args...` with standard output a pipe whose reading end is already closed, so the first write
/// fails with a broken pipe no matter how little the command prints or how fast the test is.
fn run_closed(args: &[&str], cwd: &Path) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn assert_quiet_exit(args: &[&str], cwd: &Path) {
    let out = run_closed(args, cwd);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "mcpgen {args:?}: {stderr}"
    );
    assert_eq!(out.status.code(), Some(141), "mcpgen {args:?}: {stderr}");
}

#[test]
fn every_command_exits_quietly_when_its_stdout_is_closed() {
    let root = repo_root();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();

    assert_quiet_exit(&["schema"], &root);
    assert_quiet_exit(&["completions", "bash"], &root);
    assert_quiet_exit(&["man"], &root);
    assert_quiet_exit(&["validate", "specs/minimal.yaml"], &root);
    assert_quiet_exit(
        &[
            "validate",
            "--format",
            "json",
            "tests/invalid/port-zero.yaml",
        ],
        &root,
    );
    assert_quiet_exit(
        &["breaking", "specs/minimal.yaml", "specs/weather.yaml"],
        &root,
    );
    assert_quiet_exit(
        &["init", "--output", dir.join("spec.yaml").to_str().unwrap()],
        &root,
    );
    // Both files are written before anything is printed.
    assert!(dir.join("mcpgen.schema.json").is_file());

    let krate = dir.join("crate");
    let krate = krate.to_str().unwrap();
    assert_quiet_exit(
        &["new", "specs/minimal.yaml", "--out", krate, "--no-verify"],
        &root,
    );
    // The realistic case of the issue: a diff of many files, cut short by `head`.
    let diff = [
        "generate",
        krate,
        "--diff",
        "--spec",
        "specs/everything.yaml",
    ];
    assert_quiet_exit(&diff, &root);
    assert_quiet_exit(
        &[
            "generate",
            krate,
            "--check",
            "--spec",
            "specs/everything.yaml",
        ],
        &root,
    );
    assert_quiet_exit(&["generate", krate, "--spec", "specs/weather.yaml"], &root);
    assert_quiet_exit(&["config", "generic", krate], &root);
}
