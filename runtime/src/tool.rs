//! Adapters between the typed tool handlers and the wire: arguments into `Input`, `Output` into
//! `structuredContent`. The generated `App::call_tool` picks one per tool; `C` is the handler's context.

use std::future::Future;

use rmcp::model::{CallToolResult, JsonObject};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{ToolError, ToolResult};

/// A tool with arguments and an `outputSchema`.
pub async fn structured<C, I, O, F, Fut>(ctx: C, arguments: JsonObject, handler: F) -> ToolResult
where
    I: DeserializeOwned,
    O: Serialize,
    F: FnOnce(C, I) -> Fut,
    Fut: Future<Output = ToolResult<O>>,
{
    let input = parse(arguments)?;
    to_structured(handler(ctx, input).await?)
}

/// A tool without arguments, with an `outputSchema`.
pub async fn structured_no_input<C, O, F, Fut>(ctx: C, handler: F) -> ToolResult
where
    O: Serialize,
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = ToolResult<O>>,
{
    to_structured(handler(ctx).await?)
}

/// A tool with arguments whose handler builds its own result.
pub async fn unstructured<C, I, F, Fut>(ctx: C, arguments: JsonObject, handler: F) -> ToolResult
where
    I: DeserializeOwned,
    F: FnOnce(C, I) -> Fut,
    Fut: Future<Output = ToolResult>,
{
    let input = parse(arguments)?;
    handler(ctx, input).await
}

/// A tool without arguments whose handler builds its own result.
pub async fn unstructured_no_input<C, F, Fut>(ctx: C, handler: F) -> ToolResult
where
    F: FnOnce(C) -> Fut,
    Fut: Future<Output = ToolResult>,
{
    handler(ctx).await
}

/// Arguments already passed the input schema, so this fails only where the schema is looser than
/// the Rust type (for instance a number too large for the integer type).
fn parse<I: DeserializeOwned>(arguments: JsonObject) -> Result<I, ToolError> {
    serde_json::from_value(Value::Object(arguments))
        .map_err(|error| ToolError::new(format!("Invalid arguments: {error}")))
}

fn to_structured<O: Serialize>(output: O) -> ToolResult {
    let value = serde_json::to_value(output).map_err(|error| {
        ToolError::new(format!(
            "Internal error: could not serialise the result: {error}"
        ))
    })?;
    Ok(CallToolResult::structured(value))
}
