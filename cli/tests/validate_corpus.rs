//! The invalid-spec corpus (`tests/invalid/*.yaml`, one defect each) against its golden diagnostics
//! (`tests/golden/validate/*.expected`, the text rendering), and every example spec in `specs/` against "no errors".
//! `MCPGEN_BLESS=1 cargo test -p mcpgen --test validate_corpus` rewrites the goldens.

mod golden_support;
mod support;

use std::path::{Path, PathBuf};

use golden_support::Goldens;
use mcpgen::diag::{self, Severity};
use mcpgen::pipeline;
use support::repo_root;

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Loads a spec and renders its diagnostics with paths relative to the repository root.
fn render(root: &Path, path: &Path) -> (String, Vec<diag::Diagnostic>) {
    let source = std::fs::read_to_string(path).unwrap();
    let (_, diags) = pipeline::check_str(path, &source);
    let text = diag::render_text(&diags, |_| Some(source.clone()));
    (text.replace(&format!("{}/", root.display()), ""), diags)
}

#[test]
fn invalid_corpus_matches_goldens() {
    let root = repo_root();
    let files = yaml_files(&root.join("tests/invalid"));
    assert!(
        files.len() >= 45,
        "the corpus has {} specs, expected at least 45",
        files.len()
    );
    let mut goldens = Goldens::new("validate");
    for path in &files {
        let (actual, diags) = render(&root, path);
        let name = path.file_name().unwrap().to_string_lossy();
        if !diags
            .iter()
            .any(|d| d.severity == Severity::Error || name.starts_with("warn-"))
        {
            goldens.fail(format!(
                "{name}: no error reported (every corpus spec has one defect)"
            ));
        }
        if let Some(d) = diags.iter().find(|d| d.span.is_none()) {
            goldens.fail(format!("{name}: diagnostic `{}` has no location", d.code));
        }
        let golden = path.with_extension("expected");
        goldens.check(&golden.file_name().unwrap().to_string_lossy(), &actual);
    }
    goldens.finish();
}

/// `validate --format json` is what editors and agents parse: its shape and content stay exactly as they are
/// whatever the text rendering does. One golden for the whole corpus (`tests/golden/validate-json/`).
#[test]
fn invalid_corpus_json_matches_golden() {
    let root = repo_root();
    let mut all = String::new();
    for path in yaml_files(&root.join("tests/invalid")) {
        let (_, diags) = render(&root, &path);
        let json = diag::render_json(&diags).replace(&format!("{}/", root.display()), "");
        let name = path.file_name().unwrap().to_string_lossy();
        all.push_str(&format!("# {name}\n{json}\n"));
    }
    let mut goldens = Goldens::new("validate-json");
    goldens.check("corpus.jsonl", &all);
    goldens.finish();
}

