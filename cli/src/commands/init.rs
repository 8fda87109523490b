//! `mcpgen init`: write a commented starter spec.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

/// Write a commented starter spec (`mcpgen.yaml`) that validates; never overwrites a file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Server name (lowercase letters, digits and `-`, starting with a letter). Default: the name of the folder
    /// the spec is written to, when it is a valid name, else `my-server`.
    #[arg(long, value_parser = parse_name)]
    pub name: Option<String>,
    /// Where to write the spec.
    #[arg(long, short, default_value = "mcpgen.yaml", value_name = "PATH")]
    pub output: PathBuf,
}

fn parse_name(name: &str) -> Result<String, String> {
    if is_server_name(name) {
        Ok(name.to_owned())
    } else {
        Err(
            "use lowercase ASCII letters, digits and `-`, starting with a letter (at most 64)"
                .to_owned(),
        )
    }
}

fn is_server_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Exit code 1 when the output file exists (it is left untouched).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.name.unwrap_or_else(|| default_name(&args.output));
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&args.output)
    {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; not overwriting it (pass --output to write elsewhere)",
                args.output.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot create {}", args.output.display()));
        }
    };
    file.write_all(starter_spec(&name).as_bytes())
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    outln!(
        "wrote {} (server `{name}`); check it with `mcpgen validate {}`",
        args.output.display(),
        args.output.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The folder name of `output` (lowercased, other characters turned into `-`), when that makes a valid name.
fn default_name(output: &Path) -> String {
    let dir = std::path::absolute(output)
        .ok()
        .and_then(|p| p.parent().map(Path::to_owned));
    let folder = dir
        .as_deref()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut name: String = folder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    name = name.trim_matches('-').to_owned();
    if is_server_name(&name)
        && crate::spec::load_spec_str(Path::new("x"), &starter_spec(&name)).is_ok()
    {
        name
    } else {
        "my-server".to_owned()
    }
}

/// A starter spec for `name`: one tool, one resource, one prompt, stdio and (commented out) HTTP.
pub fn starter_spec(name: &str) -> String {
    format!(
        r#"# mcpgen spec: describes one MCP server. Reference: docs/spec.md in the mcpgen repository.
# For completion and checks in your editor, save the schema next to this file with
#   mcpgen schema > mcpgen.schema.json
# and keep the next line (the YAML language server reads it).
# yaml-language-server: $schema=./mcpgen.schema.json
mcpgen: 1

server:
  name: {name}              # crate, binary and serverInfo.name
  version: 0.1.0
  description: What this server does, in one sentence.
  # instructions: Sent to the model when a client connects.

# Environment variables the server reads (client configs pass them through).
# env:
#   - name: API_TOKEN
#     description: Token for the upstream API.
#     required: true
#     secret: true

tools:
  - name: echo
    title: Echo
    description: Repeat a message back, optionally in upper case.
    annotations: {{readOnlyHint: true, openWorldHint: false}}
    inputSchema:
      type: object
      properties:
        message: {{type: string, description: The text to repeat.}}
        shout: {{type: boolean, default: false, description: Upper-case the reply.}}
      required: [message]

resources:
  - uri: {name}://readme
    name: readme
    mimeType: text/markdown
    text: |
      # {name}
      Served as written. Use `file: path/relative/to/this/spec.md` to embed a file instead.

prompts:
  - name: explain
    description: Ask the model to explain a topic simply.
    arguments:
      - {{name: topic, required: true}}
    messages:
      - role: user
        text: "Explain {{{{topic}}}} in three short paragraphs."

# The first transport listed is the default; the generated binary takes --transport.
transports:
  stdio: {{}}
  # streamable-http: {{host: 127.0.0.1, port: 8000, path: /mcp}}
"#
    )
}
