//! The global output flags on validate, generate and new: `-q` (errors and the command's product only), `-v`
//! (more), `--color` with NO_COLOR / CLICOLOR_FORCE, and `--format json` for editors and agents.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use support::repo_root;

fn mcpgen_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mcpgen"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run mcpgen")
}

fn mcpgen(args: &[&str], cwd: &Path) -> Output {
    mcpgen_env(args, cwd, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `error` of a failed run's JSON report, checked to say `ok: false`.
fn json_error(out: &Output) -> String {
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(report["ok"], false, "{report}");
    let error = report["error"].as_str();
    error
        .unwrap_or_else(|| panic!("no error: {report}"))
        .to_owned()
}

fn spec(name: &str) -> String {
    repo_root().join(name).to_str().unwrap().to_owned()
}

/// A crate made by `mcpgen new --no-verify` from specs/minimal.yaml, in a fresh folder.
fn new_crate() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("c");
    let out = mcpgen(
        &[
            "new",
            &spec("specs/minimal.yaml"),
            "--out",
            dir.to_str().unwrap(),
            "--no-verify",
        ],
        tmp.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, dir)
}

#[test]
fn validate_quiet_prints_errors_only_and_verbose_prints_timings() {
    let root = repo_root();
    let warning = spec("tests/invalid/warn-tool-description-missing.yaml");
    let error = spec("tests/invalid/env-duplicate.yaml");

    let normal = mcpgen(&["validate", &warning], &root);
    assert!(stdout(&normal).contains("warning[tool-description-missing]"));
    assert!(stdout(&normal).contains(": ok, 1 warning"));

    let quiet = mcpgen(&["validate", "-q", &warning, &error], &root);
    assert_eq!(quiet.status.code(), Some(1));
    let text = stdout(&quiet);
    assert!(text.contains("error[env-duplicate]"), "{text}");
    assert!(!text.contains("warning"), "{text}");
    assert!(
        !text.contains(": ok") && !text.contains("1 error"),
        "{text}"
    );

    let verbose = mcpgen(&["validate", &warning, "--verbose"], &root);
    assert!(
        stdout(&verbose).contains("checked in"),
        "{}",
        stdout(&verbose)
    );

    let clash = mcpgen(&["validate", "-q", "-v", &warning], &root);
    assert_eq!(clash.status.code(), Some(2), "-q and -v conflict");
}

#[test]
fn color_follows_the_flag_then_no_color_then_the_terminal() {
    let root = repo_root();
    let error = spec("tests/invalid/env-duplicate.yaml");
    let has_escape = |env: &[(&str, &str)], color: &str| {
        let out = mcpgen_env(&["validate", "--color", color, &error], &root, env);
        assert_eq!(out.status.code(), Some(1));
        stdout(&out).contains('\x1b')
    };
    // Piped: no colour unless forced.
    assert!(!has_escape(&[], "auto"));
    assert!(has_escape(&[], "always"));
    assert!(has_escape(&[("CLICOLOR_FORCE", "1")], "auto"));
    assert!(!has_escape(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        "auto"
    ));
    assert!(!has_escape(&[("CLICOLOR_FORCE", "1")], "never"));
    // Coloured or not, the same text once the escape codes are taken out.
    let plain = stdout(&mcpgen(&["validate", &error], &root));
    let coloured = stdout(&mcpgen(&["validate", "--color=always", &error], &root));
    let mut stripped = String::new();
    let mut rest = coloured.as_str();
    while let Some(i) = rest.find('\x1b') {
        stripped.push_str(&rest[..i]);
        rest = &rest[i + rest[i..].find('m').unwrap() + 1..];
    }
    stripped.push_str(rest);
    assert_eq!(stripped, plain);
    // JSON never has colour.
    let json = mcpgen(
        &["validate", "--color=always", "--format=json", &error],
        &root,
    );
    assert!(!stdout(&json).contains('\x1b'));
}

#[test]
fn generate_quiet_prints_nothing_and_verbose_lists_unchanged_files() {
    let (tmp, dir) = new_crate();
    let dir_arg = dir.to_str().unwrap();
    let normal = mcpgen(&["generate", dir_arg], tmp.path());
    assert!(
        stdout(&normal).contains("is up to date"),
        "{}",
        stdout(&normal)
    );

    let quiet = mcpgen(&["-q", "generate", dir_arg], tmp.path());
    assert!(quiet.status.success());
    assert_eq!(stdout(&quiet), "");
    assert_eq!(stderr(&quiet), "");

    let verbose = mcpgen(&["generate", "-v", dir_arg], tmp.path());
    let text = stdout(&verbose);
    assert!(text.contains("unchanged: src/generated/tools.rs"), "{text}");
    assert!(text.contains("unchanged: src/tools/add.rs"), "{text}");
    assert!(
        stderr(&verbose).contains("generated in"),
        "{}",
        stderr(&verbose)
    );

    // -q keeps what the command is for: the diff.
    std::fs::write(dir.join("src/generated/mod.rs"), "// gone\n").unwrap();
    let diff = mcpgen(&["generate", "--diff", "-q", dir_arg], tmp.path());
    assert!(
        stdout(&diff).contains("+++ b/src/generated/mod.rs"),
        "{}",
        stdout(&diff)
    );
}

#[test]
fn generate_json_lists_every_file_with_its_owner() {
    let (tmp, dir) = new_crate();
    let dir_arg = dir.to_str().unwrap();
    std::fs::remove_file(dir.join("src/generated/tools.rs")).unwrap();
    let out = mcpgen(&["generate", "--format", "json", dir_arg], tmp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON object");
    assert_eq!(report["ok"], true);
    assert_eq!(report["mode"], "write");
    assert_eq!(report["upToDate"], false);
    let file = |path: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("{path} missing from {report}"))
            .clone()
    };
    assert_eq!(
        file("src/generated/tools.rs"),
        serde_json::json!({"path": "src/generated/tools.rs", "action": "created", "owner": "generated"})
    );
    assert_eq!(file("src/tools/add.rs")["action"], "unchanged");
    assert_eq!(file("src/tools/add.rs")["owner"], "user");
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    assert!(dir.join("src/generated/tools.rs").is_file(), "written");

    // --check: nothing written, ok false while out of date, the diff per file with --diff.
    std::fs::write(dir.join("src/generated/mod.rs"), "// gone\n").unwrap();
    let check = mcpgen(
        &["generate", "--check", "--format=json", dir_arg],
        tmp.path(),
    );
    assert_eq!(check.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(
        (report["ok"].clone(), report["mode"].clone()),
        (false.into(), "check".into())
    );
    assert_eq!(
        report["handEdited"],
        serde_json::json!(["src/generated/mod.rs"])
    );
    let diff = mcpgen(
        &["generate", "--diff", "--format=json", dir_arg],
        tmp.path(),
    );
    let report: Value = serde_json::from_slice(&diff.stdout).unwrap();
    let changed: Vec<&Value> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] != "unchanged")
        .collect();
    assert_eq!(changed.len(), 1, "{report}");
    assert!(changed[0]["diff"].as_str().unwrap().contains("-// gone"));
}

