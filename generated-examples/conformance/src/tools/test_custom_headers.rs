//! Handler of the `test_custom_headers` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! By the time `handle` runs, rmcp has checked each `Mcp-Param-*` header against the argument it mirrors
//! (SEP-2243), so the handler just echoes the arguments.

use crate::generated::prelude::*;
use crate::generated::tools::test_custom_headers::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    let text = serde_json::to_string(&input)?;
    Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
}
