//! Handler of the `test_streaming_elicitation` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Asks the user for a name. On 2026-07-28 the question goes back as the call's `input_required` answer, never as
//! a request of its own on the response stream; earlier protocols ask with `elicitation/create`.

use crate::fixtures::action_name;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {"name": {"type": "string", "description": "Your name"}},
        "required": ["name"]
    });
    let answer = ctx.elicit("What is your name?", schema).await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "User response: action={}, content={}",
        action_name(&answer.action),
        answer.content.unwrap_or_else(|| json!({}))
    ))]))
}
