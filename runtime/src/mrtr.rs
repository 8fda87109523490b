//! SEP-2322 multi-round-trip requests: how a plain `tools/call` or `prompts/get` on protocol 2026-07-28,
//! which has no server-to-client requests, asks the client through [`crate::Ctx::elicit`],
//! [`crate::Ctx::sample`] or [`crate::Ctx::list_roots`].
//!
//! Stateless, as the SEP intends (a retry may reach any instance): the handler's n-th question has the
//! key `input-n`, or the key it chose with [`crate::Ctx::with_input_key`]. When the request carries an
//! answer of the right shape under that key, the question returns it; when not, the question waits for
//! ever, and once the handler waits on nothing else the request answers `resultType: "input_required"`
//! with every question asked so far (questions asked together, as with `tokio::join!`, go in one round)
//! in `inputRequests` and, in `requestState`, the answers given so far. The client retries the same
//! request with the new answers in `inputResponses` and the state echoed back, and the handler runs again
//! from the start, its earlier questions answered from the state. The state is sealed with an HMAC
//! (rmcp's [`RequestStateCodec`]) bound to the method, the name and the arguments, so a state that was
//! altered, or echoed with another request, is refused with `-32602`.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rmcp::ErrorData;
use rmcp::model::{
    CallToolRequestParams, GetPromptRequestParams, InputRequests, InputRequiredResult,
    InputResponses, JsonObject, RequestStateCodec, SealOptions,
};
use rmcp::service::{RequestContext, RoleServer};
use serde::de::DeserializeOwned;
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

/// A request that may be answered in rounds: what its state is bound to, and what the client sent.
pub(crate) struct Request<'a> {
    method: &'static str,
    name: &'a str,
    arguments: Option<&'a JsonObject>,
    responses: Option<&'a InputResponses>,
    state: Option<&'a str>,
}

impl<'a> From<&'a CallToolRequestParams> for Request<'a> {
    fn from(params: &'a CallToolRequestParams) -> Self {
        Request {
            method: "tools/call",
            name: &params.name,
            arguments: params.arguments.as_ref(),
            responses: params.input_responses.as_ref(),
            state: params.request_state.as_deref(),
        }
    }
}

impl<'a> From<&'a GetPromptRequestParams> for Request<'a> {
    fn from(params: &'a GetPromptRequestParams) -> Self {
        Request {
            method: "prompts/get",
            name: &params.name,
            arguments: params.arguments.as_ref(),
            responses: params.input_responses.as_ref(),
            state: params.request_state.as_deref(),
        }
    }
}

/// The round of a plain request on protocol 2026-07-28 or later; `None` for older protocols, whose
/// handlers ask the client with a request of their own, and for a task's run, which asks through the task.
pub(crate) fn plain_round<'a>(
    request: impl Into<Request<'a>>,
    context: &RequestContext<RoleServer>,
) -> Result<Option<Arc<Round>>, ErrorData> {
    if !crate::context::since_2026(context)
        || context
            .extensions
            .get::<crate::tasks::RunningTask>()
            .is_some()
    {
        return Ok(None);
    }
    Round::of(request).map(|round| Some(Arc::new(round)))
}

/// `work`, a handler's run given its request's context: with `round` in the context's extensions, where
/// [`crate::Ctx`] finds it, to its end or its `input_required` answer ([`Round::run`]); without a round,
/// as it is.
pub(crate) async fn run_in<R, F>(
    round: Option<Arc<Round>>,
    mut context: RequestContext<RoleServer>,
    work: impl FnOnce(RequestContext<RoleServer>) -> F,
) -> Result<R, ErrorData>
where
    R: From<InputRequiredResult>,
    F: Future<Output = Result<R, ErrorData>>,
{
    let Some(round) = round else {
        return work(context).await;
    };
    context.extensions.insert(round.clone());
    round.run(work(context)).await
}

