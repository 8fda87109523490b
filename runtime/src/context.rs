//! `Ctx`, the handle every handler receives.

// Logging is deprecated by SEP-2577 but clients still use it; `LogLevel` shields handlers from that.
#![allow(deprecated)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use rmcp::model::{
    ClientCapabilities, ClientResult, CreateMessageRequest, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequest, ElicitRequestParams, ElicitResult, ElicitationSchema,
    ListRootsResult, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
    ResourceUpdatedNotification, ResourceUpdatedNotificationParam, ServerNotification,
};
use rmcp::service::{Peer, RequestContext, RoleServer, SubscriptionSink};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::error::ClientRequestError;

/// Context of one request: your shared state `S`, cancellation, progress, logging to the client, the
/// client itself (sampling, elicitation) and, over HTTP, the request's headers. Cheap to clone.
///
/// A generated crate names it `Ctx` with its own `State` (`crate::generated::prelude::Ctx`).
pub struct Ctx<S> {
    request: RequestContext<RoleServer>,
    shared: Arc<Shared<S>>,
    session: Arc<Session>,
    /// The SEP-2322 key of the questions asked through this handle ([`Ctx::with_input_key`]).
    input_key: Option<Arc<str>>,
}

impl<S> Clone for Ctx<S> {
    fn clone(&self) -> Self {
        Ctx {
            request: self.request.clone(),
            shared: self.shared.clone(),
            session: self.session.clone(),
            input_key: self.input_key.clone(),
        }
    }
}

/// What every session shares: the user's state and the resource subscriptions.
pub(crate) struct Shared<S> {
    pub(crate) state: S,
    pub(crate) subscriptions: Arc<Subscriptions>,
    pub(crate) logging: bool,
    pub(crate) logger: &'static str,
}

/// Per-connection data: one per stdio process, per HTTP session, or per stateless HTTP request.
pub(crate) struct Session {
    pub(crate) id: u64,
    /// Minimum level set by `logging/setLevel`; 0 = not set.
    log_level: AtomicU8,
    /// Where the session's subscriptions are kept, so they end with it.
    subscriptions: Arc<Subscriptions>,
    /// Whether it ever subscribed: most sessions never do (every stateless request is one), and they end
    /// without touching the table.
    subscribed: AtomicBool,
}

impl Session {
    pub(crate) fn new(subscriptions: Arc<Subscriptions>) -> Self {
        Session {
            id: next_subscriber_id(),
            log_level: AtomicU8::new(0),
            subscriptions,
            subscribed: AtomicBool::new(false),
        }
    }

    /// Subscribes this session's client to `uri`.
    pub(crate) fn subscribe(&self, uri: String, peer: Peer<RoleServer>) -> Result<(), TooMany> {
        self.subscribed.store(true, Ordering::Relaxed);
        self.subscriptions.subscribe(uri, self.id, peer)
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        self.subscriptions.unsubscribe(uri, self.id);
    }

    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        self.log_level
            .store(LogLevel::from(level).rank(), Ordering::Relaxed);
    }
}

impl<S> Ctx<S> {
    pub(crate) fn new(
        request: RequestContext<RoleServer>,
        shared: Arc<Shared<S>>,
        session: Arc<Session>,
    ) -> Self {
        Ctx {
            request,
            shared,
            session,
            input_key: None,
        }
    }

    /// Your shared state, built once by `state::init`.
    pub fn state(&self) -> &S {
        &self.shared.state
    }

    /// Whether the client cancelled this request (or the connection closed).
    pub fn is_cancelled(&self) -> bool {
        self.request.ct.is_cancelled()
    }

    /// Completes when the request is cancelled; use it in `tokio::select!` around long work.
    pub async fn cancelled(&self) {
        self.request.ct.cancelled().await
    }

