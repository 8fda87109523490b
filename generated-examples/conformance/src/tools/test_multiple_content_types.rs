//! Handler of the `test_multiple_content_types` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::fixtures::PNG_BASE64;
use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    let data = json!({ "test": "data", "value": 123 }).to_string();
    let resource = ResourceContents::text(data, "test://mixed-content-resource")
        .with_mime_type("application/json");
    Ok(CallToolResult::success(vec![
        ContentBlock::text("Multiple content types test:"),
        ContentBlock::image(PNG_BASE64, "image/png"),
        ContentBlock::resource(resource),
    ]))
}
