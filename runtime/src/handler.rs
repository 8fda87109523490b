//! The rmcp `ServerHandler`: serves the registry's definitions and dispatches to the user's handlers
//! through the generated [`App`], validating tool arguments and results, and containing handler panics.
//!
//! Each request method measures itself (`metrics::measured`) rather than one wrapper around dispatch: rmcp
//! 3.11's streamable HTTP service takes the `ServerHandler` itself and dispatches inside (stateless requests
//! on a transport it builds per request), so a `Service` in front of the handler would miss HTTP, and a
//! forwarding wrapper would restate every handler method.
//!
//! The handler is not generic over the [`App`]: it calls the user's handlers through [`Dispatch`], so it and
//! everything that serves it compile once, in this crate (`dispatch.rs` says why).

// Logging and resources/subscribe are deprecated by newer protocol revisions but still used by clients.
#![allow(deprecated)]

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestMethod,
    CompleteRequestParams, CompleteResult, ContentBlock, CustomNotification, CustomRequest,
    CustomResult, DiscoverResult, GetPromptRequestParams, GetPromptResponse, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Reference,
    ResourceContents, ResourceUpdatedNotificationParam, ServerConfig, SetLevelRequestMethod,
    SetLevelRequestParams, SubscribeRequestMethod, SubscribeRequestParams, SubscriptionFilter,
    Tool, UnsubscribeRequestMethod, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;

use super::app::App;
use super::completion::{CompletionRequest, CompletionTarget, completion_info, filter_prefix};
use super::context::{
    MAX_SUBSCRIPTIONS_PER_SESSION, RESOURCE_UPDATED, Session, Shared, SharedSubscriptions,
    SubscribeError, since_2026,
};
use super::defs::{ExecutionDef, ResourceSource, Spec, TaskSupport, TemplateSource, ToolDef};
use super::dispatch::{Call, Dispatch, Typed};
use super::error::panic_message;
use super::metrics::{measured, measured_tool};
use super::prompt::{Arguments, render};
use super::registry::Registry;
use super::resource::embedded;
use super::tasks::store::{Limits, TaskStore};
use super::tasks::{self, SessionTasks};
use super::validation::invalid_arguments_message;

/// The MCP server: one value per connection (stdio) or HTTP session, sharing the registry and state.
pub(crate) struct Handler {
    registry: Arc<Registry>,
    /// The user's handlers and state.
    app: Arc<dyn Dispatch>,
    session: Arc<Session>,
    /// The server's tasks, when a tool allows them and the transport serves them (`tasks/`).
    tasks: Option<Arc<TaskStore>>,
    /// Ends the session's tasks when the session's handler goes; background tasks run without it.
    scope: Option<Arc<SessionTasks>>,
    /// Serves one connection that outlives its calls (stdio), so 2026-07-28 requests, which have no
    /// session, can still own tasks (`tasks/sep2663.rs`).
    connection: bool,
    /// Serves stateless streamable HTTP: no session outlives a call to poll a 2025-11-25 task, so only
    /// 2026-07-28 requests, whose tasks belong to the principal, get tasks.
    sessionless: bool,
}

impl Clone for Handler {
    fn clone(&self) -> Self {
        Handler {
            registry: self.registry.clone(),
            app: self.app.clone(),
            session: self.session.clone(),
            tasks: self.tasks.clone(),
            scope: self.scope.clone(),
            connection: self.connection,
            sessionless: self.sessionless,
        }
    }
}

impl Handler {
    /// The server `A`, with a task store when a tool allows tasks. The only generic step: all else is compiled
    /// once, here (`dispatch.rs`).
    pub(crate) fn new<A: App>(
        registry: Arc<Registry>,
        shared: Arc<Shared<A::State>>,
        task_limits: Limits,
    ) -> Self {
        let any_task_tool = A::SPEC
            .tools
            .iter()
            .any(|tool| tool.execution.is_some_and(ExecutionDef::allows_tasks));
        Handler::with_tasks(
            registry,
            Arc::new(Typed::<A>(shared)),
            any_task_tool.then(|| TaskStore::new(task_limits)),
        )
    }

