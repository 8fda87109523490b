//! `notifications/tasks` (SEP-2663): a client names task ids in `subscriptions/listen`'s
//! `params.notifications.taskIds`, and on that subscription's stream gets each change of their status as
//! the whole `DetailedTask`, as `tasks/get` would answer it at that moment.
//!
//! rmcp 3.11 cannot carry this: its `SubscriptionFilter` has no `taskIds` (serde drops them), and its
//! `SubscriptionSink::send` refuses `TaskStatusNotification`. So the transport renames such a request
//! (`wire.rs`), and this module serves the whole subscription as rmcp's `SubscriptionContext` would: the
//! `notifications/subscriptions/acknowledged` naming what it accepted, then the notifications, each with
//! the subscription's id (the request's) in `_meta`, then the final result once every accepted task is
//! terminal (nothing more can come, and an open stream would hold a resumable HTTP stream for good),
//! unless the client cancels the request first.
//!
//! Only the ids of tasks the request's owner may reach with `tasks/get` are accepted (an unknown, expired
//! or another owner's id is left out of the acknowledgement alike), and only tasks this instance holds:
//! with Redis, a task another instance runs is left out too, and its client polls `tasks/get`. The other
//! categories of the filter are not served (the runtime serves none through `subscriptions/listen`), so
//! the acknowledgement names task ids alone.

use std::sync::Arc;

use futures::future::join_all;
use rmcp::model::{
    CustomNotification, CustomRequest, CustomResult, GetMeta as _, RequestId, ServerNotification,
    SubscriptionsListenResult,
};
use rmcp::service::{Peer, RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler as _};
use serde_json::{Value, json};

use super::sep2663::{admitted, current};
use super::store::{Status, Task};
use crate::handler::Handler;

/// The notification that carries a task's new status.
const TASK_NOTIFICATION: &str = "notifications/tasks";

/// The notification that opens a subscription's stream.
const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";

/// Serves a renamed `subscriptions/listen` until each accepted task is terminal (then the final result), or
/// until the client cancels it or goes away.
pub(super) async fn listen(
    handler: &Handler,
    request: &CustomRequest,
    context: &RequestContext<RoleServer>,
) -> Result<CustomResult, ErrorData> {
    // SEP-2663: a client asking for task notifications without the extension gets -32021.
    let (store, owner) = admitted(handler, request, context)?;
    let mut tasks: Vec<Arc<Task>> = Vec::new();
    for id in task_ids(request)? {
        if let Ok(task) = store.get(owner, id)
            && !tasks.iter().any(|known| known.id == task.id)
        {
            tasks.push(task);
        }
    }
    let accepted: Vec<&str> = tasks.iter().map(|task| task.id.as_str()).collect();
    let acknowledgement = json!({ "notifications": { "taskIds": accepted } });
    send(&context.peer, &context.id, ACKNOWLEDGED, acknowledgement).await?;
    let following = join_all(
        tasks
            .iter()
            .map(|task| follow(task, &context.peer, &context.id)),
    );
    tokio::select! {
        _ = following => {}
        () = context.ct.cancelled() => {
            return Err(ErrorData::internal_error("subscriptions/listen was cancelled", None));
        }
    }
    // Nothing more can come: the graceful end 2026-07-28 defines, as rmcp's dispatcher answers it.
    let mut ended = SubscriptionsListenResult::complete(context.id.clone());
    ended.meta.set_server_info(handler.get_info().server_info);
    serde_json::to_value(ended)
        .map(CustomResult)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

/// `params.notifications.taskIds`.
fn task_ids(request: &CustomRequest) -> Result<Vec<&str>, ErrorData> {
    let invalid = || {
        ErrorData::invalid_params(
            "params.notifications.taskIds must be an array of strings",
            None,
        )
    };
    let ids = request
        .params
        .as_ref()
        .and_then(|params| params.pointer("/notifications/taskIds"))
        .and_then(Value::as_array)
        .ok_or_else(invalid)?;
    ids.iter()
        .map(|id| id.as_str().ok_or_else(invalid))
        .collect()
}

/// Sends `task`'s state now and at each change of its status (or of the requests it waits on), each
/// once, until a terminal status, which comes last; or until the task is dropped (its TTL) or the client
/// is gone.
async fn follow(task: &Task, peer: &Peer<RoleServer>, subscription: &RequestId) {
    let mut changes = task.watch();
    let mut sent: Option<(Value, Value)> = None;
    let mut dropped = false;
    loop {
        changes.borrow_and_update();
        let state = current(task);
        let seen = (
            state.get("status").cloned().unwrap_or_default(),
            state.get("inputRequests").cloned().unwrap_or_default(),
        );
        let terminal = seen
            .0
            .as_str()
            .and_then(Status::parse)
            .is_some_and(Status::is_terminal);
        if sent.as_ref() != Some(&seen) {
            let params = Value::Object(state);
            if send(peer, subscription, TASK_NOTIFICATION, params)
                .await
                .is_err()
            {
                return;
            }
            sent = Some(seen);
        }
        if terminal || dropped {
            return;
        }
        // A cancelled task changes its status before its token fires, so the change wins when both are ready.
        dropped = tokio::select! {
            biased;
            changed = changes.changed() => changed.is_err(),
            () = task.cancel.cancelled() => true,
        };
    }
}

/// Sends the notification `method` with `params` on the subscription's stream.
async fn send(
    peer: &Peer<RoleServer>,
    subscription: &RequestId,
    method: &str,
    params: Value,
) -> Result<(), ErrorData> {
    let mut notification =
        ServerNotification::CustomNotification(CustomNotification::new(method, Some(params)));
    notification
        .get_meta_mut()
        .set_subscription_id(subscription.clone());
    peer.send_notification(notification)
        .await
        .map_err(|error| ErrorData::internal_error(format!("cannot notify: {error}"), None))
}
