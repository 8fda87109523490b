//! Handler of the `test_elicitation_sep1330_enums` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! A form with the five enum shapes of SEP-1330: untitled and titled single-select, the legacy
//! `enumNames` form, and untitled and titled multi-select.

use crate::fixtures::action_name;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": [
                    {"const": "value1", "title": "First Option"},
                    {"const": "value2", "title": "Second Option"},
                    {"const": "value3", "title": "Third Option"}
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": {"type": "string", "enum": ["option1", "option2", "option3"]}
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": {
                    "anyOf": [
                        {"const": "value1", "title": "First Choice"},
                        {"const": "value2", "title": "Second Choice"},
                        {"const": "value3", "title": "Third Choice"}
                    ]
                }
            }
        }
    });
    let answer = ctx
        .elicit("Please select options from the enum fields", schema)
        .await?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "Elicitation completed: action={}, content={}",
        action_name(&answer.action),
        answer.content.unwrap_or_else(|| json!({}))
    ))]))
}
