//! A scratch crate for the typegen tests that compile generated types (`typegen_compile.rs`, `typegen_props.rs`):
//! it depends on serde, serde_json and the runtime only, builds offline against this workspace's `Cargo.lock`, in
//! the shared target directory `target/nested`, so repeated runs are incremental.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Scratch {
    pub dir: PathBuf,
}

impl Scratch {
    /// A crate named `name` under the test's scratch folder; its lock file is the workspace's.
    pub fn new(name: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let runtime = repo_root().join("runtime");
        let manifest = format!(
            r#"[package]
name = "{name}"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of the mcpgen workspace it happens to sit under.
[workspace]

[dependencies]
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
# The runtime, by path, for its argument parsing.
mcpgen-runtime = {{ path = {:?}, default-features = false }}
"#,
            runtime.to_str().unwrap()
        );
        let scratch = Scratch { dir };
        scratch.write("Cargo.toml", &manifest);
        if !scratch.dir.join("Cargo.lock").exists() {
            let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
            scratch.write("Cargo.lock", &lock);
        }
        scratch
    }

    /// Writes `text` to `path` (relative to the crate), leaving an unchanged file alone so that its mtime stays
    /// and cargo does not rebuild it.
    pub fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text).unwrap();
        }
    }

    /// Runs cargo `subcommand` (offline) with `args` in the crate, panicking with its output when it fails;
    /// returns its stdout.
    pub fn cargo(&self, subcommand: &str, args: &[&str]) -> String {
        let target = repo_root().join("target/nested");
        let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args([subcommand, "--offline"])
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", target)
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "cargo {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
