//! Starting the built server on each declared transport and checking it as an rmcp client.
//!
//! Every child is spawned with `kill_on_drop`, shut down explicitly when its checks end, and dropped (so
//! killed) if a check panics or Ctrl-C cancels the whole run. Every wait is bounded by the timeout.

use std::collections::VecDeque;
use std::future::Future;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indexmap::IndexMap;
use rmcp::model::{CallToolRequestParams, GetPromptRequestParams, ReadResourceRequestParams};
use rmcp::service::{RoleClient, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ServiceExt as _, model::ResourceContents};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use super::call::{self, ToolCall, Verdict};
use super::expect::{self, compare_list, diff, unless_declared};
use super::oauth::TestIssuer;
use super::{CheckResult, Difference, VerifyError, VerifyOptions};
use crate::pipeline::LoadedSpec;
use crate::spec::{Spec, TransportKind};

type Client = RunningService<RoleClient, ()>;

/// How many stderr lines of a server to keep for failure notes.
const STDERR_TAIL: usize = 20;
/// How many stray stdout lines to keep (the first is reported).
const STRAY_LINES: usize = 5;

/// The spec side of every check, computed once.
struct Expected {
    server_info: Value,
    instructions: Option<String>,
    capabilities: Value,
    tools: Vec<Value>,
    resources: Vec<Value>,
    templates: Vec<Value>,
    prompts: Vec<Value>,
    /// Bytes and declared MIME type of each `text:`/`file:` resource, by URI.
    contents: IndexMap<String, (Vec<u8>, Option<String>)>,
    /// URIs of resources served by handlers: read only to see that they answer.
    handler_resources: Vec<String>,
    /// Each prompt with its sample arguments and, when declarative, the expected rendering.
    prompt_renders: Vec<(String, Map<String, Value>, Option<Value>)>,
    /// How each tool is called.
    tool_calls: Vec<ToolCall>,
}

impl Expected {
    fn new(loaded: &LoadedSpec, call_destructive: bool) -> Result<Self, VerifyError> {
        let spec = &loaded.spec;
        let base = loaded.path.parent().unwrap_or(Path::new("."));
        let mut contents = IndexMap::new();
        let mut handler_resources = Vec::new();
        for resource in &spec.resources {
            let bytes = if let Some(text) = &resource.text {
                text.clone().into_bytes()
            } else if let Some(file) = &resource.file {
                let path = base.join(file);
                std::fs::read(&path).map_err(|source| VerifyError::Read { path, source })?
            } else {
                handler_resources.push(resource.uri.clone());
                continue;
            };
            contents.insert(resource.uri.clone(), (bytes, resource.mime_type.clone()));
        }
        let sizes: IndexMap<String, Vec<u8>> = contents
            .iter()
            .map(|(uri, (bytes, _))| (uri.clone(), bytes.clone()))
            .collect();
        let prompt_renders = spec
            .prompts
            .iter()
            .map(|prompt| {
                let args = expect::sample_arguments(prompt);
                let rendered = expect::rendered_prompt(prompt, &args);
                (prompt.name.clone(), args, rendered)
            })
            .collect();
        Ok(Expected {
            server_info: expect::server_info(spec),
            instructions: spec.server.instructions.clone(),
            capabilities: expect::capabilities(spec),
            tools: expect::tools(spec),
            resources: expect::resources(spec, &sizes),
            templates: expect::templates(spec),
            prompts: expect::prompts(spec),
            contents,
            handler_resources,
            prompt_renders,
            tool_calls: call::plan(spec, call_destructive),
        })
    }
}

/// The flags that serve a generated server's streamable HTTP on 127.0.0.1 at a port the OS picks (it logs the URL).
pub const HTTP_ON_A_FREE_LOOPBACK_PORT: [&str; 6] = [
    "--transport",
    "streamable-http",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
];

/// One server run: a transport, how it is labelled in the table, and the flags that select it.
struct Run {
    kind: TransportKind,
    label: String,
    args: Vec<&'static str>,
}

