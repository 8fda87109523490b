//! Stateful sessions shared across instances: rmcp's `SessionStore` on Redis. rmcp records the client's
//! `initialize` parameters after the handshake; an instance that gets a request for a session it does
//! not hold loads them and replays the handshake, so the session carries on there.
//!
//! Each record holds the session's owner (see `principal.rs`) beside rmcp's state, and lives as long as the
//! session's idle timeout from its last refresh: a live session's requests refresh it a few times per
//! timeout, and a crashed instance's sessions expire with it.
//!
//! Speaks just enough of the Redis protocol (RESP2: AUTH, SELECT, SET EX, GET, EXPIRE, DEL) over one
//! connection, to stay free of a Redis client dependency.
//!
//! rmcp 3.11's restore can be seen halfway by other requests for the same session: the session is
//! listed as present before its handshake is replayed (a request arriving then reaches a worker that
//! still expects `initialize`; the worker quits and the request gets a 500), and a request that found
//! the session absent can start a second restore after the first one finished (another 500). Clients
//! send such requests together: a POST and the GET stream. [`RestoringSessions`] and
//! [`hold_restore_gates`] let one request at a time restore a session while the others for it wait.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use rmcp::ServerHandler;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager, SessionState,
    SessionStore, SessionStoreError,
};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufStream};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::owned_sessions::{self, OwnedSessions};
use super::principal::Principal;
use super::redact;
use super::sessions::SessionTable;

const IO_TIMEOUT: Duration = Duration::from_secs(5);
const KEY_PREFIX: &str = "mcp:session:";
/// Requests for a session being restored wait at most this long, then go ahead unguarded.
const RESTORE_WAIT: Duration = Duration::from_secs(30);

/// The streamable HTTP route with sessions shared through `store`.
pub(crate) fn mount<S, F>(
    factory: F,
    sessions: LocalSessionManager,
    table: Arc<SessionTable>,
    store: Arc<dyn SessionStore>,
    mut config: StreamableHttpServerConfig,
    path: &str,
) -> Router
where
    S: ServerHandler + Send + 'static,
    F: Fn() -> Result<S, std::io::Error> + Send + Sync + 'static,
{
    config.session_store = Some(store);
    let sessions = Arc::new(OwnedSessions {
        inner: RestoringSessions {
            inner: sessions,
            gates: Gates::default(),
        },
        table,
    });
    let service = StreamableHttpService::new(factory, sessions, config);
    Router::new()
        .route_service(path, service)
        .layer(middleware::from_fn(hold_restore_gates))
}

/// Sessions being restored, each with a token cancelled when its restore ends.
type Gates = Arc<std::sync::Mutex<HashMap<SessionId, CancellationToken>>>;

fn lock(gates: &Gates) -> std::sync::MutexGuard<'_, HashMap<SessionId, CancellationToken>> {
    gates
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

tokio::task_local! {
    /// The restore gate the current request holds.
    static HELD: RefCell<Option<HeldGate>>;
}

/// Opens its gate when dropped: when the request that restores the session has been handled,
/// failed, or was abandoned by its client.
struct HeldGate {
    gates: Gates,
    id: SessionId,
}

impl Drop for HeldGate {
    fn drop(&mut self) {
        if let Some(gate) = lock(&self.gates).remove(&self.id) {
            gate.cancel();
        }
    }
}

/// Middleware: gives each request a slot for the gate it may take, opened once the request is handled
/// (rmcp answers after the restore and after queueing the request's own message behind it).
async fn hold_restore_gates(request: Request, next: Next) -> Response {
    HELD.scope(RefCell::new(None), next.run(request)).await
}

/// rmcp's in-memory sessions, restored from the store one request at a time.
pub(crate) struct RestoringSessions {
    inner: LocalSessionManager,
    gates: Gates,
}

impl SessionManager for RestoringSessions {
    type Error = <LocalSessionManager as SessionManager>::Error;
    type Transport = <LocalSessionManager as SessionManager>::Transport;

