//! MCP tasks as sessions on protocol 2026-07-28 have them: SEP-2663, the `io.modelcontextprotocol/tasks`
//! extension (`docs/compatibility.md`, "Tasks"). The server decides: a call of a task-enabled tool from a
//! client that declared the extension on the request is answered `resultType: "task"` at once and runs
//! in the background; `tasks/get` returns the task with its `result`, `error` or `inputRequests` inline,
//! `tasks/update` carries the answers to requests the handler made inside the task (elicitation,
//! sampling), and `tasks/cancel` acknowledges. The tasks are the same as 2025-11-25's ([`super::store`]:
//! ids, TTLs, caps, owner, cancellation); only their wire form is this file's.
//!
//! Served where one connection outlives the call (stdio). On streamable HTTP, 2026-07-28 has no sessions:
//! every request is stateless, so no task could be polled by its owner and tools run as plain calls.
//! `notifications/tasks` are not sent: a client asks for them through `subscriptions/listen`'s `taskIds`,
//! which rmcp 3.11's subscription filter does not carry.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, CreateTaskResult, CustomRequest, CustomResult,
    ErrorCode, ServerCapabilities, TASKS_EXTENSION_ID,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use super::store::{Status, Task, TaskStore};
use super::{RunningTask, wire};
use crate::app::App;
use crate::defs::TaskSupport;
use crate::handler::Handler;

/// The task store, when this request gets SEP-2663 tasks: the server has task tools, the transport keeps
/// the session for as long as its tasks, and the request names protocol 2026-07-28 or later.
pub(crate) fn served<'h, A: App>(
    handler: &'h Handler<A>,
    context: &RequestContext<RoleServer>,
) -> Option<&'h Arc<TaskStore>> {
    let store = handler.tasks().filter(|_| handler.is_connection())?;
    let version = context.protocol_version()?;
    (version.as_str() >= "2026-07-28").then_some(store)
}

/// Whether the client declared the extension (on this request, or in `server/discover`'s `_meta`).
fn declared(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks())
}

fn missing_capability() -> ErrorData {
    ErrorData::missing_required_client_capability(
        ClientCapabilities::builder().enable_tasks().build(),
    )
}

/// Adds the extension to the capabilities `server/discover` answers, when the client declared it.
pub(crate) fn advertise<A: App>(
    handler: &Handler<A>,
    context: &RequestContext<RoleServer>,
    capabilities: &mut ServerCapabilities,
) {
    if served(handler, context).is_some() && declared(context) {
        capabilities
            .extensions
            .get_or_insert_with(Default::default)
            .insert(TASKS_EXTENSION_ID.to_owned(), Map::new());
    }
}

/// A `tools/call`: the task it became, or `None` for a plain call. A tool whose `taskSupport` is
/// `required` or `optional` becomes a task whenever the client declared the extension (the spec author
/// marked it long-running; SEP-2663 leaves the choice to the server); a `required` one from a client that
/// did not is refused with -32021, as SEP-2663 asks of a request the server cannot serve without a task.
pub(crate) fn call<A: App>(
    handler: &Handler<A>,
    params: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<Option<CreateTaskResult>, ErrorData> {
    let Some(store) = served(handler, context) else {
        return Ok(None);
    };
    // The task's own run of the tool.
    if context.extensions.get::<RunningTask>().is_some() {
        return Ok(None);
    }
    let support = handler.task_support(&params.name);
    if !matches!(support, Some(TaskSupport::Optional | TaskSupport::Required)) {
        return Ok(None);
    }
    if !declared(context) {
        return match support {
            Some(TaskSupport::Required) => Err(missing_capability()),
            _ => Ok(None),
        };
    }
    let task = store.create(handler.session_id(), None)?;
    tracing::info!(task = %task.id, tool = %params.name, "task created (SEP-2663)");
    let created = serde_json::from_value(Value::Object(base(&task)))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    super::start(handler, task, params.clone(), context.clone(), true);
    Ok(Some(CreateTaskResult::new(created)))
}

/// Answers `tasks/get`, `tasks/update` and `tasks/cancel` (renamed by the transport, `wire.rs`) for a
/// 2026-07-28 request.
pub(crate) fn handle<A: App>(
    handler: &Handler<A>,
    request: &CustomRequest,
    context: &RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    let Some(store) = served(handler, context) else {
        return Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            wire::wire_name(&request.method).to_owned(),
            None,
        ));
    };
    if !declared(context) {
        return Err(missing_capability());
    }
    let task = store.get(handler.session_id(), super::task_id(request)?)?;
    match request.method.as_str() {
        wire::GET => {
            let mut answer = detailed(&task);
            answer.insert("resultType".into(), "complete".into());
            return Ok(CustomResult(Value::Object(answer)));
        }
        wire::UPDATE => {
            let responses = super::param(request, "inputResponses")
                .and_then(Value::as_object)
                .ok_or_else(|| {
                    ErrorData::invalid_params("params.inputResponses (an object) is required", None)
                })?;
            task.inputs.answer(responses);
        }
        // Cooperative: a task that already ended keeps its status, and the ack is the same.
        _ => {
            if !task.status().is_terminal() {
                let _ = store.cancel(handler.session_id(), &task.id);
                tracing::info!(task = %task.id, "task cancelled by the client");
            }
        }
    }
    Ok(CustomResult(json!({ "resultType": "complete" })))
}

