//! The only stage that touches disk. It compares a [`Plan`] with the crate on disk and the previous manifest, then
//! applies the changes all or nothing: every new content is staged in a temporary file beside its target first, then
//! renamed into place (a rename is atomic, so a killed process leaves each file old or new, never half-written), and
//! a failure part-way restores what was already replaced.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::manifest::{MANIFEST_PATH, Manifest, content_hash};
use super::plan::{Owner, Plan};
use super::snapshot::{Content, CrateSnapshot};

/// What one run will do to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new file (generated, or a user stub for a new spec item).
    Create { path: String, owner: Owner },
    /// A generated file whose content changed.
    Update { path: String },
    /// A generated file mcpgen no longer produces (unmodified since mcpgen wrote it).
    Delete { path: String },
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Create { path, .. } | Change::Update { path } | Change::Delete { path } => path,
        }
    }
}

/// The comparison of a plan with the disk, before anything is written.
#[derive(Debug, Default)]
pub struct Changes {
    pub changes: Vec<Change>,
    /// Generated files whose content on disk differs from what mcpgen last wrote: edited by hand. Writing refuses to
    /// touch them unless forced.
    pub hand_edited: Vec<String>,
    /// Generated files no longer produced but edited by hand: left in place.
    pub kept_edited: Vec<String>,
    /// Paths skipped because `.mcpgenignore` lists them.
    pub ignored: Vec<String>,
    /// User-owned files that mcpgen edits in place (their `Update` changes only mcpgen's own entries, such as
    /// Cargo.toml's dependencies); never subject to the hand-edit check.
    pub edited_user: Vec<String>,
    /// The manifest to record once the changes are applied.
    pub manifest: Option<Manifest>,
    /// Planned contents, by path, for the files in `changes` (empty for deletes).
    contents: Vec<(String, Vec<u8>)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Plans an in-place edit of an existing user-owned file, whose new content was computed from the file on disk.
    pub fn edit_user_file(&mut self, path: &str, contents: Vec<u8>) {
        self.changes.push(Change::Update {
            path: path.to_owned(),
        });
        self.contents.push((path.to_owned(), contents));
        self.edited_user.push(path.to_owned());
    }

    /// The content a change would write.
    pub fn planned(&self, path: &str) -> Option<&[u8]> {
        self.contents
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c.as_slice())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "generated files were edited by hand: {}\n  Move your changes into the user-owned files (src/tools/, src/state.rs, ...), \
         or run again with --force to overwrite them (copies are saved under .mcpgen/backup/ first), \
         or list them in .mcpgenignore to stop mcpgen writing them.",
        .0.join(", ")
    )]
    HandEdited(Vec<String>),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, WriteError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(WriteError::Io {
            path: path.to_owned(),
            source: e,
        }),
    }
}

/// Compares `plan` with the crate as `snapshot` holds it: its previous manifest, its `.mcpgenignore` and its files.
/// `new_manifest` is what to record once the changes are applied (its `files` are filled in here). Pure.
pub fn compare(snapshot: &CrateSnapshot, plan: &Plan, mut new_manifest: Manifest) -> Changes {
    let mut out = Changes::default();
    let previous = snapshot.manifest();
    let recorded = |path: &str| previous.and_then(|m| m.files.get(path));
    // What mcpgen last wrote at `path` is on disk, unchanged.
    let as_recorded = |path: &str, disk: &Content| match disk {
        Content::Bytes(bytes) => recorded(path) == Some(&content_hash(bytes)),
        Content::TooLarge => false,
    };
    for file in plan.files() {
        if snapshot.is_ignored(&file.path) {
            out.ignored.push(file.path.clone());
            continue;
        }
        match (file.owner, snapshot.get(&file.path)) {
            (owner, None) => {
                out.changes.push(Change::Create {
                    path: file.path.clone(),
                    owner,
                });
                out.contents
                    .push((file.path.clone(), file.contents.clone()));
            }
            (Owner::User, Some(_)) => {}
            (Owner::Generated, Some(disk)) => {
                if !matches!(disk, Content::Bytes(bytes) if *bytes == file.contents) {
                    // Safe to overwrite only what mcpgen itself wrote last time.
                    if !as_recorded(&file.path, disk) {
                        out.hand_edited.push(file.path.clone());
                    }
                    out.changes.push(Change::Update {
                        path: file.path.clone(),
                    });
                    out.contents
                        .push((file.path.clone(), file.contents.clone()));
                }
            }
        }
        if file.owner == Owner::Generated {
            new_manifest
                .files
                .insert(file.path.clone(), content_hash(&file.contents));
        }
    }
    if let Some(previous) = previous {
        for path in previous.files.keys() {
            if plan.get(path).is_some() || snapshot.is_ignored(path) {
                continue;
            }
            match snapshot.get(path) {
                Some(disk) if as_recorded(path, disk) => {
                    out.changes.push(Change::Delete { path: path.clone() })
                }
                Some(_) => out.kept_edited.push(path.clone()),
                None => {}
            }
        }
    }
    let manifest_changed = previous.is_none_or(|p| *p != new_manifest);
    if !out.changes.is_empty() || manifest_changed {
        out.manifest = Some(new_manifest);
    }
    out
}

