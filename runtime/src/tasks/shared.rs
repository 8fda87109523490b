//! Tasks shared across instances through Redis, when sessions are (`redis_store.rs`): a session that
//! moves to another instance finds its tasks there too.
//!
//! The instance running a task's handler keeps it in its in-memory store, as without Redis, and mirrors
//! it to a hash at `<prefix>task:<id>` (owner: the MCP session id; status; the `tasks/get` JSON; the
//! outcome once terminal), which expires with the task's TTL, and lists it under `<prefix>tasks:<session>`
//! for `tasks/list`. While the handler runs, the runner writes the task every [`TICK`] (and on each
//! status change) and renews a lease, `<prefix>task:<id>:runner`, of [`LEASE`].
//!
//! Any other instance answers from the hash: `tasks/get` and `tasks/list` read it, `tasks/result` reads
//! it every [`WAIT_POLL`] until the task is terminal, and `tasks/cancel` marks it `cancelled`; the runner
//! sees that at its next write and cancels the handler (`ctx.cancelled()`). A task whose lease lapsed
//! while it was not terminal lost its instance: the reader marks it `failed`.
//!
//! Writes go through one script that never changes a terminal task, so a cancel and the handler's own
//! end cannot overwrite each other: the first one wins, on every instance.
//!
//! SEP-2663 tasks (2026-07-28 over streamable HTTP) are owned by a principal instead of a session
//! (`Owner::key`) and are not listed (that era has no `tasks/list`). Their record's task JSON carries
//! the `inputRequests` the handler waits on; `tasks/update` through another instance pushes its answers
//! to `<prefix>task:<id>:input`, which the runner takes at its next write (within a [`TICK`]).

use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use rmcp::ErrorData;
use serde_json::{Value, json};

use super::store::{Outcome, Status, Task, not_found};
use crate::metrics;
use crate::redact::SecretUrl;

/// How often the runner writes a running task (and so how soon it sees a cancel from elsewhere).
const TICK: Duration = Duration::from_secs(1);
/// How long a runner that stopped writing is still trusted to be running its task.
const LEASE: Duration = Duration::from_secs(5);
/// How often `tasks/result` on another instance looks for the end of the task.
const WAIT_POLL: Duration = Duration::from_millis(250);

/// What a task whose instance went away ends with.
const LOST: &str = "The server instance running this task stopped before it finished";

/// KEYS: record, lease, session index. ARGV: create ("1"/"0"), owner, status, task JSON, outcome JSON
/// (or ""), TTL ms, lease ms ("0": leave the lease), task id, listed in the index ("1"/"0"). Returns the
/// status the record holds afterwards, or nil when it expired.
const PUT: &str = r"
local function terminal(s) return s == 'completed' or s == 'failed' or s == 'cancelled' end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'status', ARGV[3], 'task', ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  if ARGV[9] == '1' then
    redis.call('RPUSH', KEYS[3], ARGV[8])
    if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[3], ARGV[6]) end
  end
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[7])
  return ARGV[3]
end
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return false end
if terminal(current) then return current end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'task', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'outcome', ARGV[5]) end
if terminal(ARGV[3]) then redis.call('DEL', KEYS[2])
elseif ARGV[7] ~= '0' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[7]) end
return ARGV[3]
";

