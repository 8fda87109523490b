//! Media the conformance suite expects in results, shared by tools and prompts.

/// A 1x1 red PNG, base64 (the same bytes as `specs/data/conformance-pixel.png`).
pub const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

/// A WAV file with no samples (44-byte header only), base64.
pub const WAV_BASE64: &str = "UklGRiQAAABXQVZFZm10IBAAAAABAAEARKwAAIhYAQACABAAZGF0YQAAAAA=";

/// `ElicitationAction` as the wire spells it.
pub fn action_name(action: &crate::generated::prelude::ElicitationAction) -> &'static str {
    use crate::generated::prelude::ElicitationAction;
    match action {
        ElicitationAction::Accept => "accept",
        ElicitationAction::Decline => "decline",
        ElicitationAction::Cancel => "cancel",
        _ => "unknown",
    }
}

/// The tool result that reports the model's answer to a sampling request.
// Sampling is deprecated by SEP-2577, but clients of the earlier versions, and the conformance suite, still use it.
#[allow(deprecated)]
pub fn llm_response(
    answer: &crate::generated::prelude::CreateMessageResult,
) -> crate::generated::prelude::ToolResult {
    use crate::generated::prelude::{CallToolResult, ContentBlock};
    let text = answer
        .message
        .content
        .first()
        .and_then(|content| content.as_text())
        .map_or("(no text in the answer)", |text| text.text.as_str());
    Ok(CallToolResult::success(vec![ContentBlock::text(format!(
        "LLM response: {text}"
    ))]))
}
