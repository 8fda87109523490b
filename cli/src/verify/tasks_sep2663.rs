//! MCP tasks in the form of protocol 2026-07-28 (SEP-2663, the `io.modelcontextprotocol/tasks` extension),
//! which a generated server serves on stdio. rmcp's client speaks it, so this is an rmcp session that opens
//! with `server/discover` and declares the extension: the extension in the answer, then one call per
//! task-enabled tool, which must come back as a task, polled with `tasks/get` until it ends and judged as a
//! plain call is.

use std::process::Stdio;
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams, ClientConfig,
    GetTaskParams, Implementation, ProtocolVersion, TASKS_EXTENSION_ID, TaskPayload,
};
use rmcp::service::{ClientLifecycleMode, RoleClient, RunningService, serve_client_with_lifecycle};
use serde_json::{Value, json};

use super::call::{self, ToolCall, Verdict};
use super::tasks::task_tools;
use super::{CheckResult, Difference};
use crate::spec::Spec;

const LABEL: &str = "stdio (tasks, 2026-07-28)";

type Client = RunningService<RoleClient, ClientConfig>;

/// The checks, in a session of their own on the server `command` starts (`tasks::check` decides when).
pub(super) async fn check(
    mut command: tokio::process::Command,
    spec: &Spec,
    calls: &[ToolCall],
    timeout: Duration,
) -> Vec<CheckResult> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return vec![CheckResult::fail(
                "start",
                LABEL,
                format!("cannot start: {e}"),
            )];
        }
    };
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let capabilities = json!({ "extensions": { TASKS_EXTENSION_ID: {} } });
    let info = ClientConfig::new(
        serde_json::from_value(capabilities).expect("client capabilities"),
        Implementation::new("mcpgen-verify", env!("CARGO_PKG_VERSION")),
    );
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    let connect = serve_client_with_lifecycle(info, (stdout, stdin), lifecycle);
    let client = match tokio::time::timeout(timeout, connect).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => return vec![CheckResult::fail("server/discover", LABEL, e.to_string())],
        Err(_) => {
            let why = format!("no answer within {timeout:?}");
            return vec![CheckResult::fail("server/discover", LABEL, why)];
        }
    };
    let mut results = vec![capability(&client)];
    for name in task_tools(spec) {
        if let Some(call) = calls.iter().find(|c| c.name == name) {
            results.push(task_call(&client, call, timeout).await);
        }
    }
    let _ = tokio::time::timeout(timeout, client.cancel()).await;
    let _ = child.kill().await;
    results
}

/// The extension in `server/discover`'s capabilities, as a server with task tools declares it to a client
/// that declares it.
fn capability(client: &Client) -> CheckResult {
    const CHECK: &str = "capabilities.extensions tasks";
    let declared = client
        .peer_info()
        .is_some_and(|info| info.capabilities.supports_tasks());
    if declared {
        return CheckResult::pass(CHECK, LABEL);
    }
    CheckResult::differs(
        CHECK,
        LABEL,
        Difference {
            path: format!("/capabilities/extensions/{TASKS_EXTENSION_ID}"),
            got: None,
            want: Some(json!({})),
        },
    )
}

/// A call with the tool's valid example arguments, which must become a task, then `tasks/get` until the
/// task ends (within `timeout`).
async fn task_call(client: &Client, call: &ToolCall, timeout: Duration) -> CheckResult {
    let check = format!("task tools/call {}", call.name);
    let arguments = match &call.arguments {
        Ok(arguments) => arguments,
        Err(why) => return CheckResult::skip(&check, LABEL, why.as_str()),
    };
    let params = CallToolRequestParams::new(call.name.clone()).with_arguments(arguments.clone());
    let created = match tokio::time::timeout(timeout, client.call_tool_once(params)).await {
        Ok(Ok(CallToolResponse::Task(created))) => created,
        Ok(Ok(other)) => {
            return CheckResult::differs(
                &check,
                LABEL,
                Difference {
                    path: "/resultType".into(),
                    got: Some(json!(format!("{other:?}"))),
                    want: Some(json!("task")),
                },
            );
        }
        Ok(Err(e)) => return CheckResult::fail(&check, LABEL, e.to_string()),
        Err(_) => return CheckResult::fail(&check, LABEL, format!("no answer within {timeout:?}")),
    };
    let id = created.task.task_id;
    let poll = Duration::from_millis(created.task.poll_interval_ms.unwrap_or(100).clamp(10, 1000));
    let deadline = tokio::time::Instant::now() + timeout;
    let verdict = loop {
        let task = match client.get_task(GetTaskParams::new(id.clone())).await {
            Ok(task) => task.task,
            Err(e) => break Verdict::Fail(format!("tasks/get: {e}")),
        };
        match task.payload {
            TaskPayload::Completed { result } => {
                break match serde_json::from_value::<CallToolResult>(Value::Object(result)) {
                    Ok(result) => call::judge(Ok(result), call.output.as_ref()),
                    Err(e) => {
                        Verdict::Fail(format!("the task's result is no tools/call result: {e}"))
                    }
                };
            }
            TaskPayload::Failed { error } => {
                let error = serde_json::from_value(Value::Object(error)).map_err(|e| {
                    Verdict::Fail(format!("the task's error is no JSON-RPC error: {e}"))
                });
                break match error {
                    Ok(error) => call::judge(Err(rmcp::ServiceError::McpError(error)), None),
                    Err(verdict) => verdict,
                };
            }
            TaskPayload::InputRequired { .. } => {
                break Verdict::Skip(
                    "the task waits for input from the client (verify answers none)".into(),
                );
            }
            TaskPayload::Cancelled => break Verdict::Fail("the task was cancelled".into()),
            _ => {}
        }
        if tokio::time::Instant::now() >= deadline {
            break Verdict::Fail(format!("the task did not end within {timeout:?}"));
        }
        tokio::time::sleep(poll).await;
    };
    // A task still running (waiting for input, or late) is not left behind; for one that ended, an ack.
    let _ = tokio::time::timeout(timeout, client.cancel_task(CancelTaskParams::new(id))).await;
    CheckResult::judged(&check, LABEL, verdict)
}