/// The `Task` fields of SEP-2663 (`ttlMs`, `pollIntervalMs`: 2025-11-25 names them `ttl`, `pollInterval`).
fn base(task: &Task) -> Map<String, Value> {
    let Value::Object(mut object) = task.to_json() else {
        unreachable!("a task is an object")
    };
    for (old, new) in [("ttl", "ttlMs"), ("pollInterval", "pollIntervalMs")] {
        if let Some(value) = object.remove(old) {
            object.insert(new.into(), value);
        }
    }
    object
}

/// The `DetailedTask`: the status with its payload. A tool result with `isError: true` is `completed`
/// with that result (2025-11-25 calls it `failed`); only a JSON-RPC error is `failed`, with `error`.
fn detailed(task: &Task) -> Map<String, Value> {
    let mut object = base(task);
    let (status, payload) = match task.status() {
        Status::InputRequired => {
            let requests = task.inputs.requests();
            if requests.is_empty() {
                // Answered; the handler has not yet moved the task back to `working`.
                ("working", None)
            } else {
                (
                    "input_required",
                    Some(("inputRequests", Value::Object(requests))),
                )
            }
        }
        Status::Completed | Status::Failed => match task.settled() {
            Some(Ok(result)) => ("completed", Some(("result", result))),
            Some(Err(error)) => {
                let error = serde_json::to_value(error).unwrap_or_else(|_| json!({}));
                ("failed", Some(("error", error)))
            }
            None => return object,
        },
        Status::Working | Status::Cancelled => return object,
    };
    object.insert("status".into(), status.into());
    if let Some((key, value)) = payload {
        object.insert(key.into(), value);
    }
    object
}

/// Requests to the client that a task waits on (`inputRequests`), each answered through `tasks/update`.
#[derive(Default)]
pub(crate) struct Inputs(Mutex<InputsState>);

#[derive(Default)]
struct InputsState {
    /// Keys are never reused within a task, as SEP-2663 asks.
    next: u64,
    pending: BTreeMap<String, (Value, oneshot::Sender<Value>)>,
}

impl Inputs {
    fn requests(&self) -> Map<String, Value> {
        let state = self.0.lock().expect("task inputs lock");
        state
            .pending
            .iter()
            .map(|(key, (request, _))| (key.clone(), request.clone()))
            .collect()
    }

    /// `tasks/update`: answers go to the requests still waiting; other keys are ignored.
    fn answer(&self, responses: &Map<String, Value>) {
        let mut state = self.0.lock().expect("task inputs lock");
        for (key, response) in responses {
            if let Some((_, answer)) = state.pending.remove(key) {
                let _ = answer.send(response.clone());
            }
        }
    }
}

/// Asks the client `{method, params}` from inside `task` and waits for the answer `tasks/update` brings;
/// the task is `input_required` meanwhile. `None` when the task was cancelled or expired first.
pub(crate) async fn ask(task: &Task, method: &str, params: Value) -> Option<Value> {
    let (sender, answer) = oneshot::channel();
    let key = {
        let mut state = task.inputs.0.lock().expect("task inputs lock");
        state.next += 1;
        let key = format!("input-{}", state.next);
        let request = json!({ "method": method, "params": params });
        state.pending.insert(key.clone(), (request, sender));
        key
    };
    task.set_input_required(true);
    let answer = tokio::select! {
        answer = answer => answer.ok(),
        () = task.cancel.cancelled() => None,
    };
    let mut state = task.inputs.0.lock().expect("task inputs lock");
    state.pending.remove(&key);
    if state.pending.is_empty() {
        drop(state);
        task.set_input_required(false);
    }
    answer
}
