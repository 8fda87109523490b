//! Handler of the `test_input_required_result_multiple_inputs` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! `input-required-result-multiple-input-requests`: three questions asked at once (`tokio::join!`), so one
//! round asks them all.

use crate::asking::*;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let (user, model, client) = (
        ctx.with_input_key("user_name"),
        ctx.with_input_key("greeting"),
        ctx.with_input_key("client_roots"),
    );
    let (name, greeting, roots) = tokio::join!(
        user.elicit("What is your name?", text_form("name")),
        model.sample(question("Generate a greeting", 50)),
        client.list_roots(),
    );
    let (name, greeting, roots) = (name?, greeting?, roots?);
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "{} {}; roots: {}",
        said(&greeting),
        field(&name, "name").unwrap_or("stranger"),
        uris(&roots)
    ))]))
}
