//! Tasks across two instances sharing one Redis (a real `redis-server`), through the HTTP app: created
//! through one instance, polled, fetched, listed and cancelled through the other; hostile sessions; and a
//! task whose instance went away. The module's name puts it under CI's `redis_store` test filter.

use std::time::Duration;

use axum::Router;
use http::StatusCode;
use redis::AsyncCommands as _;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::{Value, json};

use crate::app::App;
use crate::context::Ctx;
use crate::defs::{ExecutionDef, Spec};
use crate::error::ToolResult;
use crate::redis_store::tests::{RedisServer, with_store};
use crate::testing::http::{INITIALIZED, app_of, post};
use crate::testing::{Cancellations, HELD, StatelessApp, task_spec, task_tool};

static SPEC: Spec = task_spec(
    "shared-tasks",
    &[
        task_tool("hold", ExecutionDef::OPTIONAL),
        task_tool("quick", ExecutionDef::OPTIONAL),
    ],
);

/// How many `hold` handlers saw their cancellation.
static CANCELLED: Cancellations = Cancellations::new();

struct SharedTaskApp;

impl StatelessApp for SharedTaskApp {
    const SPEC: &'static Spec = &SPEC;

    async fn call(name: &str, ctx: Ctx<()>) -> ToolResult {
        if name == "hold" {
            CANCELLED.hold(&ctx).await;
        } else {
            // Long enough that `tasks/result` on the other instance has to wait.
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
        Ok(CallToolResult::success(vec![ContentBlock::text(format!(
            "{name} done"
        ))]))
    }
}

/// One principal's session, spoken to through any instance.
struct Client {
    token: &'static str,
    session: String,
}

impl Client {
    /// A session of `token` that negotiated 2025-11-25, where tasks are served.
    async fn open(app: &Router, token: &'static str) -> Client {
        let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"}}});
        let (status, session, body) = post(app, token, None, &initialize.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains("\"tasks\""), "{body}");
        let session = session.expect("a session id");
        let (status, _, _) = post(app, token, Some(&session), INITIALIZED).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        Client { token, session }
    }

    /// Sends one request through `app`; its JSON-RPC answer (from JSON or an event stream).
    async fn request(&self, app: &Router, method: &str, params: Value) -> Value {
        let message = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
        let (status, _, body) =
            post(app, self.token, Some(&self.session), &message.to_string()).await;
        assert_eq!(status, StatusCode::OK, "{method}: {body}");
        body.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|answer| answer.get("id") == Some(&json!(7)))
            .unwrap_or_else(|| panic!("no answer to {method}: {body}"))
    }

    /// `method` (`tasks/...`) on the task `id`, within 10 s.
    async fn task(&self, app: &Router, method: &str, id: &str) -> Value {
        let answer = self.request(app, method, json!({ "taskId": id }));
        tokio::time::timeout(Duration::from_secs(10), answer)
            .await
            .unwrap_or_else(|_| panic!("{method} answers within 10 s"))
    }

    /// A task-augmented call of `tool`; the task's id.
    async fn create(&self, app: &Router, tool: &str) -> String {
        let params = json!({"name": tool, "arguments": {}, "task": {"ttl": 60_000}});
        let answer = self.request(app, "tools/call", params).await;
        assert_eq!(answer["result"]["task"]["status"], "working", "{answer}");
        answer["result"]["task"]["taskId"].as_str().unwrap().into()
    }
}

/// `N` instances of `A` whose sessions and tasks live in `redis`.
async fn instances<A: App<State = ()>, const N: usize>(redis: &RedisServer) -> [Router; N] {
    let options = with_store(redis.url(""), Duration::from_secs(60));
    let mut apps = Vec::with_capacity(N);
    for _ in 0..N {
        apps.push(app_of::<A>(&options).await);
    }
    apps.try_into().expect("N instances")
}

/// The error message of an answer ("" for a result).
fn error(answer: &Value) -> &str {
    answer["error"]["message"].as_str().unwrap_or_default()
}

