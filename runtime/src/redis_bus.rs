//! The cluster's bus and shared subscriptions on Redis (`cluster.rs` is the instance's side).
//!
//! Events go through Redis pub/sub on `<prefix>bus`, heard on a dedicated connection that is opened again
//! whenever it breaks (pub/sub delivers to whoever listens at the time: an event published while an instance
//! is cut off from Redis does not reach it). A session's subscriptions are a set of URIs at
//! `<prefix>session:<id>:subscriptions`, beside the session's record, given the same lifetime and refreshed
//! with it (`redis_store.rs`), so they outlive the instance that took them and end with the session.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use redis::AsyncCommands as _;
use redis::aio::ConnectionManager;

use super::cluster::{Bus, Cluster, Event};
use super::error::BoxError;
use super::metrics;
use super::redact::{self, SecretUrl};
use super::redis_store::record_key_prefix;

/// The longest a command, or connecting, may take before it fails.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the listener waits before it listens again after losing Redis.
const RELISTEN_DELAY: Duration = Duration::from_millis(250);

/// Events waiting to be delivered on this instance; more are dropped (with a warning) rather than queued.
const BACKLOG: usize = 1024;

/// The key of the set of URIs a session subscribed to, beside its record.
pub(crate) fn subscriptions_key(record_key: &str) -> String {
    format!("{record_key}:subscriptions")
}

/// Redis as the cluster's bus.
pub(crate) struct RedisBus {
    connection: ConnectionManager,
    channel: String,
    /// `<prefix>session:`.
    records: String,
    /// A subscription set's lifetime from its last refresh: the session idle timeout.
    ttl: Duration,
}

impl RedisBus {
    fn key(&self, session: &str) -> String {
        subscriptions_key(&format!("{}{session}", self.records))
    }
}

/// Joins the cluster of the servers that share `url` under `key_prefix`: commands go through the session
/// store's `connection`, and a connection of its own listens.
pub(crate) async fn join(
    url: &SecretUrl,
    connection: ConnectionManager,
    key_prefix: &str,
    ttl: Duration,
) -> Result<Arc<Cluster>, String> {
    let shown = redact::url(url.expose());
    let client = redis::Client::open(url.expose())
        .map_err(|e| format!("bad session store URL {shown:?}: {e}"))?;
    let channel = format!("{key_prefix}bus");
    let (events, receiver) = tokio::sync::mpsc::channel(BACKLOG);
    // Listening before joining: an event published once `join` returns reaches this instance.
    let pubsub = listen(&client, &channel)
        .await
        .map_err(|e| {
            format!(
                "cannot listen on the session store's channel {channel:?} at {shown}: {e} (an ACL user needs \
                 the channels `&{key_prefix}*` as well as the keys `~{key_prefix}*`)"
            )
        })?;
    tokio::spawn(relay(client, channel.clone(), Some(pubsub), events));
    let bus = RedisBus {
        connection,
        channel,
        records: record_key_prefix(key_prefix),
        ttl: ttl.max(Duration::from_secs(1)),
    };
    Ok(Cluster::new(Arc::new(bus), receiver))
}