/// The runs for a spec: each declared transport in the spec's order; streamable HTTP as declared and, with
/// `both_http_modes`, once more in the other session mode.
fn runs(spec: &Spec, both_http_modes: bool) -> Vec<Run> {
    let transports = &spec.transports;
    let mut order = transports.order.clone();
    if order.is_empty() {
        let declared = [
            (transports.stdio.is_some(), TransportKind::Stdio),
            (
                transports.streamable_http.is_some(),
                TransportKind::StreamableHttp,
            ),
            (transports.sse.is_some(), TransportKind::Sse),
        ];
        order = declared
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, k)| *k)
            .collect();
    }
    let mut out = Vec::new();
    for kind in order {
        match kind {
            TransportKind::Stdio => out.push(Run {
                kind,
                label: "stdio".into(),
                args: vec!["--transport", "stdio"],
            }),
            TransportKind::StreamableHttp => {
                let Some(http) = &transports.streamable_http else {
                    continue;
                };
                let base = HTTP_ON_A_FREE_LOOPBACK_PORT;
                let declared = match (http.stateful, http.json_response) {
                    (true, _) => "streamable-http (stateful)",
                    (false, true) => "streamable-http (stateless, json)",
                    (false, false) => "streamable-http (stateless)",
                };
                out.push(Run {
                    kind,
                    label: declared.into(),
                    args: base.to_vec(),
                });
                if both_http_modes {
                    let (label, flags): (&str, &[&'static str]) = if http.stateful {
                        (
                            "streamable-http (stateless, json)",
                            &["--stateless", "--json-response"],
                        )
                    } else {
                        ("streamable-http (stateful)", &["--stateful"])
                    };
                    out.push(Run {
                        kind,
                        label: label.into(),
                        args: base.iter().chain(flags).copied().collect(),
                    });
                }
            }
            TransportKind::Sse => out.push(Run {
                kind,
                label: "sse".into(),
                args: vec!["--transport", "sse", "--host", "127.0.0.1", "--port", "0"],
            }),
            // Started the way Lambda starts it: the Runtime API (cargo-lambda's, `verify/lambda.rs`) in the
            // environment picks the transport.
            TransportKind::Lambda => out.push(Run {
                kind,
                label: "lambda (cargo-lambda)".into(),
                args: Vec::new(),
            }),
        }
    }
    out
}

