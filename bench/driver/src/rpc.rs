//! The JSON-RPC messages every contender gets, and the check of every reply.

use serde::Deserialize;

pub const PROTOCOL_VERSION: &str = "2025-06-18";

pub fn initialize(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"initialize","params":{{"protocolVersion":"{PROTOCOL_VERSION}","capabilities":{{}},"clientInfo":{{"name":"mcpbench","version":"0.1.0"}}}}}}"#
    )
}

pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// Call `id` alternates between the two tools; the argument depends on the id so a reply meant for another
/// request, or a cached one, fails the check.
pub fn tool_call(id: u64) -> String {
    if id.is_multiple_of(2) {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"add","arguments":{{"a":{id},"b":-7}}}}}}"#
        )
    } else {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"hello {id}"}}}}}}"#
        )
    }
}

fn expected_text(id: u64) -> String {
    if id.is_multiple_of(2) {
        (id as i64 - 7).to_string()
    } else {
        format!("hello {id}")
    }
}

#[derive(Deserialize)]
struct Reply<'a> {
    id: Option<u64>,
    #[serde(borrow)]
    result: Option<CallResult<'a>>,
}

#[derive(Deserialize)]
struct CallResult<'a> {
    #[serde(borrow, default)]
    content: Vec<Content<'a>>,
    #[serde(rename = "isError", default)]
    is_error: bool,
    #[serde(rename = "protocolVersion")]
    protocol_version: Option<&'a str>,
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

/// The id of a JSON-RPC reply whose result is the right answer to call `id`; `Err` says what is wrong.
pub fn check_call(line: &[u8]) -> Result<u64, String> {
    let reply: Reply = serde_json::from_slice(line).map_err(|e| {
        format!(
            "not a JSON-RPC reply ({e}): {}",
            String::from_utf8_lossy(line)
        )
    })?;
    let id = reply.id.ok_or("reply without id")?;
    let result = reply
        .result
        .ok_or_else(|| format!("error reply: {}", String::from_utf8_lossy(line)))?;
    let text = result.content.first().and_then(|c| c.text.as_deref());
    if result.is_error || text != Some(expected_text(id).as_str()) {
        return Err(format!(
            "wrong result for call {id}: {}",
            String::from_utf8_lossy(line)
        ));
    }
    Ok(id)
}

/// Checks an initialize reply; returns its id.
pub fn check_initialize(line: &[u8]) -> Result<u64, String> {
    let reply: Reply = serde_json::from_slice(line).map_err(|e| {
        format!(
            "not a JSON-RPC reply ({e}): {}",
            String::from_utf8_lossy(line)
        )
    })?;
    match (reply.id, reply.result) {
        (Some(id), Some(result)) if result.protocol_version.is_some() => Ok(id),
        _ => Err(format!(
            "bad initialize reply: {}",
            String::from_utf8_lossy(line)
        )),
    }
}

/// The JSON messages of a body that is either one JSON document or an SSE stream (`data:` lines).
pub fn messages(body: &[u8]) -> Vec<&[u8]> {
    let trimmed = body.trim_ascii_start();
    if trimmed.first() == Some(&b'{') {
        return vec![trimmed];
    }
    body.split(|b| *b == b'\n')
        .filter_map(|line| line.strip_prefix(b"data:"))
        .map(|data| data.trim_ascii())
        .filter(|data| data.first() == Some(&b'{'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_results_by_id() {
        let ok = br#"{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"-3"}]}}"#;
        assert_eq!(check_call(ok), Ok(4));
        let echo = br#"{"jsonrpc":"2.0","id":5,"result":{"content":[{"type":"text","text":"hello 5"}],"isError":false}}"#;
        assert_eq!(check_call(echo), Ok(5));
        let wrong =
            br#"{"jsonrpc":"2.0","id":6,"result":{"content":[{"type":"text","text":"-3"}]}}"#;
        assert!(check_call(wrong).is_err());
        let failed = br#"{"jsonrpc":"2.0","id":4,"result":{"content":[{"type":"text","text":"-3"}],"isError":true}}"#;
        assert!(check_call(failed).is_err());
        assert!(
            check_call(br#"{"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"x"}}"#).is_err()
        );
    }

    #[test]
    fn splits_sse_bodies() {
        let sse = b"id: 0\ndata: \n\nevent: message\ndata: {\"id\":1}\n\n";
        assert_eq!(messages(sse), vec![&b"{\"id\":1}"[..]]);
        assert_eq!(messages(b" {\"id\":2}"), vec![&b"{\"id\":2}"[..]]);
    }
}
