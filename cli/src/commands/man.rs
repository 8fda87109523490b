//! `mcpgen man`: print the manual page (roff), or write one page per command.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

/// The first hour's commands, in the order a new user runs them: `mcpgen --help` ends with it, and the man
/// page has it as its EXAMPLES section.
pub const EXAMPLES: &str = "\
Examples:
  mcpgen init                             Write a commented starter spec, mcpgen.yaml
  mcpgen validate mcpgen.yaml             Report every problem in it at once
  mcpgen new mcpgen.yaml --out myserver   Create the server crate; your code goes in src/tools/
  mcpgen generate myserver                Update the crate after editing the spec
  mcpgen generate myserver --check        In CI: exit 1 when the crate is out of date
  mcpgen verify myserver                  Build it and check that it serves the spec
  mcpgen dev myserver                     Serve it under the MCP Inspector, restarting on every save
  mcpgen config claude-desktop myserver --install
                                          Add the server to Claude Desktop's config";

/// Print mcpgen's manual page in roff, for `man`: `mcpgen man | man -l -`.
///
/// With a COMMAND, its own page (mcpgen-COMMAND(1)); with --out-dir, every page as a file, for packaging.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the page of this command instead of mcpgen(1).
    #[arg(value_name = "COMMAND", conflicts_with = "out_dir")]
    pub command: Option<String>,
    /// Write mcpgen.1 and one mcpgen-COMMAND.1 per command into this folder instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `cli` is the whole command line interface (the binary owns its definition).
pub fn run(args: Args, cli: clap::Command) -> anyhow::Result<ExitCode> {
    // Built, so that subcommands carry their full names (`mcpgen-generate`) and usage lines.
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let written = || -> std::io::Result<()> {
            for sub in cli.get_subcommands() {
                clap_mangen::Man::new(sub.clone()).generate_to(dir)?;
            }
            std::fs::write(dir.join("mcpgen.1"), main_page(&cli)?)
        };
        written().with_context(|| format!("cannot write the pages into {}", dir.display()))?;
        eprintln!("wrote the manual pages into {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let page = match &args.command {
        None => main_page(&cli)?,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => {
                let mut page = Vec::new();
                clap_mangen::Man::new(sub.clone()).render(&mut page)?;
                page
            }
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                eprintln!(
                    "error: no command `{name}`; the commands are {}",
                    names.join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
        },
    };
    out!("{}", String::from_utf8(page)?)?;
    Ok(ExitCode::SUCCESS)
}

/// mcpgen(1): clap_mangen's sections, with [`EXAMPLES`] kept as lines (clap_mangen would fill the `--help`
/// epilogue into one paragraph, under the title EXTRA).
fn main_page(cli: &clap::Command) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cli.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    page.extend_from_slice(b".SH EXAMPLES\n.nf\n");
    for line in EXAMPLES.lines().skip(1) {
        page.extend_from_slice(roff_line(line.strip_prefix("  ").unwrap_or(line)).as_bytes());
    }
    page.extend_from_slice(b".fi\n");
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// One line of no-fill text: backslashes and minus signs escaped, and no leading `.` or `'` (a request).
fn roff_line(line: &str) -> String {
    let escaped = line
        .replace('\\', "\\e")
        .replace('-', "\\-")
        .replace('\'', "\\(aq");
    format!("\\&{escaped}\n")
}
