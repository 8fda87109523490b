//! Handler of the `test_embedded_resource` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    let resource = ResourceContents::text(
        "This is an embedded resource content.",
        "test://embedded-resource",
    )
    .with_mime_type("text/plain");
    Ok(CallToolResult::success(vec![ContentBlock::resource(
        resource,
    )]))
}
