//! The legacy HTTP+SSE transport (MCP 2024-11-05), built on rmcp's `Transport` trait over channels:
//! `GET path` opens an event stream whose first event, `endpoint`, names the URL to POST messages to
//! (`messagePath?sessionId=ID`, relative so it works behind proxies); every message the server sends
//! is a `message` event on that stream; each POST carries one JSON-RPC message and is answered 202.
//! A session lives as long as its event stream, belongs to the principal that opened it (a POST from
//! another gets the 404 of an unknown session) and counts toward the caps in `sessions.rs`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::{Stream, StreamExt as _};
use rmcp::RoleServer;
use rmcp::ServiceExt as _;
use rmcp::model::{ClientJsonRpcMessage, GetExtensions as _, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::handler::Handler;
use super::http::SseOptions;
use super::principal::Principal;
use super::sessions::{Peek, SessionTable, record_too_large};

/// Comment lines that keep proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Messages buffered per direction before the sender waits.
const CHANNEL_CAPACITY: usize = 64;

type Sessions = Arc<Mutex<HashMap<String, mpsc::Sender<ClientJsonRpcMessage>>>>;

#[derive(Clone)]
struct SseState {
    server: Handler,
    sessions: Sessions,
    /// Owners and caps, shared with streamable HTTP.
    table: Arc<SessionTable>,
    auth: Auth,
    message_path: String,
    /// Ends every event stream at shutdown.
    cancel: CancellationToken,
}

/// `GET path` and `POST messagePath`.
pub(crate) fn routes(
    server: Handler,
    options: &SseOptions,
    body_limit: usize,
    table: Arc<SessionTable>,
    auth: Auth,
    cancel: CancellationToken,
) -> Router {
    let state = SseState {
        server,
        sessions: Sessions::default(),
        table,
        auth,
        message_path: options.message_path.clone(),
        cancel,
    };
    // The OPTIONS routes let CORS preflights reach the CORS layer in front (`http.rs`, `protect`).
    let preflight = || async { StatusCode::NO_CONTENT };
    Router::new()
        .route(&options.path, get(open_stream).options(preflight))
        .route(
            &options.message_path,
            post(post_message)
                .options(preflight)
                // The `Bytes` extractor answers 413 past the limit, also for chunked bodies.
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
}

/// Opens a session, unless a cap is reached: starts a server on channels and streams what it sends.
async fn open_stream(State(state): State<SseState>, request: Request) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let owner = Principal::of(&state.auth, request.headers(), request.extensions());
    if let Err(refusal) = state.table.open(&id, owner) {
        return refusal.response(&state.table.limits, None);
    }
    let (to_server, from_client) = mpsc::channel(CHANNEL_CAPACITY);
    let (to_client, from_server) = mpsc::channel(CHANNEL_CAPACITY);
    state
        .sessions
        .lock()
        .expect("session map poisoned")
        .insert(id.clone(), to_server);

    let server = state.server.new_session();
    let tools = server.spec().tools;
    let session = id.clone();
    tokio::spawn(async move {
        let transport = ChannelTransport {
            incoming: from_client,
            outgoing: to_client,
        };
        match server.serve(transport).await {
            Ok(running) => {
                let reason = running.waiting().await;
                tracing::debug!(session, ?reason, "SSE session ended");
            }
            Err(error) => tracing::debug!(session, %error, "SSE session did not initialize"),
        }
    });
    tracing::debug!(session = id, "SSE session opened");

    let endpoint = format!("{}?sessionId={id}", state.message_path);
    let guard = SessionGuard {
        sessions: state.sessions.clone(),
        table: state.table.clone(),
        id,
    };
    let messages = futures::stream::unfold(
        (from_server, guard),
        |(mut from_server, guard)| async move {
            let message = from_server.recv().await?;
            Some((message, (from_server, guard)))
        },
    )
    .map(|message| {
        // Each tool's `execution`, which rmcp's `Tool` cannot carry (`tasks/wire.rs`); SSE serves no tasks.
        let message = crate::tasks::wire::patch_outgoing(message, false, tools);
        let event = Event::default().event("message");
        Ok::<_, Infallible>(match serde_json::to_string(&message) {
            Ok(json) => event.data(json),
            Err(error) => event.comment(format!("unserialisable message: {error}")),
        })
    });
    let stream = futures::stream::once(async move {
        Ok::<_, Infallible>(Event::default().event("endpoint").data(endpoint))
    })
    .chain(messages)
    .take_until(state.cancel.cancelled_owned());
    sse_response(stream)
}

fn sse_response(
    stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Response {
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Stops nginx from buffering the stream.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}

/// Forgets the session when its stream is dropped (client gone, or shutdown): the server's incoming
/// channel closes and its task ends.
struct SessionGuard {
    sessions: Sessions,
    table: Arc<SessionTable>,
    id: String,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.remove(&self.id);
        }
        self.table.close(&self.id);
        tracing::debug!(session = self.id, "SSE stream closed");
    }
}

