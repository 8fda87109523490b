//! Handler of the `test_prompt_with_embedded_resource` prompt. This file is yours: mcpgen created it once and never touches it again.

use crate::generated::prelude::*;
use crate::generated::prompts::test_prompt_with_embedded_resource::Args;

pub async fn get(_ctx: Ctx, args: Args) -> PromptResult {
    let resource =
        ResourceContents::text("Embedded resource content for testing.", args.resource_uri)
            .with_mime_type("text/plain");
    Ok(GetPromptResult::new(vec![
        PromptMessage::new(Role::User, ContentBlock::resource(resource)),
        PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
    ]))
}