/// Runs every check on every transport. Ctrl-C stops the servers and returns [`VerifyError::Interrupted`].
pub(crate) fn run_all(
    binary: &Path,
    loaded: &LoadedSpec,
    opts: &VerifyOptions,
) -> Result<Vec<CheckResult>, VerifyError> {
    let expected = Expected::new(loaded, opts.call_destructive)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(VerifyError::Runtime)?;
    let result = runtime.block_on(async {
        let all = async {
            // One key server and token for every run of an OAuth-protected server.
            let issuer = TestIssuer::start(&loaded.spec).await;
            let issuer = issuer.as_ref().map(Option::as_ref);
            // Each run has a server process of its own (HTTP ones on ports the OS picks), so they run side by
            // side: most of a run is waiting for its server to start and answer. Results keep the runs' order.
            let runs = runs(&loaded.spec, opts.both_http_modes);
            let all =
                futures_util::future::join_all(runs.iter().map(|run| {
                    check_run(binary, &loaded.spec, &expected, run, issuer, opts.timeout)
                }));
            // Tasks, which the rmcp client sees only in their 2026-07-28 form, in sessions of their own
            // beside the runs (`tasks.rs`).
            let stdio = ["--transport", "stdio"];
            let tasks = super::tasks::check(
                || server_command(binary, &loaded.spec, &stdio),
                &loaded.spec,
                &expected.tool_calls,
                opts.timeout,
            );
            let (all, tasks) = tokio::join!(all, tasks);
            all.into_iter().flatten().chain(tasks).collect::<Vec<_>>()
        };
        tokio::select! {
            results = all => Ok(results),
            // Dropping `all` drops every running child, and kill_on_drop stops it.
            _ = tokio::signal::ctrl_c() => Err(VerifyError::Interrupted),
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

/// `issuer`: the stand-in OAuth issuer when the spec asks for OAuth (`Ok(None)` when it does not), or why
/// there is none.
async fn check_run(
    binary: &Path,
    spec: &Spec,
    expected: &Expected,
    run: &Run,
    issuer: Result<Option<&TestIssuer>, &String>,
    timeout: Duration,
) -> Vec<CheckResult> {
    match run.kind {
        TransportKind::Stdio => check_stdio(binary, spec, expected, run, timeout).await,
        TransportKind::StreamableHttp | TransportKind::Sse | TransportKind::Lambda => {
            match issuer {
                Ok(issuer) => check_http(binary, spec, expected, run, issuer, timeout).await,
                Err(why) => vec![CheckResult::skip("all", &run.label, why.as_str())],
            }
        }
    }
}

/// The server process with environment prepared: no `RUST_LOG` (the default filter prints the listening
/// address), none of the server's own flag variables (flags decide), required variables filled in.
fn server_command(binary: &Path, spec: &Spec, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_remove("RUST_LOG")
        .kill_on_drop(true);
    let prefix = spec.server.name.to_ascii_uppercase().replace('-', "_");
    for flag in [
        "TRANSPORT",
        "HOST",
        "PORT",
        "PATH",
        "ALLOWED_HOSTS",
        "ALLOWED_ORIGINS",
        "STATELESS",
        "STATEFUL",
        "JSON_RESPONSE",
        "OAUTH_JWKS_URI",
    ] {
        command.env_remove(format!("{prefix}_{flag}"));
    }
    for var in &spec.env {
        if var.required && var.default.is_none() && std::env::var_os(&var.name).is_none() {
            command.env(&var.name, "mcpgen-verify-placeholder");
        }
    }
    command
}

/// The server's process started from `command` with its stderr watched (`watch_stderr`), or the failed check.
fn start(
    command: &mut Command,
    label: &str,
) -> Result<(Child, StderrTail, oneshot::Receiver<String>), Vec<CheckResult>> {
    let mut child = command.spawn().map_err(|e| {
        vec![CheckResult::fail(
            "start",
            label,
            format!("cannot start: {e}"),
        )]
    })?;
    let (tail, url) = watch_stderr(&mut child);
    Ok((child, tail, url))
}

/// The last lines of a server's stderr.
type StderrTail = Arc<Mutex<VecDeque<String>>>;

/// Keeps the last lines of the server's stderr, and sends the streamable HTTP URL once it is logged.
fn watch_stderr(child: &mut Child) -> (StderrTail, oneshot::Receiver<String>) {
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    let (tx, rx) = oneshot::channel();
    let stderr = child.stderr.take().expect("stderr is piped");
    let keep = tail.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        let mut tx = Some(tx);
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = listening_url(&line)
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(url);
            }
            let mut tail = keep.lock().expect("tail lock");
            if tail.len() == STDERR_TAIL {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    });
    (tail, rx)
}

/// The URL in the server's start-up log line, `listening on http://127.0.0.1:PORT/PATH ...` (the address
/// verify asked it to bind; an `also serving ...` line for a second transport does not match).
pub fn listening_url(line: &str) -> Option<String> {
    let line = strip_ansi(line);
    let start = line.find("listening on http://127.0.0.1:")? + "listening on ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    Some(url)
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ params final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn tail_note(what: &str, tail: &Mutex<VecDeque<String>>) -> String {
    let tail = tail.lock().expect("tail lock");
    if tail.is_empty() {
        what.to_owned()
    } else {
        let lines: Vec<&str> = tail.iter().map(String::as_str).collect();
        format!("{what}; server stderr:\n{}", lines.join("\n"))
    }
}

async fn bounded<T, E: std::fmt::Display>(
    timeout: Duration,
    what: &str,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(format!("{what}: {error}")),
        Err(_) => Err(format!("{what}: no answer within {timeout:?}")),
    }
}

async fn stop(mut child: Child, timeout: Duration) {
    if tokio::time::timeout(timeout, child.wait()).await.is_err() {
        let _ = child.kill().await;
    }
}

async fn check_stdio(
    binary: &Path,
    spec: &Spec,
    expected: &Expected,
    run: &Run,
    timeout: Duration,
) -> Vec<CheckResult> {
    let label = run.label.as_str();
    let mut command = server_command(binary, spec, &run.args);
    command.stdin(Stdio::piped()).stdout(Stdio::piped());
    let (mut child, tail, _) = match start(&mut command, label) {
        Ok(started) => started,
        Err(failed) => return failed,
    };
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");

    // Only JSON-RPC lines reach the client; anything else is kept as evidence of a stray print.
    let (client_end, mut filter_end) = tokio::io::duplex(1 << 16);
    let stray = tokio::spawn(async move {
        let mut stray = Vec::new();
        let mut lines = BufReader::new(stdout).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if is_jsonrpc(&line) {
                let forwarded = async {
                    filter_end.write_all(line.as_bytes()).await?;
                    filter_end.write_all(b"\n").await
                };
                // The client went away: keep reading to catch prints made while shutting down.
                let _ = forwarded.await;
            } else if stray.len() < STRAY_LINES {
                stray.push(line);
            }
        }
        stray
    });

    let mut results = Vec::new();
    match bounded(timeout, "initialize", ().serve((client_end, stdin))).await {
        Ok(client) => {
            results.extend(checks(&client, expected, label, timeout).await);
            let _ = tokio::time::timeout(timeout, client.cancel()).await;
        }
        Err(e) => results.push(CheckResult::fail("initialize", label, tail_note(&e, &tail))),
    }
    // The client closed stdin: the server should exit; `stop` kills it if not.
    stop(child, timeout).await;
    let stray = match tokio::time::timeout(timeout, stray).await {
        Ok(Ok(stray)) => stray,
        _ => Vec::new(),
    };
    results.push(match stray.first() {
        None => CheckResult::pass("stdout", label),
        Some(first) => CheckResult::differs(
            "stdout",
            label,
            Difference {
                path: "/stdout".into(),
                got: Some(Value::String(first.clone())),
                want: Some(Value::String(
                    "JSON-RPC messages only (log to stderr, never print to stdout)".into(),
                )),
            },
        ),
    });
    results
}

/// A line a client can take: one JSON-RPC 2.0 message or batch.
fn is_jsonrpc(line: &str) -> bool {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(message)) => message.get("jsonrpc") == Some(&json!("2.0")),
        Ok(Value::Array(batch)) => {
            !batch.is_empty()
                && batch
                    .iter()
                    .all(|m| m.get("jsonrpc") == Some(&json!("2.0")))
        }
        _ => false,
    }
}