    /// The request's cancellation token, for handing to spawned work.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.request.ct
    }

    /// Reports progress when the client asked for it (a `progressToken`); otherwise does nothing.
    /// `total` is the value `progress` reaches when done, if known.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let Some(token) = self.request.meta.get_progress_token() else {
            return;
        };
        let mut param = ProgressNotificationParam::new(token, progress);
        if let Some(total) = total {
            param = param.with_total(total);
        }
        if let Some(message) = message {
            param = param.with_message(message);
        }
        if let Err(error) = self.request.peer.notify_progress(param).await {
            tracing::debug!(%error, "could not send a progress notification");
        }
    }

    /// Sends a log message to the client (`notifications/message`) when the server declares the
    /// logging capability and `level` is at or above the level the client asked for (all levels until
    /// it asks). Server-side logs go through `tracing` instead.
    pub async fn log(&self, level: LogLevel, data: impl Serialize) {
        if !self.shared.logging || level.rank() < self.min_log_level() {
            return;
        }
        let data = match serde_json::to_value(data) {
            Ok(data) => data,
            Err(error) => {
                tracing::warn!(%error, "could not serialise a log message");
                return;
            }
        };
        let param = LoggingMessageNotificationParam::new(level.into(), data)
            .with_logger(self.shared.logger);
        if let Err(error) = self.request.peer.notify_logging_message(param).await {
            tracing::debug!(%error, "could not send a log message");
        }
    }

    fn min_log_level(&self) -> u8 {
        // A per-request level (protocol 2026-07-28) wins over the session's `logging/setLevel`. On 2026-07-28,
        // which has no `logging/setLevel`, a request without one asked for no log messages (SEP-2575).
        match self.request.meta.log_level() {
            Some(level) => LogLevel::from(level).rank(),
            None if since_2026(&self.request) => u8::MAX,
            None => self.session.log_level.load(Ordering::Relaxed),
        }
    }

    /// Asks the client's model for a completion (`sampling/createMessage`), for a tool that needs an
    /// LLM without holding API keys itself. Fails with [`ClientRequestError::Unsupported`], without
    /// asking, when the client did not declare the `sampling` capability.
    ///
    /// On protocol 2026-07-28, which has no server-to-client requests, a plain call that does not carry
    /// the answer yet ends here (the handler's run is dropped) with a SEP-2322 `input_required` answer,
    /// and the handler runs again from the start when the client calls again with the answer: work before
    /// the question repeats. Inside a task the question waits in the task's `inputRequests`.
    pub async fn sample(
        &self,
        request: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, ClientRequestError> {
        self.require("sampling", |c| c.sampling.is_some())?;
        if let Some(answer) = self
            .ask_in_task("sampling/createMessage", &request, false)
            .await
        {
            return answer;
        }
        // Sent as a plain request rather than through `Peer::create_message`, which rmcp marks
        // deprecated (SEP-2577) although clients still rely on it.
        match self
            .request
            .peer
            .send_request(CreateMessageRequest::new(request).into())
            .await?
        {
            ClientResult::CreateMessageResult(result) => Ok(*result),
            _ => Err(ClientRequestError::UnexpectedResponse),
        }
    }

    /// Asks the user to fill in a form (`elicitation/create`). `schema` describes the form in MCP's
    /// restricted JSON Schema: an object whose properties are strings, numbers, integers, booleans or
    /// enums (single or multi-select, with `default`s), such as `json!({"type": "object",
    /// "properties": {"name": {"type": "string"}}})`. The answer says whether the user accepted,
    /// declined or cancelled, and holds the values when they accepted. Fails with
    /// [`ClientRequestError::Unsupported`], without asking, when the client did not declare the
    /// `elicitation` capability.
    ///
    /// On protocol 2026-07-28, which has no server-to-client requests, a plain call that does not carry
    /// the answer yet ends here (the handler's run is dropped) with a SEP-2322 `input_required` answer,
    /// and the handler runs again from the start when the client calls again with the answer: work before
    /// the question repeats. Inside a task the question waits in the task's `inputRequests`.
    pub async fn elicit(
        &self,
        message: impl Into<String>,
        schema: serde_json::Value,
    ) -> Result<ElicitResult, ClientRequestError> {
        self.elicit_as(message, schema, false).await
    }

    /// [`Ctx::elicit`] for a question a task-enabled tool asks before its work starts. On protocol
    /// 2026-07-28, when the call is to become a SEP-2663 task, such a question asked before the handler
    /// first waits on anything else is asked in SEP-2322 rounds: the `tools/call` answers
    /// `resultType: "input_required"`, the client calls again with the answer, the handler runs again from
    /// the start, and the task is created only once every such question is answered, so the client gets
    /// the task with its input gathered. Elsewhere, and later in the handler, it is [`Ctx::elicit`].
    pub async fn elicit_first(
        &self,
        message: impl Into<String>,
        schema: serde_json::Value,
    ) -> Result<ElicitResult, ClientRequestError> {
        self.elicit_as(message, schema, true).await
    }

    async fn elicit_as(
        &self,
        message: impl Into<String>,
        schema: serde_json::Value,
        up_front: bool,
    ) -> Result<ElicitResult, ClientRequestError> {
        let requested_schema: ElicitationSchema =
            serde_json::from_value(schema).map_err(ClientRequestError::InvalidSchema)?;
        self.require("elicitation", |c| c.elicitation.is_some())?;
        let message = message.into();
        let form = ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message.clone(),
            requested_schema: requested_schema.clone(),
        };
        if let Some(answer) = self
            .ask_in_task("elicitation/create", &form, up_front)
            .await
        {
            return answer;
        }
        // Inside a task, the request names the task and the task is `input_required` until the answer.
        let task = self.task();
        let meta = task.map(|task| {
            let mut meta = rmcp::model::RequestMetaObject::default();
            meta.0.0.insert(
                crate::tasks::RELATED_TASK.to_owned(),
                serde_json::json!({ "taskId": task.id }),
            );
            meta
        });
        let params = ElicitRequestParams::FormElicitationParams {
            meta,
            message,
            requested_schema,
        };
        if let Some(task) = task {
            task.set_input_required(true);
        }
        // rmcp's `Peer::create_elicitation` needs its `elicitation` feature (and the `url` crate);
        // the request itself is plain protocol.
        let answer = self
            .request
            .peer
            .send_request(ElicitRequest::new(params).into())
            .await;
        if let Some(task) = task {
            task.set_input_required(false);
        }
        match answer? {
            ClientResult::ElicitResult(result) => Ok(result),
            _ => Err(ClientRequestError::UnexpectedResponse),
        }
    }

    /// The client's roots (`roots/list`): the directories or files it lets the server work in. Fails
    /// with [`ClientRequestError::Unsupported`], without asking, when the client did not declare the
    /// `roots` capability. On protocol 2026-07-28 it is asked as [`Ctx::elicit`] is.
    pub async fn list_roots(&self) -> Result<ListRootsResult, ClientRequestError> {
        self.require("roots", |c| c.roots.is_some())?;
        if let Some(answer) = self
            .ask_in_task("roots/list", &serde_json::json!({}), false)
            .await
        {
            return answer;
        }
        Ok(self.request.peer.list_roots().await?)
    }

    /// This context, asking its questions ([`Ctx::elicit`], [`Ctx::sample`], [`Ctx::list_roots`]) under
    /// `key` in a plain 2026-07-28 request's SEP-2322 `inputRequests` instead of `input-1`, `input-2`..,
    /// for clients that look for an answer by name or send it before they are asked. One question per
    /// key: a second one asked under the same key gets the first one's answer. Tasks number their
    /// questions themselves.
    pub fn with_input_key(&self, key: impl Into<String>) -> Self {
        let mut ctx = self.clone();
        ctx.input_key = Some(key.into().into());
        ctx
    }

    /// [`ClientRequestError::Unsupported`] `name` unless the client declared the capability `has` finds.
    fn require(
        &self,
        name: &'static str,
        has: impl FnOnce(&ClientCapabilities) -> bool,
    ) -> Result<(), ClientRequestError> {
        match self.request.client_capabilities() {
            Some(capabilities) if has(&capabilities) => Ok(()),
            _ => Err(ClientRequestError::Unsupported(name)),
        }
    }

    /// On protocol 2026-07-28, which has no server-to-client requests, a request to the client is asked
    /// another way: inside a SEP-2663 task it goes into the task's `inputRequests` and its answer comes
    /// with `tasks/update`; in a plain call the answer comes with a retry of the call (SEP-2322,
    /// [`crate::mrtr`]), or the call ends here asking for it. `None` elsewhere.
    /// `up_front` asks a call that is to become a task in rounds too, until it became one.
    async fn ask_in_task<P: Serialize, R: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
        up_front: bool,
    ) -> Option<Result<R, ClientRequestError>> {
        let round = self.request.extensions.get::<Arc<crate::mrtr::Round>>();
        let running = self
            .request
            .extensions
            .get::<crate::tasks::RunningTask>()
            .filter(|running| running.sep2663);
        if round.is_none() && running.is_none() {
            return None;
        }
        let params = match serde_json::to_value(params) {
            Ok(params) => params,
            Err(_) => return Some(Err(ClientRequestError::UnexpectedResponse)),
        };
        if let Some(round) = round.filter(|_| running.is_none() || up_front)
            && let Some(answer) = round
                .ask(self.input_key.as_deref(), method, params.clone())
                .await
        {
            return Some(Ok(answer));
        }
        let running = running?;
        let Some(answer) = crate::tasks::sep2663::ask(&running.task, method, params).await else {
            return Some(Err(ClientRequestError::Failed(
                rmcp::ServiceError::Cancelled {
                    reason: Some("the task ended before the client answered".to_owned()),
                },
            )));
        };
        Some(serde_json::from_value(answer).map_err(|_| ClientRequestError::UnexpectedResponse))
    }

    /// The task this call runs as, when the client called the tool as an MCP task.
    fn task(&self) -> Option<&crate::tasks::store::Task> {
        self.request
            .extensions
            .get::<crate::tasks::RunningTask>()
            .map(|running| &*running.task)
    }

    /// The id of the MCP task this call runs as, when the client called a task-enabled tool
    /// (`execution.taskSupport`: `optional` or `required`) as a task; `None` for a plain call.
    pub fn task_id(&self) -> Option<&str> {
        self.task().map(|task| task.id.as_str())
    }

    /// Sets the task's `statusMessage`, which clients see in `tasks/get` while the task works, such as
    /// `"Analysing 3 of 10 files"`. Does nothing for a plain call.
    pub fn task_status(&self, message: impl Into<String>) {
        if let Some(task) = self.task() {
            task.set_message(message.into());
        }
    }

    /// The client: notifications, and requests not covered by [`Ctx::sample`], [`Ctx::elicit`] and
    /// [`Ctx::list_roots`].
    pub fn peer(&self) -> &Peer<RoleServer> {
        &self.request.peer
    }

    /// The HTTP request (method, URI, headers, and extensions such as auth claims) on HTTP transports;
    /// `None` on stdio.
    pub fn http(&self) -> Option<&http::request::Parts> {
        self.request.extensions.get::<http::request::Parts>()
    }

    /// The raw rmcp request context.
    pub fn request(&self) -> &RequestContext<RoleServer> {
        &self.request
    }

    /// Resource subscriptions, to notify clients from anywhere (clone the `Arc` into background tasks).
    pub fn subscriptions(&self) -> &Arc<Subscriptions> {
        &self.shared.subscriptions
    }

    /// Tells every client subscribed to `uri` that it changed (`notifications/resources/updated`).
    pub async fn notify_resource_updated(&self, uri: &str) {
        self.shared.subscriptions.notify_updated(uri).await;
    }
}

