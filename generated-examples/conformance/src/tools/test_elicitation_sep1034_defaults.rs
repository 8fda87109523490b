//! Handler of the `test_elicitation_sep1034_defaults` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! A form whose every field type carries a `default` the client pre-fills (SEP-1034).

use crate::fixtures::action_name;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "User name", "default": "John Doe"},
            "age": {"type": "integer", "description": "User age", "default": 30},
            "score": {"type": "number", "description": "User score", "default": 95.5},
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": {"type": "boolean", "description": "Verification status", "default": true}
        }
    });
    let answer = ctx
        .elicit(
            "Please review and update the form fields with defaults",
            schema,
        )
        .await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "Elicitation completed: action={}, content={}",
        action_name(&answer.action),
        answer.content.unwrap_or_else(|| json!({}))
    ))]))
}
