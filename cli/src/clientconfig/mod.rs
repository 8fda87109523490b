//! Client configuration: the entry each MCP client needs to start or reach a generated server, and a safe
//! merge of that entry into the client's real config file.
//!
//! The core is pure: [`server_entry`] turns a [`Spec`] into a typed [`ClientEntry`] (serde values, never
//! templated strings); [`ClientEntry::render`] serialises it as a complete snippet in the client's format.
//! [`merge`] edits existing files text-preservingly (comments, order, formatting outside our entry),
//! [`install`] adds backups and atomic writes, and [`paths`] resolves where each client keeps its config
//! through an injected [`paths::HostEnv`], never the process environment.

mod entry;
pub mod install;
pub mod merge;
pub mod paths;
mod snippets;
mod toml_value;

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::spec::{Spec, TransportKind};

pub use entry::server_entry;
pub use snippets::{STDIO_COMMAND_PLACEHOLDER, crate_snippets, stdio_command_placeholder};

/// The MCP clients mcpgen writes configuration for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Client {
    /// Claude Desktop: `claude_desktop_config.json`, `mcpServers`, stdio only.
    ClaudeDesktop,
    /// Claude Code: `.mcp.json` (project) or `~/.claude.json` (user), `mcpServers` with `type`.
    ClaudeCode,
    /// Cursor: `.cursor/mcp.json` or `~/.cursor/mcp.json`, `mcpServers`.
    Cursor,
    /// VS Code: `.vscode/mcp.json` or the profile's `mcp.json` (JSONC), `servers` + `inputs`.
    Vscode,
    /// Windsurf: `~/.codeium/windsurf/mcp_config.json`, `mcpServers`, `serverUrl` for remote servers.
    Windsurf,
    /// Gemini CLI: `settings.json`, `mcpServers`, `httpUrl` for streamable HTTP.
    GeminiCli,
    /// Codex: `config.toml`, `[mcp_servers.NAME]`.
    Codex,
    /// Zed: `settings.json` (JSONC), `context_servers`.
    Zed,
    /// The plain `mcpServers` JSON most other clients accept.
    Generic,
}

/// How a client's config file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Strict JSON: a comment would break the client, so none are accepted.
    Json,
    /// JSON with comments and trailing commas; comments are preserved on edit.
    Jsonc,
    /// TOML; comments and formatting are preserved on edit.
    Toml,
}

impl Client {
    /// Every client, in the order help and snippets list them.
    pub const ALL: [Client; 9] = [
        Client::ClaudeDesktop,
        Client::ClaudeCode,
        Client::Cursor,
        Client::Vscode,
        Client::Windsurf,
        Client::GeminiCli,
        Client::Codex,
        Client::Zed,
        Client::Generic,
    ];

    /// The name used on the command line and in snippet file names.
    pub fn id(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::Windsurf => "windsurf",
            Client::GeminiCli => "gemini-cli",
            Client::Codex => "codex",
            Client::Zed => "zed",
            Client::Generic => "generic",
        }
    }

    /// Human-readable product name.
    pub fn display_name(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "Claude Desktop",
            Client::ClaudeCode => "Claude Code",
            Client::Cursor => "Cursor",
            Client::Vscode => "VS Code",
            Client::Windsurf => "Windsurf",
            Client::GeminiCli => "Gemini CLI",
            Client::Codex => "Codex",
            Client::Zed => "Zed",
            Client::Generic => "Generic client",
        }
    }

    /// The format of the client's config file.
    pub fn format(self) -> FileFormat {
        match self {
            Client::Vscode | Client::Zed => FileFormat::Jsonc,
            Client::Codex => FileFormat::Toml,
            _ => FileFormat::Json,
        }
    }

    /// The top-level key holding the server entries.
    pub fn servers_key(self) -> &'static str {
        match self {
            Client::Vscode => "servers",
            Client::Zed => "context_servers",
            Client::Codex => "mcp_servers",
            _ => "mcpServers",
        }
    }

    /// File extension of a snippet.
    pub fn extension(self) -> &'static str {
        match self.format() {
            FileFormat::Toml => "toml",
            FileFormat::Json | FileFormat::Jsonc => "json",
        }
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Client {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Client::ALL
            .into_iter()
            .find(|c| c.id() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Client::ALL.iter().map(|c| c.id()).collect();
                format!(
                    "unknown client `{s}`; expected one of: {}",
                    names.join(", ")
                )
            })
    }
}

