//! Errors handlers return, and how they reach the client.

use std::fmt;

use rmcp::ErrorData;
use rmcp::model::{CallToolResult, ClientCapabilities, ContentBlock, GetPromptResult};

use super::resource::Contents;

/// Any error, for `state::init` and other start-up code.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a tool handler returns: `T` is the tool's `Output` for tools with an `outputSchema`, else a
/// hand-built [`CallToolResult`].
pub type ToolResult<T = CallToolResult> = Result<T, ToolError>;

/// What a resource or resource-template handler returns.
pub type ResourceResult = Result<Contents, HandlerError>;

/// What a prompt handler returns.
pub type PromptResult = Result<GetPromptResult, HandlerError>;

/// What the completion hook returns: candidate values (at most 100 are sent).
pub type CompletionResult = Result<Vec<String>, HandlerError>;

/// A tool failure.
///
/// [`ToolError::new`] (and every error converted with `?`) is shown to the model as an `isError: true`
/// result it can read and react to; [`ToolError::protocol`] is a JSON-RPC error, for requests the tool
/// cannot serve at all.
///
/// `ToolError` deliberately does not implement `std::error::Error`, so that any error converts into it
/// with `?`.
#[derive(Debug)]
pub enum ToolError {
    /// Sent as an `isError: true` result whose text is the message.
    Tool(String),
    /// Sent as a JSON-RPC error response.
    Protocol(ErrorData),
}

impl ToolError {
    /// A failure the model sees as the tool's result text.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError::Tool(message.into())
    }

    /// The failure a freshly generated handler returns until it is written.
    pub fn not_implemented(tool: &str) -> Self {
        ToolError::Tool(format!("tool '{tool}' is not implemented yet"))
    }

    /// A JSON-RPC error instead of a tool result.
    pub fn protocol(error: ErrorData) -> Self {
        ToolError::Protocol(error)
    }

    /// A JSON-RPC "invalid params" (-32602) error.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        ToolError::Protocol(ErrorData::invalid_params(message.into(), None))
    }

    pub(crate) fn into_result(self) -> Result<CallToolResult, ErrorData> {
        match self {
            ToolError::Tool(message) => {
                Ok(CallToolResult::error(vec![ContentBlock::text(message)]))
            }
            ToolError::Protocol(error) => Err(error),
        }
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ToolError {
    fn from(error: E) -> Self {
        ToolError::Tool(error.to_string())
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Tool(message) => f.write_str(message),
            ToolError::Protocol(error) => write!(f, "{error}"),
        }
    }
}

/// Why a request to the client ([`Ctx::sample`](super::context::Ctx::sample),
/// [`Ctx::elicit`](super::context::Ctx::elicit)) failed. With `?` in a tool handler it becomes a tool
/// error the model can read.
#[derive(Debug)]
pub enum ClientRequestError {
    /// The client did not declare this capability when it connected, so it was not asked.
    Unsupported(&'static str),
    /// The elicitation schema is not MCP's restricted form schema.
    InvalidSchema(serde_json::Error),
    /// The request failed: the client answered with an error, or the connection closed.
    Failed(rmcp::ServiceError),
    /// The client answered with a result of the wrong kind.
    UnexpectedResponse,
}

impl fmt::Display for ClientRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientRequestError::Unsupported(capability) => {
                write!(f, "the client does not support {capability}")
            }
            ClientRequestError::InvalidSchema(error) => {
                write!(f, "invalid elicitation schema: {error}")
            }
            ClientRequestError::Failed(error) => write!(f, "the client request failed: {error}"),
            ClientRequestError::UnexpectedResponse => {
                f.write_str("the client answered with an unexpected result")
            }
        }
    }
}

impl std::error::Error for ClientRequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientRequestError::InvalidSchema(error) => Some(error),
            ClientRequestError::Failed(error) => Some(error),
            _ => None,
        }
    }
}

impl ClientRequestError {
    /// This failure as the answer of a tool that cannot do without the client: when the client lacked the
    /// capability, MCP's MissingRequiredClientCapabilityError (-32021, naming it in `requiredCapabilities`;
    /// HTTP 400 on 2026-07-28, which asks it of a server that needs an undeclared capability), else the tool
    /// error `?` gives. `ctx.sample(..).await.map_err(ClientRequestError::required)?`.
    // Sampling and roots are deprecated by SEP-2577, yet still capabilities clients declare.
    #[allow(deprecated)]
    pub fn required(self) -> ToolError {
        let capabilities = ClientCapabilities::builder();
        let required = match self {
            ClientRequestError::Unsupported("sampling") => capabilities.enable_sampling().build(),
            ClientRequestError::Unsupported("elicitation") => {
                capabilities.enable_elicitation().build()
            }
            ClientRequestError::Unsupported("roots") => capabilities.enable_roots().build(),
            other => return other.into(),
        };
        ToolError::Protocol(ErrorData::missing_required_client_capability(required))
    }
}

impl From<rmcp::ServiceError> for ClientRequestError {
    fn from(error: rmcp::ServiceError) -> Self {
        ClientRequestError::Failed(error)
    }
}

/// A resource, prompt or completion failure; always a JSON-RPC error.
///
/// Errors converted with `?` become internal errors (-32603) carrying their message.
#[derive(Debug)]
pub struct HandlerError(pub ErrorData);

impl HandlerError {
    /// -32002 "Resource not found" (the client asked for something that does not exist).
    pub fn not_found(message: impl Into<String>) -> Self {
        HandlerError(ErrorData::resource_not_found(message.into(), None))
    }

    /// -32602: the request's arguments are wrong.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        HandlerError(ErrorData::invalid_params(message.into(), None))
    }

    /// -32603: the server failed.
    pub fn internal(message: impl Into<String>) -> Self {
        HandlerError(ErrorData::internal_error(message.into(), None))
    }

    /// The failure a freshly generated handler returns until it is written.
    pub fn not_implemented(what: &str) -> Self {
        Self::internal(format!("{what} is not implemented yet"))
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for HandlerError {
    fn from(error: E) -> Self {
        Self::internal(error.to_string())
    }
}

impl From<HandlerError> for ErrorData {
    fn from(error: HandlerError) -> Self {
        error.0
    }
}

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A panic payload as text.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::ErrorCode;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_missing_capability_required_is_minus_32021_naming_it_and_other_failures_stay_tool_errors()
    {
        for (capability, named) in [
            ("sampling", json!({"sampling": {}})),
            ("elicitation", json!({"elicitation": {}})),
            ("roots", json!({"roots": {}})),
        ] {
            let ToolError::Protocol(error) = ClientRequestError::Unsupported(capability).required()
            else {
                panic!("{capability}: not a protocol error");
            };
            assert_eq!(error.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
            let data = error.data.unwrap();
            let required = &data["requiredCapabilities"];
            assert_eq!(required[capability], named[capability], "{data}");
        }
        let other = ClientRequestError::UnexpectedResponse.required();
        assert!(matches!(other, ToolError::Tool(_)), "{other}");
    }
}
