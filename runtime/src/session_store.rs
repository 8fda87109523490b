//! Stateful sessions shared across instances: rmcp's `SessionStore`. rmcp records the client's `initialize`
//! parameters after the handshake; an instance that gets a request for a session it does not hold loads them
//! and replays the handshake, so the session carries on there. The store itself is Redis (`redis_store.rs`).
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
use futures::StreamExt as _;
use futures::future::BoxFuture;
use rmcp::model::{ClientJsonRpcMessage, JsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::local::{
    LocalSessionHandle, LocalSessionManager, LocalSessionManagerError, SessionError,
};
use rmcp::transport::streamable_http_server::session::{
    EventStore, EventStoreError, EventStream, RestoreOutcome, ServerSseMessage, SessionId,
    SessionManager, SessionStore, SessionStoreError,
};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::cluster::{self, Cluster, Workers};
use super::handler::Handler;
use super::owned_sessions::OwnedSessions;
use super::principal::Principal;
use super::sessions::SessionTable;

/// Requests for a session being restored wait at most this long, then go ahead unguarded.
const RESTORE_WAIT: Duration = Duration::from_secs(30);

/// The streamable HTTP route with sessions shared through `store`, and their event streams too when the
/// store keeps them (`SharedStore::events`).
/// With a `cluster`, what an instance raises for a session reaches it wherever its streams are (`cluster.rs`).
// The parts of the route, each from elsewhere (`http.rs`); a struct would only rename them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn mount(
    server: Handler,
    mut sessions: LocalSessionManager,
    table: Arc<SessionTable>,
    store: Arc<dyn SharedStore>,
    cluster: Option<Arc<Cluster>>,
    mut config: StreamableHttpServerConfig,
    path: &str,
    max_stream_events: usize,
) -> Router {
    let events = store.events(max_stream_events);
    if let Some(events) = &events {
        sessions = sessions.with_event_store(events.clone());
    }
    config.session_store = Some(store);
    let sessions = Arc::new(OwnedSessions {
        inner: RestoringSessions {
            inner: sessions,
            gates: Gates::default(),
            cluster: cluster.clone(),
            events,
        },
        table,
    });
    if let Some(cluster) = cluster {
        let workers: Arc<dyn Workers> = sessions.clone();
        cluster.attach(Arc::downgrade(&workers));
    }
    let service = StreamableHttpService::new(move || Ok(server.new_session()), sessions, config);
    Router::new()
        .route_service(path, service)
        .layer(middleware::from_fn(hold_restore_gates))
        .layer(middleware::from_fn(cluster::refuse_failed_resumes))
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

/// rmcp's in-memory sessions, restored from the store one request at a time; their event streams in the
/// shared event store, if any.
pub(crate) struct RestoringSessions {
    inner: LocalSessionManager,
    gates: Gates,
    events: Option<Arc<dyn SessionEvents>>,
    cluster: Option<Arc<Cluster>>,
}

impl Workers for OwnedSessions<RestoringSessions> {
    fn worker<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Option<LocalSessionHandle>> {
        Box::pin(async move { self.inner.inner.sessions.read().await.get(id).cloned() })
    }
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
        let request = match &message {
            JsonRpcMessage::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        let mut stream = self.inner.create_stream(id, message).await?;
        let Some(events) = &self.events else {
            return Ok(stream.right_stream());
        };
        // The stream's first event (rmcp's priming event, already recorded and queued: the runtime keeps
        // rmcp's default `sse_retry`) binds the stream to the session before the client can learn its id.
        let first = stream.next().await;
        if let Some(event_id) = first.as_ref().and_then(|event| event.event_id.as_deref()) {
            events.bind(id, event_id, request.as_ref()).await;
        }
        Ok(futures::stream::iter(first).chain(stream).left_stream())
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        if let Some(cluster) = &self.cluster {
            cluster.received(id, &message);
        }
        self.inner.accept_message(id, message).await
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        let stream = self.inner.create_standalone_stream(id).await?;
        Ok(cluster::track(self.cluster.as_ref(), id, stream))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        // An event id without a `/<request>` part resumes the standalone stream.
        let standalone = !last_event_id.contains('/');
        let stream = match &self.events {
            None => self
                .inner
                .resume(id, last_event_id)
                .await
                .inspect_err(|_| cluster::resume_failed())?
                .right_stream(),
            Some(events) => events
                .resume(id, &last_event_id)
                .await
                .map_err(|error| {
                    cluster::resume_failed();
                    LocalSessionManagerError::SessionError(SessionError::EventStore(error))
                })?
                .left_stream(),
        };
        Ok(cluster::track(
            self.cluster.as_ref().filter(|_| standalone),
            id,
            stream,
        ))
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

/// A shared store that also knows who owns each session and keeps a live session's record from expiring
/// (`redis_store.rs`; tests use one in memory).
#[async_trait::async_trait]
pub(crate) trait SharedStore: SessionStore {
    /// The owner of a stored session: `None` when there is no record.
    async fn owner(&self, session_id: &str)
    -> Result<Option<Option<Principal>>, SessionStoreError>;

    /// Gives a live session's record a new lifetime, a few times per idle timeout, without making the
    /// request wait for it.
    fn keep_alive(&self, table: &SessionTable, session_id: &str);

    /// One round trip, for readiness: `Err` while the store cannot serve.
    async fn ping(&self) -> Result<(), SessionStoreError>;

    /// The store of the sessions' event streams, each capped at `max_len` events; `None`: streams stay
    /// in the process (rmcp's cache), and a resume works only on the instance that sent them.
    fn events(&self, max_len: usize) -> Option<Arc<dyn SessionEvents>> {
        let _ = max_len;
        None
    }
}

/// An event store whose streams belong to sessions (`redis_events.rs`): a resume names its session, and is
/// refused a stream of another.
#[async_trait::async_trait]
pub(crate) trait SessionEvents: EventStore {
    /// Records that the stream of `event_id` (its first event) belongs to `session`, and that this instance
    /// runs its `request`.
    async fn bind(
        &self,
        session: &SessionId,
        event_id: &str,
        request: Option<&rmcp::model::RequestId>,
    );

    /// The events after `last_event_id` and those appended later, if it is an event of `session`'s.
    async fn resume(
        &self,
        session: &SessionId,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError>;
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{HeaderValue, StatusCode};
    use tower::ServiceExt as _;

    use super::*;
    use rmcp::transport::streamable_http_server::session::SessionState;

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

    #[async_trait::async_trait]
    impl SharedStore for MemoryStore {
        async fn owner(&self, _: &str) -> Result<Option<Option<Principal>>, SessionStoreError> {
            Ok(None)
        }

        fn keep_alive(&self, _: &SessionTable, _: &str) {}

        async fn ping(&self) -> Result<(), SessionStoreError> {
            Ok(())
        }
    }

    fn instance(store: &Arc<MemoryStore>) -> Router {
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(true)
            .disable_allowed_hosts();
        let handler = crate::testing::handler::<crate::testing::TestApp>(Arc::default());
        mount(
            handler,
            LocalSessionManager::default(),
            Arc::new(SessionTable::new(crate::sessions::SessionLimits {
                max: 1000,
                max_per_principal: 1000,
                max_record_bytes: 1 << 16,
            })),
            store.clone(),
            None,
            config,
            "/mcp",
            1000,
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
}
