//! rmcp's `EventStore` on Redis Streams, so a client whose event stream broke resumes it on any instance
//! with `Last-Event-ID` and gets every event it missed, once, in order.
//!
//! Each rmcp stream (`<session>:common` for the standalone GET stream, a random UUID per POST) is one Redis
//! Stream at `<prefix>events:<stream>`, appended with `XADD ... MAXLEN ~ <cap>` and given the session idle
//! timeout as its lifetime at each append. An event's id is `<stream>|<Redis entry id>`, so the stream is
//! found from the id alone. A POST's stream is bound to its session by `<prefix>events:<stream>:session`,
//! written before the client sees the stream's first event; the standalone stream names its session. A
//! resume must come from that session: a malformed id, or one of another session's streams, is refused
//! (rmcp then answers an empty event stream).
//!
//! A resume replays and then keeps tailing (`XREAD BLOCK` from the last id it delivered, on a connection
//! of its own, since a blocking read would stall the shared multiplexed one), because rmcp hands the
//! client the store's stream as the resumed response: events the instance running the call appends later
//! reach the client wherever it reconnected. A POST's stream ends after its response; any stream ends when
//! the session's record is gone, when nothing was appended for an idle timeout, or when the client leaves.
//!
//! A POST's binding also names the instance running the call and the call's request id. Every instance
//! renews `<prefix>instance:<uuid>` ([`HEARTBEAT`], expiring after [`HEARTBEAT_TTL`]); a tail of a POST
//! stream that has had nothing to read for a blocking read's time looks whether that key is still there, and
//! when it is gone (the instance died: its call's response can never come) sends the client a JSON-RPC error
//! for the call, `-32603` with a message saying to retry, and ends the stream, instead of leaving it open
//! until the idle timeout.
//!
//! While Redis is unreachable an event cannot be recorded. rmcp would pass the error to whoever sent the
//! message (a tool's notification, the response itself, or the priming event that opens every POST's
//! stream, failing the request), so instead the event is sent live with an id that records the stream's
//! last recorded position (`<stream>|<position>|<nonce>`): a resume from it replays what was recorded
//! after that position, and the unrecorded events are lost to a resume (they were delivered live).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::{AsyncConnectionConfig, Value};
use rmcp::model::{JsonRpcMessage, RequestId, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::{
    EventId, EventStore, EventStoreError, EventStream, ServerSseMessage, SessionId,
};
use tokio::sync::mpsc;

use super::metrics;
use super::session_store::SessionEvents;

/// How long one blocking read waits before the tail looks whether its session is still there.
const BLOCK: Duration = Duration::from_secs(5);
/// The longest connecting, or a non-blocking command, may take.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Entries one read returns at most.
const BATCH: usize = 100;
/// Streams whose last position is remembered for ids given out while Redis is unreachable.
const REMEMBERED: usize = 10_000;
/// The standalone stream's suffix in rmcp's stream ids.
const COMMON: &str = ":common";
/// How long a POST's stream is kept after its response: enough for a client that lost the stream just before
/// the response to come back for it (rmcp tells clients to retry after 3 s), short enough that a busy server
/// does not keep every call's stream for the whole session idle timeout.
const ANSWERED_TTL: Duration = Duration::from_secs(30);
/// How often an instance renews its liveness key.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long an instance's liveness key outlives its last renewal.
const HEARTBEAT_TTL: Duration = Duration::from_secs(5);

/// Events in Redis Streams, shared by every instance of the server.
pub(crate) struct RedisEvents {
    connection: ConnectionManager,
    /// Opens the dedicated connection each tail blocks on.
    client: redis::Client,
    /// `<prefix>events:`.
    events: String,
    /// `<prefix>session:`: a tail ends when its session's record is gone.
    sessions: String,
    ttl: Duration,
    max_len: usize,
    /// The last recorded position of each recent stream.
    last: Mutex<HashMap<String, String>>,
    /// `<prefix>instance:<uuid>`: this instance's liveness key, renewed while the store lives.
    instance: String,
    /// Its heartbeat task stops once this is dropped.
    _alive: Arc<()>,
}

/// What a stream's binding says: the session it belongs to and, for a POST's, the instance running the call
/// (its liveness key) and the call's request id as JSON.
struct Binding {
    session: String,
    runner: Option<(String, String)>,
}

impl RedisEvents {
    /// The store on the session store's client and connection, under the same key prefix.
    pub(crate) fn new(
        client: redis::Client,
        connection: ConnectionManager,
        key_prefix: &str,
        ttl: Duration,
        max_len: usize,
    ) -> Self {
        let instance = format!("{key_prefix}instance:{}", uuid::Uuid::new_v4().simple());
        let alive = Arc::new(());
        tokio::spawn(heartbeat(
            connection.clone(),
            instance.clone(),
            Arc::downgrade(&alive),
        ));
        RedisEvents {
            connection,
            client,
            events: format!("{key_prefix}events:"),
            sessions: format!("{key_prefix}session:"),
            ttl: ttl.max(Duration::from_secs(1)),
            max_len: max_len.max(1),
            last: Mutex::new(HashMap::new()),
            instance,
            _alive: alive,
        }
    }

    fn stream_key(&self, stream: &str) -> String {
        format!("{}{stream}", self.events)
    }

    fn binding_key(&self, stream: &str) -> String {
        format!("{}{stream}:session", self.events)
    }

    fn remember(&self, stream: &str, position: Option<&str>) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        match position {
            Some(position) => {
                if last.len() >= REMEMBERED && !last.contains_key(stream) {
                    last.clear();
                }
                last.insert(stream.to_owned(), position.to_owned());
            }
            None => {
                last.remove(stream);
            }
        }
    }

    fn last_position(&self, stream: &str) -> String {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        last.get(stream).cloned().unwrap_or_else(|| "0-0".into())
    }

    /// Whom a stream belongs to: the session named by the standalone stream's id; the binding recorded for
    /// a POST's (`session`, or `session\ninstance key\nrequest id`).
    async fn owner(&self, stream: &str) -> Result<Option<Binding>, EventStoreError> {
        if let Some(session) = stream.strip_suffix(COMMON) {
            return Ok(Some(Binding {
                session: session.to_owned(),
                runner: None,
            }));
        }
        let owner: Result<Option<String>, _> = redis::cmd("GET")
            .arg(self.binding_key(stream))
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("GET", &owner);
        Ok(owner?.map(|value| {
            let mut parts = value.splitn(3, '\n');
            let session = parts.next().unwrap_or_default().to_owned();
            let runner = parts.next().zip(parts.next());
            Binding {
                session,
                runner: runner.map(|(key, id)| (key.to_owned(), id.to_owned())),
            }
        }))
    }
}