    fn with_tasks(
        registry: Arc<Registry>,
        app: Arc<dyn Dispatch>,
        tasks: Option<Arc<TaskStore>>,
    ) -> Self {
        let session = Arc::new(Session::new(app.subscriptions().clone()));
        let scope = tasks
            .clone()
            .map(|store| Arc::new(SessionTasks::new(store, session.id)));
        Handler {
            registry,
            app,
            session,
            tasks,
            scope,
            connection: false,
            sessionless: false,
        }
    }

    /// The server of one connection that lives as long as its tasks (stdio).
    #[cfg(feature = "stdio")]
    pub(crate) fn on_connection(self) -> Self {
        Handler {
            connection: true,
            ..self
        }
    }

    /// Whether this serves one connection that lives as long as its tasks.
    pub(crate) fn is_connection(&self) -> bool {
        self.connection
    }

    /// A server for a new connection or session: same definitions, state and task store, fresh session data.
    #[cfg(any(feature = "streamable-http", feature = "sse"))]
    pub(crate) fn new_session(&self) -> Self {
        if self.sessionless {
            // A stateless request's handler has no session tasks to end when it goes.
            return Handler {
                tasks: self.tasks.clone(),
                sessionless: true,
                ..Handler::with_tasks(self.registry.clone(), self.app.clone(), None)
            };
        }
        Handler::with_tasks(self.registry.clone(), self.app.clone(), self.tasks.clone())
    }

    /// The same server for stateless streamable HTTP (see `sessionless`).
    #[cfg(feature = "streamable-http")]
    pub(crate) fn sessionless(&self) -> Self {
        Handler {
            sessionless: true,
            ..self.clone()
        }
        .new_session()
    }

    /// Whether 2025-11-25 tasks, which a session polls, can be served here.
    pub(crate) fn has_sessions(&self) -> bool {
        !self.sessionless
    }

    /// The same server without tasks, for transports where no session could poll one.
    #[cfg(any(feature = "lambda", feature = "sse"))]
    pub(crate) fn without_tasks(&self) -> Self {
        Handler::with_tasks(self.registry.clone(), self.app.clone(), None)
    }

    /// A second session of the same server, sharing its task store (as `new_session`, in any build).
    #[cfg(all(test, feature = "stdio"))]
    pub(crate) fn another_session(&self) -> Self {
        Handler::with_tasks(self.registry.clone(), self.app.clone(), self.tasks.clone())
    }

    /// Keeps resource subscriptions in `shared`, for sessions shared by several instances.
    #[cfg(feature = "streamable-http")]
    pub(crate) fn share_subscriptions(&self, shared: Arc<dyn SharedSubscriptions>) {
        shared.hold_listeners(Arc::downgrade(self.app.subscriptions()));
        self.app.subscriptions().share(shared);
    }

    /// The task store, when tasks are served here at all.
    pub(crate) fn tasks(&self) -> Option<&Arc<TaskStore>> {
        self.tasks.as_ref()
    }

    /// The same session for a task running in the background: it must not keep the session's tasks alive.
    pub(crate) fn detached(&self) -> Self {
        Handler {
            scope: None,
            ..self.clone()
        }
    }

    /// Who owns the tasks this session creates.
    pub(crate) fn session_id(&self) -> u64 {
        self.session.id
    }

    pub(crate) fn task_support(&self, tool: &str) -> Option<TaskSupport> {
        self.registry.task_support(tool)
    }

