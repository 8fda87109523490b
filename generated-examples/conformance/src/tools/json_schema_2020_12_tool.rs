//! Handler of the `json_schema_2020_12_tool` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Its point is the `inputSchema` (served verbatim); the handler echoes the typed arguments back.

use crate::generated::prelude::*;
use crate::generated::tools::json_schema_2020_12_tool::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    let arguments = serde_json::to_string(&input)?;
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "JSON Schema 2020-12 tool called with: {arguments}"
    ))]))
}
