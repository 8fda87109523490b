//! Handler of the `test_prompt_with_image` prompt. This file is yours: mcpgen created it once and never touches it again.

use crate::fixtures::PNG_BASE64;
use crate::generated::prelude::*;
use crate::generated::prompts::test_prompt_with_image::Args;

pub async fn get(_ctx: Ctx, _args: Args) -> PromptResult {
    Ok(GetPromptResult::new(vec![
        PromptMessage::new(Role::User, ContentBlock::image(PNG_BASE64, "image/png")),
        PromptMessage::new_text(Role::User, "Please analyze the image above."),
    ]))
}
