//! `mcpgen generate [DIR]`: re-render a generated crate from its spec, writing only what changed and never a
//! user-owned file (Cargo.toml only gets mcpgen's own entries edited in place).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use super::StdoutError;
use super::common::{
    CrateArgs, Format, Target, detect_format, load_checked, load_reporting, print_json,
};
use super::files::{self, Action, FileEntry, FileOwner};
use crate::codegen::cargo_toml::RuntimeSource;
use crate::codegen::manifest::MANIFEST_PATH;
use crate::codegen::snapshot::{Content, CrateSnapshot};
use crate::codegen::write::{ApplyOptions, Changes, WriteError, apply};
use crate::codegen::{self, Prepared};
use crate::diag::Diagnostic;
use crate::output::{self, detail, note};
use crate::pipeline::LoadedSpec;

/// Regenerate a crate after its spec changed: updates generated files, adds handler stubs for new items, and
/// never modifies a file you own.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: CrateArgs,
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
    /// Output format: `text` for people, `json` (one object: files with their owners and what was done to
    /// each, the spec's diagnostics) for editors and agents.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Test hook: fail after this many files were put in place, to check the rollback.
    #[arg(long, hide = true, value_name = "N")]
    pub fail_after: Option<usize>,
}

/// What a run does with the prepared changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Write,
    Check,
    Diff,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = match args.target.locate() {
        Ok(target) => target,
        Err(message) => {
            if args.format == Format::Json {
                print_json(&GenerateReport::failed(mode_of(&args), message))?;
            } else {
                eprintln!("error: {message}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let options = ApplyOptions {
        force: args.force,
        fail_after: args.fail_after,
    };
    let ok = match args.format {
        Format::Text => regenerate(&target, mode_of(&args), args.runtime, &options)?,
        Format::Json => {
            let report = generate(&target, mode_of(&args), args.runtime, &options)?;
            print_json(&report)?;
            report.ok
        }
    };
    if !ok {
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

fn mode_of(args: &Args) -> Mode {
    if args.check {
        Mode::Check
    } else if args.diff {
        Mode::Diff
    } else {
        Mode::Write
    }
}

/// What a generation run did, for the text lines and `--format json` alike.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateReport {
    /// False (exit 1) when the spec is invalid, a generated file was edited by hand (unless forced), writing
    /// failed, or, for `check`, anything differs.
    pub ok: bool,
    pub mode: Mode,
    pub dir: Option<PathBuf>,
    pub spec: Option<PathBuf>,
    /// Every file of the crate: created, updated or deleted (or would be, for `check` and `diff`), then unchanged.
    pub files: Vec<FileEntry>,
    /// Spec items added and removed since the last run (a rename is one of each).
    pub items: Items,
    /// Generated files edited by hand: refused (or, with `--force`, backed up then overwritten).
    pub hand_edited: Vec<String>,
    /// Generated files no longer produced but edited by hand: left in place.
    pub kept: Vec<String>,
    /// Handler files whose spec item is gone: no longer compiled.
    pub orphans: Vec<String>,
    /// Where hand-edited files were copied before `--force` overwrote them.
    pub backup: Option<PathBuf>,
    /// Nothing differs.
    pub up_to_date: bool,
    /// The spec's diagnostics, warnings included, in `validate --format json`'s shape.
    pub diagnostics: Vec<Diagnostic>,
    /// Why the run stopped, when it was not the spec (a crate that is not found, a failed write).
    pub error: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Items {
    pub added: Vec<Item>,
    pub removed: Vec<Item>,
}

#[derive(Debug, Serialize)]
pub struct Item {
    pub kind: String,
    pub name: String,
}

impl GenerateReport {
    fn failed(mode: Mode, error: String) -> Self {
        GenerateReport {
            ok: false,
            mode,
            dir: None,
            spec: None,
            files: Vec::new(),
            items: Items::default(),
            hand_edited: Vec::new(),
            kept: Vec::new(),
            orphans: Vec::new(),
            backup: None,
            up_to_date: false,
            diagnostics: Vec::new(),
            error: Some(error),
        }
    }

    /// The files the run changed (or would change).
    fn changed(&self) -> impl Iterator<Item = &FileEntry> {
        self.files.iter().filter(|f| f.action != Action::Unchanged)
    }
}

/// One generation run for `--format json`: like [`regenerate`], but every outcome is in the report and nothing
/// is printed.
pub fn generate(
    target: &Target,
    mode: Mode,
    runtime: Option<RuntimeSource>,
    options: &ApplyOptions,
) -> anyhow::Result<GenerateReport> {
    let mut report = GenerateReport::failed(mode, String::new());
    report.error = None;
    report.dir = Some(target.dir.clone());
    report.spec = Some(target.spec.clone());
    let (loaded, diags) = load_checked(&target.spec);
    report.diagnostics = diags;
    let Some(loaded) = loaded else {
        return Ok(report);
    };
    let prepared = prepare(target, &loaded, runtime)?;
    fill(&mut report, &prepared);
    let changes = &prepared.changes;
    match mode {
        Mode::Check => report.ok = report.up_to_date && changes.hand_edited.is_empty(),
        Mode::Diff => {
            for file in &mut report.files {
                if file.action != Action::Unchanged {
                    file.diff = Some(diff_of(&prepared, &file.path));
                }
            }
            report.ok = true;
        }
        Mode::Write => match apply(&target.dir, changes, options) {
            Ok(backup) => {
                report.backup = backup;
                report.ok = true;
            }
            Err(WriteError::HandEdited(_)) => {
                report.error =
                    Some("generated files were edited by hand; nothing was written".into());
            }
            Err(e) => {
                report.error = Some(format!(
                    "writing {} (every file was left as it was): {e}",
                    target.dir.display()
                ));
            }
        },
    }
    Ok(report)
}

/// Renders the crate and compares it with the disk.
fn prepare(
    target: &Target,
    loaded: &LoadedSpec,
    runtime: Option<RuntimeSource>,
) -> anyhow::Result<Prepared> {
    let started = Instant::now();
    let snapshot = CrateSnapshot::read(&target.dir)?;
    let prepared = codegen::prepare(loaded, snapshot, detect_format(), runtime);
    detail!(
        "read, rendered and compared in {} ms",
        started.elapsed().as_millis()
    );
    Ok(prepared?)
}

fn fill(report: &mut GenerateReport, prepared: &Prepared) {
    let changes = &prepared.changes;
    let item = |(kind, name): &(String, String)| Item {
        kind: kind.clone(),
        name: name.clone(),
    };
    report.files = files::entries(prepared);
    report.items.added = prepared.items.added.iter().map(item).collect();
    report.items.removed = prepared.items.removed.iter().map(item).collect();
    report.hand_edited = changes.hand_edited.clone();
    report.kept = changes.kept_edited.clone();
    report.orphans = prepared.orphans.clone();
    // The manifest alone differs when only the spec's bytes changed (a comment, say): still drift for CI.
    report.up_to_date = changes.changes.is_empty() && changes.manifest.is_none();
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
    let started = Instant::now();
    let Some(loaded) = load_reporting(&target.spec) else {
        return Ok(false);
    };
    let dir = &target.dir;
    let prepared = prepare(target, &loaded, runtime)?;
    let changes = &prepared.changes;
    match mode {
        Mode::Check => return Ok(check(dir, &prepared)?),
        Mode::Diff => {
            for change in &changes.changes {
                out!("{}", diff_of(&prepared, change.path()))?;
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
    if output::quiet() {
        return Ok(true);
    }
    let mut report = GenerateReport::failed(mode, String::new());
    fill(&mut report, &prepared);
    report.backup = backup;
    print_written(dir, &report)?;
    detail!("generated in {} ms", started.elapsed().as_millis());
    Ok(true)
}

/// The text lines of a write: items, then each changed file (each unchanged one too with `-v`), backups, kept
/// and orphaned files.
fn print_written(dir: &Path, report: &GenerateReport) -> Result<(), StdoutError> {
    for item in &report.items.removed {
        outln!("removed {}: {}", item.kind, item.name)?;
    }
    for item in &report.items.added {
        outln!("added {}: {}", item.kind, item.name)?;
    }
    for file in &report.files {
        match file.action {
            Action::Unchanged if output::verbose() => outln!("unchanged: {}", file.path)?,
            Action::Unchanged => {}
            _ => outln!("{}: {}", verb(file), file.path)?,
        }
    }
    if let Some(backup) = &report.backup {
        outln!(
            "Saved the hand-edited files under {} before overwriting them.",
            backup.display()
        )?;
    }
    for path in &report.kept {
        outln!(
            "kept: {path} (no longer generated, but edited by hand: delete it when you no longer need it)"
        )?;
    }
    print_orphans(&report.orphans)?;
    if report.changed().next().is_none() {
        outln!("{} is up to date.", dir.display())?;
    }
    Ok(())
}

/// `--check`: every difference on stdout, one per line, exit 1 when there is any.
fn check(dir: &Path, prepared: &Prepared) -> Result<bool, StdoutError> {
    let changes = &prepared.changes;
    let mut report = GenerateReport::failed(Mode::Check, String::new());
    fill(&mut report, prepared);
    for file in report.changed() {
        if !changes.hand_edited.contains(&file.path) {
            outln!("{}: {}", verb(file), file.path)?;
        }
    }
    for path in &changes.hand_edited {
        outln!("edited by hand: {path}")?;
    }
    let manifest_only = changes.changes.is_empty() && changes.manifest.is_some();
    if manifest_only {
        outln!("would update: {MANIFEST_PATH}")?;
    }
    print_orphans(&report.orphans)?;
    if report.up_to_date {
        note!("{} is up to date.", dir.display());
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

fn print_orphans(orphans: &[String]) -> Result<(), StdoutError> {
    for path in orphans {
        outln!(
            "orphaned: {path} (its spec item is gone, so it is no longer compiled; move what you still need \
             into another file, then delete it)"
        )?;
    }
    Ok(())
}

fn verb(file: &FileEntry) -> &'static str {
    match (file.action, file.owner) {
        (Action::Created, FileOwner::User) => "created (yours to edit)",
        (Action::Created, FileOwner::Generated) => "created",
        (Action::Updated, FileOwner::User) => "updated (only mcpgen's entries)",
        (Action::Updated, FileOwner::Generated) => "updated",
        (Action::Deleted, _) => "deleted",
        (Action::Unchanged, _) => "unchanged",
    }
}

fn diff_of(prepared: &Prepared, path: &str) -> String {
    let old = match prepared.snapshot.get(path) {
        Some(Content::Bytes(bytes)) => bytes.as_slice(),
        _ => &[],
    };
    let new = prepared.changes.planned(path).unwrap_or_default();
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
