//! SEP-2663 tasks (protocol 2026-07-28) over streamable HTTP, in raw requests through the axum app as
//! `http::router` builds it, stateful and stateless: every request stands alone (no session), so a task
//! is reached on later requests through the server's store, owned by the request's principal.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use http::StatusCode;
use rmcp::model::{CallToolResult, ContentBlock, GetPromptResult, PromptMessage, Role};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::context::LogLevel;
use crate::context::Subscriptions;
use crate::defs::{CapabilitiesDef, ExecutionDef, PromptDef, Spec};
use crate::error::{HandlerError, PromptResult, ToolError, ToolResult};
use crate::prompt::Arguments;
use crate::testing::http::{
    LIMITS, anonymous, app_of, app_with, messages, open, options, read, request_2026, send,
};
use crate::testing::{
    Cancellations, HELD, StatelessApp, accept_first_input, task_spec, task_tool, tool,
};

static SPEC: Spec = Spec {
    prompts: &[PromptDef {
        name: "ask",
        ..PromptDef::DEFAULT
    }],
    ..task_spec(
        "http-tasks",
        &[
            task_tool("gate", ExecutionDef::OPTIONAL),
            task_tool("hold", ExecutionDef::OPTIONAL),
            task_tool("ask", ExecutionDef::OPTIONAL),
            task_tool("must", ExecutionDef::REQUIRED),
            task_tool("quick", ExecutionDef::OPTIONAL),
            task_tool("later", ExecutionDef::OPTIONAL),
            tool("twice"),
            task_tool("gather", ExecutionDef::REQUIRED),
            tool("together"),
            tool("named"),
            tool("roots"),
        ],
    )
};

/// Lets one `gate` handler finish.
static GATE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);

/// Lets a `later` handler take its next step.
static LATER: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);

/// How many `hold` handlers saw their cancellation.
pub(super) static CANCELLED: Cancellations = Cancellations::new();

/// `gate` waits for [`GATE`], `hold` for its cancellation, `ask` elicits a name, `twice` a name then a
/// colour (a plain call: it has no `taskSupport`), `together` a name and a colour at once, `named` a
/// name under the key `user_name`, `roots` lists the client's roots, `gather` (a task) a name before its
/// task exists (`Ctx::elicit_first`), `later` waits for
/// [`LATER`], elicits, and waits again; `quick` and `must` return at once; each says whether it ran as
/// a task. The prompt `ask` elicits a name.
pub(super) struct HttpTaskApp;

impl StatelessApp for HttpTaskApp {
    const SPEC: &'static Spec = &SPEC;

    async fn call(name: &str, ctx: Ctx<()>) -> ToolResult {
        let text = match name {
            "gate" => {
                GATE.acquire().await.unwrap().forget();
                "gate done".to_owned()
            }
            "hold" => {
                CANCELLED.hold(&ctx).await;
                "hold cancelled".to_owned()
            }
            "ask" => {
                let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
                let answer = ctx
                    .elicit("Your name?", schema)
                    .await
                    .map_err(|e| ToolError::new(e.to_string()))?;
                let content = answer.content.unwrap_or_default();
                format!("hello {}", content["name"].as_str().unwrap_or("?"))
            }
            "gather" => format!("gathered {}", said(&ctx, "Your name?", true).await?),
            "twice" => {
                let name = said(&ctx, "Your name?", false).await?;
                let colour = said(&ctx, "Your colour?", false).await?;
                format!("{name} likes {colour}")
            }
            "together" => {
                let (name, colour) = tokio::join!(
                    said(&ctx, "Your name?", false),
                    said(&ctx, "Your colour?", false)
                );
                format!("{} likes {}", name?, colour?)
            }
            "named" => said(&ctx.with_input_key("user_name"), "Your name?", false).await?,
            // Roots are deprecated by SEP-2577 but still asked by clients.
            #[allow(deprecated)]
            "roots" => {
                let roots = ctx
                    .list_roots()
                    .await
                    .map_err(|e| ToolError::new(e.to_string()))?;
                let uris: Vec<_> = roots.roots.iter().map(|root| root.uri.as_str()).collect();
                format!("roots {}", uris.join(" "))
            }
            "later" => {
                crate::testing::step_by_step(&ctx, &LATER).await?;
                "later done".to_owned()
            }
            _ => format!("{name} done"),
        };
        let text = format!("{text}, task {}", ctx.task_id().is_some());
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
    }