/// Renews `key` every [`HEARTBEAT`] while the store it belongs to lives. A failed renewal is retried at the
/// next beat: other instances take this one for dead only once the key has expired.
async fn heartbeat(mut connection: ConnectionManager, key: String, alive: std::sync::Weak<()>) {
    let mut beat = tokio::time::interval(HEARTBEAT);
    while alive.strong_count() > 0 {
        beat.tick().await;
        let renewed: redis::RedisResult<()> = redis::cmd("SET")
            .arg(&key)
            .arg(1)
            .arg("PX")
            .arg(HEARTBEAT_TTL.as_millis() as u64)
            .query_async(&mut connection)
            .await;
        metrics::redis("SET", &renewed);
    }
}

/// `<stream>|<position>` (recorded) or `<stream>|<position>|<nonce>` (sent while Redis was unreachable),
/// split and checked: nothing from a client reaches Redis unless it has this shape.
fn parse_event_id(id: &str) -> Option<(&str, &str)> {
    let mut parts = id.split('|');
    let (stream, position) = (parts.next()?, parts.next()?);
    let nonce = parts.next();
    if parts.next().is_some() || nonce.is_some_and(|n| !is_token(n)) {
        return None;
    }
    let session = stream.strip_suffix(COMMON).unwrap_or(stream);
    let (ms, seq) = position.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    (is_token(session) && digits(ms) && digits(seq)).then_some((stream, position))
}

/// Session ids and stream ids are UUIDs or similar: letters, digits, `-` and `_`, never long.
fn is_token(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether a message ends the POST stream it is on (rmcp closes that stream after the response).
fn is_final(message: &ServerJsonRpcMessage) -> bool {
    matches!(
        message,
        JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_)
    )
}

