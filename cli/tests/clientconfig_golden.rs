//! Golden tests for client snippets: every client x transport, parsed as its format and checked against
//! the shape each client documents. Regenerate with `MCPGEN_BLESS=1 cargo test -p mcpgen --test
//! clientconfig_golden` and review the diff.

mod clientconfig_support;
mod golden_support;

use std::collections::BTreeSet;

use clientconfig_support::{golden_spec, load_str, parse_config};
use golden_support::Goldens;
use mcpgen::clientconfig::{
    Client, ClientEntry, EntryContext, EntryError, crate_snippets, server_entry,
    stdio_command_placeholder,
};
use mcpgen::spec::TransportKind;
use serde_json::Value;

const TRANSPORTS: [TransportKind; 3] = [
    TransportKind::Stdio,
    TransportKind::StreamableHttp,
    TransportKind::Sse,
];

#[test]
fn snippets_match_the_golden_files() {
    let files = crate_snippets(&golden_spec());
    assert_eq!(
        files.len(),
        Client::ALL.len() * TRANSPORTS.len() + 1,
        "one per client x transport + README"
    );
    let mut goldens = Goldens::new("clientconfig");
    for (name, content) in &files {
        goldens.check(name, content);
    }
    goldens.finish();
}

#[test]
fn snippets_are_deterministic_and_hold_no_machine_path() {
    let spec = golden_spec();
    assert_eq!(crate_snippets(&spec), crate_snippets(&spec));
    let placeholder = stdio_command_placeholder("weather");
    for (name, content) in crate_snippets(&spec) {
        if name == "README.md" {
            continue;
        }
        let doc = parse_config(
            Client::ALL
                .iter()
                .find(|c| name.starts_with(&format!("{}.", c.id())))
                .copied()
                .unwrap(),
            &content,
        );
        let entry = server(&doc, client_of(&name));
        if let Some(command) = entry.get("command").and_then(Value::as_str) {
            assert!(
                command == placeholder || command == "npx",
                "{name}: unexpected command {command}"
            );
        }
    }
}

fn client_of(file: &str) -> Client {
    Client::ALL
        .into_iter()
        .find(|c| file.starts_with(&format!("{}.", c.id())))
        .expect("file named after its client")
}

