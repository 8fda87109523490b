//! Handler of the `slow_compute` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//!
//! Clients may run this tool as an MCP task (`taskSupport: optional`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers.

use crate::generated::prelude::*;
use crate::generated::tools::slow_compute::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let label = input.label.as_deref().unwrap_or("compute");
    ctx.task_status(format!("{label}: {} s", input.seconds));
    // The schema bounds `seconds` to 0..=600, so the conversion cannot fail.
    let wait = std::time::Duration::from_secs_f64(input.seconds);
    tokio::select! {
        () = tokio::time::sleep(wait) => {}
        () = ctx.cancelled() => return Err(ToolError::new(format!("{label}: cancelled"))),
    }
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "{label}: done after {} s",
        input.seconds
    ))]))
}
