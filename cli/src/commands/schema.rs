//! `mcpgen schema`: print the spec's JSON Schema.

use std::process::ExitCode;

/// Print the JSON Schema of the spec format (the same one `specs/mcpgen.schema.json` holds).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    out!("{}", crate::spec::schema::json_schema_text())?;
    Ok(ExitCode::SUCCESS)
}
