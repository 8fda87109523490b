//! Handler of the `Input` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.
//! On protocol 2026-07-28, a plain call that asks the client (`ctx.elicit(..)`, `ctx.sample(..)`,
//! `ctx.list_roots()`) ends there, and the client calls again with the answer: `handle` then runs again from
//! the start, so it runs once per round of questions and side effects belong after the last one.

use crate::generated::prelude::*;
use crate::generated::tools::input::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let _ = (ctx, input);
    Err(ToolError::not_implemented("Input"))
}
