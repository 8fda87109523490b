//! A small spec for the runtime's own tests.

use std::sync::Arc;

use rmcp::model::JsonObject;

use crate::app::App;
use crate::context::{Ctx, Shared, Subscriptions};
use crate::defs::{
    CapabilitiesDef, EnvVarDef, ResourceDef, ResourceSource, ServerDef, Spec, TemplateDef, ToolDef,
    TransportsDef,
};
use crate::error::{BoxError, HandlerError, PromptResult, ToolError, ToolResult};
use crate::handler::Handler;
use crate::prompt::Arguments;
use crate::registry::Registry;
use crate::tasks::store::Limits;

/// Served over stdio only.
pub(crate) const STDIO_ONLY: TransportsDef = TransportsDef {
    stdio: true,
    ..TransportsDef::DEFAULT
};

/// A tool with nothing but its name (the task tests' specs).
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) const fn tool(name: &'static str) -> ToolDef {
    ToolDef {
        name,
        ..ToolDef::DEFAULT
    }
}

/// A tool with its name and the spec's `execution` (the task tests' specs).
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) const fn task_tool(name: &'static str, execution: crate::defs::ExecutionDef) -> ToolDef {
    ToolDef {
        name,
        execution: Some(execution),
        ..ToolDef::DEFAULT
    }
}

/// A task test's spec: server `name`, served over stdio, with `tools`.
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) const fn task_spec(name: &'static str, tools: &'static [ToolDef]) -> Spec {
    Spec {
        server: ServerDef {
            name,
            version: "1.0.0",
            ..ServerDef::DEFAULT
        },
        transports: STDIO_ONLY,
        tools,
        ..Spec::DEFAULT
    }
}

/// The task tests' `later` tool: waits for a permit of `steps`, asks the client (so the task is
/// `input_required`), waits for another permit, then returns; each status only when the test says.
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) async fn step_by_step(
    ctx: &Ctx<()>,
    steps: &tokio::sync::Semaphore,
) -> Result<(), ToolError> {
    steps.acquire().await.unwrap().forget();
    let schema = serde_json::json!({"type": "object", "properties": {}});
    ctx.elicit("Go on?", schema)
        .await
        .map_err(|e| ToolError::new(e.to_string()))?;
    steps.acquire().await.unwrap().forget();
    Ok(())
}

/// The status a task test's holding tool reports while it waits for its cancellation.
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) const HELD: &str = "holding until cancelled";

/// How many of a test app's holding tools saw their cancellation (each app counts its own: tests run in
/// parallel).
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) struct Cancellations(std::sync::atomic::AtomicUsize);

#[cfg(any(feature = "stdio", feature = "streamable-http"))]
impl Cancellations {
    pub(crate) const fn new() -> Cancellations {
        Cancellations(std::sync::atomic::AtomicUsize::new(0))
    }

