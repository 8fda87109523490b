//! `mcpgen new SPEC [--out DIR]`: create a server crate from a spec.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use super::common::{Format, detect_format, load_checked, print_diagnostics, print_json};
use super::files::{self, FileEntry};
use crate::codegen::cargo_toml::RuntimeSource;
use crate::codegen::snapshot::CrateSnapshot;
use crate::codegen::write::{ApplyOptions, apply};
use crate::codegen::{self};
use crate::diag::Diagnostic;
use crate::output::{self, detail};
use crate::verify::report::render_build;
use crate::verify::{BuildOptions, BuildReport, Progress, cargo_check};

/// Create a new server crate from a spec (refuses a non-empty directory).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec to generate from.
    #[arg(value_name = "SPEC")]
    pub spec: PathBuf,
    /// Directory of the new crate [default: the server's name, in the current directory].
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where the crate gets mcpgen-runtime from: `vendored` writes a copy under vendor/mcpgen-runtime that
    /// `mcpgen generate` keeps in step with mcpgen (builds with nothing but mcpgen); `registry` depends on the
    /// published crate by version.
    #[arg(long, value_enum, value_name = "SOURCE", default_value = "vendored")]
    pub runtime: RuntimeSource,
    /// Skip the compile check (`cargo check`) of the new crate.
    #[arg(long)]
    pub no_verify: bool,
    /// Cargo target directory for the compile check, shared between generated crates
    /// [default: CARGO_TARGET_DIR, else a per-user cache directory].
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Output format: `text` for people, `json` (one object: the files created with their owners, the spec's
    /// diagnostics, the compile check) for editors and agents.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `new` did, for `--format json`.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewReport {
    /// False (exit 1) when the spec is invalid, the directory is not empty, or the compile check failed.
    pub ok: bool,
    pub dir: Option<PathBuf>,
    pub spec: PathBuf,
    /// Every file written, each `created`, with its owner.
    pub files: Vec<FileEntry>,
    /// The spec's diagnostics, warnings included, in `validate --format json`'s shape.
    pub diagnostics: Vec<Diagnostic>,
    /// The compile check (`cargo check`), unless `--no-verify`: success, compile errors grouped by who fixes them.
    pub check: Option<BuildReport>,
    /// Why nothing was written, when it was not the spec.
    pub error: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let json = args.format == Format::Json;
    let report = create(&args)?;
    if json {
        print_json(&report)?;
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Creates the crate; text output is printed as it goes (`--format json` prints the report instead).
fn create(args: &Args) -> anyhow::Result<NewReport> {
    let json = args.format == Format::Json;
    let started = Instant::now();
    let mut report = NewReport {
        spec: args.spec.clone(),
        ..NewReport::default()
    };
    let (loaded, diags) = load_checked(&args.spec);
    if !json {
        print_diagnostics(&diags);
    }
    report.diagnostics = diags;
    let Some(loaded) = loaded else {
        if !json {
            eprintln!("{}: invalid spec, nothing was written", args.spec.display());
        }
        return Ok(report);
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&loaded.spec.server.name));
    report.dir = Some(out.clone());
    let refusal = match std::fs::read_dir(&out).map(|mut e| e.next().is_some()) {
        Ok(true) => Some(format!(
            "{} is not empty; choose another --out, or run `mcpgen generate` inside an existing crate",
            out.display()
        )),
        Ok(false) => None,
        Err(_) if out.exists() => Some(format!("{} exists and is not a directory", out.display())),
        Err(_) => None,
    };
    if let Some(message) = refusal {
        if !json {
            eprintln!("error: {message}");
        }
        report.error = Some(message);
        return Ok(report);
    }
    let snapshot = CrateSnapshot::read(&out)?;
    let prepared = codegen::prepare(&loaded, snapshot, detect_format(), Some(args.runtime))?;
    apply(&out, &prepared.changes, &ApplyOptions::default())
        .with_context(|| format!("writing {}", out.display()))?;
    report.files = files::entries(&prepared);
    report.ok = true;
    if !json && !output::quiet() {
        if output::verbose() {
            for file in &report.files {
                outln!("created: {}", file.path)?;
            }
        }
        outln!(
            "Created {} ({} files) from {}.",
            out.display(),
            report.files.len(),
            args.spec.display()
        )?;
    }
    detail!("generated in {} ms", started.elapsed().as_millis());
    if !args.no_verify {
        // The crate is written either way; a failed check is reported (grouped: your code or mcpgen's) and exits 1.
        let quiet = json || output::quiet();
        let options = BuildOptions {
            target_dir: args.target_dir.clone(),
            progress: if quiet {
                Progress::Quiet
            } else {
                Progress::Auto
            },
        };
        if !quiet {
            eprintln!("Checking that it compiles (cargo check; --no-verify skips this)...");
        }
        let started = Instant::now();
        let check = cargo_check(&out, &options)?;
        detail!("cargo check took {} ms", started.elapsed().as_millis());
        report.ok = check.success;
        if !json {
            if !check.success {
                eprint!("{}", render_build(&check));
            } else if !quiet {
                eprintln!("It compiles.");
            }
        }
        report.check = Some(check);
    }
    if report.ok && !json && !output::quiet() {
        outln!("Next: cd {} && cargo run -- --help", out.display())?;
        outln!(
            "Your code goes in src/tools/ (one handler per tool without `implementation:`) and src/state.rs; src/generated/ is mcpgen's."
        )?;
    }
    Ok(report)
}
