//! Handler of the `test_error_handling` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    Err(ToolError::new(
        "This tool intentionally returns an error for testing",
    ))
}
