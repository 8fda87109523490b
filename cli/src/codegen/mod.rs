//! Code generation: lower the validated spec to a view model, render it with the embedded templates, and plan
//! the files of the generated crate in memory. Only `write` touches disk.

pub mod cargo_merge;
pub mod cargo_toml;
pub mod declarative;
pub mod deploy;
pub mod ident;
pub mod layout;
pub mod literal;
pub mod lower;
pub mod manifest;
pub mod plan;
pub mod render;
pub mod rust;
pub mod rustfmt;
pub mod sam;
pub mod snapshot;
pub mod spec_def;
pub mod typegen;
pub mod vendor;
pub mod view;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cargo_toml::RuntimeSource;
use manifest::{Manifest, content_hash};
use plan::{Owner, Plan, relative_path};
use render::{Format, RenderError};
use snapshot::{Content, CrateSnapshot, SnapshotError};
use write::Changes;

use crate::pipeline::LoadedSpec;
use crate::spec::Spec;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    CargoToml(#[from] cargo_merge::MergeError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// Everything one generation run would do, computed without writing.
pub struct Prepared {
    pub plan: Plan,
    pub changes: Changes,
    /// User-owned handler files on disk that no spec item uses any more.
    pub orphans: Vec<String>,
    /// Spec items added and removed since the previous generation (a rename is one of each), as recorded in the
    /// previous manifest. Empty for a new crate.
    pub items: ItemChanges,
    /// The crate as it was compared (for diffs).
    pub snapshot: CrateSnapshot,
}

/// Spec items (kind, name) that appeared or disappeared since the last generation.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ItemChanges {
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
}

/// The user's `.mcpgenignore` (gitignore syntax): crate paths mcpgen never writes, deletes or edits.
#[derive(Debug)]
pub struct IgnoreRules(ignore::gitignore::Gitignore);

impl IgnoreRules {
    pub const FILE: &'static str = ".mcpgenignore";

    /// Rules from the text of an ignore file. Patterns are relative to the crate root.
    pub fn parse(text: &str) -> Result<IgnoreRules, String> {
        // Root "." so the matcher never strips a prefix from the relative paths it is given.
        let mut builder = ignore::gitignore::GitignoreBuilder::new(".");
        for line in text.lines() {
            builder.add_line(None, line).map_err(|e| e.to_string())?;
        }
        builder.build().map(IgnoreRules).map_err(|e| e.to_string())
    }

    /// Whether `path` (relative to the crate root, `/` separators) or one of its folders is ignored.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.0.matched_path_or_any_parents(path, false).is_ignore()
    }
}

/// Lowers, renders and compares the crate for `loaded` with `snapshot`, the crate as it is (which may not exist
/// yet): everything one generation run would do, computed without writing and without reading the disk. `runtime`
/// chooses where the crate gets `mcpgen-runtime` from; `None` keeps the crate's current choice (vendored for a new
/// crate).
pub fn prepare(
    loaded: &LoadedSpec,
    snapshot: CrateSnapshot,
    format: Format,
    runtime: Option<RuntimeSource>,
) -> Result<Prepared, GenerateError> {
    let previous = snapshot.manifest();
    let runtime = runtime.or(previous.map(|m| m.runtime)).unwrap_or_default();
    let spec_abs = std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone());
    let root = snapshot.root();
    let crate_abs = std::path::absolute(root).unwrap_or_else(|_| root.to_owned());
    let spec = relative_path(&spec_abs, &crate_abs);
    let view = lower::lower(&loaded.spec, &spec).map_err(RenderError::from)?;
    let plan = render::render_crate(loaded, &view, &snapshot, format, runtime)?;
    let items = spec_items(&loaded.spec);
    let manifest = Manifest {
        mcpgen_version: env!("CARGO_PKG_VERSION").to_owned(),
        spec,
        spec_hash: content_hash(loaded.source.as_bytes()),
        files: Default::default(),
        items: items.clone(),
        runtime,
    };
    let mut changes = write::compare(&snapshot, &plan, manifest);
    merge_cargo_toml(&snapshot, &plan, &mut changes)?;
    let orphans = orphaned_handlers(&snapshot, &plan);
    let items = match previous {
        Some(previous) if !previous.items.is_empty() => item_changes(&previous.items, &items),
        _ => ItemChanges::default(),
    };
    Ok(Prepared {
        plan,
        changes,
        orphans,
        items,
        snapshot,
    })
}

