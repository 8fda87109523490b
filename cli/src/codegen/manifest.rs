//! `.mcpgen/manifest.json`, the record of what mcpgen last wrote into a crate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::cargo_toml::RuntimeSource;

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
            Ok(bytes) => Manifest::parse(&bytes, &path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The manifest in `bytes`, read from `path` (named in the error).
    pub fn parse(bytes: &[u8], path: &Path) -> std::io::Result<Manifest> {
        serde_json::from_slice(bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
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