    async fn prompt(_name: &str, ctx: Ctx<()>, _arguments: Arguments) -> PromptResult {
        asked(ctx).await
    }
}

/// The prompt `ask`: one user message with the name the user gives.
async fn asked(ctx: Ctx<()>) -> PromptResult {
    let name = said(&ctx, "Your name?", false)
        .await
        .map_err(|e| HandlerError::internal(e.to_string()))?;
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        format!("hello {name}"),
    )]))
}

/// The `v` the user gives to `question`, asked with `Ctx::elicit_first` when `first`.
async fn said(ctx: &Ctx<()>, question: &str, first: bool) -> Result<String, ToolError> {
    let schema = json!({"type": "object", "properties": {"v": {"type": "string"}}});
    let answer = if first {
        ctx.elicit_first(question, schema).await
    } else {
        ctx.elicit(question, schema).await
    };
    let content = answer
        .map_err(|e| ToolError::new(e.to_string()))?
        .content
        .unwrap_or_default();
    Ok(content["v"].as_str().unwrap_or("?").to_owned())
}

/// A 2026-07-28 client: the protocol metadata in every request's `_meta` and the SEP-2243 headers,
/// as `token` (none: no credentials), declaring the tasks extension or not.
#[derive(Clone, Copy)]
pub(super) struct Client {
    pub(super) token: Option<&'static str>,
    pub(super) declare: bool,
}

impl Client {
    /// No token (auth off), declaring the extension.
    const ANONYMOUS: Client = Client {
        token: None,
        declare: true,
    };

    pub(super) const fn of(token: &'static str) -> Client {
        Client {
            token: Some(token),
            declare: true,
        }
    }

    /// The POST of `method` with `params`, `name` in `Mcp-Name`.
    fn build(&self, method: &str, name: &str, params: Value) -> http::Request<Body> {
        let mut capabilities = json!({"elicitation": {}, "roots": {}});
        if self.declare {
            capabilities["extensions"] = json!({"io.modelcontextprotocol/tasks": {}});
        }
        let mut request = anonymous("POST", None);
        if let Some(token) = self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        request_2026(request, method, name, params, capabilities)
    }

    /// `method` with `params` through `app`, `name` in `Mcp-Name`; the JSON-RPC answer, within 10 s.
    pub(super) async fn request(
        &self,
        app: &Router,
        method: &str,
        name: &str,
        params: Value,
    ) -> Value {
        let (status, answer) = self.answer(app, method, name, params).await;
        // rmcp answers some errors (-32021) with 400.
        if answer.get("result").is_some() {
            assert_eq!(status, StatusCode::OK, "{method}: {answer}");
        }
        answer
    }

    /// [`Client::request`] with the HTTP status, unchecked.
    async fn answer(
        &self,
        app: &Router,
        method: &str,
        name: &str,
        params: Value,
    ) -> (StatusCode, Value) {
        answer_to(app, method, self.build(method, name, params)).await
    }

    pub(super) async fn call(&self, app: &Router, tool: &str) -> Value {
        let params = json!({"name": tool, "arguments": {}});
        self.request(app, "tools/call", tool, params).await
    }

    /// The id of the task `tool`'s call became.
    pub(super) async fn create(&self, app: &Router, tool: &str) -> String {
        let answer = self.call(app, tool).await;
        assert_eq!(answer["result"]["resultType"], "task", "{answer}");
        assert_eq!(answer["result"]["status"], "working", "{answer}");
        answer["result"]["taskId"].as_str().unwrap().to_owned()
    }

    /// `tasks/get`, `tasks/cancel` (or `tasks/update` with `extra` params) on the task `id`.
    pub(super) async fn task(&self, app: &Router, method: &str, id: &str, extra: Value) -> Value {
        let mut params = json!({ "taskId": id });
        if let Value::Object(extra) = extra {
            params.as_object_mut().unwrap().extend(extra);
        }
        self.request(app, method, id, params).await
    }

