//! The stdio transport: JSON-RPC lines on stdin/stdout (logs go to stderr).

use rmcp::ServiceExt as _;

use super::error::BoxError;
use super::handler::Handler;
use super::shutdown;
use super::tasks::stdio::{TaskCodec, TaskTransport};

/// Serves one client until it closes stdin or a shutdown signal arrives.
pub(crate) async fn serve(server: Handler) -> Result<(), BoxError> {
    // One handler for the whole connection: it can hold 2026-07-28 tasks.
    let server = server.on_connection();
    // `stdio_pipes` reads pipes without tokio's blocking thread pool: several times faster than `stdio()`.
    let pipes = rmcp::transport::stdio_pipes();
    let tools = server.spec().tools;
    let running = if crate::tasks::wire::writes_execution(tools) {
        // rmcp's own line transport cannot carry tasks or `execution` (`tasks/wire.rs`).
        let (read, write) = pipes;
        let codec = TaskCodec::new(server.tasks().is_some(), tools);
        server.serve(TaskTransport::new(read, write, codec)).await?
    } else {
        server.serve(pipes).await?
    };
    tracing::info!("serving MCP over stdio");
    let cancel = running.cancellation_token();
    tokio::select! {
        quit = running.waiting() => {
            tracing::info!(reason = ?quit?, "stdio session ended");
        }
        () = shutdown::signal() => {
            cancel.cancel();
        }
    }
    Ok(())
}