/// One JSON-RPC message for a session: 202, or 404 for an unknown session or one another principal owns.
async fn post_message(State(state): State<SseState>, parts: Parts, body: Bytes) -> Response {
    let Some(id) = session_id(parts.uri.query()) else {
        return (StatusCode::BAD_REQUEST, "missing sessionId").into_response();
    };
    let caller = Principal::of(&state.auth, &parts.headers, &parts.extensions);
    let sender = state
        .sessions
        .lock()
        .expect("session map poisoned")
        .get(&id)
        .cloned()
        .filter(|_| state.table.owned_by(&id, caller) == Some(true));
    let Some(sender) = sender else {
        return (StatusCode::NOT_FOUND, "Session not found").into_response();
    };
    // The initialize request is what the session keeps for its lifetime.
    if body.len() > state.table.limits.max_record_bytes
        && let Some(peek) = Peek::of(&body).filter(Peek::is_initialize)
    {
        return record_too_large(&state.table.limits, peek.id);
    }
    let mut message: ClientJsonRpcMessage = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("invalid JSON-RPC message: {error}"),
            )
                .into_response();
        }
    };
    // Handlers see the HTTP request (`ctx.http()`, and `ctx.claims()` with OAuth) as on streamable HTTP.
    match &mut message {
        ClientJsonRpcMessage::Request(request) => {
            request.request.extensions_mut().insert(parts);
        }
        ClientJsonRpcMessage::Notification(notification) => {
            notification.notification.extensions_mut().insert(parts);
        }
        _ => {}
    }
    match sender.send(message).await {
        Ok(()) => (StatusCode::ACCEPTED, "Accepted").into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "Session not found").into_response(),
    }
}

/// The `sessionId` query parameter (ids are hex, so no percent-decoding is needed).
fn session_id(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "sessionId")
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// rmcp's side of a session: messages in from POSTs, messages out to the event stream.
struct ChannelTransport {
    incoming: mpsc::Receiver<ClientJsonRpcMessage>,
    outgoing: mpsc::Sender<ServerJsonRpcMessage>,
}

/// The client's event stream is gone.
#[derive(Debug)]
struct StreamClosed;

impl std::fmt::Display for StreamClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the SSE stream is closed")
    }
}

impl std::error::Error for StreamClosed {}

impl Transport<RoleServer> for ChannelTransport {
    type Error = StreamClosed;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move { outgoing.send(item).await.map_err(|_| StreamClosed) }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.incoming.close();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use futures::StreamExt as _;
    use tower::ServiceExt as _;

    use super::*;
    use crate::sessions::SessionLimits;
    use crate::testing::http::{INITIALIZE, LIMITS, app, options, send};

    fn request(method: &str, uri: &str, token: &str, body: &str) -> Request<axum::body::Body> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "127.0.0.1")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_owned()))
            .unwrap()
    }

    /// Opens an event stream as `token`: the stream, and the message URL its `endpoint` event names.
    async fn open(
        app: &Router,
        token: &str,
    ) -> (impl Stream<Item = Result<Bytes, axum::Error>>, String) {
        let response = app
            .clone()
            .oneshot(request("GET", "/sse", token, ""))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = response.into_body().into_data_stream();
        let first = stream.next().await.unwrap().unwrap();
        let first = String::from_utf8_lossy(&first).into_owned();
        let endpoint = first
            .lines()
            .find_map(|line| line.strip_prefix("data: "))
            .unwrap_or_else(|| panic!("no endpoint in {first:?}"))
            .to_owned();
        (stream, endpoint)
    }

    /// A POST from another principal into a session is refused as if the session did not exist (it could
    /// otherwise answer the owner's elicitation or sampling requests); the owner's is accepted.
    #[tokio::test]
    async fn another_principal_cannot_post_into_a_session() {
        let app = app(&options(&["alice", "bob"], LIMITS)).await;
        let (_stream, endpoint) = open(&app, "alice").await;
        let (status, _, _) = send(&app, request("POST", &endpoint, "bob", INITIALIZE)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, _) = send(&app, request("POST", &endpoint, "alice", INITIALIZE)).await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }

    /// Event streams count toward the session caps, and free their place when they close; an oversized
    /// initialize message is refused.
    #[tokio::test]
    async fn sse_sessions_are_capped() {
        let limits = SessionLimits {
            max: 2,
            max_per_principal: 1,
            max_record_bytes: 1024,
        };
        let app = app(&options(&["alice", "bob", "carol"], limits)).await;
        let (alice, endpoint) = open(&app, "alice").await;
        let (status, _, body) = send(&app, request("GET", "/sse", "alice", "")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        let _bob = open(&app, "bob").await;
        let (status, _, body) = send(&app, request("GET", "/sse", "carol", "")).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        let large = INITIALIZE.replace(
            r#""name":"test""#,
            &format!(r#""name":"{}""#, "x".repeat(2000)),
        );
        let (status, _, _) = send(&app, request("POST", &endpoint, "alice", &large)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        drop(alice);
        let _carol = open(&app, "carol").await;
    }

    #[test]
    fn session_id_comes_from_the_query() {
        assert_eq!(session_id(Some("sessionId=abc")).as_deref(), Some("abc"));
        assert_eq!(
            session_id(Some("x=1&sessionId=abc")).as_deref(),
            Some("abc")
        );
        assert_eq!(session_id(Some("sessionId=")), None);
        assert_eq!(session_id(Some("other=1")), None);
        assert_eq!(session_id(None), None);
    }
}
