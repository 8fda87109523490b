//! Handler of the `greet` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns a `CallToolResult`, e.g. `Ok(CallToolResult::success(vec![ContentBlock::text("..")]))`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::generated::prelude::*;
use crate::generated::tools::greet::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "Hello, {}!",
        input.name
    ))]))
}
