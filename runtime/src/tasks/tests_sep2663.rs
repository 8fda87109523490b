//! SEP-2663 tasks (protocol 2026-07-28) end to end, driven by rmcp's own client (the official Rust SDK,
//! whose client speaks this form: `call_tool_once`, `get_task`, `update_task`, `cancel_task`) through
//! the stdio codec and the handler.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientConfig, DetailedTask,
    GetTaskParams, Implementation, InputRequest, ProtocolVersion, TASKS_EXTENSION_ID, TaskPayload,
    TaskStatus, UpdateTaskParams,
};
use rmcp::service::{ClientLifecycleMode, RoleClient, RunningService, serve_client_with_lifecycle};
use rmcp::{ClientHandler, ServiceError};
use serde_json::{Value, json};

use super::store::TaskStore;
use super::tests::{CANCELLED, GATE, LATER, pipe, server};
use crate::handler::Handler;
use crate::testing::{HELD, accept_first_input};

type Client = RunningService<RoleClient, ClientConfig>;

/// A 2026-07-28 client (`server/discover`, then metadata on every request) on its own connection;
/// `declare` says whether it declares the tasks extension.
async fn connect(handler: Handler, declare: bool) -> Client {
    let mut capabilities = json!({"elicitation": {}});
    if declare {
        capabilities["extensions"] = json!({ TASKS_EXTENSION_ID: {} });
    }
    let info = ClientConfig::new(
        serde_json::from_value(capabilities).unwrap(),
        Implementation::new("sep2663-test", "0"),
    );
    connect_as(handler, info).await
}

/// A [`connect`]ed client of a new server, and the server's task store.
async fn start(declare: bool) -> (Client, Arc<TaskStore>) {
    let (handler, store) = server();
    (connect(handler, declare).await, store)
}

/// `client` connected to `handler` on protocol 2026-07-28.
async fn connect_as<C: ClientHandler>(
    handler: Handler,
    client: C,
) -> RunningService<RoleClient, C> {
    let client_io = pipe(handler.on_connection());
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    tokio::time::timeout(
        Duration::from_secs(10),
        serve_client_with_lifecycle(client, client_io, lifecycle),
    )
    .await
    .expect("discover within 10 s")
    .unwrap()
}

/// Two connections to one server, each declaring the extension or not.
async fn two_connections(first: bool, second: bool) -> (Client, Client) {
    let (handler, _) = server();
    let other = handler.another_session();
    (connect(handler, first).await, connect(other, second).await)
}

async fn call(client: &Client, tool: &str) -> Result<CallToolResponse, ServiceError> {
    let call = client.call_tool_once(CallToolRequestParams::new(tool.to_owned()));
    tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("answer within 10 s")
}

/// The id of the task `tool`'s call became.
async fn create(client: &Client, tool: &str) -> String {
    match call(client, tool).await.unwrap() {
        CallToolResponse::Task(created) => {
            assert_eq!(created.task.status, TaskStatus::Working);
            created.task.task_id
        }
        other => panic!("{tool}: not a task: {other:?}"),
    }
}

async fn get(client: &Client, id: &str) -> Result<DetailedTask, ServiceError> {
    client
        .get_task(GetTaskParams::new(id))
        .await
        .map(|result| result.task)
}

