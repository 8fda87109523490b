//! The invariant the spec fuzzer checks, shared by the cargo-fuzz target (`fuzz/fuzz_targets/spec_load.rs`) and
//! the bounded stable run (`cli/tests/robust_spec_fuzz.rs`): whatever bytes come in, loading and validating ends
//! without a panic in either a usable model (which then lowers without a panic) or at least one error, and every
//! diagnostic is located inside the input and renders.

use std::path::Path;

use mcpgen::diag::{self, Diagnostic};
use mcpgen::pipeline::check_str;

/// The spec path every input is loaded as; relative `file:` resources resolve next to it, where nothing exists.
pub const SPEC_PATH: &str = "fuzz-input/spec.yaml";

/// Loads `data` as a spec and panics (with the reason) when an invariant does not hold.
pub fn check_bytes(data: &[u8]) {
    // The CLI reads specs with `read_to_string`, which rejects invalid UTF-8 before the loader runs; lossy decoding
    // keeps the rest of such an input useful to the fuzzer.
    let source = String::from_utf8_lossy(data);
    check_source(&source);
}

/// Loads `source` as a spec and panics (with the reason) when an invariant does not hold.
pub fn check_source(source: &str) {
    let path = Path::new(SPEC_PATH);
    let (spec, diags) = check_str(path, source);
    let lines = yaml_line_count(source);
    for d in &diags {
        check_diagnostic(d, lines);
    }
    // Both renderings slice the source around each span: they must cope with any span the loader produced.
    let _ = diag::render_text(&diags, |_| Some(source.to_owned()));
    let _ = diag::render_json(&diags);
    match spec {
        Some(spec) if !diag::has_errors(&diags) => {
            // A valid model must get through lowering (the first codegen stage) too: a typed error is fine, a
            // panic is not.
            let _ = mcpgen::codegen::lower::lower(&spec, SPEC_PATH);
        }
        _ => assert!(
            diag::has_errors(&diags),
            "no model and no error for {source:?}: {diags:?}"
        ),
    }
}

/// Lines as the YAML parsers count them: `\r\n`, `\n` and a lone `\r` end a line, and libyaml (behind
/// serde_yaml, YAML 1.1) also counts NEL, LS and PS.
fn yaml_line_count(source: &str) -> usize {
    let crlf = source.matches("\r\n").count();
    let breaks = source
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count();
    breaks - crlf + 1
}

fn check_diagnostic(d: &Diagnostic, lines: usize) {
    assert!(!d.code.is_empty() && !d.message.is_empty(), "{d:?}");
    assert!(
        d.pointer.is_empty() || d.pointer.starts_with('/'),
        "pointer is not a JSON pointer: {d:?}"
    );
    let span = d
        .span
        .unwrap_or_else(|| panic!("diagnostic without a location: {d:?}"));
    // A span may point one line past the last (an error at end of input), never further.
    assert!(
        span.line >= 1 && span.column >= 1 && span.line <= lines + 1,
        "span outside the input ({lines} lines): {d:?}"
    );
    assert!(
        (span.end_line, span.end_column) >= (span.line, span.column),
        "span ends before it starts: {d:?}"
    );
}
