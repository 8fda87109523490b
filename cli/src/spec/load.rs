//! The first stage: YAML text -> raw JSON value + span index (JSON pointer -> line:column).

use std::path::Path;

use serde_json::Value;

use super::Spec;
use super::spans::{MAX_DEPTH, SpanIndex};
use crate::diag::{Diagnostic, Related, Severity, Span};

/// Loads YAML text into a JSON value (key order kept) and the index of where each node is. Refuses, with located
/// diagnostics, what cannot become a JSON value faithfully: invalid YAML, nesting past [`MAX_DEPTH`], duplicate
/// keys. Validation is the next stage's job.
pub fn load_yaml(path: &Path, source: &str) -> (SpanIndex, Result<Value, Vec<Diagnostic>>) {
    let spans = SpanIndex::build(source);
    let raw = load_value(path, source, &spans);
    (spans, raw)
}

fn load_value(path: &Path, source: &str, spans: &SpanIndex) -> Result<Value, Vec<Diagnostic>> {
    if let Some(span) = spans.too_deep() {
        // Refused before serde_yaml sees it: its parser is quadratic in the nesting depth (see `MAX_DEPTH`).
        return Err(vec![Diagnostic {
            severity: Severity::Error,
            code: "yaml-syntax",
            message: format!("invalid YAML: nested deeper than {MAX_DEPTH} levels"),
            hint: Some("a spec never needs this much nesting: flatten the structure".to_owned()),
            file: path.to_owned(),
            span: Some(span),
            pointer: String::new(),
            related: Vec::new(),
        }]);
    }
    let raw = parse_yaml(source).map_err(|err| vec![yaml_error(path, source, &err)])?;
    if spans.duplicate_keys().is_empty() {
        return Ok(raw);
    }
    Err(spans
        .duplicate_keys()
        .iter()
        .map(|dup| {
            let key = dup
                .pointer
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            Diagnostic {
                severity: Severity::Error,
                code: "yaml-duplicate-key",
                message: format!(
                    "duplicate key `{key}`: YAML would silently keep only the last one"
                ),
                hint: Some("remove or rename one of them".to_owned()),
                file: path.to_owned(),
                span: Some(dup.span),
                pointer: dup.pointer.clone(),
                related: vec![Related {
                    span: dup.first,
                    label: "first used here".to_owned(),
                }],
            }
        })
        .collect())
}

/// Parses YAML into a JSON value, keeping key order. serde_yaml bounds alias expansion and nesting depth;
/// duplicate keys are found by the span index (loading into a JSON value would silently keep the last one).
fn parse_yaml(source: &str) -> Result<Value, serde_yaml::Error> {
    serde_yaml::from_str(source)
}

fn yaml_error(path: &Path, source: &str, err: &serde_yaml::Error) -> Diagnostic {
    let text = err.to_string();
    // serde_yaml appends " at line L column C"; the location goes in the header instead.
    let message = match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    Diagnostic {
        severity: Severity::Error,
        code: "yaml-syntax",
        message: format!("invalid YAML: {message}"),
        hint: Some(yaml_hint(source, err)),
        file: path.to_owned(),
        // Errors about the whole document (several documents, aliases that expand too much) have no location.
        span: Some(
            err.location()
                .map_or(Span::point(1, 1), |l| Span::point(l.line(), l.column())),
        ),
        pointer: String::new(),
        related: Vec::new(),
    }
}

fn yaml_hint(source: &str, err: &serde_yaml::Error) -> String {
    let text = err.to_string();
    if text.starts_with("repetition limit exceeded") {
        return "aliases (`*name`) here expand to too many nodes: write the values out instead"
            .to_owned();
    }
    if text.starts_with("deserializing from YAML containing more than one document") {
        return "a spec is one YAML document: remove the `---` separators".to_owned();
    }
    if text.starts_with("recursion limit exceeded") {
        return "a spec never needs this much nesting: flatten the structure".to_owned();
    }
    let line = err
        .location()
        .and_then(|l| source.lines().nth(l.line().saturating_sub(1)))
        .unwrap_or_default();
    if line.trim_start_matches(' ').starts_with('\t') {
        "indent with spaces: YAML does not allow tabs for indentation".to_owned()
    } else {
        "check the indentation and quoting around this point".to_owned()
    }
}

/// Fills `transports.order` with the transport names in the order the spec lists them.
pub(crate) fn fill_transport_order(spec: &mut Spec, raw: &Value) {
    use super::TransportKind;
    let Some(map) = raw.get("transports").and_then(Value::as_object) else {
        return;
    };
    spec.transports.order = map
        .keys()
        .filter_map(|k| match k.as_str() {
            "stdio" => Some(TransportKind::Stdio),
            "streamable-http" => Some(TransportKind::StreamableHttp),
            "sse" => Some(TransportKind::Sse),
            "lambda" => Some(TransportKind::Lambda),
            _ => None,
        })
        .collect();
}
