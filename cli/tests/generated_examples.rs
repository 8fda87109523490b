//! The checked-in crates under generated-examples/ are exactly what the generator produces now from their specs
//! (the whole generated tree is the snapshot).

mod support;

use mcpgen::codegen::manifest::Manifest;
use mcpgen::codegen::render::Format;
use mcpgen::codegen::snapshot::CrateSnapshot;
use mcpgen::codegen::{self, write::Change};
use support::{examples, repo_root};

#[test]
fn generated_examples_match_what_the_generator_produces() {
    assert_eq!(
        Format::detect(),
        Format::Rustfmt,
        "these snapshots are formatted: install rustfmt"
    );
    let mut stale = Vec::new();
    for dir in examples() {
        let manifest = Manifest::read(&dir).unwrap().unwrap();
        let loaded = mcpgen::pipeline::load_spec(&manifest.spec_path(&dir))
            .unwrap_or_else(|d| panic!("{}: spec invalid: {d:?}", dir.display()));
        let snapshot = CrateSnapshot::read(&dir).unwrap();
        let prepared = codegen::prepare(&loaded, snapshot, Format::Rustfmt, None).unwrap();
        for change in &prepared.changes.changes {
            let what = match change {
                Change::Create { .. } => "missing",
                Change::Update { .. } => "differs",
                Change::Delete { .. } => "no longer generated",
            };
            stale.push(format!("{}/{} {what}", dir.display(), change.path()));
        }
        if prepared.changes.manifest.is_some() {
            stale.push(format!("{}/.mcpgen/manifest.json differs", dir.display()));
        }
        assert!(
            prepared.changes.hand_edited.is_empty(),
            "{:?}",
            prepared.changes.hand_edited
        );
    }
    assert!(
        stale.is_empty(),
        "run scripts/regen-examples and commit:\n{}",
        stale.join("\n")
    );
}

#[test]
fn generated_examples_are_workspace_members() {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    for dir in examples() {
        let member = format!(
            "\"generated-examples/{}\"",
            dir.file_name().unwrap().to_string_lossy()
        );
        assert!(
            manifest.contains(&member),
            "{member} is not in the workspace members"
        );
    }
}
