//! How the bytes a command printed or an HTTP response carried become a tool result, shared by both kinds.

#![cfg_attr(
    not(any(feature = "command-tools", feature = "http-tools")),
    allow(dead_code)
)]

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

/// Most bytes of stderr or of an error response quoted in an error result.
pub(crate) const ERROR_EXCERPT_BYTES: usize = 8 * 1024;

/// A successful output as the result: with an output schema the JSON object it holds, as `structuredContent`;
/// without, the text (or, with a pointer, the selected JSON value, strings as they are).
pub(crate) fn success(body: &[u8], structured: bool, pointer: Option<&str>) -> CallToolResult {
    if !structured && pointer.is_none() {
        return CallToolResult::success(vec![ContentBlock::text(
            String::from_utf8_lossy(body).into_owned(),
        )]);
    }
    let mut value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return failure(format!("The output is not JSON: {error}")),
    };
    let value = match pointer {
        None => value,
        Some(pointer) => match value.pointer_mut(pointer) {
            Some(selected) => selected.take(),
            None => {
                return failure(format!(
                    "The output has nothing at JSON pointer `{pointer}`"
                ));
            }
        },
    };
    match (structured, value) {
        (true, value @ Value::Object(_)) => CallToolResult::structured(value),
        (true, _) => {
            failure("The output is not a JSON object, as the outputSchema requires".to_owned())
        }
        (false, Value::String(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
        (false, value) => CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
    }
}

/// An `isError` result with one text.
pub(crate) fn failure(message: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message)])
}

/// At most [`ERROR_EXCERPT_BYTES`] of `bytes` as text, saying when it was cut.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    if bytes.len() <= ERROR_EXCERPT_BYTES {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    format!(
        "{}\n[... {} more bytes]",
        String::from_utf8_lossy(&bytes[..ERROR_EXCERPT_BYTES]),
        bytes.len() - ERROR_EXCERPT_BYTES
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_json_and_pointers() {
        let text = success(b"hello", false, None);
        assert_eq!(text.content[0].as_text().unwrap().text, "hello");
        let structured = success(br#"{"a":{"b":1}}"#, true, None);
        assert_eq!(structured.structured_content, Some(json!({"a": {"b": 1}})));
        let selected = success(br#"{"a":{"b":1}}"#, true, Some("/a"));
        assert_eq!(selected.structured_content, Some(json!({"b": 1})));
        let string = success(br#"{"a":"x"}"#, false, Some("/a"));
        assert_eq!(string.content[0].as_text().unwrap().text, "x");
        for (body, structured, pointer) in [
            (&b"[1]"[..], true, None),
            (b"nope", true, None),
            (br#"{"a":1}"#, false, Some("/b")),
        ] {
            assert_eq!(success(body, structured, pointer).is_error, Some(true));
        }
        assert!(excerpt(&[b'x'; ERROR_EXCERPT_BYTES + 5]).ends_with("[... 5 more bytes]"));
    }
}