    /// `false` makes rmcp restore the session from the store, so the first request to see it absent
    /// takes its gate, and others wait for the gate to open before they look.
    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        loop {
            let restoring = lock(&self.gates).get(id).cloned();
            if let Some(gate) = restoring {
                if tokio::time::timeout(RESTORE_WAIT, gate.cancelled())
                    .await
                    .is_err()
                {
                    return self.inner.has_session(id).await;
                }
                continue;
            }
            if self.inner.has_session(id).await? {
                return Ok(true);
            }
            let gate = match lock(&self.gates).entry(id.clone()) {
                Entry::Occupied(_) => continue,
                Entry::Vacant(entry) => {
                    entry.insert(CancellationToken::new());
                    HeldGate {
                        gates: self.gates.clone(),
                        id: id.clone(),
                    }
                }
            };
            // A restore may have finished between the first look and taking the gate; none can start
            // while it is held.
            if self.inner.has_session(id).await? {
                return Ok(true);
            }
            // Outside `hold_restore_gates` (never, through `mount`) the gate is dropped, so opens, here.
            let _ = HELD.try_with(move |held| held.replace(Some(gate)));
            return Ok(false);
        }
    }

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        self.inner.create_session().await
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner.initialize_session(id, message).await
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.inner.close_session(id).await
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner.create_stream(id, message).await
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner.create_standalone_stream(id).await
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner.resume(id, last_event_id).await
    }

    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        self.inner.restore_session(id).await
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

/// Where the Redis server is and how to log in. `Debug` leaves the password out.
#[derive(Clone, PartialEq, Eq)]
struct RedisUrl {
    address: String,
    username: Option<String>,
    password: Option<String>,
    db: u32,
}

impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisUrl")
            .field("address", &self.address)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("db", &self.db)
            .finish()
    }
}

impl RedisUrl {
    /// `redis://[[user]:password@]host[:port][/db]`. Errors print the URL without its userinfo.
    fn parse(url: &str) -> Result<Self, String> {
        let shown = || redact::url(url);
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| format!("not a redis:// URL: {:?}", shown()))?;
        let (authority, db) = match rest.split_once('/') {
            Some((authority, db)) if !db.is_empty() => (
                authority,
                db.parse()
                    .map_err(|_| format!("bad database number in {:?}", shown()))?,
            ),
            Some((authority, _)) => (authority, 0),
            None => (rest, 0),
        };
        let (credentials, host) = match authority.rsplit_once('@') {
            Some((credentials, host)) => (Some(credentials), host),
            None => (None, authority),
        };
        let (username, password) = match credentials.map(|c| c.split_once(':')) {
            None => (None, None),
            Some(Some((user, password))) => (
                (!user.is_empty()).then(|| user.to_owned()),
                Some(password.to_owned()),
            ),
            Some(None) => (None, credentials.map(str::to_owned)),
        };
        if host.is_empty() {
            return Err(format!("no host in {:?}", shown()));
        }
        let address = if host.contains(':') && !host.ends_with(']') {
            host.to_owned()
        } else {
            format!("{host}:6379")
        };
        Ok(RedisUrl {
            address,
            username,
            password,
            db,
        })
    }
}

/// A RESP reply.
#[derive(Debug, PartialEq)]
enum Reply {
    Simple(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
}

/// Session records in Redis, under `mcp:session:<id>`.
#[derive(Debug)]
pub(crate) struct RedisStore {
    url: RedisUrl,
    connection: Mutex<Option<BufStream<TcpStream>>>,
    /// A record's lifetime from its last refresh: the session idle timeout.
    ttl: Duration,
    /// This instance's sessions, for their owners.
    table: Arc<SessionTable>,
}

/// What a record holds: rmcp's state and who owns the session (`None`: auth is off).
#[derive(Serialize, Deserialize)]
struct Record {
    owner: Option<String>,
    state: SessionState,
}

impl RedisStore {
    /// Connects once to fail at start-up, not at the first session, when Redis is unreachable.
    pub(crate) async fn connect(
        url: &str,
        ttl: Duration,
        table: Arc<SessionTable>,
    ) -> Result<Self, String> {
        let store = RedisStore {
            url: RedisUrl::parse(url)?,
            connection: Mutex::default(),
            ttl: ttl.max(Duration::from_secs(1)),
            table,
        };
        store
            .command(&[b"PING"])
            .await
            .map_err(|e| format!("cannot reach the session store: {e}"))?;
        tracing::info!(address = store.url.address, "sessions are kept in Redis");
        Ok(store)
    }