    /// How many so far.
    pub(crate) fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The holding tool: reports [`HELD`], waits for its cancellation, and counts it.
    pub(crate) async fn hold(&self, ctx: &Ctx<()>) {
        ctx.task_status(HELD);
        ctx.cancelled().await;
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits (bounded) until a holding tool saw its cancellation after the count was `before`.
    pub(crate) async fn seen_after(&self, before: usize) {
        for _ in 0..500 {
            if self.count() > before {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the handler never saw its cancellation");
    }
}

/// `tasks/update`'s `inputResponses` accepting the first of a SEP-2663 task's `inputRequests`, empty.
#[cfg(any(feature = "stdio", feature = "streamable-http"))]
pub(crate) fn accept_first_input(task: &serde_json::Value) -> serde_json::Value {
    let requests = task["inputRequests"].as_object().expect("inputRequests");
    let key = requests.keys().next().expect("an input request");
    serde_json::json!({ key: {"action": "accept", "content": {}} })
}

pub(crate) static SPEC: Spec = Spec {
    server: ServerDef {
        name: "test-server",
        version: "1.0.0",
        description: Some("A server for tests."),
        ..ServerDef::DEFAULT
    },
    capabilities: CapabilitiesDef {
        resources_subscribe: true,
        ..CapabilitiesDef::DEFAULT
    },
    transports: STDIO_ONLY,
    env: &[EnvVarDef {
        name: "TEST_SERVER_GREETING",
        required: false,
        default: Some("hello"),
    }],
    tools: &[
        ToolDef {
            name: "echo",
            description: Some("Echoes its text."),
            input_schema: Some(
                r#"{"type":"object","properties":{"text":{"type":"string","x-mcp-header":"Text"}}}"#,
            ),
            ..ToolDef::DEFAULT
        },
        ToolDef {
            name: "ask",
            description: Some("Asks the client for a name (elicitation) and answers with it."),
            ..ToolDef::DEFAULT
        },
    ],
    resources: &[ResourceDef {
        uri: "test://readme",
        name: "readme",
        mime_type: Some("text/plain"),
        source: ResourceSource::Text("Read me."),
        ..ResourceDef::DEFAULT
    }],
    templates: &[TemplateDef {
        uri_template: "test://items/{id}",
        name: "item",
        ..TemplateDef::DEFAULT
    }],
    ..Spec::DEFAULT
};

/// A server of `A`, with no state and the default task limits, whose sessions share `subscriptions`.
pub(crate) fn handler<A: App<State = ()>>(subscriptions: Arc<Subscriptions>) -> Handler {
    let shared = Arc::new(Shared {
        state: (),
        subscriptions,
        logging: A::SPEC.capabilities.logging,
        logger: "test",
    });
    let registry = Arc::new(Registry::build(A::SPEC).unwrap());
    Handler::new::<A>(registry, shared, Limits::default())
}

/// An app with no state, for the runtime's tests: its spec and its tools' dispatch are all it sets.
pub(crate) trait StatelessApp: Send + Sync + 'static {
    /// The spec served.
    const SPEC: &'static Spec;

    /// Runs tool `name` ([`App::call_tool`], whose arguments no test tool reads).
    fn call(name: &str, ctx: Ctx<()>) -> impl Future<Output = ToolResult> + Send;

    /// Builds prompt `name` ([`App::get_prompt`]); by default there is none.
    fn prompt(
        name: &str,
        ctx: Ctx<()>,
        arguments: Arguments,
    ) -> impl Future<Output = PromptResult> + Send {
        let _ = (ctx, arguments);
        let error = HandlerError::invalid_params(format!("Unknown prompt: {name}"));
        async move { Err(error) }
    }
}

impl<T: StatelessApp> App for T {
    type State = ();
    const SPEC: &'static Spec = <T as StatelessApp>::SPEC;
    const CRATE_NAME: &'static str = "mcpgen_runtime";

    async fn init() -> Result<(), BoxError> {
        Ok(())
    }

    fn call_tool(
        name: &str,
        ctx: Ctx<()>,
        _arguments: JsonObject,
    ) -> impl Future<Output = ToolResult> + Send {
        T::call(name, ctx)
    }

    fn get_prompt(
        name: &str,
        ctx: Ctx<()>,
        arguments: Arguments,
    ) -> impl Future<Output = PromptResult> + Send {
        T::prompt(name, ctx, arguments)
    }
}

/// The test spec as an app: `ask` elicits a name; `echo` is never served (an unknown tool).
pub(crate) struct TestApp;

impl StatelessApp for TestApp {
    const SPEC: &'static Spec = &SPEC;

    async fn call(name: &str, ctx: Ctx<()>) -> ToolResult {
        if name == "ask" {
            let schema =
                serde_json::json!({"type": "object", "properties": {"name": {"type": "string"}}});
            let answer = ctx.elicit("Your name?", schema).await?;
            let name = answer.content.unwrap_or_default()["name"].to_string();
            return Ok(rmcp::model::CallToolResult::success(vec![
                rmcp::model::ContentBlock::text(format!("hello {name}")),
            ]));
        }
        Err(ToolError::invalid_params(format!("Unknown tool: {name}")))
    }
}

/// An HTTP app for the test spec, as `http::router` builds it, and a client for it.
#[cfg(any(feature = "streamable-http", feature = "sse"))]
#[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
pub(crate) mod http {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use axum::Router;
    use axum::body::{Body, BodyDataStream};
    use axum::http::{Request, StatusCode};
    use tokio_util::sync::CancellationToken;
    use tower::ServiceExt as _;

    use super::TestApp;
    use crate::auth::{Auth, BearerTokens};
    use crate::connections::ConnectionLimits;
    use crate::context::Subscriptions;
    use crate::guard::Guard;
    use crate::http::{HttpOptions, SseOptions, StreamableOptions};
    use crate::sessions::SessionLimits;

    pub(crate) const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"0"}}}"#;
    pub(crate) const INITIALIZED: &str =
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    pub(crate) const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    /// Options for both transports, stateful, with bearer auth accepting `tokens`, any Host.
    pub(crate) fn options(tokens: &[&str], sessions: SessionLimits) -> HttpOptions {
        let guard = Guard::new(Vec::new(), Vec::new(), false);
        let tokens: Vec<String> = tokens.iter().map(|t| (*t).to_owned()).collect();
        HttpOptions {
            host: "127.0.0.1".into(),
            port: 0,
            announced_path: "/mcp".into(),
            streamable: Some(StreamableOptions {
                path: "/mcp".into(),
                stateful: true,
                json_response: false,
                guard: guard.clone(),
                session_idle_timeout: Duration::from_secs(300),
                redis_url: None,
                redis_key_prefix: String::new(),
                max_stream_events: 1000,
            }),
            sse: Some(SseOptions {
                path: "/sse".into(),
                message_path: "/message".into(),
                guard,
            }),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1 << 20,
            auth: if tokens.is_empty() {
                Auth::None
            } else {
                Auth::Bearer(Arc::new(BearerTokens::new(&tokens)))
            },
            connections: ConnectionLimits {
                header_read_timeout: Duration::from_secs(10),
                idle_timeout: Duration::from_secs(60),
                max: 64,
            },
            sessions,
            metrics: None,
        }
    }

    pub(crate) const LIMITS: SessionLimits = SessionLimits {
        max: 100,
        max_per_principal: 100,
        max_record_bytes: 64 * 1024,
    };

    pub(crate) async fn app(options: &HttpOptions) -> Router {
        app_with(options, Arc::new(Subscriptions::default())).await
    }

    /// [`app`] for another app's spec.
    #[cfg(feature = "streamable-http")]
    pub(crate) async fn app_of<A: crate::app::App<State = ()>>(options: &HttpOptions) -> Router {
        serve::<A>(options, Arc::new(Subscriptions::default())).await
    }

    /// [`app`] with the subscriptions its sessions share, to raise updates from a test.
    pub(crate) async fn app_with(
        options: &HttpOptions,
        subscriptions: Arc<Subscriptions>,
    ) -> Router {
        serve::<TestApp>(options, subscriptions).await
    }

    async fn serve<A: crate::app::App<State = ()>>(
        options: &HttpOptions,
        subscriptions: Arc<Subscriptions>,
    ) -> Router {
        crate::http::router(
            super::handler::<A>(subscriptions),
            options,
            CancellationToken::new(),
            Arc::new(AtomicBool::new(true)),
        )
        .await
        .unwrap()
    }

    /// A request to the streamable HTTP endpoint as `token`, in `session` when given.
    pub(crate) fn mcp(
        method: &str,
        token: &str,
        session: Option<&str>,
    ) -> axum::http::request::Builder {
        anonymous(method, session).header("authorization", format!("Bearer {token}"))
    }

    /// A request to the streamable HTTP endpoint without credentials, in `session` when given.
    pub(crate) fn anonymous(method: &str, session: Option<&str>) -> axum::http::request::Builder {
        let mut builder = Request::builder()
            .method(method)
            .uri("/mcp")
            .header("host", "127.0.0.1")
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        if let Some(session) = session {
            builder = builder
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-06-18");
        }
        builder
    }

    /// `builder`'s POST of `method` with `params` as protocol 2026-07-28 sends it (JSON-RPC id 7): the protocol's
    /// metadata added to the `_meta` of `params`, declaring `capabilities`, and the SEP-2243 headers, `name` in
    /// `Mcp-Name`.
    pub(crate) fn request_2026(
        builder: axum::http::request::Builder,
        method: &str,
        name: &str,
        mut params: serde_json::Value,
        capabilities: serde_json::Value,
    ) -> Request<Body> {
        let extra = params["_meta"].take();
        params["_meta"] = serde_json::json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": capabilities,
        });
        if let serde_json::Value::Object(extra) = extra {
            params["_meta"].as_object_mut().unwrap().extend(extra);
        }
        let message =
            serde_json::json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        builder
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", method)
            .header("mcp-name", name)
            .body(Body::from(message.to_string()))
            .unwrap()
    }

    /// Opens a request whose answer is an event stream, and returns that stream.
    pub(crate) async fn open(app: &Router, request: Request<Body>) -> BodyDataStream {
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.into_body().into_data_stream()
    }

    /// Reads `stream` into `text` until it holds `count` times `pattern` or `within` passed; how many
    /// it holds.
    pub(crate) async fn read(
        stream: &mut BodyDataStream,
        text: &mut String,
        pattern: &str,
        count: usize,
        within: Duration,
    ) -> usize {
        use futures::StreamExt as _;
        let deadline = tokio::time::Instant::now() + within;
        while text.matches(pattern).count() < count {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, stream.next()).await {
                Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
                _ => break,
            }
        }
        text.matches(pattern).count()
    }

    /// The JSON-RPC messages of an event stream's `data:` lines.
    pub(crate) fn messages(text: &str) -> Vec<serde_json::Value> {
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str(data.trim()).ok())
            .collect()
    }

    /// Sends a request; the status, the session id it names, and the whole body unless it is an open
    /// stream (then what arrived within a second).
    pub(crate) async fn send(
        app: &Router,
        request: Request<Body>,
    ) -> (StatusCode, Option<String>, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let session = response
            .headers()
            .get("mcp-session-id")
            .map(|v| v.to_str().unwrap().to_owned());
        let mut body = response.into_body().into_data_stream();
        let mut text = String::new();
        let read = async {
            use futures::StreamExt as _;
            while let Some(Ok(chunk)) = body.next().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
        (status, session, text)
    }

    /// POSTs `body` to the streamable endpoint.
    pub(crate) async fn post(
        app: &Router,
        token: &str,
        session: Option<&str>,
        body: &str,
    ) -> (StatusCode, Option<String>, String) {
        let request = mcp("POST", token, session)
            .body(Body::from(body.to_owned()))
            .unwrap();
        send(app, request).await
    }

    /// An initialized session of `token`'s principal.
    pub(crate) async fn session(app: &Router, token: &str) -> String {
        let (status, session, body) = post(app, token, None, INITIALIZE).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = session.expect("a session id");
        let (status, _, _) = post(app, token, Some(&session), INITIALIZED).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        session
    }
}
