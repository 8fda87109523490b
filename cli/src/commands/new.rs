//! `mcpgen new SPEC [--out DIR]`: create a server crate from a spec.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::common::{detect_format, load_reporting};
use crate::codegen::cargo_toml::RuntimeSource;
use crate::codegen::write::{ApplyOptions, apply};
use crate::codegen::{self};
use crate::verify::report::render_build;
use crate::verify::{BuildOptions, cargo_check};

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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(loaded) = load_reporting(&args.spec) else {
        return Ok(ExitCode::FAILURE);
    };
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(&loaded.spec.server.name));
    if let Ok(mut entries) = std::fs::read_dir(&out) {
        if entries.next().is_some() {
            eprintln!(
                "error: {} is not empty; choose another --out, or run `mcpgen generate` inside an existing crate",
                out.display()
            );
            return Ok(ExitCode::FAILURE);
        }
    } else if out.exists() {
        eprintln!("error: {} exists and is not a directory", out.display());
        return Ok(ExitCode::FAILURE);
    }
    let prepared = codegen::prepare(&loaded, &out, detect_format(), Some(args.runtime), &|_| {
        false
    })?;
    apply(&out, &prepared.changes, &ApplyOptions::default())
        .with_context(|| format!("writing {}", out.display()))?;
    let files = prepared.changes.changes.len();
    outln!(
        "Created {} ({files} files) from {}.",
        out.display(),
        args.spec.display()
    )?;
    if !args.no_verify {
        // The crate is written either way; a failed check is reported (grouped: your code or mcpgen's) and exits 1.
        let options = BuildOptions {
            target_dir: args.target_dir.clone(),
            ..Default::default()
        };
        eprintln!("Checking that it compiles (cargo check; --no-verify skips this)...");
        let report = cargo_check(&out, &options)?;
        if !report.success {
            eprint!("{}", render_build(&report));
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("It compiles.");
    }
    outln!("Next: cd {} && cargo run -- --help", out.display())?;
    outln!(
        "Your code goes in src/tools/ (one handler per tool) and src/state.rs; src/generated/ is mcpgen's."
    )?;
    Ok(ExitCode::SUCCESS)
}
