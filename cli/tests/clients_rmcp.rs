//! Client matrix, rmcp's own client: the weather and conformance examples driven over stdio, stateful streamable
//! HTTP and stateless JSON HTTP, with the legacy `initialize` handshake at 2025-06-18 and 2025-11-25 and with
//! `server/discover` at 2026-07-28. Results are compared with the spec and with the expected handler results the
//! other clients use (tests/e2e/expect/<example>.yaml). On the conformance fixture a client that declares sampling
//! and elicitation also checks the server-to-client requests, logging and resource-update notifications.
//!
//! The example binaries are built first, every example in one `cargo build` (a no-op when warm).

// Sampling and logging are deprecated by SEP-2577 but are what this test exercises.
#![allow(deprecated)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, ElicitationCapability, GetPromptRequestParams, Implementation, LoggingLevel,
    LoggingMessageNotificationParam, ProtocolVersion, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, Role, SamplingCapability, SamplingMessage,
    SamplingMessageContentBlock, SetLevelRequestParams, SubscribeRequestParams,
};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt as _, NotificationContext, RequestContext, RoleClient,
    RunningService,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, ErrorData};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use mcpgen::verify::session::HTTP_ON_A_FREE_LOOPBACK_PORT;
use support::repo_root;

/// Bound on every start-up and request (the machine is shared: generous, never used as an assertion).
const TIMEOUT: Duration = Duration::from_secs(30);

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from)
}

/// Builds the example servers once per test process: all of them in one invocation, as pytest's conftest and
/// scripts/test do, since cargo unifies features across the packages it builds together and another grouping
/// would compile the runtime again and relink the servers.
fn binary(example: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let packages: Vec<String> = support::examples()
            .iter()
            .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let status = std::process::Command::new(cargo)
            .args(["build", "--quiet"])
            .args(packages.iter().flat_map(|p| ["-p", p.as_str()]))
            .current_dir(repo_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the example servers failed");
    });
    target_dir().join("debug").join(example)
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How the client connects.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Stdio,
    HttpStateful,
    HttpStatelessJson,
}

/// How the client starts its session.
#[derive(Debug, Clone)]
enum Lifecycle {
    Initialize(ProtocolVersion),
    Discover,
}

/// Records what the server sends the client; answers sampling and elicitation when `capable`.
#[derive(Clone, Default)]
struct Recorder {
    capable: bool,
    version: Option<ProtocolVersion>,
    logs: Arc<Mutex<Vec<(LoggingLevel, Value)>>>,
    updates: Arc<Mutex<Vec<String>>>,
    sampled: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
    elicited: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if self.capable {
            capabilities.sampling = Some(SamplingCapability::default());
            capabilities.elicitation = Some(ElicitationCapability::default());
        }
        let config = ClientConfig::new(
            capabilities,
            Implementation::new("mcpgen-rmcp-matrix", "1.0.0"),
        );
        match &self.version {
            Some(version) => config.with_protocol_version(version.clone()),
            None => config,
        }
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        self.sampled.lock().unwrap().push(params);
        let answer =
            SamplingMessage::new(Role::Assistant, SamplingMessageContentBlock::text("four"));
        Ok(CreateMessageResult::new(answer, "matrix-model".into()))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = request {
            self.elicited.lock().unwrap().push(message);
        }
        Ok(ElicitResult::new(ElicitationAction::Accept)
            .with_content(json!({"username": "ada", "email": "ada@example.com"})))
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push((params.level, params.data));
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.updates.lock().unwrap().push(params.uri);
    }
}

/// An HTTP server process (killed on drop) and its URL; both `None` on stdio, where each session starts its own.
struct Server {
    _child: Option<Child>,
    url: Option<String>,
}

