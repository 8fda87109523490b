//! SEP-2663 tasks (protocol 2026-07-28) end to end, driven by rmcp's own client (the official Rust SDK,
//! whose client speaks this form: `call_tool_once`, `get_task`, `update_task`, `cancel_task`) through
//! the stdio codec and the handler.

use std::sync::atomic::Ordering;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientConfig, DetailedTask,
    GetTaskParams, Implementation, InputRequest, ProtocolVersion, TASKS_EXTENSION_ID, TaskPayload,
    TaskStatus, UpdateTaskParams,
};
use rmcp::service::{ClientLifecycleMode, RoleClient, RunningService, serve_client_with_lifecycle};
use rmcp::{ServiceError, ServiceExt as _};
use serde_json::{Value, json};

use super::stdio::{TaskCodec, TaskTransport};
use super::store::Limits;
use super::tests::{
    CANCELLED, GATE, SPEC, TaskApp, another_session, handler_saw_cancellation, server,
};
use crate::handler::Handler;

type Client = RunningService<RoleClient, ClientConfig>;

/// A 2026-07-28 client (`server/discover`, then metadata on every request) on its own connection;
/// `declare` says whether it declares the tasks extension.
async fn connect(handler: Handler<TaskApp>, declare: bool) -> Client {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let (read, write) = tokio::io::split(server_io);
    let codec = TaskCodec::new(handler.tasks().is_some(), SPEC.capabilities.tool_execution);
    let transport = TaskTransport::new(read, write, codec);
    let handler = handler.on_connection();
    tokio::spawn(async move {
        if let Ok(running) = handler.serve(transport).await {
            let _ = running.waiting().await;
        }
    });
    let mut capabilities = json!({"elicitation": {}});
    if declare {
        capabilities["extensions"] = json!({ TASKS_EXTENSION_ID: {} });
    }
    let info = ClientConfig::new(
        serde_json::from_value(capabilities).unwrap(),
        Implementation::new("sep2663-test", "0"),
    );
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    tokio::time::timeout(
        Duration::from_secs(10),
        serve_client_with_lifecycle(info, client_io, lifecycle),
    )
    .await
    .expect("discover within 10 s")
    .unwrap()
}

/// Two connections to one server, each declaring the extension or not.
async fn two_connections(first: bool, second: bool) -> (Client, Client) {
    let (handler, _) = server(Limits::default());
    let other = another_session(&handler);
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
    let (handler, store) = server(Limits::default());
    let client = connect(handler, true).await;
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
    let (handler, store) = server(Limits::default());
    let client = connect(handler, false).await;
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
    let (handler, _) = server(Limits::default());
    let client = connect(handler, true).await;
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
    let (handler, _) = server(Limits::default());
    let client = connect(handler, true).await;
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
    let (handler, _) = server(Limits::default());
    let client = connect(handler, true).await;
    let before = CANCELLED.load(Ordering::SeqCst);
    let id = create(&client, "wait").await;
    poll(&client, &id, |t| {
        t.task.status_message.as_deref() == Some("waiting for cancellation")
    })
    .await;
    client
        .cancel_task(CancelTaskParams::new(id.clone()))
        .await
        .unwrap();
    handler_saw_cancellation(before).await;
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
