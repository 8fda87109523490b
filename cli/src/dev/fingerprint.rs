//! What the file loops compare before acting on a watcher event. inotify reports a file being opened as well as
//! written, so reading the spec (as generation does) or a source file (as rustc does) would otherwise look like a
//! save and start the next round: a loop that never settles. A round runs only when a fingerprint moved.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};

/// The contents of `files` (a missing file counts as such).
pub fn of_contents(files: &[PathBuf]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(file).ok().hash(&mut hasher);
    }
    hasher.finish()
}

/// The crate's sources as cargo sees them: path, size and modification time of every file under `src/` but
/// `src/generated/` (generation's own output), and `Cargo.toml`'s contents.
pub fn of_sources(crate_dir: &Path) -> u64 {
    let mut hasher = DefaultHasher::new();
    std::fs::read(crate_dir.join("Cargo.toml"))
        .ok()
        .hash(&mut hasher);
    let generated = crate_dir.join("src").join("generated");
    let mut stack = vec![crate_dir.join("src")];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.metadata() {
                Ok(meta) if meta.is_dir() && path != generated => stack.push(path),
                Ok(meta) if meta.is_file() => files.push((path, meta.len(), meta.modified().ok())),
                _ => {}
            }
        }
    }
    files.sort();
    files.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_leaves_them_alone_and_writing_moves_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/generated")).unwrap();
        std::fs::create_dir_all(root.join("src/tools")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\n").unwrap();
        std::fs::write(root.join("src/tools/a.rs"), "fn a() {}\n").unwrap();
        std::fs::write(root.join("spec.yaml"), "server: {}\n").unwrap();
        let spec = [root.join("spec.yaml")];
        let (contents, sources) = (of_contents(&spec), of_sources(root));

        let _ = std::fs::read(root.join("spec.yaml")).unwrap();
        let _ = std::fs::read(root.join("src/tools/a.rs")).unwrap();
        std::fs::write(root.join("src/generated/tools.rs"), "// @generated\n").unwrap();
        assert_eq!(of_contents(&spec), contents);
        assert_eq!(of_sources(root), sources, "generated files are not sources");

        std::fs::write(root.join("spec.yaml"), "server: {name: x}\n").unwrap();
        assert_ne!(of_contents(&spec), contents);
        std::fs::write(root.join("src/tools/a.rs"), "fn a() { /* edited */ }\n").unwrap();
        assert_ne!(of_sources(root), sources);
    }
}
