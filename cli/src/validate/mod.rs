//! Validation of a loaded spec: structure (against the spec's own JSON Schema), then the semantic rules, each
//! problem reported as a [`Diagnostic`] located at the offending YAML node.

mod implementation;
mod param_headers;
mod repair;
mod rules;
pub(crate) mod schemas;
mod structure;

pub use implementation::status_range;

use std::path::Path;

use serde_json::Value;

use crate::diag::{Diagnostic, Related, Severity, Span};
use crate::spec::Spec;
use crate::spec::spans::SpanIndex;

/// Which part of a node a diagnostic points at.
#[derive(Debug, Clone, Copy)]
pub enum At<'a> {
    /// The value at the pointer.
    Value(&'a str),
    /// The key naming the value at the pointer (for unknown or duplicate keys).
    Key(&'a str),
    /// The first occurrence of a piece of text inside the value's source (a placeholder in a message); the
    /// whole value when the text cannot be found verbatim (escaped strings).
    Text(&'a str, &'a str),
    /// Bytes `start..end` of a string value `whole` (an error inside a URI template): located exactly when
    /// `whole` appears verbatim in the source, else like [`At::Text`] with that piece.
    Within(&'a str, &'a str, usize, usize),
}

/// Everything a rule needs to report a located diagnostic.
pub struct Ctx<'a> {
    file: &'a Path,
    source: &'a str,
    spans: &'a SpanIndex,
    /// Folder `file:` resources are relative to.
    pub base_dir: &'a Path,
    diags: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a Path, source: &'a str, spans: &'a SpanIndex, base_dir: &'a Path) -> Self {
        Ctx {
            file,
            source,
            spans,
            base_dir,
            diags: Vec::new(),
        }
    }

    /// A context for the same file with no diagnostics yet, to check part of the spec on another thread.
    pub fn fork(&self) -> Ctx<'a> {
        Ctx::new(self.file, self.source, self.spans, self.base_dir)
    }

    pub fn push(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }

    pub fn error(
        &mut self,
        code: &'static str,
        at: At<'_>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.report(Severity::Error, code, at, message.into(), hint);
    }

    pub fn warn(
        &mut self,
        code: &'static str,
        at: At<'_>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.report(Severity::Warning, code, at, message.into(), hint);
    }

    fn report(
        &mut self,
        severity: Severity,
        code: &'static str,
        at: At<'_>,
        message: String,
        hint: Option<String>,
    ) {
        let (pointer, span) = self.locate(at);
        self.diags.push(Diagnostic {
            severity,
            code,
            message,
            hint,
            file: self.file.to_owned(),
            // Only an empty document has no located node at all: point at its start.
            span: span.or(Some(Span::point(1, 1))),
            pointer: pointer.to_owned(),
            related: Vec::new(),
        });
    }

    /// Adds a secondary place to the diagnostic reported last (the first definition of a duplicate name).
    pub fn also(&mut self, at: At<'_>, label: impl Into<String>) {
        let (_, span) = self.locate(at);
        if let (Some(span), Some(last)) = (span, self.diags.last_mut()) {
            last.related.push(Related {
                span,
                label: label.into(),
            });
        }
    }

    fn locate<'p>(&self, at: At<'p>) -> (&'p str, Option<Span>) {
        match at {
            At::Value(p) => (p, self.spans.value(p)),
            At::Key(p) => (p, self.spans.key(p)),
            At::Text(p, needle) => (p, self.find_text(p, needle).or_else(|| self.spans.value(p))),
            At::Within(p, whole, start, end) => {
                let exact = self
                    .find_text(p, whole)
                    .filter(|s| s.line == s.end_line)
                    .map(|s| {
                        let col = |byte: usize| s.column + whole[..byte].chars().count();
                        Span {
                            line: s.line,
                            column: col(start),
                            end_line: s.line,
                            end_column: col(end),
                        }
                    });
                let piece = || self.find_text(p, &whole[start..end]);
                (p, exact.or_else(piece).or_else(|| self.spans.value(p)))
            }
        }
    }

    /// Locates `needle` inside the source text of the value at `pointer`.
    fn find_text(&self, pointer: &str, needle: &str) -> Option<Span> {
        if needle.is_empty() {
            return None;
        }
        let span = self.spans.get(pointer)?.value;
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let to_byte = |line: usize, col: usize| -> Option<usize> {
            let start = *line_starts.get(line - 1)?;
            let text = &self.source[start..];
            Some(
                start
                    + text
                        .char_indices()
                        .nth(col - 1)
                        .map_or(text.len(), |(i, _)| i),
            )
        };
        let (from, to) = (
            to_byte(span.line, span.column)?,
            to_byte(span.end_line, span.end_column)?,
        );
        let at = from + self.source.get(from..to)?.find(needle)?;
        let pos = |byte: usize| {
            let line = line_starts.partition_point(|&s| s <= byte);
            let column = self.source[line_starts[line - 1]..byte].chars().count() + 1;
            (line, column)
        };
        let ((line, column), (end_line, end_column)) = (pos(at), pos(at + needle.len()));
        Some(Span {
            line,
            column,
            end_line,
            end_column,
        })
    }
}

