//! The live sessions of both HTTP transports: who owns each, and the caps on how many there are, overall
//! and per principal. Over a cap, a client gets 503 (the server is full: retry later) or 429 (this
//! principal holds too many: end one first), each with a JSON-RPC error body.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::Value;

use super::principal::Principal;

/// How many sessions may live, and how large a session's record may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionLimits {
    /// Live sessions, all principals together.
    pub(crate) max: usize,
    /// Live sessions per principal (with auth on).
    pub(crate) max_per_principal: usize,
    /// Largest `initialize` request a session starts with: what a session keeps, in memory and in the store.
    pub(crate) max_record_bytes: usize,
}

/// Why a session was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `SessionLimits::max` sessions are live.
    Full,
    /// The principal holds `SessionLimits::max_per_principal` sessions.
    PrincipalFull,
}

/// Session ids with their owners (`None`: auth is off).
#[derive(Debug)]
pub(crate) struct SessionTable {
    pub(crate) limits: SessionLimits,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    sessions: HashMap<String, Entry>,
    per_principal: HashMap<Principal, usize>,
}

#[derive(Debug)]
struct Entry {
    owner: Option<Principal>,
    /// When the shared store's record was last given a new lifetime.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    refreshed: Instant,
}

impl SessionTable {
    pub(crate) fn new(limits: SessionLimits) -> Self {
        SessionTable {
            limits,
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a new session for `owner`, unless a cap is reached.
    pub(crate) fn open(&self, id: &str, owner: Option<Principal>) -> Result<(), Refusal> {
        let mut inner = self.lock();
        if inner.sessions.len() >= self.limits.max {
            return Err(Refusal::Full);
        }
        if let Some(owner) = owner
            && inner.per_principal.get(&owner).copied().unwrap_or(0)
                >= self.limits.max_per_principal
        {
            return Err(Refusal::PrincipalFull);
        }
        inner.insert(id, owner);
        Ok(())
    }

    /// Records a session another instance started (restored from the shared store): it already exists, so
    /// it is counted but never refused.
    #[cfg(feature = "streamable-http")]
    pub(crate) fn adopt(&self, id: &str, owner: Option<Principal>) {
        self.lock().insert(id, owner);
    }

    /// Forgets a session (ended, deleted or expired); a no-op for an unknown one.
    pub(crate) fn close(&self, id: &str) {
        let mut inner = self.lock();
        let Some(entry) = inner.sessions.remove(id) else {
            return;
        };
        if let Some(owner) = entry.owner
            && let Some(count) = inner.per_principal.get_mut(&owner)
        {
            *count -= 1;
            if *count == 0 {
                inner.per_principal.remove(&owner);
            }
        }
    }

    /// `Some(true)`: `principal` owns the session; `Some(false)`: someone else does; `None`: not live here.
    pub(crate) fn owned_by(&self, id: &str, principal: Option<Principal>) -> Option<bool> {
        self.lock()
            .sessions
            .get(id)
            .map(|entry| entry.owner == principal)
    }

    /// The session's owner, when it is live here.
    #[cfg(feature = "redis")]
    pub(crate) fn owner(&self, id: &str) -> Option<Option<Principal>> {
        self.lock().sessions.get(id).map(|entry| entry.owner)
    }

    /// Whether the store's record of a live session was last refreshed over `every` ago; if so, it counts as
    /// refreshed now.
    #[cfg(feature = "redis")]
    pub(crate) fn refresh_due(&self, id: &str, every: Duration) -> bool {
        let mut inner = self.lock();
        match inner.sessions.get_mut(id) {
            Some(entry) if entry.refreshed.elapsed() >= every => {
                entry.refreshed = Instant::now();
                true
            }
            _ => false,
        }
    }

    /// Live sessions.
    #[cfg(any(test, feature = "metrics"))]
    pub(crate) fn len(&self) -> usize {
        self.lock().sessions.len()
    }
}

impl Inner {
    fn insert(&mut self, id: &str, owner: Option<Principal>) {
        let entry = Entry {
            owner,
            refreshed: Instant::now(),
        };
        if self.sessions.insert(id.to_owned(), entry).is_none()
            && let Some(owner) = owner
        {
            *self.per_principal.entry(owner).or_default() += 1;
        }
    }
}

/// How long a client refused with 503 is asked to wait.
const RETRY_AFTER: Duration = Duration::from_secs(5);

impl Refusal {
    /// The HTTP answer, with a JSON-RPC error for the request `id` (`null` when unknown).
    pub(crate) fn response(self, limits: &SessionLimits, id: Option<Value>) -> Response {
        let (status, message) = match self {
            Refusal::Full => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "Too many sessions: the server holds its maximum of {}; retry later",
                    limits.max
                ),
            ),
            Refusal::PrincipalFull => (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many sessions for this client: at most {} at a time; end one (DELETE) first",
                    limits.max_per_principal
                ),
            ),
        };
        jsonrpc_error(status, id, -32000, &message)
    }
}

