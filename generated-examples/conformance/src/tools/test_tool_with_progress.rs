//! Handler of the `test_tool_with_progress` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Progress 0, 50 and 100 of 100 with pauses between them; `ctx.progress` sends nothing when the
//! client did not ask for progress (no `progressToken`). Stops early when the client cancels.

use std::time::Duration;

use crate::generated::prelude::*;

const PAUSE: Duration = Duration::from_millis(50);

pub async fn handle(ctx: Ctx) -> ToolResult {
    for (step, progress) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if step > 0 {
            tokio::select! {
                () = ctx.cancelled() => return Err(ToolError::new("Cancelled by the client.")),
                () = tokio::time::sleep(PAUSE) => {}
            }
        }
        let message = format!("Completed step {progress} of 100");
        ctx.progress(progress, Some(100.0), Some(&message)).await;
    }
    Ok(CallToolResult::success(vec![ContentBlock::text(
        "Tool with progress executed successfully",
    )]))
}
