//! The stdio transport of a server whose spec gives a tool `execution`: JSON-RPC lines like rmcp's own,
//! plus the fixes of [`super::wire`]. Lines that cannot mention a task are parsed straight into rmcp's
//! message type, as rmcp does.

use std::future::Future;
use std::sync::Arc;

use bytes::{BufMut as _, BytesMut};
use futures::{SinkExt as _, StreamExt as _};
use rmcp::ErrorData;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::RoleServer;
use rmcp::transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::Mutex;
use tokio_util::codec::{Decoder, Encoder, FramedRead, FramedWrite};

use super::wire;
use crate::defs::ToolDef;

/// rmcp's limit for one stdio line.
const MAX_LINE: usize = 16 * 1024 * 1024;

/// Newline-delimited JSON-RPC, server side.
#[derive(Clone, Copy)]
pub(crate) struct TaskCodec {
    /// Whether tasks are served (else only `execution` is added to `tools/list`).
    pub(crate) tasks: bool,
    /// The spec's tools, for their `execution`.
    pub(crate) tools: &'static [ToolDef],
    /// Inside a line over [`MAX_LINE`], skipped up to its newline.
    discarding: bool,
}

impl TaskCodec {
    pub(crate) fn new(tasks: bool, tools: &'static [ToolDef]) -> Self {
        TaskCodec {
            tasks,
            tools,
            discarding: false,
        }
    }

    fn parse(&self, line: &[u8]) -> Line {
        let parsed = if self.tasks && wire::may_carry_task(line) {
            serde_json::from_slice::<Value>(line)
                .map_err(drop)
                .and_then(|mut value| {
                    wire::rename(&mut value);
                    serde_json::from_value(value).map_err(drop)
                })
        } else {
            serde_json::from_slice(line).map_err(drop)
        };
        match parsed {
            Ok(message) => Line::Message(message),
            // As rmcp's own transport: JSON that is no JSON-RPC message gets "Invalid request"; a line that is
            // not JSON at all is dropped.
            Err(()) if serde_json::from_slice::<Value>(line).is_ok() => Line::Invalid,
            Err(()) => Line::Garbage,
        }
    }
}

/// One line of input.
// Handed straight from the decoder to rmcp, once per line: boxing the message would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Line {
    Message(ClientJsonRpcMessage),
    /// JSON, but not a JSON-RPC message rmcp knows.
    Invalid,
    /// Not JSON.
    Garbage,
}

impl Decoder for TaskCodec {
    type Item = Line;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        loop {
            let Some(end) = buf.iter().position(|b| *b == b'\n') else {
                if buf.len() > MAX_LINE {
                    // Too long: dropped, like rmcp's transport, and the session goes on.
                    tracing::error!(
                        "an incoming message exceeds the 16 MiB line limit; discarding it"
                    );
                    self.discarding = true;
                    buf.clear();
                }
                return Ok(None);
            };
            let line = buf.split_to(end + 1);
            if std::mem::take(&mut self.discarding) {
                continue;
            }
            let line = line.strip_suffix(b"\n").unwrap_or(&line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(self.parse(line)));
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        if let Some(line) = self.decode(buf)? {
            return Ok(Some(line));
        }
        if buf.is_empty() || self.discarding {
            return Ok(None);
        }
        let rest = buf.split_to(buf.len());
        Ok(Some(self.parse(&rest)))
    }
}

/// rmcp's `Transport` over the codec, answering lines that are JSON but no message as rmcp's does.
pub(crate) struct TaskTransport<R, W> {
    read: FramedRead<R, TaskCodec>,
    write: Arc<Mutex<FramedWrite<W, TaskCodec>>>,
}

impl<R: AsyncRead, W: AsyncWrite> TaskTransport<R, W> {
    pub(crate) fn new(read: R, write: W, codec: TaskCodec) -> Self {
        TaskTransport {
            read: FramedRead::new(read, codec),
            write: Arc::new(Mutex::new(FramedWrite::new(write, codec))),
        }
    }
}

impl<R, W> Transport<RoleServer> for TaskTransport<R, W>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = self.write.clone();
        async move { write.lock().await.send(item).await }
    }

    async fn receive(&mut self) -> Option<ClientJsonRpcMessage> {
        loop {
            match self.read.next().await? {
                Ok(Line::Message(message)) => return Some(message),
                Ok(Line::Invalid) => {
                    let error = ErrorData::invalid_request("Invalid request", None);
                    let reply = ServerJsonRpcMessage::error(error, None);
                    if self.write.lock().await.send(reply).await.is_err() {
                        return None;
                    }
                }
                Ok(Line::Garbage) => tracing::debug!("ignoring a stdin line that is not JSON"),
                Err(error) => {
                    tracing::error!(%error, "reading stdin");
                    return None;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl Encoder<ServerJsonRpcMessage> for TaskCodec {
    type Error = std::io::Error;

    fn encode(
        &mut self,
        item: ServerJsonRpcMessage,
        dst: &mut BytesMut,
    ) -> Result<(), Self::Error> {
        let item = wire::patch_outgoing(item, self.tasks, self.tools);
        serde_json::to_writer(dst.writer(), &item)?;
        dst.put_u8(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(line: Option<Line>) -> ClientJsonRpcMessage {
        match line {
            Some(Line::Message(message)) => message,
            _ => panic!("not a message"),
        }
    }

    #[test]
    fn lines_parse_with_task_requests_renamed_and_bad_lines_classified() {
        let mut codec = TaskCodec::new(true, &[]);
        let mut buf = BytesMut::from(
            &b"not json\n\r\n{\"jsonrpc\":\"1.0\"}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"task\":{\"ttl\":9}}}\r\n"[..],
        );
        assert!(matches!(
            codec.decode(&mut buf).unwrap(),
            Some(Line::Garbage)
        ));
        assert!(matches!(
            codec.decode(&mut buf).unwrap(),
            Some(Line::Invalid)
        ));
        let ClientJsonRpcMessage::Request(request) = message(codec.decode(&mut buf).unwrap())
        else {
            panic!()
        };
        let rmcp::model::ClientRequest::CustomRequest(custom) = request.request else {
            panic!()
        };
        assert_eq!(custom.method, wire::CALL);
        assert_eq!(
            custom.params.unwrap()["task"],
            serde_json::json!({"ttl": 9})
        );
        assert!(buf.is_empty());
        assert!(codec.decode(&mut buf).unwrap().is_none());
    }

    #[test]
    fn an_oversized_line_is_dropped_and_the_next_one_read() {
        let mut codec = TaskCodec::new(true, &[]);
        let mut buf = BytesMut::from(&vec![b'a'; MAX_LINE + 10][..]);
        assert!(codec.decode(&mut buf).unwrap().is_none());
        buf.extend_from_slice(b"aaaa\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
        let ClientJsonRpcMessage::Request(request) = message(codec.decode(&mut buf).unwrap())
        else {
            panic!()
        };
        assert_eq!(request.id, rmcp::model::RequestId::Number(2));
    }
}