/// Every diagnostic of the corpus says how to fix it, in mcpgen's words: a hint, and none of the JSON Schema
/// validator's own phrasing (which names neither the field nor what belongs there).
#[test]
fn every_corpus_diagnostic_has_a_hint_and_no_validator_text() {
    let root = repo_root();
    const VALIDATOR_PHRASES: &[&str] = &[
        "False schema",
        "is not of type",
        "is not a \"",
        "is not one of \"",
        "is greater than",
        "is less than",
        "is not valid under",
        "Additional properties",
        "is a required property",
    ];
    let mut failures = Vec::new();
    for path in yaml_files(&root.join("tests/invalid")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in render(&root, &path).1 {
            if d.hint.is_none() {
                failures.push(format!("{name}: no hint for `{}`", d.message));
            }
            if let Some(p) = VALIDATOR_PHRASES.iter().find(|p| d.message.contains(**p)) {
                failures.push(format!("{name}: validator text `{p}` in `{}`", d.message));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A spec with several independent problems reports each of them in one run, and nothing that only repeats one.
#[test]
fn independent_problems_are_all_reported() {
    let root = repo_root();
    let codes = |name: &str| -> Vec<(String, &'static str)> {
        let (_, diags) = render(&root, &root.join("tests/invalid").join(name));
        diags.into_iter().map(|d| (d.pointer, d.code)).collect()
    };
    assert_eq!(
        codes("every-problem-structure-and-schemas.yaml"),
        [
            (
                "/tools/0/inputSchema/properties/code/pattern".to_owned(),
                "schema-invalid"
            ),
            (
                "/tools/1/inputSchema/properties/limit/minimum".to_owned(),
                "schema-invalid"
            ),
            ("/tools/2/timeout".to_owned(), "unknown-key"),
        ]
    );
    assert_eq!(
        codes("every-problem-same-schema.yaml"),
        [
            (
                "/tools/0/inputSchema/properties/code/type".to_owned(),
                "schema-invalid"
            ),
            (
                "/tools/0/inputSchema/properties/code/pattern".to_owned(),
                "schema-invalid"
            ),
        ]
    );
    // tools[0] is set aside (its stand-in has no description, which the rules would warn about: left out);
    // tools[1] is checked without the misspelt key. The duplicate name is independent of both.
    assert_eq!(
        codes("every-problem-consequences.yaml"),
        [
            ("/tools/0/name".to_owned(), "wrong-type"),
            ("/tools/1/inputschema".to_owned(), "unknown-key"),
            ("/tools/3/name".to_owned(), "name-duplicate"),
        ]
    );
}

/// Every rule code documented in docs/spec.md has at least one corpus spec, so no rule goes untested.
#[test]
fn corpus_covers_every_documented_rule() {
    let root = repo_root();
    let doc = std::fs::read_to_string(root.join("docs/spec.md")).unwrap();
    let rules = doc
        .split_once("### Rules")
        .expect("docs/spec.md has a Rules section")
        .1;
    let codes: Vec<&str> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
        .collect();
    assert!(
        codes.len() > 30,
        "found only {} rule codes in docs/spec.md",
        codes.len()
    );
    let mut seen = std::collections::BTreeSet::new();
    for path in yaml_files(&root.join("tests/invalid")) {
        for d in render(&root, &path).1 {
            seen.insert(d.code);
        }
    }
    // Reported only when the file cannot be read, which a corpus file by definition can: tested in validate_cli.
    let uncovered: Vec<&&str> = codes
        .iter()
        .filter(|c| !seen.contains(**c) && **c != "file-unreadable")
        .collect();
    assert!(
        uncovered.is_empty(),
        "rules without a corpus spec: {uncovered:?}"
    );
}

/// Warnings the example specs are allowed to have, by (file name, code): each one is intended.
const INTENDED_WARNINGS: &[(&str, &str)] = &[
    // everything.yaml uses every field, including per-tool scopes, but can only use one auth method (bearer).
    ("everything.yaml", "scopes-without-oauth"),
    ("everything.yaml", "execution-not-served"),
];

#[test]
fn example_specs_are_valid() {
    let root = repo_root();
    let files = yaml_files(&root.join("specs"));
    assert!(files.len() >= 3, "expected at least three example specs");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(
            source.starts_with("# yaml-language-server: $schema=./mcpgen.schema.json\n"),
            "{name} must start with the yaml-language-server schema line"
        );
        let (text, diags) = render(&root, &path);
        let unexpected: Vec<_> = diags
            .iter()
            .filter(|d| {
                d.severity == Severity::Error
                    || !INTENDED_WARNINGS.contains(&(name.as_str(), d.code))
            })
            .collect();
        assert!(
            unexpected.is_empty(),
            "{name} has unexpected diagnostics:\n{text}"
        );
    }
}

#[test]
fn loaded_spec_keeps_transport_order_and_warnings() {
    use mcpgen::spec::TransportKind::*;
    let root = repo_root();
    let loaded = pipeline::load_spec(&root.join("specs/everything.yaml"))
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(loaded.spec.transports.order, [StreamableHttp, Sse, Stdio]);
    // One scopes-without-oauth warning; its task tools are served (it has stdio).
    let codes: Vec<&str> = loaded.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["scopes-without-oauth"]);
    let weather = pipeline::load_spec(&root.join("specs/weather.yaml")).unwrap();
    assert_eq!(weather.spec.transports.order, [Stdio, StreamableHttp, Sse]);
}

#[test]
fn empty_stdio_entry_enables_stdio() {
    let src = "mcpgen: 1\nserver: {name: s}\ntransports:\n  stdio:\n";
    let loaded =
        pipeline::load_spec_str(Path::new("s.yaml"), src).unwrap_or_else(|d| panic!("{d:?}"));
    assert!(loaded.spec.transports.stdio.is_some());
    assert_eq!(
        loaded.spec.transports.order,
        [mcpgen::spec::TransportKind::Stdio]
    );
}
