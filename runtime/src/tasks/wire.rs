//! What rmcp cannot carry for 2025-11-25 tasks, fixed on the JSON itself. rmcp's `CallToolRequestParams`
//! drops `params.task`, its dispatcher takes `tasks/get` and `tasks/cancel` for the SEP-2663 extension's
//! (and refuses them unless that extension is on), its `ServerCapabilities` has no `tasks` and its `Tool`
//! no `execution`. So a transport that serves tasks renames the three requests (and SEP-2663's
//! `tasks/update`, so one place answers every task request of both eras) to methods of mcpgen's own
//! namespace, which reach the handler as custom requests with their params intact, and adds
//! `capabilities.tasks` to the `initialize` result and `execution` to the `tools/list` result. A
//! `subscriptions/listen` naming `notifications.taskIds` (SEP-2663) is renamed too: rmcp's
//! `SubscriptionFilter` would drop the ids and its `SubscriptionSink` refuses `notifications/tasks`.

// Only the stdio, streamable HTTP and SSE transports rewrite messages, each with the functions it needs.
#![cfg_attr(
    not(all(feature = "stdio", feature = "streamable-http", feature = "sse")),
    allow(dead_code)
)]

use rmcp::model::{CustomResult, ServerJsonRpcMessage, ServerResult};
use serde_json::{Value, json};

use crate::defs::ToolDef;

/// A `tools/call` with `params.task`, renamed.
pub(crate) const CALL: &str = "dev.mcpgen/tasks/call";
/// `tasks/get`, renamed.
pub(crate) const GET: &str = "dev.mcpgen/tasks/get";
/// `tasks/cancel`, renamed.
pub(crate) const CANCEL: &str = "dev.mcpgen/tasks/cancel";
/// `tasks/update` (SEP-2663 only), renamed.
pub(crate) const UPDATE: &str = "dev.mcpgen/tasks/update";
/// A `subscriptions/listen` with `params.notifications.taskIds` (SEP-2663), renamed.
pub(crate) const LISTEN: &str = "dev.mcpgen/subscriptions/listen";

/// The protocol versions that define tasks the 2025-11-25 way.
pub(crate) fn is_task_era(version: &str) -> bool {
    ("2025-11-25".."2026-07-28").contains(&version)
}

/// Whether a message can need [`rename`]: only one that mentions `task` anywhere.
pub(crate) fn may_carry_task(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"task")
}

/// Renames the requests rmcp would mangle (see the module's comment). Returns whether it did.
pub(crate) fn rename(message: &mut Value) -> bool {
    let Some(method) = message.get("method").and_then(Value::as_str) else {
        return false;
    };
    let renamed = match method {
        "tools/call" if message.get("params").and_then(|p| p.get("task")).is_some() => CALL,
        "tasks/get" => GET,
        "tasks/cancel" => CANCEL,
        "tasks/update" => UPDATE,
        "subscriptions/listen" if message.pointer("/params/notifications/taskIds").is_some() => {
            LISTEN
        }
        _ => return false,
    };
    message["method"] = renamed.into();
    true
}

/// The method a renamed request had on the wire, for messages to the client.
pub(crate) fn wire_name(method: &str) -> &str {
    match method {
        CALL => "tools/call",
        GET => "tasks/get",
        CANCEL => "tasks/cancel",
        UPDATE => "tasks/update",
        LISTEN => "subscriptions/listen",
        other => other,
    }
}

/// Whether any of the spec's tools writes `execution`, which `tools/list` then needs added.
pub(crate) fn writes_execution(tools: &[ToolDef]) -> bool {
    tools.iter().any(|tool| tool.execution.is_some())
}

/// Adds each tool's `execution`, as the spec writes it, to a `tools/list` result. Returns whether it
/// changed anything.
pub(crate) fn add_execution(result: &mut Value, defs: &[ToolDef]) -> bool {
    let Some(tools) = result.get_mut("tools").and_then(Value::as_array_mut) else {
        return false;
    };
    let mut changed = false;
    // Only the tools that write `execution` are looked up: a large spec with one task tool stays one pass.
    for def in defs {
        let Some(written) = def.execution else {
            continue;
        };
        let listed = tools
            .iter_mut()
            .find(|tool| tool.get("name").and_then(Value::as_str) == Some(def.name));
        let Some(tool) = listed.and_then(Value::as_object_mut) else {
            continue;
        };
        let execution = match written.task_support {
            Some(support) => json!({ "taskSupport": support.as_str() }),
            None => json!({}),
        };
        tool.insert("execution".to_owned(), execution);
        changed = true;
    }
    changed
}

