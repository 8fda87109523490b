//! Diagnostics: one problem in a spec file, located at a YAML node, and its two renderings (text for people,
//! JSON for editors and agents).

use std::path::{Path, PathBuf};

use annotate_snippets::{Annotation, AnnotationKind, Group, Level, Origin, Renderer, Snippet};

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
    /// The span from `line`:`column` to `end_line`:`end_column`.
    pub fn new(line: usize, column: usize, end_line: usize, end_column: usize) -> Span {
        Span {
            line,
            column,
            end_line,
            end_column,
        }
    }

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
    /// Other places in `file` that explain this one, such as the first definition of a duplicate name. Shown
    /// in the text rendering only: the JSON form is kept as editors already parse it.
    pub related: Vec<Related>,
}

/// A secondary place of a diagnostic, with what it is ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: String,
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

/// How text diagnostics look: plain, or with the terminal colours rustc uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Coloured,
}

/// Renders diagnostics as text, as rustc does (annotate-snippets, rustc's own renderer): `severity[code]:
/// message`, `--> file:LINE:COL`, the source lines with the node underlined (carets placed by display width, so
/// they stay under wide CJK and emoji characters; a node over several lines is marked from its first to its
/// last line), secondary places labelled ("first defined here"), and `= help:` with the hint. `source_of`
/// supplies a file's text for the snippet; without it only the location is printed.
pub fn render_text(diags: &[Diagnostic], source_of: impl Fn(&Path) -> Option<String>) -> String {
    render_text_styled(diags, source_of, Style::Plain)
}

/// [`render_text`], coloured when `style` says so.
pub fn render_text_styled(
    diags: &[Diagnostic],
    source_of: impl Fn(&Path) -> Option<String>,
    style: Style,
) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Coloured => Renderer::styled(),
    };
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
        out.push_str(&render_one(&renderer, diag, lines));
        out.push_str("\n\n");
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

/// Annotations further apart than this many lines get a snippet each, so a far-away "first defined here" does not
/// print every line in between (nor cost the renderer a walk over them).
const SNIPPET_GAP: usize = 12;

fn render_one(renderer: &Renderer, diag: &Diagnostic, lines: Option<&[String]>) -> String {
    let file = diag.file.display().to_string();
    let level = match diag.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let title = level.primary_title(diag.message.as_str()).id(diag.code);
    // Primary first, then the related places in source order.
    let mut marks: Vec<(Span, Option<&str>, AnnotationKind)> = Vec::new();
    if let Some(span) = diag.span {
        marks.push((span, None, AnnotationKind::Primary));
    }
    for related in &diag.related {
        marks.push((
            related.span,
            Some(related.label.as_str()),
            AnnotationKind::Context,
        ));
    }
    let snippets = match lines {
        Some(lines) if !marks.is_empty() => snippets(&file, lines, &marks),
        _ => Vec::new(),
    };
    let mut group = if snippets.is_empty() {
        let origin = match diag.span {
            Some(span) => Origin::path(file.as_str())
                .line(span.line)
                .char_column(span.column),
            None => Origin::path(file.as_str()),
        };
        Group::with_title(title).element(origin)
    } else {
        Group::with_title(title).elements(snippets)
    };
    if let Some(hint) = &diag.hint {
        group = group.element(Level::HELP.message(hint.as_str()));
    }
    renderer.render(&[group])
}

