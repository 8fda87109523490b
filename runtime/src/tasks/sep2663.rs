//! MCP tasks as sessions on protocol 2026-07-28 have them: SEP-2663, the `io.modelcontextprotocol/tasks`
//! extension (`docs/compatibility.md`, "Tasks"). The server decides: a call of a task-enabled tool from a
//! client that declared the extension on the request is answered `resultType: "task"` at once and runs
//! in the background; `tasks/get` returns the task with its `result`, `error` or `inputRequests` inline,
//! `tasks/update` carries the answers to requests the handler made inside the task (elicitation,
//! sampling), and `tasks/cancel` acknowledges. The tasks are the same as 2025-11-25's ([`super::store`]:
//! ids, TTLs, caps, owner, cancellation); only their wire form is this file's.
//!
//! Served on stdio, where the connection owns its tasks, and on streamable HTTP, where 2026-07-28 has no
//! sessions: every request is stateless, so a task belongs to the request's principal (auth on) or to
//! whoever holds its unguessable id (auth off), lives in the server's store past the request that made
//! it, and, with Redis, is read, cancelled and updated through any instance (`shared.rs`).
//! `notifications/tasks`, asked for through `subscriptions/listen`'s `taskIds`, are sent by [`super::listen`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, CreateTaskResult, CustomRequest,
    CustomResult, ErrorCode, ServerCapabilities, TASKS_EXTENSION_ID,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use super::store::{Outcome, Owner, Status, Task, TaskStore};
use super::{RunningTask, wire};
use crate::context::since_2026;
use crate::defs::TaskSupport;
use crate::handler::Handler;

/// Who owns the tasks of a 2026-07-28 request over streamable HTTP, put in the request's extensions by
/// the transport's middleware (`tasks/http.rs`), which knows the server's auth.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpOwner(pub(crate) Owner);

/// The task store and the owner of this request's tasks, when it gets SEP-2663 tasks: the server has
/// task tools, the transport keeps them past the request (stdio's connection, or streamable HTTP's
/// server-wide store), and the request names protocol 2026-07-28 or later.
pub(crate) fn served<'h>(
    handler: &'h Handler,
    context: &RequestContext<RoleServer>,
) -> Option<(&'h Arc<TaskStore>, Owner)> {
    let store = handler.tasks()?;
    let owner = if handler.is_connection() {
        Owner::Session(handler.session_id())
    } else {
        let parts = context.extensions.get::<http::request::Parts>()?;
        parts.extensions.get::<HttpOwner>()?.0
    };
    since_2026(context).then_some((store, owner))
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
pub(crate) fn advertise(
    handler: &Handler,
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

/// A `tools/call`: the task it became (or the `input_required` answer asking the questions its handler
/// asks before the task), or `None` for a plain call. A tool whose `taskSupport` is
/// `required` or `optional` becomes a task whenever the client declared the extension (the spec author
/// marked it long-running; SEP-2663 leaves the choice to the server); a `required` one from a client that
/// did not is refused with -32021, as SEP-2663 asks of a request the server cannot serve without a task.
pub(crate) async fn call(
    handler: &Handler,
    params: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<Option<CallToolResponse>, ErrorData> {
    let Some((store, owner)) = served(handler, context) else {
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
    // Questions the handler asks up front (`Ctx::elicit_first`) come before the task (SEP-2322 rounds).
    let round = Arc::new(crate::mrtr::Round::of(params)?);
    let task = store.create(owner, None)?;
    let created = serde_json::from_value(Value::Object(base(&task.to_json())))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let first_step = super::start(
        handler,
        task.clone(),
        params.clone(),
        context.clone(),
        true,
        Some(round.clone()),
    );
    let _ = first_step.await;
    if round.unanswered() {
        store.discard(&task.id);
        return Ok(Some(CallToolResponse::InputRequired(round.needed().await?)));
    }
    tracing::info!(task = %task.id, tool = %params.name, "task created (SEP-2663)");
    #[cfg(feature = "redis")]
    if let (Some(shared), Some(key)) = (store.shared(), owner.key()) {
        shared.publish(key, task.clone(), false).await;
    }
    Ok(Some(CallToolResponse::Task(CreateTaskResult::new(created))))
}

/// The store and owner of a renamed SEP-2663 request (a task request or a listen for task ids): `-32601`
/// where such tasks are not served (as rmcp answers the method), `-32021` for a client that did not declare
/// the extension.
pub(super) fn admitted<'h>(
    handler: &'h Handler,
    request: &CustomRequest,
    context: &RequestContext<RoleServer>,
) -> Result<(&'h Arc<TaskStore>, Owner), ErrorData> {
    let Some(served) = served(handler, context) else {
        return Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            wire::wire_name(&request.method).to_owned(),
            None,
        ));
    };
    if !declared(context) {
        return Err(missing_capability());
    }
    Ok(served)
}

/// Answers `tasks/get`, `tasks/update` and `tasks/cancel` (renamed by the transport, `wire.rs`) for a
/// 2026-07-28 request.
pub(crate) async fn handle(
    handler: &Handler,
    request: &CustomRequest,
    context: &RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    let (store, owner) = admitted(handler, request, context)?;
    let id = super::task_id(request)?;
    let task = match store.get(owner, id) {
        Ok(task) => task,
        Err(error) => {
            // Not this instance's: another one may run it.
            #[cfg(feature = "redis")]
            if let (Some(shared), Some(key)) = (store.shared(), owner.key()) {
                return remote(shared, &key, id, request).await;
            }
            return Err(error);
        }
    };
    match request.method.as_str() {
        wire::GET => return Ok(got(current(&task))),
        wire::UPDATE => task.inputs.answer(responses(request)?),
        // Cooperative: a task that already ended keeps its status, and the ack is the same.
        _ => {
            if !task.status().is_terminal() {
                let _ = store.cancel(owner, &task.id);
                tracing::info!(task = %task.id, "task cancelled by the client");
            }
        }
    }
    Ok(acknowledged())
}

/// A task request for a task another instance runs, from its record in Redis: `tasks/update`'s answers
/// wait there for the runner, which takes them at its next write.
#[cfg(feature = "redis")]
async fn remote(
    shared: &super::shared::SharedTasks,
    owner: &str,
    id: &str,
    request: &CustomRequest,
) -> Result<CustomResult, ErrorData> {
    let (task, outcome) = shared.snapshot(owner, id).await?;
    let status = task
        .get("status")
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .unwrap_or(Status::Working);
    match request.method.as_str() {
        wire::GET => {
            let mut object = base(&task);
            let requests = match object.remove("inputRequests") {
                Some(Value::Object(requests)) => requests,
                _ => Map::new(),
            };
            return Ok(got(detailed(object, status, requests, outcome)));
        }
        wire::UPDATE => shared.update(owner, id, responses(request)?).await?,
        _ if status.is_terminal() => {}
        _ => {
            if shared.cancel(owner, id).await.is_ok() {
                tracing::info!(task = %id, "task cancelled by the client");
            } else {
                // Ended meanwhile (the ack is the same), or gone, or Redis failed: say which.
                shared.snapshot(owner, id).await?;
            }
        }
    }
    Ok(acknowledged())
}

/// The answer to `tasks/get`.
fn got(mut task: Map<String, Value>) -> CustomResult {
    task.insert("resultType".into(), "complete".into());
    CustomResult(Value::Object(task))
}

fn acknowledged() -> CustomResult {
    CustomResult(json!({ "resultType": "complete" }))
}

/// `params.inputResponses` of `tasks/update`.
fn responses(request: &CustomRequest) -> Result<&Map<String, Value>, ErrorData> {
    super::param(request, "inputResponses")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ErrorData::invalid_params("params.inputResponses (an object) is required", None)
        })
}