fn server(doc: &Value, client: Client) -> &serde_json::Map<String, Value> {
    doc.get(client.servers_key())
        .and_then(|s| s.get("weather"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{client}: no `{}.weather` object", client.servers_key()))
}

fn string(entry: &serde_json::Map<String, Value>, key: &str, what: &str) -> String {
    entry
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{what}: `{key}` must be a string"))
        .to_owned()
}

fn strings(entry: &serde_json::Map<String, Value>, key: &str, what: &str) -> Vec<String> {
    let Some(value) = entry.get(key) else {
        return Vec::new();
    };
    value
        .as_array()
        .unwrap_or_else(|| panic!("{what}: `{key}` must be an array"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{what}: `{key}` items must be strings"))
                .to_owned()
        })
        .collect()
}

fn string_map(
    entry: &serde_json::Map<String, Value>,
    key: &str,
    what: &str,
) -> serde_json::Map<String, Value> {
    let Some(value) = entry.get(key) else {
        return Default::default();
    };
    let map = value
        .as_object()
        .unwrap_or_else(|| panic!("{what}: `{key}` must be an object"))
        .clone();
    assert!(
        map.values().all(Value::is_string),
        "{what}: `{key}` values must be strings"
    );
    map
}

/// The shape each client documents (see the sources in `clientconfig/entry.rs`).
fn check_shape(client: Client, transport: TransportKind, doc: &Value) {
    let what = format!("{client} {}", transport.as_str());
    let top: BTreeSet<&str> = doc
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let allowed: BTreeSet<&str> = if client == Client::Vscode {
        ["servers", "inputs"].into()
    } else {
        [client.servers_key()].into()
    };
    assert!(
        top.is_subset(&allowed),
        "{what}: unexpected top-level keys {top:?}"
    );
    let e = server(doc, client);
    let keys: BTreeSet<&str> = e.keys().map(String::as_str).collect();
    let env = string_map(e, "env", &what);
    let headers = string_map(e, "headers", &what);
    let args = strings(e, "args", &what);
    let stdio_like = e.contains_key("command");

    // Allowed keys per client, from the clients' documentation.
    let documented: &[&str] = match client {
        Client::ClaudeDesktop => &["command", "args", "env"],
        Client::ClaudeCode | Client::Generic => {
            &["type", "command", "args", "env", "url", "headers"]
        }
        Client::Cursor => &["command", "args", "env", "url", "headers"],
        Client::Vscode => &["type", "command", "args", "env", "url", "headers"],
        Client::Windsurf => &["command", "args", "env", "serverUrl", "headers"],
        Client::GeminiCli => &["command", "args", "env", "url", "httpUrl", "headers"],
        Client::Codex => &[
            "command",
            "args",
            "env",
            "env_vars",
            "url",
            "bearer_token_env_var",
        ],
        Client::Zed => &["command", "args", "env", "url", "headers"],
    };
    for k in &keys {
        assert!(
            documented.contains(k),
            "{what}: key `{k}` is not in the client's documented shape"
        );
    }
    if client == Client::ClaudeDesktop {
        assert!(
            stdio_like,
            "{what}: Claude Desktop entries are always stdio (mcp-remote bridge for HTTP)"
        );
    }

    match transport {
        TransportKind::Stdio => {
            assert!(stdio_like, "{what}: stdio needs `command`");
            assert_eq!(
                string(e, "command", &what),
                stdio_command_placeholder("weather")
            );
            assert!(
                args.is_empty(),
                "{what}: stdio is the spec's default transport: no --transport arg"
            );
            assert_eq!(
                env.get("WEATHER_DEFAULT_UNITS"),
                Some(&Value::from("celsius")),
                "{what}: default passed"
            );
            // The secret is never a literal: a reference, a prompt, forwarded, or an empty placeholder.
            match env.get("WEATHER_API_KEY").and_then(Value::as_str) {
                Some("") => assert!(matches!(
                    client,
                    Client::ClaudeDesktop | Client::Zed | Client::Generic
                )),
                Some(v) => assert!(
                    v.contains("WEATHER_API_KEY") || v.starts_with("${input:"),
                    "{what}: {v}"
                ),
                None => assert_eq!(
                    strings(e, "env_vars", &what),
                    ["WEATHER_API_KEY"],
                    "{what}: forwarded"
                ),
            }
            if matches!(client, Client::ClaudeCode | Client::Vscode) {
                assert_eq!(string(e, "type", &what), "stdio");
            }
        }
        TransportKind::StreamableHttp | TransportKind::Sse => {
            let port = if transport == TransportKind::Sse {
                "8001/sse"
            } else {
                "8000/mcp"
            };
            let url = format!("http://127.0.0.1:{port}");
            if stdio_like {
                // The mcp-remote bridge.
                assert_eq!(string(e, "command", &what), "npx");
                assert_eq!(args[..3], ["-y", "mcp-remote", url.as_str()], "{what}");
                let mode = if transport == TransportKind::Sse {
                    "sse-only"
                } else {
                    "http-only"
                };
                assert!(
                    args.windows(2).any(|w| w == ["--transport", mode]),
                    "{what}: {args:?}"
                );
                assert!(
                    args.windows(2)
                        .any(|w| w == ["--header", "Authorization:${AUTH_HEADER}"]),
                    "{what}"
                );
                assert_eq!(
                    env.get("AUTH_HEADER"),
                    Some(&Value::from("")),
                    "{what}: placeholder, never a token"
                );
            } else {
                let url_key = match (client, transport) {
                    (Client::Windsurf, _) => "serverUrl",
                    (Client::GeminiCli, TransportKind::StreamableHttp) => "httpUrl",
                    _ => "url",
                };
                assert_eq!(string(e, url_key, &what), url);
                if matches!(
                    client,
                    Client::ClaudeCode | Client::Vscode | Client::Generic
                ) {
                    let kind = if transport == TransportKind::Sse {
                        "sse"
                    } else {
                        "http"
                    };
                    assert_eq!(string(e, "type", &what), kind);
                }
                if client == Client::Codex {
                    assert_eq!(string(e, "bearer_token_env_var", &what), "WEATHER_TOKEN");
                } else {
                    let auth = headers
                        .get("Authorization")
                        .and_then(Value::as_str)
                        .expect("auth header");
                    assert!(auth.starts_with("Bearer ${"), "{what}: {auth}");
                    assert!(
                        auth.contains("WEATHER_TOKEN") || auth.contains("${input:"),
                        "{what}: {auth}"
                    );
                }
            }
        }
        TransportKind::Lambda => unreachable!("client configs never list lambda"),
    }

    // VS Code: every `${input:ID}` has a promptString input, secrets with password: true.
    if client == Client::Vscode {
        let inputs = doc
            .get("inputs")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let text = serde_json::to_string(e).unwrap();
        for input in &inputs {
            assert_eq!(input["type"], "promptString", "{what}");
            assert_eq!(input["password"], true, "{what}: secrets are masked");
            let id = input["id"].as_str().expect("id");
            assert!(
                text.contains(&format!("${{input:{id}}}")),
                "{what}: input {id} unused"
            );
        }
        assert_eq!(
            inputs.len(),
            text.matches("${input:").count(),
            "{what}: one input per reference"
        );
    }
}

#[test]
fn every_snippet_parses_as_its_format_and_has_the_documented_shape() {
    let spec = golden_spec();
    let ctx = EntryContext {
        name: "weather".into(),
        command: stdio_command_placeholder("weather"),
    };
    for client in Client::ALL {
        for transport in TRANSPORTS {
            let entry = server_entry(client, &spec, transport, &ctx).expect("declared transport");
            let text = entry.render();
            assert!(text.ends_with('\n'));
            let doc = parse_config(client, &text);
            assert_eq!(
                doc,
                entry.document(),
                "{client}: the rendered text holds exactly the typed entry"
            );
            check_shape(client, transport, &doc);
        }
    }
}

/// What `client` is given for `transport` of a one-tool server `svc` run as `command`, whose spec ends with `rest`
/// (its transports and auth).
fn svc_entry(
    rest: &str,
    command: &str,
    client: Client,
    transport: TransportKind,
) -> Result<ClientEntry, EntryError> {
    let spec = load_str(&format!(
        "mcpgen: 1\nserver: {{name: svc}}\ntools: [{{name: t}}]\n{rest}"
    ));
    let ctx = EntryContext {
        name: "svc".into(),
        command: command.into(),
    };
    server_entry(client, &spec, transport, &ctx)
}

#[test]
fn stdio_passes_the_transport_flag_when_stdio_is_not_the_default() {
    let entry = svc_entry(
        "transports:\n  streamable-http: {}\n  stdio: {}\n",
        "/opt/svc/target/release/svc",
        Client::ClaudeDesktop,
        TransportKind::Stdio,
    )
    .unwrap();
    assert_eq!(
        entry.server["args"],
        serde_json::json!(["--transport", "stdio"])
    );
    assert_eq!(entry.server["command"], "/opt/svc/target/release/svc");
}

#[test]
fn wildcard_and_remote_hosts_and_oauth() {
    let rest = "transports:\n  streamable-http: {host: 0.0.0.0, port: 9000}\n  sse: {host: 10.1.2.3, port: 9001}\nauth:\n  oauth:\n    authorizationServers: [https://auth.example.com]\n    audience: https://svc.example.com\n    jwksUri: https://auth.example.com/jwks\n";
    let code = svc_entry(rest, "", Client::ClaudeCode, TransportKind::StreamableHttp).unwrap();
    assert_eq!(
        code.server["url"], "http://127.0.0.1:9000/mcp",
        "wildcard bind: connect on loopback"
    );
    assert!(
        !code.server.contains_key("headers"),
        "OAuth: the client signs in, no static header"
    );
    assert!(code.notes.iter().any(|n| n.contains("OAuth")));
    let desktop = svc_entry(rest, "", Client::ClaudeDesktop, TransportKind::Sse).unwrap();
    let args = desktop.server["args"].as_array().unwrap();
    assert!(
        args.contains(&"--allow-http".into()),
        "mcp-remote needs --allow-http off loopback: {args:?}"
    );
    assert!(
        !desktop.server.contains_key("env"),
        "no bearer auth: no header placeholder"
    );
    assert!(
        desktop
            .notes
            .iter()
            .any(|n| n.contains("Claude Desktop cannot connect to a remote server"))
    );
}

#[test]
fn undeclared_transport_is_an_error() {
    let err = svc_entry(
        "transports:\n  stdio: {}\n",
        "x",
        Client::Cursor,
        TransportKind::Sse,
    )
    .unwrap_err();
    assert_eq!(
        err,
        EntryError::TransportNotDeclared {
            transport: TransportKind::Sse,
            declared: "stdio".into()
        }
    );
}

#[test]
fn readme_explains_every_file_and_the_install_command() {
    let files = crate_snippets(&golden_spec());
    let readme = &files
        .iter()
        .find(|(n, _)| n == "README.md")
        .expect("README")
        .1;
    assert!(readme.contains("mcpgen config claude-desktop --install"));
    assert!(readme.contains(&stdio_command_placeholder("weather")));
    for (name, _) in &files {
        if name != "README.md" {
            assert!(
                readme.contains(&format!("`{name}`")),
                "README does not mention {name}"
            );
        }
    }
}
