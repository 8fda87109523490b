//! Handler of the `confirm_delete` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//!
//! Clients may run this tool as an MCP task (`taskSupport: required`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers.

use crate::generated::prelude::*;
use crate::generated::tools::confirm_delete::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {"confirm": {"type": "boolean", "title": "Delete it?"}},
        "required": ["confirm"],
    });
    let answer = ctx
        .elicit(format!("Delete {}?", input.filename), schema)
        .await?;
    let confirmed = answer.action == ElicitationAction::Accept
        && answer
            .content
            .as_ref()
            .and_then(|c| c.get("confirm"))
            .and_then(serde_json::Value::as_bool)
            == Some(true);
    let verdict = if confirmed { "deleted" } else { "kept" };
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "{}: {verdict}",
        input.filename
    ))]))
}