/// Options for [`apply`].
#[derive(Debug, Default, Clone)]
pub struct ApplyOptions {
    /// Overwrite hand-edited generated files, after saving copies under `.mcpgen/backup/<YYYYMMDDTHHMMSSZ>/`.
    pub force: bool,
    /// Test hook: fail with an I/O error after this many files were put in place (simulates a crash or a full disk).
    pub fail_after: Option<usize>,
}

/// A file already replaced during the commit phase, and how to undo it.
struct Done {
    target: PathBuf,
    previous: Option<Vec<u8>>,
}

/// Applies `changes` to the crate at `root`, all or nothing. Returns the backup folder if hand-edited files were
/// saved.
pub fn apply(
    root: &Path,
    changes: &Changes,
    options: &ApplyOptions,
) -> Result<Option<PathBuf>, WriteError> {
    if !changes.hand_edited.is_empty() && !options.force {
        return Err(WriteError::HandEdited(changes.hand_edited.clone()));
    }
    let mut created_dirs = Vec::new();
    let result = stage_and_commit(root, changes, options, &mut created_dirs);
    if result.is_err() {
        // Directories this run created are empty again after the rollback; remove them, deepest first.
        for dir in created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
    result
}

fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), WriteError> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(d) = cur {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_owned());
        cur = d.parent();
    }
    for d in missing.into_iter().rev() {
        std::fs::create_dir(&d).map_err(io_err(&d))?;
        created.push(d);
    }
    Ok(())
}

fn stage_and_commit(
    root: &Path,
    changes: &Changes,
    options: &ApplyOptions,
    created_dirs: &mut Vec<PathBuf>,
) -> Result<Option<PathBuf>, WriteError> {
    create_dirs(root, created_dirs)?;
    let mut writes: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for change in &changes.changes {
        if let Change::Create { path, .. } | Change::Update { path } = change {
            let content = changes
                .planned(path)
                .expect("every create/update has planned content");
            writes.push((root.join(path), content.to_vec()));
        }
    }
    let backup = if options.force && !changes.hand_edited.is_empty() {
        let stamp = crate::timestamp::utc_timestamp(std::time::SystemTime::now());
        let dir = root.join(".mcpgen/backup").join(stamp);
        for path in &changes.hand_edited {
            let content = std::fs::read(root.join(path)).map_err(io_err(&root.join(path)))?;
            writes.push((dir.join(path), content));
        }
        Some(dir)
    } else {
        None
    };
    if let Some(manifest) = &changes.manifest {
        writes.push((root.join(MANIFEST_PATH), manifest.to_bytes()));
    }

    // Stage: every new content in a temporary file next to its target, so the rename below stays on one
    // filesystem. Nothing visible has changed yet; dropping a staged file deletes it.
    let mut staged = Vec::with_capacity(writes.len());
    for (target, content) in &writes {
        let dir = target.parent().expect("targets are inside the crate");
        create_dirs(dir, created_dirs)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".mcpgen-tmp-")
            .tempfile_in(dir)
            .map_err(io_err(dir))?;
        tmp.write_all(content)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(io_err(target))?;
        staged.push((target.clone(), tmp));
    }

    // Commit: rename into place, remembering what each target held so a failure can put it back.
    let mut done: Vec<Done> = Vec::new();
    let mut commit = || -> Result<(), WriteError> {
        for (target, tmp) in staged.drain(..) {
            if options.fail_after.is_some_and(|n| done.len() >= n) {
                return Err(WriteError::Io {
                    path: target,
                    source: std::io::Error::other("simulated failure (test hook)"),
                });
            }
            let previous = read_if_exists(&target)?;
            tmp.persist(&target).map_err(|e| WriteError::Io {
                path: target.clone(),
                source: e.error,
            })?;
            done.push(Done { target, previous });
        }
        for change in &changes.changes {
            if let Change::Delete { path } = change {
                let target = root.join(path);
                let previous = read_if_exists(&target)?;
                std::fs::remove_file(&target).map_err(io_err(&target))?;
                done.push(Done { target, previous });
            }
        }
        Ok(())
    };
    if let Err(err) = commit() {
        for d in done.into_iter().rev() {
            let _ = match d.previous {
                Some(bytes) => std::fs::write(&d.target, bytes),
                None => std::fs::remove_file(&d.target),
            };
        }
        return Err(err);
    }
    remove_empty_dirs_of_deleted(root, changes);
    Ok(backup)
}