#[async_trait::async_trait]
impl EventStore for RedisEvents {
    async fn store_event(
        &self,
        stream_id: &str,
        event: &ServerSseMessage,
    ) -> Result<EventId, EventStoreError> {
        let key = self.stream_key(stream_id);
        let ttl = self.ttl.as_millis() as u64;
        let mut xadd = redis::cmd("XADD");
        xadd.arg(&key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.max_len)
            .arg("*");
        if let Some(message) = &event.message {
            xadd.arg("m").arg(serde_json::to_vec(message.as_ref())?);
        }
        if let Some(retry) = event.retry {
            xadd.arg("r").arg(retry.as_millis() as u64);
        }
        if event.message.is_none() && event.retry.is_none() {
            xadd.arg("r").arg("");
        }
        let done = event.message.as_deref().is_some_and(is_final) && !stream_id.ends_with(COMMON);
        let ttl = if done {
            ttl.min(ANSWERED_TTL.as_millis() as u64)
        } else {
            ttl
        };
        let mut pipe = redis::pipe();
        pipe.add_command(xadd)
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(ttl)
            .ignore();
        if !stream_id.ends_with(COMMON) {
            // A long call's binding lives as long as its stream.
            pipe.cmd("PEXPIRE")
                .arg(self.binding_key(stream_id))
                .arg(ttl)
                .ignore();
        }
        let added: Result<(String,), _> = pipe.query_async(&mut self.connection.clone()).await;
        metrics::redis("XADD", &added);
        match added {
            Ok((position,)) => {
                self.remember(stream_id, (!done).then_some(position.as_str()));
                Ok(format!("{stream_id}|{position}"))
            }
            Err(error) => {
                tracing::warn!(%error, "cannot record an event: sent live, a resume cannot replay it");
                let position = self.last_position(stream_id);
                let nonce = uuid::Uuid::new_v4().simple();
                Ok(format!("{stream_id}|{position}|{nonce}"))
            }
        }
    }

    /// Refused: a resume must name its session (rmcp's `LocalSessionManager::resume` would call this; the
    /// runtime's session manager calls [`SessionEvents::resume`] instead).
    async fn replay_events_after(&self, _: &str) -> Result<EventStream, EventStoreError> {
        Err("a resume names its session".into())
    }
}

#[async_trait::async_trait]
impl SessionEvents for RedisEvents {
    async fn bind(&self, session: &SessionId, event_id: &str, request: Option<&RequestId>) {
        let Some((stream, _)) = parse_event_id(event_id) else {
            return;
        };
        if stream.ends_with(COMMON) {
            return;
        }
        let mut binding = session.to_string();
        if let Some(id) = request.and_then(|id| serde_json::to_string(id).ok()) {
            binding = format!("{binding}\n{}\n{id}", self.instance);
        }
        let bound: Result<(), _> = redis::cmd("SET")
            .arg(self.binding_key(stream))
            .arg(binding)
            .arg("PX")
            .arg(self.ttl.as_millis() as u64)
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("SET", &bound);
        if let Err(error) = bound {
            tracing::warn!(%error, "cannot bind an event stream to its session: it cannot be resumed");
        }
    }

    async fn resume(
        &self,
        session: &SessionId,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError> {
        let (stream, position) = parse_event_id(last_event_id).ok_or("malformed Last-Event-ID")?;
        let owner = self.owner(stream).await?;
        let Some(Binding { runner, .. }) = owner.filter(|o| o.session == session.as_ref()) else {
            return Err("Last-Event-ID names a stream of another session".into());
        };
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(IO_TIMEOUT))
            .set_response_timeout(Some(BLOCK + IO_TIMEOUT));
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await;
        metrics::redis("CONNECT", &connection);
        let tail = Tail {
            connection: connection?,
            key: self.stream_key(stream),
            session_key: format!("{}{}", self.sessions, session),
            stream: stream.to_owned(),
            position: position.to_owned(),
            idle: self.ttl,
            runner,
        };
        let (tx, rx) = mpsc::channel(BATCH);
        tokio::spawn(tail.run(tx));
        Ok(Box::pin(futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|event| (event, rx))
        })))
    }
}

/// One resumed stream: replays after `position`, then waits for more.
struct Tail {
    connection: redis::aio::MultiplexedConnection,
    key: String,
    session_key: String,
    stream: String,
    position: String,
    idle: Duration,
    /// A POST stream's call: the liveness key of the instance running it, and its request id as JSON.
    runner: Option<(String, String)>,
}

impl Tail {
    async fn run(mut self, tx: mpsc::Sender<ServerSseMessage>) {
        let mut last_event = Instant::now();
        loop {
            let read = tokio::select! {
                _ = tx.closed() => return,
                read = self.read() => read,
            };
            let entries = match read {
                Ok(entries) => entries,
                Err(error) => {
                    tracing::warn!(%error, "a resumed event stream ends: Redis failed");
                    return;
                }
            };
            if entries.is_empty() {
                if let Some(error) = self.runner_died().await {
                    let _ = tx.send(error).await;
                    return;
                }
                if last_event.elapsed() >= self.idle || !self.session_alive().await {
                    return;
                }
                continue;
            }
            last_event = Instant::now();
            for (position, fields) in entries {
                let event = decode(&self.stream, &position, fields);
                self.position = position;
                let Some(event) = event else { continue };
                let done = !self.stream.ends_with(COMMON)
                    && event.message.as_deref().is_some_and(is_final);
                if tx.send(event).await.is_err() || done {
                    return;
                }
            }
        }
    }

