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
    let (requests, state) = all_asked(answer);
    assert_eq!(requests.len(), 1, "{answer}");
    let (key, request) = requests.into_iter().next().unwrap();
    (key, request, state)
}

/// Every question an `input_required` answer asks, and the state to echo.
fn all_asked(answer: &Value) -> (serde_json::Map<String, Value>, String) {
    let result = &answer["result"];
    assert_eq!(result["resultType"], "input_required", "{answer}");
    let requests = result["inputRequests"].as_object().expect("inputRequests");
    let state = result["requestState"].as_str().expect("requestState");
    (requests.clone(), state.to_owned())
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

#[tokio::test]
async fn questions_asked_together_come_in_one_round() {
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let (requests, state) = all_asked(&call(&app, "together", json!({})).await);
        let mut messages: Vec<_> = requests
            .values()
            .map(|request| request["params"]["message"].as_str().unwrap())
            .collect();
        messages.sort_unstable();
        assert_eq!(messages, ["Your colour?", "Your name?"], "{requests:?}");
        let answers: serde_json::Map<_, _> = requests
            .iter()
            .map(|(key, request)| {
                let said = if request["params"]["message"] == "Your name?" {
                    "Ada"
                } else {
                    "blue"
                };
                (key.clone(), accepted(said))
            })
            .collect();
        let retry = json!({"inputResponses": answers, "requestState": state});
        let done = call(&app, "together", retry).await;
        assert_eq!(text(&done), "Ada likes blue, task false");
    }
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_is_asked_again() {
    let app = app(false, &[]).await;
    let (key, _, state) = asked(&call(&app, "ask", json!({})).await);
    let retry = json!({"inputResponses": {&key: 12345}, "requestState": state});
    let (again, request, _) = asked(&call(&app, "ask", retry).await);
    assert_eq!(again, key);
    assert_eq!(request["params"]["message"], "Your name?", "{request}");
}

#[tokio::test]
async fn a_question_with_a_key_takes_an_answer_sent_before_it_was_asked() {
    let app = app(false, &[]).await;
    let (key, _, _) = asked(&call(&app, "named", json!({})).await);
    assert_eq!(key, "user_name");
    // Answered up front, without a state, beside answers nobody asked for.
    let answers = json!({"user_name": accepted("Ada"), "other": accepted("Bob")});
    let done = call(&app, "named", json!({ "inputResponses": answers })).await;
    assert_eq!(text(&done), "Ada, task false");
}

#[tokio::test]
async fn roots_are_asked_in_rounds() {
    let app = app(false, &[]).await;
    let (key, request, state) = asked(&call(&app, "roots", json!({})).await);
    assert_eq!(request["method"], "roots/list", "{request}");
    let roots = json!({"roots": [{"uri": "file:///work", "name": "work"}]});
    let retry = json!({"inputResponses": {key: roots}, "requestState": state});
    let done = call(&app, "roots", retry).await;
    assert_eq!(text(&done), "roots file:///work, task false");
}

#[tokio::test]
async fn a_prompt_is_answered_in_rounds_with_a_state_of_its_own() {
    for stateful in [true, false] {
        let app = app(stateful, &[]).await;
        let get = |extra: Value| {
            let mut params = json!({"name": "ask"});
            params
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().cloned().unwrap_or_default());
            PLAIN.request(&app, "prompts/get", "ask", params)
        };
        let (key, request, state) = asked(&get(json!({})).await);
        assert_eq!(request["params"]["message"], "Your name?", "{request}");
        let answers = json!({ &key: accepted("Ada") });
        let done = get(json!({"inputResponses": answers, "requestState": state})).await;
        assert_eq!(
            done["result"]["messages"][0]["content"]["text"], "hello Ada",
            "{done}"
        );
        // A prompt's state is not good for the tool of the same name.
        let refused = call(
            &app,
            "ask",
            json!({"inputResponses": answers, "requestState": state}),
        );
        assert_eq!(refused.await["error"]["code"], -32602);
    }
}
