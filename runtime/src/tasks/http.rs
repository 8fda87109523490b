//! The streamable HTTP side of [`super::wire`], as middleware in front of rmcp's service: a POST body with
//! a task request is renamed (with its `Mcp-Method` header, which rmcp checks against the body; its
//! `Mcp-Name` is checked here against `params.taskId`, as rmcp would have), the owner of a 2026-07-28
//! request's tasks is put in its extensions, and the answers to `initialize` and `tools/list` (a short
//! event stream, or JSON) get `capabilities.tasks` and `execution`.

use axum::Router;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use serde_json::Value;

use super::sep2663::HttpOwner;
use super::store::Owner;
use super::wire;
use crate::auth::Auth;
use crate::defs::ToolDef;
use crate::principal::Principal;

/// The largest `initialize` answer read back for rewriting; rmcp's is a few hundred bytes.
const MAX_INITIALIZE_ANSWER: usize = 1024 * 1024;

/// Middleware state.
#[derive(Clone)]
pub(crate) struct Rewrite {
    /// The body limit the guard in front already enforces.
    pub(crate) max_body_bytes: usize,
    /// Whether 2025-11-25 tasks are served (stateful mode).
    pub(crate) tasks: bool,
    /// The server's auth, when SEP-2663 tasks are served (the server has a task tool): it says who
    /// owns a request's tasks.
    pub(crate) owners: Option<Auth>,
    /// The spec's tools, for their `execution`.
    pub(crate) tools: &'static [ToolDef],
}

/// `routes` behind the middleware when the spec gives a tool `execution` (else unchanged).
pub(crate) fn layer(
    tools: &'static [ToolDef],
    routes: Router,
    max_body_bytes: usize,
    tasks: bool,
    owners: Option<Auth>,
) -> Router {
    if !wire::writes_execution(tools) {
        return routes;
    }
    let state = Rewrite {
        max_body_bytes,
        tasks,
        owners,
        tools,
    };
    routes.layer(axum::middleware::from_fn_with_state(state, rewrite))
}

/// The middleware.
pub(crate) async fn rewrite(
    State(rewrite): State<Rewrite>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, rewrite.max_body_bytes).await else {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Some(auth) = &rewrite.owners {
        let owner = match Principal::of(auth, &parts.headers, &parts.extensions) {
            Some(principal) => Some(Owner::Principal(principal.bytes())),
            None if matches!(auth, Auth::None) => Some(Owner::Anyone),
            // Authenticated, yet no principal: no owner, so no tasks.
            None => None,
        };
        if let Some(owner) = owner {
            parts.extensions.insert(HttpOwner(owner));
        }
    }
    let renames = rewrite.tasks || rewrite.owners.is_some();
    let mut patch_answer = false;
    let mut body = bytes.clone();
    let mentions = |word: &[u8]| bytes.windows(word.len()).any(|w| w == word);
    let interesting = (renames && wire::may_carry_task(&bytes))
        || (rewrite.tasks && mentions(b"initialize"))
        // The layer is there only when a tool writes `execution`, which every `tools/list` answer needs.
        || mentions(b"tools/list");
    if interesting {
        // A body that is not JSON is left for rmcp to answer.
        if let Ok(mut message) = serde_json::from_slice::<Value>(&bytes) {
            patch_answer = match message.get("method").and_then(Value::as_str) {
                Some("initialize") => rewrite.tasks,
                Some("tools/list") => true,
                _ => false,
            };
            // rmcp checks `Mcp-Name` against `params.taskId` only under the names it knows.
            if renames && let Err(why) = task_name_header_matches(&parts.headers, &message) {
                return header_mismatch(message.get("id").cloned(), why);
            }
            if renames
                && wire::rename(&mut message)
                && let Ok(renamed) = serde_json::to_vec(&message)
            {
                body = Bytes::from(renamed);
                // rmcp refuses a body whose method is not the header's (2026-07-28's SEP-2243).
                if parts.headers.contains_key(MCP_METHOD)
                    && let Some(Ok(method)) = message["method"].as_str().map(HeaderValue::from_str)
                {
                    parts.headers.insert(MCP_METHOD, method);
                }
            }
        }
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    if !patch_answer || !response.status().is_success() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(answer) = to_bytes(body, MAX_INITIALIZE_ANSWER).await else {
        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(patch(&answer, &rewrite)))
}

/// The header that names a request's method (SEP-2243).
const MCP_METHOD: &str = "mcp-method";

/// The header that names a request's target: for the task methods, `params.taskId` (SEP-2663).
const MCP_NAME: &str = "mcp-name";

/// SEP-2243's check of `Mcp-Name` for `tasks/get`, `tasks/update` and `tasks/cancel`, which rmcp makes
/// for them (as for every name-shaped request) but no longer sees once they are renamed: a header that
/// differs from `params.taskId` is refused, and so is a missing one from a client that sends the
/// SEP-2243 headers (`Mcp-Method`; earlier protocol versions send neither).
fn task_name_header_matches(
    headers: &axum::http::HeaderMap,
    message: &Value,
) -> Result<(), String> {
    let method = message.get("method").and_then(Value::as_str);
    if !matches!(method, Some("tasks/get" | "tasks/update" | "tasks/cancel")) {
        return Ok(());
    }
    let Some(task_id) = message.pointer("/params/taskId").and_then(Value::as_str) else {
        return Ok(());
    };
    let mut values = headers.get_all(MCP_NAME).iter();
    let Some(value) = values.next() else {
        return match headers.contains_key(MCP_METHOD) {
            true => Err("missing required Mcp-Name header".to_owned()),
            false => Ok(()),
        };
    };
    if values.next().is_some() {
        return Err("duplicate Mcp-Name header".to_owned());
    }
    let name = value
        .to_str()
        .ok()
        .and_then(decode_header_value)
        .ok_or_else(|| "Mcp-Name header is not a valid value".to_owned())?;
    if name != task_id {
        return Err(format!(
            "Mcp-Name header `{name}` does not match params.taskId `{task_id}`"
        ));
    }
    Ok(())
}

/// A SEP-2243 header value: `=?base64?...?=` wraps a value that is not plain ASCII; the field's
/// surrounding whitespace is not part of it (RFC 9110, 5.5).
fn decode_header_value(raw: &str) -> Option<String> {
    use base64::Engine as _;
    let raw = raw.trim_matches([' ', '\t']);
    match raw
        .strip_prefix("=?base64?")
        .and_then(|r| r.strip_suffix("?="))
    {
        Some(encoded) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()?;
            String::from_utf8(bytes).ok()
        }
        None => Some(raw.to_owned()),
    }
}