    /// Runs one command, reconnecting once if the connection broke.
    async fn command(&self, args: &[&[u8]]) -> Result<Reply, SessionStoreError> {
        let mut connection = self.connection.lock().await;
        for attempt in 0..2 {
            if connection.is_none() {
                *connection = Some(self.open().await?);
            }
            let stream = connection.as_mut().expect("connected above");
            match tokio::time::timeout(IO_TIMEOUT, round_trip(stream, args)).await {
                Ok(Ok(reply)) => return Ok(reply),
                Ok(Err(error)) if attempt == 0 && error.kind() != std::io::ErrorKind::Other => {
                    tracing::debug!(%error, "Redis connection lost; reconnecting");
                    *connection = None;
                }
                Ok(Err(error)) => {
                    *connection = None;
                    return Err(error.into());
                }
                Err(_) => {
                    *connection = None;
                    return Err("Redis did not answer in time".into());
                }
            }
        }
        Err("Redis connection lost".into())
    }

    async fn open(&self) -> Result<BufStream<TcpStream>, SessionStoreError> {
        let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(&self.url.address))
            .await
            .map_err(|_| "timed out connecting to Redis")??;
        stream.set_nodelay(true)?;
        let mut stream = BufStream::new(stream);
        if let Some(password) = &self.url.password {
            match &self.url.username {
                Some(user) => {
                    round_trip(
                        &mut stream,
                        &[b"AUTH", user.as_bytes(), password.as_bytes()],
                    )
                    .await?
                }
                None => round_trip(&mut stream, &[b"AUTH", password.as_bytes()]).await?,
            };
        }
        if self.url.db != 0 {
            round_trip(
                &mut stream,
                &[b"SELECT", self.url.db.to_string().as_bytes()],
            )
            .await?;
        }
        Ok(stream)
    }
}

/// Sends a command and reads its reply; a Redis error reply is an `ErrorKind::Other` error.
async fn round_trip(stream: &mut BufStream<TcpStream>, args: &[&[u8]]) -> std::io::Result<Reply> {
    let mut request = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        request.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        request.extend_from_slice(arg);
        request.extend_from_slice(b"\r\n");
    }
    stream.write_all(&request).await?;
    stream.flush().await?;
    read_reply(stream).await
}

async fn read_reply(stream: &mut BufStream<TcpStream>) -> std::io::Result<Reply> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let line = line.trim_end_matches(['\r', '\n']);
    let (kind, rest) = line.split_at_checked(1).ok_or_else(|| bad("empty reply"))?;
    match kind {
        "+" => Ok(Reply::Simple(rest.to_owned())),
        "-" => Err(std::io::Error::other(format!("Redis: {rest}"))),
        ":" => rest
            .parse()
            .map(Reply::Integer)
            .map_err(|_| bad("bad integer reply")),
        "$" => {
            let len: i64 = rest.parse().map_err(|_| bad("bad bulk length"))?;
            let Ok(len) = usize::try_from(len) else {
                return Ok(Reply::Bulk(None));
            };
            let mut data = vec![0; len + 2];
            stream.read_exact(&mut data).await?;
            data.truncate(len);
            Ok(Reply::Bulk(Some(data)))
        }
        _ => Err(bad("unexpected reply type")),
    }
}

fn key(session_id: &str) -> Vec<u8> {
    format!("{KEY_PREFIX}{session_id}").into_bytes()
}

