//! Handler of the `test_reconnection` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! The suite's SSE polling scenario (SEP-1699) calls this and reads the answer from the POST's event
//! stream, or after reconnecting with `Last-Event-ID` when the server closed the stream mid-call. This
//! server keeps the stream open, which the scenario accepts.

use std::time::Duration;

use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "Reconnection test completed successfully.",
    )]))
}
