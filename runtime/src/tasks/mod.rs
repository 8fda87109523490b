//! MCP tasks as the 2025-11-25 specification defines them: `execution.taskSupport` on tools, a
//! task-augmented `tools/call` answered at once with a task while the same handler runs in the
//! background, and `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel`; and, in [`sep2663`], the
//! same tasks in the form of 2026-07-28's tasks extension.
//!
//! rmcp 3.11's dispatcher knows only the SEP-2663 form (`docs/compatibility.md`, "Tasks"), so the
//! handler answers the task methods of both eras in front of it, and [`wire`] carries what rmcp's types
//! drop. 2025-11-25 tasks are served to sessions that negotiated it over stdio and stateful streamable
//! HTTP, SEP-2663 tasks to 2026-07-28 requests on stdio and streamable HTTP (both modes: that version
//! has no sessions, so its tasks belong to the principal); elsewhere (2025-11-25 on stateless HTTP, where
//! no session can poll, legacy SSE, Lambda, older versions) a tool runs as a plain call.

#[cfg(feature = "streamable-http")]
pub(crate) mod http;
mod listen;
pub(crate) mod sep2663;
#[cfg(feature = "redis")]
pub(crate) mod shared;
#[cfg(feature = "stdio")]
pub(crate) mod stdio;
pub(crate) mod store;
#[cfg(all(test, feature = "stdio"))]
mod tests;
#[cfg(all(test, feature = "streamable-http"))]
mod tests_mrtr_http;
#[cfg(all(test, feature = "redis"))]
mod tests_redis_store;
#[cfg(all(test, feature = "stdio"))]
mod tests_sep2663;
#[cfg(all(test, feature = "streamable-http"))]
mod tests_sep2663_http;
pub(crate) mod wire;

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequest, CallToolRequestParams, ClientRequest, CustomNotification, CustomRequest,
    CustomResult, ErrorCode, ServerNotification,
};
use rmcp::service::{Peer, RequestContext, RoleServer, Service};
use serde_json::{Value, json};

use super::defs::TaskSupport;
use super::handler::Handler;
use store::{Task, TaskStore};

/// The notification of a task's new status.
pub(crate) const STATUS_NOTIFICATION: &str = "notifications/tasks/status";

/// `_meta` key of the result of `tasks/result`, naming its task.
pub(crate) const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";

/// What a handler running as a task finds in its request's extensions (`Ctx::task_status`).
#[derive(Clone)]
pub(crate) struct RunningTask {
    pub(crate) task: Arc<Task>,
    /// A SEP-2663 task: requests to the client go through `inputRequests` and `tasks/update`, since
    /// 2026-07-28 has no server-to-client requests.
    pub(crate) sep2663: bool,
}

/// Held by a session's handler: when the session ends, its tasks can never be polled again, so they
/// stop and are freed.
pub(crate) struct SessionTasks {
    store: Arc<TaskStore>,
    owner: u64,
}

impl SessionTasks {
    pub(crate) fn new(store: Arc<TaskStore>, owner: u64) -> Self {
        SessionTasks { store, owner }
    }
}

impl Drop for SessionTasks {
    fn drop(&mut self) {
        self.store.end_session(self.owner);
    }
}

/// The task store, when this session may use tasks: the server has task tools, the transport serves
/// them, and the session negotiated a protocol version that defines them this way.
pub(crate) fn served<'h>(
    handler: &'h Handler,
    context: &RequestContext<RoleServer>,
) -> Option<&'h Arc<TaskStore>> {
    let store = handler.tasks().filter(|_| handler.has_sessions())?;
    let version = context.protocol_version()?;
    wire::is_task_era(version.as_str()).then_some(store)
}

/// The protocol's answer to a plain call of a `required` tool.
pub(crate) fn task_required(name: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!(
            "Tool '{name}' must be called as a task (its execution.taskSupport is \"required\"): \
             send params.task"
        ),
        None,
    )
}

fn custom(value: Value) -> CustomResult {
    CustomResult(value)
}

fn param<'r>(request: &'r CustomRequest, name: &str) -> Option<&'r Value> {
    request.params.as_ref()?.get(name)
}

/// `params.taskId`.
fn task_id(request: &CustomRequest) -> Result<&str, ErrorData> {
    param(request, "taskId")
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorData::invalid_params("params.taskId (a string) is required", None))
}