/// After deleting generated files, drop the folders they leave empty (inside the crate only).
fn remove_empty_dirs_of_deleted(root: &Path, changes: &Changes) {
    let mut dirs = BTreeSet::new();
    for change in &changes.changes {
        if let Change::Delete { path } = change {
            let mut cur = Path::new(path).parent();
            while let Some(d) = cur.filter(|d| !d.as_os_str().is_empty()) {
                dirs.insert(root.join(d));
                cur = d.parent();
            }
        }
    }
    for dir in dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir); // fails, harmlessly, when not empty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            mcpgen_version: "test".into(),
            spec: "spec.yaml".into(),
            spec_hash: "h".into(),
            files: Default::default(),
            items: Default::default(),
            runtime: Default::default(),
        }
    }

    fn plan(files: &[(&str, &str, Owner)]) -> Plan {
        let mut plan = Plan::default();
        for (path, content, owner) in files {
            plan.add(*path, content.as_bytes(), *owner).unwrap();
        }
        plan
    }

    fn run(root: &Path, plan: &Plan, options: &ApplyOptions) -> Result<Changes, WriteError> {
        let changes = compare(&CrateSnapshot::read(root).unwrap(), plan, manifest());
        apply(root, &changes, options)?;
        Ok(changes)
    }

    /// A crate folder in a new temporary directory, holding `files` as written by a first, successful run.
    fn generated(files: &[(&str, &str, Owner)]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("crate");
        run(&root, &plan(files), &ApplyOptions::default()).unwrap();
        (dir, root)
    }

    fn read(root: &Path, path: &str) -> String {
        std::fs::read_to_string(root.join(path)).unwrap()
    }

    #[test]
    fn creates_then_updates_only_what_changed_and_never_user_files() {
        let (_dir, root) = generated(&[
            ("src/generated/a.rs", "a1", Owner::Generated),
            ("src/tools/t.rs", "stub", Owner::User),
        ]);
        std::fs::write(root.join("src/tools/t.rs"), "my code").unwrap();

        let v2 = plan(&[
            ("src/generated/a.rs", "a2", Owner::Generated),
            ("src/tools/t.rs", "stub2", Owner::User),
        ]);
        let changes = run(&root, &v2, &ApplyOptions::default()).unwrap();
        assert_eq!(
            changes.changes,
            vec![Change::Update {
                path: "src/generated/a.rs".into()
            }]
        );
        assert_eq!(read(&root, "src/generated/a.rs"), "a2");
        assert_eq!(read(&root, "src/tools/t.rs"), "my code");

        let again = run(&root, &v2, &ApplyOptions::default()).unwrap();
        assert!(
            again.is_empty() && again.manifest.is_none(),
            "second run must be a no-op: {again:?}"
        );
    }

    #[test]
    fn hand_edited_generated_file_is_refused_then_forced_with_backup() {
        let (_dir, root) = generated(&[("g.rs", "v1", Owner::Generated)]);
        std::fs::write(root.join("g.rs"), "edited").unwrap();

        let v2 = plan(&[
            ("g.rs", "v2", Owner::Generated),
            ("new.rs", "n", Owner::Generated),
        ]);
        let err = run(&root, &v2, &ApplyOptions::default()).unwrap_err();
        assert!(
            matches!(&err, WriteError::HandEdited(p) if p == &["g.rs".to_owned()]),
            "{err}"
        );
        assert_eq!(read(&root, "g.rs"), "edited");
        assert!(
            !root.join("new.rs").exists(),
            "a refused run writes nothing"
        );

        run(
            &root,
            &v2,
            &ApplyOptions {
                force: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(read(&root, "g.rs"), "v2");
        let backups: Vec<_> = std::fs::read_dir(root.join(".mcpgen/backup"))
            .unwrap()
            .collect();
        assert_eq!(backups.len(), 1);
        let backup = backups[0].as_ref().unwrap().path();
        assert_eq!(
            std::fs::read_to_string(backup.join("g.rs")).unwrap(),
            "edited"
        );
    }

    #[test]
    fn unknown_existing_file_is_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.rs"), "someone else's").unwrap();
        let err = run(
            dir.path(),
            &plan(&[("g.rs", "v1", Owner::Generated)]),
            &ApplyOptions::default(),
        );
        assert!(matches!(err, Err(WriteError::HandEdited(_))));
        assert_eq!(read(dir.path(), "g.rs"), "someone else's");
    }

    #[test]
    fn removed_generated_files_are_deleted_only_when_unmodified() {
        let (_dir, root) = generated(&[
            ("a/x.rs", "x", Owner::Generated),
            ("b/y.rs", "y", Owner::Generated),
        ]);
        std::fs::write(root.join("b/y.rs"), "edited").unwrap();
        let changes = run(&root, &Plan::default(), &ApplyOptions::default()).unwrap();
        assert_eq!(
            changes.changes,
            vec![Change::Delete {
                path: "a/x.rs".into()
            }]
        );
        assert_eq!(changes.kept_edited, vec!["b/y.rs".to_owned()]);
        assert!(!root.join("a").exists(), "emptied folder removed");
        assert_eq!(read(&root, "b/y.rs"), "edited");
    }

    #[test]
    fn failure_part_way_restores_every_file() {
        let (_dir, root) = generated(&[
            ("a.rs", "a1", Owner::Generated),
            ("b.rs", "b1", Owner::Generated),
        ]);
        let contents = || -> Vec<String> {
            ["a.rs", "b.rs", MANIFEST_PATH]
                .iter()
                .map(|p| read(&root, p))
                .collect()
        };
        let before = contents();

        let v2 = plan(&[
            ("a.rs", "a2", Owner::Generated),
            ("b.rs", "b2", Owner::Generated),
            ("new/c.rs", "c", Owner::Generated),
        ]);
        for fail_after in 0..4 {
            let options = ApplyOptions {
                fail_after: Some(fail_after),
                ..Default::default()
            };
            assert!(run(&root, &v2, &options).is_err());
            assert_eq!(before, contents(), "fail_after={fail_after}");
            assert!(
                !root.join("new").exists(),
                "fail_after={fail_after}: created folder left behind"
            );
            let leftovers: Vec<_> = std::fs::read_dir(&root)
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with(".mcpgen-tmp-"))
                .collect();
            assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        }
        run(&root, &v2, &ApplyOptions::default()).unwrap();
        assert_eq!(read(&root, "new/c.rs"), "c");
    }

    #[test]
    fn failure_on_a_new_crate_leaves_no_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("fresh");
        let v1 = plan(&[("src/a.rs", "a", Owner::Generated)]);
        assert!(
            run(
                &root,
                &v1,
                &ApplyOptions {
                    fail_after: Some(1),
                    ..Default::default()
                }
            )
            .is_err()
        );
        assert!(!root.exists());
    }
}
