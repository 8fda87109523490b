//! Tasks end to end through the stdio codec and the handler, with raw JSON-RPC lines (rmcp's client has
//! no 2025-11-25 task API): the wire forms, the lifecycle, and hostile callers.

use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt as _;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};
use tokio::io::{
    AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, DuplexStream, ReadHalf, WriteHalf,
};

use super::stdio::{TaskCodec, TaskTransport};
use super::store::{Limits, TaskStore};
use crate::context::Ctx;
use crate::defs::{ExecutionDef, Spec};
use crate::error::{ToolError, ToolResult};
use crate::handler::Handler;
use crate::testing::{Cancellations, HELD, StatelessApp, task_spec, task_tool, tool};

pub(super) static SPEC: Spec = task_spec(
    "task-test",
    &[
        task_tool("quick", ExecutionDef::OPTIONAL),
        task_tool("wait", ExecutionDef::OPTIONAL),
        task_tool("must", ExecutionDef::REQUIRED),
        task_tool("never", ExecutionDef::FORBIDDEN),
        task_tool("bare", ExecutionDef::DEFAULT),
        tool("plain"),
        task_tool("gate", ExecutionDef::OPTIONAL),
        task_tool("ask", ExecutionDef::OPTIONAL),
        task_tool("oops", ExecutionDef::OPTIONAL),
        task_tool("crash", ExecutionDef::REQUIRED),
        task_tool("later", ExecutionDef::OPTIONAL),
    ],
);

/// How many `wait` handlers saw their cancellation.
pub(super) static CANCELLED: Cancellations = Cancellations::new();

/// Lets one `gate` handler finish.
pub(super) static GATE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);

/// Lets a `later` handler take its next step.
pub(super) static LATER: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);

pub(super) struct TaskApp;

impl StatelessApp for TaskApp {
    const SPEC: &'static Spec = &SPEC;

    async fn call(name: &str, ctx: Ctx<()>) -> ToolResult {
        if name == "wait" {
            CANCELLED.hold(&ctx).await;
        }
        match name {
            "gate" => GATE.acquire().await.unwrap().forget(),
            "oops" => return Err(ToolError::new("boom")),
            "crash" => {
                return Err(ToolError::protocol(rmcp::ErrorData::internal_error(
                    "crashed", None,
                )));
            }
            "later" => crate::testing::step_by_step(&ctx, &LATER).await?,
            "ask" => {
                let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
                let answer = ctx.elicit("Your name?", schema).await;
                let name = answer
                    .map_err(|e| ToolError::new(e.to_string()))?
                    .content
                    .and_then(|c| c.get("name").cloned())
                    .unwrap_or_default();
                return Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                    "hello {}",
                    name.as_str().unwrap_or("?")
                ))]));
            }
            _ => {}
        }
        Ok(CallToolResult::success(vec![ContentBlock::text(format!(
            "{name} done, task {}",
            ctx.task_id().is_some()
        ))]))
    }
}

/// Serves `handler` as stdio does, with the task codec, over an in-memory pipe; the client's end.
pub(super) fn pipe(handler: Handler) -> DuplexStream {
    let (server_io, client_io) = tokio::io::duplex(1 << 20);
    let (read, write) = tokio::io::split(server_io);
    let codec = TaskCodec::new(handler.tasks().is_some(), SPEC.tools);
    let transport = TaskTransport::new(read, write, codec);
    tokio::spawn(async move {
        if let Ok(running) = handler.serve(transport).await {
            let _ = running.waiting().await;
        }
    });
    client_io
}

/// One stdio session over an in-memory pipe, spoken to in raw lines.
struct Client {
    write: WriteHalf<DuplexStream>,
    read: BufReader<ReadHalf<DuplexStream>>,
    next_id: u64,
    initialize: Value,
}

impl Client {
    /// A session on protocol `version` of a new server, and the server's task store.
    async fn start(version: &str) -> (Client, Arc<TaskStore>) {
        let (handler, store) = server();
        (Client::connect(handler, version).await, store)
    }

    async fn connect(handler: Handler, version: &str) -> Client {
        let (read, write) = tokio::io::split(pipe(handler));
        let mut client = Client {
            write,
            read: BufReader::new(read),
            next_id: 1,
            initialize: Value::Null,
        };
        let init = client
            .request(
                "initialize",
                json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}),
            )
            .await;
        assert_eq!(init["result"]["protocolVersion"], version, "{init}");
        client
            .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        client.initialize = init;
        client
    }

    async fn send(&mut self, message: Value) {
        let mut line = message.to_string();
        line.push('\n');
        self.write.write_all(line.as_bytes()).await.unwrap();
    }

    /// Sends a request and returns its response (notifications and server requests in between skipped).
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let mut line = String::new();
                assert!(
                    self.read.read_line(&mut line).await.unwrap() > 0,
                    "server closed"
                );
                let message: Value = serde_json::from_str(&line).unwrap();
                if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                    return message;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no answer to {method} within 10 s"))
    }

    async fn call_as_task(&mut self, tool: &str, task: Value) -> Value {
        self.request(
            "tools/call",
            json!({"name": tool, "arguments": {}, "task": task}),
        )
        .await
    }

    /// Polls `tasks/get` until the status is `status` (bounded).
    async fn wait_for(&mut self, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let task = self.request("tasks/get", json!({"taskId": id})).await;
            if task["result"]["status"] == status {
                return task["result"].clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("task {id} never reached {status}");
    }
}

