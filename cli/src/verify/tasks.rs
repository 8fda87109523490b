//! MCP tasks (2025-11-25), which the rmcp client cannot check: it drops `execution` from `tools/list` and speaks
//! only the newer SEP-2663 form (checked beside this by `tasks_sep2663.rs`). So this is one raw JSON-RPC
//! session over stdio, protocol 2025-11-25: the
//! `tasks` capability and every tool's `execution` compared with the spec, then one task-augmented call per
//! task-enabled tool (`tools/call` with `params.task`, then `tasks/result`), judged as a plain call is.

use std::process::Stdio;
use std::time::Duration;

use rmcp::model::CallToolResult;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

use super::call::{self, ToolCall, Verdict};
use super::expect::diff;
use super::{CheckResult, Difference};
use crate::spec::{Spec, TaskSupport};

const LABEL: &str = "stdio (tasks, 2025-11-25)";
const VERSION: &str = "2025-11-25";

/// The tools that may run as tasks.
pub(super) fn task_tools(spec: &Spec) -> impl Iterator<Item = &str> {
    spec.tools
        .iter()
        .filter(|t| {
            matches!(
                t.execution.as_ref().and_then(|e| e.task_support),
                Some(TaskSupport::Optional | TaskSupport::Required)
            )
        })
        .map(|t| t.name.as_str())
}

/// The checks of both eras, when the spec has task tools and serves stdio (tasks need a session); none
/// otherwise. `command` makes a server process for each session.
pub(super) async fn check(
    command: impl Fn() -> tokio::process::Command,
    spec: &Spec,
    calls: &[ToolCall],
    timeout: Duration,
) -> Vec<CheckResult> {
    if task_tools(spec).next().is_none() || spec.transports.stdio.is_none() {
        return Vec::new();
    }
    let (old, new) = tokio::join!(
        check_2025(command(), spec, calls, timeout),
        super::tasks_sep2663::check(command(), spec, calls, timeout)
    );
    old.into_iter().chain(new).collect()
}

async fn check_2025(
    command: tokio::process::Command,
    spec: &Spec,
    calls: &[ToolCall],
    timeout: Duration,
) -> Vec<CheckResult> {
    match Session::start(command, timeout).await {
        Ok(mut session) => {
            let results = session.checks(spec, calls).await;
            let _ = session.child.kill().await;
            results
        }
        Err(why) => vec![CheckResult::fail("initialize", LABEL, why)],
    }
}

struct Session {
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    next_id: u64,
    timeout: Duration,
    initialized: Value,
}

impl Session {
    async fn start(
        mut command: tokio::process::Command,
        timeout: Duration,
    ) -> Result<Session, String> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut session = Session {
            child,
            stdin,
            stdout,
            next_id: 0,
            timeout,
            initialized: Value::Null,
        };
        let params = json!({
            "protocolVersion": VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcpgen-verify", "version": env!("CARGO_PKG_VERSION")},
        });
        session.initialized = session.request("initialize", params).await?;
        session
            .send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await?;
        Ok(session)
    }

    async fn send(&mut self, message: Value) -> Result<(), String> {
        let mut line = message.to_string();
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|e| format!("cannot write to the server: {e}"))
    }

    /// Sends a request and returns its result; an error answer, silence or a closed stdout is the error.
    async fn request(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await?;
        let answer = async {
            while let Some(line) = self.stdout.next_line().await.ok().flatten() {
                let Ok(message) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                // Notifications (task statuses, logs) and requests are not this answer.
                if message.get("id") != Some(&json!(id)) || message.get("method").is_some() {
                    continue;
                }
                return match (message.get("result"), message.get("error")) {
                    (Some(result), _) => Ok(result.clone()),
                    (_, Some(error)) => Err(format!("{method}: JSON-RPC error {error}")),
                    _ => Err(format!("{method}: an answer with neither result nor error")),
                };
            }
            Err(format!("{method}: the server closed stdout"))
        };
        tokio::time::timeout(self.timeout, answer)
            .await
            .unwrap_or_else(|_| Err(format!("{method}: no answer within {:?}", self.timeout)))
    }

    async fn checks(&mut self, spec: &Spec, calls: &[ToolCall]) -> Vec<CheckResult> {
        let mut results = vec![self.capability()];
        results.push(self.execution(spec).await);
        for name in task_tools(spec) {
            if let Some(call) = calls.iter().find(|c| c.name == name) {
                results.push(self.task_call(call).await);
            }
        }
        results
    }

    /// `capabilities.tasks` as a 2025-11-25 server with task tools declares it.
    fn capability(&self) -> CheckResult {
        let want = json!({"list": {}, "cancel": {}, "requests": {"tools": {"call": {}}}});
        let got = &self.initialized["capabilities"]["tasks"];
        CheckResult::compared(
            "capabilities.tasks",
            LABEL,
            diff("/capabilities/tasks", &want, got),
        )
    }

    /// Every tool's `execution` in `tools/list`, as the spec writes it.
    async fn execution(&mut self, spec: &Spec) -> CheckResult {
        const CHECK: &str = "tools/list execution";
        let mut served = serde_json::Map::new();
        let mut cursor: Option<Value> = None;
        loop {
            let params = cursor.map_or_else(|| json!({}), |c| json!({"cursor": c}));
            let page = match self.request("tools/list", params).await {
                Ok(page) => page,
                Err(why) => return CheckResult::fail(CHECK, LABEL, why),
            };
            for tool in page["tools"].as_array().into_iter().flatten() {
                let name = tool["name"].as_str().unwrap_or_default().to_owned();
                served.insert(name, tool.get("execution").cloned().unwrap_or(Value::Null));
            }
            match page.get("nextCursor").filter(|c| !c.is_null()) {
                Some(next) => cursor = Some(next.clone()),
                None => break,
            }
        }
        let want: serde_json::Map<String, Value> = spec
            .tools
            .iter()
            .map(|t| {
                let execution = t.execution.as_ref().map_or(Value::Null, |e| json!(e));
                (t.name.clone(), execution)
            })
            .collect();
        CheckResult::compared(
            CHECK,
            LABEL,
            diff("/tools", &Value::Object(want), &Value::Object(served)),
        )
    }

    /// A task-augmented call with the tool's valid example arguments, then its result.
    async fn task_call(&mut self, call: &ToolCall) -> CheckResult {
        let check = format!("task tools/call {}", call.name);
        let arguments = match &call.arguments {
            Ok(arguments) => arguments,
            Err(why) => return CheckResult::skip(&check, LABEL, why.as_str()),
        };
        let params = json!({"name": call.name, "arguments": arguments, "task": {"ttl": 60_000}});
        let created = match self.request("tools/call", params).await {
            Ok(created) => created,
            Err(why) => return CheckResult::fail(&check, LABEL, why),
        };
        let Some(id) = created["task"]["taskId"].as_str().map(str::to_owned) else {
            return CheckResult::differs(
                &check,
                LABEL,
                Difference {
                    path: "/task/taskId".into(),
                    got: Some(created),
                    want: Some(json!("a task: {task: {taskId, status, ...}}")),
                },
            );
        };
        let result = match self.request("tasks/result", json!({"taskId": id})).await {
            Ok(result) => result,
            Err(why) => return CheckResult::fail(&check, LABEL, why),
        };
        let verdict = match serde_json::from_value::<CallToolResult>(result) {
            Ok(result) => call::judge(Ok(result), call.output.as_ref()),
            Err(e) => Verdict::Fail(format!("tasks/result is not a tools/call result: {e}")),
        };
        CheckResult::judged(&check, LABEL, verdict)
    }
}