/// Whether `request` names protocol 2026-07-28 or later: no sessions, no server-to-client requests, and
/// `initialize`, `logging/setLevel` and `resources/(un)subscribe` removed.
pub(crate) fn since_2026(request: &RequestContext<RoleServer>) -> bool {
    request
        .protocol_version()
        .is_some_and(|version| version.as_str() >= "2026-07-28")
}

/// Severity of a log message sent to the client, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Detailed information for debugging.
    Debug,
    /// Informational messages.
    Info,
    /// Normal but significant events.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

impl LogLevel {
    /// 1 (debug) to 8 (emergency); 0 means "no minimum".
    fn rank(self) -> u8 {
        self as u8 + 1
    }
}

impl From<LoggingLevel> for LogLevel {
    fn from(level: LoggingLevel) -> Self {
        match level {
            LoggingLevel::Debug => LogLevel::Debug,
            LoggingLevel::Info => LogLevel::Info,
            LoggingLevel::Notice => LogLevel::Notice,
            LoggingLevel::Warning => LogLevel::Warning,
            LoggingLevel::Error => LogLevel::Error,
            LoggingLevel::Critical => LogLevel::Critical,
            LoggingLevel::Alert => LogLevel::Alert,
            LoggingLevel::Emergency => LogLevel::Emergency,
        }
    }
}

