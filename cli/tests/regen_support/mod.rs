//! Shared by the regen_* tests: a crate created with `mcpgen new` in a temporary folder, its spec beside it, and
//! runs of the mcpgen binary against it.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A generated crate at `<tmp>/crate` whose spec is `<tmp>/spec/<name>.yaml`.
pub struct Crate {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub spec: PathBuf,
}

impl Crate {
    pub fn new(spec: &str) -> Crate {
        Crate::with_files(spec, &[])
    }

    /// `files` are written next to the spec first (the `file:` resources it embeds).
    pub fn with_files(spec: &str, files: &[(&str, &[u8])]) -> Crate {
        let tmp = tempfile::tempdir().unwrap();
        let spec_dir = tmp.path().join("spec");
        for (path, content) in files {
            let path = spec_dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::create_dir_all(&spec_dir).unwrap();
        let c = Crate {
            dir: tmp.path().join("crate"),
            spec: spec_dir.join("server.yaml"),
            tmp,
        };
        c.write_spec(spec);
        let out = c.mcpgen(&[
            "new",
            c.spec.to_str().unwrap(),
            "--out",
            c.dir.to_str().unwrap(),
            "--no-verify",
        ]);
        assert!(out.ok(), "mcpgen new: {out}");
        c
    }

    pub fn write_spec(&self, text: &str) {
        std::fs::write(&self.spec, text).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }

    /// Runs mcpgen with the crate directory as the current directory.
    pub fn mcpgen(&self, args: &[&str]) -> Output {
        self.mcpgen_in(&self.dir, args)
    }

    pub fn mcpgen_in(&self, cwd: &Path, args: &[&str]) -> Output {
        mcpgen(if cwd.exists() { cwd } else { self.tmp.path() }, args)
    }
}

/// Runs the mcpgen binary in `cwd`.
pub fn mcpgen(cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What one mcpgen run printed.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Every file under `dir` (but `target/`) and its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "target" {
                continue;
            }
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}
