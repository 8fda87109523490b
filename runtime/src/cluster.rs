//! Cross-instance delivery for stateful sessions shared through a store, so several instances behind a load
//! balancer behave as one server. A session is held, as an rmcp worker, by every instance one of its requests
//! reached (`session_store.rs` restores it there); what one instance raises for it must reach the client
//! through whichever instance holds the stream it waits on:
//!
//! - **Resource updates.** Subscriptions live in the shared store, keyed by `Mcp-Session-Id` (a subscribe
//!   made through any instance). An update raised anywhere is published to every instance; each one
//!   notifies the subscribed sessions whose standalone (GET) event stream it holds, and a client holds one
//!   such stream, so it hears the update once.
//! - **Answers to server requests** (elicitation, sampling, roots). A request goes out on the event stream
//!   of the POST whose handling raised it, on the instance running that handler; the client's answer is
//!   a POST of its own that may land anywhere. The instance that receives an answer hands it to its own
//!   worker and publishes it; every other instance holding the session hands it to its worker, and the
//!   one waiting for that request id takes it (rmcp drops answers to ids it is not waiting for).
//!
//! The bus and the store are Redis (`redis_bus.rs`); this module is the instance's side.

// Without Redis there is no bus: nothing joins a cluster.
#![cfg_attr(not(feature = "redis"), allow(dead_code))]

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use futures::future::BoxFuture;
use futures::{Stream, StreamExt as _};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_server::session::SessionId;
use rmcp::transport::streamable_http_server::session::local::LocalSessionHandle;
use serde::{Deserialize, Serialize};

use super::context::SubscribeError;
use super::context::{
    MAX_SUBSCRIPTIONS_PER_SESSION, RESOURCE_UPDATED, SharedSubscriptions, Subscriptions,
};
use super::error::BoxError;

/// What one instance tells all of them.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Event {
    /// A resource changed.
    Updated {
        /// The resource.
        uri: String,
    },
    /// A client answered a server request: the JSON-RPC response or error, as the client sent it.
    Answer {
        /// The instance that received it (and already handed it to its own worker).
        from: String,
        /// The session's `Mcp-Session-Id`.
        session: String,
        /// The JSON-RPC message.
        message: serde_json::Value,
    },
}

/// The shared side: a channel every instance hears, and the subscriptions of every session.
#[async_trait::async_trait]
pub(crate) trait Bus: Send + Sync + 'static {
    /// Sends `event` to every instance, this one included; returns how many heard it.
    async fn publish(&self, event: &Event) -> Result<usize, BoxError>;
    /// Adds a subscription unless the session holds `max` already: `Ok(false)` then.
    async fn subscribe(&self, session: &str, uri: &str, max: usize) -> Result<bool, BoxError>;
    /// Removes a subscription.
    async fn unsubscribe(&self, session: &str, uri: &str) -> Result<(), BoxError>;
    /// For each of `sessions`, whether it subscribed to `uri`.
    async fn subscribed(&self, sessions: &[String], uri: &str) -> Result<Vec<bool>, BoxError>;
}

/// The sessions this instance holds, to push a message into one as if its client had sent it.
pub(crate) trait Workers: Send + Sync {
    /// The session's worker here, if this instance holds it.
    fn worker<'a>(&'a self, id: &'a SessionId) -> BoxFuture<'a, Option<LocalSessionHandle>>;
}

/// This instance in its cluster.
pub(crate) struct Cluster {
    bus: Arc<dyn Bus>,
    /// Tells this instance's answers from others'.
    instance: String,
    /// Sessions whose standalone event stream this instance holds, with how many (a reconnecting client
    /// may hold a second one for a moment).
    streams: Mutex<HashMap<SessionId, usize>>,
    workers: OnceLock<Weak<dyn Workers>>,
    /// This instance's subscriptions: its 2026-07-28 `subscriptions/listen` streams hear each update here.
    listeners: OnceLock<Weak<Subscriptions>>,
}