impl From<LogLevel> for LoggingLevel {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Debug => LoggingLevel::Debug,
            LogLevel::Info => LoggingLevel::Info,
            LogLevel::Notice => LoggingLevel::Notice,
            LogLevel::Warning => LoggingLevel::Warning,
            LogLevel::Error => LoggingLevel::Error,
            LogLevel::Critical => LoggingLevel::Critical,
            LogLevel::Alert => LoggingLevel::Alert,
            LogLevel::Emergency => LoggingLevel::Emergency,
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.subscribed.load(Ordering::Relaxed) {
            self.subscriptions.drop_session(self.id);
        }
    }
}

/// A new id for a session or a `subscriptions/listen` stream, the two kinds of subscriber.
fn next_subscriber_id() -> u64 {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Which clients subscribed to which resource URIs (`resources/subscribe`, or on 2026-07-28 a
/// `subscriptions/listen` stream's `resourceSubscriptions`). Bounded: at most
/// 64 per session (`MAX_SUBSCRIPTIONS_PER_SESSION`), only URIs the spec serves (the handler checks), and a
/// session's entries go when the session ends.
#[derive(Default)]
pub struct Subscriptions {
    table: Mutex<Table>,
    /// Set when sessions are shared by several instances (`cluster.rs`): subscriptions then live there.
    shared: std::sync::OnceLock<Arc<dyn SharedSubscriptions>>,
}

/// Subscriptions kept outside this process, for sessions that move between instances: updates reach each
/// subscribed session from the instance holding its event stream (`cluster.rs`).
pub(crate) trait SharedSubscriptions: Send + Sync {
    /// Subscribes the session `session` (its `Mcp-Session-Id`) to `uri`, or unsubscribes it.
    fn set<'a>(
        &'a self,
        session: &'a str,
        uri: &'a str,
        subscribed: bool,
    ) -> BoxFuture<'a, Result<(), SubscribeError>>;
    /// Tells every instance that `uri` changed; returns how many instances heard it.
    fn updated<'a>(&'a self, uri: &'a str) -> BoxFuture<'a, usize>;
    /// This instance's subscriptions, whose `subscriptions/listen` streams hear every instance's updates.
    #[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
    fn hold_listeners(&self, local: std::sync::Weak<Subscriptions>);
}

/// The notification an instance pushes into a session it holds, as if from the client, to have that
/// session's handler send `notifications/resources/updated` on its event stream (`cluster.rs`).
pub(crate) const RESOURCE_UPDATED: &str = "notifications/dev.mcpgen/resource-updated";

/// Why a shared subscription was refused.
#[derive(Debug)]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) enum SubscribeError {
    /// Over [`MAX_SUBSCRIPTIONS_PER_SESSION`].
    TooMany,
    /// The shared store failed.
    Store(String),
}

