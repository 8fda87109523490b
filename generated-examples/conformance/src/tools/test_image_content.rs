//! Handler of the `test_image_content` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::fixtures::PNG_BASE64;
use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::image(
        PNG_BASE64,
        "image/png",
    )]))
}
