//! Golden files, all under `tests/golden/<set>/` at the repository root. A test renders each case, hands it to
//! [`Goldens::check`], and [`Goldens::finish`] fails with a unified diff of every mismatch and names stale files.
//! `MCPGEN_BLESS=1` rewrites the set instead (and removes its stale files): the one way to accept new output.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One set of golden files being compared (or blessed).
pub struct Goldens {
    dir: PathBuf,
    bless: bool,
    seen: BTreeSet<String>,
    failures: Vec<String>,
}

impl Goldens {
    /// The set `tests/golden/<set>`.
    pub fn new(set: &str) -> Goldens {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/golden")
            .join(set);
        let bless = std::env::var_os("MCPGEN_BLESS").is_some_and(|v| v == "1");
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
        }
        Goldens {
            dir,
            bless,
            seen: BTreeSet::new(),
            failures: Vec::new(),
        }
    }

    /// Compares `actual` with the golden file `name` (or writes it, when blessing).
    pub fn check(&mut self, name: &str, actual: &str) {
        self.seen.insert(name.to_owned());
        let path = self.dir.join(name);
        if self.bless {
            std::fs::write(&path, actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != actual {
            let diff = similar::TextDiff::from_lines(&expected, actual)
                .unified_diff()
                .header(&format!("{name} expected"), &format!("{name} actual"))
                .to_string();
            self.failures.push(diff);
        }
    }

    /// A failure of the test's own (a property the goldens cannot show), reported with the mismatches.
    pub fn fail(&mut self, message: String) {
        self.failures.push(message);
    }

    /// Fails on any mismatch or on a golden file no case produced; when blessing, removes those instead.
    pub fn finish(mut self) {
        for entry in std::fs::read_dir(&self.dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if self.seen.contains(&name) {
                continue;
            }
            if self.bless {
                std::fs::remove_file(self.dir.join(&name)).unwrap();
            } else {
                self.failures.push(format!("stale golden file {name}"));
            }
        }
        assert!(
            self.failures.is_empty(),
            "{} golden mismatches in {} (MCPGEN_BLESS=1 rewrites them; review the diff):\n{}",
            self.failures.len(),
            self.dir.display(),
            self.failures.join("\n")
        );
    }
}
