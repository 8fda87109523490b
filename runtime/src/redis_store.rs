//! The shared session store on Redis, through the `redis` crate: one multiplexed connection that the
//! connection manager re-opens when it breaks, `redis://` or `rediss://` (TLS through rustls, the system's
//! trust roots), the user and password of an ACL from the URL (percent-decoded by the crate).
//!
//! Each record, at `<prefix>session:<id>`, holds the session's owner (see `principal.rs`) beside rmcp's state,
//! and lives as long as the session's idle timeout from its last refresh: a live session's requests refresh
//! it a few times per timeout, and a crashed instance's sessions expire with it. The prefix (the spec's, by
//! default `mcp:<server name>:`) lets several servers share one Redis.
//!
//! While Redis is unreachable, each command fails within [`IO_TIMEOUT`] and the manager keeps reconnecting
//! in the background; the server stays up (see `owned_sessions.rs` for what requests get).

use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};
use serde::{Deserialize, Serialize};

use super::metrics;
use super::principal::Principal;
use super::redact::{self, SecretUrl};
use super::redis_bus::subscriptions_key;
use super::redis_events::RedisEvents;
use super::session_store::{SessionEvents, SharedStore};
use super::sessions::SessionTable;

/// The longest a command, or connecting, may take before it fails.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Session records in Redis.
pub(crate) struct RedisStore {
    connection: ConnectionManager,
    /// For the event store's own connections (`redis_events.rs`).
    client: redis::Client,
    key_prefix: String,
    /// Every key starts with it: `<prefix>session:`.
    prefix: String,
    /// A record's lifetime from its last refresh: the session idle timeout.
    ttl: Duration,
    /// This instance's sessions, for their owners.
    table: Arc<SessionTable>,
}

impl RedisStore {
    /// Connects once to fail at start-up, not at the first session, when Redis is unreachable or refuses
    /// the credentials. Errors name the URL without its password.
    pub(crate) async fn connect(
        url: &SecretUrl,
        key_prefix: &str,
        ttl: Duration,
        table: Arc<SessionTable>,
    ) -> Result<Self, String> {
        let shown = redact::url(url.expose());
        let (client, connection) = open(url, "session store").await?;
        tracing::info!(url = %shown, key_prefix, "sessions are kept in Redis");
        Ok(RedisStore {
            connection,
            client,
            key_prefix: key_prefix.to_owned(),
            prefix: record_key_prefix(key_prefix),
            ttl: ttl.max(Duration::from_secs(1)),
            table,
        })
    }

    fn key(&self, session_id: &str) -> String {
        format!("{}{session_id}", self.prefix)
    }

    /// The connection, for the cluster's commands (`redis_bus.rs`).
    pub(crate) fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    async fn record(&self, session_id: &str) -> Result<Option<Record>, SessionStoreError> {
        let data = self.connection.clone().get(self.key(session_id)).await;
        metrics::redis("GET", &data);
        let data: Option<Vec<u8>> = data?;
        // A record in another shape (an older server's) is no session: its owner is unknown.
        Ok(data.and_then(|data| serde_json::from_slice(&data).ok()))
    }
}

/// A connection manager to `url`, tried once with a `PING` so a bad URL, an unreachable server or refused
/// credentials fail at start-up. Errors name `what` and the URL without its password.
pub(crate) async fn open(
    url: &SecretUrl,
    what: &str,
) -> Result<(redis::Client, ConnectionManager), String> {
    let shown = redact::url(url.expose());
    let client =
        redis::Client::open(url.expose()).map_err(|e| format!("bad {what} URL {shown:?}: {e}"))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(IO_TIMEOUT))
        .set_response_timeout(Some(IO_TIMEOUT))
        // A few quick tries per reconnection: a request waits for them, so they stay short.
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500));
    let mut connection = ConnectionManager::new_with_config(client.clone(), config)
        .await
        .map_err(|e| format!("cannot reach the {what} at {shown}: {e}"))?;
    let _: () = redis::cmd("PING")
        .query_async(&mut connection)
        .await
        .map_err(|e| format!("cannot use the {what} at {shown}: {e}"))?;
    Ok((client, connection))
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Where the records of the servers under `key_prefix` are: `<prefix>session:`.
pub(crate) fn record_key_prefix(key_prefix: &str) -> String {
    format!("{key_prefix}session:")
}

/// What a record holds: rmcp's state and who owns the session (`None`: auth is off).
#[derive(Serialize, Deserialize)]
struct Record {
    owner: Option<String>,
    state: SessionState,
}

impl Record {
    /// The record of a session this instance holds, with its owner from `table`.
    fn new(table: &SessionTable, session_id: &str, state: &SessionState) -> Self {
        Record {
            owner: table.owner(session_id).flatten().map(Principal::to_hex),
            state: state.clone(),
        }
    }

