//! The `mcpgen` binary: argument parsing only; every command lives in `mcpgen::commands`.

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};
use mcpgen::commands;
use mcpgen::output::{self, ColorChoice, Verbosity};

/// Generate production-grade Rust MCP servers (on the official rmcp SDK) from a YAML spec.
#[derive(Debug, Parser)]
#[command(
    name = "mcpgen",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_long_help = commands::man::EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print only errors (and a command's product: a config snippet, a diff, JSON).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more: each file left unchanged, timings, every build step.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Colour diagnostics: `auto` on a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new server crate from a spec.
    New(commands::new::Args),
    /// Regenerate a crate from its spec, never touching the files you own.
    Generate(commands::generate::Args),
    /// Regenerate on every save of the spec, reporting an invalid spec and watching on.
    Watch(commands::watch::Args),
    /// Serve with the MCP Inspector; regenerate, rebuild and restart on every save.
    Dev(commands::dev::Args),
    /// List the changes between two specs that break existing clients (exit 1 when any).
    Breaking(commands::breaking::Args),
    /// Write a spec from a description of an existing API (`mcpgen import openapi DOC`).
    Import(commands::import::Args),
    /// Check specs and report every problem, located at its YAML node.
    Validate(commands::validate::Args),
    /// Write a commented starter spec.
    Init(commands::init::Args),
    /// Print the JSON Schema of the spec format.
    Schema(commands::schema::Args),
    /// Print, install or remove an MCP client's config entry for a generated server.
    Config(commands::config::Args),
    /// Build a generated server and check it serves its spec on every declared transport.
    Verify(commands::verify::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    ///
    /// Save it where your shell looks for completions, for example:
    ///   bash:  mcpgen completions bash > ~/.local/share/bash-completion/completions/mcpgen
    ///   zsh:   mcpgen completions zsh > ~/.zfunc/_mcpgen   (with ~/.zfunc in $fpath, before compinit)
    ///   fish:  mcpgen completions fish > ~/.config/fish/completions/mcpgen.fish
    #[command(verbatim_doc_comment)]
    Completions(commands::completions::Args),
    /// Print the manual page (roff): `mcpgen man | man -l -`.
    Man(commands::man::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    output::init(verbosity, cli.color);
    let result = match cli.command {
        Command::New(args) => commands::new::run(args),
        Command::Generate(args) => commands::generate::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::Dev(args) => commands::dev::run(args),
        Command::Breaking(args) => commands::breaking::run(args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Config(args) => commands::config::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Completions(args) => commands::completions::run(args, Cli::command()),
        Command::Man(args) => commands::man::run(args, Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(err) if commands::is_stdout_closed(&err) => {
            ExitCode::from(commands::EXIT_STDOUT_CLOSED)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
