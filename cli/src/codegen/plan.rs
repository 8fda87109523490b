//! The plan: every file of the generated crate, in memory, with its owner. Rendering produces a plan; only
//! `write::apply` turns it into disk changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cargo_toml::RuntimeSource;
use sha2::{Digest, Sha256};

/// Who owns a file, which decides what regeneration may do to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// Rewritten by mcpgen whenever its content changes; never to be edited by hand.
    Generated,
    /// Created once with a starter body, then the user's: never modified again.
    User,
}

/// One planned file. `path` is relative to the crate root and uses `/` separators.
#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub owner: Owner,
}

/// Every file mcpgen wants the crate to have, sorted by path (deterministic output).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    files: BTreeMap<String, PlannedFile>,
}

/// Two planned files with one path: a bug in the generator (validation should have caught the colliding names).
#[derive(Debug, thiserror::Error)]
#[error("internal error: two generated files share the path {0}")]
pub struct DuplicatePath(pub String);

impl Plan {
    pub fn add(
        &mut self,
        path: impl Into<String>,
        contents: impl Into<Vec<u8>>,
        owner: Owner,
    ) -> Result<(), DuplicatePath> {
        let path = path.into();
        let file = PlannedFile {
            path: path.clone(),
            contents: contents.into(),
            owner,
        };
        if self.files.insert(path.clone(), file).is_some() {
            return Err(DuplicatePath(path));
        }
        Ok(())
    }

    pub fn files(&self) -> impl Iterator<Item = &PlannedFile> {
        self.files.values()
    }

    pub fn get(&self, path: &str) -> Option<&PlannedFile> {
        self.files.get(path)
    }
}

/// Hex SHA-256 of file contents, as recorded in the manifest.
pub fn content_hash(contents: &[u8]) -> String {
    let digest = Sha256::digest(contents);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the manifest lives inside a generated crate.
pub const MANIFEST_PATH: &str = ".mcpgen/manifest.json";

/// `.mcpgen/manifest.json`: what mcpgen last wrote, so the next run can tell a hand-edited generated file from one
/// it may overwrite, and `mcpgen generate` run inside the crate can find its spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Version of mcpgen that wrote the crate.
    pub mcpgen_version: String,
    /// The spec, relative to the crate root, with `/` separators.
    pub spec: String,
    /// Hash of the spec's bytes when the crate was generated.
    pub spec_hash: String,
    /// Every generated file (relative path) and the hash of the content mcpgen wrote.
    pub files: BTreeMap<String, String>,
    /// The spec's item names by kind (`tool`, `resource`, `resourceTemplate`, `prompt`), so the next run can report
    /// what was removed or added (a rename is both) after the spec file itself changed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, Vec<String>>,
    /// Where the crate gets `mcpgen-runtime` from; crates from before the runtime crate existed had it copied in,
    /// so they default to the vendored copy.
    #[serde(default)]
    pub runtime: RuntimeSource,
}

impl Manifest {
    pub fn read(crate_dir: &Path) -> std::io::Result<Option<Manifest>> {
        let path = crate_dir.join(MANIFEST_PATH);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The manifest's own file content (stable key order, trailing newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        text.push('\n');
        text.into_bytes()
    }

    /// The spec's path resolved against the crate directory.
    pub fn spec_path(&self, crate_dir: &Path) -> PathBuf {
        crate_dir.join(&self.spec)
    }
}

/// A path relative to `base` using `/` separators, for recording in the manifest. Both paths should be absolute
/// (or both relative to one directory).
pub fn relative_path(path: &Path, base: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let ups = std::iter::repeat_n("..".to_owned(), base.len() - common);
    let downs = path[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let parts: Vec<String> = ups.chain(downs).collect();
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            relative_path(&p("/a/specs/x.yaml"), &p("/a/generated-examples/x")),
            "../../specs/x.yaml"
        );
        assert_eq!(relative_path(&p("/a/x/spec.yaml"), &p("/a/x")), "spec.yaml");
        assert_eq!(relative_path(&p("/a/x"), &p("/a/x")), ".");
    }

    #[test]
    fn duplicate_paths_are_refused() {
        let mut plan = Plan::default();
        plan.add("src/a.rs", "x", Owner::Generated).unwrap();
        assert!(plan.add("src/a.rs", "y", Owner::User).is_err());
    }
}
