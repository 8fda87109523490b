//! The stdio transport of a server whose spec gives a tool `execution`: JSON-RPC lines like rmcp's own,
//! plus the fixes of [`super::wire`]. Lines that cannot mention a task are parsed straight into rmcp's
//! message type, as rmcp does.

use bytes::{BufMut as _, BytesMut};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use serde_json::Value;
use tokio_util::codec::{Decoder, Encoder};

use super::wire;
use crate::defs::TaskSupport;

/// rmcp's limit for one stdio line.
const MAX_LINE: usize = 16 * 1024 * 1024;

/// Newline-delimited JSON-RPC, server side.
#[derive(Clone, Copy)]
pub(crate) struct TaskCodec {
    /// Whether tasks are served (else only `execution` is added to `tools/list`).
    pub(crate) tasks: bool,
    /// The spec's `execution` per tool.
    pub(crate) execution: &'static [(&'static str, Option<TaskSupport>)],
}

impl TaskCodec {
    fn parse(&self, line: &[u8]) -> Result<ClientJsonRpcMessage, serde_json::Error> {
        if !self.tasks || !wire::may_carry_task(line) {
            return serde_json::from_slice(line);
        }
        let mut value: Value = serde_json::from_slice(line)?;
        wire::rename(&mut value);
        serde_json::from_value(value)
    }
}

impl Decoder for TaskCodec {
    type Item = ClientJsonRpcMessage;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        loop {
            let Some(end) = buf.iter().position(|b| *b == b'\n') else {
                if buf.len() > MAX_LINE {
                    return Err(std::io::Error::other(
                        "an incoming message exceeds the 16 MiB line limit",
                    ));
                }
                return Ok(None);
            };
            let line = buf.split_to(end + 1);
            let line = line.strip_suffix(b"\n").unwrap_or(&line);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match self.parse(line) {
                Ok(message) => return Ok(Some(message)),
                // One bad line must not end the session.
                Err(error) => {
                    tracing::warn!(%error, "ignoring a stdin line that is not a JSON-RPC message")
                }
            }
        }
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Self::Item>, Self::Error> {
        if let Some(message) = self.decode(buf)? {
            return Ok(Some(message));
        }
        if buf.is_empty() {
            return Ok(None);
        }
        let rest = buf.split_to(buf.len());
        Ok(self.parse(&rest).ok())
    }
}

impl Encoder<ServerJsonRpcMessage> for TaskCodec {
    type Error = std::io::Error;

    fn encode(
        &mut self,
        item: ServerJsonRpcMessage,
        dst: &mut BytesMut,
    ) -> Result<(), Self::Error> {
        let item = wire::patch_outgoing(item, self.tasks, self.execution);
        serde_json::to_writer(dst.writer(), &item)?;
        dst.put_u8(b'\n');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_parse_with_task_requests_renamed_and_bad_lines_skipped() {
        let mut codec = TaskCodec {
            tasks: true,
            execution: &[],
        };
        let mut buf = BytesMut::from(
            &b"not json\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"task\":{\"ttl\":9}}}\r\n"[..],
        );
        let message = codec.decode(&mut buf).unwrap().unwrap();
        let ClientJsonRpcMessage::Request(request) = message else {
            panic!("{message:?}")
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
}