impl RedisStore {
    async fn record(&self, session_id: &str) -> Result<Option<Record>, SessionStoreError> {
        match self.command(&[b"GET", &key(session_id)]).await? {
            // A record in another shape (an older server's) is no session: its owner is unknown.
            Reply::Bulk(Some(data)) => Ok(serde_json::from_slice(&data).ok()),
            _ => Ok(None),
        }
    }

    /// The owner of a stored session: `None` when there is no record.
    pub(crate) async fn owner(
        &self,
        session_id: &str,
    ) -> Result<Option<Option<Principal>>, SessionStoreError> {
        Ok(self.record(session_id).await?.map(|record| {
            record
                .owner
                .map(|hex| Principal::from_hex(&hex).ok_or(()))
                .transpose()
                // A malformed owner matches nobody.
                .unwrap_or(Some(Principal::unmatchable()))
        }))
    }

    /// Gives a live session's record a new lifetime, a few times per idle timeout.
    pub(crate) async fn keep_alive(&self, table: &SessionTable, session_id: &str) {
        if !table.refresh_due(session_id, owned_sessions::refresh_interval(self.ttl)) {
            return;
        }
        let ttl = self.ttl.as_secs().to_string();
        if let Err(error) = self
            .command(&[b"EXPIRE", &key(session_id), ttl.as_bytes()])
            .await
        {
            tracing::warn!(%error, "cannot refresh a session record");
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        Ok(self.record(session_id).await?.map(|record| record.state))
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let record = Record {
            owner: self
                .table
                .owner(session_id)
                .flatten()
                .map(Principal::to_hex),
            state: state.clone(),
        };
        let data = serde_json::to_vec(&record)?;
        let ttl = self.ttl.as_secs().to_string();
        self.command(&[b"SET", &key(session_id), &data, b"EX", ttl.as_bytes()])
            .await?;
        Ok(())
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        self.command(&[b"DEL", &key(session_id)]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{HeaderValue, StatusCode};
    use tower::ServiceExt as _;

    use super::*;

    /// A store in memory, shared by the instances of a test.
    #[derive(Default)]
    struct MemoryStore(std::sync::Mutex<HashMap<String, Vec<u8>>>);

    #[async_trait::async_trait]
    impl SessionStore for MemoryStore {
        async fn load(&self, id: &str) -> Result<Option<SessionState>, SessionStoreError> {
            let records = self.0.lock().unwrap();
            Ok(match records.get(id) {
                Some(data) => Some(serde_json::from_slice(data)?),
                None => None,
            })
        }

        async fn store(&self, id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
            let data = serde_json::to_vec(state)?;
            self.0.lock().unwrap().insert(id.to_owned(), data);
            Ok(())
        }

        async fn delete(&self, id: &str) -> Result<(), SessionStoreError> {
            self.0.lock().unwrap().remove(id);
            Ok(())
        }
    }

    struct Empty;
    impl ServerHandler for Empty {}

    fn instance(store: &Arc<MemoryStore>) -> Router {
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(true)
            .disable_allowed_hosts();
        mount(
            || Ok(Empty),
            LocalSessionManager::default(),
            Arc::new(SessionTable::new(crate::sessions::SessionLimits {
                max: 1000,
                max_per_principal: 1000,
                max_record_bytes: 1 << 16,
            })),
            store.clone(),
            config,
            "/mcp",
        )
    }

    fn request(method: &str, session: Option<&HeaderValue>, body: &str) -> Request {
        let session = session.map(|id| id.to_str().unwrap());
        crate::testing::http::anonymous(method, session)
            .body(Body::from(body.to_owned()))
            .unwrap()
    }

    /// The status and the whole body (a POST's event stream ends after its response).
    async fn send(app: &Router, request: Request) -> (StatusCode, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = tokio::time::timeout(
            Duration::from_secs(10),
            axum::body::to_bytes(response.into_body(), 1 << 20),
        )
        .await
        .expect("the response ends")
        .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Sessions started on one instance, then hit on another by a burst of concurrent requests
    /// (as a client sends its GET stream and POSTs together): every request is served. Without the
    /// gates, rmcp 3.11 answers some of them 500 while it replays the handshake.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_session_moved_to_another_instance_serves_concurrent_requests() {
        let store = Arc::new(MemoryStore::default());
        let first = instance(&store);
        for round in 0..20 {
            let response = first
                .clone()
                .oneshot(request(
                    "POST",
                    None,
                    r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"0"}}}"#,
                ))
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let session = response.headers()["mcp-session-id"].clone();
            let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
            let (status, _) = send(&first, request("POST", Some(&session), initialized)).await;
            assert_eq!(status, StatusCode::ACCEPTED);

            let second = instance(&store);
            let mut burst = tokio::task::JoinSet::new();
            for id in 1..=8 {
                let (app, session) = (second.clone(), session.clone());
                burst.spawn(async move {
                    let ping = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
                    let (status, body) = send(&app, request("POST", Some(&session), &ping)).await;
                    assert_eq!(status, StatusCode::OK, "round {round}, ping {id}: {body}");
                    assert!(
                        body.contains(r#""result""#),
                        "round {round}, ping {id}: {body}"
                    );
                });
            }
            let (app, session) = (second.clone(), session.clone());
            burst.spawn(async move {
                let stream = request("GET", Some(&session), "");
                let response = app.oneshot(stream).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK, "round {round}, GET");
            });
            while let Some(outcome) = burst.join_next().await {
                outcome.unwrap();
            }
        }
    }