/// A typed outgoing message with the fixes of this module: `capabilities.tasks` in the `initialize` result
/// (when `tasks`) and each tool's `execution` in the `tools/list` result, as a custom result of the same JSON.
/// Every other message is returned as it came.
pub(crate) fn patch_outgoing(
    message: ServerJsonRpcMessage,
    tasks: bool,
    tools: &[ToolDef],
) -> ServerJsonRpcMessage {
    let ServerJsonRpcMessage::Response(response) = message else {
        return message;
    };
    let patch = match &response.result {
        ServerResult::InitializeResult(_) => tasks,
        ServerResult::ListToolsResult(_) => writes_execution(tools),
        _ => false,
    };
    if !patch {
        return ServerJsonRpcMessage::Response(response);
    }
    let Ok(mut result) = serde_json::to_value(&response.result) else {
        return ServerJsonRpcMessage::Response(response);
    };
    if tasks {
        advertise(&mut result);
    }
    add_execution(&mut result, tools);
    ServerJsonRpcMessage::response(
        ServerResult::CustomResult(CustomResult(result)),
        response.id,
    )
}

/// Adds the `tasks` capability to an `initialize` result whose negotiated version defines it.
/// Returns whether it did.
pub(crate) fn advertise(result: &mut Value) -> bool {
    let version = result.get("protocolVersion").and_then(Value::as_str);
    if !version.is_some_and(is_task_era) {
        return false;
    }
    let Some(capabilities) = result
        .get_mut("capabilities")
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    capabilities.insert(
        "tasks".to_owned(),
        json!({ "list": {}, "cancel": {}, "requests": { "tools": { "call": {} } } }),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defs::ExecutionDef;
    use crate::testing::{task_tool, tool};

    #[test]
    fn task_requests_are_renamed_and_others_left_alone() {
        let mut call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "t", "arguments": {}, "task": {"ttl": 5000}}});
        assert!(rename(&mut call));
        assert_eq!(call["method"], CALL);
        assert_eq!(call["params"]["task"], json!({"ttl": 5000}));
        for (method, renamed) in [
            ("tasks/get", GET),
            ("tasks/cancel", CANCEL),
            ("tasks/update", UPDATE),
            ("subscriptions/listen", LISTEN),
        ] {
            let mut request = json!({"method": method,
                "params": {"taskId": "x", "notifications": {"taskIds": ["x"]}}});
            assert!(rename(&mut request));
            assert_eq!(request["method"], renamed);
            assert_eq!(wire_name(renamed), method);
        }
        for mut other in [
            json!({"method": "tools/call", "params": {"name": "t"}}),
            json!({"method": "tasks/result", "params": {"taskId": "x"}}),
            json!({"method": "tools/list", "params": {"task": {}}}),
            json!({"method": "subscriptions/listen", "params": {"notifications": {"toolsListChanged": true}}}),
            json!({"id": 1, "result": {}}),
        ] {
            assert!(!rename(&mut other), "{other}");
        }
    }

    #[test]
    fn execution_is_added_as_written() {
        let mut result = json!({"tools": [{"name": "a"}, {"name": "b"}, {"name": "c"}]});
        let defs = [
            task_tool("a", ExecutionDef::REQUIRED),
            task_tool("b", ExecutionDef::DEFAULT),
            tool("c"),
        ];
        assert!(add_execution(&mut result, &defs));
        assert_eq!(
            result["tools"][0]["execution"],
            json!({"taskSupport": "required"})
        );
        assert_eq!(result["tools"][1]["execution"], json!({}));
        assert!(result["tools"][2].get("execution").is_none());
    }

    #[test]
    fn only_task_eras_get_the_capability() {
        for (version, expected) in [
            ("2025-06-18", false),
            ("2025-11-25", true),
            ("2026-07-28", false),
        ] {
            let mut result = json!({"protocolVersion": version, "capabilities": {"tools": {}}});
            assert_eq!(advertise(&mut result), expected, "{version}");
            assert_eq!(result["capabilities"].get("tasks").is_some(), expected);
        }
        let mut result = json!({"protocolVersion": "2025-11-25", "capabilities": {}});
        assert!(advertise(&mut result));
        assert_eq!(
            result["capabilities"]["tasks"]["requests"]["tools"]["call"],
            json!({})
        );
    }

    #[test]
    fn the_cheap_filter_sees_every_task_param() {
        assert!(may_carry_task(br#"{"params":{"task":{}}}"#));
        assert!(!may_carry_task(br#"{"method":"tools/list"}"#));
    }
}
