//! Calling each tool: which arguments to send ([`plan`], from [`super::example`]) and what the replies mean
//! ([`judge`], [`judge_refusal`]). Pure functions over rmcp's result type; `session.rs` sends the calls.

use rmcp::model::CallToolResult;
use rmcp::service::ServiceError;
use serde_json::{Map, Value};

use super::example;
use super::expect::no_arguments_schema;
use crate::spec::{Spec, TaskSupport};

/// The calls verify makes to one tool.
pub struct ToolCall {
    pub name: String,
    /// The valid arguments, or why the tool is not called (then it is reported as skipped).
    pub arguments: Result<Map<String, Value>, String>,
    /// Arguments the server must refuse, and what is wrong with them.
    pub invalid: Option<(Map<String, Value>, String)>,
    /// The compiled `outputSchema`, when the tool declares one.
    pub output: Option<jsonschema::Validator>,
    /// `execution.taskSupport: required`: a plain call is refused by design, so the tool is called as a task
    /// (`verify/tasks.rs`) instead.
    pub task_only: bool,
}

/// One call plan per tool. A tool annotated `destructiveHint: true` is not called unless `call_destructive`.
pub fn plan(spec: &Spec, call_destructive: bool) -> Vec<ToolCall> {
    spec.tools
        .iter()
        .map(|tool| {
            let schema = tool
                .input_schema
                .clone()
                .map_or_else(no_arguments_schema, Value::Object);
            let destructive = tool
                .annotations
                .as_ref()
                .and_then(|a| a.destructive_hint)
                .unwrap_or(false);
            let arguments = if destructive && !call_destructive {
                Err("destructiveHint: true (not called without --call-destructive)".to_owned())
            } else {
                example::valid(&schema).and_then(|value| match value {
                    Value::Object(arguments) => Ok(arguments),
                    other => Err(format!("the example {other} is not an object")),
                })
            };
            let invalid = arguments.as_ref().ok().and_then(|valid| {
                let (value, what) = example::invalid(&schema, &Value::Object(valid.clone()))?;
                Some((value.as_object()?.clone(), what))
            });
            let output = tool
                .output_schema
                .as_ref()
                .and_then(|schema| jsonschema::validator_for(&Value::Object(schema.clone())).ok());
            ToolCall {
                name: tool.name.clone(),
                arguments,
                invalid,
                output,
                task_only: tool.execution.as_ref().and_then(|e| e.task_support)
                    == Some(TaskSupport::Required),
            }
        })
        .collect()
}

/// What the reply to a call with valid arguments says about the server.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    Pass,
    /// The handler is still the generated stub (its "not implemented" error).
    Stub(String),
    /// Answered, but its output could not be checked (the note says why).
    Skip(String),
    Fail(String),
}

/// Judges the reply to a call with valid arguments: a well-formed result whose `structuredContent` fits the
/// `outputSchema` passes; the stub's "not implemented" error is a stub; another error result cannot be checked
/// (the tool may refuse a made-up argument), unless it is the runtime's "Internal error" (a panic, a result
/// that breaks the outputSchema); a JSON-RPC error fails.
pub fn judge(
    reply: Result<CallToolResult, ServiceError>,
    output: Option<&jsonschema::Validator>,
) -> Verdict {
    let result = match reply {
        Ok(result) => result,
        Err(ServiceError::McpError(error)) if is_stub(&error.message) => {
            return Verdict::Stub(error.message.into_owned());
        }
        Err(ServiceError::McpError(error)) => {
            return Verdict::Fail(format!(
                "JSON-RPC error {} to valid arguments: {}",
                error.code.0, error.message
            ));
        }
        Err(error) => return Verdict::Fail(error.to_string()),
    };
    if result.is_error == Some(true) {
        let text = text_of(&result);
        return if is_stub(&text) {
            Verdict::Stub(text)
        } else if text.starts_with("Internal error") {
            Verdict::Fail(text)
        } else {
            Verdict::Skip(format!("error result, output unchecked: {text}"))
        };
    }
    match (&result.structured_content, output) {
        (Some(value), _) if !value.is_object() => {
            Verdict::Fail(format!("structuredContent is not an object: {value}"))
        }
        (None, Some(_)) => {
            Verdict::Fail("no structuredContent although the tool declares an outputSchema".into())
        }
        (Some(value), Some(validator)) => match validator.iter_errors(value).next() {
            None => Verdict::Pass,
            Some(error) => Verdict::Fail(format!(
                "structuredContent does not match the outputSchema at {:?}: {error}",
                error.instance_path().as_str()
            )),
        },
        _ => Verdict::Pass,
    }
}

