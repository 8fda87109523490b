//! `mcpgen completions SHELL`: print a shell completion script.

use std::process::ExitCode;

/// Print the completion script for SHELL to stdout (how to install it: `mcpgen completions --help`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete mcpgen in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `cli` is the whole command line interface (the binary owns its definition).
pub fn run(args: Args, mut cli: clap::Command) -> anyhow::Result<ExitCode> {
    let name = cli.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, name, &mut script);
    out!("{}", String::from_utf8(script)?)?;
    Ok(ExitCode::SUCCESS)
}