async fn start_http(binary: &Path, flags: &[&str]) -> Server {
    let mut child = Command::new(binary)
        .args(HTTP_ON_A_FREE_LOOPBACK_PORT)
        .args(flags)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = tokio::time::timeout(TIMEOUT, async {
        while let Some(line) = lines.next_line().await.expect("server stderr") {
            if let Some(at) = line.find("listening on http://") {
                let url = &line[at + "listening on ".len()..];
                return url.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("the server exited before listening");
    })
    .await
    .expect("the server listens in time");
    // Keep draining its log so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server {
        _child: Some(child),
        url: Some(url),
    }
}

type Client = RunningService<RoleClient, Recorder>;

async fn connect(
    example: &str,
    mode: Mode,
    server: &Server,
    lifecycle: &Lifecycle,
    handler: Recorder,
) -> (Client, Option<Child>) {
    let lifecycle_mode = match lifecycle {
        Lifecycle::Initialize(_) => ClientLifecycleMode::Initialize,
        Lifecycle::Discover => ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        },
    };
    // Build (once) before the clock starts: on a cold tree the build alone can outlast TIMEOUT.
    let server_binary = binary(example);
    let connecting = async {
        match mode {
            Mode::Stdio => {
                let mut child = Command::new(&server_binary)
                    .args(["--transport", "stdio"])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .kill_on_drop(true)
                    .spawn()
                    .expect("the server starts");
                let io = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
                let client = handler.serve_with_lifecycle(io, lifecycle_mode).await;
                (client, Some(child))
            }
            Mode::HttpStateful | Mode::HttpStatelessJson => {
                let url = server.url.clone().expect("an HTTP server");
                let transport = StreamableHttpClientTransport::from_uri(url);
                (
                    handler
                        .serve_with_lifecycle(transport, lifecycle_mode)
                        .await,
                    None,
                )
            }
        }
    };
    let (client, child) = tokio::time::timeout(TIMEOUT, connecting)
        .await
        .expect("connects in time");
    (
        client.unwrap_or_else(|e| panic!("{example} {mode:?} {lifecycle:?}: {e}")),
        child,
    )
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn call(client: &Client, name: &str, args: &Value) -> CallToolResult {
    let mut params = CallToolRequestParams::new(name.to_owned());
    if let Value::Object(args) = args {
        params = params.with_arguments(args.clone());
    }
    let send = || tokio::time::timeout(TIMEOUT, client.peer().call_tool(params.clone()));
    let mut answer = send().await.expect("tools/call in time");
    // rmcp 3.11's client mirrors `x-mcp-header` arguments from the tool schemas it caches off tools/list
    // responses, but a response still queued when its SSE stream ends is handed on without being cached
    // (`drain_queued_stream_messages`), so now and then it sends the call without the header, and the
    // server refuses it as SEP-2243 says (-32020). A client race, not the server's: list again and retry once.
    if matches!(&answer, Err(rmcp::ServiceError::McpError(e)) if e.code.0 == -32020) {
        client.peer().list_all_tools().await.expect("tools/list");
        answer = send().await.expect("tools/call in time");
    }
    answer.unwrap_or_else(|e| panic!("tools/call {name}: {e}"))
}

/// The JSON-RPC error a call of `name` must end with.
async fn call_error(client: &Client, name: &str, args: &Value) -> rmcp::ErrorData {
    let mut params = CallToolRequestParams::new(name.to_owned());
    if let Value::Object(args) = args {
        params = params.with_arguments(args.clone());
    }
    let answer = tokio::time::timeout(TIMEOUT, client.peer().call_tool(params))
        .await
        .expect("tools/call in time");
    match answer {
        Err(rmcp::ServiceError::McpError(error)) => error,
        other => panic!("tools/call {name}: expected a JSON-RPC error, got {other:?}"),
    }
}

/// Lists, calls, reads and gets, compared with the spec and the shared expected results.
async fn check_example(client: &Client, example: &str, spec: &Value, expect: &Value) {
    let info = client.peer().peer_info().expect("server info");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        spec["server"]["name"].as_str()
    );

    let tools = client.peer().list_all_tools().await.expect("tools/list");
    let got: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    let want: Vec<&str> = spec["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(got, want, "{example}: tools/list names");

    for (name, calls) in expect["tools"].as_object().unwrap() {
        for expected in calls.as_array().unwrap() {
            if let Some(code) = expected.get("rpcError").and_then(Value::as_i64) {
                let error = call_error(client, name, &expected["args"]).await;
                assert_eq!(i64::from(error.code.0), code, "{name}: {error:?}");
                continue;
            }
            let result = call(client, name, &expected["args"]).await;
            let text = text_of(&result);
            assert_eq!(
                result.is_error.unwrap_or(false),
                expected["isError"].as_bool().unwrap_or(false),
                "{name}: {text}"
            );
            if let Some(structured) = expected.get("structured") {
                assert_eq!(
                    result.structured_content.as_ref(),
                    Some(structured),
                    "{name} structuredContent"
                );
            }
            if let Some(subset) = expected.get("structuredSubset").and_then(Value::as_object) {
                for (key, value) in subset {
                    assert_eq!(
                        result.structured_content.as_ref().and_then(|s| s.get(key)),
                        Some(value),
                        "{name}.{key}"
                    );
                }
            }
            for needle in expected["textContains"].as_array().into_iter().flatten() {
                let needle = needle.as_str().unwrap();
                assert!(text.contains(needle), "{name}: {needle:?} not in {text:?}");
            }
        }
    }

    for read in expect["reads"].as_array().into_iter().flatten() {
        let uri = read["uri"].as_str().unwrap();
        let result = client
            .peer()
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .expect("resources/read");
        let text: String = result
            .contents
            .iter()
            .map(|c| match c {
                ResourceContents::TextResourceContents { text, .. } => text.as_str(),
                _ => "",
            })
            .collect();
        for needle in read["textContains"].as_array().unwrap() {
            assert!(
                text.contains(needle.as_str().unwrap()),
                "read {uri}: {needle} not in {text:?}"
            );
        }
    }

    for get in expect["prompts"].as_array().into_iter().flatten() {
        let name = get["name"].as_str().unwrap();
        let mut params = GetPromptRequestParams::new(name);
        if let Some(args) = get.get("args").and_then(Value::as_object) {
            let args: Map<String, Value> =
                args.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            params = params.with_arguments(args);
        }
        let result = client.peer().get_prompt(params).await.expect("prompts/get");
        let text = result
            .messages
            .iter()
            .filter_map(|m| m.content.as_text().map(|t| t.text.clone()))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in get["textContains"].as_array().unwrap() {
            assert!(
                text.contains(needle.as_str().unwrap()),
                "prompt {name}: {needle} not in {text:?}"
            );
        }
    }
}

/// The conformance fixture's server-to-client features, with a client that declares them.
async fn check_conformance_extras(client: &Client, recorder: &Recorder) {
    let result = call(client, "test_sampling", &json!({"prompt": "What is 2+2?"})).await;
    assert_eq!(text_of(&result), "LLM response: four");
    {
        let sampled = recorder.sampled.lock().unwrap();
        assert_eq!(sampled.len(), 1);
        assert_eq!(sampled[0].max_tokens, 100);
    }

    let result = call(
        client,
        "test_elicitation",
        &json!({"message": "Who are you?"}),
    )
    .await;
    assert_eq!(
        text_of(&result),
        r#"User response: action=accept, content={"username":"ada","email":"ada@example.com"}"#
    );
    assert_eq!(*recorder.elicited.lock().unwrap(), ["Who are you?"]);

    client
        .peer()
        .set_level(SetLevelRequestParams::new(LoggingLevel::Info))
        .await
        .expect("logging/setLevel");
    call(client, "test_tool_with_logging", &json!({})).await;
    // rmcp's client hands each notification to its own task, so the last one may land after the result.
    wait_for("three log messages", || {
        recorder.logs.lock().unwrap().len() >= 3
    })
    .await;
    let logs = recorder.logs.lock().unwrap().clone();
    assert_eq!(
        logs,
        [
            (LoggingLevel::Info, json!("Tool execution started")),
            (LoggingLevel::Info, json!("Tool processing data")),
            (LoggingLevel::Info, json!("Tool execution completed")),
        ]
    );

    let uri = "test://watched-resource";
    client
        .peer()
        .subscribe(SubscribeRequestParams::new(uri))
        .await
        .expect("resources/subscribe");
    let result = call(client, "test_update_watched_resource", &json!({})).await;
    assert_eq!(
        result
            .structured_content
            .as_ref()
            .and_then(|s| s.get("notified")),
        Some(&json!(1))
    );
    wait_for("notifications/resources/updated", || {
        !recorder.updates.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(*recorder.updates.lock().unwrap(), [uri]);
}

/// Waits (bounded) until `done` holds.
async fn wait_for(what: &str, done: impl Fn() -> bool) {
    tokio::time::timeout(TIMEOUT, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not arrive within {TIMEOUT:?}"));
}

async fn run_matrix(example: &str) {
    let spec_path = repo_root().join("specs").join(format!("{example}.yaml"));
    let spec = yaml(&spec_path);
    let expect = yaml(
        &repo_root()
            .join("tests/e2e/expect")
            .join(format!("{example}.yaml")),
    );
    let lifecycles = [
        Lifecycle::Initialize(ProtocolVersion::V_2025_06_18),
        Lifecycle::Initialize(ProtocolVersion::V_2025_11_25),
        Lifecycle::Discover,
    ];
    for mode in [Mode::Stdio, Mode::HttpStateful, Mode::HttpStatelessJson] {
        let server = match mode {
            Mode::Stdio => Server {
                _child: None,
                url: None,
            },
            Mode::HttpStateful => start_http(&binary(example), &["--stateful"]).await,
            Mode::HttpStatelessJson => {
                start_http(&binary(example), &["--stateless", "--json-response"]).await
            }
        };
        for lifecycle in &lifecycles {
            let version = match lifecycle {
                Lifecycle::Initialize(version) => Some(version.clone()),
                Lifecycle::Discover => None,
            };
            let plain = Recorder {
                version: version.clone(),
                ..Recorder::default()
            };
            let (client, _child) = connect(example, mode, &server, lifecycle, plain).await;
            if let Some(version) = &version {
                assert_eq!(
                    &client.peer().peer_info().unwrap().protocol_version,
                    version,
                    "negotiated version"
                );
            }
            check_example(&client, example, &spec, &expect).await;
            let _ = client.cancel().await;

            // Server-to-client requests need a session that can carry them: not stateless HTTP, and not the
            // 2026-07-28 protocol, which replaces them.
            let stateful = !matches!(mode, Mode::HttpStatelessJson);
            if example == "conformance" && stateful && version.is_some() {
                let recorder = Recorder {
                    capable: true,
                    version,
                    ..Recorder::default()
                };
                let (client, _child) =
                    connect(example, mode, &server, lifecycle, recorder.clone()).await;
                check_conformance_extras(&client, &recorder).await;
                let _ = client.cancel().await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_drives_weather_on_every_transport_and_protocol() {
    run_matrix("weather").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rmcp_client_drives_conformance_fixture_including_server_requests() {
    run_matrix("conformance").await;
}