/// Polls `tasks/get` until `done` holds (bounded).
async fn poll(client: &Client, id: &str, done: impl Fn(&DetailedTask) -> bool) -> DetailedTask {
    for _ in 0..500 {
        let task = get(client, id).await.unwrap();
        if done(&task) {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("task {id} never got there");
}

async fn terminal(client: &Client, id: &str) -> DetailedTask {
    poll(client, id, |t| t.status().is_terminal()).await
}

fn code(error: ServiceError) -> i32 {
    match error {
        ServiceError::McpError(error) => error.code.0,
        other => panic!("not a JSON-RPC error: {other:?}"),
    }
}

fn text(result: &serde_json::Map<String, Value>) -> &str {
    result["content"][0]["text"].as_str().unwrap()
}

#[tokio::test]
async fn the_extension_is_advertised_to_clients_that_declare_it() {
    let (declaring, silent) = two_connections(true, false).await;
    let capabilities = |client: &Client| client.peer_info().unwrap().capabilities.clone();
    assert!(capabilities(&declaring).supports_tasks());
    assert!(!capabilities(&silent).supports_tasks());
}

#[tokio::test]
async fn a_call_becomes_a_task_whose_result_comes_inline() {
    let (client, store) = start(true).await;
    let CallToolResponse::Task(created) = call(&client, "gate").await.unwrap() else {
        panic!("not a task");
    };
    assert_eq!(created.task.ttl_ms, Some(600_000));
    assert_eq!(created.task.poll_interval_ms, Some(1000));
    let id = created.task.task_id;
    let working = get(&client, &id).await.unwrap();
    assert_eq!(working.payload, TaskPayload::Working);
    GATE.add_permits(1);
    let done = terminal(&client, &id).await;
    let TaskPayload::Completed { result } = &done.payload else {
        panic!("{done:?}");
    };
    assert_eq!(text(result), "gate done, task true");
    assert_eq!(store.len(), 1);

    // A `required` tool is a task too; tools without taskSupport stay plain calls.
    let id = create(&client, "crash").await;
    terminal(&client, &id).await;
    for tool in ["never", "bare", "plain"] {
        let answer = call(&client, tool).await.unwrap();
        assert!(
            matches!(answer, CallToolResponse::Complete(_)),
            "{tool}: {answer:?}"
        );
    }
}

#[tokio::test]
async fn a_client_without_the_extension_gets_plain_calls_or_minus_32021() {
    let (client, store) = start(false).await;
    let CallToolResponse::Complete(result) = call(&client, "quick").await.unwrap() else {
        panic!("an optional tool runs as a plain call");
    };
    assert_eq!(
        result.content[0].as_text().unwrap().text,
        "quick done, task false"
    );
    let refused = call(&client, "crash").await.unwrap_err();
    assert_eq!(code(refused), -32021, "a required tool needs the extension");
    let refused = get(&client, "any").await.unwrap_err();
    assert_eq!(code(refused), -32021);
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_tool_error_completes_and_a_protocol_error_fails_inline() {
    let (client, _) = start(true).await;
    let id = create(&client, "oops").await;
    let done = terminal(&client, &id).await;
    let TaskPayload::Completed { result } = &done.payload else {
        panic!("isError is a completed task in SEP-2663: {done:?}");
    };
    assert_eq!(result["isError"], true);
    assert_eq!(text(result), "boom");

    let id = create(&client, "crash").await;
    let done = terminal(&client, &id).await;
    let TaskPayload::Failed { error } = &done.payload else {
        panic!("{done:?}");
    };
    assert_eq!(error["code"], -32603);
    assert_eq!(error["message"], "crashed");
}

#[tokio::test]
async fn elicitation_inside_a_task_is_answered_by_update() {
    let (client, _) = start(true).await;
    let id = create(&client, "ask").await;
    let waiting = poll(&client, &id, |t| t.status() == TaskStatus::InputRequired).await;
    let TaskPayload::InputRequired { input_requests } = &waiting.payload else {
        panic!("{waiting:?}");
    };
    assert_eq!(input_requests.len(), 1);
    let (key, request) = input_requests.iter().next().unwrap();
    assert!(
        matches!(request, InputRequest::Elicitation(_)),
        "{request:?}"
    );
    assert_eq!(
        serde_json::to_value(request).unwrap()["params"]["message"],
        "Your name?"
    );
    // An unknown key is ignored; the task keeps waiting.
    let stray = [("nope".to_owned(), json!({"action": "decline"}))].into();
    client
        .update_task(UpdateTaskParams::new(id.clone(), stray))
        .await
        .unwrap();
    assert_eq!(
        get(&client, &id).await.unwrap().status(),
        TaskStatus::InputRequired
    );
    let answer = json!({"action": "accept", "content": {"name": "Luca"}});
    client
        .update_task(UpdateTaskParams::new(
            id.clone(),
            [(key.clone(), answer)].into(),
        ))
        .await
        .unwrap();
    let done = terminal(&client, &id).await;
    let TaskPayload::Completed { result } = &done.payload else {
        panic!("{done:?}");
    };
    assert_eq!(text(result), "hello Luca");
}

#[tokio::test]
async fn cancel_reaches_the_handler_and_is_acknowledged() {
    let (client, _) = start(true).await;
    let before = CANCELLED.count();
    let id = create(&client, "wait").await;
    poll(&client, &id, |t| {
        t.task.status_message.as_deref() == Some(HELD)
    })
    .await;
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .unwrap();
    CANCELLED.seen_after(before).await;
    let cancelled = terminal(&client, &id).await;
    assert_eq!(cancelled.payload, TaskPayload::Cancelled);
    // Cancellation is cooperative and acknowledged again once terminal.
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .unwrap();

    // A task waiting for input is cancelled too.
    let id = create(&client, "ask").await;
    poll(&client, &id, |t| t.status() == TaskStatus::InputRequired).await;
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .unwrap();
    assert_eq!(terminal(&client, &id).await.payload, TaskPayload::Cancelled);
}

#[tokio::test]
async fn unknown_and_other_connections_task_ids_are_refused_alike() {
    let (mine, theirs) = two_connections(true, true).await;
    let id = create(&mine, "wait").await;
    let unknown = match get(&theirs, "0000").await.unwrap_err() {
        ServiceError::McpError(error) => error,
        other => panic!("{other:?}"),
    };
    assert_eq!(unknown.code.0, -32602);
    let refusals = [
        get(&theirs, &id).await.map(drop),
        theirs
            .update_task(UpdateTaskParams::new(id.clone(), Default::default()))
            .await,
        theirs.cancel_task(CancelTaskParams::new(id.clone())).await,
    ];
    for refusal in refusals {
        match refusal.unwrap_err() {
            ServiceError::McpError(error) => {
                assert_eq!(error.code.0, -32602);
                assert_eq!(error.message, unknown.message, "no hint the id exists");
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(get(&mine, &id).await.unwrap().status(), TaskStatus::Working);
    mine.cancel_task(CancelTaskParams::new(id)).await.unwrap();
}

/// A 2026-07-28 client on its own connection in raw JSON lines, since rmcp's client cannot ask for task
/// notifications (its `SubscriptionFilter` has no `taskIds`, and its subscription refuses
/// `notifications/tasks`). Notifications read while waiting for an answer are kept, in order.
struct Raw {
    write: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    read: tokio::io::BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    next_id: u64,
    notifications: std::collections::VecDeque<Value>,
}

impl Raw {
    async fn connect(handler: Handler) -> Raw {
        let (read, write) = tokio::io::split(pipe(handler.on_connection()));
        let mut raw = Raw {
            write,
            read: tokio::io::BufReader::new(read),
            next_id: 1,
            notifications: Default::default(),
        };
        let discovered = raw.request("server/discover", json!({})).await;
        assert!(discovered.get("result").is_some(), "{discovered}");
        raw
    }

    /// Sends `method`, with the protocol metadata (declaring the tasks extension) unless `params` has
    /// its own; its id.
    async fn send(&mut self, method: &str, mut params: Value) -> u64 {
        use tokio::io::AsyncWriteExt as _;
        if params.get("_meta").is_none() {
            params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities":
                {"elicitation": {}, "extensions": { TASKS_EXTENSION_ID: {} }},
            });
        }
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let line = format!("{message}\n");
        self.write.write_all(line.as_bytes()).await.unwrap();
        id
    }

    /// The next message from the server, within 10 s.
    async fn receive(&mut self) -> Value {
        use tokio::io::AsyncBufReadExt as _;
        let mut line = String::new();
        let read = self.read.read_line(&mut line);
        let n = tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("a message within 10 s")
            .unwrap();
        assert!(n > 0, "server closed");
        serde_json::from_str(&line).unwrap()
    }

    /// The answer to the request `id`, keeping the notifications that come first.
    async fn answer(&mut self, id: u64) -> Value {
        loop {
            let message = self.receive().await;
            if message.get("method").is_some() {
                self.notifications.push_back(message);
            } else if message["id"] == id {
                return message;
            }
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params).await;
        self.answer(id).await
    }

    /// The next notification, kept or new.
    async fn notification(&mut self) -> Value {
        match self.notifications.pop_front() {
            Some(notification) => notification,
            None => loop {
                let message = self.receive().await;
                if message.get("method").is_some() {
                    return message;
                }
            },
        }
    }

    /// The id of the task `tool`'s call became.
    async fn create(&mut self, tool: &str) -> String {
        let created = self
            .request("tools/call", json!({"name": tool, "arguments": {}}))
            .await;
        assert_eq!(created["result"]["resultType"], "task", "{created}");
        created["result"]["taskId"].as_str().unwrap().to_owned()
    }
}

/// The next notification: `notifications/tasks` for the task `id` on `subscription`; its params.
async fn task_notification(raw: &mut Raw, subscription: u64, id: &str) -> Value {
    let notification = raw.notification().await;
    assert_eq!(
        notification["method"], "notifications/tasks",
        "{notification}"
    );
    let params = &notification["params"];
    let meta = &params["_meta"];
    assert_eq!(meta["io.modelcontextprotocol/subscriptionId"], subscription);
    assert_eq!(params["taskId"], id, "{notification}");
    // rmcp's client reads it as its task status notification, a DetailedTask.
    let typed: rmcp::model::ServerJsonRpcMessage = serde_json::from_value(notification.clone())
        .unwrap_or_else(|e| panic!("{e}: {notification}"));
    assert!(
        format!("{typed:?}").contains("TaskStatusNotification"),
        "{typed:?}"
    );
    params.clone()
}

#[tokio::test]
async fn listen_with_task_ids_sends_each_status_of_the_named_tasks_only() {
    let (handler, _) = server();
    let theirs = connect(handler.another_session(), true).await;
    let mut mine = Raw::connect(handler).await;
    let id = mine.create("later").await;
    let foreign = create(&theirs, "ask").await;
    let listen = json!({"notifications": {"taskIds": [id, foreign, "0000", id]}});
    let subscription = mine.send("subscriptions/listen", listen).await;
    let acknowledged = mine.notification().await;
    assert_eq!(
        acknowledged["method"], "notifications/subscriptions/acknowledged",
        "{acknowledged}"
    );
    let meta = &acknowledged["params"]["_meta"];
    assert_eq!(meta["io.modelcontextprotocol/subscriptionId"], subscription);
    // Another connection's task and an unknown id are left out alike.
    assert_eq!(
        acknowledged["params"]["notifications"],
        json!({"taskIds": [id]})
    );

    // Tasks not named (one of mine, one of theirs) change meanwhile.
    let unnamed = mine.create("quick").await;
    theirs
        .cancel_task(CancelTaskParams::new(foreign.clone()))
        .await
        .unwrap();
    let working = task_notification(&mut mine, subscription, &id).await;
    assert_eq!(working["status"], "working", "{working}");
    LATER.add_permits(1);
    let waiting = task_notification(&mut mine, subscription, &id).await;
    assert_eq!(waiting["status"], "input_required", "{waiting}");
    let update = json!({"taskId": id, "inputResponses": accept_first_input(&waiting)});
    let acked = mine.request("tasks/update", update).await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
    let resumed = task_notification(&mut mine, subscription, &id).await;
    assert_eq!(resumed["status"], "working", "{resumed}");
    LATER.add_permits(1);
    let mut done = task_notification(&mut mine, subscription, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["result"]["content"][0]["text"],
        "later done, task true"
    );
    // Nothing more can come: the subscription ends gracefully.
    let ended = mine.answer(subscription).await;
    assert_eq!(ended["result"]["resultType"], "complete", "{ended}");
    let meta = &ended["result"]["_meta"];
    assert_eq!(meta["io.modelcontextprotocol/subscriptionId"], subscription);
    // The very DetailedTask `tasks/get` answers.
    let mut got = mine.request("tasks/get", json!({"taskId": id})).await["result"].take();
    got.as_object_mut().unwrap().remove("resultType");
    done.as_object_mut().unwrap().remove("_meta");
    assert_eq!(done, got);
    // Nothing else came: the unnamed task ended meanwhile, the other connection's was cancelled.
    let unnamed = mine.request("tasks/get", json!({"taskId": unnamed})).await;
    assert_eq!(unnamed["result"]["status"], "completed", "{unnamed}");
    assert!(mine.notifications.is_empty(), "{:?}", mine.notifications);
}

#[tokio::test]
async fn listen_for_task_ids_needs_the_extension() {
    let (handler, _) = server();
    let mut raw = Raw::connect(handler).await;
    let id = raw.create("quick").await;
    let mut listen = json!({"notifications": {"taskIds": [id]}});
    listen["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "raw", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let refused = raw.request("subscriptions/listen", listen).await;
    assert_eq!(refused["error"]["code"], -32021, "{refused}");
}

/// A client that answers every elicitation with the name Ada, and does not declare the tasks extension.
struct Ada;

impl ClientHandler for Ada {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            serde_json::from_value(json!({"elicitation": {}})).unwrap(),
            Implementation::new("mrtr-test", "0"),
        )
    }

    async fn create_elicitation(
        &self,
        _request: rmcp::model::ElicitRequestParams,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        Ok(
            rmcp::model::ElicitResult::new(rmcp::model::ElicitationAction::Accept)
                .with_content(json!({"name": "Ada"})),
        )
    }
}

#[tokio::test]
async fn rmcps_client_answers_a_plain_calls_input_required_and_gets_the_result() {
    let (handler, _) = server();
    let client = connect_as(handler, Ada).await;
    // rmcp's `call_tool` answers each `input_required` with its handler and calls again (SEP-2322).
    let call = client.call_tool(CallToolRequestParams::new("ask"));
    let result = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("answer within 10 s")
        .unwrap();
    let text = result.content[0].as_text().unwrap().text.clone();
    assert_eq!(text, "hello Ada");
    // Asked by `input_required`, not by a request the protocol does not have.
    match client
        .call_tool_once(CallToolRequestParams::new("ask"))
        .await
        .unwrap()
    {
        CallToolResponse::InputRequired(asked) => assert!(asked.request_state.is_some()),
        other => panic!("not input_required: {other:?}"),
    }
}
