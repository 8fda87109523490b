//! Handler of the `test_tool_with_task` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! Clients may run this tool as an MCP task (`taskSupport: required`): they get a task id at
//! once and fetch the result later, and this same `handle` runs in the background. In a task,
//! `ctx.task_id()` is `Some`, `ctx.task_status("...")` sets the status message clients see while they poll,
//! `ctx.cancelled()` completes when the client cancels the task, its TTL ends or its session closes, and
//! `ctx.elicit(..)` marks the task `input_required` until the user answers. On 2026-07-28, questions asked
//! with `ctx.elicit_first(..)` before the handler first waits on anything else come before the task: the
//! call answers `input_required`, and the client gets the task once it answered them.

use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    // Asked before the task exists: on 2026-07-28 the call answers `input_required` until the user answered.
    let schema =
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]});
    let answer = ctx.elicit_first("What is your name?", schema).await?;
    let name = answer
        .content
        .as_ref()
        .and_then(|c| c.get("name"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("stranger")
        .to_owned();
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "Hello, {name}!"
    ))]))
}
