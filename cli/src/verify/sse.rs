//! A minimal legacy HTTP+SSE (MCP 2024-11-05) client transport: rmcp 3.11 ships none.
//!
//! `GET url` opens an event stream whose first `endpoint` event names where to POST messages (relative
//! URLs resolve against `url`); each server message then arrives as a `message` event.

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use rmcp::RoleClient;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
use sse_stream::SseStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum SseError {
    #[error("{0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Protocol(String),
}

pub struct SseClient {
    http: reqwest::Client,
    token: Option<String>,
    post_url: url::Url,
    messages: mpsc::Receiver<ServerJsonRpcMessage>,
    reader: JoinHandle<()>,
}

impl SseClient {
    /// Opens the event stream and waits (up to `timeout`) for the `endpoint` event. `token`: a bearer token
    /// sent with every request.
    pub async fn connect(
        url: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> Result<Self, SseError> {
        let base = url::Url::parse(url).map_err(|e| SseError::Protocol(format!("{url}: {e}")))?;
        let http = reqwest::Client::new();
        let mut request = http.get(url).header("Accept", "text/event-stream");
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?.error_for_status()?;
        let (endpoint_tx, endpoint_rx) = oneshot::channel();
        let (tx, messages) = mpsc::channel(64);
        let reader = tokio::spawn(read_events(response.bytes_stream(), endpoint_tx, tx));
        let endpoint = match tokio::time::timeout(timeout, endpoint_rx).await {
            Ok(Ok(endpoint)) => endpoint,
            Ok(Err(_)) => {
                return Err(SseError::Protocol(
                    "the event stream ended before the endpoint event".into(),
                ));
            }
            Err(_) => {
                reader.abort();
                return Err(SseError::Protocol(format!(
                    "no endpoint event within {timeout:?}"
                )));
            }
        };
        let post_url = base
            .join(&endpoint)
            .map_err(|e| SseError::Protocol(format!("endpoint {endpoint:?}: {e}")))?;
        Ok(SseClient {
            http,
            token,
            post_url,
            messages,
            reader,
        })
    }
}

/// Reads the event stream: the first `endpoint` event goes to `endpoint`, `message` events to `messages`.
///
/// The bytes are parsed by `sse-stream`, the parser rmcp's own SSE transports use: it splits lines on bytes and
/// decodes each complete line as UTF-8, so a chunk boundary inside a multibyte character or between the CR and
/// LF of a line ending changes nothing. The stream ends at the body's end or first error, a malformed line
/// included (the parser drops the rest of that chunk, so what followed could not be trusted); dropping
/// `messages` then tells rmcp the transport closed.
async fn read_events<S, D, E>(
    chunks: S,
    endpoint: oneshot::Sender<String>,
    messages: mpsc::Sender<ServerJsonRpcMessage>,
) where
    S: Stream<Item = Result<D, E>>,
    D: bytes::Buf,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut events = std::pin::pin!(SseStream::from_bytes_stream(chunks));
    let mut endpoint = Some(endpoint);
    while let Some(Ok(event)) = events.next().await {
        let Some(data) = event.data else {
            continue; // only an id or retry
        };
        // An event without a name is a `message` event.
        match event.event.as_deref().unwrap_or("message") {
            "endpoint" => {
                if let Some(tx) = endpoint.take() {
                    let _ = tx.send(data);
                }
            }
            "message" => {
                // An unparsable message is dropped; the request it answered then times out.
                if let Ok(message) = serde_json::from_str(&data)
                    && messages.send(message).await.is_err()
                {
                    return;
                }
            }
            _ => {}
        }
    }
}

impl Transport<RoleClient> for SseClient {
    type Error = SseError;

    fn send(
        &mut self,
        item: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SseError>> + Send + 'static {
        let mut request = self.http.post(self.post_url.clone()).json(&item);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        async move {
            request.send().await?.error_for_status()?;
            Ok(())
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.messages.recv()
    }

    async fn close(&mut self) -> Result<(), SseError> {
        self.reader.abort();
        Ok(())
    }
}

impl Drop for SseClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[tokio::test]
    async fn reads_events_across_chunks() {
        assert_reads(
            &[
                b"event: endpoint\r\ndata: /message?sessionId=1",
                b"\r\n\r\n: keep-alive\n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\n",
                b"data: \"id\":1,\"result\":{}}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\n\n",
            ],
            vec![
                json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
                // no `event:` line: a message event
                json!({"jsonrpc": "2.0", "id": 2, "result": {}}),
            ],
        )
        .await;
    }

    /// Feeds `chunks` to `read_events` as one response body: the endpoint must be `/message?sessionId=1` and
    /// the messages, as JSON, `want`.
    async fn assert_reads(chunks: &[&'static [u8]], want: Vec<Value>) {
        let body = futures_util::stream::iter(
            chunks
                .iter()
                .map(|chunk| Ok::<_, std::io::Error>(bytes::Bytes::from_static(chunk))),
        );
        let (endpoint_tx, endpoint_rx) = oneshot::channel();
        let (tx, mut rx) = mpsc::channel(64);
        read_events(body, endpoint_tx, tx).await;
        let mut messages = Vec::new();
        while let Some(message) = rx.recv().await {
            messages.push(serde_json::to_value(message).unwrap());
        }
        let endpoint = endpoint_rx.await.ok();
        assert_eq!(endpoint.as_deref(), Some("/message?sessionId=1"));
        assert_eq!(messages, want);
    }

    /// A network may cut the body anywhere: inside a multibyte character ("ü" is C3 BC) or between the CR and
    /// the LF of a line ending. Neither may change what arrives.
    #[tokio::test]
    async fn chunks_split_a_character_and_a_crlf() {
        assert_reads(
            &[
                b"event: endpoint\r\ndata: /message?sessionId=1\r\n\r\n",
                b"event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"city\":\"Z\xc3",
                b"\xbcrich\"}}\r\n\r\n",
                b"event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{}}\r\n\r",
                b"\n",
            ],
            vec![
                json!({"jsonrpc": "2.0", "id": 1, "result": {"city": "Zürich"}}),
                json!({"jsonrpc": "2.0", "id": 2, "result": {}}),
            ],
        )
        .await;
    }
}
