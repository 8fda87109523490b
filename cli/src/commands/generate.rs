//! `mcpgen generate [DIR]`: re-render a generated crate from its spec, writing only what changed and never a
//! user-owned file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::new::{detect_format, load_reporting};
use crate::codegen::plan::Manifest;
use crate::codegen::write::{ApplyOptions, Change, apply};
use crate::codegen::{self};

/// Regenerate a crate after its spec changed: updates generated files, adds handler stubs for new items, and
/// never modifies a file you own.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The crate directory (it records its spec in .mcpgen/manifest.json).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The spec to use instead of the one the crate records.
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Overwrite generated files that were edited by hand (copies go to .mcpgen/backup/ first).
    #[arg(long)]
    pub force: bool,
    /// Write nothing; exit 1 listing every file that differs from what would be generated.
    #[arg(long, conflicts_with = "diff")]
    pub check: bool,
    /// Write nothing; print a unified diff of what would change.
    #[arg(long)]
    pub diff: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let manifest = Manifest::read(&args.dir)?;
    let spec_path = match (&args.spec, &manifest) {
        (Some(spec), _) => spec.clone(),
        (None, Some(m)) => m.spec_path(&args.dir),
        (None, None) => {
            eprintln!(
                "error: {} has no .mcpgen/manifest.json; pass --spec, or create a crate with `mcpgen new`",
                args.dir.display()
            );
            return Ok(ExitCode::FAILURE);
        }
    };
    let Some(loaded) = load_reporting(&spec_path) else {
        return Ok(ExitCode::FAILURE);
    };
    let prepared = codegen::prepare(&loaded, &args.dir, detect_format(), &|_| false)?;
    let changes = &prepared.changes;

    if args.check || args.diff {
        for change in &changes.changes {
            let path = change.path();
            if args.diff {
                let old = std::fs::read(args.dir.join(path)).unwrap_or_default();
                let new = changes.planned(path).unwrap_or_default();
                print!("{}", unified_diff(path, &old, new));
            } else {
                println!("{}: {}", verb(change), path);
            }
        }
        if args.check && !changes.is_empty() {
            eprintln!(
                "{} is out of date: run `mcpgen generate`",
                args.dir.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }

    let options = ApplyOptions {
        force: args.force,
        ..Default::default()
    };
    let backup = match apply(&args.dir, changes, &options) {
        Ok(backup) => backup,
        Err(crate::codegen::write::WriteError::HandEdited(files)) => {
            eprintln!("error: generated files were edited by hand, so nothing was written:");
            for file in files {
                eprintln!("  {file}");
            }
            eprintln!(
                "Move your changes into files you own (src/tools/, src/state.rs, ...), or run with --force \
                 (copies are saved under .mcpgen/backup/ first)."
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e).with_context(|| format!("writing {}", args.dir.display())),
    };
    for change in &changes.changes {
        println!("{}: {}", verb(change), change.path());
    }
    if let Some(dir) = backup {
        println!("Saved the hand-edited files under {}", dir.display());
    }
    for path in &changes.kept_edited {
        println!(
            "kept: {path} (no longer generated, but edited by hand: delete it when you no longer need it)"
        );
    }
    for path in &prepared.orphans {
        println!(
            "orphaned: {path} (its spec item is gone; it is no longer compiled: move what you need, then delete it)"
        );
    }
    if changes.changes.is_empty() {
        println!("{} is up to date.", args.dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn verb(change: &Change) -> &'static str {
    match change {
        Change::Create {
            owner: crate::codegen::plan::Owner::User,
            ..
        } => "created (yours to edit)",
        Change::Create { .. } => "created",
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