/// Task records in Redis.
pub(crate) struct SharedTasks {
    connection: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for SharedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTasks")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A record's `owner`, `status`, `task` and `outcome`.
type Fields = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A task as another instance sees it.
struct Remote {
    status: String,
    task: Value,
    outcome: Option<String>,
    /// Its runner's lease is live.
    running: bool,
}

fn redis_error(error: &redis::RedisError) -> ErrorData {
    ErrorData::internal_error(
        format!("The task store (Redis) cannot be reached: {error}"),
        None,
    )
}

fn is_terminal(status: &str) -> bool {
    matches!(status, "completed" | "failed" | "cancelled")
}

fn encode(outcome: &Outcome) -> String {
    match outcome {
        Ok(result) => json!({ "result": result }),
        Err(error) => json!({ "error": error }),
    }
    .to_string()
}

fn decode(outcome: &str) -> Option<Outcome> {
    let value: Value = serde_json::from_str(outcome).ok()?;
    if let Some(result) = value.get("result") {
        return Some(Ok(result.clone()));
    }
    serde_json::from_value(value.get("error")?.clone())
        .ok()
        .map(Err)
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl SharedTasks {
    /// Connects to the session store's Redis, under the same key prefix.
    pub(crate) async fn connect(url: &SecretUrl, key_prefix: &str) -> Result<Self, String> {
        Ok(SharedTasks {
            connection: crate::redis_store::open(url, "task store").await?.1,
            prefix: key_prefix.to_owned(),
        })
    }

    fn record(&self, id: &str) -> String {
        format!("{}task:{id}", self.prefix)
    }

    fn lease(&self, id: &str) -> String {
        format!("{}task:{id}:runner", self.prefix)
    }

    fn index(&self, session: &str) -> String {
        format!("{}tasks:{session}", self.prefix)
    }

    fn inputs(&self, id: &str) -> String {
        format!("{}task:{id}:input", self.prefix)
    }

    /// Runs [`PUT`] (`create`: `Some(listed)`).
    #[allow(clippy::too_many_arguments)]
    async fn put(
        &self,
        create: Option<bool>,
        session: &str,
        id: &str,
        status: &str,
        task: &Value,
        outcome: Option<&Outcome>,
        ttl_ms: u64,
        lease: Duration,
    ) -> Result<Option<String>, redis::RedisError> {
        let stored = redis::cmd("EVAL")
            .arg(PUT)
            .arg(3)
            .arg(self.record(id))
            .arg(self.lease(id))
            .arg(self.index(session))
            .arg(if create.is_some() { "1" } else { "0" })
            .arg(session)
            .arg(status)
            .arg(task.to_string())
            .arg(outcome.map(encode).unwrap_or_default())
            .arg(ttl_ms.max(1))
            .arg(ms(lease))
            .arg(id)
            .arg(if create == Some(true) { "1" } else { "0" })
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("EVAL", &stored);
        stored
    }

    /// Mirrors a task this instance has just created for `session` (a session id, or an `Owner::key`),
    /// `listed` for `tasks/list`, then keeps the mirror up to date in the background until the task
    /// ends. When Redis fails, the task still runs and is served here.
    pub(crate) async fn publish(self: &Arc<Self>, session: String, task: Arc<Task>, listed: bool) {
        let json = task.to_json();
        let ttl = json["ttl"].as_u64().unwrap_or(1);
        let created = self
            .put(
                Some(listed),
                &session,
                &task.id,
                task.status().as_str(),
                &json,
                None,
                ttl,
                LEASE,
            )
            .await;
        if let Err(error) = created {
            tracing::warn!(task = %task.id, %error, "cannot share a task through Redis; only this instance serves it");
            return;
        }
        tokio::spawn(self.clone().follow(session, task));
    }

    /// The runner's side: writes the task on each change and every [`TICK`], and cancels it here when
    /// another instance cancelled it; ends once the terminal status is written or the record expired.
    async fn follow(self: Arc<Self>, session: String, task: Arc<Task>) {
        let mut changes = task.watch();
        let mut tick = tokio::time::interval(TICK);
        loop {
            tokio::select! {
                _ = changes.changed() => {}
                _ = tick.tick() => {}
            }
            let status = task.status();
            let outcome = status.is_terminal().then(|| task.settled()).flatten();
            let mut json = task.to_json();
            let requests = task.inputs.requests();
            if !requests.is_empty() {
                json["inputRequests"] = Value::Object(requests);
                self.take_inputs(&task).await;
            }
            let stored = self
                .put(
                    None,
                    &session,
                    &task.id,
                    status.as_str(),
                    &json,
                    outcome.as_ref(),
                    0,
                    LEASE,
                )
                .await;
            match stored {
                Ok(None) => return,
                Ok(Some(stored)) if stored == Status::Cancelled.as_str() => {
                    if task.mark_cancelled() {
                        tracing::info!(task = %task.id, "task cancelled through another instance");
                    }
                    return;
                }
                Ok(Some(_)) if status.is_terminal() => return,
                Ok(Some(_)) => {}
                Err(error) => {
                    tracing::warn!(task = %task.id, %error, "cannot update a shared task")
                }
            }
        }
    }

    /// The task `id` if `session` created it; a task whose runner's lease lapsed is marked `failed`.
    async fn read(&self, session: &str, id: &str) -> Result<Remote, ErrorData> {
        let mut connection = self.connection.clone();
        let read: Result<(Fields, bool), _> = redis::pipe()
            .cmd("HMGET")
            .arg(self.record(id))
            .arg(&["owner", "status", "task", "outcome"])
            .exists(self.lease(id))
            .query_async(&mut connection)
            .await;
        metrics::redis("HMGET", &read);
        let ((owner, status, task, outcome), running) = read.map_err(|e| redis_error(&e))?;
        let (Some(status), Some(task)) = (status, task) else {
            return Err(not_found());
        };
        // Another session's task is answered like one that does not exist.
        if owner.as_deref() != Some(session) {
            return Err(not_found());
        }
        let task = serde_json::from_str(&task).map_err(|_| not_found())?;
        let remote = Remote {
            status,
            task,
            outcome,
            running,
        };
        if remote.running || is_terminal(&remote.status) {
            return Ok(remote);
        }
        self.end(session, id, remote, Status::Failed, LOST, Some(&lost()))
            .await
    }

    /// Moves a task that is not terminal to `status`; another instance may have ended it first, in
    /// which case the record as it is now is returned.
    async fn end(
        &self,
        session: &str,
        id: &str,
        mut remote: Remote,
        status: Status,
        message: &str,
        outcome: Option<&Outcome>,
    ) -> Result<Remote, ErrorData> {
        remote.task["status"] = status.as_str().into();
        remote.task["statusMessage"] = message.into();
        remote.task["lastUpdatedAt"] = super::store::now().into();
        let stored = self
            .put(
                None,
                session,
                id,
                status.as_str(),
                &remote.task,
                outcome,
                0,
                Duration::ZERO,
            )
            .await
            .map_err(|e| redis_error(&e))?;
        match stored {
            None => Err(not_found()),
            Some(stored) if stored == status.as_str() => Ok(Remote {
                status: stored,
                outcome: outcome.map(encode),
                running: false,
                ..remote
            }),
            // Ended meanwhile by its runner or another caller: read it again.
            Some(_) => Box::pin(self.read(session, id)).await,
        }
    }

    /// Answers to the task's `inputRequests` sent through other instances, handed to its handler.
    async fn take_inputs(&self, task: &Task) {
        let key = self.inputs(&task.id);
        let taken: Result<(Vec<String>, i64), _> = redis::pipe()
            .atomic()
            .lrange(&key, 0, -1)
            .del(&key)
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("LRANGE", &taken);
        match taken {
            Ok((answers, _)) => {
                for answer in answers {
                    if let Ok(Value::Object(responses)) = serde_json::from_str(&answer) {
                        task.inputs.answer(&responses);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(task = %task.id, %error, "cannot read answers to a task's input requests")
            }
        }
    }

    /// The task JSON (with `inputRequests` while it waits on any) and the outcome of a task another
    /// instance runs (SEP-2663's `tasks/get`).
    pub(crate) async fn snapshot(
        &self,
        session: &str,
        id: &str,
    ) -> Result<(Value, Option<Outcome>), ErrorData> {
        let remote = self.read(session, id).await?;
        Ok((remote.task, remote.outcome.as_deref().and_then(decode)))
    }

    /// SEP-2663's `tasks/update` for a task another instance runs: the answers wait for its runner.
    /// Ignored once the task ended, as an update of answered requests is.
    pub(crate) async fn update(
        &self,
        session: &str,
        id: &str,
        responses: &serde_json::Map<String, Value>,
    ) -> Result<(), ErrorData> {
        let remote = self.read(session, id).await?;
        if is_terminal(&remote.status) {
            return Ok(());
        }
        let ttl = remote.task["ttl"].as_u64().unwrap_or(1).max(1);
        let key = self.inputs(id);
        let pushed: Result<(), _> = redis::pipe()
            .rpush(&key, Value::Object(responses.clone()).to_string())
            .ignore()
            .pexpire(&key, i64::try_from(ttl).unwrap_or(i64::MAX))
            .ignore()
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("RPUSH", &pushed);
        pushed.map_err(|e| redis_error(&e))
    }

    /// `tasks/get` for a task another instance runs.
    pub(crate) async fn get(&self, session: &str, id: &str) -> Result<Value, ErrorData> {
        Ok(self.read(session, id).await?.task)
    }

    /// `tasks/cancel` for a task another instance runs: marked here, its runner cancels the handler.
    pub(crate) async fn cancel(&self, session: &str, id: &str) -> Result<Value, ErrorData> {
        let remote = self.read(session, id).await?;
        if is_terminal(&remote.status) {
            return Err(super::store::not_cancellable(&remote.status));
        }
        let ended = self
            .end(
                session,
                id,
                remote,
                Status::Cancelled,
                "Cancelled by the client",
                None,
            )
            .await?;
        if ended.status != Status::Cancelled.as_str() {
            return Err(super::store::not_cancellable(&ended.status));
        }
        Ok(ended.task)
    }

    /// `tasks/result` for a task another instance runs: waits for its end, then its outcome.
    pub(crate) async fn outcome(&self, session: &str, id: &str) -> Outcome {
        loop {
            let remote = self.read(session, id).await?;
            if is_terminal(&remote.status) {
                return match remote.outcome.as_deref().and_then(decode) {
                    Some(outcome) => outcome,
                    None => Err(ErrorData::internal_error(
                        format!("Task {id} was cancelled before it produced a result"),
                        None,
                    )),
                };
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }

    /// `tasks/list` across instances: one page of `session`'s live tasks, oldest first. The cursor
    /// is the position in the session's index after the page.
    pub(crate) async fn list(
        &self,
        session: &str,
        cursor: Option<&str>,
    ) -> Result<Value, ErrorData> {
        let start = match cursor {
            None => 0,
            Some(cursor) => cursor
                .parse::<usize>()
                .map_err(|_| ErrorData::invalid_params("Invalid cursor for tasks/list", None))?,
        };
        let mut connection = self.connection.clone();
        let ids: Result<Vec<String>, _> = redis::cmd("LRANGE")
            .arg(self.index(session))
            .arg(start)
            .arg(-1)
            .query_async(&mut connection)
            .await;
        metrics::redis("LRANGE", &ids);
        let ids = ids.map_err(|e| redis_error(&e))?;
        let mut tasks = Vec::new();
        let mut next = None;
        for (offset, id) in ids.iter().enumerate() {
            if tasks.len() == super::store::PAGE_SIZE {
                next = Some(start + offset);
                break;
            }
            match self.read(session, id).await {
                Ok(remote) => tasks.push(remote.task),
                // Expired: its index entry outlives it until the index itself expires.
                Err(error) if error.message == not_found().message => {}
                Err(error) => return Err(error),
            }
        }
        let mut result = json!({ "tasks": tasks });
        if let Some(next) = next {
            result["nextCursor"] = next.to_string().into();
        }
        Ok(result)
    }
}

fn lost() -> Outcome {
    Err(ErrorData::internal_error(LOST, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_round_trip() {
        let result = json!({"content": [], "isError": false});
        let decoded = decode(&encode(&Ok(result.clone()))).unwrap();
        assert_eq!(decoded.unwrap(), result);
        let error = decode(&encode(&lost())).unwrap().unwrap_err();
        assert_eq!(error.message, LOST);
        assert!(decode("not json").is_none());
    }
}
