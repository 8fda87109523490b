//! `/metrics` for operators, in the Prometheus text format (the `metrics` feature and the spec's `metrics`), through
//! `prometheus-client`: MCP requests, their latency and errors by method and tool, live sessions, open event
//! streams, and Redis round trips by command and outcome. The metrics are process-wide (one server per process),
//! registered when the server starts with metrics on; until then, and in crates built without the feature,
//! [`measured`] only awaits its call.
//!
//! Label values come from closed sets, so a client cannot grow the series: methods are the handler's own, tools
//! those of the spec (an unknown tool's call is counted under `tool=""`), Redis commands the store's.

use std::future::Future;

use futures::future::BoxFuture;
use rmcp::ErrorData;

/// Runs one request's handler, counting it under `method` with its latency, and as an error when it fails.
/// Without the feature, or before the metrics are enabled, it only awaits the call.
///
/// The call is boxed first. rmcp's dispatch awaits every request method in one `match`, so its per-request
/// future is as large as the largest method's, and rmcp and tokio move that future several times per
/// request: with each method's work boxed here, a method's future holds a pointer (one allocation, against
/// ~100k instructions of `memcpy` per stdio call counted by callgrind; BENCHMARKS.md).
pub(crate) fn measured<'a, T: Send + 'a>(
    method: &'static str,
    call: impl Future<Output = Result<T, ErrorData>> + Send + 'a,
) -> impl Future<Output = Result<T, ErrorData>> + Send + 'a {
    counted(method, "", Box::pin(call), |_| false)
}

/// [`measured`] for `tools/call`, counted under `tool` too, and as an error when `failed` says its result is
/// one (a tool's `isError`).
pub(crate) fn measured_tool<'a, T: Send + 'a>(
    tool: &'static str,
    call: impl Future<Output = Result<T, ErrorData>> + Send + 'a,
    failed: impl FnOnce(&T) -> bool + Send + 'a,
) -> impl Future<Output = Result<T, ErrorData>> + Send + 'a {
    counted("tools/call", tool, Box::pin(call), failed)
}

/// Counts `call` under `method` and `tool` once metrics are enabled.
async fn counted<T>(
    method: &'static str,
    tool: &'static str,
    call: BoxFuture<'_, Result<T, ErrorData>>,
    failed: impl FnOnce(&T) -> bool,
) -> Result<T, ErrorData> {
    #[cfg(feature = "metrics")]
    if let Some(metrics) = enabled::METRICS.get() {
        let start = std::time::Instant::now();
        let result = call.await;
        let error = result.as_ref().map_or(true, failed);
        metrics.request(method, tool, start.elapsed(), error);
        return result;
    }
    #[cfg(not(feature = "metrics"))]
    let _ = (method, tool, failed);
    call.await
}

