//! Handler of the `test_input_required_result_multi_round` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! `input-required-result-multi-round`: the second question comes only once the first is answered, so the
//! call takes two rounds, the second `requestState` carrying the first answer.

use crate::asking::*;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let name = ctx
        .with_input_key("step1")
        .elicit("Step 1: What is your name?", text_form("name"))
        .await?;
    let colour = ctx
        .with_input_key("step2")
        .elicit("Step 2: What is your favorite color?", text_form("color"))
        .await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "{} likes {}",
        field(&name, "name").unwrap_or("stranger"),
        field(&colour, "color").unwrap_or("no colour")
    ))]))
}
