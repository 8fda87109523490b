//! Helpers the CLI's integration tests share: the repository's paths, running the built `mcpgen`, and copies of
//! generated-examples/weather for the tests that build and edit one (`dev_cli`, `verify_weather`).
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Runs the built `mcpgen` with `args` in `cwd`.
pub fn mcpgen(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run mcpgen")
}

/// Every crate under generated-examples/ (those with a manifest), sorted.
pub fn examples() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(repo_root().join("generated-examples"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(".mcpgen/manifest.json").exists())
        .collect();
    dirs.sort();
    dirs
}

/// The checked-in weather example.
pub fn example() -> PathBuf {
    repo_root().join("generated-examples/weather")
}

/// Where the copies build: one target directory, so their dependencies build once.
pub fn nested_target() -> PathBuf {
    repo_root().join("target/nested")
}

/// The copy `target/nested/fixture/NAME` of the example, restored to the checked-in sources. Files are rewritten
/// only when they differ, so unchanged ones keep their mtimes and cargo rebuilds little. The copy is its own
/// workspace, takes the runtime (which the example requires by version) from runtime/ as the repository does, and
/// starts from the repository's lock file, so it builds against the dependencies other tests built; its manifest
/// names specs/weather.yaml.
pub fn weather_copy(name: &str) -> PathBuf {
    let example = example();
    let dir = nested_target().join("fixture").join(name);
    for entry in std::fs::read_dir(&example).unwrap() {
        let entry = entry.unwrap();
        // Written below, adapted to where the copy lives.
        if entry.file_name() != "Cargo.toml" && entry.file_name() != ".mcpgen" {
            sync(&entry.path(), &dir.join(entry.file_name()));
        }
    }
    let manifest = std::fs::read_to_string(example.join("Cargo.toml")).unwrap();
    let runtime = repo_root().join("runtime");
    write_if_changed(
        &dir.join("Cargo.toml"),
        format!(
            "{manifest}\n[workspace]\n\n[patch.crates-io]\nmcpgen-runtime = {{ path = {:?} }}\n",
            runtime.to_str().unwrap()
        )
        .as_bytes(),
    );
    if !dir.join("Cargo.lock").exists() {
        std::fs::copy(repo_root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    }
    let mcpgen = ".mcpgen/manifest.json";
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(example.join(mcpgen)).unwrap()).unwrap();
    let spec = mcpgen::codegen::plan::relative_path(&repo_root().join("specs/weather.yaml"), &dir);
    manifest["spec"] = spec.into();
    write_if_changed(
        &dir.join(mcpgen),
        serde_json::to_string_pretty(&manifest).unwrap().as_bytes(),
    );
    dir
}

/// Makes `to` hold what `from` (a file or a directory) holds.
fn sync(from: &Path, to: &Path) {
    if from.is_dir() {
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            sync(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        write_if_changed(to, &std::fs::read(from).unwrap());
    }
}

fn write_if_changed(path: &Path, contents: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(contents) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}
