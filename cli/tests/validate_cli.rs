//! The `validate`, `init` and `schema` commands as a user runs them: output, exit codes, files written.

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{mcpgen, repo_root};

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcpgen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn valid_specs_exit_zero() {
    let out = mcpgen(
        &["validate", "specs/minimal.yaml", "specs/weather.yaml"],
        &repo_root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        stdout(&out),
        "specs/minimal.yaml: ok\nspecs/weather.yaml: ok\n"
    );
}

#[test]
fn any_error_in_any_file_exits_one_and_all_files_are_reported() {
    let out = mcpgen(
        &[
            "validate",
            "tests/invalid/unknown-key.yaml",
            "specs/minimal.yaml",
            "tests/invalid/port-zero.yaml",
        ],
        &repo_root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("tests/invalid/unknown-key.yaml:"), "{text}");
    assert!(text.contains("specs/minimal.yaml: ok"), "{text}");
    assert!(text.contains("error[port-invalid]"), "{text}");
    assert!(text.contains("= help:"), "{text}");
}

#[test]
fn warnings_alone_exit_zero() {
    let out = mcpgen(
        &[
            "validate",
            "tests/invalid/warn-tool-description-missing.yaml",
        ],
        &repo_root(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("warning[tool-description-missing]"));
}

#[test]
fn json_format_lists_every_diagnostic_with_its_location() {
    let out = mcpgen(
        &[
            "validate",
            "--format",
            "json",
            "tests/invalid/unknown-key.yaml",
        ],
        &repo_root(),
    );
    assert_eq!(out.status.code(), Some(1));
    let diags: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let d = &diags.as_array().unwrap()[0];
    assert_eq!(d["file"], "tests/invalid/unknown-key.yaml");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "unknown-key");
    for key in ["line", "column", "endLine", "endColumn"] {
        assert!(d[key].as_u64().is_some_and(|n| n > 0), "{key} in {d}");
    }
    assert!(d["pointer"].as_str().unwrap().starts_with('/'));
    assert!(d["hint"].as_str().unwrap().contains("did you mean"));

    let ok = mcpgen(
        &["validate", "--format", "json", "specs/minimal.yaml"],
        &repo_root(),
    );
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&ok.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn unreadable_file_is_an_error() {
    let out = mcpgen(&["validate", "no/such/spec.yaml"], &repo_root());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("error[file-unreadable]: cannot read the spec")
            && stdout(&out).contains("--> no/such/spec.yaml\n"),
        "{}",
        stdout(&out)
    );
}

/// Runs `mcpgen args...` with `input` on its standard input.
fn mcpgen_stdin(args: &[&str], cwd: &Path, input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mcpgen");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn dash_validates_the_spec_on_standard_input() {
    let root = repo_root();
    let valid = std::fs::read_to_string(root.join("specs/minimal.yaml")).unwrap();
    let out = mcpgen_stdin(&["validate", "-"], &root, &valid);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "<stdin>: ok\n");

    let invalid = std::fs::read_to_string(root.join("tests/invalid/port-zero.yaml")).unwrap();
    let out = mcpgen_stdin(&["validate", "-", "specs/minimal.yaml"], &root, &invalid);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.starts_with("error[port-invalid]") && text.contains(" --> <stdin>:9:27\n"),
        "{text}"
    );
    assert!(
        text.contains("<stdin>: 1 error\nspecs/minimal.yaml: ok\n"),
        "{text}"
    );

    let json = mcpgen_stdin(&["validate", "--format", "json", "-"], &root, &invalid);
    let diags: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(diags[0]["file"], "<stdin>", "{diags}");

    let twice = mcpgen_stdin(&["validate", "-", "-"], &root, &valid);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("only once"));
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(mcpgen(&["validate"], &repo_root()).status.code(), Some(2));
    assert_eq!(
        mcpgen(&["validate", "--format", "xml", "x.yaml"], &repo_root())
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        mcpgen(&["init", "--name", "Not Valid"], &repo_root())
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn init_writes_a_valid_spec_and_never_overwrites() {
    let dir = scratch("init");
    let out = mcpgen(&["init", "--name", "notes"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("mcpgen.yaml");
    let written = std::fs::read_to_string(&path).unwrap();
    let loaded = mcpgen::pipeline::load_spec(&path)
        .unwrap_or_else(|d| panic!("starter spec is invalid: {d:?}"));
    assert_eq!(loaded.spec.server.name, "notes");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(written.contains("# "), "the starter spec is commented");

    let again = mcpgen(&["init", "--name", "other"], &dir);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        written,
        "existing file untouched"
    );

    // Default name: the folder's name when valid; custom output path.
    let named = dir.join("weather-station");
    std::fs::create_dir(&named).unwrap();
    let out = mcpgen(&["init", "--output", "weather-station/spec.yaml"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let loaded = mcpgen::pipeline::load_spec(&named.join("spec.yaml")).unwrap();
    assert_eq!(loaded.spec.server.name, "weather-station");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn init_writes_the_schema_the_starter_spec_points_to() {
    let dir = scratch("init-schema");
    let out = mcpgen(&["init"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["mcpgen.schema.json", "mcpgen.yaml"]);
    let spec = std::fs::read_to_string(dir.join("mcpgen.yaml")).unwrap();
    assert!(spec.contains("# yaml-language-server: $schema=./mcpgen.schema.json\n"));
    let schema = std::fs::read_to_string(dir.join("mcpgen.schema.json")).unwrap();
    assert_eq!(schema, stdout(&mcpgen(&["schema"], &dir)));
    let validated = mcpgen(&["validate", "mcpgen.yaml"], &dir);
    assert_eq!(stdout(&validated), "mcpgen.yaml: ok\n");

    // A second spec in the same folder shares the schema: identical, so nothing to say.
    let out = mcpgen(&["init", "--output", "second.yaml"], &dir);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A schema that differs (the user's, or an older mcpgen's) is never overwritten, but is pointed out.
    std::fs::write(dir.join("mcpgen.schema.json"), "{}\n").unwrap();
    let out = mcpgen(&["init", "--output", "third.yaml"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mcpgen.schema.json exists and differs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mcpgen schema > mcpgen.schema.json"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("mcpgen.schema.json")).unwrap(),
        "{}\n"
    );

    // Beside the spec, wherever it goes.
    std::fs::create_dir(dir.join("sub")).unwrap();
    assert_eq!(
        mcpgen(&["init", "--output", "sub/spec.yaml"], &dir)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/mcpgen.schema.json")).unwrap(),
        schema
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let out = mcpgen(&["schema"], &repo_root());
    assert_eq!(out.status.code(), Some(0));
    let file = std::fs::read_to_string(repo_root().join("specs/mcpgen.schema.json")).unwrap();
    assert_eq!(stdout(&out), file);
}
