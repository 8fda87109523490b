//! `mcpgen breaking OLD_SPEC NEW_SPEC`: the changes from OLD to NEW that break existing clients or callers.
//! Exit 1 when there is any (or a spec is invalid), 0 when NEW is compatible. For CI, against the spec of the last
//! release: `git show v1.0:server.yaml > /tmp/old.yaml && mcpgen breaking /tmp/old.yaml server.yaml`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::load_reporting;
use crate::breaking::breaking_changes;

/// List the changes between two specs that break existing clients (exit 1 when any).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec clients were written against.
    #[arg(value_name = "OLD_SPEC")]
    pub old: PathBuf,
    /// The changed spec.
    #[arg(value_name = "NEW_SPEC")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (Some(old), Some(new)) = (load_reporting(&args.old), load_reporting(&args.new)) else {
        return Ok(ExitCode::FAILURE);
    };
    let found = breaking_changes(&old.spec, &new.spec);
    match args.format {
        Format::Json => {
            let report = serde_json::json!({ "breaking": found });
            outln!("{}", serde_json::to_string_pretty(&report)?)?;
        }
        Format::Text if found.is_empty() && crate::output::quiet() => {}
        Format::Text if found.is_empty() => {
            outln!(
                "No breaking changes from {} to {}.",
                args.old.display(),
                args.new.display()
            )?;
        }
        Format::Text => {
            outln!(
                "{} breaking change{} from {} to {}:",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                args.old.display(),
                args.new.display()
            )?;
            for b in &found {
                outln!("  {b}")?;
            }
        }
    }
    Ok(if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