    /// A Redis stand-in for the commands the store sends, keeping each in a log.
    struct FakeRedis {
        url: String,
        log: Arc<std::sync::Mutex<Vec<Vec<String>>>>,
        data: Arc<std::sync::Mutex<HashMap<String, Vec<u8>>>>,
    }

    async fn fake_redis() -> FakeRedis {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let fake = FakeRedis {
            url,
            log: Arc::default(),
            data: Arc::default(),
        };
        let (log, data) = (fake.log.clone(), fake.data.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, data) = (log.clone(), data.clone());
                tokio::spawn(async move {
                    let mut stream = BufStream::new(stream);
                    while let Some(command) = read_command(&mut stream).await {
                        let text: Vec<String> = command
                            .iter()
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect();
                        let reply: Vec<u8> = {
                            let mut data = data.lock().unwrap();
                            match text[0].as_str() {
                                "SET" => {
                                    data.insert(text[1].clone(), command[2].clone());
                                    b"+OK\r\n".to_vec()
                                }
                                "GET" => match data.get(&text[1]) {
                                    Some(value) => {
                                        let mut reply =
                                            format!("${}\r\n", value.len()).into_bytes();
                                        reply.extend_from_slice(value);
                                        reply.extend_from_slice(b"\r\n");
                                        reply
                                    }
                                    None => b"$-1\r\n".to_vec(),
                                },
                                "DEL" => {
                                    data.remove(&text[1]);
                                    b":1\r\n".to_vec()
                                }
                                "EXPIRE" => b":1\r\n".to_vec(),
                                _ => b"+PONG\r\n".to_vec(),
                            }
                        };
                        log.lock().unwrap().push(text);
                        stream.write_all(&reply).await.unwrap();
                        stream.flush().await.unwrap();
                    }
                });
            }
        });
        fake
    }

    async fn read_command(stream: &mut BufStream<TcpStream>) -> Option<Vec<Vec<u8>>> {
        let mut line = String::new();
        stream.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
        let count: usize = line.trim_end().strip_prefix('*')?.parse().ok()?;
        let mut args = Vec::new();
        for _ in 0..count {
            line.clear();
            stream.read_line(&mut line).await.ok()?;
            let len: usize = line.trim_end().strip_prefix('$')?.parse().ok()?;
            let mut arg = vec![0; len + 2];
            stream.read_exact(&mut arg).await.ok()?;
            arg.truncate(len);
            args.push(arg);
        }
        Some(args)
    }

    /// The record in Redis names the session's owner and lives as long as the idle timeout, refreshed while
    /// the session is used; on another instance, another principal is refused the session (POST, resumed
    /// GET, DELETE) and its owner carries on.
    #[tokio::test]
    async fn stored_sessions_keep_their_owner_and_idle_lifetime() {
        use crate::testing::http::{LIMITS, PING, app, mcp, options, post, send, session};

        let redis = fake_redis().await;
        let mut options = options(&["alice", "bob"], LIMITS);
        if let Some(http) = options.streamable.as_mut() {
            http.redis_url = Some(crate::redact::SecretUrl::new(redis.url.clone()));
            http.session_idle_timeout = Duration::from_secs(4);
        }
        let (first, second) = (app(&options).await, app(&options).await);
        let alice = session(&first, "alice").await;
        let set = redis
            .log
            .lock()
            .unwrap()
            .iter()
            .find(|command| command[0] == "SET")
            .cloned()
            .expect("a record is written");
        assert_eq!(set[3..], ["EX", "4"]);
        let record: serde_json::Value = serde_json::from_str(&set[2]).unwrap();
        assert_eq!(record["owner"].as_str().map(str::len), Some(64), "{record}");
        assert!(
            !set[2].contains("alice"),
            "the record holds the token: {}",
            set[2]
        );

        let (status, _, _) = post(&second, "bob", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let resume = mcp("GET", "bob", Some(&alice))
            .header("last-event-id", "0")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&second, resume).await.0, StatusCode::NOT_FOUND);
        let delete = mcp("DELETE", "bob", Some(&alice))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&second, delete).await.0, StatusCode::NOT_FOUND);
        assert!(
            redis
                .data
                .lock()
                .unwrap()
                .contains_key(&format!("{KEY_PREFIX}{alice}"))
        );
        let (status, _, body) = post(&second, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Used after a quarter of the idle timeout, the record gets a new lifetime.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            post(&first, "alice", Some(&alice), PING).await.0,
            StatusCode::OK
        );
        let expire = [
            "EXPIRE".to_owned(),
            format!("{KEY_PREFIX}{alice}"),
            "4".to_owned(),
        ];
        assert!(redis.log.lock().unwrap().contains(&expire.to_vec()));
    }

    #[test]
    fn urls_parse() {
        let url = RedisUrl::parse("redis://127.0.0.1").unwrap();
        assert_eq!(url.address, "127.0.0.1:6379");
        assert_eq!((url.username, url.password, url.db), (None, None, 0));
        let url = RedisUrl::parse("redis://app:s3cr:et@cache:6380/2").unwrap();
        assert_eq!(url.address, "cache:6380");
        assert_eq!(url.username.as_deref(), Some("app"));
        assert_eq!(url.password.as_deref(), Some("s3cr:et"));
        assert_eq!(url.db, 2);
        let url = RedisUrl::parse("redis://:pw@cache/").unwrap();
        assert_eq!((url.username, url.password.as_deref()), (None, Some("pw")));
        assert!(RedisUrl::parse("http://cache").is_err());
        assert!(RedisUrl::parse("redis://").is_err());
        assert!(RedisUrl::parse("redis://cache/x").is_err());
    }

    /// Parse errors and `Debug` show where Redis is, never the password.
    #[test]
    fn urls_keep_the_password_out_of_errors_and_debug() {
        for bad in [
            "redis://app:hunter2@cache/x",
            "redis://:hunter2@/0",
            "rediss://:hunter2@cache",
        ] {
            let error = RedisUrl::parse(bad).unwrap_err();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains("***@"), "{error}");
        }
        let url = RedisUrl::parse("redis://app:hunter2@cache:6380/2").unwrap();
        let shown = format!("{url:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("cache:6380"),
            "{shown}"
        );
    }
}