/// 503 for a request for a session only the shared store knows while the store cannot be read: a JSON-RPC
/// error (its `id` is unknown, the body unread) that a client shows as it is, and `Retry-After`.
// Only streamable HTTP restores sessions from a shared store.
#[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
pub(crate) fn store_unreachable() -> Response {
    let message = "Service Unavailable: the session store is unreachable; retry later";
    jsonrpc_error(StatusCode::SERVICE_UNAVAILABLE, None, -32000, message)
}

/// 413 for an `initialize` request larger than a session may keep.
pub(crate) fn record_too_large(limits: &SessionLimits, id: Option<Value>) -> Response {
    let message = format!(
        "The initialize request is {} bytes at most: that is what a session keeps",
        limits.max_record_bytes
    );
    jsonrpc_error(StatusCode::PAYLOAD_TOO_LARGE, id, -32600, &message)
}

/// A JSON-RPC error body with `status`; a 503 (the server, not the client, must change) says when to retry.
fn jsonrpc_error(status: StatusCode, id: Option<Value>, code: i64, message: &str) -> Response {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Value::Null),
        "error": {"code": code, "message": message},
    });
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(RETRY_AFTER.as_secs()),
        );
    }
    response
}

/// What a JSON-RPC request body says about itself, read without building the whole document.
#[derive(serde::Deserialize)]
pub(crate) struct Peek {
    /// The request id, for an error answer.
    #[serde(default)]
    pub(crate) id: Option<Value>,
    #[serde(default)]
    method: Option<String>,
}

impl Peek {
    pub(crate) fn of(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }

    pub(crate) fn is_initialize(&self) -> bool {
        self.method.as_deref() == Some("initialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(name: &str) -> Option<Principal> {
        let auth =
            crate::auth::Auth::Bearer(std::sync::Arc::new(crate::auth::BearerTokens::new(&[])));
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            format!("Bearer {name}").parse().unwrap(),
        );
        Principal::of(&auth, &headers, &axum::http::Extensions::new())
    }

    #[test]
    fn caps_apply_overall_and_per_principal_and_free_on_close() {
        let table = SessionTable::new(SessionLimits {
            max: 3,
            max_per_principal: 2,
            max_record_bytes: 1024,
        });
        let (alice, bob) = (principal("alice"), principal("bob"));
        assert_eq!(table.open("a1", alice), Ok(()));
        assert_eq!(table.open("a2", alice), Ok(()));
        assert_eq!(table.open("a3", alice), Err(Refusal::PrincipalFull));
        assert_eq!(table.open("b1", bob), Ok(()));
        assert_eq!(table.open("b2", bob), Err(Refusal::Full));
        assert_eq!(table.owned_by("a1", alice), Some(true));
        assert_eq!(table.owned_by("a1", bob), Some(false));
        assert_eq!(table.owned_by("a1", None), Some(false));
        assert_eq!(table.owned_by("zz", alice), None);
        table.close("a1");
        table.close("a1");
        assert_eq!(table.len(), 2);
        assert_eq!(table.open("a3", alice), Ok(()));
        assert_eq!(table.open("a4", alice), Err(Refusal::Full));
        table.close("b1");
        assert_eq!(table.open("a4", alice), Err(Refusal::PrincipalFull));
        // Without auth only the overall cap applies.
        assert_eq!(table.open("n1", None), Ok(()));
        assert_eq!(table.owned_by("n1", None), Some(true));
    }

    #[test]
    fn refusals_are_json_rpc_errors() {
        let limits = SessionLimits {
            max: 1,
            max_per_principal: 1,
            max_record_bytes: 10,
        };
        let full = Refusal::Full.response(&limits, Some(Value::from(7)));
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(full.headers()[header::RETRY_AFTER], "5");
        let mine = Refusal::PrincipalFull.response(&limits, None);
        assert_eq!(mine.status(), StatusCode::TOO_MANY_REQUESTS);
        let unreachable = store_unreachable();
        assert_eq!(unreachable.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(unreachable.headers()[header::RETRY_AFTER], "5");
        assert_eq!(
            unreachable.headers()[header::CONTENT_TYPE],
            "application/json"
        );
        let peek =
            Peek::of(br#"{"jsonrpc":"2.0","id":3,"method":"initialize","params":{}}"#).unwrap();
        assert!(peek.is_initialize());
        assert_eq!(peek.id, Some(Value::from(3)));
        assert!(
            !Peek::of(br#"{"jsonrpc":"2.0","method":"ping"}"#)
                .unwrap()
                .is_initialize()
        );
    }
}