/// Cargo.toml is the user's once it exists: plan an in-place edit of only the entries mcpgen needs, computed from
/// the file as it is, so it is applied (all or nothing) and shown by `--check`/`--diff` like any other change.
fn merge_cargo_toml(
    snapshot: &CrateSnapshot,
    plan: &Plan,
    changes: &mut Changes,
) -> Result<(), GenerateError> {
    const PATH: &str = "Cargo.toml";
    let Some(wanted) = plan.get(PATH) else {
        return Ok(());
    };
    if snapshot.is_ignored(PATH) {
        return Ok(());
    }
    let current = match snapshot.get(PATH) {
        Some(Content::Bytes(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
        Some(Content::TooLarge) => {
            return Err(GenerateError::Io {
                path: snapshot.root().join(PATH),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "file too large"),
            });
        }
        // Missing: `compare` already planned its creation.
        None => return Ok(()),
    };
    let merged = cargo_merge::merge(&current, &String::from_utf8_lossy(&wanted.contents))?;
    if merged != current {
        changes.edit_user_file(PATH, merged.into_bytes());
    }
    Ok(())
}

/// The spec's item names by kind, as recorded in the manifest.
pub fn spec_items(spec: &Spec) -> BTreeMap<String, Vec<String>> {
    let names = |it: &mut dyn Iterator<Item = &String>| it.cloned().collect::<Vec<_>>();
    [
        ("tool", names(&mut spec.tools.iter().map(|t| &t.name))),
        (
            "resource",
            names(&mut spec.resources.iter().map(|r| &r.name)),
        ),
        (
            "resourceTemplate",
            names(&mut spec.resource_templates.iter().map(|t| &t.name)),
        ),
        ("prompt", names(&mut spec.prompts.iter().map(|p| &p.name))),
    ]
    .into_iter()
    .filter(|(_, names)| !names.is_empty())
    .map(|(kind, names)| (kind.to_owned(), names))
    .collect()
}

fn item_changes(
    old: &BTreeMap<String, Vec<String>>,
    new: &BTreeMap<String, Vec<String>>,
) -> ItemChanges {
    let missing_from = |a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>| {
        let mut out = Vec::new();
        for (kind, names) in a {
            let others = b.get(kind);
            for name in names {
                if others.is_none_or(|o| !o.contains(name)) {
                    out.push((kind.clone(), name.clone()));
                }
            }
        }
        out
    };
    ItemChanges {
        added: missing_from(new, old),
        removed: missing_from(old, new),
    }
}

/// Handler files under the user-owned folders that the plan no longer includes.
fn orphaned_handlers(snapshot: &CrateSnapshot, plan: &Plan) -> Vec<String> {
    let mut orphans = Vec::new();
    for folder in ["src/tools", "src/resources", "src/templates", "src/prompts"] {
        for path in snapshot.files_in(folder) {
            if path.ends_with(".rs")
                && !snapshot.is_ignored(path)
                && plan.get(path).is_none_or(|f| f.owner != Owner::User)
            {
                orphans.push(path.to_owned());
            }
        }
    }
    orphans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_rules_use_gitignore_syntax() {
        let rules = IgnoreRules::parse(
            "# mine\nREADME.md\nmcp-config/\n/src/generated/*.rs\n!src/generated/mod.rs\n",
        )
        .unwrap();
        for (path, ignored) in [
            ("README.md", true),
            ("mcp-config/codex.stdio.toml", true),
            ("src/generated/tools.rs", true),
            ("src/generated/mod.rs", false),
            ("src/generated/runtime/app.rs", false),
            ("src/tools/readme.rs", false),
            ("Cargo.toml", false),
        ] {
            assert_eq!(rules.is_ignored(path), ignored, "{path}");
        }
        assert!(!IgnoreRules::parse("").unwrap().is_ignored("README.md"));
    }

    /// `prepare` reads nothing: a snapshot built in memory for a folder that does not exist is all it sees.
    #[test]
    fn prepare_is_a_function_of_the_snapshot() {
        let yaml = "mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\n\
                    tools:\n  - {name: kept, description: d}\n";
        let loaded = crate::pipeline::load_spec_str(std::path::Path::new("t.yaml"), yaml).unwrap();
        let bytes = |s: &str| Content::Bytes(s.as_bytes().to_vec());
        let files = BTreeMap::from([
            ("src/tools/kept.rs".to_owned(), bytes("// mine")),
            ("src/tools/gone.rs".to_owned(), bytes("// mine too")),
            ("src/generated/mod.rs".to_owned(), Content::TooLarge),
            (
                "Cargo.toml".to_owned(),
                bytes("[package]\nname = \"t\"\nversion = \"9.9.9\"\nedition = \"2024\"\n"),
            ),
            (IgnoreRules::FILE.to_owned(), bytes("/README.md\n")),
        ]);
        let root = std::path::Path::new("/nonexistent/mcpgen-test/t");
        let snapshot = CrateSnapshot::from_files(root, files).unwrap();
        let prepared = prepare(&loaded, snapshot, Format::AsRendered, None).unwrap();
        let changes = &prepared.changes;
        let created = |path: &str| {
            changes
                .changes
                .iter()
                .any(|c| matches!(c, write::Change::Create { path: p, .. } if p == path))
        };
        assert!(created("src/generated/tools.rs") && created("src/main.rs"));
        assert!(
            !created("src/tools/kept.rs"),
            "a user file that exists stays"
        );
        assert_eq!(changes.ignored, ["README.md"]);
        // Content mcpgen cannot have written (not read, too large) is never overwritten unasked.
        assert_eq!(changes.hand_edited, ["src/generated/mod.rs"]);
        assert_eq!(prepared.orphans, ["src/tools/gone.rs"]);
        let cargo = String::from_utf8(changes.planned("Cargo.toml").unwrap().to_vec()).unwrap();
        assert!(
            cargo.contains("version = \"9.9.9\"") && cargo.contains("rmcp"),
            "Cargo.toml merged from the snapshot's: {cargo}"
        );
    }

    /// A crate that keeps no container files has a README that does not send its reader to them.
    #[test]
    fn the_readme_speaks_of_container_files_only_where_the_crate_keeps_them() {
        let yaml = "mcpgen: 1\nserver: {name: t}\ntransports: {streamable-http: {}}\n";
        let loaded = crate::pipeline::load_spec_str(std::path::Path::new("t.yaml"), yaml).unwrap();
        let readme = |ignore: &str| {
            let files = BTreeMap::from([(
                IgnoreRules::FILE.to_owned(),
                Content::Bytes(ignore.as_bytes().to_vec()),
            )]);
            let root = std::path::Path::new("/nonexistent/mcpgen-test/t");
            let snapshot = CrateSnapshot::from_files(root, files).unwrap();
            let prepared = prepare(&loaded, snapshot, Format::AsRendered, None).unwrap();
            let ignored = prepared.changes.ignored.clone();
            let readme = prepared.changes.planned("README.md").unwrap().to_vec();
            (String::from_utf8(readme).unwrap(), ignored)
        };
        let (all, ignored) = readme("");
        assert!(ignored.is_empty());
        for phrase in [
            "docker build -t t .",
            "deploy/compose.yaml",
            "gcloud run deploy",
        ] {
            assert!(all.contains(phrase), "{phrase}: {all}");
        }
        let (without, ignored) = readme("/Dockerfile\n/.dockerignore\n/deploy/\n");
        assert_eq!(ignored.len(), 2 + 5, "{ignored:?}");
        for phrase in ["Dockerfile", "docker", "deploy/", "gcloud"] {
            assert!(!without.contains(phrase), "{phrase}: {without}");
        }
        assert!(
            without.contains("`--max-sessions`"),
            "the rest stays: {without}"
        );
        let (no_deploy, _) = readme("/deploy/\n");
        assert!(no_deploy.contains("docker build -t t .") && !no_deploy.contains("deploy/"));
    }

    #[test]
    fn a_rename_is_one_removal_and_one_addition() {
        let map = |items: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        let old = map(&[("tool", &["a", "b"]), ("prompt", &["p"])]);
        let new = map(&[("tool", &["a", "c"])]);
        let pair = |k: &str, n: &str| (k.to_owned(), n.to_owned());
        assert_eq!(
            item_changes(&old, &new),
            ItemChanges {
                added: vec![pair("tool", "c")],
                removed: vec![pair("prompt", "p"), pair("tool", "b")],
            }
        );
    }
}