#[derive(Default)]
struct Table {
    by_uri: HashMap<String, Vec<Subscriber>>,
    per_session: HashMap<u64, usize>,
}

/// A subscriber's id (a session's, or a listen stream's) and where its updates go.
type Subscriber = (u64, Notify);

/// Where a subscriber hears of an update.
#[derive(Clone)]
enum Notify {
    /// A session's client (`resources/subscribe`, before 2026-07-28).
    Session(Peer<RoleServer>),
    /// A 2026-07-28 `subscriptions/listen` stream, which tags each notification with its id.
    Listen(SubscriptionSink),
}

/// A `subscriptions/listen` stream's subscriptions, held while it is open (see [`Subscriptions::listen`]).
pub(crate) struct Listening {
    subscriptions: Arc<Subscriptions>,
    id: u64,
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.subscriptions.drop_session(self.id);
    }
}

/// How many resources one session may be subscribed to at once.
pub(crate) const MAX_SUBSCRIPTIONS_PER_SESSION: usize = 64;

/// A session asked for more than [`MAX_SUBSCRIPTIONS_PER_SESSION`] subscriptions.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooMany;

impl Subscriptions {
    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn subscribe(&self, uri: String, session: u64, peer: Peer<RoleServer>) -> Result<(), TooMany> {
        let mut table = self.table();
        let count = table.per_session.get(&session).copied().unwrap_or(0);
        let already = table
            .by_uri
            .get(&uri)
            .is_some_and(|subscribers| subscribers.iter().any(|(id, _)| *id == session));
        if already {
            return Ok(());
        }
        if count >= MAX_SUBSCRIPTIONS_PER_SESSION {
            return Err(TooMany);
        }
        table
            .by_uri
            .entry(uri)
            .or_default()
            .push((session, Notify::Session(peer)));
        table.per_session.insert(session, count + 1);
        Ok(())
    }

