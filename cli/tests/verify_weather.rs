//! `mcpgen verify` end to end on the weather example: it passes as checked in, calling every tool, and each
//! deliberate break in a copy (compile error in a handler, in a generated file, a hand-edited schema, a handler
//! printing to stdout, a result that breaks its outputSchema) fails the way it should; a stub handler is reported
//! as a stub and a destructive tool is skipped.
//!
//! The copy lives in `target/nested/fixture/weather` and is reused by every test (under a lock, since
//! the tests edit it and share one built binary); its dependencies build once into `target/nested`.
//! Each test first restores the copy from the example, then applies its edit.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use mcpgen::pipeline::{LoadedSpec, load_spec};
use mcpgen::verify::{
    self, BuildOptions, Origin, Progress, Status, VerifyOptions, VerifyReport, report,
};

use support::{example, nested_target, repo_root, weather_copy};

static FIXTURE: Mutex<()> = Mutex::new(());

fn weather_spec() -> LoadedSpec {
    load_spec(&repo_root().join("specs/weather.yaml")).expect("the weather spec loads")
}

/// The weather spec with one edit, loaded as if it were the file itself (relative `file:` paths resolve).
fn weather_spec_with(from: &str, to: &str) -> LoadedSpec {
    let path = repo_root().join("specs/weather.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "{from:?} once in the spec");
    mcpgen::pipeline::load_spec_str(&path, &text.replace(from, to)).expect("the edited spec loads")
}

/// The shared copy of the example, restored to the checked-in sources, under the lock.
fn fixture() -> (MutexGuard<'static, ()>, PathBuf) {
    let guard = FIXTURE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    (guard, weather_copy("weather"))
}

/// The shared copy, under the lock, with `from` replaced (once) by `to` in its `file`.
fn edited_fixture(file: &str, from: &str, to: &str) -> (MutexGuard<'static, ()>, PathBuf) {
    let (lock, dir) = fixture();
    edit(&dir.join(file), from, to);
    (lock, dir)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} once in {}",
        path.display()
    );
    std::fs::write(path, text.replace(from, to)).unwrap();
}

fn append(path: &Path, code: &str) {
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str(code);
    std::fs::write(path, text).unwrap();
}

/// The copy verified against the weather spec: the report and its text.
fn verify_fixture(dir: &Path) -> (VerifyReport, String) {
    let report = verify_fixture_with(dir, &weather_spec(), VerifyOptions::default());
    let text = report::render_text(&report);
    (report, text)
}

fn verify_fixture_with(dir: &Path, spec: &LoadedSpec, opts: VerifyOptions) -> VerifyReport {
    let opts = VerifyOptions {
        build: BuildOptions {
            target_dir: Some(nested_target()),
            progress: Progress::Lines,
        },
        // The declared streamable HTTP mode is enough for these; both modes run in the test on the example.
        both_http_modes: false,
        ..opts
    };
    verify::verify(dir, spec, &opts).expect("verify runs")
}

/// The checks named `check`, one per transport, each with `status`; there must be some.
fn rows<'a>(report: &'a VerifyReport, check: &str, status: Status) -> Vec<&'a verify::CheckResult> {
    let text = report::render_text(report);
    let rows: Vec<_> = report.checks.iter().filter(|c| c.check == check).collect();
    assert!(!rows.is_empty(), "no {check} row:\n{text}");
    for row in &rows {
        assert_eq!(row.status, status, "{check} on {}:\n{text}", row.transport);
    }
    rows
}

const BROKEN: &str = "\nfn _verify_test_broken() -> u32 {\n    \"not a number\"\n}\n";

#[test]
fn verify_passes_on_the_weather_example() {
    // In place, through the CLI, with the spec found through the example's manifest.
    let output = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["verify", "--format", "json", "--target-dir"])
        .arg(repo_root().join("target"))
        .arg(example())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let transports: Vec<&str> = checks
        .iter()
        .map(|c| c["transport"].as_str().unwrap())
        .collect();
    for transport in [
        "stdio",
        "streamable-http (stateful)",
        "streamable-http (stateless, json)",
    ] {
        assert!(transports.contains(&transport), "{transport}: {stdout}");
    }
    for check in [
        "initialize",
        "tools/list",
        "tools/call list_cities",
        "tools/call get_forecast",
        "tools/call convert_temperature",
        "tools/call climate_report",
        "resources/read",
        "prompts/get",
        "stdout",
    ] {
        assert!(
            checks.iter().any(|c| c["check"] == check),
            "{check}: {stdout}"
        );
    }
    assert!(checks.iter().all(|c| c["status"] == "pass"), "{stdout}");
}

#[test]
fn compile_error_in_a_handler_is_the_users() {
    let (_lock, dir) = fixture();
    append(&dir.join("src/tools/convert_temperature.rs"), BROKEN);
    let (report, text) = verify_fixture(&dir);
    assert!(!report.build.success && report.checks.is_empty());
    let user: Vec<_> = report.build.errors_from(Origin::User).collect();
    assert_eq!(user.len(), 1, "{:#?}", report.build.errors);
    assert!(
        user[0]
            .file
            .as_deref()
            .unwrap()
            .ends_with("src/tools/convert_temperature.rs")
    );
    assert!(user[0].rendered.contains("mismatched types"));
    assert_eq!(report.build.errors_from(Origin::Generated).count(), 0);
    assert!(text.contains("Errors in your code"), "{text}");
    assert!(!text.contains("bug in mcpgen"), "{text}");
}

