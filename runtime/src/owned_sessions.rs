//! Stateful streamable HTTP sessions kept in the [`SessionTable`]: rmcp's session manager wrapped so every
//! session is recorded with its owner when it starts (refused over a cap) and forgotten when it ends, for
//! whatever reason (DELETE, idle timeout, shutdown), plus the middleware in front of rmcp that refuses a
//! request for a session another principal owns with the 404 an unknown session gets (it reveals nothing)
//! and bounds the `initialize` request a session keeps.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

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
use super::session_store::RedisStore;
use super::sessions::{Peek, Refusal, SessionTable, record_too_large};

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
        let (id, transport) = self.inner.create_session().await.map_err(OwnedError::Inner)?;
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
        self.inner.close_session(id).await.map_err(OwnedError::Inner)
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
    pub(crate) store: Option<Arc<RedisStore>>,
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
    let mut request = request;
    let mut body = Bytes::new();
    match &session {
        Some(id) => {
            if !owns(&guard, id, principal, request.method()).await {
                return (StatusCode::NOT_FOUND, "Not Found: Session not found").into_response();
            }
        }
        None if request.method() == Method::POST => {
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
        None => {}
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
/// would answer 202 having done nothing.
async fn owns(guard: &Guard, id: &str, principal: Option<Principal>, method: &Method) -> bool {
    if let Some(owned) = guard.table.owned_by(id, principal) {
        if owned && let Some(store) = &guard.store {
            store.keep_alive(&guard.table, id).await;
        }
        return owned;
    }
    let Some(store) = &guard.store else {
        return true;
    };
    match store.owner(id).await {
        Ok(Some(owner)) => owner == principal,
        Ok(None) => method != Method::DELETE,
        // rmcp's restore reads the store too, and answers its failure.
        Err(_) => true,
    }
}

/// How often a live session's stored record gets a new lifetime: a few times per idle timeout.
pub(crate) fn refresh_interval(idle_timeout: Duration) -> Duration {
    idle_timeout / 4
}
