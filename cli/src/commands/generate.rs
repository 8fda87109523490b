//! `mcpgen generate [DIR]`: re-render a generated crate from its spec, writing only what changed and never a
//! user-owned file (Cargo.toml only gets mcpgen's own entries edited in place).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use super::StdoutError;
use super::common::{Target, detect_format, load_reporting, locate};
use crate::codegen::cargo_toml::RuntimeSource;
use crate::codegen::manifest::MANIFEST_PATH;
use crate::codegen::plan::Owner;
use crate::codegen::write::{ApplyOptions, Change, Changes, WriteError, apply};
use crate::codegen::{self, IgnoreRules, Prepared};

/// Regenerate a crate after its spec changed: updates generated files, adds handler stubs for new items, and
/// never modifies a file you own.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The crate directory [default: the crate containing the current directory, found by its
    /// .mcpgen/manifest.json, which records the spec].
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The spec to use instead of the one the crate records (the crate then records this one).
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Overwrite generated files that were edited by hand (copies go to .mcpgen/backup/ first).
    #[arg(long)]
    pub force: bool,
    /// Write nothing; exit 1 listing every file that differs from what would be generated (and hand-edited
    /// generated files), 0 when up to date.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,
    /// Write nothing; print a unified diff of what would change.
    #[arg(long)]
    pub diff: bool,
    /// After regenerating, build the crate and check it serves the spec on every transport (`mcpgen verify`).
    #[arg(long, conflicts_with_all = ["check", "diff"])]
    pub verify: bool,
    /// Where the crate gets mcpgen-runtime from: a vendored copy under vendor/mcpgen-runtime, kept in step by
    /// mcpgen, or crates.io [default: the crate's current choice].
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub runtime: Option<RuntimeSource>,
    /// Test hook: fail after this many files were put in place, to check the rollback.
    #[arg(long, hide = true, value_name = "N")]
    pub fail_after: Option<usize>,
}

