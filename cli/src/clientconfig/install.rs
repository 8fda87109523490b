//! Installing an entry into (or removing it from) a config file on disk: read, merge, back up, write
//! atomically. Idempotent: when nothing changes, nothing is written and no backup is made.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::merge::{self, Edit, MergeError, Outcome};
use super::{Client, ClientEntry};

/// How to install.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstallOptions {
    /// Replace an existing entry of the same name that has other content.
    pub force: bool,
    /// Compute and report the change, write nothing.
    pub dry_run: bool,
}

/// What an install or uninstall did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The file edited (symbolic links resolved, so a dotfiles link stays a link).
    pub path: PathBuf,
    /// What changed.
    pub outcome: Outcome,
    /// The file did not exist before.
    pub created: bool,
    /// The copy of the previous file, when one was written.
    pub backup: Option<PathBuf>,
    /// Unified diff from the previous content to the new one (empty when unchanged).
    pub diff: String,
    /// The file was written (false for dry runs and when nothing changed).
    pub written: bool,
}

/// Why an install failed; the file is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Reading the existing file failed.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Writing the backup or the new file failed.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The existing file is malformed or has an unexpected shape.
    #[error("{}:{source}", .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where and what.
        source: MergeError,
    },
    /// An entry of the same name with other content exists and `force` was not given.
    #[error(
        "{}: an entry named `{name}` already exists with different content; rerun with --force to replace it",
        .path.display()
    )]
    Conflict {
        /// The file.
        path: PathBuf,
        /// The entry name.
        name: String,
        /// Unified diff from the file to what `--force` would write.
        diff: String,
    },
}

/// Merges `entry` into the config file at `path` (created with its directories when missing).
pub fn install(
    path: &Path,
    entry: &ClientEntry,
    options: InstallOptions,
) -> Result<Report, InstallError> {
    apply(path, options, |text| {
        merge::merge_entry(text, entry, options.force)
    })
}

/// Removes the entry `name` of `client` from the config file at `path`.
pub fn uninstall(
    path: &Path,
    client: Client,
    name: &str,
    options: InstallOptions,
) -> Result<Report, InstallError> {
    apply(path, options, |text| {
        merge::remove_entry(text, client, name)
    })
}

fn apply(
    path: &Path,
    options: InstallOptions,
    edit: impl FnOnce(&str) -> Result<Edit, MergeError>,
) -> Result<Report, InstallError> {
    // Write through symbolic links (dotfile managers link config files); renaming onto the link itself
    // would replace it with a plain file.
    let path = match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(|source| InstallError::Read {
                path: path.to_owned(),
                source,
            })?
        }
        _ => path.to_owned(),
    };
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(InstallError::Read { path, source }),
    };
    let old = existing.as_deref().unwrap_or("");
    let edit = edit(old).map_err(|e| match e {
        MergeError::Conflict { name, proposed } => InstallError::Conflict {
            diff: unified_diff(&path, old, &proposed),
            path: path.clone(),
            name,
        },
        source => InstallError::Invalid {
            path: path.clone(),
            source,
        },
    })?;
    let mut report = Report {
        diff: unified_diff(&path, old, &edit.text),
        path,
        outcome: edit.outcome,
        created: existing.is_none(),
        backup: None,
        written: false,
    };
    if matches!(edit.outcome, Outcome::Unchanged | Outcome::NotPresent) || options.dry_run {
        return Ok(report);
    }
    if let Some(original) = &existing {
        report.backup = Some(write_backup(&report.path, original)?);
    }
    atomic_write(&report.path, &edit.text)?;
    report.written = true;
    Ok(report)
}

/// Unified diff between two versions of the file at `path`.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let shown = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{shown} (current)"), &format!("{shown} (new)"))
        .to_string()
}

/// Copies the previous content next to the file as `NAME.bak-YYYYMMDDTHHMMSSZ` (a numeric suffix when
/// that name is taken), with the original's permissions: a config file may hold secrets.
fn write_backup(path: &Path, original: &str) -> Result<PathBuf, InstallError> {
    let stamp = crate::timestamp::utc_timestamp(SystemTime::now());
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut n = 0;
    loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let backup = path.with_file_name(format!("{file_name}.bak-{stamp}{suffix}"));
        match create_new_like(&backup, path) {
            Ok(mut file) => {
                let written = file
                    .write_all(original.as_bytes())
                    .and_then(|()| file.sync_all());
                return match written {
                    Ok(()) => Ok(backup),
                    Err(source) => {
                        let _ = fs::remove_file(&backup);
                        Err(InstallError::Write {
                            path: backup,
                            source,
                        })
                    }
                };
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
            Err(source) => {
                return Err(InstallError::Write {
                    path: backup,
                    source,
                });
            }
        }
    }
}

/// Creates `path` exclusively, with the permissions of `like` when it exists (Unix).
fn create_new_like(path: &Path, like: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if let Ok(meta) = fs::metadata(like) {
            options.mode(meta.permissions().mode() & 0o7777);
        }
    }
    #[cfg(not(unix))]
    let _ = like;
    options.open(path)
}

/// Replaces `path` with `text` atomically: a temporary file in the same directory, flushed to disk, then
/// renamed over the original, so a crash leaves either the old or the new file, never half of one.
fn atomic_write(path: &Path, text: &str) -> Result<(), InstallError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let wrap = |source| InstallError::Write {
        path: path.to_owned(),
        source,
    };
    fs::create_dir_all(&dir).map_err(wrap)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{file_name}.mcpgen-{}-{nanos}.tmp",
        std::process::id()
    ));
    let result = (|| {
        let mut file = create_new_like(&tmp, path)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        #[cfg(unix)]
        if let Ok(d) = File::open(&dir) {
            // Persist the rename itself; failure here does not undo the write.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(wrap)
}
