//! Handler of the `ping` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let _ = ctx;
    Err(ToolError::not_implemented("ping"))
}
