//! Building one client's entry from the spec.
//!
//! Key names per client, checked against each client's published documentation (November 2026):
//! - Claude Desktop: `mcpServers.NAME.{command,args,env}`; stdio only from the config file (remote servers
//!   are added as Connectors in the app), env values are literal.
//!   <https://modelcontextprotocol.io/quickstart/user>
//! - Claude Code: `.mcp.json` `mcpServers.NAME.{type: stdio|http|sse, command, args, env, url, headers}`;
//!   `${VAR}` and `${VAR:-default}` expand in command, args, env, url and headers, and an unset `${VAR}`
//!   without default makes the config fail to parse. <https://code.claude.com/docs/en/mcp>
//! - Cursor: `mcpServers.NAME.{command,args,env}` or `{url, headers}`; `${env:NAME}` interpolates in
//!   command, args, env, url and headers. <https://cursor.com/docs/context/mcp>
//! - VS Code: `servers.NAME.{type: stdio|http|sse, command, args, env, url, headers}` plus top-level
//!   `inputs: [{type: promptString, id, description, password}]` referenced as `${input:ID}`; JSONC.
//!   <https://code.visualstudio.com/docs/copilot/reference/mcp-configuration>
//! - Windsurf: `mcpServers.NAME.{command,args,env}` or `{serverUrl, headers}`; `${env:VAR}` interpolates.
//!   <https://docs.windsurf.com/windsurf/cascade/mcp>
//! - Gemini CLI: `mcpServers.NAME.{command,args,env}`, `httpUrl` (streamable HTTP) or `url` (SSE) with
//!   `headers`; string values in settings.json expand `$VAR` / `${VAR}`.
//!   <https://geminicli.com/docs/tools/mcp-server>, <https://geminicli.com/docs/reference/configuration>
//! - Codex: `[mcp_servers.NAME]` with `command`, `args`, `env` (literal), `env_vars` (names forwarded from
//!   Codex's environment), or `url` + `bearer_token_env_var` (streamable HTTP only; no SSE).
//!   <https://developers.openai.com/codex/mcp>
//! - Zed: `context_servers.NAME.{command,args,env}` or `{url, headers}` (streamable HTTP; literal values).
//!   <https://zed.dev/docs/ai/mcp>
//! - `mcp-remote` (the stdio bridge for clients that cannot reach a remote server): `npx -y mcp-remote URL
//!   [--allow-http] [--transport http-only|sse-only] [--header Authorization:${AUTH_HEADER}]`; it expands
//!   `${VAR}` in header arguments from its own environment, and a header written without spaces avoids
//!   the argument-splitting bug of Claude Desktop on Windows, Cursor and Codex. Plain `http://` is
//!   accepted only for `localhost` and `127.0.0.1` without `--allow-http`.
//!   <https://github.com/geelen/mcp-remote>

use serde_json::{Map, Value, json};

use super::{Client, ClientEntry, EntryContext, EntryError, declared_transports};
use crate::spec::{EnvVar, Spec, TransportKind};

/// Env var the `mcp-remote` bridge reads the whole `Authorization` header value from.
const BRIDGE_AUTH_VAR: &str = "AUTH_HEADER";

