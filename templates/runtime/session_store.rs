//! Stateful sessions shared across instances: rmcp's `SessionStore` on Redis. rmcp records the client's
//! `initialize` parameters after the handshake; an instance that gets a request for a session it does
//! not hold loads them and replays the handshake, so the session carries on there.
//!
//! Speaks just enough of the Redis protocol (RESP2: AUTH, SELECT, SET EX, GET, DEL) over one
//! connection, to stay free of a Redis client dependency.

use std::time::Duration;

use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufStream};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// How long a session record outlives its last write; a crashed instance's sessions expire too.
const RECORD_TTL: Duration = Duration::from_secs(24 * 60 * 60);
const IO_TIMEOUT: Duration = Duration::from_secs(5);
const KEY_PREFIX: &str = "mcp:session:";

/// Where the Redis server is and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RedisUrl {
    address: String,
    username: Option<String>,
    password: Option<String>,
    db: u32,
}

impl RedisUrl {
    /// `redis://[[user]:password@]host[:port][/db]`.
    fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| format!("not a redis:// URL: {url:?}"))?;
        let (authority, db) = match rest.split_once('/') {
            Some((authority, db)) if !db.is_empty() => (
                authority,
                db.parse()
                    .map_err(|_| format!("bad database number in {url:?}"))?,
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
            return Err(format!("no host in {url:?}"));
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
}

impl RedisStore {
    /// Connects once to fail at start-up, not at the first session, when Redis is unreachable.
    pub(crate) async fn connect(url: &str) -> Result<Self, String> {
        let store = RedisStore {
            url: RedisUrl::parse(url)?,
            connection: Mutex::default(),
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

#[async_trait::async_trait]
impl SessionStore for RedisStore {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        match self.command(&[b"GET", &key(session_id)]).await? {
            Reply::Bulk(Some(data)) => Ok(Some(serde_json::from_slice(&data)?)),
            _ => Ok(None),
        }
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let data = serde_json::to_vec(state)?;
        let ttl = RECORD_TTL.as_secs().to_string();
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
    use super::*;

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
}
