//! Diagnostics: one problem in a spec file, located at a YAML node, and its two renderings (text for people,
//! JSON for editors and agents).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How bad a diagnostic is. Errors stop the pipeline; warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A source range, 1-based, in characters; the end is exclusive (`end_column` is one past the last character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Span {
    /// A zero-width span at one position.
    pub fn point(line: usize, column: usize) -> Span {
        Span {
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }
}

/// One problem found in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case identifier of the rule (`tool-name-invalid`), for docs, tests and tools.
    pub code: &'static str,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
    pub file: PathBuf,
    /// Where in `file`; `None` when the problem is not tied to a node (an unreadable file).
    pub span: Option<Span>,
    /// JSON pointer of the offending node in the spec (`/tools/0/name`); empty for the whole document.
    pub pointer: String,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// Orders diagnostics by file, then position (unlocated first), then severity, code and message, so output is
/// stable whatever order the rules ran in.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (&a.file, a.span, a.severity, a.code, &a.message)
            .cmp(&(&b.file, b.span, b.severity, b.code, &b.message))
    });
}

/// Renders diagnostics as text: `file:LINE:COL: severity[code]: message`, a source snippet with carets under the
/// node, and `= help:` with the hint. `source_of` supplies a file's text for the snippet; without it the snippet
/// is left out.
pub fn render_text(diags: &[Diagnostic], source_of: impl Fn(&Path) -> Option<String>) -> String {
    let mut out = String::new();
    // The source split into lines once per file: looking a line up per diagnostic would be quadratic.
    let mut cached: Option<(&Path, Option<Vec<String>>)> = None;
    for diag in diags {
        if cached
            .as_ref()
            .is_none_or(|(p, _)| *p != diag.file.as_path())
        {
            let lines = source_of(&diag.file).map(|s| source_lines(&s));
            cached = Some((diag.file.as_path(), lines));
        }
        let lines = cached.as_ref().and_then(|(_, s)| s.as_deref());
        render_one(&mut out, diag, lines);
    }
    out
}

/// The lines of a source as YAML numbers them: `\r\n`, `\n` and a lone `\r` each end a line (`str::lines` keeps
/// a lone `\r`, which would show another line's text under a diagnostic).
fn source_lines(source: &str) -> Vec<String> {
    let mut lines: Vec<String> = source
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
        .map(str::to_owned)
        .collect();
    // A final `\n` leaves an empty piece; a final lone `\r` was already stripped with its line.
    if source.ends_with('\n') {
        lines.pop();
    }
    lines
}

fn render_one(out: &mut String, diag: &Diagnostic, lines: Option<&[String]>) {
    let file = diag.file.display();
    let sev = diag.severity.as_str();
    match diag.span {
        Some(span) => {
            let _ = writeln!(
                out,
                "{file}:{}:{}: {sev}[{}]: {}",
                span.line, span.column, diag.code, diag.message
            );
        }
        None => {
            let _ = writeln!(out, "{file}: {sev}[{}]: {}", diag.code, diag.message);
        }
    }
    let line_text = diag
        .span
        .zip(lines)
        .and_then(|(span, lines)| Some((span, lines.get(span.line.checked_sub(1)?)?.as_str())));
    let gutter = diag.span.map_or(1, |s| s.line.to_string().len());
    if let Some((span, text)) = line_text {
        let pad = " ".repeat(gutter);
        let text = text.trim_end_matches('\r');
        let line_len = text.chars().count();
        // Multi-line nodes are underlined to the end of their first line.
        let end = if span.end_line == span.line {
            span.end_column
        } else {
            line_len + 1
        };
        let width = end.saturating_sub(span.column).max(1);
        // Keep tabs in the indent so the carets line up with the text above.
        let indent: String = text
            .chars()
            .take(span.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {text}", span.line);
        let _ = writeln!(out, "{pad} | {indent}{}", "^".repeat(width));
    }
    if let Some(hint) = &diag.hint {
        let _ = writeln!(out, "{} = help: {hint}", " ".repeat(gutter));
    }
    out.push('\n');
}

/// The JSON form of a diagnostic (`mcpgen validate --format json`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonDiagnostic<'a> {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub severity: Severity,
    pub code: &'a str,
    pub message: &'a str,
    pub hint: Option<&'a str>,
    pub pointer: &'a str,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        JsonDiagnostic {
            file: d.file.display().to_string(),
            line: d.span.map(|s| s.line),
            column: d.span.map(|s| s.column),
            end_line: d.span.map(|s| s.end_line),
            end_column: d.span.map(|s| s.end_column),
            severity: d.severity,
            code: d.code,
            message: &d.message,
            hint: d.hint.as_deref(),
            pointer: &d.pointer,
        }
    }
}

/// Renders diagnostics as a pretty JSON array.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diags.iter().map(JsonDiagnostic::from).collect();
    serde_json::to_string_pretty(&items).expect("diagnostics serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(span: Option<Span>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: "unknown-key",
            message: "unknown key `nme` in the server".into(),
            hint: Some("did you mean `name`?".into()),
            file: PathBuf::from("a.yaml"),
            span,
            pointer: "/server/nme".into(),
        }
    }

    #[test]
    fn text_has_header_snippet_and_help() {
        let src = "mcpgen: 1\nserver:\n  nme: x\n";
        let text = render_text(
            &[diag(Some(Span {
                line: 3,
                column: 3,
                end_line: 3,
                end_column: 6,
            }))],
            |_| Some(src.to_owned()),
        );
        assert_eq!(
            text,
            "a.yaml:3:3: error[unknown-key]: unknown key `nme` in the server\n  |\n3 |   nme: x\n  |   ^^^\n  = help: did you mean `name`?\n\n"
        );
    }

    #[test]
    fn lines_are_numbered_as_yaml_numbers_them() {
        for src in [
            "mcpgen: 1\rserver:\r  nme: x\r",
            "mcpgen: 1\r\nserver:\r\n  nme: x",
        ] {
            let span = Span {
                line: 3,
                column: 3,
                end_line: 3,
                end_column: 6,
            };
            let text = render_text(&[diag(Some(span))], |_| Some(src.to_owned()));
            assert!(text.contains("3 |   nme: x\n"), "{text}");
        }
        assert_eq!(source_lines("a\n\nb\r\n"), ["a", "", "b"]);
        assert_eq!(source_lines("a\r\r"), ["a", ""]);
        assert_eq!(source_lines("a"), ["a"]);
    }

    #[test]
    fn unlocated_diagnostic_has_no_snippet() {
        let text = render_text(&[diag(None)], |_| None);
        assert!(text.starts_with("a.yaml: error[unknown-key]:"), "{text}");
        assert!(!text.contains('^'));
    }

    #[test]
    fn json_has_every_field() {
        let json = render_json(&[diag(Some(Span::point(2, 1)))]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let d = &v[0];
        for key in [
            "file",
            "line",
            "column",
            "endLine",
            "endColumn",
            "severity",
            "code",
            "message",
            "hint",
            "pointer",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {json}");
        }
        assert_eq!(d["severity"], "error");
        assert_eq!(d["line"], 2);
    }
}