    /// The shared subscriptions and the session's `Mcp-Session-Id`, when instances share sessions.
    fn shared_subscriptions<'a>(
        &'a self,
        extensions: &'a rmcp::model::Extensions,
    ) -> Option<(&'a Arc<dyn SharedSubscriptions>, &'a str)> {
        let shared = self.app.subscriptions().shared()?;
        let session = extensions
            .get::<http::request::Parts>()?
            .headers
            .get("mcp-session-id")?
            .to_str()
            .ok()?;
        Some((shared, session))
    }

    /// The spec's definitions.
    pub(crate) fn spec(&self) -> &'static Spec {
        self.app.spec()
    }

    /// Whether `uri` is a resource the spec serves, or matches one of its templates.
    fn serves(&self, uri: &str) -> bool {
        self.registry.resources.iter().any(|r| r.uri == uri)
            || self
                .registry
                .template_matchers
                .iter()
                .any(|matcher| matcher.matches(uri).is_some())
    }

    /// `request` in this session, for a handler.
    fn call(&self, request: RequestContext<RoleServer>) -> Call {
        Call {
            request,
            session: self.session.clone(),
        }
    }

    async fn run_tool(
        &self,
        def: &ToolDef,
        index: usize,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let checks = &self.registry.tool_checks[index];
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let input = match checks.input.get() {
            Ok(input) => input,
            Err(error) => return Ok(schema_broken(def.name, "inputSchema", error)),
        };
        let violations = input.violations(&arguments);
        if !violations.is_empty() {
            return Ok(CallToolResult::error(vec![ContentBlock::text(
                invalid_arguments_message(def.name, &violations),
            )]));
        }
        let Value::Object(arguments) = arguments else {
            unreachable!("arguments were built as an object")
        };

        let result = match guarded(
            || format!("tool '{}'", def.name),
            self.app.call_tool(def.name, self.call(context), arguments),
        )
        .await
        {
            Ok(Ok(result)) => result,
            Ok(Err(error)) => error.into_result()?,
            Err(message) => CallToolResult::error(vec![ContentBlock::text(message)]),
        };

        // A result that breaks the tool's own outputSchema is a server bug: say so rather than send it.
        let Some(output) = &checks.output else {
            return Ok(result);
        };
        let output = match output.get() {
            Ok(output) => output,
            Err(error) => return Ok(schema_broken(def.name, "outputSchema", error)),
        };
        if result.is_error == Some(true) {
            return Ok(result);
        }
        let problem = match &result.structured_content {
            None => "returned no structuredContent although it declares an outputSchema".to_owned(),
            Some(value) => {
                let violations = output.violations(value);
                if violations.is_empty() {
                    return Ok(result);
                }
                format!(
                    "returned a result that does not match its outputSchema:\n- {}",
                    violations.join("\n- ")
                )
            }
        };
        tracing::error!(tool = def.name, "tool {problem}");
        Ok(CallToolResult::error(vec![ContentBlock::text(format!(
            "Internal error: tool '{}' {problem}",
            def.name
        ))]))
    }
}

/// The result of a call to a tool whose schema does not compile (only after a hand edit of a generated file).
fn schema_broken(tool: &str, which: &str, error: &str) -> CallToolResult {
    tracing::error!(tool, "the tool's {which} does not compile: {error}");
    CallToolResult::error(vec![ContentBlock::text(format!(
        "Internal error: the {which} of tool '{tool}' does not compile: {error}"
    ))])
}

/// Runs a handler future, turning a panic into an error message (logged with its payload) so one
/// failing call cannot take the server down.
///
/// The handler's future comes boxed ([`Dispatch`] boxes it). Inline, the dispatch's state machine (every
/// handler's, through the `match` in the generated `App`) made each request's future large, and rmcp
/// and tokio move a request's future several times: callgrind counted ~4x the memcpy of a hand-written
/// rmcp server per stateless HTTP call (bench/, BENCHMARKS.md). rmcp's own tool router boxes every
/// tool future the same way.
///
/// `what` names the handler in the message; it is built only when a panic happens, off the hot path.
async fn guarded<'a, T: 'a>(
    what: impl FnOnce() -> String + Send + 'a,
    future: BoxFuture<'a, T>,
) -> Result<T, String> {
    AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .map_err(|payload| {
            let what = what();
            tracing::error!(panic = %panic_message(payload.as_ref()), "{what} panicked");
            format!("Internal error: {what} failed unexpectedly (the server log has details)")
        })
}

