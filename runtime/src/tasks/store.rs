//! The in-memory task store: one per server, every task bound to its [`Owner`] (the session that created
//! it, or on stateless 2026-07-28 HTTP the principal), each freed when its TTL ends, with caps per owner
//! and per server.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rmcp::ErrorData;
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Bounds on what clients can make the server hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Tasks one session may hold at once (running or finished, until their TTL ends).
    pub(crate) per_session: usize,
    /// Tasks the server holds at once, every session together.
    pub(crate) total: usize,
    /// The longest TTL granted; a longer request is cut to this.
    pub(crate) max_ttl: Duration,
    /// The TTL of a task whose request names none.
    pub(crate) default_ttl: Duration,
    /// The `pollInterval` suggested to clients.
    pub(crate) poll_interval: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_session: 100,
            total: 10_000,
            max_ttl: Duration::from_secs(3600),
            default_ttl: Duration::from_secs(600),
            poll_interval: Duration::from_millis(1000),
        }
    }
}

/// `tasks/list` pages hold at most this many tasks.
pub(crate) const PAGE_SIZE: usize = 50;

/// Who may reach a task: only requests of the same owner find it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Only streamable HTTP makes tasks of other owners than sessions.
#[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
pub(crate) enum Owner {
    /// The session (or stdio connection) that created it, by its handler's id.
    Session(u64),
    /// A 2026-07-28 request over streamable HTTP, which has no session, with auth on: the principal's
    /// digest (`principal.rs`).
    Principal([u8; 32]),
    /// The same without auth: nobody to tell callers apart, so the unguessable id is the only key.
    Anyone,
}

impl From<u64> for Owner {
    fn from(session: u64) -> Self {
        Owner::Session(session)
    }
}

impl Owner {
    /// The owner as the shared task store (`shared.rs`) records it, when it is not a session (whose
    /// record names its MCP session id). Session ids are UUIDs, so neither form can be one.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn key(self) -> Option<String> {
        match self {
            Owner::Session(_) => None,
            Owner::Principal(digest) => Some(format!(
                "principal:{}",
                digest
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect::<String>()
            )),
            Owner::Anyone => Some("anyone".to_owned()),
        }
    }
}

