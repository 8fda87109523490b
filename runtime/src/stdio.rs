//! The stdio transport: JSON-RPC lines on stdin/stdout (logs go to stderr).

use rmcp::ServiceExt as _;

use super::app::App;
use super::error::BoxError;
use super::handler::Handler;
use super::shutdown;
use super::tasks::stdio::TaskCodec;

/// Serves one client until it closes stdin or a shutdown signal arrives.
pub(crate) async fn serve<A: App>(server: Handler<A>) -> Result<(), BoxError> {
    // `stdio_pipes` reads pipes without tokio's blocking thread pool: several times faster than `stdio()`.
    let pipes = rmcp::transport::stdio_pipes();
    let execution = A::SPEC.capabilities.tool_execution;
    let running = if !execution.is_empty() {
        // rmcp's own line transport cannot carry tasks or `execution` (`tasks/wire.rs`).
        let codec = TaskCodec {
            tasks: server.tasks().is_some(),
            execution,
        };
        let (read, write) = pipes;
        let read = tokio_util::codec::FramedRead::new(read, codec);
        let read = futures::StreamExt::filter_map(read, |line| async move {
            line.inspect_err(|error| tracing::warn!(%error, "stdin"))
                .ok()
        });
        let write = tokio_util::codec::FramedWrite::new(write, codec);
        server.serve((write, Box::pin(read))).await?
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
