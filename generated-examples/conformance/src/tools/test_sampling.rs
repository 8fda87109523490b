//! Handler of the `test_sampling` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! Borrows the client's model: sends the prompt as a `sampling/createMessage` request and returns the
//! model's text. A client without the sampling capability gets a tool error.

// Sampling is deprecated by SEP-2577 (protocol 2026-07-28 replaces it), but clients of the earlier
// versions, and the conformance suite, still use it.
#![allow(deprecated)]

use crate::fixtures::llm_response;
use crate::generated::prelude::*;
use crate::generated::tools::test_sampling::Input;

pub async fn handle(ctx: Ctx, input: Input) -> ToolResult {
    let request =
        CreateMessageRequestParams::new(vec![SamplingMessage::user_text(input.prompt)], 100);
    let answer = ctx.sample(request).await?;
    llm_response(&answer)
}
