//! Code generation: lower the validated spec to a view model, render it with the embedded templates, and plan
//! the files of the generated crate in memory. Only `write` touches disk.

pub mod cargo_merge;
pub mod cargo_toml;
pub mod declarative;
pub mod ident;
pub mod layout;
pub mod lower;
pub mod manifest;
pub mod plan;
pub mod render;
pub mod rust;
pub mod rustfmt;
pub mod sam;
pub mod typegen;
pub mod vendor;
pub mod view;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_toml::RuntimeSource;
use manifest::{Manifest, content_hash};
use plan::{Owner, Plan, relative_path};
use render::{Format, RenderError};
use write::{Changes, WriteError};

use crate::pipeline::LoadedSpec;
use crate::spec::Spec;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    CargoToml(#[from] cargo_merge::MergeError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Ignore { path: PathBuf, message: String },
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

    /// Reads `.mcpgenignore` at the crate root; no file means nothing is ignored.
    pub fn load(crate_dir: &Path) -> Result<IgnoreRules, GenerateError> {
        let path = crate_dir.join(Self::FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(GenerateError::Io { path, source }),
        };
        Self::parse(&text).map_err(|message| GenerateError::Ignore { path, message })
    }

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

/// Renders the crate for `loaded` and compares it with what is at `crate_dir` (which may not exist yet).
/// `ignored` tells which paths `.mcpgenignore` excludes (see [`IgnoreRules`]). `runtime` chooses where the crate
/// gets `mcpgen-runtime` from; `None` keeps the crate's current choice (vendored for a new crate).
pub fn prepare(
    loaded: &LoadedSpec,
    crate_dir: &Path,
    format: Format,
    runtime: Option<RuntimeSource>,
    ignored: &dyn Fn(&str) -> bool,
) -> Result<Prepared, GenerateError> {
    let previous = Manifest::read(crate_dir).map_err(|source| GenerateError::Io {
        path: crate_dir.join(manifest::MANIFEST_PATH),
        source,
    })?;
    let runtime = runtime
        .or(previous.as_ref().map(|m| m.runtime))
        .unwrap_or_default();
    let plan = render::render_crate(loaded, crate_dir, format, runtime)?;
    let spec_abs = std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone());
    let crate_abs = std::path::absolute(crate_dir).unwrap_or_else(|_| crate_dir.to_owned());
    let items = spec_items(&loaded.spec);
    let manifest = Manifest {
        mcpgen_version: env!("CARGO_PKG_VERSION").to_owned(),
        spec: relative_path(&spec_abs, &crate_abs),
        spec_hash: content_hash(loaded.source.as_bytes()),
        files: Default::default(),
        items: items.clone(),
        runtime,
    };
    let mut changes = write::compare(crate_dir, &plan, previous.as_ref(), manifest, ignored)?;
    merge_cargo_toml(crate_dir, &plan, &mut changes, ignored)?;
    let orphans = orphaned_handlers(crate_dir, &plan, ignored)?;
    let items = match &previous {
        Some(previous) if !previous.items.is_empty() => item_changes(&previous.items, &items),
        _ => ItemChanges::default(),
    };
    Ok(Prepared {
        plan,
        changes,
        orphans,
        items,
    })
}

/// Cargo.toml is the user's once it exists: plan an in-place edit of only the entries mcpgen needs, computed from
/// the file on disk, so it is applied (all or nothing) and shown by `--check`/`--diff` like any other change.
fn merge_cargo_toml(
    crate_dir: &Path,
    plan: &Plan,
    changes: &mut Changes,
    ignored: &dyn Fn(&str) -> bool,
) -> Result<(), GenerateError> {
    const PATH: &str = "Cargo.toml";
    let Some(wanted) = plan.get(PATH) else {
        return Ok(());
    };
    if ignored(PATH) {
        return Ok(());
    }
    let disk_path = crate_dir.join(PATH);
    let current = match std::fs::read_to_string(&disk_path) {
        Ok(text) => text,
        // Missing: `compare` already planned its creation.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(GenerateError::Io {
                path: disk_path,
                source,
            });
        }
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
fn orphaned_handlers(
    crate_dir: &Path,
    plan: &Plan,
    ignored: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, GenerateError> {
    let mut orphans = Vec::new();
    for folder in ["src/tools", "src/resources", "src/templates", "src/prompts"] {
        let dir = crate_dir.join(folder);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(GenerateError::Io { path: dir, source }),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".rs") {
                continue;
            }
            let path = format!("{folder}/{name}");
            if ignored(&path) {
                continue;
            }
            if plan.get(&path).is_none_or(|f| f.owner != Owner::User) {
                orphans.push(path);
            }
        }
    }
    orphans.sort();
    Ok(orphans)
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
