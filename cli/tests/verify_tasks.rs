//! `mcpgen verify` on the `tasks` example (issue #21): `execution` in `tools/list` and the `tasks` capability,
//! which the rmcp client cannot see, checked in a raw 2025-11-25 session over stdio, and one task-augmented call
//! per task-enabled tool; the same calls as SEP-2663 tasks in a 2026-07-28 session of rmcp's client; a spec
//! that says otherwise than the server fails the `execution` check.

mod support;

use mcpgen::pipeline::{LoadedSpec, load_spec_str};
use mcpgen::verify::{self, BuildOptions, Progress, Status, VerifyOptions, VerifyReport, report};

use support::repo_root;

/// The tasks spec with the edits, loaded as if it were the file itself.
fn spec_with(edits: &[(&str, &str)]) -> LoadedSpec {
    let path = repo_root().join("specs/tasks.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "{from:?} once in the spec");
        text = text.replace(from, to);
    }
    load_spec_str(&path, &text).expect("the spec loads")
}

fn verify_example(spec: &LoadedSpec) -> VerifyReport {
    let opts = VerifyOptions {
        build: BuildOptions {
            target_dir: Some(repo_root().join("target")),
            progress: Progress::Lines,
        },
        both_http_modes: false,
        ..VerifyOptions::default()
    };
    verify::verify(&repo_root().join("generated-examples/tasks"), spec, &opts).expect("verify runs")
}

fn status(report: &VerifyReport, check: &str, transport: &str) -> Status {
    report
        .checks
        .iter()
        .find(|c| c.check == check && c.transport.starts_with(transport))
        .unwrap_or_else(|| {
            panic!(
                "no {check} on {transport}:\n{}",
                report::render_text(report)
            )
        })
        .status
}

#[test]
fn verify_checks_execution_and_runs_each_task_tool_as_a_task() {
    let report = verify_example(&spec_with(&[]));
    let text = report::render_text(&report);
    assert!(report.passed(), "{text}");
    for check in [
        "capabilities.tasks",
        "tools/list execution",
        "task tools/call simulate-research-query",
        "task tools/call wait",
    ] {
        assert_eq!(
            status(&report, check, "stdio (tasks, 2025-11-25)"),
            Status::Pass,
            "{check}:\n{text}"
        );
    }
    // The same tools as SEP-2663 tasks, through rmcp's own 2026-07-28 client.
    for check in [
        "capabilities.extensions tasks",
        "task tools/call simulate-research-query",
        "task tools/call wait",
    ] {
        assert_eq!(
            status(&report, check, "stdio (tasks, 2026-07-28)"),
            Status::Pass,
            "{check}:\n{text}"
        );
    }
    // A required tool refuses plain calls by design: not a failure.
    assert_eq!(
        status(&report, "tools/call simulate-research-query", "stdio"),
        Status::Skip,
        "{text}"
    );

    // The spec says `wait` may not run as a task; the server (built from the real spec) says it may.
    let report = verify_example(&spec_with(&[(
        "taskSupport: optional",
        "taskSupport: forbidden",
    )]));
    let text = report::render_text(&report);
    assert!(!report.passed(), "{text}");
    let row = report
        .checks
        .iter()
        .find(|c| c.check == "tools/list execution")
        .unwrap();
    assert_eq!(row.status, Status::Fail, "{text}");
    let difference = row.difference.as_ref().expect("a difference");
    assert!(difference.path.contains("wait"), "{difference:?}");
}
