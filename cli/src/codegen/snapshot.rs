//! The crate directory as generation sees it, read once before anything renders: the previous manifest, the
//! `.mcpgenignore` rules and the files. Rendering and comparing are pure functions of a snapshot and the spec, so
//! they can be run (and tested) on one built in memory, and a generation run reads the crate exactly once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::IgnoreRules;
use super::manifest::{MANIFEST_PATH, Manifest};
use super::plan::relative_path;

/// Folders never read: build output, version control, package caches, and mcpgen's own backups. None holds a
/// file mcpgen writes.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules", ".mcpgen/backup"];

/// Files larger than this are recorded as present but not read: mcpgen writes nothing that big, and a crate may
/// keep large data files of the user's beside its sources.
pub const MAX_READ_BYTES: u64 = 16 * 1024 * 1024;

/// One file of the crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Over [`MAX_READ_BYTES`]: present, content unknown (never equal to anything mcpgen plans).
    TooLarge,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Ignore { path: PathBuf, message: String },
}

/// What a crate directory holds (see the module docs). A directory that does not exist yet is an empty snapshot.
#[derive(Debug)]
pub struct CrateSnapshot {
    root: PathBuf,
    manifest: Option<Manifest>,
    ignore: IgnoreRules,
    /// Relative paths with `/` separators.
    files: BTreeMap<String, Content>,
}

impl CrateSnapshot {
    /// Reads the crate at `root`: every file outside [`SKIPPED_DIRS`], following symbolic links (a linked file is
    /// what its path reads as, and what a write would replace).
    pub fn read(root: &Path) -> Result<CrateSnapshot, SnapshotError> {
        let mut files = BTreeMap::new();
        if root.is_dir() {
            let walk = ignore::WalkBuilder::new(root)
                .standard_filters(false)
                .follow_links(true)
                .sort_by_file_name(|a, b| a.cmp(b))
                .filter_entry({
                    let root = root.to_owned();
                    move |entry| {
                        let rel = relative_path(entry.path(), &root);
                        !entry.file_type().is_some_and(|t| t.is_dir())
                            || !SKIPPED_DIRS.contains(&rel.as_str())
                    }
                })
                .build();
            for entry in walk {
                let entry = entry.map_err(|e| walk_error(root, e))?;
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let path = entry.path();
                let io = |source| SnapshotError::Io {
                    path: path.to_owned(),
                    source,
                };
                let content = if std::fs::metadata(path).map_err(io)?.len() > MAX_READ_BYTES {
                    Content::TooLarge
                } else {
                    Content::Bytes(std::fs::read(path).map_err(io)?)
                };
                files.insert(relative_path(path, root), content);
            }
        }
        CrateSnapshot::from_files(root, files)
    }

    /// A snapshot of the given files (relative paths, `/` separators) as if they were at `root`.
    pub fn from_files(
        root: &Path,
        files: BTreeMap<String, Content>,
    ) -> Result<CrateSnapshot, SnapshotError> {
        let text = |path: &str| match files.get(path) {
            Some(Content::Bytes(bytes)) => Ok(Some(bytes.as_slice())),
            Some(Content::TooLarge) => Err(SnapshotError::Io {
                path: root.join(path),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, "file too large"),
            }),
            None => Ok(None),
        };
        let manifest = text(MANIFEST_PATH)?
            .map(|bytes| Manifest::parse(bytes, &root.join(MANIFEST_PATH)))
            .transpose()
            .map_err(|source| SnapshotError::Io {
                path: root.join(MANIFEST_PATH),
                source,
            })?;
        let ignore_text = String::from_utf8_lossy(text(IgnoreRules::FILE)?.unwrap_or_default());
        let ignore = IgnoreRules::parse(&ignore_text).map_err(|message| SnapshotError::Ignore {
            path: root.join(IgnoreRules::FILE),
            message,
        })?;
        Ok(CrateSnapshot {
            root: root.to_owned(),
            manifest,
            ignore,
            files,
        })
    }

    /// The crate directory (which may not exist yet).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The manifest mcpgen last wrote here, if any.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Whether `.mcpgenignore` keeps mcpgen from writing, deleting or editing `path`.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.is_ignored(path)
    }

    /// The file at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<&Content> {
        self.files.get(path)
    }

    /// Whether a file exists at `path`.
    pub fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// The files directly inside `folder` (relative paths).
    pub fn files_in<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = format!("{folder}/");
        self.files
            .range(prefix.clone()..)
            .map(|(path, _)| path.as_str())
            .take_while(move |path| path.starts_with(&prefix))
            .filter(move |path| !path[folder.len() + 1..].contains('/'))
    }
}

fn walk_error(root: &Path, err: ignore::Error) -> SnapshotError {
    let path = match &err {
        ignore::Error::WithPath { path, .. } => path.clone(),
        _ => root.to_owned(),
    };
    let source = err
        .into_io_error()
        .unwrap_or_else(|| std::io::Error::other("cannot walk the crate directory"));
    SnapshotError::Io { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_file_but_skipped_folders_and_parses_manifest_and_ignore_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, content) in [
            ("Cargo.toml", "[package]"),
            ("src/tools/a.rs", "a"),
            ("src/tools/nested/b.rs", "b"),
            ("target/debug/x", "build output"),
            (".git/HEAD", "ref"),
            (".mcpgen/backup/1/src/generated/x.rs", "old"),
            (".mcpgenignore", "README.md\n"),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        let snapshot = CrateSnapshot::read(root).unwrap();
        let paths: Vec<_> = snapshot.files.keys().map(String::as_str).collect();
        assert_eq!(
            paths,
            [
                ".mcpgenignore",
                "Cargo.toml",
                "src/tools/a.rs",
                "src/tools/nested/b.rs"
            ]
        );
        assert_eq!(
            snapshot.get("src/tools/a.rs"),
            Some(&Content::Bytes(b"a".to_vec()))
        );
        assert_eq!(
            snapshot.files_in("src/tools").collect::<Vec<_>>(),
            ["src/tools/a.rs"]
        );
        assert!(snapshot.is_ignored("README.md") && !snapshot.is_ignored("Cargo.toml"));
        assert!(snapshot.manifest().is_none());
    }

    #[test]
    fn a_missing_directory_is_an_empty_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = CrateSnapshot::read(&dir.path().join("new")).unwrap();
        assert!(!snapshot.exists("Cargo.toml") && snapshot.manifest().is_none());
    }

    #[test]
    fn a_file_over_the_limit_is_present_but_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("data.bin")).unwrap();
        big.set_len(MAX_READ_BYTES + 1).unwrap();
        let snapshot = CrateSnapshot::read(dir.path()).unwrap();
        assert_eq!(snapshot.get("data.bin"), Some(&Content::TooLarge));
    }

    #[test]
    fn a_broken_manifest_is_an_error_naming_it() {
        let files = BTreeMap::from([(
            MANIFEST_PATH.to_owned(),
            Content::Bytes(b"{not json".to_vec()),
        )]);
        let err = CrateSnapshot::from_files(Path::new("c"), files).unwrap_err();
        assert!(err.to_string().contains("manifest.json"), "{err}");
    }
}