    /// The owner it names; a malformed one matches nobody.
    fn owner(self) -> Option<Principal> {
        self.owner
            .map(|hex| Principal::from_hex(&hex).ok_or(()))
            .transpose()
            .unwrap_or(Some(Principal::unmatchable()))
    }
}

/// How often a live session's record gets a new lifetime: a few times per idle timeout.
fn refresh_interval(idle_timeout: Duration) -> Duration {
    idle_timeout / 4
}

#[async_trait::async_trait]
impl SharedStore for RedisStore {
    async fn owner(
        &self,
        session_id: &str,
    ) -> Result<Option<Option<Principal>>, SessionStoreError> {
        Ok(self.record(session_id).await?.map(Record::owner))
    }

    fn keep_alive(&self, table: &SessionTable, session_id: &str) {
        if !table.refresh_due(session_id, refresh_interval(self.ttl)) {
            return;
        }
        let (mut connection, key) = (self.connection.clone(), self.key(session_id));
        let ttl = self.ttl.as_secs() as i64;
        tokio::spawn(async move {
            // The session's subscriptions (`redis_bus.rs`) live as long as its record.
            let refreshed: Result<(), _> = redis::pipe()
                .expire(&key, ttl)
                .ignore()
                .expire(subscriptions_key(&key), ttl)
                .ignore()
                .query_async(&mut connection)
                .await;
            metrics::redis("EXPIRE", &refreshed);
            if let Err(error) = refreshed {
                tracing::warn!(%error, "cannot refresh a session record");
            }
        });
    }

    async fn ping(&self) -> Result<(), SessionStoreError> {
        let pong: Result<(), _> = redis::cmd("PING")
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("PING", &pong);
        Ok(pong?)
    }

