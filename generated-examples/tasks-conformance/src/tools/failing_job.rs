//! Handler of the `failing_job` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//!
//! Clients may run this tool as an MCP task (`taskSupport: required`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers.

use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    tokio::select! {
        () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
        () = ctx.cancelled() => {}
    }
    Err(ToolError::new("failing_job always fails"))
}
