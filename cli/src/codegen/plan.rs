//! The plan: every file of the generated crate, in memory, with its owner. Rendering produces a plan; only
//! `write::apply` turns it into disk changes.

use std::collections::BTreeMap;
use std::path::Path;

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
        let p = |s: &str| std::path::PathBuf::from(s);
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
