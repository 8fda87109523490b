//! Handler of the `wait` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns the typed `Output`, sent as `structuredContent`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//!
//! Clients may run this tool as an MCP task (`taskSupport: optional`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers.

use crate::generated::prelude::*;
use crate::generated::tools::wait::{Input, Output};

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult<Output> {
    let started = std::time::Instant::now();
    ctx.task_status(format!("waiting {} ms", input.ms));
    let wait = std::time::Duration::from_millis(input.ms.max(0) as u64);
    let cancelled = tokio::select! {
        () = tokio::time::sleep(wait) => false,
        () = ctx.cancelled() => true,
    };
    Ok(Output {
        waited: started.elapsed().as_millis() as i64,
        cancelled,
    })
}