    /// The entries after the last delivered one, waiting up to [`BLOCK`] for one to come.
    async fn read(&mut self) -> redis::RedisResult<Vec<Entry>> {
        let read: redis::RedisResult<Value> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(BLOCK.as_millis() as u64)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(&self.position)
            .query_async(&mut self.connection)
            .await;
        metrics::redis("XREAD", &read);
        Ok(entries(read?)?)
    }

    /// The error that ends a POST stream whose call's instance is gone (its liveness key expired): the
    /// response can never come, and the client should retry the call instead of waiting.
    async fn runner_died(&mut self) -> Option<ServerSseMessage> {
        let (key, request) = self.runner.as_ref()?;
        let alive: redis::RedisResult<bool> = redis::cmd("EXISTS")
            .arg(key)
            .query_async(&mut self.connection)
            .await;
        metrics::redis("EXISTS", &alive);
        // Unknown while Redis fails: the tail ends on the read's own error then.
        if alive.unwrap_or(true) {
            return None;
        }
        tracing::warn!(stream = %self.stream, "the instance running a resumed call stopped: the call fails");
        let error = serde_json::json!({
            "jsonrpc": "2.0",
            "id": serde_json::from_str::<serde_json::Value>(request).ok()?,
            "error": {
                "code": -32603,
                "message": "The server instance running this call stopped before it answered; retry the call",
            },
        });
        let mut event = ServerSseMessage::default();
        event.message = Some(Arc::new(serde_json::from_value(error).ok()?));
        Some(event)
    }

    async fn session_alive(&mut self) -> bool {
        let alive: redis::RedisResult<bool> = redis::cmd("EXISTS")
            .arg(&self.session_key)
            .query_async(&mut self.connection)
            .await;
        metrics::redis("EXISTS", &alive);
        alive.unwrap_or(false)
    }
}

/// A stream entry: its id and its fields and values, alternating.
type Entry = (String, Vec<Vec<u8>>);

