//! What the SEP-2322 fixtures (`test_input_required_result_*`) share: the forms and questions they ask,
//! and reading the answers.

// Sampling and roots are deprecated by SEP-2577, but the conformance suite still asks for them.
#![allow(deprecated)]

use crate::generated::prelude::*;
use mcpgen_runtime::rmcp::model::ListRootsResult;

/// An elicitation form with one required string `name`.
pub fn text_form(name: &str) -> serde_json::Value {
    json!({"type": "object", "properties": {name: {"type": "string"}}, "required": [name]})
}

/// An elicitation form with one required boolean `name`.
pub fn boolean_form(name: &str) -> serde_json::Value {
    json!({"type": "object", "properties": {name: {"type": "boolean"}}, "required": [name]})
}

/// A sampling request: `text` from the user, at most `max_tokens` back.
pub fn question(text: &str, max_tokens: u32) -> CreateMessageRequestParams {
    CreateMessageRequestParams::new(vec![SamplingMessage::user_text(text)], max_tokens)
}

/// The string `name` of an accepted form.
pub fn field<'a>(answer: &'a ElicitResult, name: &str) -> Option<&'a str> {
    answer.content.as_ref()?.get(name)?.as_str()
}

/// The text of the model's answer.
pub fn said(answer: &CreateMessageResult) -> &str {
    answer
        .message
        .content
        .first()
        .and_then(|content| content.as_text())
        .map_or("(no text in the answer)", |text| text.text.as_str())
}

/// The roots' URIs, space-separated.
pub fn uris(roots: &ListRootsResult) -> String {
    let uris: Vec<_> = roots.roots.iter().map(|root| root.uri.as_str()).collect();
    uris.join(" ")
}