/// HTTP 400 with the JSON-RPC error `-32020` (HeaderMismatch), as rmcp answers its own header checks.
fn header_mismatch(id: Option<Value>, why: String) -> Response {
    let error = rmcp::model::ErrorData::new(rmcp::model::ErrorCode::HEADER_MISMATCH, why, None);
    let body = serde_json::json!({"jsonrpc": "2.0", "id": id, "error": error});
    (
        axum::http::StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The answer's result with `capabilities.tasks` (`initialize`) or `execution` (`tools/list`).
fn patch_message(message: &mut Value, rewrite: &Rewrite) -> bool {
    let Some(result) = message.get_mut("result") else {
        return false;
    };
    let advertised = rewrite.tasks && wire::advertise(result);
    wire::add_execution(result, rewrite.tools) || advertised
}

/// [`patch_message`] on a JSON body, or on each `data:` line of an event stream.
fn patch(answer: &[u8], rewrite: &Rewrite) -> Vec<u8> {
    if let Ok(mut message) = serde_json::from_slice::<Value>(answer) {
        if patch_message(&mut message, rewrite)
            && let Ok(rewritten) = serde_json::to_vec(&message)
        {
            return rewritten;
        }
        return answer.to_vec();
    }
    let Ok(text) = std::str::from_utf8(answer) else {
        return answer.to_vec();
    };
    let mut out = String::with_capacity(text.len() + 96);
    for line in text.split_inclusive('\n') {
        let (content, ending) = match line.strip_suffix('\n') {
            Some(content) => (content, "\n"),
            None => (line, ""),
        };
        let patched = content.strip_prefix("data:").and_then(|data| {
            let mut message: Value = serde_json::from_str(data.trim_start()).ok()?;
            patch_message(&mut message, rewrite).then(|| format!("data: {message}"))
        });
        out.push_str(patched.as_deref().unwrap_or(content));
        out.push_str(ending);
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defs::ExecutionDef;

    #[test]
    fn event_stream_and_json_answers_both_get_the_capability() {
        const TOOLS: &[ToolDef] = &[crate::testing::task_tool("t", ExecutionDef::OPTIONAL)];
        let rewrite = Rewrite {
            max_body_bytes: 1 << 20,
            tasks: true,
            owners: None,
            tools: TOOLS,
        };
        let advertise = |answer: &[u8]| patch(answer, &rewrite);
        let sse = b"id: 0\nretry: 3000\ndata: \n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}}\n\n";
        let out = String::from_utf8(advertise(sse)).unwrap();
        assert!(
            out.starts_with("id: 0\nretry: 3000\ndata: \n\nevent: message\ndata: {"),
            "{out}"
        );
        assert!(out.contains("\"tasks\""), "{out}");
        assert!(out.ends_with("}\n\n"), "{out}");

        let json = br#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25","capabilities":{}}}"#;
        let out: Value = serde_json::from_slice(&advertise(json)).unwrap();
        assert!(out["result"]["capabilities"]["tasks"].is_object());

        let old = br#"{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-06-18","capabilities":{}}}"#;
        assert_eq!(advertise(old), old.to_vec());

        let list = br#"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"t"}]}}"#;
        let out: Value = serde_json::from_slice(&advertise(list)).unwrap();
        assert_eq!(
            out["result"]["tools"][0]["execution"]["taskSupport"],
            "optional"
        );
    }
}