impl Cluster {
    /// Joins the cluster: `events` is what the bus hears, delivered here one event at a time in order of
    /// arrival, each on a task of its own (a slow session holds up no other).
    pub(crate) fn new(
        bus: Arc<dyn Bus>,
        mut events: tokio::sync::mpsc::Receiver<Event>,
    ) -> Arc<Self> {
        let cluster = Arc::new(Cluster {
            bus,
            instance: instance_id(),
            streams: Mutex::default(),
            workers: OnceLock::new(),
            listeners: OnceLock::new(),
        });
        let weak = Arc::downgrade(&cluster);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Some(cluster) = weak.upgrade() else {
                    return;
                };
                tokio::spawn(async move { cluster.deliver(event).await });
            }
        });
        cluster
    }

    /// Where this instance's sessions are, once the session manager exists.
    pub(crate) fn attach(&self, workers: Weak<dyn Workers>) {
        let _ = self.workers.set(workers);
    }

    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<SessionId, usize>> {
        self.streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A message a client POSTed to this instance: an answer to a server request goes to every instance
    /// (this one's worker gets it from rmcp as usual), without making the client's POST wait for Redis.
    pub(crate) fn received(&self, id: &SessionId, message: &ClientJsonRpcMessage) {
        if !matches!(
            message,
            ClientJsonRpcMessage::Response(_) | ClientJsonRpcMessage::Error(_)
        ) {
            return;
        }
        let message = match serde_json::to_value(message) {
            Ok(message) => message,
            Err(error) => return tracing::warn!(%error, "cannot forward an answer"),
        };
        let event = Event::Answer {
            from: self.instance.clone(),
            session: id.to_string(),
            message,
        };
        let bus = self.bus.clone();
        tokio::spawn(async move {
            if let Err(error) = bus.publish(&event).await {
                tracing::warn!(%error, "cannot forward an answer to the other instances");
            }
        });
    }

    async fn deliver(&self, event: Event) {
        match event {
            Event::Updated { uri } => {
                if let Some(local) = self.listeners.get().and_then(Weak::upgrade) {
                    local.notify_here(&uri, false).await;
                }
                let here: Vec<String> = self.streams().keys().map(|id| id.to_string()).collect();
                if here.is_empty() {
                    return;
                }
                let subscribed = match self.bus.subscribed(&here, &uri).await {
                    Ok(subscribed) => subscribed,
                    Err(error) => return tracing::warn!(%error, uri, "cannot read subscriptions"),
                };
                let notification = serde_json::json!({
                    "jsonrpc": "2.0",
                    "method": RESOURCE_UPDATED,
                    "params": {"uri": uri},
                });
                for (session, _) in here.iter().zip(subscribed).filter(|(_, yes)| *yes) {
                    self.push(session, notification.clone()).await;
                }
            }
            Event::Answer {
                from,
                session,
                message,
            } => {
                if from != self.instance {
                    self.push(&session, message).await;
                }
            }
        }
    }

    /// Hands `message` to session `id`'s worker, if this instance holds it.
    async fn push(&self, id: &str, message: serde_json::Value) {
        let Some(workers) = self.workers.get().and_then(Weak::upgrade) else {
            return;
        };
        let Some(worker) = workers.worker(&SessionId::from(id)).await else {
            return;
        };
        let message: ClientJsonRpcMessage = match serde_json::from_value(message) {
            Ok(message) => message,
            Err(error) => return tracing::warn!(%error, "a malformed message on the bus"),
        };
        if let Err(error) = worker.push_message(message, None).await {
            tracing::debug!(%error, session = id, "the session ended before delivery");
        }
    }
}

impl SharedSubscriptions for Cluster {
    fn set<'a>(
        &'a self,
        session: &'a str,
        uri: &'a str,
        subscribed: bool,
    ) -> BoxFuture<'a, Result<(), SubscribeError>> {
        Box::pin(async move {
            let bus = &self.bus;
            let done = match subscribed {
                true => {
                    bus.subscribe(session, uri, MAX_SUBSCRIPTIONS_PER_SESSION)
                        .await
                }
                false => bus.unsubscribe(session, uri).await.map(|()| true),
            };
            match done {
                Ok(true) => Ok(()),
                Ok(false) => Err(SubscribeError::TooMany),
                Err(error) => Err(SubscribeError::Store(error.to_string())),
            }
        })
    }

    fn hold_listeners(&self, local: Weak<Subscriptions>) {
        let _ = self.listeners.set(local);
    }

    fn updated<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, usize> {
        Box::pin(async move {
            let event = Event::Updated {
                uri: uri.to_owned(),
            };
            self.bus.publish(&event).await.unwrap_or_else(|error| {
                tracing::warn!(%error, uri, "cannot announce a resource update");
                0
            })
        })
    }
}

/// A standalone event stream of session `id` opened here: counted until the client lets it go.
pub(crate) fn track<S>(
    cluster: Option<&Arc<Cluster>>,
    id: &SessionId,
    stream: S,
) -> impl Stream<Item = S::Item> + Send + Sync + 'static
where
    S: Stream + Send + Sync + 'static,
{
    let held = cluster.map(|cluster| {
        *cluster.streams().entry(id.clone()).or_default() += 1;
        HeldStream {
            cluster: cluster.clone(),
            id: id.clone(),
        }
    });
    stream.inspect(move |_| {
        let _ = &held;
    })
}

/// Uncounts its stream when the client lets it go (rmcp drops the stream then).
struct HeldStream {
    cluster: Arc<Cluster>,
    id: SessionId,
}

impl Drop for HeldStream {
    fn drop(&mut self) {
        let mut streams = self.cluster.streams();
        if let Some(count) = streams.get_mut(&self.id) {
            *count -= 1;
            if *count == 0 {
                streams.remove(&self.id);
            }
        }
    }
}

tokio::task_local! {
    /// Set when the current request asked to resume an event stream that cannot be resumed here.
    static RESUME_FAILED: Cell<bool>;
}

/// Notes that the current request's resume failed (see [`refuse_failed_resumes`]).
pub(crate) fn resume_failed() {
    let _ = RESUME_FAILED.try_with(|failed| failed.set(true));
}

/// Middleware: a `Last-Event-ID` resume that failed gets 410, where rmcp answers an empty event stream. A
/// client whose POST stream broke (the instance running its call died) resumes on another instance, which
/// never had that stream; an empty stream makes it resume again and again until its own timeout, while an
/// error lets it give up on the call at once (the Python SDK then fails the call after two tries) and send
/// it again.
pub(crate) async fn refuse_failed_resumes(request: Request, next: Next) -> Response {
    let (response, failed) = RESUME_FAILED
        .scope(Cell::new(false), async move {
            let response = next.run(request).await;
            (response, RESUME_FAILED.with(Cell::get))
        })
        .await;
    if !failed {
        return response;
    }
    let gone = "Gone: this event stream cannot be resumed here (the instance that served it may have \
                stopped); send the request again";
    (StatusCode::GONE, gone).into_response()
}

/// A name for this process, unique in its cluster for all practical purposes.
fn instance_id() -> String {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}
