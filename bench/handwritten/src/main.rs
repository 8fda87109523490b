//! The hand-written rmcp 3.9 contender: the same two tools as every other contender, written with rmcp's tool
//! macros the way its README and tests do, and tuned the two ways REFERENCE.md measured: `stdio_pipes()` for stdio
//! and TCP_NODELAY for HTTP. Same runtime flavour as the generated server (multi-thread tokio). Like every rmcp
//! example it logs through `tracing_subscriber` (to stderr, `RUST_LOG` or this crate's default filter, the same
//! one the generated server uses) and, over HTTP, shuts down gracefully on Ctrl-C through a cancellation token.
//!
//! Usage: rmcp-hand stdio | rmcp-hand http PORT stateless|stateful

use std::sync::Arc;

use axum::serve::ListenerExt as _;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, ServiceExt as _, schemars, tool, tool_handler, tool_router};

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    a: i64,
    b: i64,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    text: String,
}

#[derive(Clone)]
struct Bench {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Bench {
    fn new() -> Self {
        Bench {
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Add two integers and return the sum as text.")]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        a.wrapping_add(b).to_string()
    }

    #[tool(description = "Return the text unchanged.")]
    fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Bench {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("rmcp-hand", "0.1.0"))
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rmcp_hand=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args[..] {
        ["stdio"] => {
            tracing::info!("serving MCP over stdio");
            let running = Bench::new().serve(rmcp::transport::stdio_pipes()).await?;
            running.waiting().await?;
            Ok(())
        }
        ["http", port, mode @ ("stateless" | "stateful")] => {
            serve_http(port.parse()?, mode == "stateful").await
        }
        _ => Err("usage: rmcp-hand stdio | rmcp-hand http PORT stateless|stateful".into()),
    }
}

async fn serve_http(port: u16, stateful: bool) -> Result<(), BoxError> {
    // Build the tool router once; each session (stateful) or request (stateless) gets a cheap clone.
    let prototype = Bench::new();
    let factory = move || Ok(prototype.clone());
    let cancel = tokio_util::sync::CancellationToken::new();
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(stateful)
        .with_json_response(!stateful)
        .with_cancellation_token(cancel.child_token());
    let app = if stateful {
        let service =
            StreamableHttpService::new(factory, Arc::new(LocalSessionManager::default()), config);
        axum::Router::new().route_service("/mcp", service)
    } else {
        let service =
            StreamableHttpService::new(factory, Arc::new(NeverSessionManager::default()), config);
        axum::Router::new().route_service("/mcp", service)
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    // Stateful replies are SSE streams written in small pieces: without TCP_NODELAY, Nagle + delayed ACK stall ~40 ms.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    tracing::info!(port, stateful, "serving streamable HTTP");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            cancel.cancel();
        })
        .await?;
    Ok(())
}