/// `None` when the server refused invalid arguments (a JSON-RPC error or an error result other than the stub's),
/// else why that is a failure.
pub fn judge_refusal(reply: Result<CallToolResult, ServiceError>, what: &str) -> Option<String> {
    match reply {
        Err(ServiceError::McpError(_)) => None,
        Err(error) => Some(format!("arguments {what}: {error}")),
        Ok(result) if result.is_error == Some(true) => {
            let text = text_of(&result);
            is_stub(&text).then(|| {
                format!("arguments {what} reached the handler: the server does not check arguments")
            })
        }
        Ok(_) => Some(format!("arguments {what} were accepted")),
    }
}

/// The generated handler stub's error (`tool 'x' is not implemented yet`), or a hand-written one like it.
fn is_stub(text: &str) -> bool {
    text.to_ascii_lowercase().contains("not implemented")
}

fn text_of(result: &CallToolResult) -> String {
    let texts: Vec<&str> = result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.as_str()))
        .collect();
    texts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::ErrorData;
    use rmcp::model::ContentBlock;
    use serde_json::json;

    fn error(text: &str) -> Result<CallToolResult, ServiceError> {
        Ok(CallToolResult::error(vec![ContentBlock::text(text)]))
    }

    #[test]
    fn the_reply_to_valid_arguments() {
        let schema = jsonschema::validator_for(&json!({
            "type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]
        }))
        .unwrap();
        let ok = |v: Value| Ok(CallToolResult::structured(v));
        assert_eq!(judge(ok(json!({"n": 1})), Some(&schema)), Verdict::Pass);
        assert_eq!(judge(ok(json!({"x": 1})), None), Verdict::Pass);
        let Verdict::Fail(note) = judge(ok(json!({"n": "1"})), Some(&schema)) else {
            panic!("a result that breaks the outputSchema fails")
        };
        assert!(note.contains("\"/n\""), "{note}");
        let plain = Ok(CallToolResult::success(vec![ContentBlock::text("hi")]));
        assert!(
            matches!(judge(plain, Some(&schema)), Verdict::Fail(n) if n.contains("no structuredContent"))
        );
        assert!(matches!(judge(ok(json!([1])), None), Verdict::Fail(_)));
        assert_eq!(
            judge(error("tool 'x' is not implemented yet"), Some(&schema)),
            Verdict::Stub("tool 'x' is not implemented yet".into())
        );
        assert!(
            matches!(judge(error("unknown city"), Some(&schema)), Verdict::Skip(n) if n.contains("unknown city"))
        );
        assert!(matches!(
            judge(error("Internal error: tool 'x' failed unexpectedly"), None),
            Verdict::Fail(_)
        ));
        let rpc = Err(ServiceError::McpError(ErrorData::internal_error(
            "boom", None,
        )));
        assert!(matches!(judge(rpc, None), Verdict::Fail(n) if n.contains("boom")));
    }

    #[test]
    fn invalid_arguments_must_be_refused() {
        assert_eq!(
            judge_refusal(error("Invalid arguments for tool 'x'"), "w"),
            None
        );
        let rpc = Err(ServiceError::McpError(ErrorData::invalid_params(
            "bad", None,
        )));
        assert_eq!(judge_refusal(rpc, "w"), None);
        assert!(judge_refusal(error("tool 'x' is not implemented yet"), "w").is_some());
        let accepted = Ok(CallToolResult::success(vec![ContentBlock::text("hi")]));
        assert_eq!(
            judge_refusal(accepted, "without `n`").as_deref(),
            Some("arguments without `n` were accepted")
        );
    }

    #[test]
    fn destructive_tools_wait_for_the_flag() {
        let spec = crate::pipeline::load_spec_str(
            std::path::Path::new("/nonexistent/s.yaml"),
            "mcpgen: 1\nserver: {name: d}\ntools:\n  - name: drop\n    annotations: {destructiveHint: true}\n  - name: ping\ntransports:\n  stdio: {}\n",
        )
        .unwrap()
        .spec;
        let calls = plan(&spec, false);
        assert!(
            calls[0]
                .arguments
                .as_ref()
                .unwrap_err()
                .contains("--call-destructive")
        );
        assert_eq!(calls[1].arguments.as_ref().unwrap(), &Map::new());
        assert!(plan(&spec, true)[0].arguments.is_ok());
    }
}