/// One snippet per cluster of nearby marks (sorted by line), each holding only the lines it shows.
fn snippets<'a>(
    file: &'a str,
    lines: &[String],
    marks: &[(Span, Option<&'a str>, AnnotationKind)],
) -> Vec<Snippet<'a, Annotation<'a>>> {
    let mut order: Vec<usize> = (0..marks.len()).collect();
    order.sort_by_key(|&i| marks[i].0.line);
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in order {
        let last_line = |c: &Vec<usize>| c.iter().map(|&j| marks[j].0.end_line).max();
        match clusters.last_mut() {
            Some(c) if marks[i].0.line <= last_line(c).unwrap_or(0) + SNIPPET_GAP => c.push(i),
            _ => clusters.push(vec![i]),
        }
    }
    // The cluster with the primary mark comes first, so `-->` names the diagnostic's own place.
    clusters.sort_by_key(|c| !c.contains(&0));
    let mut out = Vec::new();
    for cluster in clusters {
        let first = cluster.iter().map(|&i| marks[i].0.line).min().unwrap_or(1);
        let last = cluster
            .iter()
            .map(|&i| marks[i].0.end_line)
            .max()
            .unwrap_or(first);
        let (first, last) = (first.max(1), last.min(lines.len()));
        if first > last {
            continue;
        }
        let text = lines[first - 1..last].join("\n");
        let mut snippet = Snippet::source(text.clone()).line_start(first).path(file);
        for &i in &cluster {
            let (span, label, kind) = &marks[i];
            let Some(range) = byte_range(&text, first, *span) else {
                continue;
            };
            let mut annotation = (*kind).span(range);
            if let Some(label) = label {
                annotation = annotation.label(*label);
            }
            snippet = snippet.annotation(annotation);
        }
        out.push(snippet);
    }
    out
}

/// The byte range in `text` (whose first line is source line `first`) of a span in 1-based lines and character
/// columns. A span past the end of its line stops at the line's end.
fn byte_range(text: &str, first: usize, span: Span) -> Option<std::ops::Range<usize>> {
    let offset = |line: usize, column: usize| -> Option<usize> {
        let mut start = 0;
        for piece in text.split('\n').take(line.checked_sub(first)?) {
            start += piece.len() + 1;
        }
        let rest = text.get(start..)?;
        let line_text = rest.split('\n').next().unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        Some(start + within)
    };
    let start = offset(span.line, span.column)?;
    let end = offset(span.end_line, span.end_column)?.max(start);
    Some(start..end)
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

/// A diagnostic serialises as its JSON form, so every command's JSON output has validate's shape.
impl Serialize for Diagnostic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        JsonDiagnostic::from(self).serialize(serializer)
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
            related: Vec::new(),
        }
    }

    /// [`diag`] at `span`, rendered over `src`.
    fn rendered(src: &str, span: Span) -> String {
        render_text(&[diag(Some(span))], |_| Some(src.to_owned()))
    }

    #[test]
    fn text_has_header_snippet_and_help() {
        let src = "mcpgen: 1\nserver:\n  nme: x\n";
        let text = rendered(src, Span::new(3, 3, 3, 6));
        assert_eq!(
            text,
            "error[unknown-key]: unknown key `nme` in the server
 --> a.yaml:3:3
  |
3 |   nme: x
  |   ^^^
  |
  = help: did you mean `name`?

"
        );
    }

    /// Carets go under the node however wide the characters before it are on screen: a CJK character and an
    /// emoji take two columns each (counting characters put them 6 columns early here).
    #[test]
    fn carets_are_placed_by_display_width() {
        let src = "server:\n  title: \"天気 🎉😀 予報\", nme: x\n";
        let column = src
            .lines()
            .nth(1)
            .unwrap()
            .chars()
            .position(|c| c == 'n')
            .unwrap()
            + 1;
        let text = rendered(src, Span::new(2, column, 2, column + 3));
        let lines: Vec<&str> = text.lines().collect();
        let source_line = lines.iter().find(|l| l.starts_with("2 |")).unwrap();
        let caret_line = lines.iter().find(|l| l.contains('^')).unwrap();
        let width = |s: &str| unicode_width::UnicodeWidthStr::width(s);
        let under = source_line.find("nme").unwrap();
        assert_eq!(
            width(&caret_line[..caret_line.find('^').unwrap()]),
            width(&source_line[..under]),
            "{text}"
        );
        assert!(caret_line.ends_with("^^^"), "{text}");
        // The header still counts characters, as the JSON form does.
        assert!(text.contains(&format!("a.yaml:2:{column}")), "{text}");
    }

    #[test]
    fn a_node_over_several_lines_is_marked_from_first_to_last_line() {
        let src = "tools:\n  - {name: a,\n     description: b,\n     x: 1}\nnext: 2\n";
        let text = rendered(src, Span::new(2, 5, 4, 10));
        // Every line of the node, with the start and the end marked, and nothing after it.
        for marked in [
            "2 |     - {name: a,\n  |  _____^\n",
            "3 | |      description: b,\n",
            "4 | |      x: 1}\n  | |_________^\n",
        ] {
            assert!(text.contains(marked), "{text}");
        }
        assert!(!text.contains("next: 2"), "{text}");
    }

    #[test]
    fn related_places_are_labelled_and_far_ones_get_their_own_snippet() {
        let mut src = String::from("env:\n  - name: A\n");
        for i in 0..40 {
            src.push_str(&format!("  - name: V{i}\n"));
        }
        src.push_str("  - name: A\n");
        let mut d = diag(Some(Span::new(43, 11, 43, 12)));
        d.related.push(Related {
            span: Span::new(2, 11, 2, 12),
            label: "first declared here".into(),
        });
        let text = render_text(&[d], |_| Some(src.clone()));
        assert!(text.contains("first declared here"), "{text}");
        assert!(text.contains("43 |   - name: A"), "{text}");
        assert!(text.contains(" 2 |   - name: A"), "{text}");
        // Lines in between are not printed.
        assert!(!text.contains("V20"), "{text}");
        // The diagnostic's own place is named first.
        let arrow = text.find("--> a.yaml:43:11").unwrap();
        assert!(arrow < text.find("first declared").unwrap(), "{text}");
    }

    #[test]
    fn lines_are_numbered_as_yaml_numbers_them() {
        for src in [
            "mcpgen: 1\rserver:\r  nme: x\r",
            "mcpgen: 1\r\nserver:\r\n  nme: x",
        ] {
            let text = rendered(src, Span::new(3, 3, 3, 6));
            assert!(text.contains("3 |   nme: x\n"), "{text}");
            assert!(!text.contains('\r'), "{text:?}");
        }
        assert_eq!(source_lines("a\n\nb\r\n"), ["a", "", "b"]);
        assert_eq!(source_lines("a\r\r"), ["a", ""]);
        assert_eq!(source_lines("a"), ["a"]);
    }

    #[test]
    fn unlocated_diagnostic_has_no_snippet() {
        let text = render_text(&[diag(None)], |_| None);
        assert!(text.starts_with("error[unknown-key]:"), "{text}");
        assert!(text.contains("--> a.yaml\n"), "{text}");
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