async fn check_http(
    binary: &Path,
    spec: &Spec,
    expected: &Expected,
    run: &Run,
    issuer: Option<&TestIssuer>,
    timeout: Duration,
) -> Vec<CheckResult> {
    let label = run.label.as_str();
    let mut command = server_command(binary, spec, &run.args);
    // With bearer auth on, the server needs a token and the client presents it.
    let mut token = spec
        .auth
        .as_ref()
        .and_then(|a| a.bearer.as_ref())
        .map(|bearer| {
            let token = format!("mcpgen-verify-{}", std::process::id());
            command.env(&bearer.token_env, &token);
            token
        });
    // With OAuth, the server takes verify's key server as its issuer's and the client presents its token.
    if let Some(issuer) = issuer {
        command.arg("--oauth-jwks-uri").arg(&issuer.jwks_uri);
        // The key server is on loopback: never reach it through a proxy from the environment.
        let no_proxy = std::env::var("NO_PROXY").or_else(|_| std::env::var("no_proxy"));
        let no_proxy = match no_proxy {
            Ok(list) if !list.is_empty() => format!("{list},127.0.0.1"),
            _ => "127.0.0.1".to_owned(),
        };
        command
            .env("NO_PROXY", &no_proxy)
            .env("no_proxy", &no_proxy);
        token = Some(issuer.token.clone());
    }
    // Lambda: the function URL of cargo-lambda's emulator, which the server polls for events.
    let emulator = match &spec.transports.lambda {
        Some(def) if run.kind == TransportKind::Lambda => {
            match super::lambda::Emulator::start(timeout).await {
                Ok(emulator) => {
                    command.envs(emulator.function_env());
                    Some((emulator.url(&def.path), emulator))
                }
                Err(None) => {
                    let why = "cargo-lambda is not installed (`pip install cargo-lambda`, or see \
                               https://www.cargo-lambda.info): the lambda transport is not checked";
                    return vec![CheckResult::skip("all", label, why)];
                }
                Err(Some(why)) => return vec![CheckResult::fail("start", label, why)],
            }
        }
        _ => None,
    };
    let (mut child, tail, url) = match start(&mut command, label) {
        Ok(started) => started,
        Err(failed) => return failed,
    };
    let url = async {
        match &emulator {
            Some((url, _)) => Ok(url.clone()),
            None => url.await,
        }
    };
    let url = tokio::select! {
        url = tokio::time::timeout(timeout, url) => match url {
            Ok(Ok(url)) => Ok(url),
            Ok(Err(_)) => Err("the server closed stderr without logging its address".to_owned()),
            Err(_) => Err(format!("the server did not log its address within {timeout:?}")),
        },
        status = child.wait() => Err(match status {
            Ok(status) => format!("the server exited ({status}) before listening"),
            Err(e) => format!("cannot wait for the server: {e}"),
        }),
    };
    let url = match url {
        Ok(url) => url,
        Err(e) => {
            // Give the stderr reader a moment to collect the server's last words.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let note = tail_note(&e, &tail);
            let _ = child.kill().await;
            return vec![CheckResult::fail("start", label, note)];
        }
    };
    let connected = if run.kind == TransportKind::Sse {
        match bounded(
            timeout,
            "connect",
            super::sse::SseClient::connect(&url, token, timeout),
        )
        .await
        {
            Ok(transport) => bounded(timeout, "initialize", ().serve(transport)).await,
            Err(e) => Err(e),
        }
    } else {
        let mut config = StreamableHttpClientTransportConfig::with_uri(url);
        if let Some(token) = token {
            config = config.auth_header(token);
        }
        let transport = StreamableHttpClientTransport::from_config(config);
        bounded(timeout, "initialize", ().serve(transport)).await
    };
    let results = match connected {
        Ok(client) => {
            let results = checks(&client, expected, label, timeout).await;
            let _ = tokio::time::timeout(timeout, client.cancel()).await;
            results
        }
        Err(e) => vec![CheckResult::fail("initialize", label, tail_note(&e, &tail))],
    };
    let _ = child.kill().await;
    results
}

