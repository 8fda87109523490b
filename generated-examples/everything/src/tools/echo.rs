//! Handler of the `echo` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! `handle` gets a [`Ctx`] and the arguments as a typed `Input` (already checked against the spec's
//! `inputSchema`), and returns the typed `Output`, sent as `structuredContent`.
//! Return `Err(ToolError::new("..."))`, or use `?` on any error, to give the model an `isError` result.

use crate::generated::prelude::*;
use crate::generated::tools::echo::{Input, Output};

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult<Output> {
    let _ = (ctx, input);
    Err(ToolError::not_implemented("echo"))
}
