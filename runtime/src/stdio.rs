//! The stdio transport: JSON-RPC lines on stdin/stdout (logs go to stderr).

use rmcp::ServiceExt as _;

use super::app::App;
use super::error::BoxError;
use super::handler::Handler;
use super::shutdown;

/// Serves one client until it closes stdin or a shutdown signal arrives.
pub(crate) async fn serve<A: App>(server: Handler<A>) -> Result<(), BoxError> {
    // `stdio_pipes` reads pipes without tokio's blocking thread pool: several times faster than `stdio()`.
    let running = server.serve(rmcp::transport::stdio_pipes()).await?;
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
