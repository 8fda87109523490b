//! What `new` and `generate` do to each file of a crate, in one list for the text lines and the JSON output.

use serde::Serialize;

use crate::codegen::Prepared;
use crate::codegen::plan::Owner;
use crate::codegen::write::Change;

/// One file of the crate and what the run did (or, with `--check`/`--diff`, would do) to it.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Relative to the crate, `/`-separated.
    pub path: String,
    pub action: Action,
    pub owner: FileOwner,
    /// `generate --diff`: the unified diff of this file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Deleted,
    Unchanged,
}

/// Who owns a file: mcpgen rewrites `generated` ones; `user` ones are created once (Cargo.toml gets only
/// mcpgen's own entries updated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileOwner {
    Generated,
    User,
}

impl From<Owner> for FileOwner {
    fn from(owner: Owner) -> Self {
        match owner {
            Owner::Generated => FileOwner::Generated,
            Owner::User => FileOwner::User,
        }
    }
}

/// The changes in the order the comparison made them, then every other planned file as unchanged (by path).
/// Ignored (`.mcpgenignore`) and hand-edited files appear only as changes, never as unchanged.
pub fn entries(prepared: &Prepared) -> Vec<FileEntry> {
    let changes = &prepared.changes;
    let owner_of = |path: &String| {
        if changes.edited_user.contains(path) {
            FileOwner::User
        } else {
            FileOwner::Generated
        }
    };
    let mut out: Vec<FileEntry> = changes
        .changes
        .iter()
        .map(|change| {
            let (action, owner) = match change {
                Change::Create { owner, .. } => (Action::Created, (*owner).into()),
                Change::Update { path } => (Action::Updated, owner_of(path)),
                Change::Delete { .. } => (Action::Deleted, FileOwner::Generated),
            };
            FileEntry {
                path: change.path().to_owned(),
                action,
                owner,
                diff: None,
            }
        })
        .collect();
    let touched = |path: &str| {
        changes.changes.iter().any(|c| c.path() == path)
            || changes.ignored.iter().any(|p| p == path)
            || changes.hand_edited.iter().any(|p| p == path)
    };
    out.extend(
        prepared
            .plan
            .files()
            .filter(|f| !touched(&f.path))
            .map(|f| FileEntry {
                path: f.path.clone(),
                action: Action::Unchanged,
                owner: f.owner.into(),
                diff: None,
            }),
    );
    out
}
