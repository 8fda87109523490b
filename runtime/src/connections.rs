//! Accepting and serving HTTP connections, with the bounds `axum::serve` lacks:
//!
//! - a header-read timeout: a request's head must arrive within it, counted from the connection's start
//!   or from the first byte of a later request, so a client sending a request line byte by byte (slowloris)
//!   is cut off;
//! - an idle timeout: a connection with no request in progress that receives nothing for this long is
//!   closed (a kept-alive connection between requests, or a client that connects and says nothing more);
//! - a cap on open connections: past it, new connections wait in the listen backlog until one closes.
//!
//! A request counts as in progress until its response body has been sent, so a long-lived event stream is
//! never cut by either timeout; the request timeout (`guard.rs`) bounds the wait for a response to start.
//! hyper's own `header_read_timeout` starts at the end of the previous response, so it would close
//! kept-alive connections after the (short) header timeout; the two timers here follow Go's `net/http`.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;

/// The bounds on connections.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    pub(crate) header_read_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max: usize,
}

/// Serves `app` on `listener` until `shutdown`, then lets open connections finish their current request
/// (event streams end with `shutdown` too) and returns when all are closed.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(limits.max.max(1)));
    // Every connection holds a receiver; `closed()` resolves when the last one is dropped.
    let (open_tx, open_rx) = watch::channel(());
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = shutdown.cancelled() => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted: wait a
                    // little rather than spin.
                    tracing::debug!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let (app, shutdown, open) = (app.clone(), shutdown.clone(), open_rx.clone());
        tokio::spawn(async move {
            serve_connection(stream, app, limits, shutdown).await;
            drop((permit, open));
        });
    }
    drop((listener, open_rx));
    open_tx.closed().await;
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    // TCP_NODELAY: stateful replies are SSE streams written in small pieces; with Nagle's algorithm and
    // delayed ACKs each one would stall about 40 ms.
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = Tracked {
        app: TowerToHyperService::new(app),
        activity: activity.clone(),
    };
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(io, service);
    tokio::pin!(connection);
    let mut draining = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = shutdown.cancelled(), if !draining => {
                connection.as_mut().graceful_shutdown();
                draining = true;
            }
            reason = activity.expired(&limits) => {
                tracing::debug!("closing a connection: {reason}");
                return;
            }
        }
    }
}

/// What the timeouts look at, shared by the connection's reader and its requests.
struct Activity {
    start: Instant,
    /// Requests whose response has not been sent in full.
    busy: AtomicUsize,
    /// Milliseconds from `start` to when the connection last became idle.
    idle_since: AtomicU64,
    /// Milliseconds from `start` to the first byte received while idle ([`NONE`]: none yet).
    head_since: AtomicU64,
}

const NONE: u64 = u64::MAX;

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(0),
            // A new connection owes its first request's head from the start.
            head_since: AtomicU64::new(0),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(NONE - 1)
    }

    fn received(&self) {
        if self.busy.load(Ordering::Acquire) == 0 && self.head_since.load(Ordering::Acquire) == NONE
        {
            self.head_since.store(self.now(), Ordering::Release);
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(NONE, Ordering::Release);
        Busy(self.clone())
    }

    /// Completes when the connection has broken a timeout, with the reason.
    async fn expired(&self, limits: &ConnectionLimits) -> &'static str {
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(NONE - 1);
        loop {
            let now = self.now();
            let (deadline, reason) = if self.busy.load(Ordering::Acquire) > 0 {
                // Nothing to enforce while a request is answered; look again later.
                (
                    now + millis(limits.header_read_timeout.min(limits.idle_timeout)),
                    "",
                )
            } else {
                match self.head_since.load(Ordering::Acquire) {
                    NONE => (
                        self.idle_since.load(Ordering::Acquire) + millis(limits.idle_timeout),
                        "idle timeout",
                    ),
                    since => (
                        since + millis(limits.header_read_timeout),
                        "header read timeout",
                    ),
                }
            };
            if now >= deadline && !reason.is_empty() {
                return reason;
            }
            tokio::time::sleep(Duration::from_millis(deadline.saturating_sub(now).max(10))).await;
        }
    }
}

/// A request in progress; dropped when its response body has been sent (or abandoned).
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        if activity.busy.fetch_sub(1, Ordering::AcqRel) == 1 {
            activity.head_since.store(NONE, Ordering::Release);
            activity.idle_since.store(activity.now(), Ordering::Release);
        }
    }
}