/// The protocol checks shared by every transport.
async fn checks(
    client: &Client,
    expected: &Expected,
    label: &str,
    timeout: Duration,
) -> Vec<CheckResult> {
    let mut results = vec![check_initialize(client, expected, label)];
    let peer = client.peer();
    if !expected.tools.is_empty() {
        let got = bounded(timeout, "tools/list", peer.list_all_tools()).await;
        results.push(list_result("tools/list", label, got, |got| {
            compare_list("tools", "name", &expected.tools, &got, |_, g| g)
        }));
        for tool in &expected.tool_calls {
            results.push(check_call(client, tool, label, timeout).await);
        }
    }
    if !expected.resources.is_empty() {
        let got = bounded(timeout, "resources/list", peer.list_all_resources()).await;
        results.push(list_result("resources/list", label, got, |got| {
            compare_list(
                "resources",
                "uri",
                &expected.resources,
                &got,
                unless_declared("mimeType"),
            )
        }));
        results.push(check_reads(client, expected, label, timeout).await);
    }
    if !expected.templates.is_empty() {
        let got = bounded(
            timeout,
            "resources/templates/list",
            peer.list_all_resource_templates(),
        )
        .await;
        results.push(list_result("resources/templates/list", label, got, |got| {
            compare_list(
                "resourceTemplates",
                "uriTemplate",
                &expected.templates,
                &got,
                unless_declared("mimeType"),
            )
        }));
    }
    if !expected.prompts.is_empty() {
        let got = bounded(timeout, "prompts/list", peer.list_all_prompts()).await;
        results.push(list_result("prompts/list", label, got, |got| {
            let got: Vec<Value> = got.into_iter().map(expect::normalize_prompt).collect();
            compare_list("prompts", "name", &expected.prompts, &got, |_, g| g)
        }));
        results.push(check_prompts(client, expected, label, timeout).await);
    }
    results
}