/// The store that holds a cluster's subscriptions failed: the client may retry.
fn store_unavailable(error: String) -> ErrorData {
    tracing::warn!(%error, "cannot reach the shared subscriptions");
    ErrorData::internal_error("the session store is unreachable; retry later", None)
}

/// The content of a resource (or of a template's, its variables as `arguments`) the spec implements with HTTP.
#[cfg(feature = "http-tools")]
async fn http_contents(
    http: &crate::declarative::HttpTool,
    arguments: &rmcp::model::JsonObject,
    uri: &str,
    mime_type: Option<&str>,
) -> Result<Vec<ResourceContents>, ErrorData> {
    let bytes = crate::declarative::http::read(http, arguments)
        .await
        .map_err(|message| {
            ErrorData::internal_error(format!("Reading resource {uri}: {message}"), None)
        })?;
    Ok(vec![embedded(uri, mime_type, &bytes)])
}

/// A resource or template the spec implements with HTTP, in a build without the runtime's `http-tools` feature
/// (a generated crate turns it on; only a hand-made `Cargo.toml` can lack it).
#[cfg(not(feature = "http-tools"))]
fn http_tools_off() -> ErrorData {
    ErrorData::internal_error(
        "HTTP resources need the runtime's `http-tools` feature",
        None,
    )
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        "Resource not found",
        Some(serde_json::json!({ "uri": uri })),
    )
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        self.registry.info.clone()
    }

    async fn discover(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<DiscoverResult, ErrorData> {
        let mut info = self.get_info();
        tasks::sep2663::advertise(self, &context, &mut info.capabilities);
        Ok(DiscoverResult::from_server_info(
            self.supported_protocol_versions().into_owned(),
            info,
        ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        measured("tools/list", async move {
            Ok(ListToolsResult::with_all_items(self.registry.tools.clone()))
        })
        .await
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.registry
            .tool(name)
            .map(|index| self.registry.tools[index].clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // On 2026-07-28, the server decides whether a call becomes a task (SEP-2663). Boxed, like what
        // `measured` runs, so that this method's future stays small (see `metrics::measured`).
        let task = Box::pin(tasks::sep2663::call(self, &request, &context));
        if let Some(response) = task.await? {
            return Ok(response);
        }
        let index = self.registry.tool(&request.name);
        // Counted under the tool's name only when the spec has it: the label's values stay a closed set.
        let tool = index.map_or("", |index| self.registry.tool_checks[index].def.name);
        let call = async move {
            let Some(index) = index else {
                return Err(ErrorData::invalid_params(
                    format!("Unknown tool: {}", request.name),
                    None,
                ));
            };
            let def = self.registry.tool_checks[index].def;
            // A plain call of a `required` tool is refused; the same call running as its task is not.
            if tasks::served(self, &context).is_some()
                && def.task_support() == TaskSupport::Required
                && context.extensions.get::<tasks::RunningTask>().is_none()
            {
                return Err(tasks::task_required(def.name));
            }
            // A plain 2026-07-28 call asks the client by answering `input_required` (SEP-2322).
            let round = crate::mrtr::plain_round(&request, &context)?;
            crate::mrtr::run_in(round, context, |context| async move {
                Ok(self.run_tool(def, index, request, context).await?.into())
            })
            .await
        };
        measured_tool(tool, call, |response| {
            matches!(response, CallToolResponse::Complete(result) if result.is_error == Some(true))
        })
        .await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        measured("resources/list", async move {
            Ok(ListResourcesResult::with_all_items(
                self.registry.resources.clone(),
            ))
        })
        .await
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        measured("resources/templates/list", async move {
            Ok(ListResourceTemplatesResult::with_all_items(
                self.registry.templates.clone(),
            ))
        })
        .await
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        measured("resources/read", async move {
            let uri = request.uri;
            let contents: Vec<ResourceContents> =
                if let Some(def) = self.spec().resources.iter().find(|def| def.uri == uri) {
                    match def.source {
                        ResourceSource::Text(text) => {
                            let contents = ResourceContents::text(text, &uri);
                            vec![match def.mime_type {
                                Some(mime) => contents.with_mime_type(mime),
                                None => contents,
                            }]
                        }
                        ResourceSource::File(bytes) => vec![embedded(&uri, def.mime_type, bytes)],
                        #[cfg(feature = "http-tools")]
                        ResourceSource::Http(http) => {
                            http_contents(http, &Default::default(), &uri, def.mime_type).await?
                        }
                        #[cfg(not(feature = "http-tools"))]
                        ResourceSource::Http(_) => return Err(http_tools_off()),
                        ResourceSource::Path(file) => {
                            let bytes =
                                crate::declarative::file::read(file)
                                    .await
                                    .map_err(|message| {
                                        ErrorData::internal_error(
                                            format!("Reading resource {uri}: {message}"),
                                            None,
                                        )
                                    })?;
                            vec![embedded(&uri, def.mime_type, &bytes)]
                        }
                        ResourceSource::Handler => guarded(
                            || format!("resource '{}'", def.uri),
                            self.app.read_resource(def.uri, self.call(context), &uri),
                        )
                        .await
                        .map_err(|message| ErrorData::internal_error(message, None))??
                        .into_contents(&uri, def.mime_type),
                    }
                } else {
                    let found = self
                        .registry
                        .template_matchers
                        .iter()
                        .zip(self.spec().templates)
                        .find_map(|(matcher, def)| matcher.matches(&uri).map(|vars| (def, vars)));
                    let Some((def, vars)) = found else {
                        return Err(not_found(&uri));
                    };
                    match def.source {
                        #[cfg(feature = "http-tools")]
                        TemplateSource::Http(http) => {
                            let arguments = vars
                                .iter()
                                .map(|(name, value)| (name.to_owned(), value.into()))
                                .collect();
                            http_contents(http, &arguments, &uri, def.mime_type).await?
                        }
                        #[cfg(not(feature = "http-tools"))]
                        TemplateSource::Http(_) => return Err(http_tools_off()),
                        TemplateSource::Handler => guarded(
                            || format!("resource template '{}'", def.name),
                            self.app
                                .read_template(def.name, self.call(context), &uri, vars),
                        )
                        .await
                        .map_err(|message| ErrorData::internal_error(message, None))??
                        .into_contents(&uri, def.mime_type),
                    }
                };
            Ok(ReadResourceResult::new(contents).into())
        })
        .await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        measured("prompts/list", async move {
            Ok(ListPromptsResult::with_all_items(
                self.registry.prompts.clone(),
            ))
        })
        .await
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        measured("prompts/get", async move {
            let Some(def) = self
                .spec()
                .prompts
                .iter()
                .find(|def| def.name == request.name)
            else {
                return Err(ErrorData::invalid_params(
                    format!("Unknown prompt: {}", request.name),
                    None,
                ));
            };
            // A plain 2026-07-28 `prompts/get` asks the client by answering `input_required` too.
            let round = crate::mrtr::plain_round(&request, &context)?;
            let arguments = Arguments::check(def, request.arguments)?;
            if def.messages.is_some() {
                return Ok(render(def, &arguments).into());
            }
            crate::mrtr::run_in(round, context, |context| async move {
                let result = guarded(
                    || format!("prompt '{}'", def.name),
                    self.app.get_prompt(def.name, self.call(context), arguments),
                )
                .await
                .map_err(|message| ErrorData::internal_error(message, None))??;
                Ok(result.into())
            })
            .await
        })
        .await
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        measured("completion/complete", async move {
            if !self.spec().capabilities.completions {
                return Err(ErrorData::method_not_found::<CompleteRequestMethod>());
            }
            let argument = request.argument;
            let (target, statics): (CompletionTarget, &[&str]) = match &request.r#ref {
                Reference::Prompt(reference) => {
                    let def = self
                        .spec()
                        .prompts
                        .iter()
                        .find(|def| def.name == reference.name)
                        .ok_or_else(|| {
                            ErrorData::invalid_params(
                                format!("Unknown prompt: {}", reference.name),
                                None,
                            )
                        })?;
                    let arg = def
                        .arguments
                        .iter()
                        .find(|a| a.name == argument.name)
                        .ok_or_else(|| {
                            ErrorData::invalid_params(
                                format!(
                                    "Prompt '{}' has no argument '{}'",
                                    def.name, argument.name
                                ),
                                None,
                            )
                        })?;
                    (CompletionTarget::Prompt(def.name), arg.completions)
                }
                Reference::Resource(reference) => {
                    let (def, matcher) = self
                        .spec()
                        .templates
                        .iter()
                        .zip(&self.registry.template_matchers)
                        .find(|(def, _)| def.uri_template == reference.uri)
                        .ok_or_else(|| {
                            ErrorData::invalid_params(
                                format!("Unknown resource template: {}", reference.uri),
                                None,
                            )
                        })?;
                    if !matcher.variables().any(|v| v == argument.name) {
                        return Err(ErrorData::invalid_params(
                            format!(
                                "Template '{}' has no variable '{}'",
                                def.uri_template, argument.name
                            ),
                            None,
                        ));
                    }
                    let statics = def
                        .completions
                        .iter()
                        .find(|(name, _)| *name == argument.name)
                        .map_or(&[][..], |(_, values)| *values);
                    (CompletionTarget::Template(def.name), statics)
                }
                _ => {
                    return Err(ErrorData::invalid_params(
                        "Unsupported completion reference",
                        None,
                    ));
                }
            };
            let values = if statics.is_empty() {
                let hook_request = CompletionRequest {
                    target,
                    argument: argument.name,
                    value: argument.value,
                    context: request
                        .context
                        .and_then(|c| c.arguments)
                        .unwrap_or_default(),
                };
                guarded(
                    || "the completion hook".to_owned(),
                    self.app.complete(self.call(context), hook_request),
                )
                .await
                .map_err(|message| ErrorData::internal_error(message, None))??
            } else {
                filter_prefix(statics.iter().copied(), &argument.value)
            };
            Ok(CompleteResult::new(completion_info(values)))
        })
        .await
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        measured("logging/setLevel", async move {
            if !self.spec().capabilities.logging || since_2026(&context) {
                return Err(ErrorData::method_not_found::<SetLevelRequestMethod>());
            }
            self.session.set_log_level(request.level);
            Ok(())
        })
        .await
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        measured("resources/subscribe", async move {
            if !self.spec().capabilities.resources_subscribe || since_2026(&context) {
                return Err(ErrorData::method_not_found::<SubscribeRequestMethod>());
            }
            // Only what the spec serves, so a client cannot fill the table with URIs of its own choosing.
            if !self.serves(&request.uri) {
                return Err(not_found(&request.uri));
            }
            let too_many = || {
                ErrorData::invalid_params(
                    format!(
                        "too many subscriptions: a session may hold {MAX_SUBSCRIPTIONS_PER_SESSION}; unsubscribe first"
                    ),
                    None,
                )
            };
            if let Some((shared, session)) = self.shared_subscriptions(&context.extensions) {
                return shared
                    .set(session, &request.uri, true)
                    .await
                    .map_err(|error| match error {
                        SubscribeError::TooMany => too_many(),
                        SubscribeError::Store(error) => store_unavailable(error),
                    });
            }
            self.session
                .subscribe(request.uri, context.peer)
                .map_err(|_| too_many())
        })
        .await
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        measured("resources/unsubscribe", async move {
            if !self.spec().capabilities.resources_subscribe || since_2026(&context) {
                return Err(ErrorData::method_not_found::<UnsubscribeRequestMethod>());
            }
            if let Some((shared, session)) = self.shared_subscriptions(&context.extensions) {
                return shared.set(session, &request.uri, false).await.map_err(
                    |error| match error {
                        SubscribeError::TooMany => unreachable!("unsubscribing adds nothing"),
                        SubscribeError::Store(error) => store_unavailable(error),
                    },
                );
            }
            self.session.unsubscribe(&request.uri);
            Ok(())
        })
        .await
    }

    /// 2026-07-28's `subscriptions/listen` without task ids (those are `tasks/listen.rs`'s): the list-changed
    /// categories, which rmcp narrows to those the spec advertises (the lists are the spec's, so none fires),
    /// and the `resourceSubscriptions` the spec serves, as many as `resources/subscribe` allows a session.
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let caps = &self.spec().capabilities;
        let any = caps.tools_list_changed
            || caps.prompts_list_changed
            || caps.resources_list_changed
            || caps.resources_subscribe;
        if !any {
            return None;
        }
        let mut accepted = SubscriptionFilter::default();
        accepted.tools_list_changed = Some(true);
        accepted.prompts_list_changed = Some(true);
        accepted.resources_list_changed = Some(true);
        // rmcp acknowledges the requested URIs found here, in the client's order (a repeated one too).
        accepted.resource_subscriptions = requested.resource_subscriptions.as_ref().map(|uris| {
            let mut seen = HashSet::new();
            uris.iter()
                .filter(|uri| self.serves(uri) && seen.insert(uri.as_str()))
                .take(MAX_SUBSCRIPTIONS_PER_SESSION)
                .cloned()
                .collect()
        });
        Some(accepted)
    }

    /// Holds the accepted resource subscriptions until the client cancels the stream (rmcp sent the
    /// acknowledgement; `Ctx::notify_resource_updated` reaches the stream through its sink).
    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let uris = context.accepted().resource_subscriptions.clone();
        let _listening = self
            .app
            .subscriptions()
            .listen(&uris.unwrap_or_default(), context.sink());
        context.cancelled().await;
        Ok(())
    }

    /// An update another instance announced for a session whose event stream this instance holds
    /// (`cluster.rs` pushes it into the session with no HTTP request: a client's own notification carries
    /// one and is ignored).
    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        context: NotificationContext<RoleServer>,
    ) {
        let from_cluster = notification.method == RESOURCE_UPDATED
            && self.app.subscriptions().shared().is_some()
            && context.extensions.get::<http::request::Parts>().is_none();
        let uri = notification
            .params
            .as_ref()
            .and_then(|params| params.get("uri"))
            .and_then(Value::as_str);
        if let (true, Some(uri)) = (from_cluster, uri) {
            let updated = ResourceUpdatedNotificationParam::new(uri);
            if let Err(error) = context.peer.notify_resource_updated(updated).await {
                tracing::debug!(%error, uri, "could not notify a subscriber");
            }
        }
    }

    /// rmcp hands over a request whose params do not fit its method's shape (`tools/call` without a string
    /// `name`) as a custom request; that is invalid params (-32602), not an unknown method.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        measured("custom", async move {
            let removed =
                since_2026(&context) && REMOVED_IN_2026.contains(&request.method.as_str());
            // tasks/result, tasks/list, and the task requests the transport renamed (`tasks/wire.rs`).
            let request = match tasks::handle(self, request, context).await {
                Ok(answer) => return answer,
                Err(request) => request,
            };
            if STANDARD_REQUESTS.contains(&request.method.as_str()) && !removed {
                return Err(ErrorData::invalid_params(
                    format!("invalid params for `{}`", request.method),
                    None,
                ));
            }
            Err(ErrorData::new(
                rmcp::model::ErrorCode::METHOD_NOT_FOUND,
                request.method,
                None,
            ))
        })
        .await
    }
}