    /// Polls `tasks/get` until `done` holds of its result (bounded).
    pub(super) async fn poll(
        &self,
        app: &Router,
        id: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..500 {
            let got = self.task(app, "tasks/get", id, Value::Null).await;
            if done(&got["result"]) {
                return got["result"].clone();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("task {id} never got there");
    }
}

pub(super) fn status(task: &Value) -> &str {
    task["status"].as_str().unwrap_or_default()
}

pub(super) fn text(task: &Value) -> &str {
    task["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
}

/// The app, stateful or stateless, with bearer auth for `tokens` (none: auth off).
pub(super) async fn app(stateful: bool, tokens: &[&str]) -> Router {
    let mut options = options(tokens, LIMITS);
    options.streamable.as_mut().unwrap().stateful = stateful;
    app_of::<HttpTaskApp>(&options).await
}

#[tokio::test]
async fn a_call_becomes_a_task_polled_on_later_requests_in_both_modes() {
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let client = Client::ANONYMOUS;
        let answer = client.call(&app, "gate").await;
        let created = &answer["result"];
        assert_eq!(created["resultType"], "task", "{answer}");
        assert_eq!(created["ttlMs"], 600_000, "{answer}");
        assert_eq!(created["pollIntervalMs"], 1000, "{answer}");
        let id = created["taskId"].as_str().unwrap();
        // The handler outlived the request that started it.
        let working = client.task(&app, "tasks/get", id, Value::Null).await;
        assert_eq!(working["result"]["resultType"], "complete", "{working}");
        assert_eq!(status(&working["result"]), "working", "{working}");
        GATE.add_permits(1);
        let done = client.poll(&app, id, |t| status(t) == "completed").await;
        assert_eq!(text(&done), "gate done, task true", "{done}");

        let unknown = client.task(&app, "tasks/get", "0000", Value::Null).await;
        assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    }
}

#[tokio::test]
async fn an_mcp_name_other_than_the_task_id_is_refused() {
    let app = app(false, &[]).await;
    let client = Client::ANONYMOUS;
    let id = client.create(&app, "hold").await;
    let params = json!({ "taskId": id });
    for method in ["tasks/get", "tasks/update", "tasks/cancel"] {
        let refused = client
            .request(&app, method, "another-task", params.clone())
            .await;
        assert_eq!(refused["error"]["code"], -32020, "{method}: {refused}");
    }
    // Base64-wrapped (SEP-2243) and with surrounding whitespace, the same id is accepted.
    use base64::Engine as _;
    let wrapped = format!(
        " =?base64?{}?= ",
        base64::engine::general_purpose::STANDARD.encode(&id)
    );
    let working = client
        .request(&app, "tasks/get", &wrapped, params.clone())
        .await;
    assert_eq!(status(&working["result"]), "working", "{working}");
    let acked = client.task(&app, "tasks/cancel", &id, Value::Null).await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
}

#[tokio::test]
async fn elicitation_inside_a_task_is_answered_by_update() {
    let app = app(false, &["alice"]).await;
    let alice = Client::of("alice");
    let id = alice.create(&app, "ask").await;
    let waiting = alice
        .poll(&app, &id, |t| status(t) == "input_required")
        .await;
    let requests = waiting["inputRequests"].as_object().unwrap();
    assert_eq!(requests.len(), 1, "{waiting}");
    let (key, request) = requests.iter().next().unwrap();
    assert_eq!(request["method"], "elicitation/create", "{waiting}");
    assert_eq!(request["params"]["message"], "Your name?", "{waiting}");
    let answer = json!({"action": "accept", "content": {"name": "Luca"}});
    let update = json!({"inputResponses": { key.as_str(): answer }});
    let acked = alice.task(&app, "tasks/update", &id, update).await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
    let done = alice.poll(&app, &id, |t| status(t) == "completed").await;
    assert_eq!(text(&done), "hello Luca, task true", "{done}");
}

#[tokio::test]
async fn cancel_reaches_the_handler() {
    let app = app(true, &["alice"]).await;
    let alice = Client::of("alice");
    let before = CANCELLED.count();
    let id = alice.create(&app, "hold").await;
    alice.poll(&app, &id, |t| t["statusMessage"] == HELD).await;
    let acked = alice.task(&app, "tasks/cancel", &id, Value::Null).await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
    CANCELLED.seen_after(before).await;
    let cancelled = alice.task(&app, "tasks/get", &id, Value::Null).await;
    assert_eq!(status(&cancelled["result"]), "cancelled", "{cancelled}");
}

#[tokio::test]
async fn another_principals_task_is_refused_like_an_unknown_one() {
    for stateful in [true, false] {
        let app = app(stateful, &["alice", "bob"]).await;
        let (alice, bob) = (Client::of("alice"), Client::of("bob"));
        let id = alice.create(&app, "hold").await;
        let unknown = bob.task(&app, "tasks/get", "0000", Value::Null).await;
        assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
        let update = json!({"inputResponses": {}});
        for (method, extra) in [
            ("tasks/get", Value::Null),
            ("tasks/update", update),
            ("tasks/cancel", Value::Null),
        ] {
            let refused = bob.task(&app, method, &id, extra).await;
            assert_eq!(refused["error"], unknown["error"], "{method}: {refused}");
        }
        let mine = alice.task(&app, "tasks/get", &id, Value::Null).await;
        assert_eq!(status(&mine["result"]), "working", "{mine}");
        alice.task(&app, "tasks/cancel", &id, Value::Null).await;
    }
}

#[tokio::test]
async fn a_client_without_the_extension_gets_plain_calls_or_minus_32021() {
    let app = app(false, &[]).await;
    let client = Client {
        declare: false,
        ..Client::ANONYMOUS
    };
    let refused = client.call(&app, "must").await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
    let plain = client.call(&app, "quick").await;
    assert_eq!(
        plain["result"]["content"][0]["text"], "quick done, task false",
        "{plain}"
    );
    let refused = client.task(&app, "tasks/get", "0000", Value::Null).await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
    // SEP-2663: task notifications asked for without the extension, too.
    let listen = json!({"notifications": {"taskIds": ["0000"]}});
    let refused = client
        .request(&app, "subscriptions/listen", "", listen)
        .await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
}

/// The messages of an open event stream (a `subscriptions/listen` answer), one at a time.
struct Events {
    body: axum::body::BodyDataStream,
    buffer: String,
}

impl Events {
    /// Opens `ids`' subscription for `client`.
    async fn listen(client: &Client, app: &Router, ids: &[&str]) -> Events {
        use tower::ServiceExt as _;
        let params = json!({"notifications": {"taskIds": ids}});
        let request = client.build("subscriptions/listen", "", params);
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        Events {
            body: response.into_body().into_data_stream(),
            buffer: String::new(),
        }
    }

    /// The next JSON-RPC message, within 10 s.
    async fn next(&mut self) -> Value {
        use futures::StreamExt as _;
        let read = async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let event: String = self.buffer.drain(..end + 2).collect();
                    let data = event
                        .lines()
                        .filter_map(|line| line.strip_prefix("data:"))
                        .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok());
                    if let Some(message) = data {
                        return message;
                    }
                }
                let chunk = self.body.next().await.expect("stream open").unwrap();
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        };
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("a message within 10 s")
    }

    /// The next message: `notifications/tasks` for the task `id`, on the subscription of request 7;
    /// its params.
    async fn task(&mut self, id: &str) -> Value {
        let notification = self.next().await;
        assert_eq!(
            notification["method"], "notifications/tasks",
            "{notification}"
        );
        let params = &notification["params"];
        assert_eq!(
            params["_meta"]["io.modelcontextprotocol/subscriptionId"], 7,
            "{notification}"
        );
        assert_eq!(params["taskId"], id, "{notification}");
        params.clone()
    }
}

