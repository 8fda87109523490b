//! Rendered typegen modules: valid Rust (syn), rustfmt-clean as rendered (in the tool's `pub mod` they are indented
//! for), and equal to the golden snapshots in
//! `tests/golden/typegen/` (`MCPGEN_BLESS=1 cargo test -p mcpgen --test typegen_golden` rewrites them).

#[path = "typegen/cases.rs"]
mod cases;
mod golden_support;

use std::process::Command;

use golden_support::Goldens;

#[test]
fn rendered_modules_parse_as_rust() {
    for case in cases::all() {
        let source = case.render();
        let file = syn::parse_file(&source)
            .unwrap_or_else(|e| panic!("case {}: {e}\n{source}", case.name));
        let names: Vec<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Struct(s) => Some(s.ident.to_string()),
                syn::Item::Type(t) => Some(t.ident.to_string()),
                _ => None,
            })
            .collect();
        assert!(
            names.iter().any(|n| n == "Input"),
            "case {}: no Input in {names:?}",
            case.name
        );
        assert_eq!(
            names.iter().any(|n| n == "Output"),
            case.output.is_some(),
            "case {}: Output presence",
            case.name
        );
    }
}

#[test]
fn rendered_modules_match_golden_snapshots() {
    let mut goldens = Goldens::new("typegen");
    // The example specs' tools are snapshotted where users see them, in generated-examples/*/src/generated/tools.rs
    // (generated_examples.rs); a second copy here would only be the same text twice.
    let from_examples = |name: &str| {
        cases::EXAMPLE_SPECS
            .iter()
            .any(|spec| name.starts_with(&format!("{spec}_")))
    };
    for case in cases::all()
        .into_iter()
        .filter(|case| !from_examples(&case.name))
    {
        goldens.check(&format!("{}.rs", case.name), &case.render());
    }
    goldens.finish();
}

#[test]
fn rendered_modules_are_rustfmt_clean() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("typegen-rustfmt");
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for case in cases::all() {
        let path = dir.join(format!("{}.rs", case.name));
        std::fs::write(&path, format!("pub mod tool {{\n{}}}\n", case.render())).unwrap();
        paths.push(path);
    }
    // `--check` on files (on stdin it exits 0 even when it would reformat).
    let out = Command::new("rustfmt")
        .args(["--edition", "2024", "--check"])
        .args(&paths)
        .output()
        .expect("rustfmt is on PATH");
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "rustfmt would reformat the rendered output:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