fn check_initialize(client: &Client, expected: &Expected, label: &str) -> CheckResult {
    let Some(info) = client.peer_info() else {
        return CheckResult::fail("initialize", label, "no initialize result");
    };
    let served = serde_json::to_value(&*info).unwrap_or(Value::Null);
    let instructions = expected.instructions.as_ref().map(|i| json!(i));
    let difference = diff("/serverInfo", &expected.server_info, &served["serverInfo"])
        .or_else(|| {
            let got = served.get("instructions").cloned();
            (got != instructions).then(|| Difference {
                path: "/instructions".into(),
                got,
                want: instructions,
            })
        })
        .or_else(|| {
            let got = expect::served_capabilities(&served["capabilities"]);
            diff("/capabilities", &expected.capabilities, &got)
        });
    CheckResult::compared("initialize", label, difference)
}

fn list_result<T: serde::Serialize>(
    check: &str,
    label: &str,
    got: Result<Vec<T>, String>,
    compare: impl FnOnce(Vec<Value>) -> Option<Difference>,
) -> CheckResult {
    match got {
        Ok(items) => {
            let items = items
                .iter()
                .map(|item| serde_json::to_value(item).unwrap_or(Value::Null))
                .collect();
            CheckResult::compared(check, label, compare(items))
        }
        Err(e) => CheckResult::fail(check, label, e),
    }
}

/// Reads every `text:`/`file:` resource and compares its bytes; reads each handler (or HTTP) resource too, which only
/// has to answer (an error result is fine): that runs the handler, so a stray print shows on stdio.
async fn check_reads(
    client: &Client,
    expected: &Expected,
    label: &str,
    timeout: Duration,
) -> CheckResult {
    const CHECK: &str = "resources/read";
    for (uri, (bytes, mime)) in &expected.contents {
        let read = client.read_resource(ReadResourceRequestParams::new(uri.as_str()));
        match bounded(timeout, &format!("read {uri}"), read).await {
            Ok(result) => {
                if let Some(d) = compare_contents(uri, bytes, mime.as_deref(), &result.contents) {
                    return CheckResult::differs(CHECK, label, d);
                }
            }
            Err(e) => return CheckResult::fail(CHECK, label, e),
        }
    }
    for uri in &expected.handler_resources {
        let read = client.read_resource(ReadResourceRequestParams::new(uri.as_str()));
        if let Err(e) = answered(timeout, &format!("read {uri}"), read).await {
            return CheckResult::fail(CHECK, label, e);
        }
    }
    CheckResult::pass(CHECK, label)
}

/// Renders every prompt with sample arguments: a declarative one must match the spec's text with the
/// arguments substituted; one built by a handler only has to answer.
async fn check_prompts(
    client: &Client,
    expected: &Expected,
    label: &str,
    timeout: Duration,
) -> CheckResult {
    const CHECK: &str = "prompts/get";
    for (name, args, want) in &expected.prompt_renders {
        let params = GetPromptRequestParams::new(name.as_str()).with_arguments(args.clone());
        let what = format!("get prompt {name}");
        let Some(want) = want else {
            if let Err(e) = answered(timeout, &what, client.get_prompt(params)).await {
                return CheckResult::fail(CHECK, label, e);
            }
            continue;
        };
        match bounded(timeout, &what, client.get_prompt(params)).await {
            Ok(result) => {
                let served =
                    expect::served_render(&serde_json::to_value(&result).unwrap_or_default());
                if let Some(d) = diff(&format!("/prompts/{name}/get"), want, &served) {
                    return CheckResult::differs(CHECK, label, d);
                }
            }
            Err(e) => return CheckResult::fail(CHECK, label, e),
        }
    }
    CheckResult::pass(CHECK, label)
}