#[tokio::test]
async fn listen_with_task_ids_streams_each_status_of_the_principals_named_tasks_only() {
    let (alice, bob) = (Client::of("alice"), Client::of("bob"));
    for stateful in [false, true] {
        let app = app(stateful, &["alice", "bob"]).await;
        let id = alice.create(&app, "later").await;
        let foreign = bob.create(&app, "ask").await;
        let mut events = Events::listen(&alice, &app, &[&id, &foreign, "0000"]).await;
        let acknowledged = events.next().await;
        assert_eq!(
            acknowledged["method"], "notifications/subscriptions/acknowledged",
            "{acknowledged}"
        );
        let params = &acknowledged["params"];
        assert_eq!(params["_meta"]["io.modelcontextprotocol/subscriptionId"], 7);
        // Bob's task and an unknown id are left out alike.
        assert_eq!(params["notifications"], json!({"taskIds": [id]}));

        // Tasks not named (another of alice's, bob's) change meanwhile.
        let unnamed = alice.create(&app, "quick").await;
        bob.task(&app, "tasks/cancel", &foreign, Value::Null).await;
        assert_eq!(status(&events.task(&id).await), "working");
        LATER.add_permits(1);
        let waiting = events.task(&id).await;
        assert_eq!(status(&waiting), "input_required", "{waiting}");
        let update = json!({"inputResponses": accept_first_input(&waiting)});
        alice.task(&app, "tasks/update", &id, update).await;
        assert_eq!(status(&events.task(&id).await), "working");
        LATER.add_permits(1);
        let mut done = events.task(&id).await;
        assert_eq!(status(&done), "completed", "{done}");
        assert_eq!(text(&done), "later done, task true", "{done}");
        // Nothing more can come: the subscription ends gracefully.
        let ended = events.next().await;
        assert_eq!(ended["id"], 7, "{ended}");
        assert_eq!(ended["result"]["resultType"], "complete", "{ended}");
        // The very DetailedTask `tasks/get` answers.
        let mut got = alice.task(&app, "tasks/get", &id, Value::Null).await["result"].take();
        got.as_object_mut().unwrap().remove("resultType");
        done.as_object_mut().unwrap().remove("_meta");
        assert_eq!(done, got);
        let unnamed = alice.task(&app, "tasks/get", &unnamed, Value::Null).await;
        assert_eq!(status(&unnamed["result"]), "completed", "{unnamed}");
    }
}

