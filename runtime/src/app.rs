//! The [`App`] trait a generated crate implements, and [`run`]: logging, command line, environment,
//! definitions, user state, then the chosen transport.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;

use futures::future::LocalBoxFuture;
use rmcp::model::JsonObject;

use super::cli::{self, Cli, LogFormat};
use super::completion::CompletionRequest;
use super::context::{Ctx, Shared};
use super::defs::{Spec, Transport};
use super::error::{
    BoxError, CompletionResult, HandlerError, PromptResult, ResourceResult, ToolResult,
};
use super::handler::Handler;
use super::prompt::Arguments;
use super::registry::Registry;
use super::tasks::store::Limits;
use super::uri_template::Vars;

/// A server as its spec describes it: the definitions, and the dispatch into the user's handlers.
///
/// mcpgen generates the implementation (`src/generated/server.rs`); the runtime calls each method
/// only for items the spec routes to a handler, with arguments already checked against the spec.
pub trait App: Send + Sync + 'static {
    /// The user's state, shared by every handler through [`Ctx::state`].
    type State: Send + Sync + 'static;

    /// The spec's definitions.
    const SPEC: &'static Spec;

    /// The crate's name (`env!("CARGO_CRATE_NAME")`), whose logs are shown at `info` by default.
    const CRATE_NAME: &'static str;

    /// Builds the state, once, before the server accepts its first request. It runs on the main thread before
    /// serving starts, so its future need not be `Send` (the user's `state::init` never had to be).
    fn init() -> impl Future<Output = Result<Self::State, BoxError>>;

    /// Runs the handler of tool `name` (arguments already match its input schema).
    fn call_tool(
        name: &str,
        ctx: Ctx<Self::State>,
        arguments: JsonObject,
    ) -> impl Future<Output = ToolResult> + Send;

    /// Reads the fixed resource `uri` served by a handler; `requested` is the URI the client sent.
    fn read_resource(
        uri: &str,
        ctx: Ctx<Self::State>,
        requested: &str,
    ) -> impl Future<Output = ResourceResult> + Send {
        let _ = (uri, ctx);
        let error = HandlerError::not_found(format!("Resource not found: {requested}"));
        async move { Err(error) }
    }

    /// Reads a resource through template `name`, whose URI template matched `uri` with `vars`.
    fn read_template(
        name: &str,
        ctx: Ctx<Self::State>,
        uri: &str,
        vars: Vars,
    ) -> impl Future<Output = ResourceResult> + Send {
        let _ = (name, ctx, vars);
        let error = HandlerError::not_found(format!("Resource not found: {uri}"));
        async move { Err(error) }
    }

    /// Builds prompt `name` with its handler (declarative prompts never get here).
    fn get_prompt(
        name: &str,
        ctx: Ctx<Self::State>,
        arguments: Arguments,
    ) -> impl Future<Output = PromptResult> + Send {
        let _ = (ctx, arguments);
        let error = HandlerError::invalid_params(format!("Unknown prompt: {name}"));
        async move { Err(error) }
    }

    /// Completes an argument that has no static `completions:` list in the spec.
    fn complete(
        ctx: Ctx<Self::State>,
        request: CompletionRequest,
    ) -> impl Future<Output = CompletionResult> + Send {
        let _ = (ctx, request);
        async { Ok(Vec::new()) }
    }
}

/// Runs the server `A`; the exit code is non-zero when it cannot start or fails while serving.
pub fn run<A: App>() -> ExitCode {
    run_server(A::SPEC, A::CRATE_NAME, |registry, limits| {
        Box::pin(handler::<A>(registry, limits))
    })
}

/// Builds the handler of some `App`, its state included: all of [`run`] that depends on the `App`.
type BuildHandler = fn(Arc<Registry>, Limits) -> LocalBoxFuture<'static, Result<Handler, BoxError>>;

/// [`run`] with the `App` behind `build`. Not generic, and not `async` (the body of an `async fn`, like a
/// closure's, is compiled again in each crate that polls it), so it and all it calls are compiled once, in
/// this crate, rather than in every generated crate (see `dispatch.rs`).
fn run_server(spec: &'static Spec, crate_name: &str, build: BuildHandler) -> ExitCode {
    let cli = cli::parse(spec);
    init_tracing(cli.log_format, crate_name);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(spec, cli, build)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(spec: &'static Spec, cli: Cli, build: BuildHandler) -> Result<(), BoxError> {
    super::env::check_required(spec.env)?;
    if let Some(key) = &cli.request_state_key {
        super::mrtr::use_key(key)?;
    }
    let registry = Registry::build(spec)?;
    let handler = build(Arc::new(registry), cli.task_limits()).await?;
    match cli.transport {
        Transport::Stdio => serve_stdio(handler).await,
        Transport::StreamableHttp | Transport::Sse => serve_http(handler, &cli).await,
        Transport::Lambda => serve_lambda(handler, &cli).await,
    }
}

/// The handler of `A`, once its state is built.
async fn handler<A: App>(registry: Arc<Registry>, limits: Limits) -> Result<Handler, BoxError> {
    let state = A::init()
        .await
        .map_err(|e| format!("state::init failed: {e}"))?;
    let shared = Arc::new(Shared {
        state,
        subscriptions: Arc::default(),
        logging: A::SPEC.capabilities.logging,
        logger: A::SPEC.server.name,
    });
    Ok(Handler::new::<A>(registry, shared, limits))
}

#[cfg(feature = "lambda")]
async fn serve_lambda(handler: Handler, cli: &Cli) -> Result<(), BoxError> {
    super::lambda::serve(handler, cli).await
}

#[cfg(not(feature = "lambda"))]
async fn serve_lambda(_handler: Handler, _cli: &Cli) -> Result<(), BoxError> {
    Err("this binary was built without the `lambda` feature".into())
}

#[cfg(feature = "stdio")]
async fn serve_stdio(handler: Handler) -> Result<(), BoxError> {
    if !handler.spec().transports.stdio {
        return Err("the spec does not declare the stdio transport".into());
    }
    super::stdio::serve(handler).await
}

#[cfg(not(feature = "stdio"))]
async fn serve_stdio(_handler: Handler) -> Result<(), BoxError> {
    Err("this binary was built without the `stdio` feature".into())
}

#[cfg(any(feature = "streamable-http", feature = "sse"))]
async fn serve_http(handler: Handler, cli: &Cli) -> Result<(), BoxError> {
    let options = super::http::HttpOptions::resolve(handler.spec(), cli)?;
    super::http::serve(handler, options).await
}

#[cfg(not(any(feature = "streamable-http", feature = "sse")))]
async fn serve_http(_handler: Handler, cli: &Cli) -> Result<(), BoxError> {
    Err(format!(
        "this binary was built without the `{}` feature",
        cli.transport.as_str()
    )
    .into())
}

/// Logs to stderr only: on stdio, stdout carries the protocol. `RUST_LOG` overrides the default of
/// `info` for the server's crate and this runtime, and `warn` for other dependencies.
fn init_tracing(format: LogFormat, crate_name: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "warn,{crate_name}=info,{}=info",
            env!("CARGO_CRATE_NAME")
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder.json().with_current_span(false).init(),
    }
}
