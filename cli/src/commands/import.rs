//! `mcpgen import openapi DOC`: write a spec with one HTTP-implemented tool per operation of an OpenAPI
//! document (`crate::openapi`). The spec written is validated before it is written, as `mcpgen validate` would.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use super::common::{Format, print_diagnostics, print_json};
use crate::openapi::{self, Import, ImportError, Imported, Options, Warning};
use crate::output::{self, detail};

/// Import a description of an API as a spec.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// Write a spec with one HTTP tool per operation of an OpenAPI 3.0 or 3.1 document (YAML or JSON).
    Openapi(OpenapiArgs),
}

#[derive(Debug, clap::Args)]
pub struct OpenapiArgs {
    /// The OpenAPI document (a local file; `$ref`s inside it are resolved, others are reported).
    #[arg(value_name = "DOC")]
    pub doc: PathBuf,
    /// Write the spec to FILE [default: standard output].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Overwrite FILE if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub options: Options,
    /// List the tools that would be made, and the warnings; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of `--dry-run` and the warnings: `text`, or `json` (one object on standard output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What `--format json` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    tools: &'a [Imported],
    filtered_out: usize,
    warnings: &'a [Warning],
    written: Option<&'a Path>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Source::Openapi(args) = args.source;
    let started = Instant::now();
    let doc = openapi::read(&args.doc)?;
    let import = match openapi::import(&doc, &args.options) {
        Err(ImportError::Invalid { yaml, diagnostics }) => {
            let errors: Vec<_> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
            eprint!(
                "{}",
                crate::diag::render_text_styled(
                    &errors,
                    |_| Some(yaml.clone()),
                    output::stderr_style()
                )
            );
            anyhow::bail!(
                "the imported spec does not validate (an mcpgen bug: please report it with the document)"
            );
        }
        other => other?,
    };
    let yaml = &import.yaml;
    let written = match (&args.output, args.dry_run) {
        (Some(path), false) => {
            if path.exists() && !args.force {
                anyhow::bail!("{} exists: pass --force to overwrite it", path.display());
            }
            std::fs::write(path, yaml)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Some(path.as_path())
        }
        _ => None,
    };
    if args.format == Format::Json {
        print_json(&Report {
            tools: &import.imported,
            filtered_out: import.filtered_out,
            warnings: &import.warnings,
            written,
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    report_text(&args, &import, written)?;
    // The spec's own lint warnings (long names, ...), as `mcpgen validate` prints them.
    if written.is_some() {
        print_diagnostics(&import.lints);
    }
    detail!("imported in {:.0?}", started.elapsed());
    Ok(ExitCode::SUCCESS)
}

fn report_text(args: &OpenapiArgs, import: &Import, written: Option<&Path>) -> anyhow::Result<()> {
    let doc = args.doc.display();
    if args.dry_run {
        for tool in &import.imported {
            outln!("{:<40} {:<7} {}", tool.tool, tool.method, tool.path)?;
        }
    } else if written.is_none() {
        out!("{}", import.yaml)?;
    }
    if !output::quiet() {
        for w in &import.warnings {
            eprintln!("warning: {doc}#{}: {}", w.pointer, w.message);
        }
        let what = if args.dry_run {
            "would import"
        } else {
            "imported"
        };
        eprintln!(
            "{what} {} operations as tools{}{}, {} warnings",
            import.imported.len(),
            if import.filtered_out > 0 {
                format!(" ({} left out by filters)", import.filtered_out)
            } else {
                String::new()
            },
            written
                .map(|p| format!(" into {}", p.display()))
                .unwrap_or_default(),
            import.warnings.len()
        );
    }
    Ok(())
}