/// The `DetailedTask` of a task this instance holds, as `tasks/get` and `notifications/tasks` carry it.
pub(super) fn current(task: &Task) -> Map<String, Value> {
    let requests = task.inputs.requests();
    detailed(
        base(&task.to_json()),
        task.status(),
        requests,
        task.settled(),
    )
}

/// The `Task` fields of SEP-2663 from a task's 2025-11-25 JSON (`ttlMs`, `pollIntervalMs`: 2025-11-25
/// names them `ttl`, `pollInterval`).
fn base(task: &Value) -> Map<String, Value> {
    let mut object = task.as_object().cloned().unwrap_or_default();
    for (old, new) in [("ttl", "ttlMs"), ("pollInterval", "pollIntervalMs")] {
        if let Some(value) = object.remove(old) {
            object.insert(new.into(), value);
        }
    }
    object
}

/// The `DetailedTask`: the status with its payload (the requests waiting for `tasks/update`, the
/// outcome). A tool result with `isError: true` is `completed` with that result (2025-11-25 calls it
/// `failed`); only a JSON-RPC error is `failed`, with `error`.
fn detailed(
    mut object: Map<String, Value>,
    status: Status,
    requests: Map<String, Value>,
    outcome: Option<Outcome>,
) -> Map<String, Value> {
    let (status, payload) = match status {
        // Answered; the handler has not yet moved the task back to `working`.
        Status::InputRequired if requests.is_empty() => ("working", None),
        Status::InputRequired => (
            "input_required",
            Some(("inputRequests", Value::Object(requests))),
        ),
        Status::Completed | Status::Failed => match outcome {
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
    /// The requests still waiting, by key (`inputRequests`).
    pub(super) fn requests(&self) -> Map<String, Value> {
        let state = self.0.lock().expect("task inputs lock");
        state
            .pending
            .iter()
            .map(|(key, (request, _))| (key.clone(), request.clone()))
            .collect()
    }

    /// `tasks/update`: answers go to the requests still waiting; other keys are ignored.
    pub(super) fn answer(&self, responses: &Map<String, Value>) {
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
