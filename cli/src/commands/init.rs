//! `mcpgen init`: write a commented starter spec, and the spec's JSON Schema beside it for editors.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

/// Write a commented starter spec (`mcpgen.yaml`) that validates, and `mcpgen.schema.json` beside it (the
/// spec's JSON Schema, which its first line points editors to); never overwrites a file.
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

/// The schema file the starter spec's `yaml-language-server` line names, relative to the spec.
pub const SCHEMA_FILE: &str = "mcpgen.schema.json";

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
    let schema = args.output.with_file_name(SCHEMA_FILE);
    let schema_file = write_schema(&schema)?;
    if crate::output::quiet() {
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "wrote {} (server `{name}`); check it with `mcpgen validate {}`",
        args.output.display(),
        args.output.display()
    )?;
    match schema_file {
        SchemaFile::Written => outln!(
            "wrote {} (the spec's JSON Schema: editors with the YAML language server complete and check \
             the spec with it)",
            schema.display()
        )?,
        SchemaFile::AlreadyCurrent => {}
        SchemaFile::Different => eprintln!(
            "warning: {} exists and differs from this mcpgen's schema; left as it is (refresh it with \
             `mcpgen schema > {}`)",
            schema.display(),
            schema.display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// What [`write_schema`] found.
enum SchemaFile {
    Written,
    /// The file already holds this schema.
    AlreadyCurrent,
    /// The file holds something else (another mcpgen version's schema, or the user's): not overwritten.
    Different,
}

fn write_schema(path: &Path) -> anyhow::Result<SchemaFile> {
    let schema = crate::spec::schema::json_schema_text();
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(schema.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(SchemaFile::Written)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            if std::fs::read(path).is_ok_and(|old| old == schema.as_bytes()) {
                Ok(SchemaFile::AlreadyCurrent)
            } else {
                Ok(SchemaFile::Different)
            }
        }
        Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
    }
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
        && crate::pipeline::load_spec_str(Path::new("x"), &starter_spec(&name)).is_ok()
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
# Editors with the YAML language server complete and check this file with the schema that
# `mcpgen init` wrote beside it (the next line points to it). After upgrading mcpgen, refresh it with
#   mcpgen schema > mcpgen.schema.json
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
