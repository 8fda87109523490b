//! Completions for arguments without a static `completions:` list in the spec. This file is yours:
//! mcpgen created it once and never touches it again.
//!
//! `complete` gets what is being completed (`request.target`, `request.argument`), the text typed so
//! far (`request.value`) and the other arguments already filled in (`request.context`), and returns
//! candidate values (the first 100 are sent). `filter_prefix` keeps the values starting with what was
//! typed. Arguments with a static list in the spec never get here.

use crate::generated::prelude::*;
use crate::generated::resources;

pub async fn complete(_ctx: Ctx, request: CompletionRequest) -> CompletionResult {
    Ok(match (request.target, request.argument.as_str()) {
        // Offer this server's own resources to embed.
        (CompletionTarget::Prompt("test_prompt_with_embedded_resource"), "resourceUri") => {
            let uris = [
                resources::static_text::URI,
                resources::static_binary::URI,
                resources::watched_resource::URI,
            ];
            filter_prefix(uris, &request.value)
        }
        _ => Vec::new(),
    })
}