/// Advertises logging and resource subscriptions, which 2026-07-28 removed with `initialize` (SEP-2575); its
/// tool `log` logs at `info`.
struct Advertised;

static ADVERTISED: Spec = Spec {
    capabilities: CapabilitiesDef {
        logging: true,
        resources_subscribe: true,
        ..CapabilitiesDef::DEFAULT
    },
    tools: &[tool("log")],
    ..Spec::DEFAULT
};

impl StatelessApp for Advertised {
    const SPEC: &'static Spec = &ADVERTISED;

    async fn call(_name: &str, ctx: Ctx<()>) -> ToolResult {
        ctx.log(LogLevel::Info, "logged").await;
        Ok(CallToolResult::success(vec![ContentBlock::text("done")]))
    }
}

#[tokio::test]
async fn a_2026_07_28_request_gets_log_messages_only_at_the_level_it_names() {
    let app = app_of::<Advertised>(&options(&[], LIMITS)).await;
    let call = |meta: Value| {
        let params = json!({"name": "log", "arguments": {}, "_meta": meta});
        request_2026(
            anonymous("POST", None),
            "tools/call",
            "log",
            params,
            json!({}),
        )
    };
    let level = "io.modelcontextprotocol/logLevel";
    for (meta, heard) in [
        (json!({}), false),
        (json!({ level: "info" }), true),
        (json!({ level: "error" }), false),
    ] {
        let (status, _, body) = send(&app, call(meta.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains(r#""text":"done""#), "{body}");
        assert_eq!(
            body.contains("notifications/message"),
            heard,
            "{meta}: {body}"
        );
    }
}

/// The HTTP status of `request` (a 2026-07-28 `method`) through `app`, and its JSON-RPC answer, within 10 s.
async fn answer_to(
    app: &Router,
    method: &str,
    request: http::Request<Body>,
) -> (StatusCode, Value) {
    let (status, _, body) = tokio::time::timeout(Duration::from_secs(10), send(app, request))
        .await
        .unwrap_or_else(|_| panic!("{method} answers within 10 s"));
    let answer: Value = serde_json::from_str(&body)
        .ok()
        .into_iter()
        .chain(
            body.lines()
                .filter_map(|line| line.strip_prefix("data:"))
                .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok()),
        )
        .find(|answer| answer.get("id") == Some(&json!(7)))
        .unwrap_or_else(|| panic!("no answer to {method}: {body}"));
    (status, answer)
}

/// SEP-2243: before a tool runs, rmcp checks each `Mcp-Param-*` header against the argument its
/// `x-mcp-header` mirrors (the test spec's `echo` mirrors `text` as `Mcp-Param-Text`), from the schema
/// the handler's `get_tool` gives it.
#[tokio::test]
async fn a_mirrored_argument_must_match_its_header() {
    // "héllo" is not plain ASCII, so its header value is Base64.
    let cases = [
        (Some("=?base64?aMOpbGxv?="), false),
        (None, true),
        (Some("hello"), true),
        (Some("=?base64?aGVsbG8?="), true),
    ];
    for stateful in [true, false] {
        let mut options = options(&[], LIMITS);
        options.streamable.as_mut().unwrap().stateful = stateful;
        let app = app_with(&options, Arc::new(Subscriptions::default())).await;
        for (header, refused) in cases {
            let params = json!({"name": "echo", "arguments": {"text": "héllo"}});
            let mut request = Client::ANONYMOUS.build("tools/call", "echo", params);
            if let Some(value) = header {
                let value = http::HeaderValue::from_static(value);
                request.headers_mut().insert("mcp-param-text", value);
            }
            let (status, answer) = answer_to(&app, "tools/call", request).await;
            let mismatch = answer["error"]["code"] == -32020;
            assert_eq!(mismatch, refused, "{header:?}: {answer}");
            assert_eq!(
                status == StatusCode::BAD_REQUEST,
                refused,
                "{header:?}: {answer}"
            );
        }
    }
}

#[tokio::test]
async fn a_method_2026_07_28_removed_is_not_found_with_404() {
    // Each with no params but `_meta` (as the conformance suite sends them), and with its old params; `initialize`
    // with the handshake's params is a legacy client's, which the server still answers.
    let uri = json!({"uri": "test://readme"});
    let removed = [
        ("initialize", "", json!({})),
        ("logging/setLevel", "", json!({})),
        ("logging/setLevel", "", json!({"level": "info"})),
        ("resources/subscribe", "", json!({})),
        ("resources/subscribe", "test://readme", uri.clone()),
        ("resources/unsubscribe", "", json!({})),
        ("resources/unsubscribe", "test://readme", uri),
    ];
    for stateful in [true, false] {
        let mut options = options(&[], LIMITS);
        options.streamable.as_mut().unwrap().stateful = stateful;
        let app = app_of::<Advertised>(&options).await;
        for (method, name, params) in removed.clone() {
            let (status, answer) = Client::ANONYMOUS.answer(&app, method, name, params).await;
            assert_eq!(answer["error"]["code"], -32601, "{method}: {answer}");
            assert_eq!(status, StatusCode::NOT_FOUND, "{method}: {answer}");
        }
    }
}

/// A `subscriptions/listen` stream as the test server (`testing::SPEC`: resources/subscribe, no list
/// changes) answers it for `resourceSubscriptions` naming `uris`, with the subscriptions it shares.
async fn listening(
    stateful: bool,
    uris: &[&str],
) -> (axum::body::BodyDataStream, Arc<Subscriptions>, String) {
    let mut options = options(&[], LIMITS);
    options.streamable.as_mut().unwrap().stateful = stateful;
    let subscriptions = Arc::new(Subscriptions::default());
    let app = app_with(&options, subscriptions.clone()).await;
    let params =
        json!({"notifications": {"resourceSubscriptions": uris, "toolsListChanged": true}});
    let request = request_2026(
        anonymous("POST", None),
        "subscriptions/listen",
        "",
        params,
        json!({}),
    );
    let mut stream = open(&app, request).await;
    let mut text = String::new();
    let acknowledged = "notifications/subscriptions/acknowledged";
    assert_eq!(
        read(
            &mut stream,
            &mut text,
            acknowledged,
            1,
            Duration::from_secs(5)
        )
        .await,
        1,
        "{text}"
    );
    (stream, subscriptions, text)
}

#[tokio::test]
async fn subscriptions_listen_carries_the_updates_of_the_resources_it_names() {
    for stateful in [true, false] {
        let uris = ["test://readme", "test://elsewhere", "test://readme"];
        let (mut stream, subscriptions, mut text) = listening(stateful, &uris).await;
        // Only what the spec serves (rmcp repeats a URI named twice), no list changes (not advertised).
        let acknowledged = &messages(&text)[0];
        assert_eq!(
            acknowledged["params"]["notifications"],
            json!({"resourceSubscriptions": ["test://readme", "test://readme"]}),
            "{text}"
        );
        // Held once.
        assert_eq!(subscriptions.len(), 1);

        assert_eq!(subscriptions.notify_updated("test://items/1").await, 0);
        assert_eq!(subscriptions.notify_updated("test://readme").await, 1);
        let updated = "notifications/resources/updated";
        let heard = read(&mut stream, &mut text, updated, 1, Duration::from_secs(5)).await;
        assert_eq!(heard, 1, "{text}");
        let update = messages(&text)
            .into_iter()
            .find(|message| message["method"] == updated)
            .unwrap();
        assert_eq!(update["params"]["uri"], "test://readme", "{update}");
        assert_eq!(
            update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], 7,
            "{update}"
        );

        // The client lets the stream go: its subscriptions end with it.
        drop(stream);
        for _ in 0..100 {
            if subscriptions.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(subscriptions.is_empty(), "stateful={stateful}");
    }
}

#[tokio::test]
async fn subscriptions_listen_is_not_found_where_nothing_could_be_heard() {
    let (status, answer) = Client::ANONYMOUS
        .answer(
            &app(false, &[]).await,
            "subscriptions/listen",
            "",
            json!({"notifications": {"toolsListChanged": true}}),
        )
        .await;
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
}
