//! Handler of the `test_logging_tool` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! One info log message, then a result. The runtime sends the message only to a client that asked for that level
//! (`logging/setLevel`, or on 2026-07-28 the request's `logLevel`).

use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    ctx.log(LogLevel::Info, "test_logging_tool ran").await;
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "test_logging_tool done",
    )]))
}
