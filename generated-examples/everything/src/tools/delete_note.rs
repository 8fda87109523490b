//! Handler of the `delete_note` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::generated::prelude::*;
use crate::generated::tools::delete_note::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let _ = (ctx, input);
    Err(ToolError::not_implemented("delete_note"))
}