/// A task's status (MCP 2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Working,
    InputRequired,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::InputRequired => "input_required",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    /// The status [`Status::as_str`] names.
    pub(crate) fn parse(name: &str) -> Option<Status> {
        [
            Status::Working,
            Status::InputRequired,
            Status::Completed,
            Status::Failed,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }

    pub(crate) fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// What `tasks/result` returns once the task is terminal: exactly what the plain request would have.
pub(crate) type Outcome = Result<Value, ErrorData>;

struct State {
    message: Option<String>,
    last_updated_at: String,
    outcome: Option<Outcome>,
}

/// One task. The status lives in a watch channel so `tasks/result` can wait for a terminal one.
pub(crate) struct Task {
    pub(crate) id: String,
    owner: Owner,
    seq: u64,
    created_at: String,
    ttl_ms: u64,
    poll_interval_ms: u64,
    /// Fires on `tasks/cancel`, at the end of the TTL and when the owning session ends; it is the
    /// handler's cancellation token.
    pub(crate) cancel: CancellationToken,
    status: watch::Sender<Status>,
    state: Mutex<State>,
    /// What the handler asked the client from inside a SEP-2663 task, until `tasks/update` answers.
    pub(crate) inputs: super::sep2663::Inputs,
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn not_found() -> ErrorData {
    // The same answer for an id that never existed, one that expired and another session's: a caller
    // learns nothing about tasks that are not its own.
    ErrorData::invalid_params("Failed to retrieve task: Task not found", None)
}

impl Task {
    pub(crate) fn status(&self) -> Status {
        *self.status.borrow()
    }

    /// Sees every status change from now on (`notifications/tasks/status`).
    pub(crate) fn watch(&self) -> watch::Receiver<Status> {
        self.status.subscribe()
    }

    /// The `Task` object of the protocol.
    pub(crate) fn to_json(&self) -> Value {
        let state = self.state.lock().expect("task state lock");
        let mut task = Map::new();
        task.insert("taskId".into(), self.id.clone().into());
        task.insert("status".into(), self.status().as_str().into());
        if let Some(message) = &state.message {
            task.insert("statusMessage".into(), message.clone().into());
        }
        task.insert("createdAt".into(), self.created_at.clone().into());
        task.insert("lastUpdatedAt".into(), state.last_updated_at.clone().into());
        task.insert("ttl".into(), self.ttl_ms.into());
        task.insert("pollInterval".into(), self.poll_interval_ms.into());
        Value::Object(task)
    }

    /// Moves a task that is not terminal to `status`; a terminal one never changes again (a task
    /// cancelled while its handler still ran stays cancelled).
    fn transition(
        &self,
        status: Status,
        message: Option<String>,
        outcome: Option<Outcome>,
    ) -> bool {
        let mut state = self.state.lock().expect("task state lock");
        if self.status().is_terminal() {
            return false;
        }
        state.message = message;
        state.last_updated_at = now();
        state.outcome = outcome;
        drop(state);
        self.status.send_replace(status);
        true
    }

    /// Records the handler's outcome: `completed`, or `failed` for a tool error (`isError: true`) or a
    /// JSON-RPC error, as the specification asks.
    pub(crate) fn finish(&self, outcome: Outcome) {
        let failure = match &outcome {
            Ok(result) if result.get("isError") == Some(&Value::Bool(true)) => {
                Some(first_text(result).unwrap_or_else(|| "The tool reported an error".to_owned()))
            }
            Ok(_) => None,
            Err(error) => Some(error.message.to_string()),
        };
        let (status, message) = match failure {
            Some(message) => (Status::Failed, Some(message)),
            None => (Status::Completed, None),
        };
        self.transition(status, message, Some(outcome));
    }

    /// Moves the task to `cancelled` and cancels its handler, unless it is already terminal.
    pub(crate) fn mark_cancelled(&self) -> bool {
        let moved = self.transition(
            Status::Cancelled,
            Some("Cancelled by the client".to_owned()),
            None,
        );
        if moved {
            self.cancel.cancel();
        }
        moved
    }

    /// A status message from the handler while the task works (`Ctx::task_status`).
    pub(crate) fn set_message(&self, message: String) {
        let mut state = self.state.lock().expect("task state lock");
        if !self.status().is_terminal() {
            state.message = Some(message);
            state.last_updated_at = now();
        }
    }

    /// Marks the task `input_required` (`true`) or back to `working` while the handler waits for the client.
    pub(crate) fn set_input_required(&self, waiting: bool) {
        let (to, message) = if waiting {
            (Status::InputRequired, "Waiting for input from the client")
        } else {
            (Status::Working, "Input received; working")
        };
        self.transition(to, Some(message.to_owned()), None);
    }

    /// The outcome, once the handler returned and the task was not cancelled first (SEP-2663's `tasks/get`).
    pub(crate) fn settled(&self) -> Option<Outcome> {
        self.state.lock().expect("task state lock").outcome.clone()
    }

    /// Waits for a terminal status, then returns the outcome (`tasks/result`).
    pub(crate) async fn outcome(&self) -> Outcome {
        let mut status = self.status.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = status.wait_for(|s| s.is_terminal()).await;
        let state = self.state.lock().expect("task state lock");
        match &state.outcome {
            Some(outcome) => outcome.clone(),
            None => Err(ErrorData::internal_error(
                format!("Task {} was cancelled before it produced a result", self.id),
                None,
            )),
        }
    }
}

fn first_text(result: &Value) -> Option<String> {
    let text = result
        .get("content")?
        .as_array()?
        .iter()
        .find_map(|block| block.get("text")?.as_str())?;
    Some(text.chars().take(500).collect())
}

/// Every live task of the server.
pub(crate) struct TaskStore {
    limits: Limits,
    tasks: Mutex<HashMap<String, Arc<Task>>>,
    next_seq: AtomicU64,
    /// The Redis mirror, when sessions are shared across instances (`shared.rs`).
    #[cfg(feature = "redis")]
    shared: std::sync::OnceLock<Arc<super::shared::SharedTasks>>,
}

impl TaskStore {
    pub(crate) fn new(limits: Limits) -> Arc<Self> {
        Arc::new(TaskStore {
            limits,
            tasks: Mutex::new(HashMap::new()),
            next_seq: AtomicU64::new(1),
            #[cfg(feature = "redis")]
            shared: std::sync::OnceLock::new(),
        })
    }

    /// Shares this store's tasks through Redis from now on.
    #[cfg(feature = "redis")]
    pub(crate) fn share(&self, shared: Arc<super::shared::SharedTasks>) {
        let _ = self.shared.set(shared);
    }

    /// The Redis mirror, when tasks are shared.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(&self) -> Option<&Arc<super::shared::SharedTasks>> {
        self.shared.get()
    }

    /// A new `working` task for `owner`, freed (and its handler cancelled) when its TTL ends.
    pub(crate) fn create(
        self: &Arc<Self>,
        owner: impl Into<Owner>,
        requested_ttl_ms: Option<u64>,
    ) -> Result<Arc<Task>, ErrorData> {
        let owner = owner.into();
        let ttl = requested_ttl_ms
            .map(Duration::from_millis)
            .unwrap_or(self.limits.default_ttl)
            .min(self.limits.max_ttl);
        let created_at = now();
        let task = Arc::new(Task {
            // 122 random bits from the operating system's generator: not guessable.
            id: uuid::Uuid::new_v4().to_string(),
            owner,
            seq: self.next_seq.fetch_add(1, Ordering::Relaxed),
            created_at: created_at.clone(),
            ttl_ms: u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX),
            poll_interval_ms: u64::try_from(self.limits.poll_interval.as_millis())
                .unwrap_or(u64::MAX),
            cancel: CancellationToken::new(),
            status: watch::Sender::new(Status::Working),
            state: Mutex::new(State {
                message: None,
                last_updated_at: created_at,
                outcome: None,
            }),
            inputs: Default::default(),
        });
        {
            let mut tasks = self.tasks.lock().expect("task store lock");
            if tasks.len() >= self.limits.total {
                return Err(too_many(format!(
                    "the server holds {} tasks, its limit; try again when some have expired",
                    self.limits.total
                )));
            }
            // Without an owner to tell callers apart, only the server's cap applies.
            let who = match owner {
                Owner::Session(_) => Some("session"),
                Owner::Principal(_) => Some("client"),
                Owner::Anyone => None,
            };
            let mine = tasks.values().filter(|t| t.owner == owner).count();
            if let Some(who) = who
                && mine >= self.limits.per_session
            {
                return Err(too_many(format!(
                    "this {who} holds {mine} tasks, the limit per {who}; wait for some to expire \
                     (their TTL) or cancel them"
                )));
            }
            tasks.insert(task.id.clone(), task.clone());
        }
        let store = Arc::downgrade(self);
        let id = task.id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            expire(&store, &id);
        });
        Ok(task)
    }

    /// Forgets the task `id`, never announced to its client.
    pub(crate) fn discard(&self, id: &str) {
        self.tasks.lock().expect("task store lock").remove(id);
    }

    /// The task `id` if `owner` created it and it has not expired.
    pub(crate) fn get(&self, owner: impl Into<Owner>, id: &str) -> Result<Arc<Task>, ErrorData> {
        let owner = owner.into();
        let tasks = self.tasks.lock().expect("task store lock");
        match tasks.get(id) {
            Some(task) if task.owner == owner => Ok(task.clone()),
            _ => Err(not_found()),
        }
    }

    /// `tasks/cancel`: the task, now `cancelled`; refused for a terminal one.
    pub(crate) fn cancel(&self, owner: impl Into<Owner>, id: &str) -> Result<Arc<Task>, ErrorData> {
        let task = self.get(owner, id)?;
        if !task.mark_cancelled() {
            return Err(not_cancellable(task.status().as_str()));
        }
        Ok(task)
    }

    /// `tasks/list`: one page of `owner`'s tasks, oldest first, and the cursor of the next page.
    pub(crate) fn list(&self, owner: u64, cursor: Option<&str>) -> Result<Value, ErrorData> {
        let owner = Owner::Session(owner);
        let after = match cursor {
            None => 0,
            Some(cursor) => cursor
                .parse::<u64>()
                .map_err(|_| ErrorData::invalid_params("Invalid cursor for tasks/list", None))?,
        };
        let mut mine: Vec<Arc<Task>> = self
            .tasks
            .lock()
            .expect("task store lock")
            .values()
            .filter(|t| t.owner == owner && t.seq > after)
            .cloned()
            .collect();
        mine.sort_by_key(|t| t.seq);
        let more = mine.len() > PAGE_SIZE;
        mine.truncate(PAGE_SIZE);
        let mut result = json!({ "tasks": mine.iter().map(|t| t.to_json()).collect::<Vec<_>>() });
        if more && let Some(last) = mine.last() {
            result["nextCursor"] = last.seq.to_string().into();
        }
        Ok(result)
    }

    /// The session `owner` ended: its tasks can never be reached again, so they stop and go.
    pub(crate) fn end_session(&self, owner: u64) {
        // A shared session lives on in Redis after this instance drops it: its tasks run to their TTL.
        #[cfg(feature = "redis")]
        if self.shared.get().is_some() {
            return;
        }
        let mut tasks = self.tasks.lock().expect("task store lock");
        tasks.retain(|_, task| {
            if task.owner == Owner::Session(owner) {
                task.cancel.cancel();
                false
            } else {
                true
            }
        });
    }

    /// How many tasks the server holds (tests, metrics).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.tasks.lock().expect("task store lock").len()
    }
}