async fn listen(client: &redis::Client, channel: &str) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = tokio::time::timeout(IO_TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Hands every event heard on `channel` to the cluster, listening again whenever the connection breaks,
/// until the cluster is gone.
async fn relay(
    client: redis::Client,
    channel: String,
    mut pubsub: Option<redis::aio::PubSub>,
    events: tokio::sync::mpsc::Sender<Event>,
) {
    loop {
        if let Some(connected) = pubsub.take() {
            let mut messages = connected.into_on_message();
            while let Some(message) = messages.next().await {
                let event = message
                    .get_payload::<Vec<u8>>()
                    .ok()
                    .and_then(|payload| serde_json::from_slice::<Event>(&payload).ok());
                let Some(event) = event else {
                    tracing::warn!(channel, "a malformed event on the bus");
                    continue;
                };
                match events.try_send(event) {
                    Ok(()) => {}
                    Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!("too many events waiting for delivery: one dropped");
                    }
                    Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
            tracing::warn!("lost the session store's event channel; listening again");
        }
        if events.is_closed() {
            return;
        }
        tokio::time::sleep(RELISTEN_DELAY).await;
        match listen(&client, &channel).await {
            Ok(connected) => {
                tracing::info!("listening on the session store's event channel again");
                pubsub = Some(connected);
            }
            Err(error) => tracing::debug!(%error, "cannot listen on the session store yet"),
        }
    }
}

#[async_trait::async_trait]
impl Bus for RedisBus {
    async fn publish(&self, event: &Event) -> Result<usize, BoxError> {
        let payload = serde_json::to_vec(event)?;
        let heard: redis::RedisResult<usize> = self
            .connection
            .clone()
            .publish(&self.channel, payload)
            .await;
        metrics::redis("PUBLISH", &heard);
        Ok(heard?)
    }

    async fn subscribe(&self, session: &str, uri: &str, max: usize) -> Result<bool, BoxError> {
        let key = self.key(session);
        let done: redis::RedisResult<(usize, usize)> = redis::pipe()
            .sadd(&key, uri)
            .scard(&key)
            .expire(&key, self.ttl.as_secs() as i64)
            .ignore()
            .query_async(&mut self.connection.clone())
            .await;
        metrics::redis("SADD", &done);
        let (added, count) = done?;
        if added == 1 && count > max {
            self.unsubscribe(session, uri).await?;
            return Ok(false);
        }
        Ok(true)
    }

    async fn unsubscribe(&self, session: &str, uri: &str) -> Result<(), BoxError> {
        let done: redis::RedisResult<()> =
            self.connection.clone().srem(self.key(session), uri).await;
        metrics::redis("SREM", &done);
        Ok(done?)
    }

    async fn subscribed(&self, sessions: &[String], uri: &str) -> Result<Vec<bool>, BoxError> {
        let mut pipe = redis::pipe();
        for session in sessions {
            pipe.sismember(self.key(session), uri);
        }
        let found: redis::RedisResult<Vec<bool>> =
            pipe.query_async(&mut self.connection.clone()).await;
        metrics::redis("SISMEMBER", &found);
        Ok(found?)
    }
}

#[cfg(test)]
mod tests {

    use axum::Router;
    use axum::body::Body;
    use http::StatusCode;
    use tower::ServiceExt as _;

    use super::*;
    use crate::context::Subscriptions;
    use crate::redis_store::tests::{RedisServer, with_store};
    use crate::testing::http::{INITIALIZED, app_with, mcp, open, post, read, request_2026};

    const UPDATED: &str = "notifications/resources/updated";

    /// Three instances sharing one Redis, with the subscriptions each one's sessions share.
    async fn cluster(redis: &RedisServer) -> [(Router, Arc<Subscriptions>); 3] {
        let options = with_store(redis.url(""), Duration::from_secs(60));
        let instance = async || {
            let subscriptions = Arc::new(Subscriptions::default());
            (
                app_with(&options, subscriptions.clone()).await,
                subscriptions,
            )
        };
        [instance().await, instance().await, instance().await]
    }

    /// A session of alice's started on `app`, whose client can answer elicitations.
    async fn session(app: &Router) -> String {
        let initialize = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"clientInfo":{"name":"test","version":"0"}}}"#;
        let (status, session, body) = post(app, "alice", None, initialize).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = session.expect("a session id");
        assert_eq!(
            post(app, "alice", Some(&session), INITIALIZED).await.0,
            StatusCode::ACCEPTED
        );
        session
    }

    /// A subscription made through the first instance, the client's event stream held by the third, the
    /// update raised on the second: the client hears it once. Once it unsubscribes (through the second),
    /// it hears no more.
    #[tokio::test]
    async fn redis_bus_delivers_a_resource_update_once_wherever_the_stream_is() {
        let redis = RedisServer::start(&[]);
        let [(a, _), (b, raised), (c, _)] = &cluster(&redis).await;
        let id = session(a).await;
        let subscribe = r#"{"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"test://readme"}}"#;
        let (status, _, body) = post(a, "alice", Some(&id), subscribe).await;
        assert!(
            status == StatusCode::OK && body.contains(r#""result""#),
            "{body}"
        );
        // The session also lives on the second instance, which must not notify it a second time.
        let (status, _, _) = post(b, "alice", Some(&id), crate::testing::http::PING).await;
        assert_eq!(status, StatusCode::OK);
        let mut stream = open(
            c,
            mcp("GET", "alice", Some(&id)).body(Body::empty()).unwrap(),
        )
        .await;

        assert_eq!(raised.notify_updated("test://readme").await, 3);
        let mut text = String::new();
        let heard = read(&mut stream, &mut text, UPDATED, 1, Duration::from_secs(5)).await;
        assert_eq!(heard, 1, "no update on the stream: {text}");
        assert!(text.contains("test://readme"), "{text}");
        // Nothing more: not a second copy.
        let heard = read(&mut stream, &mut text, UPDATED, 2, Duration::from_secs(1)).await;
        assert_eq!(heard, 1, "{text}");

        let unsubscribe = r#"{"jsonrpc":"2.0","id":2,"method":"resources/unsubscribe","params":{"uri":"test://readme"}}"#;
        let (status, _, body) = post(b, "alice", Some(&id), unsubscribe).await;
        assert!(
            status == StatusCode::OK && body.contains(r#""result""#),
            "{body}"
        );
        raised.notify_updated("test://readme").await;
        let heard = read(&mut stream, &mut text, UPDATED, 2, Duration::from_secs(1)).await;
        assert_eq!(heard, 1, "{text}");
    }

    /// A 2026-07-28 `subscriptions/listen` stream, which no session carries, held by the third instance hears
    /// an update raised on the second, once.
    #[tokio::test]
    async fn redis_bus_brings_a_resource_update_to_a_listen_stream_on_another_instance() {
        let redis = RedisServer::start(&[]);
        let [_, (_, raised), (c, held)] = &cluster(&redis).await;
        let params =
            serde_json::json!({"notifications": {"resourceSubscriptions": ["test://readme"]}});
        let listen = "subscriptions/listen";
        let capabilities = serde_json::json!({});
        let request = request_2026(mcp("POST", "alice", None), listen, "", params, capabilities);
        let mut stream = open(c, request).await;
        let mut text = String::new();
        let acknowledged = "notifications/subscriptions/acknowledged";
        let heard = read(
            &mut stream,
            &mut text,
            acknowledged,
            1,
            Duration::from_secs(5),
        );
        assert_eq!(heard.await, 1, "{text}");
        assert_eq!(held.len(), 1);

        raised.notify_updated("test://readme").await;
        let heard = read(&mut stream, &mut text, UPDATED, 1, Duration::from_secs(5)).await;
        assert_eq!(heard, 1, "no update on the stream: {text}");
        let heard = read(&mut stream, &mut text, UPDATED, 2, Duration::from_secs(1)).await;
        assert_eq!(heard, 1, "{text}");
    }

    /// A tool on the second instance asks the client (elicitation) on its POST's event stream; the
    /// client's answer is POSTed to the first instance and reaches the waiting tool, which finishes with it.
    #[tokio::test]
    async fn redis_bus_brings_an_answer_to_the_instance_that_asked() {
        let redis = RedisServer::start(&[]);
        let [(a, _), (b, _), _] = &cluster(&redis).await;
        let id = session(a).await;
        let call = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ask"}}"#;
        let request = mcp("POST", "alice", Some(&id))
            .body(Body::from(call))
            .unwrap();
        let mut stream = open(b, request).await;
        let mut text = String::new();
        let asked = read(
            &mut stream,
            &mut text,
            "elicitation/create",
            1,
            Duration::from_secs(5),
        );
        assert_eq!(asked.await, 1, "{text}");
        let request: serde_json::Value = text
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .find_map(|data| serde_json::from_str(data.trim()).ok())
            .expect("the elicitation request");
        let answer = serde_json::json!({
            "jsonrpc": "2.0",
            "id": request["id"],
            "result": {"action": "accept", "content": {"name": "Ada"}},
        });
        let (status, _, body) = post(a, "alice", Some(&id), &answer.to_string()).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let done = read(&mut stream, &mut text, "hello", 1, Duration::from_secs(10)).await;
        assert_eq!(done, 1, "the tool never got the answer: {text}");
        assert!(text.contains(r#"hello \"Ada\""#), "{text}");
    }

    /// A client resuming, with `Last-Event-ID`, the stream of a POST another instance served (one that died
    /// mid-call) gets an error it can act on, not an empty stream that has it resume forever.
    #[tokio::test]
    async fn redis_bus_refuses_to_resume_a_stream_served_elsewhere() {
        let redis = RedisServer::start(&[]);
        let [(a, _), (b, _), _] = &cluster(&redis).await;
        let id = session(a).await;
        let resume = mcp("GET", "alice", Some(&id))
            .header("last-event-id", "0/41")
            .body(Body::empty())
            .unwrap();
        let response = b.clone().oneshot(resume).await.unwrap();
        assert_eq!(response.status(), StatusCode::GONE);
    }
}