    /// Subscribes a 2026-07-28 `subscriptions/listen` stream to `uris` (already bounded and checked against
    /// the spec) until the returned value drops. A stream is held by one instance, so its subscriptions stay
    /// here even when instances share sessions; updates reach it from every instance (`cluster.rs`).
    pub(crate) fn listen(self: &Arc<Self>, uris: &[String], sink: &SubscriptionSink) -> Listening {
        let id = next_subscriber_id();
        let mut table = self.table();
        let mut count = 0;
        for uri in uris {
            let subscribers = table.by_uri.entry(uri.clone()).or_default();
            // A URI the client named twice is heard once.
            if !subscribers.iter().any(|(subscriber, _)| *subscriber == id) {
                subscribers.push((id, Notify::Listen(sink.clone())));
                count += 1;
            }
        }
        if count > 0 {
            table.per_session.insert(id, count);
        }
        drop(table);
        Listening {
            subscriptions: self.clone(),
            id,
        }
    }

    fn unsubscribe(&self, uri: &str, session: u64) {
        let mut table = self.table();
        let Some(subscribers) = table.by_uri.get_mut(uri) else {
            return;
        };
        let before = subscribers.len();
        subscribers.retain(|(id, _)| *id != session);
        let removed = before - subscribers.len();
        if subscribers.is_empty() {
            table.by_uri.remove(uri);
        }
        if removed > 0 {
            match table.per_session.get_mut(&session) {
                Some(count) if *count > removed => *count -= removed,
                _ => {
                    table.per_session.remove(&session);
                }
            }
        }
    }

    /// Forgets every subscription of a session that ended.
    fn drop_session(&self, session: u64) {
        let mut table = self.table();
        if table.per_session.remove(&session).is_none() {
            return;
        }
        table.by_uri.retain(|_, subscribers| {
            subscribers.retain(|(id, _)| *id != session);
            !subscribers.is_empty()
        });
    }

    /// Subscriptions held, over all sessions (for tests and metrics).
    pub fn len(&self) -> usize {
        self.table().per_session.values().sum()
    }

    /// Whether no session holds a subscription.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps subscriptions in `shared` from now on (set once, before any session starts).
    #[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
    pub(crate) fn share(&self, shared: Arc<dyn SharedSubscriptions>) {
        let _ = self.shared.set(shared);
    }

    /// Where subscriptions live when instances share sessions.
    pub(crate) fn shared(&self) -> Option<&Arc<dyn SharedSubscriptions>> {
        self.shared.get()
    }

    /// Notifies every live subscriber of `uri` and forgets closed connections; returns how many were
    /// notified. When several instances share sessions (a `sessionStore`), the update goes to every
    /// instance, each notifies the subscribed sessions whose event stream it holds, and this returns how
    /// many instances heard it.
    pub async fn notify_updated(&self, uri: &str) -> usize {
        if let Some(shared) = self.shared() {
            return shared.updated(uri).await;
        }
        self.notify_here(uri, true).await
    }

    /// Notifies the subscribers of `uri` this instance holds: sessions too when `sessions`, else only
    /// `subscriptions/listen` streams (when sessions are shared, another path reaches those). How many it
    /// notified.
    pub(crate) async fn notify_here(&self, uri: &str, sessions: bool) -> usize {
        let subscribers: Vec<Notify> = {
            let mut table = self.table();
            let Some(subscribers) = table.by_uri.get_mut(uri) else {
                return 0;
            };
            subscribers.retain(|(_, notify)| match notify {
                Notify::Session(peer) => !peer.is_transport_closed(),
                Notify::Listen(_) => true,
            });
            subscribers
                .iter()
                .map(|(_, notify)| notify.clone())
                .filter(|notify| sessions || matches!(notify, Notify::Listen(_)))
                .collect()
        };
        let mut notified = 0;
        for subscriber in subscribers {
            let param = ResourceUpdatedNotificationParam::new(uri);
            let sent = match subscriber {
                Notify::Session(peer) => peer
                    .notify_resource_updated(param)
                    .await
                    .map_err(|e| e.to_string()),
                Notify::Listen(sink) => sink
                    .send(ServerNotification::ResourceUpdatedNotification(
                        ResourceUpdatedNotification::new(param),
                    ))
                    .await
                    .map_err(|e| e.to_string()),
            };
            match sent {
                Ok(()) => notified += 1,
                Err(error) => tracing::debug!(%error, uri, "could not notify a subscriber"),
            }
        }
        notified
    }
}