#[test]
fn generate_json_reports_spec_diagnostics_in_validates_shape() {
    let (tmp, dir) = new_crate();
    let broken = tmp.path().join("broken.yaml");
    std::fs::copy(
        repo_root().join("tests/invalid/env-duplicate.yaml"),
        &broken,
    )
    .unwrap();
    let out = mcpgen(
        &[
            "generate",
            dir.to_str().unwrap(),
            "--spec",
            broken.to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let validate = mcpgen(
        &["validate", "--format", "json", broken.to_str().unwrap()],
        tmp.path(),
    );
    let expected: Value = serde_json::from_slice(&validate.stdout).unwrap();
    assert_eq!(report["diagnostics"], expected);
    assert_eq!(
        stderr(&out),
        "",
        "JSON mode keeps the diagnostics out of stderr"
    );

    let missing = mcpgen(&["generate", "--format=json", "no/such/dir"], tmp.path());
    let error = json_error(&missing);
    assert!(error.contains("no/such/dir"), "{error}");
}

#[test]
fn new_quiet_verbose_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let minimal = spec("specs/minimal.yaml");
    let run = |flags: &[&str], out: &str| {
        let mut args = vec!["new", minimal.as_str(), "--no-verify", "--out", out];
        args.extend_from_slice(flags);
        mcpgen(&args, tmp.path())
    };
    let quiet = run(&["-q"], "quiet");
    assert!(quiet.status.success());
    assert_eq!(
        (stdout(&quiet), stderr(&quiet)),
        (String::new(), String::new())
    );
    assert!(tmp.path().join("quiet/src/tools/add.rs").is_file());

    let verbose = run(&["-v"], "verbose");
    let text = stdout(&verbose);
    assert!(text.contains("created: src/tools/add.rs"), "{text}");
    assert!(text.contains("created: Cargo.toml"), "{text}");

    let json = run(&["--format", "json"], "json");
    assert!(json.status.success());
    let report: Value = serde_json::from_slice(&json.stdout).expect("one JSON object");
    assert_eq!(report["ok"], true);
    assert_eq!(report["dir"], "json");
    assert_eq!(report["check"], Value::Null, "--no-verify");
    let files = report["files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["action"] == "created"));
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "src/tools/add.rs" && f["owner"] == "user")
    );
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "src/generated/mod.rs" && f["owner"] == "generated")
    );

    let refused = run(&["--format", "json"], "json");
    assert_eq!(refused.status.code(), Some(1));
    let error = json_error(&refused);
    assert!(error.contains("is not empty"), "{error}");
}

/// The flags are global: every command takes them, and -q keeps only what the command is for.
#[test]
fn quiet_on_the_other_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let init = mcpgen(&["init", "-q"], tmp.path());
    assert!(init.status.success(), "{}", stderr(&init));
    assert_eq!(
        (stdout(&init), stderr(&init)),
        (String::new(), String::new())
    );
    assert!(tmp.path().join("mcpgen.yaml").is_file());

    let minimal = spec("specs/minimal.yaml");
    let same = mcpgen(&["breaking", "-q", &minimal, &minimal], tmp.path());
    assert!(same.status.success());
    assert_eq!(stdout(&same), "", "no breaking changes: nothing to say");
    let normal = mcpgen(&["breaking", &minimal, &minimal], tmp.path());
    assert!(stdout(&normal).contains("No breaking changes"));

    let schema = mcpgen(&["schema", "-q"], tmp.path());
    assert!(
        stdout(&schema).starts_with('{'),
        "the schema is the product"
    );
    for command in [
        &["schema", "-v"][..],
        &["man", "--color", "never"],
        &["completions", "bash", "-q"],
    ] {
        assert!(mcpgen(command, tmp.path()).status.success(), "{command:?}");
    }
}
