//! Everything a handler usually needs: `use crate::generated::prelude::*;`.

// A prelude offers more than any one server uses.
#![allow(unused_imports)]
// Sampling is deprecated by SEP-2577 but clients still support it; handlers that use it see the warning.
#![allow(deprecated)]

pub use rmcp::model::{
    CallToolResult, ContentBlock, CreateMessageRequestParams, CreateMessageResult, ElicitResult,
    ElicitationAction, GetPromptResult, PromptMessage, ResourceContents, Role, SamplingMessage,
};
pub use serde_json::json;

pub use super::claims::{Claims, CtxClaims};
pub use super::completion::{CompletionRequest, CompletionTarget, filter_prefix};
pub use super::context::{Ctx, LogLevel, Subscriptions};
pub use super::env::env_var;
pub use super::error::{
    BoxError, ClientRequestError, CompletionResult, HandlerError, PromptResult, ResourceResult,
    ToolError, ToolResult,
};
pub use super::resource::Contents;
