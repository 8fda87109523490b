//! Completions for arguments without a static `completions:` list in the spec. This file is yours:
//! mcpgen created it once and never touches it again.
//!
//! `complete` gets what is being completed (`request.target`, `request.argument`), the text typed so
//! far (`request.value`) and the other arguments already filled in (`request.context`), and returns
//! candidate values (the first 100 are sent). `filter_prefix` keeps the values starting with what was
//! typed. Arguments with a static list in the spec never get here.

use crate::generated::prelude::*;

pub async fn complete(ctx: Ctx, request: CompletionRequest) -> CompletionResult {
    let _ = (ctx, request);
    Ok(Vec::new())
}