/// A server of [`TaskApp`], and its task store.
pub(super) fn server() -> (Handler, Arc<TaskStore>) {
    let handler = crate::testing::handler::<TaskApp>(Arc::default());
    let store = handler.tasks().unwrap().clone();
    (handler, store)
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

fn message(answer: &Value) -> &str {
    answer["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

#[tokio::test]
async fn a_task_era_session_sees_the_capability_and_execution_as_written() {
    let (mut client, _) = Client::start("2025-11-25").await;
    assert_eq!(
        client.initialize["result"]["capabilities"]["tasks"],
        json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}})
    );
    let tools = client.request("tools/list", json!({})).await;
    let execution: Vec<Value> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.get("execution").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        execution,
        [
            json!({"taskSupport": "optional"}),
            json!({"taskSupport": "optional"}),
            json!({"taskSupport": "required"}),
            json!({"taskSupport": "forbidden"}),
            json!({}),
            Value::Null,
            json!({"taskSupport": "optional"}),
            json!({"taskSupport": "optional"}),
            json!({"taskSupport": "optional"}),
            json!({"taskSupport": "required"}),
            json!({"taskSupport": "optional"}),
        ]
    );
    assert!(
        client.initialize["result"]["capabilities"]
            .get("extensions")
            .is_none(),
        "no SEP-2663 extension for a 2025-11-25 session"
    );
}

