//! SEP-2322 multi-round-trip requests: how a plain `tools/call` on protocol 2026-07-28, which has no
//! server-to-client requests, asks the client through [`crate::Ctx::elicit`] or [`crate::Ctx::sample`].
//!
//! Stateless, as the SEP intends (a retry may reach any instance): the handler's n-th question has the
//! key `input-n`. When the call carries the answer under that key, the question returns it; when not,
//! the handler's run is abandoned and the call answers `resultType: "input_required"` with that question
//! in `inputRequests` and, in `requestState`, the answers given so far. The client retries the same call
//! with the new answer in `inputResponses` and the state echoed back, and the handler runs again from the
//! start, its earlier questions answered from the state. The state is sealed with an HMAC (rmcp's
//! [`RequestStateCodec`]) bound to the tool and its arguments, so a state that was altered, or echoed
//! with another call, is refused with `-32602`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, InputRequests, InputRequiredResult, RequestStateCodec, SealOptions,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

/// How long a sealed state stays valid: one round's answer should not take longer.
const STATE_TTL: std::time::Duration = std::time::Duration::from_secs(3600);

static CODEC: OnceLock<RequestStateCodec> = OnceLock::new();

/// Seals states with `key` (`--request-state-key`, the same on every instance behind one address)
/// instead of a key drawn for this process; refused when shorter than the codec's 32 bytes.
pub(crate) fn use_key(key: &str) -> Result<(), String> {
    let codec = RequestStateCodec::try_new(key.as_bytes().to_vec())
        .map_err(|error| format!("--request-state-key is not usable: {error}"))?;
    let _ = CODEC.set(codec);
    Ok(())
}

fn codec() -> &'static RequestStateCodec {
    CODEC.get_or_init(|| {
        // 244 random bits from the operating system's generator (uuid v4 reads it).
        let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        RequestStateCodec::try_new(key).expect("32 bytes is the codec's minimum")
    })
}

/// The round of a plain `tools/call` on protocol 2026-07-28 or later; `None` for older protocols, whose
/// calls ask the client with a request of their own, and for a task's run, which asks through the task.
pub(crate) fn plain_round(
    params: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Result<Option<Arc<Round>>, ErrorData> {
    let modern = context
        .protocol_version()
        .is_some_and(|version| version.as_str() >= "2026-07-28");
    if !modern
        || context
            .extensions
            .get::<crate::tasks::RunningTask>()
            .is_some()
    {
        return Ok(None);
    }
    Round::of(params).map(|round| Some(Arc::new(round)))
}

/// One round of a plain 2026-07-28 `tools/call`: the answers the client has given, and the question the
/// handler is waiting on when they do not cover it. Put in the request's extensions for [`crate::Ctx`].
pub(crate) struct Round {
    answers: Map<String, Value>,
    binding: Vec<u8>,
    asked: AtomicU64,
    question: Mutex<Option<(String, Value)>>,
    waiting: Notify,
    /// Cleared once a call that was to become a task became one: later questions go to the task.
    open: AtomicBool,
}

impl Round {
    /// The round of `params`: the answers in its verified `requestState` and its `inputResponses`.
    pub(crate) fn of(params: &CallToolRequestParams) -> Result<Self, ErrorData> {
        // The state holds only for the call it was made for.
        let mut binding = params.name.as_bytes().to_vec();
        binding.push(0);
        binding.extend(serde_json::to_vec(&params.arguments).unwrap_or_default());
        let mut answers = match &params.request_state {
            None => Map::new(),
            Some(state) => codec()
                .open_json_with::<Map<String, Value>>(state, &binding)
                .map_err(|error| {
                    ErrorData::invalid_params(
                        format!("requestState is not one this server made for this call: {error}"),
                        None,
                    )
                })?,
        };
        for (key, answer) in params.input_responses.iter().flatten() {
            answers.insert(key.clone(), answer.clone());
        }
        Ok(Self {
            answers,
            binding,
            asked: AtomicU64::new(0),
            question: Mutex::new(None),
            waiting: Notify::new(),
            open: AtomicBool::new(true),
        })
    }

    /// The client's answer to the handler's next question `{method, params}`; when the call has none,
    /// records the question and never returns (the call ends with [`Round::needed`]). `None` once
    /// [`Round::close`]d.
    pub(crate) async fn ask(&self, method: &str, params: Value) -> Option<Value> {
        if !self.open.load(Ordering::Acquire) {
            return None;
        }
        let key = format!("input-{}", self.asked.fetch_add(1, Ordering::Relaxed) + 1);
        if let Some(answer) = self.answers.get(&key) {
            return Some(answer.clone());
        }
        *self.question.lock().expect("mrtr question lock") =
            Some((key, json!({ "method": method, "params": params })));
        self.waiting.notify_one();
        std::future::pending().await
    }

    /// Whether the handler asked a question this call does not answer.
    pub(crate) fn unanswered(&self) -> bool {
        self.question.lock().expect("mrtr question lock").is_some()
    }

    /// Ends the rounds: the call became a task, which asks its own way from now on.
    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::Release);
    }

    /// Waits until the handler asks a question the call does not answer, and makes the
    /// `input_required` result that asks it.
    pub(crate) async fn needed(&self) -> Result<InputRequiredResult, ErrorData> {
        self.waiting.notified().await;
        let (key, request) = self
            .question
            .lock()
            .expect("mrtr question lock")
            .take()
            .expect("a question precedes the notification");
        let requests: InputRequests = serde_json::from_value(json!({ key: request }))
            .map_err(|e| ErrorData::internal_error(format!("input request: {e}"), None))?;
        let state = codec()
            .seal_json_with(
                &self.answers,
                &SealOptions::new()
                    .associated_data(&self.binding)
                    .ttl(STATE_TTL),
            )
            .map_err(|e| ErrorData::internal_error(format!("requestState: {e}"), None))?;
        Ok(InputRequiredResult::new(Some(requests), Some(state)))
    }
}

#[cfg(test)]
mod tests {
    /// A key too short to seal with stops the server at start-up instead of being replaced silently.
    #[test]
    fn a_short_request_state_key_is_refused() {
        let error = super::use_key("short").unwrap_err();
        assert!(error.contains("--request-state-key"), "{error}");
        assert!(error.contains("32 bytes"), "{error}");
    }
}