/// Calls a tool with valid arguments, then with invalid ones: one row, `tools/call NAME`.
async fn check_call(
    client: &Client,
    tool: &ToolCall,
    label: &str,
    timeout: Duration,
) -> CheckResult {
    let check = format!("tools/call {}", tool.name);
    if tool.task_only {
        let why = "execution.taskSupport: required refuses plain calls; called as a task over stdio instead";
        return CheckResult::skip(&check, label, why);
    }
    let arguments = match &tool.arguments {
        Ok(arguments) => arguments,
        Err(why) => return CheckResult::skip(&check, label, why.as_str()),
    };
    let send = |arguments: &Map<String, Value>| {
        let params =
            CallToolRequestParams::new(tool.name.clone()).with_arguments(arguments.clone());
        async move {
            match tokio::time::timeout(timeout, client.call_tool(params)).await {
                Ok(reply) => Ok(reply),
                Err(_) => Err(format!("no answer within {timeout:?}")),
            }
        }
    };
    let shown = Value::Object(arguments.clone());
    let verdict = match send(arguments).await {
        Ok(reply) => call::judge(reply, tool.output.as_ref()),
        Err(e) => Verdict::Fail(e),
    };
    let refusal = match &tool.invalid {
        Some((invalid, what)) => match send(invalid).await {
            Ok(reply) => call::judge_refusal(reply, what),
            Err(e) => Some(format!("arguments {what}: {e}")),
        },
        None => None,
    };
    match (verdict, refusal) {
        (Verdict::Fail(note), _) => CheckResult::fail(&check, label, format!("{shown}: {note}")),
        (_, Some(note)) => CheckResult::fail(&check, label, note),
        (Verdict::Pass, None) => CheckResult::pass(&check, label),
        (Verdict::Stub(note), None) => CheckResult::stub(&check, label, note),
        (Verdict::Skip(note), None) => CheckResult::skip(&check, label, format!("{shown}: {note}")),
    }
}

/// A request that must get an answer, result or error, within the timeout.
async fn answered<T>(
    timeout: Duration,
    what: &str,
    future: impl Future<Output = Result<T, ServiceError>>,
) -> Result<(), String> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(_)) | Ok(Err(ServiceError::McpError(_))) => Ok(()),
        Ok(Err(e)) => Err(format!("{what}: {e}")),
        Err(_) => Err(format!("{what}: no answer within {timeout:?}")),
    }
}

