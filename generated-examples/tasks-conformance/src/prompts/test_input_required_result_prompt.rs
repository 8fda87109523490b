//! Handler of the `test_input_required_result_prompt` prompt. This file is yours: mcpgen created it once and never touches it again.
//!
//! `get` gets the prompt's `Args` (required arguments are checked before it runs) and returns the
//! prompt's messages: `Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, "..")]))`.
//!
//! `input-required-result-non-tool-request`: on 2026-07-28 a plain `prompts/get` asks in SEP-2322 rounds
//! as a plain `tools/call` does.

use crate::asking::*;
use crate::generated::prelude::*;
use crate::generated::prompts::test_input_required_result_prompt::Args;

pub async fn get(ctx: Ctx, _args: Args) -> PromptResult {
    let answer = ctx
        .with_input_key("user_context")
        .elicit("What context should the prompt use?", text_form("context"))
        .await
        .map_err(|error| HandlerError::internal(error.to_string()))?;
    let context = field(&answer, "context").unwrap_or("none");
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        format!("Answer with this context in mind: {context}"),
    )]))
}