/// What a run does with the prepared changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
    Diff,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = match locate(args.dir.as_deref(), args.spec.as_deref()) {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mode = if args.check {
        Mode::Check
    } else if args.diff {
        Mode::Diff
    } else {
        Mode::Write
    };
    let options = ApplyOptions {
        force: args.force,
        fail_after: args.fail_after,
    };
    if !regenerate(&target, mode, args.runtime, &options)? {
        return Ok(ExitCode::FAILURE);
    }
    if args.verify {
        return super::verify::run(super::verify::Args {
            dir: target.dir,
            spec: Some(target.spec),
            target_dir: None,
            format: super::verify::Format::Text,
            declared_http_mode_only: false,
            timeout: 15,
            call_destructive: false,
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// One generation run: load and validate the spec (diagnostics on stderr), render, compare, then write, check or
/// diff. False (exit 1) when the spec is invalid, a generated file was edited by hand (unless forced), or, for
/// `Check`, anything differs. Nothing is written unless every step before the write succeeded.
pub fn regenerate(
    target: &Target,
    mode: Mode,
    runtime: Option<RuntimeSource>,
    options: &ApplyOptions,
) -> anyhow::Result<bool> {
    let Some(loaded) = load_reporting(&target.spec) else {
        return Ok(false);
    };
    let dir = &target.dir;
    let rules = IgnoreRules::load(dir)?;
    let prepared = codegen::prepare(&loaded, dir, detect_format(), runtime, &|p| {
        rules.is_ignored(p)
    })?;
    let changes = &prepared.changes;
    match mode {
        Mode::Check => return Ok(check(dir, &prepared)?),
        Mode::Diff => {
            for change in &changes.changes {
                let path = change.path();
                let old = std::fs::read(dir.join(path)).unwrap_or_default();
                let new = changes.planned(path).unwrap_or_default();
                out!("{}", unified_diff(path, &old, new))?;
            }
            report_hand_edited(changes, "would refuse to overwrite");
            return Ok(true);
        }
        Mode::Write => {}
    }

    let backup = match apply(dir, changes, options) {
        Ok(backup) => backup,
        Err(WriteError::HandEdited(_)) => {
            report_hand_edited(changes, "refusing to overwrite");
            eprintln!("Nothing was written.");
            return Ok(false);
        }
        Err(e) => {
            return Err(e).with_context(|| {
                format!("writing {} (every file was left as it was)", dir.display())
            });
        }
    };
    report_items(&prepared)?;
    for change in &changes.changes {
        outln!("{}: {}", verb(changes, change), change.path())?;
    }
    if let Some(backup) = backup {
        outln!(
            "Saved the hand-edited files under {} before overwriting them.",
            backup.display()
        )?;
    }
    for path in &changes.kept_edited {
        outln!(
            "kept: {path} (no longer generated, but edited by hand: delete it when you no longer need it)"
        )?;
    }
    report_orphans(&prepared)?;
    if changes.changes.is_empty() {
        outln!("{} is up to date.", dir.display())?;
    }
    Ok(true)
}

/// `--check`: every difference on stdout, one per line, exit 1 when there is any.
fn check(dir: &Path, prepared: &Prepared) -> Result<bool, StdoutError> {
    let changes = &prepared.changes;
    for change in &changes.changes {
        if !changes.hand_edited.iter().any(|p| p == change.path()) {
            outln!("{}: {}", verb(changes, change), change.path())?;
        }
    }
    for path in &changes.hand_edited {
        outln!("edited by hand: {path}")?;
    }
    // The manifest alone differs when only the spec's bytes changed (a comment, say): still drift for CI.
    let manifest_only = changes.changes.is_empty() && changes.manifest.is_some();
    if manifest_only {
        outln!("would update: {MANIFEST_PATH}")?;
    }
    report_orphans(prepared)?;
    if changes.changes.is_empty() && !manifest_only {
        eprintln!("{} is up to date.", dir.display());
        return Ok(true);
    }
    if changes.hand_edited.is_empty() {
        eprintln!("{} is out of date: run `mcpgen generate`", dir.display());
    } else {
        report_hand_edited(changes, "would refuse to overwrite");
    }
    Ok(false)
}

fn report_hand_edited(changes: &Changes, what: &str) {
    if changes.hand_edited.is_empty() {
        return;
    }
    eprintln!("error: generated files were edited by hand; mcpgen {what} them:");
    for file in &changes.hand_edited {
        eprintln!("  {file}");
    }
    eprintln!(
        "Move your changes into files you own (src/tools/, src/state.rs, ...) and run again; or run with --force \
         (copies are saved under .mcpgen/backup/ first); or list the files in .mcpgenignore so mcpgen never \
         writes them."
    );
}

/// Spec items added or removed since the last run: a renamed item shows as one of each.
fn report_items(prepared: &Prepared) -> Result<(), StdoutError> {
    for (kind, name) in &prepared.items.removed {
        outln!("removed {kind}: {name}")?;
    }
    for (kind, name) in &prepared.items.added {
        outln!("added {kind}: {name}")?;
    }
    Ok(())
}

fn report_orphans(prepared: &Prepared) -> Result<(), StdoutError> {
    for path in &prepared.orphans {
        outln!(
            "orphaned: {path} (its spec item is gone, so it is no longer compiled; move what you still need \
             into another file, then delete it)"
        )?;
    }
    Ok(())
}

fn verb(changes: &Changes, change: &Change) -> &'static str {
    match change {
        Change::Create {
            owner: Owner::User, ..
        } => "created (yours to edit)",
        Change::Create { .. } => "created",
        Change::Update { path } if changes.edited_user.contains(path) => {
            "updated (only mcpgen's entries)"
        }
        Change::Update { .. } => "updated",
        Change::Delete { .. } => "deleted",
    }
}

fn unified_diff(path: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
