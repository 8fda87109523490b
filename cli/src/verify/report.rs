//! Rendering verify results for people: compile errors grouped by who fixes them, then a check x transport
//! table and the first difference of each failure.

use std::fmt::Write as _;

use serde_json::Value;

use super::{BuildReport, CheckResult, ISSUE_TRACKER, Origin, Status, VerifyReport};

/// The compile errors of a failed build, grouped: the user's code first, then mcpgen's, then the rest.
/// Empty when the build succeeded.
pub fn render_build(build: &BuildReport) -> String {
    let mut out = String::new();
    if build.success {
        return out;
    }
    let groups = [
        (
            Origin::User,
            "Errors in your code (outside src/generated/):".to_owned(),
        ),
        (
            Origin::Generated,
            format!(
                "Errors in mcpgen's generated code (src/generated/): this is a bug in mcpgen, not in your code.\n\
                 Please report it to {ISSUE_TRACKER} with your spec and the errors below."
            ),
        ),
        (Origin::Other, "Other build errors:".to_owned()),
    ];
    for (origin, heading) in groups {
        let errors: Vec<_> = build.errors_from(origin).collect();
        if errors.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{heading}\n");
        for error in errors {
            out.push_str(error.rendered.trim_end());
            out.push_str("\n\n");
        }
    }
    if let Some(stderr) = &build.cargo_stderr {
        let _ = writeln!(out, "cargo failed:\n{}", stderr.trim_end());
    }
    let count = |o| build.errors_from(o).count();
    let _ = writeln!(
        out,
        "build failed: {} error(s) in your code, {} in generated code, {} other",
        count(Origin::User),
        count(Origin::Generated),
        count(Origin::Other)
    );
    out
}

/// The whole report: build errors, or the results table followed by one line per failure.
pub fn render_text(report: &VerifyReport) -> String {
    let mut out = render_build(&report.build);
    if !report.build.success {
        return out;
    }
    if report.build.warnings > 0 {
        let _ = writeln!(
            out,
            "built with {} warning(s) (run cargo build to see them)",
            report.build.warnings
        );
    }
    out.push_str(&table(&report.checks));
    // One line per finding, naming every transport where it is the same (a tool's skip note, say, repeats on
    // each transport).
    let mut findings: Vec<(&CheckResult, Vec<&str>)> = Vec::new();
    for check in report.checks.iter().filter(|c| c.status != Status::Pass) {
        match findings
            .iter_mut()
            .find(|(first, _)| same_finding(first, check))
        {
            Some((_, transports)) => transports.push(&check.transport),
            None => findings.push((check, vec![&check.transport])),
        }
    }
    if !findings.is_empty() {
        out.push('\n');
    }
    for (check, transports) in findings {
        let _ = write!(
            out,
            "{} {} on {}",
            word(check.status),
            check.check,
            transports.join(", ")
        );
        if let Some(d) = &check.difference {
            let _ = write!(
                out,
                ": {}\n  got:  {}\n  want: {}",
                d.path,
                show(d.got.as_ref()),
                show(d.want.as_ref())
            );
        }
        if let Some(note) = &check.note {
            let _ = write!(out, ": {}", note.replace('\n', "\n  "));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "\n{}",
        if report.passed() {
            "verify: ok"
        } else {
            "verify: FAILED"
        }
    );
    out
}

/// Rows are checks, columns transports, both in first-seen order.
fn table(checks: &[CheckResult]) -> String {
    let mut rows: Vec<&str> = Vec::new();
    let mut columns: Vec<&str> = Vec::new();
    for check in checks {
        if !rows.contains(&check.check.as_str()) {
            rows.push(&check.check);
        }
        if !columns.contains(&check.transport.as_str()) {
            columns.push(&check.transport);
        }
    }
    let cell = |row: &str, column: &str| {
        checks
            .iter()
            .find(|c| c.check == row && c.transport == column)
            .map_or("-", |c| word(c.status))
    };
    let first = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(5);
    let mut out = format!("{:first$}", "check");
    for column in &columns {
        let _ = write!(out, "  {column}");
    }
    out.push('\n');
    for row in &rows {
        let _ = write!(out, "{row:first$}");
        for column in &columns {
            let _ = write!(out, "  {:width$}", cell(row, column), width = column.len());
        }
        out.push('\n');
    }
    out
}

fn same_finding(a: &CheckResult, b: &CheckResult) -> bool {
    a.check == b.check && a.status == b.status && a.difference == b.difference && a.note == b.note
}

fn word(status: Status) -> &'static str {
    match status {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::Skip => "skip",
        Status::Stub => "stub",
    }
}

fn show(value: Option<&Value>) -> String {
    let Some(value) = value else {
        return "(absent)".into();
    };
    let text = value.to_string();
    if text.chars().count() > 300 {
        format!("{}...", text.chars().take(300).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{CompilerError, Difference};
    use serde_json::json;

    fn build(success: bool, errors: Vec<CompilerError>) -> BuildReport {
        BuildReport {
            success,
            binary: None,
            errors,
            warnings: 0,
            cargo_stderr: None,
            units: 0,
        }
    }

    #[test]
    fn build_errors_are_grouped_with_a_plain_bug_notice() {
        let error = |origin, text: &str| CompilerError {
            origin,
            file: None,
            rendered: text.into(),
        };
        let text = render_build(&build(
            false,
            vec![
                error(Origin::Generated, "error[E0308]: in tools.rs"),
                error(Origin::User, "error[E0425]: in hello.rs"),
            ],
        ));
        let user = text.find("Errors in your code").unwrap();
        let generated = text.find("bug in mcpgen").unwrap();
        assert!(user < text.find("in hello.rs").unwrap());
        assert!(generated > user && text.find("in tools.rs").unwrap() > generated);
        assert!(text.contains(ISSUE_TRACKER));
        assert!(text.contains("1 error(s) in your code, 1 in generated code"));
        assert_eq!(render_build(&build(true, vec![])), "");
    }

    #[test]
    fn table_and_first_difference() {
        let report = VerifyReport {
            build: build(true, vec![]),
            checks: vec![
                CheckResult::pass("tools/list", "stdio"),
                CheckResult::differs(
                    "tools/list",
                    "streamable-http (stateful)",
                    Difference {
                        path: "/tools/a/description".into(),
                        got: Some(json!("x")),
                        want: None,
                    },
                ),
            ],
        };
        let text = render_text(&report);
        assert!(text.contains("tools/list  pass   FAIL"), "{text}");
        let skip = |transport| CheckResult::skip("tools/call x", transport, "same");
        let grouped = render_text(&VerifyReport {
            build: build(true, vec![]),
            checks: vec![
                skip("stdio"),
                skip("sse"),
                CheckResult::stub("tools/call y", "sse", "todo"),
            ],
        });
        assert!(
            grouped.contains(
                "skip tools/call x on stdio, sse: same\nstub tools/call y on sse: todo\n"
            ),
            "{grouped}"
        );
        assert!(grouped.ends_with("verify: ok\n"));
        assert!(text.contains("FAIL tools/list on streamable-http (stateful): /tools/a/description\n  got:  \"x\"\n  want: (absent)"), "{text}");
        assert!(text.ends_with("verify: FAILED\n"));
    }
}
