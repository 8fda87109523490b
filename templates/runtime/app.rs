//! Start-up: logging, command line, environment, definitions, user state, then the chosen transport.

use std::process::ExitCode;
use std::sync::Arc;

use super::cli::{self, Cli, LogFormat};
use super::context::Shared;
use super::defs::Transport;
use super::error::BoxError;
use super::handler::Server;
use super::registry::Registry;
use crate::generated::server as spec;

/// Runs the server; the exit code is non-zero when it cannot start or fails while serving.
pub(crate) fn main() -> ExitCode {
    let cli = cli::parse();
    init_tracing(cli.log_format);
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), BoxError> {
    super::env::check_required()?;
    let registry = Registry::build()?;
    let state = crate::state::init()
        .await
        .map_err(|e| format!("state::init failed: {e}"))?;
    let shared = Arc::new(Shared {
        state,
        subscriptions: Arc::default(),
        logging: spec::CAPABILITIES.logging,
        logger: spec::SERVER.name,
    });
    let server = Server::new(Arc::new(registry), shared);
    match cli.transport {
        Transport::Stdio => serve_stdio(server).await,
        Transport::StreamableHttp | Transport::Sse => serve_http(server, &cli).await,
    }
}

#[cfg(feature = "stdio")]
async fn serve_stdio(server: Server) -> Result<(), BoxError> {
    if !spec::TRANSPORTS.stdio {
        return Err("the spec does not declare the stdio transport".into());
    }
    super::stdio::serve(server).await
}

#[cfg(not(feature = "stdio"))]
async fn serve_stdio(_server: Server) -> Result<(), BoxError> {
    Err("this binary was built without the `stdio` feature".into())
}

#[cfg(any(feature = "streamable-http", feature = "sse"))]
async fn serve_http(server: Server, cli: &Cli) -> Result<(), BoxError> {
    let options = super::http::HttpOptions::resolve(cli)?;
    super::http::serve(server, options).await
}

#[cfg(not(any(feature = "streamable-http", feature = "sse")))]
async fn serve_http(_server: Server, cli: &Cli) -> Result<(), BoxError> {
    Err(format!(
        "this binary was built without the `{}` feature",
        cli.transport.as_str()
    )
    .into())
}

/// Logs to stderr only: on stdio, stdout carries the protocol. `RUST_LOG` overrides the default of
/// `info` for this crate and `warn` for dependencies.
fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("warn,{}=info", env!("CARGO_CRATE_NAME"))));
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
