//! `mcpgen watch [DIR]`: regenerate the crate every time its spec (or a `file:` resource it embeds) is saved.
//! Saves are debounced (editors write a file in several steps); an invalid spec prints its diagnostics, writes
//! nothing, and the watch goes on.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::Context as _;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, new_debouncer};

use super::common::{CrateArgs, Target};
use super::generate::{Mode, regenerate};
use crate::codegen::write::ApplyOptions;
use crate::dev::fingerprint::of_contents;
use crate::output::quiet;

/// Regenerate on every save of the spec, reporting an invalid spec and watching on (Ctrl-C stops).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: CrateArgs,
    /// Run `cargo check` in the crate after each successful regeneration.
    #[arg(long)]
    pub check_build: bool,
    /// How long the files must stay quiet before regenerating, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub debounce: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = match args.target.locate() {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let watched = watched_files(&target)?;
    let (tx, rx) = std::sync::mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(Duration::from_millis(args.debounce), tx)
        .context("starting the file watcher")?;
    watch_folders_of(debouncer.watcher(), &watched)?;

    // Bring the crate up to date first, so the watch starts from a known state.
    let mut seen = of_contents(&watched);
    once(&target, args.check_build)?;
    if !quiet() {
        outln!("watching {} (Ctrl-C to stop)", target.spec.display())?;
    }
    for result in rx {
        match result {
            Ok(events) if events.iter().any(|e| watched.contains(&e.path)) => {
                // Opening the spec to read it is an event too: only a change of content is a save. Read once,
                // so what is compared is what is remembered.
                let current = of_contents(&watched);
                if current != seen {
                    seen = current;
                    if !quiet() {
                        outln!("\n{} changed: regenerating", target.spec.display())?;
                    }
                    once(&target, args.check_build)?;
                }
            }
            Ok(_) => {}
            Err(e) => eprintln!("warning: file watcher: {e}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One regeneration; every failure is reported and the watch goes on, except a closed standard output: then
/// nobody is watching the watch.
fn once(target: &Target, check_build: bool) -> anyhow::Result<()> {
    match regenerate(target, Mode::Write, None, &ApplyOptions::default()) {
        Ok(true) if check_build => cargo_check(&target.dir)?,
        Ok(_) => {}
        Err(e) if super::is_stdout_closed(&e) => return Err(e),
        Err(e) => eprintln!("error: {e:#}"),
    }
    Ok(())
}

fn cargo_check(dir: &Path) -> Result<(), super::StdoutError> {
    if !quiet() {
        outln!("running cargo check")?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    match Command::new(cargo).arg("check").current_dir(dir).status() {
        Ok(status) if status.success() => {
            if !quiet() {
                outln!("cargo check: ok")?;
            }
        }
        Ok(status) => outln!("cargo check failed ({status})")?,
        Err(e) => eprintln!("error: running cargo check: {e}"),
    }
    Ok(())
}

/// Watches the folders of `files`, not the files: editors save by writing a new file and renaming it over the
/// old one.
pub(crate) fn watch_folders_of(
    watcher: &mut dyn notify_debouncer_mini::notify::Watcher,
    files: &[PathBuf],
) -> anyhow::Result<()> {
    let mut dirs: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", dir.display()))?;
    }
    Ok(())
}

/// The spec and the `file:` resources it embeds, as absolute paths in canonical folders (the form the watcher
/// reports events in).
pub(crate) fn watched_files(target: &Target) -> anyhow::Result<Vec<PathBuf>> {
    let canonical = |path: &Path| -> anyhow::Result<PathBuf> {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = std::fs::canonicalize(parent.unwrap_or(Path::new(".")))
            .with_context(|| format!("{}: folder not found", path.display()))?;
        Ok(dir.join(path.file_name().unwrap_or_default()))
    };
    let mut files = vec![canonical(&target.spec)?];
    // Assets of the spec as it is now; a spec that does not load yet has none to add.
    if let Ok(loaded) = crate::pipeline::load_spec(&target.spec) {
        let spec_dir = target.spec.parent().unwrap_or(Path::new("."));
        for file in loaded.spec.resources.iter().filter_map(|r| r.file.as_ref()) {
            if let Ok(path) = canonical(&spec_dir.join(file)) {
                files.push(path);
            }
        }
    }
    Ok(files)
}