/// Answers a task request, or hands the request back when it is none (or tasks are not served and
/// rmcp would not know the method either).
pub(crate) async fn handle(
    handler: &Handler,
    request: CustomRequest,
    context: RequestContext<RoleServer>,
) -> Result<Result<CustomResult, ErrorData>, CustomRequest> {
    let method = request.method.as_str();
    if ![
        wire::CALL,
        wire::GET,
        wire::CANCEL,
        wire::UPDATE,
        wire::LISTEN,
        "tasks/result",
        "tasks/list",
    ]
    .contains(&method)
    {
        return Err(request);
    }
    // SEP-2663's alone (`listen.rs` refuses older versions).
    if method == wire::LISTEN {
        return Ok(listen::listen(handler, &request, &context).await);
    }
    if method != wire::CALL && crate::context::since_2026(&context) {
        return match method {
            wire::GET | wire::CANCEL | wire::UPDATE => {
                Ok(sep2663::handle(handler, &request, &context).await)
            }
            _ => Err(request),
        };
    }
    let Some(store) = served(handler, &context) else {
        return match method {
            // Not served to this session: the task is ignored, as the specification asks.
            wire::CALL => Ok(plain_call(handler, &request, context).await),
            wire::GET | wire::CANCEL | wire::UPDATE => Ok(Err(ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                wire::wire_name(method).to_owned(),
                None,
            ))),
            _ => Err(request),
        };
    };
    let owner = handler.session_id();
    #[cfg(feature = "redis")]
    if method != wire::CALL
        && let Some((shared, session)) = shared_session(store, &context)
    {
        return Ok(across(store, owner, &shared, &session, &request, context).await);
    }
    Ok(match method {
        wire::CALL => call(handler, store, &request, context).await,
        wire::GET => task_id(&request)
            .and_then(|id| store.get(owner, id))
            .map(|task| custom(task.to_json())),
        wire::CANCEL => task_id(&request)
            .and_then(|id| store.cancel(owner, id))
            .map(|task| {
                tracing::info!(task = %task.id, "task cancelled by the client");
                custom(task.to_json())
            }),
        "tasks/list" => store
            .list(owner, param(&request, "cursor").and_then(Value::as_str))
            .map(custom),
        wire::UPDATE => Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            "tasks/update",
            None,
        )),
        _ => match task_id(&request).and_then(|id| store.get(owner, id)) {
            Ok(task) => wait(task.outcome(), &task.id, &context).await,
            Err(error) => Err(error),
        },
    })
}

/// `tasks/result`: the outcome once `outcome` has it. The client may give up waiting
/// (notifications/cancelled), or the session may end.
async fn wait(
    outcome: impl std::future::Future<Output = store::Outcome>,
    id: &str,
    context: &RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    tokio::select! {
        outcome = outcome => outcome.map(|result| custom(related(result, id))),
        () = context.ct.cancelled() => Err(ErrorData::internal_error("tasks/result was cancelled", None)),
    }
}

/// The task mirror and this request's MCP session id, when tasks are shared across instances.
#[cfg(feature = "redis")]
fn shared_session(
    store: &TaskStore,
    context: &RequestContext<RoleServer>,
) -> Option<(Arc<shared::SharedTasks>, String)> {
    let shared = store.shared()?.clone();
    let parts = context.extensions.get::<axum::http::request::Parts>()?;
    let session = parts.headers.get("mcp-session-id")?.to_str().ok()?;
    Some((shared, session.to_owned()))
}

/// A task request when tasks are shared: a task this instance runs is answered here, as without
/// Redis; another one from its record in Redis. `tasks/list` lists the session's tasks of every
/// instance (this instance's alone while Redis fails).
#[cfg(feature = "redis")]
async fn across(
    store: &TaskStore,
    owner: u64,
    shared: &shared::SharedTasks,
    session: &str,
    request: &CustomRequest,
    context: RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    let method = request.method.as_str();
    if method == "tasks/list" {
        let cursor = param(request, "cursor").and_then(Value::as_str);
        return match shared.list(session, cursor).await {
            Err(error) if error.code == ErrorCode::INTERNAL_ERROR => {
                tracing::warn!(%error.message, "tasks/list falls back to this instance's tasks");
                store.list(owner, cursor).map(custom)
            }
            listed => listed.map(custom),
        };
    }
    let id = task_id(request)?;
    let local = store.get(owner, id).ok();
    match (method, local) {
        (wire::GET, Some(task)) => Ok(custom(task.to_json())),
        (wire::GET, None) => shared.get(session, id).await.map(custom),
        (wire::CANCEL, local) => {
            let cancelled = match local {
                Some(_) => store.cancel(owner, id).map(|task| task.to_json()),
                None => shared.cancel(session, id).await,
            };
            cancelled.map(|task| {
                tracing::info!(task = %id, "task cancelled by the client");
                custom(task)
            })
        }
        (wire::UPDATE, _) => Err(ErrorData::new(
            ErrorCode::METHOD_NOT_FOUND,
            "tasks/update",
            None,
        )),
        (_, Some(task)) => wait(task.outcome(), id, &context).await,
        (_, None) => wait(shared.outcome(session, id), id, &context).await,
    }
}

