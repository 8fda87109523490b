//! Shared helpers for the clientconfig tests: fixture paths, parsing config files as their client reads them, and
//! self-cleaning temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpgen::clientconfig::{Client, FileFormat};
use mcpgen::spec::Spec;
use serde_json::Value;

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

/// Writes the fixture `name` into `dir` under the same name; returns the file's path and the text written.
pub fn place_fixture(dir: &Path, name: &str) -> (PathBuf, String) {
    place_fixture_as(dir, name, name)
}

/// Writes the fixture `name` into `dir` as `file`; returns the file's path and the text written.
pub fn place_fixture_as(dir: &Path, name: &str, file: &str) -> (PathBuf, String) {
    let path = dir.join(file);
    let text = fixture(name);
    std::fs::write(&path, &text).expect("write fixture");
    (path, text)
}

/// Parses a config file as `client`'s format, into JSON for uniform checks; an empty JSONC file is `{}`.
pub fn parse_config(client: Client, text: &str) -> Value {
    match client.format() {
        FileFormat::Json => serde_json::from_str(text).expect("valid strict JSON"),
        FileFormat::Jsonc => jsonc_parser::cst::CstRootNode::parse(text, &Default::default())
            .expect("valid JSONC")
            .to_serde_value()
            .unwrap_or_else(|| Value::Object(Default::default())),
        FileFormat::Toml => {
            let doc: toml_edit::DocumentMut = text.parse().expect("valid TOML");
            toml_to_json(doc.as_item())
        }
    }
}

// Independent of the crate's own converter: goes through toml_edit's typed values.
fn toml_to_json(item: &toml_edit::Item) -> Value {
    match item {
        toml_edit::Item::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), toml_to_json(v)))
                .collect(),
        ),
        toml_edit::Item::Value(v) => toml_value_to_json(v),
        other => panic!("unexpected TOML item {other:?}"),
    }
}

fn toml_value_to_json(v: &toml_edit::Value) -> Value {
    match v {
        toml_edit::Value::String(s) => Value::String(s.value().clone()),
        toml_edit::Value::Boolean(b) => Value::Bool(*b.value()),
        toml_edit::Value::Integer(i) => Value::from(*i.value()),
        toml_edit::Value::Array(a) => Value::Array(a.iter().map(toml_value_to_json).collect()),
        toml_edit::Value::InlineTable(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_owned(), toml_value_to_json(v)))
                .collect(),
        ),
        other => panic!("unexpected TOML value {other:?}"),
    }
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
