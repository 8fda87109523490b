//! A minimal legacy HTTP+SSE (MCP 2024-11-05) client transport: rmcp 3.11 ships none.
//!
//! `GET url` opens an event stream whose first `endpoint` event names where to POST messages (relative
//! URLs resolve against `url`); each server message then arrives as a `message` event.

use std::time::Duration;

use rmcp::RoleClient;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::Transport;
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
        let reader = tokio::spawn(read_events(response, endpoint_tx, tx));
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

/// Parses the event stream: the first `endpoint` event goes to `endpoint`, `message` events to `messages`.
async fn read_events(
    mut response: reqwest::Response,
    endpoint: oneshot::Sender<String>,
    messages: mpsc::Sender<ServerJsonRpcMessage>,
) {
    let mut endpoint = Some(endpoint);
    let mut parser = EventParser::default();
    while let Ok(Some(chunk)) = response.chunk().await {
        for (event, data) in parser.push(&chunk) {
            match event.as_str() {
                "endpoint" => {
                    if let Some(tx) = endpoint.take() {
                        let _ = tx.send(data);
                    }
                }
                "message" | "" => {
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
}

/// Server-sent events, split from a byte stream: `(event name, data)` per blank-line-terminated block.
#[derive(Default)]
pub struct EventParser {
    buffer: String,
}

impl EventParser {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<(String, String)> {
        self.buffer
            .push_str(&String::from_utf8_lossy(bytes).replace("\r\n", "\n"));
        let mut events = Vec::new();
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            let (mut event, mut data) = (String::new(), Vec::new());
            for line in block.lines() {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event = value.to_owned(),
                    "data" => data.push(value),
                    _ => {} // comments (keep-alives), id, retry
                }
            }
            if !data.is_empty() {
                events.push((event, data.join("\n")));
            }
        }
        events
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
    use super::*;

    #[test]
    fn parses_events_across_chunks() {
        let mut parser = EventParser::default();
        assert!(
            parser
                .push(b"event: endpoint\r\ndata: /message?sessionId=1")
                .is_empty()
        );
        assert_eq!(
            parser.push(b"\r\n\r\n: keep-alive\n\nevent: message\ndata: {\"a\":\ndata: 1}\n\n"),
            [
                ("endpoint".to_owned(), "/message?sessionId=1".to_owned()),
                ("message".to_owned(), "{\"a\":\n1}".to_owned()),
            ]
        );
    }
}
