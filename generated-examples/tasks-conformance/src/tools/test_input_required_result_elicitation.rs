//! Handler of the `test_input_required_result_elicitation` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! `input-required-result-basic-elicitation` (and `-missing-input-response`, `-result-type`,
//! `-ignore-extra-params`, `-validate-input`): the question's key is `user_name`, which the suite looks for
//! and answers before being asked.

use crate::asking::*;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let answer = ctx
        .with_input_key("user_name")
        .elicit("What is your name?", text_form("name"))
        .await?;
    let name = field(&answer, "name").unwrap_or("stranger");
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "Hello, {name}!"
    ))]))
}
