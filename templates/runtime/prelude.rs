//! Everything a handler usually needs: `use crate::generated::prelude::*;`.

// A prelude offers more than any one server uses.
#![allow(unused_imports)]

pub use rmcp::model::{
    CallToolResult, ContentBlock, GetPromptResult, PromptMessage, ResourceContents, Role,
};
pub use serde_json::json;

pub use super::completion::{CompletionRequest, CompletionTarget, filter_prefix};
pub use super::context::{Ctx, LogLevel, Subscriptions};
pub use super::env::env_var;
pub use super::error::{
    BoxError, CompletionResult, HandlerError, PromptResult, ResourceResult, ToolError, ToolResult,
};
pub use super::resource::Contents;
