//! Everything a handler usually needs. A generated crate re-exports it as `crate::generated::prelude`,
//! adding `Ctx` (with its `State`) and `env_var` (with its spec's defaults).

// Sampling is deprecated by SEP-2577 but clients still support it; handlers that use it see the warning.
#![allow(deprecated)]

pub use rmcp::model::{
    CallToolResult, ContentBlock, CreateMessageRequestParams, CreateMessageResult, ElicitResult,
    ElicitationAction, GetPromptResult, PromptMessage, ResourceContents, Role, SamplingMessage,
};
pub use serde_json::json;

pub use super::claims::{Claims, CtxClaims};
pub use super::completion::{CompletionRequest, CompletionTarget, filter_prefix};
pub use super::context::{LogLevel, Subscriptions};
pub use super::error::{
    BoxError, ClientRequestError, CompletionResult, HandlerError, PromptResult, ResourceResult,
    ToolError, ToolResult,
};
pub use super::resource::Contents;
