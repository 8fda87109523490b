//! Stateful streamable HTTP sessions kept in the [`SessionTable`]: rmcp's session manager wrapped so every
//! session is recorded with its owner when it starts (refused over a cap) and forgotten when it ends, for
//! whatever reason (DELETE, idle timeout, shutdown), plus the middleware in front of rmcp that refuses a
//! request for a session another principal owns with the 404 an unknown session gets (it reveals nothing)
//! and bounds the `initialize` request a session keeps.

use std::cell::Cell;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::streamable_http_server::session::{
    EventStore, RestoreOutcome, ServerSseMessage, SessionId, SessionManager,
};

use super::auth::Auth;
use super::principal::Principal;
use super::session_store::SharedStore;
use super::sessions::{Peek, Refusal, SessionTable, record_too_large, store_unreachable};

tokio::task_local! {
    /// The request being handled: who sent it, and whether it was refused a session.
    static REQUEST: Caller;
}

struct Caller {
    principal: Option<Principal>,
    refused: Cell<Option<Refusal>>,
}

fn caller() -> Option<Principal> {
    REQUEST.try_with(|caller| caller.principal).ok().flatten()
}

/// An rmcp session manager whose sessions are recorded in a [`SessionTable`].
pub(crate) struct OwnedSessions<M> {
    pub(crate) inner: M,
    pub(crate) table: Arc<SessionTable>,
}

/// A session manager's error, or a session refused over a cap (the middleware answers that one).
#[derive(Debug)]
pub(crate) enum OwnedError<E> {
    Inner(E),
    Refused(Refusal),
}

impl<E: std::fmt::Display> std::fmt::Display for OwnedError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OwnedError::Inner(error) => error.fmt(f),
            OwnedError::Refused(refusal) => write!(f, "session refused: {refusal:?}"),
        }
    }
}

impl<E: std::error::Error> std::error::Error for OwnedError<E> {}

impl<M: SessionManager> SessionManager for OwnedSessions<M> {
    type Error = OwnedError<M::Error>;
    type Transport = M::Transport;

