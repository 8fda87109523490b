//! The streamable HTTP scenarios: N kept-alive connections, each sending tools/call back to back for a fixed time.
//! Stateless: plain POSTs answered with JSON. Stateful: each connection initializes its own session first and
//! sends `Mcp-Session-Id` with every call; replies are SSE streams.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::proc::CpuMeter;

use crate::rpc;
use crate::stats::Phase;

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A worker stops after this many errors so a broken server cannot spin the driver.
const MAX_ERRORS_PER_WORKER: u64 = 50;

#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub path: String,
    pub stateful: bool,
}

struct Connection {
    sender: SendRequest<Full<Bytes>>,
    session: Option<String>,
    host: String,
}

impl Connection {
    async fn open(target: &Target, next_id: &mut u64) -> Result<Connection, String> {
        let stream = TcpStream::connect(target.addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        let mut conn = Connection {
            sender,
            session: None,
            host: target.addr.to_string(),
        };
        if target.stateful {
            let id = *next_id;
            *next_id += 1;
            let (status, session, body) = conn.post(target, rpc::initialize(id)).await?;
            let session =
                session.ok_or_else(|| format!("initialize ({status}) sent no Mcp-Session-Id"))?;
            let reply = rpc::messages(&body)
                .into_iter()
                .next()
                .ok_or("empty initialize reply")?;
            rpc::check_initialize(reply)?;
            conn.session = Some(session);
            let (status, _, _) = conn.post(target, rpc::INITIALIZED.to_owned()).await?;
            if !status.is_success() {
                return Err(format!("notifications/initialized answered {status}"));
            }
        }
        Ok(conn)
    }

    /// POSTs one message; returns the status, any `Mcp-Session-Id` header and the whole body.
    async fn post(
        &mut self,
        target: &Target,
        body: String,
    ) -> Result<(StatusCode, Option<String>, Bytes), String> {
        let mut request = Request::post(target.path.as_str())
            .header(header::HOST, &self.host)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json, text/event-stream")
            .header("mcp-protocol-version", rpc::PROTOCOL_VERSION);
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let exchange = async {
            self.sender
                .ready()
                .await
                .map_err(|e| format!("connection: {e}"))?;
            let response = self
                .sender
                .send_request(request)
                .await
                .map_err(|e| format!("request: {e}"))?;
            let status = response.status();
            let session = response
                .headers()
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("body: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, session, body))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| "no reply within 30 s".to_owned())?
    }

    /// Ends a stateful session (not timed; servers that do not support DELETE just answer an error).
    async fn close(mut self, target: &Target) {
        let Some(session) = self.session.take() else {
            return;
        };
        let Ok(request) = Request::delete(target.path.as_str())
            .header(header::HOST, &self.host)
            .header("mcp-session-id", session)
            .header("mcp-protocol-version", rpc::PROTOCOL_VERSION)
            .body(Full::new(Bytes::new()))
        else {
            return;
        };
        if self.sender.ready().await.is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(2), self.sender.send_request(request))
                .await;
        }
    }
}

/// One connection's loop: opens a connection (and session), waits for every other worker to be ready, then calls
/// for `duration`, re-opening the connection after an error. Returns the phase and when its last call ended.
async fn worker(
    target: Target,
    worker: u64,
    start: Arc<Barrier>,
    duration: Duration,
) -> (Phase, Instant) {
    let mut phase = Phase::default();
    // Ids are unique per worker so a misrouted reply fails the check.
    let mut next_id = worker << 32;
    let mut conn = match Connection::open(&target, &mut next_id).await {
        Ok(c) => Some(c),
        Err(e) => {
            phase.error(e);
            None
        }
    };
    start.wait().await;
    let deadline = Instant::now() + duration;
    let mut last = Instant::now();
    while Instant::now() < deadline && phase.errors < MAX_ERRORS_PER_WORKER {
        let mut current = match conn.take() {
            Some(c) => c,
            None => match Connection::open(&target, &mut next_id).await {
                Ok(c) => c,
                Err(e) => {
                    phase.error(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let id = next_id;
        next_id += 1;
        let started = Instant::now();
        match current.post(&target, rpc::tool_call(id)).await {
            Ok((status, _, body)) if status == StatusCode::OK => {
                let replies = rpc::messages(&body);
                match replies.iter().find_map(|m| rpc::check_call(m).ok()) {
                    Some(got) if got == id => phase.ok(started.elapsed()),
                    _ => phase.error(format!(
                        "bad reply to call {id}: {}",
                        String::from_utf8_lossy(&body)
                    )),
                }
                conn = Some(current);
            }
            // Anything else: a new connection (and session) next time.
            Ok((status, _, body)) => {
                phase.error(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)))
            }
            Err(e) => phase.error(e),
        }
        last = Instant::now();
    }
    if let Some(c) = conn {
        c.close(&target).await;
    }
    (phase, last)
}

/// `concurrency` workers calling for `duration` once all are connected; CPU is measured over the calls only.
pub async fn run(
    target: &Target,
    server_pid: u32,
    concurrency: usize,
    duration: Duration,
) -> Phase {
    let start = Arc::new(Barrier::new(concurrency + 1));
    let handles: Vec<_> = (0..concurrency as u64)
        .map(|w| tokio::spawn(worker(target.clone(), w + 1, start.clone(), duration)))
        .collect();
    start.wait().await;
    let meter = CpuMeter::start(server_pid);
    let started = Instant::now();
    let mut phase = Phase::default();
    let mut last_call = started;
    for handle in handles {
        match handle.await {
            Ok((worker, last)) => {
                phase.merge(worker);
                last_call = last_call.max(last);
            }
            Err(e) => phase.error(format!("worker panicked: {e}")),
        }
    }
    phase.finish(last_call - started, meter.stop());
    phase
}