/// Without the feature: nothing to count.
#[cfg(all(not(feature = "metrics"), feature = "redis"))]
#[inline(always)]
pub(crate) fn redis<T, E>(_command: &'static str, _result: &Result<T, E>) {}

#[cfg(feature = "metrics")]
pub(crate) use enabled::*;

#[cfg(feature = "metrics")]
mod enabled {
    use std::sync::{Arc, Mutex, OnceLock, Weak};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::{StatusCode, header};
    use axum::middleware::Next;
    use axum::response::{IntoResponse as _, Response};
    use axum::routing::get;
    use futures::StreamExt as _;
    use prometheus_client::encoding::EncodeLabelSet;
    use prometheus_client::encoding::prometheus_text;
    use prometheus_client::metrics::counter::Counter;
    use prometheus_client::metrics::family::Family;
    use prometheus_client::metrics::gauge::Gauge;
    use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
    use prometheus_client::registry::Registry;

    use crate::sessions::SessionTable;

    pub(super) static METRICS: OnceLock<Metrics> = OnceLock::new();

    #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
    struct RequestLabels {
        method: &'static str,
        tool: &'static str,
    }

    #[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
    struct RedisLabels {
        command: &'static str,
        outcome: &'static str,
    }

    /// Request latencies from 1 ms to about 30 s.
    fn latency() -> Histogram {
        Histogram::new(exponential_buckets(0.001, 2.0, 16))
    }

    /// The process's metrics and the registry that prints them.
    pub(crate) struct Metrics {
        registry: Registry,
        requests: Family<RequestLabels, Counter>,
        errors: Family<RequestLabels, Counter>,
        latency: Family<RequestLabels, Histogram, fn() -> Histogram>,
        sessions: Gauge,
        streams: Gauge,
        #[cfg_attr(not(feature = "redis"), allow(dead_code))]
        redis: Family<RedisLabels, Counter>,
        /// The sessions counted at each scrape.
        table: Mutex<Weak<SessionTable>>,
    }

    /// Registers the metrics (once per process) and counts the sessions of `table` from now on.
    pub(crate) fn enable(table: &Arc<SessionTable>) {
        let metrics = METRICS.get_or_init(Metrics::new);
        *metrics
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::downgrade(table);
    }

    impl Metrics {
        fn new() -> Self {
            let mut registry = Registry::with_prefix("mcp");
            let requests = Family::<RequestLabels, Counter>::default();
            let errors = Family::<RequestLabels, Counter>::default();
            let latency =
                Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                    latency as fn() -> Histogram,
                );
            let sessions = Gauge::default();
            let streams = Gauge::default();
            let redis = Family::<RedisLabels, Counter>::default();
            registry.register(
                "requests",
                "MCP requests handled, by method and tool",
                requests.clone(),
            );
            registry.register(
                "request_errors",
                "MCP requests that failed: a JSON-RPC error, or a tool result with isError",
                errors.clone(),
            );
            registry.register(
                "request_duration_seconds",
                "Time to handle an MCP request, by method and tool",
                latency.clone(),
            );
            registry.register(
                "sessions",
                "Live stateful sessions on this instance",
                sessions.clone(),
            );
            registry.register(
                "sse_streams",
                "Open server-to-client event streams on this instance",
                streams.clone(),
            );
            registry.register(
                "redis_commands",
                "Round trips to the Redis session store, by command and outcome (ok, error)",
                redis.clone(),
            );
            Metrics {
                registry,
                requests,
                errors,
                latency,
                sessions,
                streams,
                redis,
                table: Mutex::new(Weak::new()),
            }
        }

        pub(super) fn request(
            &self,
            method: &'static str,
            tool: &'static str,
            took: Duration,
            error: bool,
        ) {
            let labels = RequestLabels { method, tool };
            self.requests.get_or_create(&labels).inc();
            self.latency
                .get_or_create(&labels)
                .observe(took.as_secs_f64());
            if error {
                self.errors.get_or_create(&labels).inc();
            }
        }

        fn render(&self) -> String {
            let live = self
                .table
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .upgrade()
                .map_or(0, |table| table.len());
            self.sessions.set(i64::try_from(live).unwrap_or(i64::MAX));
            let mut text = String::new();
            prometheus_text::encode(&mut text, &self.registry)
                .expect("writing to a String does not fail");
            text
        }
    }

    /// Counts one Redis round trip of the session store.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn redis<T, E>(command: &'static str, result: &Result<T, E>) {
        if let Some(metrics) = METRICS.get() {
            let outcome = if result.is_ok() { "ok" } else { "error" };
            metrics
                .redis
                .get_or_create(&RedisLabels { command, outcome })
                .inc();
        }
    }

    /// `GET /metrics` (outside the guard and auth, like the health endpoints).
    pub(crate) fn routes() -> Router {
        Router::new().route(
            "/metrics",
            get(|| async {
                match METRICS.get() {
                    Some(metrics) => (
                        StatusCode::OK,
                        [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
                        metrics.render(),
                    )
                        .into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }),
        )
    }

    /// Middleware: counts event-stream responses while their body is open.
    pub(crate) async fn count_streams(request: Request, next: Next) -> Response {
        let response = next.run(request).await;
        let Some(metrics) = METRICS.get() else {
            return response;
        };
        let is_stream = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
        if !is_stream {
            return response;
        }
        let open = OpenStream::new(&metrics.streams);
        let (parts, body) = response.into_parts();
        let body = body.into_data_stream().map(move |chunk| {
            let _ = &open;
            chunk
        });
        Response::from_parts(parts, Body::from_stream(body))
    }

    /// One open stream on the gauge, until dropped with the response body.
    struct OpenStream(Gauge);

    impl OpenStream {
        fn new(gauge: &Gauge) -> Self {
            gauge.inc();
            OpenStream(gauge.clone())
        }
    }

    impl Drop for OpenStream {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use axum::body::Body;
    use http::StatusCode;

    use crate::testing::http::{LIMITS, app, options, post, send, session};

    fn call(id: u32, tool: &str) -> String {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"{tool}","arguments":{{}}}}}}"#
        )
    }

    /// After traffic, `/metrics` (outside auth) counts the requests by method and tool, the failed ones, their
    /// latency and the live sessions, in the Prometheus text format; a tool the spec lacks gets no series.
    #[tokio::test]
    async fn metrics_count_requests_by_method_and_tool() {
        let mut options = options(&["alice"], LIMITS);
        options.metrics = Some(None);
        let app = app(&options).await;
        let id = session(&app, "alice").await;
        let list = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
        for _ in 0..3 {
            assert_eq!(post(&app, "alice", Some(&id), list).await.0, StatusCode::OK);
        }
        post(&app, "alice", Some(&id), &call(2, "echo")).await;
        post(&app, "alice", Some(&id), &call(3, "no-such-tool")).await;

        let scrape = http::Request::get("/metrics").body(Body::empty()).unwrap();
        let (status, _, text) = send(&app, scrape).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(
            text.contains("# TYPE mcp_requests_total counter\n"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE mcp_sessions gauge\nmcp_sessions 1\n"),
            "{text}"
        );
        // At least: the metrics are the process's, and other tests may run requests meanwhile.
        for (series, least) in [
            (r#"mcp_requests_total{method="tools/list",tool=""}"#, 3),
            (r#"mcp_requests_total{method="tools/call",tool="echo"}"#, 1),
            (
                r#"mcp_request_errors_total{method="tools/call",tool="echo"}"#,
                1,
            ),
            (
                r#"mcp_request_errors_total{method="tools/call",tool=""}"#,
                1,
            ),
            (
                r#"mcp_request_duration_seconds_count{method="tools/list",tool=""}"#,
                3,
            ),
        ] {
            let value = text
                .lines()
                .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
                .and_then(|value| value.parse::<f64>().ok());
            assert!(
                value >= Some(least.into()),
                "{series} is {value:?} in\n{text}"
            );
        }
        assert!(!text.contains("no-such-tool"), "{text}");
    }
}