#[tokio::test]
async fn a_task_runs_the_handler_and_its_result_is_the_plain_calls() {
    let (mut client, _) = Client::start("2025-11-25").await;
    let created = client.call_as_task("quick", json!({"ttl": 60_000})).await;
    let task = &created["result"]["task"];
    assert_eq!(task["status"], "working", "{created}");
    assert_eq!(task["ttl"], 60_000);
    assert_eq!(task["pollInterval"], 1000);
    assert!(task["createdAt"].as_str().unwrap().ends_with('Z'));
    let id = task["taskId"].as_str().unwrap().to_owned();

    let result = client.request("tasks/result", json!({"taskId": id})).await;
    let plain = client
        .request("tools/call", json!({"name": "quick", "arguments": {}}))
        .await;
    assert_eq!(
        result["result"]["content"][0]["text"],
        "quick done, task true"
    );
    assert_eq!(
        plain["result"]["content"][0]["text"],
        "quick done, task false"
    );
    assert_eq!(
        result["result"]["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id.as_str()
    );
    let mut same = result["result"].clone();
    same.as_object_mut().unwrap().remove("_meta");
    same["content"][0]["text"] = "quick done, task false".into();
    assert_eq!(same, plain["result"], "the same shape as the plain call");
    assert_eq!(
        client.wait_for(&id, "completed").await["taskId"],
        id.as_str()
    );
}

#[tokio::test]
async fn task_support_is_enforced_both_ways() {
    let (mut client, _) = Client::start("2025-11-25").await;
    let plain = client
        .request("tools/call", json!({"name": "must", "arguments": {}}))
        .await;
    assert_eq!(code(&plain), -32601, "{plain}");
    assert!(
        message(&plain).contains("must be called as a task"),
        "{plain}"
    );
    for tool in ["never", "bare", "plain"] {
        let task = client.call_as_task(tool, json!({})).await;
        assert_eq!(code(&task), -32601, "{tool}: {task}");
    }
    let task = client.call_as_task("must", json!({})).await;
    assert_eq!(task["result"]["task"]["status"], "working", "{task}");
    let id = task["result"]["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let result = client.request("tasks/result", json!({"taskId": id})).await;
    assert_eq!(
        result["result"]["content"][0]["text"], "must done, task true",
        "{result}"
    );
    let unknown = client.call_as_task("nope", json!({})).await;
    assert!(unknown.get("error").is_some(), "{unknown}");
}

#[tokio::test]
async fn cancel_reaches_the_handler_and_is_refused_once_terminal() {
    let (mut client, _) = Client::start("2025-11-25").await;
    let before = CANCELLED.count();
    let created = client.call_as_task("wait", json!({})).await;
    let id = created["result"]["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let working = client.wait_for(&id, "working").await;
    // The handler's status message shows once it runs.
    for _ in 0..200 {
        let task = client.request("tasks/get", json!({"taskId": id})).await;
        if task["result"]["statusMessage"] == HELD {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(working["taskId"], id.as_str());

    let cancelled = client.request("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(cancelled["result"]["status"], "cancelled", "{cancelled}");
    CANCELLED.seen_after(before).await;
    // The handler went on to return a result; the task stays cancelled.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        client.wait_for(&id, "cancelled").await["status"],
        "cancelled"
    );
    let again = client.request("tasks/cancel", json!({"taskId": id})).await;
    assert_eq!(code(&again), -32602, "{again}");
    let result = client.request("tasks/result", json!({"taskId": id})).await;
    assert!(result.get("error").is_some(), "{result}");

    let done = client.call_as_task("quick", json!({})).await;
    let done = done["result"]["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    client.wait_for(&done, "completed").await;
    let late = client
        .request("tasks/cancel", json!({"taskId": done}))
        .await;
    assert_eq!(code(&late), -32602, "{late}");
    assert!(message(&late).contains("'completed'"), "{late}");
}

#[tokio::test]
async fn tasks_belong_to_their_session() {
    let (handler, _) = server();
    let other = handler.another_session();
    let mut mine = Client::connect(handler, "2025-11-25").await;
    let mut theirs = Client::connect(other, "2025-11-25").await;
    let created = mine.call_as_task("wait", json!({})).await;
    let id = created["result"]["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let unknown = theirs.request("tasks/get", json!({"taskId": "0000"})).await;
    for method in ["tasks/get", "tasks/result", "tasks/cancel"] {
        let answer = theirs.request(method, json!({"taskId": id})).await;
        assert_eq!(code(&answer), -32602, "{method}: {answer}");
        assert_eq!(
            answer["error"]["message"], unknown["error"]["message"],
            "no hint the id exists"
        );
    }
    let listed = theirs.request("tasks/list", json!({})).await;
    assert_eq!(listed["result"]["tasks"], json!([]));
    let listed = mine.request("tasks/list", json!({})).await;
    assert_eq!(listed["result"]["tasks"][0]["taskId"], id.as_str());
    assert_eq!(mine.wait_for(&id, "working").await["status"], "working");
}

#[tokio::test]
async fn ten_thousand_tasks_from_one_session_hit_its_limit_with_a_clear_error() {
    let (handler, store) = server();
    let per_session = Limits::default().per_session;
    let mut client = Client::connect(handler, "2025-11-25").await;
    let mut refused = 0;
    for _ in 0..10_000 {
        let answer = client.call_as_task("wait", json!({})).await;
        if answer.get("error").is_some() {
            assert_eq!(code(&answer), -32600, "{answer}");
            assert!(message(&answer).contains("limit per session"), "{answer}");
            refused += 1;
        }
    }
    assert_eq!(refused, 10_000 - per_session);
    assert_eq!(store.len(), per_session);
    // Plain calls still work, and a cancelled task makes room for one more.
    let plain = client
        .request("tools/call", json!({"name": "quick", "arguments": {}}))
        .await;
    assert!(plain["result"].is_object(), "{plain}");
    let listed = client.request("tasks/list", json!({})).await;
    let first = listed["result"]["tasks"][0]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        listed["result"]["tasks"].as_array().unwrap().len(),
        50,
        "one page"
    );
    client
        .request("tasks/cancel", json!({"taskId": first}))
        .await;
    let answer = client.call_as_task("quick", json!({})).await;
    assert!(
        answer.get("error").is_some(),
        "a cancelled task still counts until its TTL: {answer}"
    );
}

#[tokio::test]
async fn an_expired_task_is_gone() {
    let (mut client, store) = Client::start("2025-11-25").await;
    let created = client.call_as_task("quick", json!({"ttl": 100})).await;
    let id = created["result"]["task"]["taskId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["result"]["task"]["ttl"], 100);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let gone = client.request("tasks/get", json!({"taskId": id})).await;
    assert_eq!(code(&gone), -32602, "{gone}");
    assert_eq!(store.len(), 0, "the result was freed");
}

#[tokio::test]
async fn older_sessions_get_plain_calls_and_no_capability() {
    let (mut client, store) = Client::start("2025-06-18").await;
    assert!(
        client.initialize["result"]["capabilities"]
            .get("tasks")
            .is_none()
    );
    // The task is ignored, as the specification asks of a server that did not declare tasks.
    let answer = client.call_as_task("must", json!({})).await;
    assert_eq!(
        answer["result"]["content"][0]["text"], "must done, task false",
        "{answer}"
    );
    let get = client.request("tasks/get", json!({"taskId": "x"})).await;
    assert_eq!(code(&get), -32601, "{get}");
    assert_eq!(store.len(), 0);
}

#[tokio::test]
async fn a_session_that_ends_frees_its_tasks() {
    let (mut client, store) = Client::start("2025-11-25").await;
    client.call_as_task("wait", json!({})).await;
    assert_eq!(store.len(), 1);
    drop(client);
    for _ in 0..200 {
        if store.len() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(store.len(), 0);
}
