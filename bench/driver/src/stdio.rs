//! The stdio scenarios: start-up to the initialize reply, and tools/call with 1 or N requests in flight.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, BufWriter};
use tokio::process::{ChildStdin, ChildStdout};

use crate::Contender;
use crate::proc::{self, CpuMeter};
use crate::rpc;
use crate::stats::Phase;

/// How long a single reply may take before the phase is abandoned (a hung server, not a slow one).
const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Session {
    pub child: tokio::process::Child,
    writer: BufWriter<ChildStdin>,
    reader: BufReader<ChildStdout>,
    line: Vec<u8>,
}

impl Session {
    /// Spawns the contender's stdio server and completes the initialize handshake; returns the session and the
    /// time from spawn to the initialize reply.
    pub async fn start(
        contender: &Contender,
        cpu: Option<usize>,
    ) -> Result<(Session, Duration), String> {
        let started = Instant::now();
        let mut child = proc::spawn(&contender.stdio, &contender.dir, cpu, None, true)
            .map_err(|e| format!("cannot start {:?}: {e}", contender.stdio))?;
        let mut session = Session {
            writer: BufWriter::new(child.stdin.take().expect("piped")),
            reader: BufReader::new(child.stdout.take().expect("piped")),
            child,
            line: Vec::new(),
        };
        session.send(&rpc::initialize(0)).await?;
        session.writer.flush().await.map_err(|e| e.to_string())?;
        let reply = session.read_line().await?;
        let elapsed = started.elapsed();
        rpc::check_initialize(reply)?;
        session.send(rpc::INITIALIZED).await?;
        session.writer.flush().await.map_err(|e| e.to_string())?;
        Ok((session, elapsed))
    }

    async fn send(&mut self, message: &str) -> Result<(), String> {
        self.writer
            .write_all(message.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        self.writer
            .write_all(b"\n")
            .await
            .map_err(|e| format!("write: {e}"))
    }

    /// The next non-empty line (a server may print notifications; they have no id and fail the check).
    async fn read_line(&mut self) -> Result<&[u8], String> {
        loop {
            self.line.clear();
            let n =
                tokio::time::timeout(REPLY_TIMEOUT, self.reader.read_until(b'\n', &mut self.line))
                    .await
                    .map_err(|_| "no reply within 30 s".to_owned())?
                    .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("the server closed stdout".into());
            }
            if !self.line.trim_ascii().is_empty() {
                return Ok(self.line.trim_ascii());
            }
        }
    }

    /// tools/call for `duration` with `in_flight` requests outstanding; every reply is checked. Stdin stays open
    /// until every reply has arrived (some servers drop in-flight requests at EOF).
    pub async fn calls(&mut self, in_flight: usize, duration: Duration) -> Phase {
        let pid = self.child.id().unwrap_or(0);
        let meter = CpuMeter::start(pid);
        let started = Instant::now();
        let deadline = started + duration;
        let mut sent_at: HashMap<u64, Instant> = HashMap::with_capacity(in_flight * 2);
        let mut phase = Phase::default();
        let mut next_id = 1u64;
        for _ in 0..in_flight {
            if let Err(e) = self.send(&rpc::tool_call(next_id)).await {
                phase.error(e);
                return phase;
            }
            sent_at.insert(next_id, Instant::now());
            next_id += 1;
        }
        while !sent_at.is_empty() {
            // Flush only when no reply is already buffered: batches writes under load, flushes at once when idle.
            if self.reader.buffer().is_empty()
                && let Err(e) = self.writer.flush().await
            {
                phase.error(format!("flush: {e}"));
                break;
            }
            let line = match self.read_line().await {
                Ok(line) => line,
                Err(e) => {
                    phase.error(e);
                    break;
                }
            };
            match rpc::check_call(line) {
                Ok(id) => match sent_at.remove(&id) {
                    Some(at) => phase.ok(at.elapsed()),
                    None => phase.error(format!("reply to unknown id {id}")),
                },
                Err(e) => {
                    phase.error(e);
                    // Without a usable id the request stays outstanding: give up on this phase.
                    if phase.errors > 100 {
                        break;
                    }
                    continue;
                }
            }
            if Instant::now() < deadline {
                if let Err(e) = self.send(&rpc::tool_call(next_id)).await {
                    phase.error(e);
                    break;
                }
                sent_at.insert(next_id, Instant::now());
                next_id += 1;
            }
        }
        phase.errors += sent_at.len() as u64;
        phase.finish(started.elapsed(), meter.stop());
        phase
    }
}
