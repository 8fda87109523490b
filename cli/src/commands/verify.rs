//! `mcpgen verify [DIR]`: build a generated crate and check, over every declared transport, that the server
//! serves what its spec says.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::common::locate;
use crate::pipeline;
use crate::verify::{self, BuildOptions, Progress, VerifyOptions, report};

/// Build a generated server and check that it speaks MCP as its spec says, on every declared transport.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The generated crate.
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The spec to compare with; default: the one recorded in DIR/.mcpgen/manifest.json.
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Cargo target directory, shared between generated crates so dependencies compile once.
    /// Default: CARGO_TARGET_DIR, else a per-user cache directory (~/.cache/mcpgen/target).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Output format: `text` for people, `json` for machines.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Check streamable HTTP only in the session mode the spec declares.
    #[arg(long)]
    pub declared_http_mode_only: bool,
    /// Seconds to wait for each step (server start, each request, shutdown).
    #[arg(long, value_name = "SECS", default_value_t = 15)]
    pub timeout: u64,
    /// Also call the tools annotated `destructiveHint: true` (they are skipped otherwise: verify calls every
    /// other tool with example arguments, and side effects are yours).
    #[arg(long)]
    pub call_destructive: bool,
}

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Exit 0 when the crate builds and every check passes, 1 otherwise.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec_path = match locate(Some(&args.dir), args.spec.as_deref()) {
        Ok(target) => target.spec,
        Err(message) => bail!("{message}"),
    };
    let loaded = match pipeline::load_spec(&spec_path) {
        Ok(loaded) => loaded,
        Err(diags) => {
            super::common::print_diagnostics(&diags);
            bail!("the spec {} has errors", spec_path.display());
        }
    };
    let opts = VerifyOptions {
        build: BuildOptions {
            target_dir: args.target_dir.clone(),
            progress: if args.format == Format::Json {
                Progress::Quiet
            } else {
                Progress::Auto
            },
        },
        both_http_modes: !args.declared_http_mode_only,
        timeout: Duration::from_secs(args.timeout.max(1)),
        call_destructive: args.call_destructive,
    };
    let report = verify::verify(&args.dir, &loaded, &opts)
        .with_context(|| format!("cannot verify {}", args.dir.display()))?;
    match args.format {
        Format::Text => out!("{}", report::render_text(&report))?,
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?)?,
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
