//! Handler of the `test_tool_with_logging` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Three log messages with pauses between them, so clients see notifications arrive during the call.

use std::time::Duration;

use crate::generated::prelude::*;

const PAUSE: Duration = Duration::from_millis(50);

pub async fn handle(ctx: Ctx) -> ToolResult {
    ctx.log(LogLevel::Info, "Tool execution started").await;
    tokio::time::sleep(PAUSE).await;
    ctx.log(LogLevel::Info, "Tool processing data").await;
    tokio::time::sleep(PAUSE).await;
    ctx.log(LogLevel::Info, "Tool execution completed").await;
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "Tool with logging executed successfully",
    )]))
}
