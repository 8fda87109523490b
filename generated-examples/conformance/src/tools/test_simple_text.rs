//! Handler of the `test_simple_text` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "This is a simple text response for testing.",
    )]))
}
