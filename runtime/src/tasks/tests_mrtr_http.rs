//! SEP-2322 multi-round-trip requests (`crate::mrtr`) over streamable HTTP, stateful and stateless: a
//! plain 2026-07-28 `tools/call` whose handler elicits answers `input_required`, and the retry with
//! `inputResponses` and the echoed `requestState` completes it (or asks again). Beside the SEP-2663 tests,
//! whose app and raw 2026-07-28 client it shares.

use serde_json::{Value, json};

use super::tests_sep2663_http::{Client, app, status};

/// A client that does not declare the tasks extension, so every call is plain.
const PLAIN: Client = Client {
    token: None,
    declare: false,
};

/// `tool` called with `extra` params (`inputResponses`, `requestState`); the JSON-RPC answer.
async fn call(app: &axum::Router, tool: &str, extra: Value) -> Value {
    let mut params = json!({"name": tool, "arguments": {}});
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    PLAIN.request(app, "tools/call", tool, params).await
}

/// The one question an `input_required` answer asks: its key, its request, and the state to echo.
fn asked(answer: &Value) -> (String, Value, String) {
    let result = &answer["result"];
    assert_eq!(result["resultType"], "input_required", "{answer}");
    let requests = result["inputRequests"].as_object().expect("inputRequests");
    assert_eq!(requests.len(), 1, "{answer}");
    let (key, request) = requests.iter().next().unwrap();
    let state = result["requestState"].as_str().expect("requestState");
    (key.clone(), request.clone(), state.to_owned())
}

fn accepted(value: &str) -> Value {
    json!({"action": "accept", "content": {"name": value, "v": value}})
}

fn text(answer: &Value) -> &str {
    answer["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("a complete result: {answer}"))
}

#[tokio::test]
async fn elicitation_in_a_plain_call_is_input_required_then_the_retry_completes() {
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let (key, request, state) = asked(&call(&app, "ask", json!({})).await);
        assert_eq!(request["method"], "elicitation/create", "{request}");
        assert_eq!(request["params"]["message"], "Your name?", "{request}");
        let retry = json!({"inputResponses": {key: accepted("Ada")}, "requestState": state});
        let done = call(&app, "ask", retry).await;
        assert_eq!(done["result"]["resultType"], "complete", "{done}");
        assert_eq!(text(&done), "hello Ada, task false");
    }
}

#[tokio::test]
async fn two_rounds_carry_the_first_answer_in_the_state() {
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let (first, request, state) = asked(&call(&app, "twice", json!({})).await);
        assert_eq!(request["params"]["message"], "Your name?", "{request}");
        let retry = json!({"inputResponses": {&first: accepted("Ada")}, "requestState": state});
        let (second, request, next_state) = asked(&call(&app, "twice", retry).await);
        assert_eq!(request["params"]["message"], "Your colour?", "{request}");
        assert_ne!(first, second, "keys are not reused");
        assert_ne!(state, next_state);
        // Only the new answer: the first comes back from the state.
        let retry =
            json!({"inputResponses": {second: accepted("blue")}, "requestState": next_state});
        let done = call(&app, "twice", retry).await;
        assert_eq!(text(&done), "Ada likes blue, task false");
    }
}

#[tokio::test]
async fn a_tampered_or_borrowed_request_state_is_refused() {
    let app = app(false, &[]).await;
    let (key, _, state) = asked(&call(&app, "twice", json!({})).await);
    let retry = json!({"inputResponses": {&key: accepted("Ada")}, "requestState": state});
    let (second, _, state) = asked(&call(&app, "twice", retry).await);
    let answers = json!({&second: accepted("blue")});
    for (tool, state) in [
        ("twice", format!("{state}-TAMPERED")),
        ("twice", format!("x{}", &state[1..])),
        // Made for another call.
        ("ask", state.clone()),
    ] {
        let retry = json!({"inputResponses": answers, "requestState": state});
        let refused = call(&app, tool, retry).await;
        assert_eq!(refused["error"]["code"], -32602, "{tool}: {refused}");
    }
    // The untouched state still works.
    let retry = json!({"inputResponses": answers, "requestState": state});
    assert_eq!(
        text(&call(&app, "twice", retry).await),
        "Ada likes blue, task false"
    );
}

#[tokio::test]
async fn questions_asked_first_come_in_rounds_before_the_task() {
    let tasks = Client {
        token: None,
        declare: true,
    };
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let params = json!({"name": "gather", "arguments": {}});
        let first = tasks
            .request(&app, "tools/call", "gather", params.clone())
            .await;
        let (key, request, state) = asked(&first);
        assert!(first["result"].get("taskId").is_none(), "{first}");
        assert_eq!(request["params"]["message"], "Your name?", "{request}");
        let mut retry = params;
        retry["inputResponses"] = json!({ key: accepted("Ada") });
        retry["requestState"] = json!(state);
        let created = tasks.request(&app, "tools/call", "gather", retry).await;
        let result = &created["result"];
        assert_eq!(result["resultType"], "task", "{created}");
        assert!(result.get("requestState").is_none(), "{created}");
        assert!(result.get("inputRequests").is_none(), "{created}");
        let id = result["taskId"].as_str().unwrap();
        let done = tasks
            .poll(&app, id, |task| status(task) == "completed")
            .await;
        assert_eq!(
            done["result"]["content"][0]["text"],
            "gathered Ada, task true"
        );
    }
}
