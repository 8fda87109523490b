//! Shared helpers for the clientconfig tests: fixture paths and self-cleaning temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpgen::spec::Spec;

/// `tests/clientconfig` at the repository root.
pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tests")
        .join("clientconfig")
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_root().join("fixtures").join(name)).expect("fixture exists")
}

/// The golden-test spec, loaded the way `mcpgen` loads specs.
pub fn golden_spec() -> Spec {
    load_str(&std::fs::read_to_string(fixtures_root().join("spec.yaml")).expect("spec fixture"))
}

pub fn load_str(yaml: &str) -> Spec {
    match mcpgen::pipeline::load_spec_str(Path::new("spec.yaml"), yaml) {
        Ok(loaded) => loaded.spec,
        Err(diags) => panic!("fixture spec is invalid: {diags:?}"),
    }
}

/// A temporary directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mcpgen-clientconfig-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// File names in the directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read temp dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
