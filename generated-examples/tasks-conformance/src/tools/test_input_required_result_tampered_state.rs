//! Handler of the `test_input_required_result_tampered_state` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`) ends there,
//! and the client calls again with the answer: `handle` then runs again from the start, so it runs once per
//! question and side effects belong after the last one.
//!
//! `input-required-result-tampered-state`: the runtime refuses an altered `requestState` with `-32602`
//! before this handler runs again.

use crate::asking::*;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    ctx.elicit("Please confirm", boolean_form("ok")).await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "confirmed",
    )]))
}
