//! Handler of the `plan_week` prompt. This file is yours: mcpgen created it once and never touches it again.
//!
//! `get` gets the prompt's `Args` (required arguments are checked before it runs) and returns the
//! prompt's messages: `Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, "..")]))`.

use crate::generated::prelude::*;
use crate::generated::prompts::plan_week::Args;

pub async fn get(ctx: Ctx, args: Args) -> PromptResult {
    let _ = (ctx, args);
    Err(HandlerError::not_implemented("plan_week"))
}