/// The methods 2026-07-28 removed (SEP-2575): a request of that version naming one is an unknown method there
/// (-32601, which rmcp answers with HTTP 404 on streamable HTTP), not one to refuse for its params. rmcp answers a well-formed `initialize` itself, as a legacy client's handshake;
/// one without its params, like the others with params rmcp cannot read, arrives as a custom request.
const REMOVED_IN_2026: &[&str] = &[
    "initialize",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// The client-to-server request methods rmcp parses itself.
const STANDARD_REQUESTS: &[&str] = &[
    "initialize",
    "ping",
    "server/discover",
    "completion/complete",
    "logging/setLevel",
    "prompts/get",
    "prompts/list",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
    "resources/directory/read",
    "subscriptions/listen",
    "tools/call",
    "tools/list",
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
    "skills/list",
    "skills/get",
];

#[cfg(test)]
mod tests {
    use rmcp::ServiceExt as _;
    use rmcp::model::{ErrorCode, SubscribeRequestParams};

    use super::*;
    use crate::context::Subscriptions;
    use crate::testing::TestApp;

    /// A handler for the test spec served over an in-memory pipe, a client connected to it, and the table of
    /// subscriptions the server shares.
    async fn connected() -> (
        rmcp::service::RunningService<rmcp::RoleClient, ()>,
        Arc<Subscriptions>,
    ) {
        let subscriptions = Arc::new(Subscriptions::default());
        let handler = crate::testing::handler::<TestApp>(subscriptions.clone());
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            if let Ok(running) = handler.serve(server_io).await {
                let _ = running.waiting().await;
            }
        });
        let client = ().serve(client_io).await.unwrap();
        (client, subscriptions)
    }

    #[tokio::test]
    async fn subscriptions_are_bounded_and_end_with_their_session() {
        let (client, subscriptions) = connected().await;
        let subscribe = |uri: String| client.subscribe(SubscribeRequestParams::new(uri));

        // Only what the spec serves: a client cannot fill the table with URIs of its own.
        let refused = subscribe("test://elsewhere/".repeat(200))
            .await
            .unwrap_err();
        let rmcp::ServiceError::McpError(error) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND);
        assert!(subscriptions.is_empty());

        subscribe("test://readme".to_owned()).await.unwrap();
        subscribe("test://readme".to_owned()).await.unwrap();
        for i in 1..MAX_SUBSCRIPTIONS_PER_SESSION {
            subscribe(format!("test://items/{i}")).await.unwrap();
        }
        assert_eq!(subscriptions.len(), MAX_SUBSCRIPTIONS_PER_SESSION);
        let full = subscribe("test://items/one-more".to_owned())
            .await
            .unwrap_err();
        let rmcp::ServiceError::McpError(error) = full else {
            panic!("{full:?}")
        };
        assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
        client
            .unsubscribe(rmcp::model::UnsubscribeRequestParams::new("test://items/1"))
            .await
            .unwrap();
        assert_eq!(subscriptions.len(), MAX_SUBSCRIPTIONS_PER_SESSION - 1);
        subscribe("test://items/one-more".to_owned()).await.unwrap();

        // The client goes away: the session ends and takes its subscriptions with it.
        client.cancel().await.unwrap();
        for _ in 0..100 {
            if subscriptions.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(subscriptions.is_empty(), "{} left", subscriptions.len());
    }

    #[tokio::test]
    async fn guarded_turns_a_panic_into_an_error_message() {
        assert_eq!(
            guarded(|| "tool 'ok'".to_owned(), Box::pin(async { 7 })).await,
            Ok(7)
        );
        let error = guarded(
            || "tool 'boom'".to_owned(),
            Box::pin(async { panic!("secret detail") }),
        )
        .await
        .unwrap_err();
        assert!(error.contains("tool 'boom' failed unexpectedly"), "{error}");
        assert!(!error.contains("secret detail"), "{error}");
    }
}