    async fn create_session(&self) -> Result<(SessionId, Self::Transport), Self::Error> {
        let (id, transport) = self
            .inner
            .create_session()
            .await
            .map_err(OwnedError::Inner)?;
        if let Err(refusal) = self.table.open(&id, caller()) {
            let _ = REQUEST.try_with(|caller| caller.refused.set(Some(refusal)));
            drop(transport);
            let _ = self.inner.close_session(&id).await;
            return Err(OwnedError::Refused(refusal));
        }
        Ok((id, transport))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, Self::Error> {
        self.inner
            .initialize_session(id, message)
            .await
            .map_err(OwnedError::Inner)
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, Self::Error> {
        self.inner.has_session(id).await.map_err(OwnedError::Inner)
    }

    /// rmcp calls this for a DELETE and whenever a session's worker ends (idle timeout, shutdown).
    async fn close_session(&self, id: &SessionId) -> Result<(), Self::Error> {
        self.table.close(id);
        self.inner
            .close_session(id)
            .await
            .map_err(OwnedError::Inner)
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner
            .create_stream(id, message)
            .await
            .map_err(OwnedError::Inner)
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), Self::Error> {
        self.inner
            .accept_message(id, message)
            .await
            .map_err(OwnedError::Inner)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner
            .create_standalone_stream(id)
            .await
            .map_err(OwnedError::Inner)
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl futures::Stream<Item = ServerSseMessage> + Send + Sync + 'static, Self::Error>
    {
        self.inner
            .resume(id, last_event_id)
            .await
            .map_err(OwnedError::Inner)
    }

    /// A session another instance started: the middleware checked its stored owner is the caller.
    async fn restore_session(
        &self,
        id: SessionId,
    ) -> Result<RestoreOutcome<Self::Transport>, Self::Error> {
        let outcome = self
            .inner
            .restore_session(id.clone())
            .await
            .map_err(OwnedError::Inner)?;
        if matches!(outcome, RestoreOutcome::Restored(_)) {
            self.table.adopt(&id, caller());
        }
        Ok(outcome)
    }

    fn event_store(&self) -> Option<Arc<dyn EventStore>> {
        self.inner.event_store()
    }
}

/// What the middleware needs.
#[derive(Clone)]
pub(crate) struct Guard {
    pub(crate) table: Arc<SessionTable>,
    pub(crate) auth: Auth,
    /// Largest request body (the transport's limit), read here before rmcp for sessionless POSTs.
    pub(crate) max_body_bytes: usize,
    /// The shared store, whose records live as long as the idle timeout from their last refresh.
    pub(crate) store: Option<Arc<dyn SharedStore>>,
}

/// Refuses requests for another principal's session (404, as for an unknown one), bounds the `initialize`
/// request a new session keeps (413), answers a session refused over a cap (503 or 429), and keeps a live
/// session's stored record from expiring.
pub(crate) async fn guard(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let principal = Principal::of(&guard.auth, request.headers(), request.extensions());
    let session = request
        .headers()
        .get("mcp-session-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = &session {
        match owns(&guard, id, principal, request.method()).await {
            Ok(true) => {}
            Ok(false) => {
                return (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response();
            }
            Err(error) => {
                tracing::warn!(%error, "cannot read the session store");
                return store_unreachable();
            }
        }
    }
    let mut request = request;
    let mut body = Bytes::new();
    if session.is_none() && request.method() == Method::POST {
        let (parts, incoming) = request.into_parts();
        body = match axum::body::to_bytes(incoming, guard.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => return super::guard::payload_too_large(),
        };
        // Only an initialize request starts a session; other sessionless requests (the 2026 protocol)
        // keep the transport's limit.
        if body.len() > guard.table.limits.max_record_bytes
            && let Some(peek) = Peek::of(&body).filter(Peek::is_initialize)
        {
            return record_too_large(&guard.table.limits, peek.id);
        }
        request = Request::from_parts(parts, Body::from(body.clone()));
    }
    let caller = Caller {
        principal,
        refused: Cell::new(None),
    };
    let (response, refused) = REQUEST
        .scope(caller, async move {
            let response = next.run(request).await;
            (response, REQUEST.with(|caller| caller.refused.get()))
        })
        .await;
    match refused {
        Some(refusal) => refusal.response(
            &guard.table.limits,
            Peek::of(&body).and_then(|peek| peek.id),
        ),
        None => response,
    }
}

/// Whether `principal` may use session `id`: it owns it here, or the shared store's record says it owns it
/// (rmcp then restores it). An id known nowhere goes on to rmcp's own 404, except a DELETE, which rmcp
/// would answer 202 having done nothing. A session this instance holds needs no store; one only the store
/// knows cannot be checked (nor restored) while the store fails: that is the error.
async fn owns(
    guard: &Guard,
    id: &str,
    principal: Option<Principal>,
    method: &Method,
) -> Result<bool, rmcp::transport::streamable_http_server::session::SessionStoreError> {
    if let Some(owned) = guard.table.owned_by(id, principal) {
        if owned && let Some(store) = &guard.store {
            store.keep_alive(&guard.table, id);
        }
        return Ok(owned);
    }
    let Some(store) = &guard.store else {
        return Ok(true);
    };
    Ok(match store.owner(id).await? {
        Some(owner) => owner == principal,
        None => method != Method::DELETE,
    })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;

    use crate::sessions::SessionLimits;
    use crate::testing::http::{INITIALIZE, LIMITS, PING, app, mcp, options, post, send, session};

    /// A second principal holding its own valid token is refused on another's session: POST, GET with
    /// `Last-Event-ID` (which would replay cached responses), DELETE; the owner is served throughout.
    #[tokio::test]
    async fn another_principal_cannot_use_a_session() {
        let app = app(&options(&["alice", "bob"], LIMITS)).await;
        let alice = session(&app, "alice").await;
        let (status, _, body) = post(&app, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#""result""#), "{body}");

        let (status, _, body) = post(&app, "bob", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let resume = mcp("GET", "bob", Some(&alice))
            .header("last-event-id", "0")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, resume).await.0, StatusCode::NOT_FOUND);
        let stream = mcp("GET", "bob", Some(&alice)).body(Body::empty()).unwrap();
        assert_eq!(send(&app, stream).await.0, StatusCode::NOT_FOUND);
        let delete = mcp("DELETE", "bob", Some(&alice))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, delete).await.0, StatusCode::NOT_FOUND);

        // Still alice's, and alive.
        let resume = mcp("GET", "alice", Some(&alice))
            .header("last-event-id", "0")
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, resume).await.0, StatusCode::OK);
        let (status, _, body) = post(&app, "alice", Some(&alice), PING).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let delete = mcp("DELETE", "alice", Some(&alice))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, delete).await.0, StatusCode::ACCEPTED);
        assert_eq!(
            post(&app, "alice", Some(&alice), PING).await.0,
            StatusCode::NOT_FOUND
        );
    }

    /// Over a cap a client gets a JSON-RPC error with 429 (its own) or 503 (the server's); a session that
    /// ends, by DELETE or by idling out, frees its place.
    #[tokio::test]
    async fn sessions_are_capped_overall_and_per_principal() {
        let limits = SessionLimits {
            max: 2,
            max_per_principal: 1,
            max_record_bytes: 64 * 1024,
        };
        let mut options = options(&["alice", "bob", "carol"], limits);
        if let Some(http) = options.streamable.as_mut() {
            http.session_idle_timeout = std::time::Duration::from_secs(1);
        }
        let app = app(&options).await;
        let alice = session(&app, "alice").await;
        let (status, session_id, body) = post(&app, "alice", None, INITIALIZE).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert_eq!(session_id, None);
        let error: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["id"], 0);
        assert_eq!(error["error"]["code"], -32000);
        let bob = session(&app, "bob").await;
        let (status, _, body) = post(&app, "carol", None, INITIALIZE).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("Too many sessions"), "{body}");

        let delete = mcp("DELETE", "bob", Some(&bob))
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, delete).await.0, StatusCode::ACCEPTED);
        let _carol = session(&app, "carol").await;
        // Alice's session idles out after a second; then she may start another.
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        assert_eq!(
            post(&app, "alice", Some(&alice), PING).await.0,
            StatusCode::NOT_FOUND
        );
        session(&app, "alice").await;
    }

    /// The initialize request is what a session keeps: past the record limit it is refused with 413, while
    /// larger requests in a session still get the transport's limit.
    #[tokio::test]
    async fn a_session_keeps_a_bounded_initialize_record() {
        let limits = SessionLimits {
            max_record_bytes: 1024,
            ..LIMITS
        };
        let app = app(&options(&["alice"], limits)).await;
        let padding = "x".repeat(2000);
        let large = INITIALIZE.replace(r#""name":"test""#, &format!(r#""name":"{padding}""#));
        let (status, session, body) = post(&app, "alice", None, &large).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(session, None);
        assert!(body.contains("1024"), "{body}");
        let alice = crate::testing::http::session(&app, "alice").await;
        let ping = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"_meta":{{"pad":"{padding}"}}}}}}"#
        );
        assert_eq!(
            post(&app, "alice", Some(&alice), &ping).await.0,
            StatusCode::OK
        );
    }
}