#[test]
fn compile_error_in_generated_code_is_reported_as_an_mcpgen_bug() {
    let (_lock, dir) = fixture();
    append(&dir.join("src/generated/tools.rs"), BROKEN);
    let (report, text) = verify_fixture(&dir);
    assert!(!report.build.success);
    let generated: Vec<_> = report.build.errors_from(Origin::Generated).collect();
    assert_eq!(generated.len(), 1, "{:#?}", report.build.errors);
    assert!(
        generated[0]
            .file
            .as_deref()
            .unwrap()
            .ends_with("src/generated/tools.rs")
    );
    assert_eq!(report.build.errors_from(Origin::User).count(), 0);
    assert!(text.contains("this is a bug in mcpgen"), "{text}");
    assert!(text.contains(verify::ISSUE_TRACKER), "{text}");
}

#[test]
fn hand_edited_schema_fails_tools_list_naming_the_difference() {
    let (_lock, dir) = edited_fixture(
        "src/generated/tools.rs",
        r#""minimum":1,"maximum":14,"default":3"#,
        r#""minimum":1,"maximum":15,"default":3"#,
    );
    let (report, text) = verify_fixture(&dir);
    assert!(report.build.success, "{text}");
    assert!(!report.passed());
    for check in &report.checks {
        if check.check == "tools/list" {
            assert_eq!(check.status, Status::Fail, "{text}");
            let d = check.difference.as_ref().unwrap();
            assert_eq!(
                d.path,
                "/tools/get_forecast/inputSchema/properties/days/maximum"
            );
            assert_eq!(d.got, Some(serde_json::json!(15)));
            assert_eq!(d.want, Some(serde_json::json!(14)));
        } else {
            assert_eq!(check.status, Status::Pass, "{text}");
        }
    }
    assert!(
        text.contains(
            "FAIL tools/list on stdio, streamable-http (stateful), sse: \
             /tools/get_forecast/inputSchema/properties/days/maximum"
        ),
        "{text}"
    );
}

#[test]
fn handler_printing_to_stdout_fails_on_stdio() {
    let (_lock, dir) = edited_fixture(
        "src/prompts/packing_list.rs",
        "    let state = ctx.state();\n",
        "    println!(\"packing for {}\", args.city);\n    let state = ctx.state();\n",
    );
    // Through the CLI: the spec comes from the fixture's manifest, and the exit code must say failure.
    let output = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["verify", "--declared-http-mode-only", "--target-dir"])
        .arg(nested_target())
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("FAIL stdout on stdio: /stdout\n  got:  \"packing for sample-city\""),
        "{stdout}"
    );
    // The stray line is filtered out, so the protocol checks themselves still pass.
    let prompts_get = stdout
        .lines()
        .find(|l| l.starts_with("prompts/get "))
        .unwrap();
    assert_eq!(
        prompts_get.split_whitespace().collect::<Vec<_>>(),
        ["prompts/get", "pass", "pass", "pass"],
        "{stdout}"
    );
}

#[test]
fn a_result_that_breaks_the_output_schema_fails_the_tool_call() {
    // rainChance is declared within 0..=1.
    let (_lock, dir) = edited_fixture(
        "src/tools/get_forecast.rs",
        "rain_chance: forecast.rain_chance,",
        "rain_chance: forecast.rain_chance + 5.0,",
    );
    let (report, text) = verify_fixture(&dir);
    assert!(!report.passed(), "{text}");
    for row in rows(&report, "tools/call get_forecast", Status::Fail) {
        let note = row.note.as_deref().unwrap();
        assert!(note.contains("outputSchema"), "{note}");
    }
    rows(&report, "tools/call list_cities", Status::Pass);
    assert!(
        text.contains("FAIL tools/call get_forecast on stdio, "),
        "{text}"
    );
}

#[test]
fn a_stub_handler_is_reported_as_a_stub() {
    // What `mcpgen new` writes (templates/crate/tool.rs.tera), as the body of an implemented handler.
    let (_lock, dir) = edited_fixture(
        "src/tools/convert_temperature.rs",
        "    ctx.state().record_tool_call();\n",
        "    ctx.state().record_tool_call();\n    if true {\n        return Err(ToolError::not_implemented(\"convert_temperature\"));\n    }\n",
    );
    let (report, text) = verify_fixture(&dir);
    assert!(report.passed(), "a stub is not a failure:\n{text}");
    rows(&report, "tools/call convert_temperature", Status::Stub);
    assert!(
        text.contains(
            "stub tools/call convert_temperature on stdio, streamable-http (stateful), sse: \
                       tool 'convert_temperature' is not implemented yet"
        ),
        "{text}"
    );
}

#[test]
fn a_destructive_tool_is_called_only_when_asked() {
    // climate_report becomes destructive in the served definition and in the spec alike.
    let (_lock, dir) = edited_fixture(
        "src/generated/tools.rs",
        r#"{"readOnlyHint":true,"openWorldHint":false}"#,
        r#"{"readOnlyHint":true,"destructiveHint":true,"openWorldHint":false}"#,
    );
    let spec = weather_spec_with(
        "annotations: {readOnlyHint: true, openWorldHint: false}",
        "annotations: {readOnlyHint: true, destructiveHint: true, openWorldHint: false}",
    );
    let report = verify_fixture_with(&dir, &spec, VerifyOptions::default());
    let text = report::render_text(&report);
    assert!(report.passed(), "{text}");
    for row in rows(&report, "tools/call climate_report", Status::Skip) {
        assert!(row.note.as_deref().unwrap().contains("--call-destructive"));
    }
    rows(&report, "tools/call get_forecast", Status::Pass);
    let opts = VerifyOptions {
        call_destructive: true,
        ..VerifyOptions::default()
    };
    let report = verify_fixture_with(&dir, &spec, opts);
    rows(&report, "tools/call climate_report", Status::Pass);
}