/// The socket, noting when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The app, with each request marked in progress until its response body is done.
struct Tracked {
    app: TowerToHyperService<Router>,
    activity: Arc<Activity>,
}

impl hyper::service::Service<Request<Incoming>> for Tracked {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let busy = self.activity.begin();
        let response = self.app.call(request);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| Body::new(BusyBody { body, _busy: busy })))
        })
    }
}

/// A response body that keeps its request in progress until it is dropped.
struct BusyBody {
    body: Body,
    _busy: Busy,
}

impl HttpBody for BusyBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::*;

    /// `/healthz`, and `/stream`: one chunk, then nothing, forever.
    fn app() -> Router {
        let stream = || async {
            let chunks = futures::stream::once(async { Ok::<_, Infallible>("started\n") })
                .chain(futures::stream::pending());
            Body::from_stream(chunks)
        };
        Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/stream", get(stream))
    }

    use futures::StreamExt as _;

    async fn start(
        limits: ConnectionLimits,
    ) -> (
        std::net::SocketAddr,
        CancellationToken,
        tokio::task::JoinHandle<()>,
    ) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(serve(listener, app(), limits, shutdown.clone()));
        (address, shutdown, task)
    }

    /// Sends `GET path` and reads until the response's end (`Connection: close` makes the server end it).
    async fn get_once(address: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    /// Reads until the server closes the connection; `None` if it is still open after `within`.
    async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
        let started = Instant::now();
        let mut buf = [0; 1024];
        tokio::time::timeout(within, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return started.elapsed(),
                    Ok(_) => {}
                }
            }
        })
        .await
        .ok()
    }

    const LIMITS: ConnectionLimits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(2),
        max: 64,
    };

    #[tokio::test]
    async fn a_slow_header_is_cut_off_while_others_are_served() {
        let (address, shutdown, task) = start(LIMITS).await;
        let mut slow = TcpStream::connect(address).await.unwrap();
        slow.write_all(b"GET /heal").await.unwrap();
        // Trickling more bytes does not buy time: the head is due a second after its first byte.
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = slow.write_all(b"t").await;
            assert!(get_once(address, "/healthz").await.ends_with("ok"));
        }
        let closed = closed_within(&mut slow, Duration::from_secs(5)).await;
        assert!(closed.is_some(), "the slow connection is still open");
        // A silent connection gets the header timeout too, not the longer idle one.
        let mut silent = TcpStream::connect(address).await.unwrap();
        let closed = closed_within(&mut silent, Duration::from_secs(5))
            .await
            .expect("closed");
        assert!(closed < LIMITS.idle_timeout, "closed after {closed:?}");
        shutdown.cancel();
        task.await.unwrap();
    }

    #[tokio::test]
    async fn idle_connections_close_but_streams_stay_open() {
        let (address, shutdown, task) = start(LIMITS).await;
        // Kept alive after one request, then idle: closed after the idle timeout, not the header timeout.
        let mut kept = TcpStream::connect(address).await.unwrap();
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0; 1024];
        let n = kept.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).ends_with("ok"));
        let closed = closed_within(&mut kept, Duration::from_secs(10))
            .await
            .expect("closed");
        assert!(
            closed >= LIMITS.header_read_timeout,
            "closed after {closed:?}"
        );
        // A response that streams nothing for longer than both timeouts is left alone.
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
        assert_eq!(
            closed_within(&mut stream, LIMITS.idle_timeout * 2).await,
            None
        );
        // Shutdown ends it with the server.
        shutdown.cancel();
        drop(stream);
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn connections_past_the_cap_wait_until_one_closes() {
        let limits = ConnectionLimits {
            header_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max: 2,
        };
        let (address, shutdown, task) = start(limits).await;
        let first = TcpStream::connect(address).await.unwrap();
        let _second = TcpStream::connect(address).await.unwrap();
        let third = tokio::spawn(get_once(address, "/healthz"));
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !third.is_finished(),
            "a third connection was served past the cap"
        );
        drop(first);
        let response = tokio::time::timeout(Duration::from_secs(5), third)
            .await
            .unwrap()
            .unwrap();
        assert!(response.ends_with("ok"), "{response}");
        shutdown.cancel();
        task.await.unwrap();
    }
}