/// `tasks/cancel` of a task already in the terminal `status`.
pub(crate) fn not_cancellable(status: &str) -> ErrorData {
    ErrorData::invalid_params(
        format!("Cannot cancel task: already in terminal status '{status}'"),
        None,
    )
}

fn too_many(message: String) -> ErrorData {
    ErrorData::invalid_request(format!("Too many tasks: {message}"), None)
}

/// The TTL ended: the task and its result are dropped, and a handler still running is cancelled.
fn expire(store: &Weak<TaskStore>, id: &str) {
    let Some(store) = store.upgrade() else {
        return;
    };
    let removed = store.tasks.lock().expect("task store lock").remove(id);
    if let Some(task) = removed {
        task.cancel.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(limits: Limits) -> Arc<TaskStore> {
        TaskStore::new(limits)
    }

    #[tokio::test]
    async fn tasks_are_visible_to_their_session_only() {
        let store = store(Limits::default());
        let task = store.create(1, None).unwrap();
        assert!(store.get(1, &task.id).is_ok());
        let other = store.get(2, &task.id).unwrap_err();
        let unknown = store.get(1, "no-such-task").unwrap_err();
        assert_eq!(other.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert_eq!(other.message, unknown.message, "no hint that the id exists");
        assert!(store.cancel(2, &task.id).is_err());
        assert_eq!(task.status(), Status::Working);
        let listed = store.list(2, None).unwrap();
        assert_eq!(listed["tasks"].as_array().unwrap().len(), 0);
        assert_eq!(
            store.list(1, None).unwrap()["tasks"][0]["taskId"],
            task.id.as_str()
        );
    }

    #[tokio::test]
    async fn ids_are_random_and_distinct() {
        let store = store(Limits::default());
        let a = store.create(1, None).unwrap();
        let b = store.create(1, None).unwrap();
        assert_ne!(a.id, b.id);
        assert_eq!(a.id.len(), 36, "{}", a.id);
    }

    #[tokio::test]
    async fn the_caps_hold_with_a_clear_error() {
        let store = store(Limits {
            per_session: 3,
            total: 5,
            ..Limits::default()
        });
        for _ in 0..3 {
            store.create(1, None).unwrap();
        }
        let error = store.create(1, None).unwrap_err();
        assert!(error.message.contains("limit per session"), "{error:?}");
        store.create(2, None).unwrap();
        store.create(2, None).unwrap();
        let error = store.create(3, None).unwrap_err();
        assert!(
            error.message.contains("the server holds 5 tasks"),
            "{error:?}"
        );
        // A session that ends frees its share.
        store.end_session(1);
        assert_eq!(store.len(), 2);
        store.create(3, None).unwrap();
    }

    #[tokio::test]
    async fn principals_are_capped_like_sessions_and_anyone_by_the_server_only() {
        let store = store(Limits {
            per_session: 2,
            total: 5,
            ..Limits::default()
        });
        let (alice, bob) = (Owner::Principal([1; 32]), Owner::Principal([2; 32]));
        store.create(alice, None).unwrap();
        let task = store.create(alice, None).unwrap();
        let error = store.create(alice, None).unwrap_err();
        assert!(error.message.contains("limit per client"), "{error:?}");
        assert!(
            store.get(bob, &task.id).is_err(),
            "another principal's task"
        );
        assert!(store.get(Owner::Anyone, &task.id).is_err());
        // No owner to tell callers apart: the server's cap alone.
        for _ in 0..3 {
            store.create(Owner::Anyone, None).unwrap();
        }
        let error = store.create(Owner::Anyone, None).unwrap_err();
        assert!(error.message.contains("the server holds 5"), "{error:?}");
        // Each principal has its own key in the shared store; sessions are keyed by their MCP id.
        assert_ne!(alice.key(), bob.key());
        assert_eq!(Owner::Session(1).key(), None);
    }

    #[tokio::test]
    async fn cancel_is_refused_once_terminal_and_a_cancelled_task_stays_cancelled() {
        let store = store(Limits::default());
        let done = store.create(1, None).unwrap();
        done.finish(Ok(json!({"content": []})));
        assert_eq!(done.status(), Status::Completed);
        let error = store.cancel(1, &done.id).unwrap_err();
        assert!(error.message.contains("'completed'"), "{error:?}");

        let running = store.create(1, None).unwrap();
        let cancelled = store.cancel(1, &running.id).unwrap();
        assert!(cancelled.cancel.is_cancelled(), "the handler's token fired");
        running.finish(Ok(json!({"content": []})));
        assert_eq!(running.status(), Status::Cancelled);
        assert!(running.outcome().await.is_err());
    }

    #[tokio::test]
    async fn a_tool_error_fails_the_task_and_the_result_is_kept() {
        let store = store(Limits::default());
        let task = store.create(1, None).unwrap();
        let result = json!({"content": [{"type": "text", "text": "boom"}], "isError": true});
        task.finish(Ok(result.clone()));
        assert_eq!(task.status(), Status::Failed);
        assert_eq!(task.to_json()["statusMessage"], "boom");
        assert_eq!(task.outcome().await.unwrap(), result);
    }

    #[tokio::test]
    async fn result_waits_for_a_terminal_status() {
        let store = store(Limits::default());
        let task = store.create(1, None).unwrap();
        let waiting = tokio::spawn({
            let task = task.clone();
            async move { task.outcome().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        task.finish(Ok(json!({"content": [], "structuredContent": {"n": 1}})));
        let outcome = tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcome.unwrap()["structuredContent"]["n"], 1);
    }

    #[tokio::test(start_paused = true)]
    async fn ttl_is_capped_and_expired_tasks_are_freed_and_cancelled() {
        let store = store(Limits {
            max_ttl: Duration::from_secs(60),
            ..Limits::default()
        });
        let capped = store.create(1, Some(3_600_000)).unwrap();
        assert_eq!(capped.to_json()["ttl"], 60_000);
        let short = store.create(1, Some(1_000)).unwrap();
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert!(store.get(1, &short.id).is_err(), "expired");
        assert!(short.cancel.is_cancelled());
        assert!(store.get(1, &capped.id).is_ok());
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(store.len(), 0);
    }

    #[tokio::test]
    async fn list_pages_with_an_opaque_cursor() {
        let store = store(Limits::default());
        let ids: Vec<String> = (0..PAGE_SIZE + 3)
            .map(|_| store.create(1, None).unwrap().id.clone())
            .collect();
        let first = store.list(1, None).unwrap();
        assert_eq!(first["tasks"].as_array().unwrap().len(), PAGE_SIZE);
        let cursor = first["nextCursor"].as_str().unwrap().to_owned();
        let second = store.list(1, Some(&cursor)).unwrap();
        let rest: Vec<&str> = second["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["taskId"].as_str().unwrap())
            .collect();
        assert_eq!(
            rest,
            ids[PAGE_SIZE..]
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert!(second.get("nextCursor").is_none());
        assert!(store.list(1, Some("not-a-cursor")).is_err());
    }
}