/// XREAD's answer for one stream, in RESP2 (an array of `[key, entries]`) or RESP3 (a map), as
/// `(entry id, [field, value, ...])`; nothing when the read timed out.
fn entries(value: Value) -> Result<Vec<Entry>, redis::ParsingError> {
    let streams = match value {
        Value::Nil => return Ok(Vec::new()),
        Value::Map(streams) => streams.into_iter().map(|(_, entries)| entries).collect(),
        Value::Array(streams) => streams
            .into_iter()
            .map(|stream| match stream {
                Value::Array(mut pair) if pair.len() == 2 => pair.pop().unwrap_or(Value::Nil),
                _ => Value::Nil,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut all = Vec::new();
    for entries in streams {
        if let Value::Nil = entries {
            continue;
        }
        all.extend(redis::from_redis_value::<Vec<Entry>>(entries)?);
    }
    Ok(all)
}

/// The event an entry recorded, with its id; `None` for an entry this version cannot read.
fn decode(stream: &str, position: &str, fields: Vec<Vec<u8>>) -> Option<ServerSseMessage> {
    let mut event = ServerSseMessage::default();
    event.event_id = Some(format!("{stream}|{position}"));
    let mut fields = fields.into_iter();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        match name.as_slice() {
            b"m" => match serde_json::from_slice(&value) {
                Ok(message) => event.message = Some(Arc::new(message)),
                Err(error) => {
                    tracing::warn!(%error, "skipping an event this version cannot read");
                    return None;
                }
            },
            b"r" => {
                event.retry = std::str::from_utf8(&value)
                    .ok()
                    .and_then(|ms| ms.parse().ok())
                    .map(Duration::from_millis);
            }
            _ => {}
        }
    }
    Some(event)
}

#[cfg(test)]
mod tests {
    use futures::StreamExt as _;

    use super::*;
    use crate::redis_store::tests::RedisServer;

    const PREFIX: &str = "mcp:test:";

    /// A store as one instance of the server has it, on its own connections.
    async fn store(redis: &RedisServer) -> RedisEvents {
        let client = redis::Client::open(redis.url("")).unwrap();
        let connection = ConnectionManager::new(client.clone()).await.unwrap();
        RedisEvents::new(client, connection, PREFIX, Duration::from_secs(60), 1000)
    }

    /// Opens POST stream `post` as rmcp does, with its priming event, bound to session `s1` (for the call
    /// `request`, if given); returns the priming event's id.
    async fn open_post(store: &RedisEvents, post: &str, request: Option<&RequestId>) -> String {
        let retry = ServerSseMessage::retry(Duration::from_secs(3));
        let priming = store.store_event(post, &retry).await.unwrap();
        store.bind(&session("s1"), &priming, request).await;
        priming
    }

    fn progress(n: u32) -> ServerSseMessage {
        let message = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": "t", "progress": n}});
        ServerSseMessage::from_message(serde_json::from_value(message).unwrap())
    }

    fn response() -> ServerSseMessage {
        let message = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        ServerSseMessage::from_message(serde_json::from_value(message).unwrap())
    }

    fn session(id: &str) -> SessionId {
        id.to_owned().into()
    }

    /// The next `n` events of a resumed stream, each within a generous bound.
    async fn take(stream: &mut EventStream, n: usize) -> Vec<ServerSseMessage> {
        let mut events = Vec::new();
        for _ in 0..n {
            let event = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("an event within 10 s")
                .expect("the stream goes on");
            events.push(event);
        }
        events
    }

    fn ids(events: &[ServerSseMessage]) -> Vec<String> {
        events.iter().map(|e| e.event_id.clone().unwrap()).collect()
    }

    /// Ids are unique and grow in each stream; a resume gives exactly the later events of the id's own
    /// stream, with their ids and content, and then what another instance appends to it.
    #[tokio::test]
    async fn a_resume_replays_the_later_events_of_its_stream_then_tails_other_instances() {
        let redis = RedisServer::start(&[]);
        let (first, second) = (store(&redis).await, store(&redis).await);
        let common = "s1:common";
        let post = "7f0c3e9a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        let mut common_ids = Vec::new();
        let mut post_ids = Vec::new();
        for n in 0..6 {
            common_ids.push(first.store_event(common, &progress(n)).await.unwrap());
            post_ids.push(first.store_event(post, &progress(100 + n)).await.unwrap());
        }
        let all: std::collections::HashSet<_> = common_ids.iter().chain(&post_ids).collect();
        assert_eq!(all.len(), 12, "{common_ids:?} {post_ids:?}");
        let position = |id: &String| {
            let (ms, seq) = id.split('|').nth(1).unwrap().split_once('-').unwrap();
            (ms.parse::<u64>().unwrap(), seq.parse::<u64>().unwrap())
        };
        assert!(
            common_ids
                .windows(2)
                .all(|w| position(&w[0]) < position(&w[1]))
        );
        assert!(common_ids.iter().all(|id| id.starts_with("s1:common|")));

        // The second instance resumes after the third event of the standalone stream.
        let mut resumed = second.resume(&session("s1"), &common_ids[2]).await.unwrap();
        let replayed = take(&mut resumed, 3).await;
        assert_eq!(ids(&replayed), common_ids[3..]);
        let progress_of = |e: &ServerSseMessage| {
            serde_json::to_value(e.message.as_deref().unwrap()).unwrap()["params"]["progress"]
                .clone()
        };
        let values: Vec<_> = replayed.iter().map(progress_of).collect();
        assert_eq!(values, [3.0, 4.0, 5.0]);

        // Events the first instance appends later reach the stream the second one holds, in order.
        let later = [
            first.store_event(common, &progress(6)).await.unwrap(),
            first.store_event(post, &progress(106)).await.unwrap(),
            first.store_event(common, &progress(7)).await.unwrap(),
        ];
        let tailed = take(&mut resumed, 2).await;
        assert_eq!(ids(&tailed), [later[0].clone(), later[2].clone()]);
    }

    /// A POST's stream is bound to its session: the session resumes it and gets its events up to the
    /// response, where the resumed stream ends; another session, or an id of no stream, is refused.
    #[tokio::test]
    async fn post_streams_resume_for_their_session_only_and_end_with_the_response() {
        let redis = RedisServer::start(&[]);
        let (first, second) = (store(&redis).await, store(&redis).await);
        let post = "0b7c3e9a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        let priming = open_post(&first, post, None).await;
        let step = first.store_event(post, &progress(1)).await.unwrap();

        for other in ["s2", "s1x", "s"] {
            let refused = second.resume(&session(other), &priming).await;
            assert!(refused.is_err(), "{other} resumed s1's stream");
        }
        let mut resumed = second.resume(&session("s1"), &priming).await.unwrap();
        assert_eq!(ids(&take(&mut resumed, 1).await), [step]);
        let done = first.store_event(post, &response()).await.unwrap();
        assert_eq!(ids(&take(&mut resumed, 1).await), [done]);
        let end = tokio::time::timeout(Duration::from_secs(10), resumed.next()).await;
        assert!(
            matches!(end, Ok(None)),
            "the stream goes on after the response"
        );

        // A stream never bound to any session is refused.
        let unbound = "1b7c3e9a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        let id = first.store_event(unbound, &progress(1)).await.unwrap();
        assert!(second.resume(&session("s1"), &id).await.is_err());
    }

    /// A resumed POST stream whose call runs on an instance that died (its liveness key expired, since its
    /// store is gone) ends with a JSON-RPC error for the call, naming its request id, instead of staying open
    /// until the idle timeout; while that instance lives, the stream waits for the call's response.
    #[tokio::test]
    async fn a_resumed_call_whose_instance_died_ends_with_an_error() {
        let redis = RedisServer::start(&[]);
        let (runner, other) = (store(&redis).await, store(&redis).await);
        let post = "2b7c3e9a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        let request = RequestId::Number(42);
        let priming = open_post(&runner, post, Some(&request)).await;
        // The session's record, which a tail looks for between reads.
        let _: () = redis::cmd("SET")
            .arg(format!("{PREFIX}session:s1"))
            .arg("{}")
            .query_async(&mut other.connection.clone())
            .await
            .unwrap();
        let step = runner.store_event(post, &progress(1)).await.unwrap();
        // The heartbeat's first beat has been written.
        tokio::time::sleep(Duration::from_millis(300)).await;

        let mut resumed = other.resume(&session("s1"), &priming).await.unwrap();
        assert_eq!(ids(&take(&mut resumed, 1).await), [step]);
        // Alive: nothing comes within a blocking read and a bit.
        let waiting = tokio::time::timeout(BLOCK + Duration::from_secs(1), resumed.next()).await;
        assert!(
            waiting.is_err(),
            "the stream ended while its instance lived: {waiting:?}"
        );

        drop(runner);
        let error = tokio::time::timeout(HEARTBEAT_TTL + BLOCK * 2, resumed.next())
            .await
            .expect("an error within the liveness key's expiry and a blocking read")
            .expect("an event, not the end");
        let message = serde_json::to_value(error.message.as_deref().unwrap()).unwrap();
        assert_eq!(message["id"], 42, "{message}");
        assert_eq!(message["error"]["code"], -32603, "{message}");
        assert!(
            message["error"]["message"]
                .as_str()
                .unwrap()
                .contains("retry"),
            "{message}"
        );
        let end = tokio::time::timeout(Duration::from_secs(10), resumed.next()).await;
        assert!(matches!(end, Ok(None)), "the stream ends after the error");
    }

    /// Through the server: a POST's event stream, answered by one instance, resumes on another with the id
    /// of its first event and gives the rest (the response, then the stream ends); the same id from another
    /// session of the same principal gets an empty stream. Without the event store the second instance
    /// cannot resume a stream it never held.
    #[tokio::test]
    async fn a_post_stream_resumes_on_another_instance_through_the_server() {
        use crate::testing::http::{PING, app, mcp, post, send, session};
        let redis = RedisServer::start(&[]);
        let options = crate::redis_store::tests::with_store(redis.url(""), Duration::from_secs(60));
        let (first, second) = (app(&options).await, app(&options).await);
        let alice = session(&first, "alice").await;
        let (status, _, body) = post(&first, "alice", Some(&alice), PING).await;
        assert_eq!(status, http::StatusCode::OK, "{body}");
        let ids: Vec<&str> = body
            .lines()
            .filter_map(|line| line.strip_prefix("id: "))
            .collect();
        assert_eq!(ids.len(), 2, "priming and response: {body}");

        let resume = |session: &str| {
            mcp("GET", "alice", Some(session))
                .header("last-event-id", ids[0])
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let (status, _, resumed) = send(&second, resume(&alice)).await;
        assert_eq!(status, http::StatusCode::OK, "{resumed}");
        assert!(resumed.contains(&format!("id: {}", ids[1])), "{resumed}");
        assert!(resumed.contains(r#""result":{}"#), "{resumed}");
        assert!(!resumed.contains(ids[0]), "{resumed}");

        let other = session(&second, "alice").await;
        let (status, _, refused) = send(&second, resume(&other)).await;
        // A failed resume is refused (`cluster::refuse_failed_resumes`).
        assert_eq!(status, http::StatusCode::GONE);
        assert!(!refused.contains("result"), "{refused}");
    }

    /// A resumed stream whose session has no record (ended, expired) ends after one blocking read, and one
    /// whose session lives stays open.
    #[tokio::test]
    async fn a_tail_ends_with_its_session() {
        let redis = RedisServer::start(&[]);
        let events = store(&redis).await;
        let mut look = redis.connection("").await;
        let _: () = redis::cmd("SET")
            .arg(format!("{PREFIX}session:alive"))
            .arg("{}")
            .query_async(&mut look)
            .await
            .unwrap();
        let mut gone = events
            .resume(&session("gone"), "gone:common|0-0")
            .await
            .unwrap();
        let mut alive = events
            .resume(&session("alive"), "alive:common|0-0")
            .await
            .unwrap();
        let end = tokio::time::timeout(BLOCK * 3, gone.next()).await;
        assert!(matches!(end, Ok(None)), "the tail outlived its session");
        let id = events
            .store_event("alive:common", &progress(1))
            .await
            .unwrap();
        assert_eq!(ids(&take(&mut alive, 1).await), [id]);
    }

    /// Hostile `Last-Event-ID` values are refused without touching another session's stream, and never
    /// panic: garbage, other shapes, another session's standalone stream, keys outside the prefix.
    #[tokio::test]
    async fn hostile_event_ids_are_refused() {
        let redis = RedisServer::start(&[]);
        let events = store(&redis).await;
        let theirs = events.store_event("s2:common", &progress(1)).await.unwrap();
        assert!(events.resume(&session("s2"), &theirs).await.is_ok());
        for id in [
            theirs.as_str(),
            "",
            "0",
            "|",
            "s1:common",
            "s1:common|",
            "s1:common|1",
            "s1:common|1-",
            "s1:common|-1",
            "s1:common|1-1|",
            "s1:common|1-1|x|y",
            "s1:common|1-1|no nonce",
            "s1:common|99999999999999999999999-0",
            "s1:common|$",
            "s1:common|+",
            "*:common|0-0",
            "s1:common:common|0-0",
            "../s1:common|0-0",
            "s1 :common|0-0",
            "é:common|0-0",
            "s1:common\r\n|0-0",
            "session:s1|0-0",
        ] {
            let refused = events.resume(&session("s1"), id).await;
            assert!(refused.is_err(), "{id:?} was accepted");
        }
        let mut own = events
            .resume(&session("s1"), "s1:common|0-0")
            .await
            .unwrap();
        let mine = events.store_event("s1:common", &progress(2)).await.unwrap();
        assert_eq!(ids(&take(&mut own, 1).await), [mine]);
    }

    /// While Redis is down an event still gets an id (the caller sends it live), naming the stream's last
    /// recorded position: resumed from it once Redis is back, the stream gives what was recorded after.
    #[tokio::test]
    async fn events_sent_while_redis_is_down_resume_from_the_last_recorded_one() {
        let mut redis = RedisServer::start(&[]);
        let events = store(&redis).await;
        let recorded = events.store_event("s1:common", &progress(1)).await.unwrap();
        redis.stop();
        let live = events.store_event("s1:common", &progress(2)).await.unwrap();
        assert!(
            live.starts_with(&format!("{recorded}|")),
            "{live} {recorded}"
        );
        assert_ne!(
            live,
            events.store_event("s1:common", &progress(3)).await.unwrap()
        );
        redis.restart();
        // The data went with the old Redis (nothing is saved): positions start again, so the stream is
        // written anew and the resume from the live id gives the new events after the recorded position.
        let deadline = Instant::now() + Duration::from_secs(15);
        let after = loop {
            let id = events.store_event("s1:common", &progress(4)).await.unwrap();
            if id.split('|').count() == 2 {
                break id;
            }
            assert!(Instant::now() < deadline, "never recorded again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let mut resumed = events.resume(&session("s1"), &live).await.unwrap();
        assert_eq!(ids(&take(&mut resumed, 1).await), [after]);
    }

    /// Each stream keeps about `max_len` events (Redis trims whole blocks) and lives as long as the
    /// session idle timeout from its last event.
    #[tokio::test]
    async fn streams_are_capped_and_expire() {
        let redis = RedisServer::start(&[]);
        let client = redis::Client::open(redis.url("")).unwrap();
        let connection = ConnectionManager::new(client.clone()).await.unwrap();
        let events = RedisEvents::new(
            client,
            connection.clone(),
            PREFIX,
            Duration::from_secs(7),
            10,
        );
        for n in 0..1000 {
            events.store_event("s1:common", &progress(n)).await.unwrap();
        }
        let (len, ttl): (usize, i64) = redis::pipe()
            .cmd("XLEN")
            .arg(format!("{PREFIX}events:s1:common"))
            .cmd("PTTL")
            .arg(format!("{PREFIX}events:s1:common"))
            .query_async(&mut connection.clone())
            .await
            .unwrap();
        assert!((10..=200).contains(&len), "{len}");
        assert!((1..=7000).contains(&ttl), "{ttl}");

        // A POST's stream, and its binding, live on after its response for ANSWERED_TTL only.
        let events = RedisEvents::new(
            redis::Client::open(redis.url("")).unwrap(),
            connection.clone(),
            PREFIX,
            Duration::from_secs(300),
            10,
        );
        let post = "3b7c3e9a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
        open_post(&events, post, None).await;
        let ttls = || {
            let mut connection = connection.clone();
            async move {
                let ttls: (i64, i64) = redis::pipe()
                    .cmd("PTTL")
                    .arg(format!("{PREFIX}events:{post}"))
                    .cmd("PTTL")
                    .arg(format!("{PREFIX}events:{post}:session"))
                    .query_async(&mut connection)
                    .await
                    .unwrap();
                ttls
            }
        };
        let (stream, binding) = ttls().await;
        assert!(stream > 30_000 && binding > 30_000, "{stream} {binding}");
        events.store_event(post, &response()).await.unwrap();
        let (stream, binding) = ttls().await;
        assert!((1..=30_000).contains(&stream), "{stream}");
        assert!((1..=30_000).contains(&binding), "{binding}");
    }

    /// The cost of the event store per event, against a control in memory that serialises the event as the
    /// Redis store does and keeps the bytes, and against a bare `PING` (the round trip alone); rounds
    /// interleave the three. Prints medians per event. Not a check: run by hand (BENCHMARKS.md) with
    /// `cargo test --release -p mcpgen-runtime --features redis -- --ignored --nocapture bench_event_store`.
    #[tokio::test]
    #[ignore]
    async fn bench_event_store() {
        const EVENTS: usize = 2000;
        const ROUNDS: usize = 7;
        let redis = RedisServer::start(&[]);
        let client = redis::Client::open(redis.url("")).unwrap();
        let connection = ConnectionManager::new(client.clone()).await.unwrap();
        // A cap above the events stored, so the replay has them all.
        let events = RedisEvents::new(client, connection, PREFIX, Duration::from_secs(60), 10_000);
        let mut ping = redis.connection("").await;
        let event = progress(1);
        let mut memory: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
        let (mut control, mut stored, mut replayed, mut pinged) = (vec![], vec![], vec![], vec![]);
        let per_event = |start: Instant| start.elapsed().as_secs_f64() * 1e6 / EVENTS as f64;
        for round in 0..ROUNDS {
            let start = Instant::now();
            for _ in 0..EVENTS {
                let bytes = serde_json::to_vec(event.message.as_deref().unwrap()).unwrap();
                memory.entry(format!("m{round}")).or_default().push(bytes);
            }
            control.push(per_event(start));

            let stream = format!("s{round}:common");
            let start = Instant::now();
            let mut first = None;
            for _ in 0..EVENTS {
                let id = events.store_event(&stream, &event).await.unwrap();
                first.get_or_insert(id);
            }
            stored.push(per_event(start));

            let start = Instant::now();
            let mut resumed = events
                .resume(&session(&format!("s{round}")), first.as_deref().unwrap())
                .await
                .unwrap();
            take(&mut resumed, EVENTS - 1).await;
            replayed.push(per_event(start));

            let start = Instant::now();
            for _ in 0..EVENTS {
                let _: () = redis::cmd("PING").query_async(&mut ping).await.unwrap();
            }
            pinged.push(per_event(start));
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        println!(
            "µs per event, median of {ROUNDS} rounds of {EVENTS}: in-memory control {:.3}, \
             Redis store_event {:.1}, Redis replay {:.2}, PING round trip {:.1}",
            median(control),
            median(stored),
            median(replayed),
            median(pinged)
        );
    }
}
