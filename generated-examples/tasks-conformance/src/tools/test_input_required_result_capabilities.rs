//! Handler of the `test_input_required_result_capabilities` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! `input-required-result-capability-check`: `ctx.elicit` and `ctx.sample` fail at once, without asking,
//! when the request's client capabilities (`_meta`) lack theirs, so only what the client can answer is asked.

use crate::asking::*;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let (name, greeting) = tokio::join!(
        ctx.elicit("What is your name?", text_form("name")),
        ctx.sample(question("Generate a greeting", 50)),
    );
    let name = name.ok();
    let name = name.as_ref().and_then(|name| field(name, "name"));
    let greeting = greeting.ok();
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "name: {}; greeting: {}",
        name.unwrap_or("(not asked)"),
        greeting.as_ref().map_or("(not asked)", said)
    ))]))
}