/// Validates the raw spec value: structure first, then the semantic rules. A structurally broken spec is still
/// checked, with its broken parts taken out (see [`repair`]), so that every independent problem is reported in
/// one run. Returns the typed spec when it could be built from a structurally sound spec.
pub fn run(ctx: &mut Ctx<'_>, raw: &Value) -> Option<Spec> {
    if !rules::check_format_version(ctx, raw) {
        return None;
    }
    let broken = structure::check(ctx, raw);
    if broken.is_empty() {
        let spec = match deserialize(raw) {
            Ok(spec) => spec,
            Err(err) => {
                // The JSON Schema should have caught this; report rather than panic if the two ever disagree.
                ctx.error(
                    "invalid-value",
                    At::Value(""),
                    format!("the spec does not match the format: {err}"),
                    None,
                );
                return None;
            }
        };
        rules::check(ctx, &spec);
        return Some(spec);
    }
    // The typed spec is not returned: it is not the one the user wrote.
    let repaired = repair::repair(raw, &broken)?;
    let spec = deserialize(&repaired.value).ok()?;
    let mut rules_ctx = ctx.fork();
    rules::check(&mut rules_ctx, &spec);
    for d in rules_ctx.into_diagnostics() {
        if !repaired.is_consequence(&d) {
            ctx.push(d);
        }
    }
    None
}

/// The typed spec of a structurally valid spec value.
fn deserialize(raw: &Value) -> Result<Spec, serde_json::Error> {
    let mut normalized = raw.clone();
    // `stdio:` with no value reads as "enable stdio": treat an empty transport entry as `{}`.
    if let Some(transports) = normalized
        .get_mut("transports")
        .and_then(Value::as_object_mut)
    {
        for value in transports.values_mut().filter(|v| v.is_null()) {
            *value = Value::Object(Default::default());
        }
    }
    let mut spec: Spec = serde_json::from_value(normalized)?;
    crate::spec::load::fill_transport_order(&mut spec, raw);
    Ok(spec)
}

/// A value for a message: strings without quotes, cut to `max_chars` characters then `...`.
fn shortened(v: &Value, max_chars: usize) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > max_chars {
        format!("{}...", text.chars().take(max_chars).collect::<String>())
    } else {
        text
    }
}

/// Human path of a JSON pointer for messages: `/tools/0/annotations` -> `tools[0].annotations`.
pub fn human_path(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// "did you mean `x`?" for the closest candidate, when close enough to be a likely typo.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_paths() {
        assert_eq!(human_path("/tools/0/annotations"), "tools[0].annotations");
        assert_eq!(
            human_path("/transports/streamable-http/port"),
            "transports.streamable-http.port"
        );
        assert_eq!(human_path(""), "");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("inputschema", ["inputSchema", "name"]).as_deref(),
            Some("did you mean `inputSchema`?")
        );
        assert_eq!(did_you_mean("zzz", ["inputSchema", "name"]), None);
    }
}
