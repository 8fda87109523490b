//! Handler of the `test_audio_content` tool. This file is yours: mcpgen created it once and never touches it again.

use crate::fixtures::WAV_BASE64;
use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::audio(
        WAV_BASE64,
        "audio/wav",
    )]))
}