/// One round of a plain 2026-07-28 request: the answers the client has given, and the questions the
/// handler waits on that they do not cover. Put in the request's extensions for [`crate::Ctx`].
pub(crate) struct Round {
    answers: Map<String, Value>,
    binding: Vec<u8>,
    asked: AtomicU64,
    questions: Mutex<Map<String, Value>>,
    waiting: Notify,
    /// Cleared once a call that was to become a task became one: later questions go to the task.
    open: AtomicBool,
}

impl Round {
    /// The round of `request`: the answers in its verified `requestState` and its `inputResponses`.
    pub(crate) fn of<'a>(request: impl Into<Request<'a>>) -> Result<Self, ErrorData> {
        let request = request.into();
        // The state holds only for the request it was made for.
        let mut binding = [request.method, request.name].join("\0").into_bytes();
        binding.push(0);
        binding.extend(serde_json::to_vec(&request.arguments).unwrap_or_default());
        let mut answers = match request.state {
            None => Map::new(),
            Some(state) => codec()
                .open_json_with::<Map<String, Value>>(state, &binding)
                .map_err(|error| {
                    ErrorData::invalid_params(
                        format!(
                            "requestState is not one this server made for this request: {error}"
                        ),
                        None,
                    )
                })?,
        };
        for (key, answer) in request.responses.into_iter().flatten() {
            answers.insert(key.clone(), answer.clone());
        }
        Ok(Self {
            answers,
            binding,
            asked: AtomicU64::new(0),
            questions: Mutex::new(Map::new()),
            waiting: Notify::new(),
            open: AtomicBool::new(true),
        })
    }

    /// The client's answer to the handler's next question `{method, params}`, under `key` (else the
    /// next `input-n`); when the request has none that reads as an `R`, records the question and never
    /// returns (the request ends with [`Round::needed`]): an answer of the wrong shape is asked again.
    /// `None` once [`Round::close`]d.
    pub(crate) async fn ask<R: DeserializeOwned>(
        &self,
        key: Option<&str>,
        method: &str,
        params: Value,
    ) -> Option<R> {
        if !self.open.load(Ordering::Acquire) {
            return None;
        }
        let key = key.map_or_else(
            || format!("input-{}", self.asked.fetch_add(1, Ordering::Relaxed) + 1),
            str::to_owned,
        );
        if let Some(answer) = self.answers.get(&key)
            && let Ok(answer) = R::deserialize(answer)
        {
            return Some(answer);
        }
        self.questions
            .lock()
            .expect("mrtr questions lock")
            .insert(key, json!({ "method": method, "params": params }));
        self.waiting.notify_one();
        std::future::pending().await
    }

    /// Whether the handler asked a question this request does not answer.
    pub(crate) fn unanswered(&self) -> bool {
        !self
            .questions
            .lock()
            .expect("mrtr questions lock")
            .is_empty()
    }

    /// Ends the rounds: the call became a task, which asks its own way from now on.
    pub(crate) fn close(&self) {
        self.open.store(false, Ordering::Release);
    }

    /// `work`, a handler's run with this round in its request's extensions, to its end, or to the
    /// `input_required` result asking what it waits on once it waits on nothing else.
    pub(crate) async fn run<R: From<InputRequiredResult>>(
        &self,
        work: impl Future<Output = Result<R, ErrorData>>,
    ) -> Result<R, ErrorData> {
        tokio::select! {
            // The handler first: every question asked in the same poll (`tokio::join!`) is recorded
            // before the round is answered.
            biased;
            result = work => result,
            asked = self.needed() => Ok(asked?.into()),
        }
    }

    /// Waits until the handler asks a question the request does not answer, and makes the
    /// `input_required` result that asks it and every other question asked so far.
    pub(crate) async fn needed(&self) -> Result<InputRequiredResult, ErrorData> {
        self.waiting.notified().await;
        let questions = std::mem::take(&mut *self.questions.lock().expect("mrtr questions lock"));
        let requests: InputRequests = serde_json::from_value(Value::Object(questions))
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
