//! `mcpgen dev [DIR]`: build and run the server, open the MCP Inspector on it, and regenerate, rebuild and
//! restart on every save. The loop itself lives in `crate::dev`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::common::CrateArgs;
use crate::dev::{self, inspector::Mode};

/// Run the server with the MCP Inspector attached; regenerate, rebuild and restart on every save.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub target: CrateArgs,
    /// Which Inspector to open: `web` (the browser UI), `tui`, `cli` (runs the Inspector CLI command given after
    /// `--` after every restart, e.g. `-- --method tools/list`), or `none`.
    #[arg(long, value_enum, default_value_t = Mode::Web)]
    pub inspector: Mode,
    /// Port for the HTTP server [default: the spec's]; 0 lets the OS pick one, kept across restarts.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Cargo target directory [default: the one `mcpgen verify` shares between crates].
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// How long the files must stay quiet before rebuilding, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pub debounce: u64,
    /// Seconds to wait for the server to start and for an Inspector CLI run.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
    /// Arguments for the Inspector CLI (with `--inspector cli`).
    #[arg(last = true, value_name = "INSPECTOR_ARGS")]
    pub inspector_args: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.inspector_args.is_empty() && args.inspector != Mode::Cli {
        eprintln!("error: arguments after `--` go to the Inspector CLI: add `--inspector cli`");
        return Ok(ExitCode::from(2));
    }
    let target = match args.target.locate() {
        Ok(target) => target,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let opts = dev::Options {
        inspector: args.inspector,
        inspector_args: args.inspector_args,
        port: args.port,
        target_dir: args.target_dir,
        debounce: Duration::from_millis(args.debounce),
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    dev::run(&target, &opts)?;
    Ok(ExitCode::SUCCESS)
}