/// The contents of a static resource: exactly one item, for `uri`, with the declared MIME type (if any) and
/// exactly the expected bytes, as text or base64 blob.
fn compare_contents(
    uri: &str,
    want: &[u8],
    mime: Option<&str>,
    contents: &[ResourceContents],
) -> Option<Difference> {
    use base64::Engine as _;
    let path = format!(
        "/resources/{}/read",
        uri.replace('~', "~0").replace('/', "~1")
    );
    let [content] = contents else {
        return Some(Difference {
            path: format!("{path}/contents"),
            got: Some(json!(format!("{} items", contents.len()))),
            want: Some(json!("1 item")),
        });
    };
    let (got_uri, got_mime, bytes) = match content {
        ResourceContents::TextResourceContents {
            uri,
            mime_type,
            text,
            ..
        } => (uri, mime_type, Some(text.clone().into_bytes())),
        ResourceContents::BlobResourceContents {
            uri,
            mime_type,
            blob,
            ..
        } => (
            uri,
            mime_type,
            base64::engine::general_purpose::STANDARD.decode(blob).ok(),
        ),
        other => {
            return Some(Difference {
                path: format!("{path}/contents/0"),
                got: serde_json::to_value(other).ok(),
                want: Some(json!("text or blob contents")),
            });
        }
    };
    if got_uri != uri {
        return Some(Difference {
            path: format!("{path}/contents/0/uri"),
            got: Some(json!(got_uri)),
            want: Some(json!(uri)),
        });
    }
    if let Some(mime) = mime
        && got_mime.as_deref() != Some(mime)
    {
        return Some(Difference {
            path: format!("{path}/contents/0/mimeType"),
            got: got_mime.as_ref().map(|m| json!(m)),
            want: Some(json!(mime)),
        });
    }
    if bytes.as_deref() == Some(want) {
        return None;
    }
    let preview = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let short: String = text.chars().take(120).collect();
        let more = if short.len() < text.len() { "..." } else { "" };
        json!(format!("{} bytes: {short}{more}", bytes.len()))
    };
    Some(Difference {
        path: format!("{path}/contents/0"),
        got: Some(bytes.map_or(json!("undecodable base64 blob"), |b| preview(&b))),
        want: Some(preview(want)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_listening_url() {
        let line = "2026-01-01T00:00:00Z  INFO weather::generated::runtime::http: listening on \
                    http://127.0.0.1:41234/mcp mode=\"stateful\" auth=false";
        assert_eq!(
            listening_url(line).as_deref(),
            Some("http://127.0.0.1:41234/mcp")
        );
        let coloured = "\x1b[32m INFO\x1b[0m \x1b[2mweather\x1b[0m: listening on \
                        http://127.0.0.1:5/mcp \x1b[3mmode\x1b[0m";
        assert_eq!(
            listening_url(coloured).as_deref(),
            Some("http://127.0.0.1:5/mcp")
        );
        assert_eq!(listening_url("INFO serving MCP over stdio"), None);
        assert_eq!(listening_url("INFO using https://api.example.com"), None);
        assert_eq!(
            listening_url("INFO also serving legacy SSE on http://127.0.0.1:5/sse"),
            None
        );
    }

    #[test]
    fn only_jsonrpc_lines_are_protocol() {
        assert!(is_jsonrpc(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#));
        assert!(is_jsonrpc(r#"[{"jsonrpc":"2.0","method":"x"}]"#));
        assert!(!is_jsonrpc("hello from a handler"));
        assert!(!is_jsonrpc(""));
        assert!(!is_jsonrpc(r#"{"id":1}"#));
        assert!(!is_jsonrpc(r#"debug {"jsonrpc":"2.0","id":1,"result":{}}"#));
    }

    #[test]
    fn static_contents_compare_bytes() {
        let text = |t: &str| {
            vec![ResourceContents::TextResourceContents {
                uri: "demo://a".into(),
                mime_type: Some("text/plain".into()),
                text: t.into(),
                meta: None,
            }]
        };
        assert_eq!(
            compare_contents("demo://a", b"hi", Some("text/plain"), &text("hi")),
            None
        );
        let d = compare_contents("demo://a", b"hi", None, &text("ho")).unwrap();
        assert_eq!(d.path, "/resources/demo:~1~1a/read/contents/0");
        let d = compare_contents("demo://a", b"hi", Some("text/markdown"), &text("hi")).unwrap();
        assert_eq!(d.path, "/resources/demo:~1~1a/read/contents/0/mimeType");
        let blob = vec![ResourceContents::BlobResourceContents {
            uri: "demo://a".into(),
            mime_type: None,
            blob: "AAEC".into(),
            meta: None,
        }];
        assert_eq!(compare_contents("demo://a", &[0, 1, 2], None, &blob), None);
        assert!(compare_contents("demo://a", &[0, 1], None, &blob).is_some());
        assert!(compare_contents("demo://a", b"", None, &[]).is_some());
    }

    #[test]
    fn http_runs_cover_both_modes() {
        let spec = crate::pipeline::load_spec_str(
            Path::new("/nonexistent/s.yaml"),
            "mcpgen: 1\nserver: {name: d}\ntransports:\n  streamable-http: {}\n  stdio: {}\n",
        )
        .unwrap()
        .spec;
        let labels: Vec<String> = runs(&spec, true).into_iter().map(|r| r.label).collect();
        assert_eq!(
            labels,
            [
                "streamable-http (stateful)",
                "streamable-http (stateless, json)",
                "stdio"
            ]
        );
        assert_eq!(runs(&spec, false).len(), 2);
    }
}
