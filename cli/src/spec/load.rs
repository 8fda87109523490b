//! Loading a spec: YAML text -> raw JSON value + span index -> validated, typed [`Spec`].

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Spec;
use super::spans::{MAX_DEPTH, SpanIndex};
use crate::diag::{self, Diagnostic, Severity, Span};
use crate::validate::{self, Ctx};

/// A spec that loaded without errors.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The path it was loaded from (as given); `file:` resources resolve relative to its folder.
    pub path: PathBuf,
    /// The YAML text, for rendering the warnings.
    pub source: String,
    pub spec: Spec,
    /// Lint warnings (sorted by location); the spec is usable regardless.
    pub warnings: Vec<Diagnostic>,
}

/// Reads, loads and validates the spec at `path`. Errors: every error and warning found, sorted by location.
pub fn load_spec(path: &Path) -> Result<LoadedSpec, Vec<Diagnostic>> {
    match std::fs::read_to_string(path) {
        Ok(source) => load_spec_str(path, &source),
        Err(err) => Err(vec![unreadable(path, &err)]),
    }
}

/// The diagnostic for a spec that could not be read (missing, unreadable, not UTF-8).
pub fn unreadable(path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: "file-unreadable",
        message: format!("cannot read the spec: {err}"),
        hint: None,
        file: path.to_owned(),
        span: None,
        pointer: String::new(),
    }
}

/// Loads and validates a spec from its text. `path` is used for display and to resolve `file:` resources.
pub fn load_spec_str(path: &Path, source: &str) -> Result<LoadedSpec, Vec<Diagnostic>> {
    let (spec, diags) = check_str(path, source);
    match spec {
        Some(spec) if !diag::has_errors(&diags) => Ok(LoadedSpec {
            path: path.to_owned(),
            source: source.to_owned(),
            spec,
            warnings: diags,
        }),
        _ => Err(diags),
    }
}

/// Loads and validates a spec, returning the typed spec when it could be built (even with errors, as long as
/// it is structurally sound) and every diagnostic, sorted by location.
pub fn check_str(path: &Path, source: &str) -> (Option<Spec>, Vec<Diagnostic>) {
    let spans = SpanIndex::build(source);
    let base_dir = path.parent().map(Path::to_owned).unwrap_or_default();
    let mut ctx = Ctx::new(path, source, &spans, &base_dir);
    let parsed = match spans.too_deep() {
        // Refused before serde_yaml sees it: its parser is quadratic in the nesting depth (see `MAX_DEPTH`).
        Some(span) => {
            ctx.push(Diagnostic {
                severity: Severity::Error,
                code: "yaml-syntax",
                message: format!("invalid YAML: nested deeper than {MAX_DEPTH} levels"),
                hint: Some(
                    "a spec never needs this much nesting: flatten the structure".to_owned(),
                ),
                file: path.to_owned(),
                span: Some(span),
                pointer: String::new(),
            });
            return (None, finish(ctx));
        }
        None => parse_yaml(source),
    };
    let spec = match parsed {
        Ok(_) if !spans.duplicate_keys().is_empty() => {
            for (pointer, span) in spans.duplicate_keys() {
                let key = pointer
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .replace("~1", "/")
                    .replace("~0", "~");
                ctx.push(Diagnostic {
                    severity: Severity::Error,
                    code: "yaml-duplicate-key",
                    message: format!(
                        "duplicate key `{key}`: YAML would silently keep only the last one"
                    ),
                    hint: Some("remove or rename one of them".to_owned()),
                    file: path.to_owned(),
                    span: Some(*span),
                    pointer: pointer.clone(),
                });
            }
            None
        }
        Ok(raw) => validate::run(&mut ctx, &raw),
        Err(err) => {
            ctx.push(yaml_error(path, source, &err));
            None
        }
    };
    (spec, finish(ctx))
}

/// Every diagnostic, sorted by location.
fn finish(ctx: Ctx<'_>) -> Vec<Diagnostic> {
    let mut diags = ctx.into_diagnostics();
    diag::sort(&mut diags);
    diags
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
            _ => None,
        })
        .collect();
}