/// The result of `tasks/result`: the call's own, with the related-task `_meta` the specification asks for.
fn related(mut result: Value, id: &str) -> Value {
    if let Some(object) = result.as_object_mut()
        && let Some(meta) = object
            .entry("_meta")
            .or_insert_with(|| json!({}))
            .as_object_mut()
    {
        meta.insert(RELATED_TASK.to_owned(), json!({ "taskId": id }));
    }
    result
}

fn call_params(request: &CustomRequest) -> Result<CallToolRequestParams, ErrorData> {
    request
        .params_as::<CallToolRequestParams>()
        .ok()
        .flatten()
        .ok_or_else(|| ErrorData::invalid_params("invalid params for `tools/call`", None))
}

/// A `tools/call` through rmcp's whole dispatch, as JSON: what a plain call answers. Boxed: this runs
/// inside the dispatch it calls (through `on_custom_request`), and a future cannot contain itself.
fn run(
    handler: &Handler,
    params: CallToolRequestParams,
    context: RequestContext<RoleServer>,
) -> BoxFuture<'_, Result<Value, ErrorData>> {
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    Box::pin(async move {
        let result = Service::handle_request(handler, request, context).await?;
        serde_json::to_value(result).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    })
}

async fn plain_call(
    handler: &Handler,
    request: &CustomRequest,
    context: RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    run(handler, call_params(request)?, context)
        .await
        .map(custom)
}

/// A task-augmented `tools/call`: the task at once, the handler in the background.
async fn call(
    handler: &Handler,
    store: &Arc<TaskStore>,
    request: &CustomRequest,
    context: RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    let params = call_params(request)?;
    let name = params.name.clone();
    match handler.task_support(&name) {
        // An unknown tool: the plain call's error.
        None => return run(handler, params, context).await.map(custom),
        Some(TaskSupport::Forbidden) => {
            return Err(ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!(
                    "Tool '{name}' cannot be called as a task (its execution.taskSupport is not \
                     \"optional\" or \"required\"): call it without params.task"
                ),
                None,
            ));
        }
        Some(_) => {}
    }
    let ttl = param(request, "task")
        .and_then(|task| task.get("ttl"))
        .and_then(Value::as_u64);
    let task = store.create(handler.session_id(), ttl)?;
    tracing::info!(task = %task.id, tool = %name, "task created");
    #[cfg(feature = "redis")]
    if let Some((shared, session)) = shared_session(store, &context) {
        shared.publish(session, task.clone(), true).await;
    }
    let created = json!({ "task": task.to_json() });
    tokio::spawn(notify_status(task.clone(), context.peer.clone()));
    start(handler, task, params, context, false, None);
    Ok(custom(created))
}

/// Runs the call of `task` in the background, through the same path as a plain call, so the result is
/// exactly what that call would have answered; the handler's cancellation token is the task's. With a
/// `round` (SEP-2322 answers gathered before the task, `crate::mrtr`), the answer comes after the
/// handler's first step: if it stopped at a question the round does not answer, the run is abandoned and
/// the task must not be announced.
fn start(
    handler: &Handler,
    task: Arc<Task>,
    params: CallToolRequestParams,
    mut context: RequestContext<RoleServer>,
    sep2663: bool,
    round: Option<Arc<crate::mrtr::Round>>,
) -> tokio::sync::oneshot::Receiver<()> {
    context.ct = task.cancel.clone();
    context.extensions.insert(RunningTask {
        task: task.clone(),
        sep2663,
    });
    if let Some(round) = &round {
        context.extensions.insert(round.clone());
    }
    let (stepped, first_step) = tokio::sync::oneshot::channel();
    let handler = handler.detached();
    tokio::spawn(async move {
        let mut call = run(&handler, params, context);
        // The first poll runs the handler up to its first wait: answered questions do not wait.
        let first = futures::poll!(call.as_mut());
        if round.as_ref().is_some_and(|round| round.unanswered()) {
            let _ = stepped.send(());
            return;
        }
        if let Some(round) = &round {
            round.close();
        }
        let _ = stepped.send(());
        let outcome = match first {
            std::task::Poll::Ready(outcome) => outcome,
            std::task::Poll::Pending => call.await,
        };
        task.finish(outcome);
        tracing::info!(task = %task.id, status = ?task.status(), "task finished");
    });
    first_step
}

/// Sends `notifications/tasks/status` on each change of the task's status until a terminal one, so a client
/// need not poll (the specification makes them optional; clients still poll). A notification that cannot be
/// sent (the session is gone) ends the watch.
async fn notify_status(task: Arc<Task>, peer: Peer<RoleServer>) {
    let mut status = task.watch();
    while status.changed().await.is_ok() {
        let terminal = status.borrow_and_update().is_terminal();
        let notification = CustomNotification::new(STATUS_NOTIFICATION, Some(task.to_json()));
        if peer
            .send_notification(ServerNotification::CustomNotification(notification))
            .await
            .is_err()
            || terminal
        {
            break;
        }
    }
}