/// What [`server_entry`] needs beyond the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryContext {
    /// Key of our entry in the client's config (usually `server.name`).
    pub name: String,
    /// Program a client runs for stdio: the absolute path of the release binary (GUI clients do not
    /// inherit the shell's PATH), or [`STDIO_COMMAND_PLACEHOLDER`]-style text for shareable snippets.
    pub command: String,
}

/// One server entry for one client, as typed values.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientEntry {
    /// The client it is for.
    pub client: Client,
    /// Key of the entry under the client's servers key.
    pub name: String,
    /// The entry's body (for Codex, the keys of the `[mcp_servers.NAME]` table).
    pub server: Map<String, Value>,
    /// VS Code `inputs` the entry references through `${input:ID}` (prompts for secrets).
    pub inputs: Vec<Value>,
    /// Things the user should know (printed on stderr).
    pub notes: Vec<String>,
    /// Things the user must do before the entry works (printed on stderr).
    pub warnings: Vec<String>,
}

impl ClientEntry {
    /// A whole config file holding only this entry, as JSON (TOML for Codex is built from it).
    pub fn document(&self) -> Value {
        let mut root = Map::new();
        if self.client == Client::Vscode && !self.inputs.is_empty() {
            root.insert("inputs".to_owned(), Value::Array(self.inputs.clone()));
        }
        let mut servers = Map::new();
        servers.insert(self.name.clone(), Value::Object(self.server.clone()));
        root.insert(self.client.servers_key().to_owned(), Value::Object(servers));
        Value::Object(root)
    }

    /// The snippet: a complete config file for the client holding only this entry, ending in a newline.
    pub fn render(&self) -> String {
        match self.client.format() {
            FileFormat::Toml => toml_value::entry_document(&self.name, &self.server).to_string(),
            FileFormat::Json | FileFormat::Jsonc => {
                let mut text = serde_json::to_string_pretty(&self.document())
                    .expect("JSON values always serialise");
                text.push('\n');
                text
            }
        }
    }
}

/// Errors building an entry.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EntryError {
    /// The requested transport is not in the spec's `transports`.
    #[error("the spec does not declare the `{}` transport (declared: {declared})", .transport.as_str())]
    TransportNotDeclared {
        /// The transport asked for.
        transport: TransportKind,
        /// The declared ones, comma-separated.
        declared: String,
    },
}

/// The spec's transports a client can be configured for, default first. Uses the loader's `transports.order`
/// when filled, else the canonical order (a spec deserialised without the loader has no order). Not `lambda`:
/// its URL is known only once the function is deployed.
pub fn declared_transports(spec: &Spec) -> Vec<TransportKind> {
    let t = &spec.transports;
    let present = |k: &TransportKind| match k {
        TransportKind::Stdio => t.stdio.is_some(),
        TransportKind::StreamableHttp => t.streamable_http.is_some(),
        TransportKind::Sse => t.sse.is_some(),
        TransportKind::Lambda => false,
    };
    let mut out: Vec<TransportKind> = t.order.iter().copied().filter(present).collect();
    for k in [
        TransportKind::Stdio,
        TransportKind::StreamableHttp,
        TransportKind::Sse,
    ] {
        if present(&k) && !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// The transport a client config uses when none is asked for: stdio when declared (the client starts
/// the server itself, no port to keep free), else the spec's default.
pub fn preferred_transport(spec: &Spec) -> Option<TransportKind> {
    let declared = declared_transports(spec);
    if declared.contains(&TransportKind::Stdio) {
        Some(TransportKind::Stdio)
    } else {
        declared.first().copied()
    }
}

/// Parses a transport name as written in the spec and on `--transport`.
pub fn parse_transport(s: &str) -> Result<TransportKind, String> {
    [
        TransportKind::Stdio,
        TransportKind::StreamableHttp,
        TransportKind::Sse,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
    .ok_or_else(|| format!("unknown transport `{s}`; expected stdio, streamable-http or sse"))
}