/// The entry `client` needs to use the server of `spec` over `transport`.
pub fn server_entry(
    client: Client,
    spec: &Spec,
    transport: TransportKind,
    ctx: &EntryContext,
) -> Result<ClientEntry, EntryError> {
    let declared = declared_transports(spec);
    if !declared.contains(&transport) {
        return Err(EntryError::TransportNotDeclared {
            transport,
            declared: declared
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut b = Builder {
        client,
        name: ctx.name.clone(),
        server: Map::new(),
        inputs: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
    };
    match transport {
        TransportKind::Stdio => b.stdio(spec, ctx, declared.first() != Some(&TransportKind::Stdio)),
        TransportKind::StreamableHttp | TransportKind::Sse => {
            b.remote(spec, &Remote::new(spec, transport))
        }
        TransportKind::Lambda => unreachable!("`declared_transports` never lists lambda"),
    }
    Ok(ClientEntry {
        client,
        name: b.name,
        server: b.server,
        inputs: b.inputs,
        notes: b.notes,
        warnings: b.warnings,
    })
}

/// Where and how a client reaches an HTTP transport.
struct Remote {
    transport: TransportKind,
    url: String,
    /// `mcp-remote` refuses plain HTTP to anything but `localhost` / `127.0.0.1` without `--allow-http`.
    needs_allow_http: bool,
    bearer_env: Option<String>,
    oauth: bool,
}

impl Remote {
    fn new(spec: &Spec, transport: TransportKind) -> Remote {
        let (host, port, path) = match transport {
            TransportKind::StreamableHttp => {
                let t = spec.transports.streamable_http.as_ref().expect("declared");
                (t.host.as_str(), t.port, t.path.as_str())
            }
            TransportKind::Sse => {
                let t = spec.transports.sse.as_ref().expect("declared");
                (t.host.as_str(), t.port, t.path.as_str())
            }
            TransportKind::Stdio | TransportKind::Lambda => unreachable!("no local URL"),
        };
        let host = client_host(host);
        let auth = spec.auth.as_ref();
        Remote {
            transport,
            needs_allow_http: host != "localhost" && host != "127.0.0.1",
            url: format!("http://{host}:{port}{path}"),
            bearer_env: auth
                .and_then(|a| a.bearer.as_ref())
                .map(|b| b.token_env.clone()),
            oauth: auth.is_some_and(|a| a.oauth.is_some()),
        }
    }
}

/// The host a local client should connect to for a server bound to `bind`: wildcard addresses mean
/// "every interface", so the client uses loopback; IPv6 literals need brackets in a URL.
fn client_host(bind: &str) -> String {
    match bind {
        "" | "0.0.0.0" => "127.0.0.1".to_owned(),
        "::" | "[::]" => "[::1]".to_owned(),
        h if h.contains(':') && !h.starts_with('[') => format!("[{h}]"),
        h => h.to_owned(),
    }
}

/// How a client gets a value the user supplies (a secret, or a required setting without default).
enum Supplied {
    /// Expanded by the client from its own environment; the string is the reference to write.
    Reference(String),
    /// VS Code prompts for it (`${input:ID}`).
    Prompt,
    /// Codex forwards it from its environment (`env_vars`).
    Forward,
    /// The client passes literal values only: write an empty placeholder for the user to fill.
    Placeholder,
}

fn supplied(client: Client, var: &EnvVar) -> Supplied {
    let name = &var.name;
    match client {
        // An unset `${VAR}` without default makes Claude Code reject the whole file: optional variables
        // get an explicit (possibly empty) default.
        Client::ClaudeCode => Supplied::Reference(match (&var.default, var.required) {
            (Some(d), _) => format!("${{{name}:-{d}}}"),
            (None, true) => format!("${{{name}}}"),
            (None, false) => format!("${{{name}:-}}"),
        }),
        Client::GeminiCli => Supplied::Reference(format!("${{{name}}}")),
        Client::Cursor | Client::Windsurf => Supplied::Reference(format!("${{env:{name}}}")),
        Client::Vscode => Supplied::Prompt,
        Client::Codex => Supplied::Forward,
        Client::ClaudeDesktop | Client::Zed | Client::Generic => Supplied::Placeholder,
    }
}

struct Builder {
    client: Client,
    name: String,
    server: Map<String, Value>,
    inputs: Vec<Value>,
    notes: Vec<String>,
    warnings: Vec<String>,
}

impl Builder {
    fn set(&mut self, key: &str, value: Value) {
        self.server.insert(key.to_owned(), value);
    }

    /// `headers` sending the bearer token that `token` stands for (the client's syntax for a variable or input).
    fn set_bearer(&mut self, token: &str) {
        self.set(
            "headers",
            json!({ "Authorization": format!("Bearer {token}") }),
        );
    }

    /// VS Code input id for an env var of this server: `NAME-var-name`, unique across servers.
    fn input_id(&self, var: &str) -> String {
        format!(
            "{}-{}",
            self.name,
            var.to_ascii_lowercase().replace('_', "-")
        )
    }

    fn add_input(&mut self, id: &str, description: &str, password: bool) -> String {
        self.inputs.push(json!({
            "type": "promptString",
            "id": id,
            "description": description,
            "password": password,
        }));
        format!("${{input:{id}}}")
    }

    fn stdio(&mut self, spec: &Spec, ctx: &EntryContext, needs_transport_arg: bool) {
        if matches!(self.client, Client::ClaudeCode | Client::Vscode) {
            self.set("type", json!("stdio"));
        }
        self.set("command", json!(ctx.command));
        let args: Vec<&str> = if needs_transport_arg {
            vec!["--transport", "stdio"]
        } else {
            vec![]
        };
        self.set("args", json!(args));

        let mut env = Map::new();
        let mut forwarded = Vec::new();
        let mut from_env = Vec::new();
        let mut prompted = Vec::new();
        let mut placeholders = Vec::new();
        for var in &spec.env {
            let user_supplies = var.secret || (var.required && var.default.is_none());
            if !user_supplies {
                // Non-secret settings: pass the documented default so the client shows what is used;
                // optional ones without default are left to the server.
                if let Some(default) = &var.default {
                    env.insert(var.name.clone(), json!(default));
                }
                continue;
            }
            match supplied(self.client, var) {
                Supplied::Reference(r) => {
                    env.insert(var.name.clone(), json!(r));
                    from_env.push(var.name.as_str());
                }
                Supplied::Prompt => {
                    let id = self.input_id(&var.name);
                    let description = var.description.clone().unwrap_or_else(|| {
                        format!("{} for the {} MCP server", var.name, self.name)
                    });
                    let reference = self.add_input(&id, &description, var.secret);
                    env.insert(var.name.clone(), json!(reference));
                    prompted.push(var.name.as_str());
                }
                Supplied::Forward => forwarded.push(var.name.as_str()),
                Supplied::Placeholder => {
                    env.insert(var.name.clone(), json!(""));
                    placeholders.push(var.name.as_str());
                }
            }
        }
        if !env.is_empty() {
            self.set("env", Value::Object(env));
        }
        if !forwarded.is_empty() {
            self.set("env_vars", json!(forwarded));
        }
        let client = self.client.display_name();
        if !from_env.is_empty() {
            self.notes.push(format!(
                "{client} reads {} from its own environment: set {} before starting it",
                from_env.join(", "),
                if from_env.len() == 1 { "it" } else { "them" },
            ));
        }
        if !forwarded.is_empty() {
            self.notes.push(format!(
                "{client} forwards {} from its environment (`env_vars`): export {} before starting it",
                forwarded.join(", "),
                if forwarded.len() == 1 { "it" } else { "them" },
            ));
        }
        if !prompted.is_empty() {
            self.notes.push(format!(
                "{client} prompts for {} when the server first starts and stores the answer",
                prompted.join(", ")
            ));
        }
        if !placeholders.is_empty() {
            self.warnings.push(format!(
                "{client} does not expand environment variables in its config: fill in {} in the entry's \
                 `env` block (left empty here so mcpgen writes no secret)",
                placeholders.join(", ")
            ));
        }
    }

    fn remote(&mut self, spec: &Spec, r: &Remote) {
        let kind = match r.transport {
            TransportKind::Sse => "sse",
            _ => "http",
        };
        self.notes.push(format!(
            "{} connects to a running server: start it with `{} --transport {}` first",
            self.client.display_name(),
            spec.server.name,
            r.transport.as_str()
        ));
        let bearer = r.bearer_env.as_deref();
        match self.client {
            Client::ClaudeCode | Client::Generic => {
                self.set("type", json!(kind));
                self.set("url", json!(r.url));
                if let Some(var) = bearer {
                    self.set_bearer(&format!("${{{var}}}"));
                    if self.client == Client::Generic {
                        self.notes.push(format!(
                            "`${{{var}}}` is expanded from the environment by clients that support references \
                             (Claude Code, Gemini CLI); elsewhere replace it with the token"
                        ));
                    } else {
                        self.note_token_from_env(var);
                    }
                }
            }
            // The same entry but for the URL's key and how a variable is written.
            Client::Cursor | Client::Windsurf | Client::GeminiCli => {
                let url_key = match self.client {
                    Client::Cursor => "url",
                    Client::Windsurf => "serverUrl",
                    _ if r.transport == TransportKind::Sse => "url",
                    _ => "httpUrl",
                };
                self.set(url_key, json!(r.url));
                if let Some(var) = bearer {
                    if self.client == Client::GeminiCli {
                        self.set_bearer(&format!("${{{var}}}"));
                    } else {
                        self.set_bearer(&format!("${{env:{var}}}"));
                    }
                    self.note_token_from_env(var);
                }
            }
            Client::Vscode => {
                self.set("type", json!(kind));
                self.set("url", json!(r.url));
                if let Some(var) = bearer {
                    let id = self.input_id(var);
                    let description =
                        format!("Bearer token for the {} MCP server ({var})", self.name);
                    let reference = self.add_input(&id, &description, true);
                    self.set_bearer(&reference);
                    self.notes.push(format!(
                        "VS Code prompts for the bearer token ({var}) on first connection and stores it"
                    ));
                }
            }
            Client::Codex if r.transport == TransportKind::StreamableHttp => {
                self.set("url", json!(r.url));
                if let Some(var) = bearer {
                    self.set("bearer_token_env_var", json!(var));
                    self.note_token_from_env(var);
                }
            }
            Client::Zed if r.transport == TransportKind::StreamableHttp && bearer.is_none() => {
                self.set("url", json!(r.url));
            }
            Client::ClaudeDesktop | Client::Codex | Client::Zed => self.bridge(r),
        }
        if r.oauth {
            self.notes.push(format!(
                "the server requires OAuth: {} runs the sign-in in your browser on first connection",
                if self.server.get("command") == Some(&json!("npx")) {
                    "mcp-remote"
                } else {
                    self.client.display_name()
                }
            ));
        }
    }

    /// The `npx -y mcp-remote URL` stdio bridge, for clients whose config cannot reach this remote
    /// server directly.
    fn bridge(&mut self, r: &Remote) {
        let why = match (self.client, r.transport) {
            (Client::ClaudeDesktop, _) => {
                "Claude Desktop cannot connect to a remote server from its config file (remote servers are \
                 added under Settings > Connectors)"
            }
            (Client::Codex, _) => "Codex does not support the legacy SSE transport",
            (Client::Zed, TransportKind::Sse) => "Zed does not document the legacy SSE transport",
            _ => "Zed cannot read the bearer token from an environment variable",
        };
        self.notes.push(format!(
            "{why}: this entry runs the `mcp-remote` stdio bridge through npx (needs Node.js 18+ on the \
             system PATH)"
        ));
        let mut args = vec!["-y".to_owned(), "mcp-remote".to_owned(), r.url.clone()];
        if r.needs_allow_http {
            args.push("--allow-http".to_owned());
        }
        args.push("--transport".to_owned());
        args.push(
            if r.transport == TransportKind::Sse {
                "sse-only"
            } else {
                "http-only"
            }
            .to_owned(),
        );
        if let Some(var) = r.bearer_env.as_deref() {
            args.push("--header".to_owned());
            args.push(format!("Authorization:${{{BRIDGE_AUTH_VAR}}}"));
            self.warnings.push(format!(
                "set {BRIDGE_AUTH_VAR} in the entry's `env` block to `Bearer <token>`, with a token the \
                 server accepts ({var}); {} does not expand environment variables in its config, so it is \
                 left empty here",
                self.client.display_name()
            ));
        }
        self.set("command", json!("npx"));
        self.set("args", json!(args));
        if r.bearer_env.is_some() {
            self.set("env", json!({ BRIDGE_AUTH_VAR: "" }));
        }
    }

    fn note_token_from_env(&mut self, var: &str) {
        self.notes.push(format!(
            "{} reads the bearer token from the environment variable {var}: set it before starting the client",
            self.client.display_name()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_host_maps_wildcards_to_loopback_and_brackets_ipv6() {
        assert_eq!(client_host("0.0.0.0"), "127.0.0.1");
        assert_eq!(client_host("::"), "[::1]");
        assert_eq!(client_host("::1"), "[::1]");
        assert_eq!(client_host("localhost"), "localhost");
        assert_eq!(client_host("10.0.0.5"), "10.0.0.5");
    }
}
