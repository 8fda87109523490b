//! Handler of the `rmcp` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] (the tool takes no arguments), and returns the typed `Output`, sent as `structuredContent`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::generated::prelude::*;
use crate::generated::tools::rmcp_::Output;

pub async fn handle(ctx: Ctx) -> ToolResult<Output> {
    let _ = ctx;
    Err(ToolError::not_implemented("rmcp"))
}
