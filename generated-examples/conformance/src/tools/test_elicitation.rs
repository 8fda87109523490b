//! Handler of the `test_elicitation` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Asks the user for a username and an email (`elicitation/create`) and reports the answer.

use crate::fixtures::action_name;
use crate::generated::prelude::*;
use crate::generated::tools::test_elicitation::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "username": {"type": "string", "description": "User's response"},
            "email": {"type": "string", "description": "User's email address"}
        },
        "required": ["username", "email"]
    });
    let answer = ctx.elicit(input.message, schema).await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "User response: action={}, content={}",
        action_name(&answer.action),
        answer.content.unwrap_or_else(|| json!({}))
    ))]))
}