    fn events(&self, max_len: usize) -> Option<Arc<dyn SessionEvents>> {
        Some(Arc::new(RedisEvents::new(
            self.client.clone(),
            self.connection.clone(),
            &self.key_prefix,
            self.ttl,
            max_len,
        )))
    }
}

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        Ok(self.record(session_id).await?.map(|record| record.state))
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let data = serde_json::to_vec(&Record::new(&self.table, session_id, state))?;
        let stored: Result<(), _> = self
            .connection
            .clone()
            .set_ex(self.key(session_id), data, self.ttl.as_secs())
            .await;
        metrics::redis("SET", &stored);
        Ok(stored?)
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        let key = self.key(session_id);
        let deleted: Result<(), _> = self
            .connection
            .clone()
            .del(&[subscriptions_key(&key), key])
            .await;
        metrics::redis("DEL", &deleted);
        Ok(deleted?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::process::{Child, Command, Stdio};

    use axum::body::Body;
    use http::StatusCode;

    use super::*;
    use crate::testing::http::{LIMITS, PING, app, mcp, options, post, send, session};

    /// A `redis-server` (the Debian package) on a loopback port the OS picked, stopped when dropped.
    pub(crate) struct RedisServer {
        child: Option<Child>,
        port: u16,
        args: Vec<String>,
    }

    impl RedisServer {
        pub(crate) fn start(args: &[&str]) -> Self {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut server = RedisServer {
                child: None,
                port,
                args: args.iter().map(|a| a.to_string()).collect(),
            };
            server.restart();
            server
        }

        /// Starts it again on the same port, with the same arguments (and no data: nothing is saved).
        pub(crate) fn restart(&mut self) {
            assert!(self.child.is_none(), "already running");
            let child = Command::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .args(&self.args)
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server is installed (Debian package redis-server)");
            self.child = Some(child);
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                assert!(
                    std::time::Instant::now() < deadline,
                    "redis-server did not start"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        pub(crate) fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        pub(crate) fn url(&self, userinfo: &str) -> String {
            format!("redis://{userinfo}127.0.0.1:{}", self.port)
        }

        /// A connection of the test's own, to look at what the store wrote.
        pub(crate) async fn connection(&self, userinfo: &str) -> redis::aio::MultiplexedConnection {
            redis::Client::open(self.url(userinfo))
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap()
        }
    }

    impl Drop for RedisServer {
        fn drop(&mut self) {
            self.stop();
        }
    }

    pub(crate) fn with_store(redis_url: String, idle: Duration) -> crate::http::HttpOptions {
        let mut options = options(&["alice", "bob"], LIMITS);
        if let Some(http) = options.streamable.as_mut() {
            http.redis_url = Some(SecretUrl::new(redis_url));
            http.redis_key_prefix = "mcp:test-server:".into();
            http.session_idle_timeout = idle;
        }
        options
    }

    /// The record in Redis, under the server's prefix, names the session's owner and lives as long as the idle
    /// timeout, refreshed while the session is used; on another instance, another principal is refused the
    /// session (POST, resumed GET, DELETE) and its owner carries on.
    #[tokio::test]
    async fn stored_sessions_keep_their_owner_and_idle_lifetime() {
        let redis = RedisServer::start(&[]);
        let options = with_store(redis.url(""), Duration::from_secs(4));
        let (first, second) = (app(&options).await, app(&options).await);
        let alice = session(&first, "alice").await;
        let key = format!("mcp:test-server:session:{alice}");
        let mut look = redis.connection("").await;
        let record: String = look.get(&key).await.unwrap();
        let record: serde_json::Value = serde_json::from_str(&record).unwrap();
        assert_eq!(record["owner"].as_str().map(str::len), Some(64), "{record}");
        assert!(
            !record.to_string().contains("alice"),
            "the record holds the token: {record}"
        );
        let ttl: i64 = look.pttl(&key).await.unwrap();
        assert!((1..=4000).contains(&ttl), "{ttl}");

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
        assert!(look.exists::<_, bool>(&key).await.unwrap());
        let (status, _, body) = post(&second, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Used after a quarter of the idle timeout, the record gets a new lifetime.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let before: i64 = look.pttl(&key).await.unwrap();
        assert!(before <= 2900, "{before}");
        assert_eq!(
            post(&first, "alice", Some(&alice), PING).await.0,
            StatusCode::OK
        );
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let after: i64 = look.pttl(&key).await.unwrap();
            if after > before {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "never refreshed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// An ACL user whose name and password hold URL-reserved characters logs in with them percent-encoded in
    /// the URL; a wrong password fails at start-up with an error that shows neither password.
    #[tokio::test]
    async fn acl_credentials_come_percent_decoded_from_the_url() {
        let redis = RedisServer::start(&["--user", "app@x", "on", ">p@ss:w/rd%", "~*", "+@all"]);
        let table = || Arc::new(SessionTable::new(LIMITS));
        let url = SecretUrl::new(redis.url("app%40x:p%40ss%3Aw%2Frd%25@"));
        let store = RedisStore::connect(&url, "mcp:s:", Duration::from_secs(60), table())
            .await
            .unwrap();
        assert_eq!(store.owner("none").await.unwrap(), None);

        let url = SecretUrl::new(redis.url("app%40x:hunter2@"));
        let error = RedisStore::connect(&url, "mcp:s:", Duration::from_secs(60), table())
            .await
            .unwrap_err();
        assert!(!error.contains("hunter2"), "{error}");
        assert!(error.contains("***@127.0.0.1"), "{error}");
        for bad in ["redis://app:hunter2@cache/x", "redis://:hunter2@/0"] {
            let url = SecretUrl::new(bad.into());
            let error = RedisStore::connect(&url, "mcp:s:", Duration::from_secs(60), table())
                .await
                .unwrap_err();
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains("***@"), "{error}");
        }
    }

    /// Redis stopping takes nothing down: a session this instance holds is served and a new one starts, a
    /// session only the store knows gets a clear 503, and once Redis is back the store reconnects by itself.
    #[tokio::test]
    async fn a_redis_outage_fails_only_the_requests_that_need_it() {
        let mut redis = RedisServer::start(&[]);
        let options = with_store(redis.url(""), Duration::from_secs(60));
        let (first, second) = (app(&options).await, app(&options).await);
        let alice = session(&first, "alice").await;

        redis.stop();
        let (status, _, body) = post(&first, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let bob = session(&first, "bob").await;
        let (status, _, body) = post(&second, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("session store"), "{body}");

        redis.restart();
        // The records went with the old Redis (nothing is saved); once the manager has reconnected, a session
        // started on the first instance is stored again and moves to the second.
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let moved = session(&first, "alice").await;
            let (status, _, body) = post(&second, "alice", Some(&moved), PING).await;
            if status == StatusCode::OK {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "never recovered: {status} {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let (status, _, _) = post(&first, "bob", Some(&bob), PING).await;
        assert_eq!(status, StatusCode::OK);
    }

    /// `/readyz` is 503 while Redis is stopped and 200 again once it is back, without a restart; `/healthz`
    /// answers 200 throughout.
    #[tokio::test]
    async fn readiness_follows_redis_and_liveness_stays_up() {
        let probe = |app: axum::Router, path: &'static str| async move {
            let request = http::Request::get(path)
                .header("host", "127.0.0.1")
                .body(Body::empty())
                .unwrap();
            send(&app, request).await
        };
        let mut redis = RedisServer::start(&[]);
        let app = app(&with_store(redis.url(""), Duration::from_secs(60))).await;
        assert_eq!(probe(app.clone(), "/readyz").await.0, StatusCode::OK);

        redis.stop();
        let (status, _, body) = probe(app.clone(), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("session store"), "{body}");
        assert_eq!(probe(app.clone(), "/healthz").await.0, StatusCode::OK);

        redis.restart();
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while probe(app.clone(), "/readyz").await.0 != StatusCode::OK {
            assert!(std::time::Instant::now() < deadline, "never ready again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(probe(app.clone(), "/healthz").await.0, StatusCode::OK);
    }
}
