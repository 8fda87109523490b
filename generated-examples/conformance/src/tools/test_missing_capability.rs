//! Handler of the `test_missing_capability` tool. This file is yours: mcpgen created it once and never touches it again.
//!
//! A tool that cannot do without the client's model: `ClientRequestError::required` turns a client that did not
//! declare sampling into MCP's MissingRequiredClientCapabilityError (-32021) instead of a tool error.

// Sampling is deprecated by SEP-2577, but clients still declare it and the conformance suite asks for it.
#![allow(deprecated)]

use crate::fixtures::llm_response;
use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let request =
        CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Say hello")], 20);
    let answer = ctx
        .sample(request)
        .await
        .map_err(ClientRequestError::required)?;
    llm_response(&answer)
}