/// A task created through one instance is polled, listed, fetched and cancelled through another, and the
/// cancel reaches the handler where it runs; another session's id is refused as unknown, everywhere.
#[tokio::test]
async fn tasks_move_across_instances_with_their_session() {
    let redis = RedisServer::start(&[]);
    let [first, second] = instances::<SharedTaskApp, 2>(&redis).await;
    let alice = Client::open(&first, "alice").await;
    let hold = alice.create(&first, "hold").await;

    let got = alice.task(&second, "tasks/get", &hold).await;
    assert_eq!(got["result"]["taskId"], hold.as_str(), "{got}");
    assert_eq!(got["result"]["status"], "working", "{got}");
    // The handler's status message reaches the other instance with the runner's next write.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let got = alice.task(&second, "tasks/get", &hold).await;
        if got["result"]["statusMessage"] == HELD {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{got}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // tasks/result through the second instance waits for the end of a task the first one runs.
    let quick = alice.create(&first, "quick").await;
    let result = alice.task(&second, "tasks/result", &quick).await;
    assert_eq!(
        result["result"]["content"][0]["text"], "quick done",
        "{result}"
    );
    let related = &result["result"]["_meta"]["io.modelcontextprotocol/related-task"];
    assert_eq!(related["taskId"], quick.as_str());

    let listed = alice.request(&second, "tasks/list", json!({})).await;
    let ids: Vec<&str> = listed["result"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["taskId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [hold.as_str(), quick.as_str()], "{listed}");

    // Bob's session, on either instance, learns nothing of Alice's tasks.
    let bob = Client::open(&second, "bob").await;
    let unknown = bob.task(&second, "tasks/get", "nope").await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    for app in [&first, &second] {
        for method in ["tasks/get", "tasks/cancel", "tasks/result"] {
            let refused = bob.task(app, method, &hold).await;
            assert_eq!(refused["error"], unknown["error"], "{method}: {refused}");
        }
        let listed = bob.request(app, "tasks/list", json!({})).await;
        assert_eq!(listed["result"]["tasks"], json!([]), "{listed}");
    }

    // Cancelled through the second instance: the handler on the first sees it.
    let before = CANCELLED.count();
    let cancelled = alice.task(&second, "tasks/cancel", &hold).await;
    assert_eq!(cancelled["result"]["status"], "cancelled", "{cancelled}");
    CANCELLED.seen_after(before).await;
    let got = alice.task(&first, "tasks/get", &hold).await;
    assert_eq!(got["result"]["status"], "cancelled", "{got}");
    let again = alice.task(&second, "tasks/cancel", &hold).await;
    assert!(error(&again).contains("'cancelled'"), "{again}");
    let result = alice.task(&second, "tasks/result", &hold).await;
    assert!(error(&result).contains("cancelled"), "{result}");
}

/// A task whose instance stopped renewing its lease (it died) ends as `failed` for the pollers, and
/// `tasks/result` gets an error instead of waiting for ever.
#[tokio::test]
async fn a_task_whose_instance_died_fails() {
    let redis = RedisServer::start(&[]);
    let [app] = instances::<SharedTaskApp, 1>(&redis).await;
    let alice = Client::open(&app, "alice").await;
    // What a dead instance leaves behind: a working task and no lease.
    let mut look = redis.connection("").await;
    let key = "mcp:test-server:task:gone";
    let task = json!({"taskId": "gone", "status": "working", "createdAt": "2026-01-01T00:00:00.000Z",
        "lastUpdatedAt": "2026-01-01T00:00:00.000Z", "ttl": 60_000, "pollInterval": 1000});
    let fields = [
        ("owner", alice.session.as_str()),
        ("status", "working"),
        ("task", &task.to_string()),
    ];
    let _: () = look.hset_multiple(key, &fields).await.unwrap();
    let _: () = look.expire(key, 60).await.unwrap();

    let got = alice.task(&app, "tasks/get", "gone").await;
    assert_eq!(got["result"]["status"], "failed", "{got}");
    let message = got["result"]["statusMessage"].as_str().unwrap_or_default();
    assert!(message.contains("stopped"), "{got}");
    let result = alice.task(&app, "tasks/result", "gone").await;
    assert!(error(&result).contains("stopped"), "{result}");
}

/// While Redis is down, tasks still run and are served by the instance that runs them; a task only Redis
/// knows gets a clear error, not a hang or a panic.
#[tokio::test]
async fn tasks_keep_working_locally_while_redis_is_down() {
    let mut redis = RedisServer::start(&[]);
    let [app] = instances::<SharedTaskApp, 1>(&redis).await;
    let alice = Client::open(&app, "alice").await;
    redis.stop();

    let quick = alice.create(&app, "quick").await;
    let result = alice.task(&app, "tasks/result", &quick).await;
    assert_eq!(
        result["result"]["content"][0]["text"], "quick done",
        "{result}"
    );
    let listed = alice.request(&app, "tasks/list", json!({})).await;
    assert_eq!(
        listed["result"]["tasks"][0]["taskId"],
        quick.as_str(),
        "{listed}"
    );
    let elsewhere = alice.task(&app, "tasks/get", "x").await;
    assert!(
        error(&elsewhere).contains("task store (Redis)"),
        "{elsewhere}"
    );
}

/// SEP-2663 tasks (2026-07-28 requests, which have no session) belong to their principal on every
/// instance: created through one, polled, answered through `tasks/update` and cancelled through the
/// other, whose answers and cancel reach the handler where it runs; another principal's id is unknown.
#[tokio::test]
async fn sep2663_tasks_are_polled_updated_and_cancelled_through_another_instance() {
    use super::tests_sep2663_http::{self as sep, HttpTaskApp, status};
    let redis = RedisServer::start(&[]);
    let [first, second] = instances::<HttpTaskApp, 2>(&redis).await;
    let (alice, bob) = (sep::Client::of("alice"), sep::Client::of("bob"));

    let before = sep::CANCELLED.count();
    let hold = alice.create(&first, "hold").await;
    let held = |t: &Value| t["statusMessage"] == HELD;
    let got = alice.poll(&second, &hold, held).await;
    assert_eq!(status(&got), "working", "{got}");
    assert_eq!(got["ttlMs"], 600_000, "{got}");
    let unknown = bob.task(&second, "tasks/get", "0000", Value::Null).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
    for method in ["tasks/get", "tasks/cancel"] {
        let refused = bob.task(&second, method, &hold, Value::Null).await;
        assert_eq!(refused["error"], unknown["error"], "{method}: {refused}");
    }
    let acked = alice
        .task(&second, "tasks/cancel", &hold, Value::Null)
        .await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
    // The runner sees the cancel at its next write and cancels the handler there.
    let cancelled = alice
        .poll(&first, &hold, |t| status(t) == "cancelled")
        .await;
    assert_eq!(cancelled["taskId"], hold.as_str());
    sep::CANCELLED.seen_after(before).await;

    let ask = alice.create(&first, "ask").await;
    let waiting = alice
        .poll(&second, &ask, |t| status(t) == "input_required")
        .await;
    let requests = waiting["inputRequests"].as_object().unwrap();
    let key = requests.keys().next().unwrap().clone();
    assert_eq!(
        requests[&key]["params"]["message"], "Your name?",
        "{waiting}"
    );
    let answer = json!({"action": "accept", "content": {"name": "Luca"}});
    let update = json!({"inputResponses": { key.as_str(): answer }});
    let acked = alice.task(&second, "tasks/update", &ask, update).await;
    assert_eq!(acked["result"]["resultType"], "complete", "{acked}");
    let done = alice
        .poll(&second, &ask, |t| status(t) == "completed")
        .await;
    assert_eq!(sep::text(&done), "hello Luca, task true", "{done}");
}
