//! The HTTP server: streamable HTTP (rmcp's tower service) and the legacy SSE transport, mounted in one
//! axum app behind Host/Origin checks, CORS, a body limit, a request timeout and authentication, with
//! health endpoints outside all of that and a graceful shutdown that drains in-flight requests. Connections
//! are bounded by `connections.rs`, sessions by `sessions.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::IntoResponse as _;
use tokio_util::sync::CancellationToken;
use tower_http::timeout::TimeoutLayer;

use super::auth::{self, Auth};
use super::cli::Cli;
use super::connections::{self, ConnectionLimits};
use super::defs::{HttpLimitsDef, Spec, Transport};
use super::error::BoxError;
use super::guard::{self, Guard};
use super::handler::Handler;
use super::readiness::{self, Readiness};
use super::redact::SecretUrl;
use super::sessions::{SessionLimits, SessionTable};
use super::shutdown;

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
pub(crate) const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

/// The effective HTTP settings: spec defaults, overridden by flags and environment variables.
#[derive(Debug, Clone)]
pub(crate) struct HttpOptions {
    pub(crate) host: String,
    pub(crate) port: u16,
    /// The path `listening on` reports: the chosen transport's endpoint.
    pub(crate) announced_path: String,
    pub(crate) streamable: Option<StreamableOptions>,
    pub(crate) sse: Option<SseOptions>,
    pub(crate) request_timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) auth: Auth,
    pub(crate) connections: ConnectionLimits,
    pub(crate) sessions: SessionLimits,
    /// `/metrics`: `None` off, `Some(None)` on the main port, `Some(Some(port))` on its own listener
    /// (`resolve` refuses it without the feature).
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) metrics: Option<Option<u16>>,
}

/// Streamable HTTP settings. Without the feature they are never built (`resolve` refuses first), but the fields stay
/// so resolving reads the same either way.
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
pub(crate) struct StreamableOptions {
    pub(crate) path: String,
    pub(crate) stateful: bool,
    pub(crate) json_response: bool,
    pub(crate) guard: Guard,
    pub(crate) session_idle_timeout: Duration,
    /// Redis URL of the shared session store (it may hold a password: `Debug` redacts it).
    pub(crate) redis_url: Option<SecretUrl>,
    /// What the store's keys start with, so several servers can share one Redis.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) redis_key_prefix: String,
    /// Events kept per event stream in the shared store (about: Redis trims whole blocks).
    pub(crate) max_stream_events: usize,
}

/// Legacy SSE settings (never built without the feature, as above).
#[derive(Debug, Clone)]
#[cfg_attr(not(feature = "sse"), allow(dead_code))]
pub(crate) struct SseOptions {
    pub(crate) path: String,
    pub(crate) message_path: String,
    pub(crate) guard: Guard,
}

impl HttpOptions {
    /// The chosen transport from the command line, plus the other HTTP transport when the spec puts
    /// both on the same host and port (one server, two paths).
    pub(crate) fn resolve(spec: &'static Spec, cli: &Cli) -> Result<Self, String> {
        let http = spec.transports.streamable_http.as_ref();
        let sse = spec.transports.sse.as_ref();
        let shared = match (http, sse) {
            (Some(h), Some(s)) => h.host == s.host && h.port == s.port,
            _ => false,
        };
        let primary = cli.transport;
        let undeclared = || {
            format!(
                "the spec does not declare the {} transport",
                primary.as_str()
            )
        };
        let (host, port, timeout, body, limits) = match primary {
            Transport::StreamableHttp => {
                let h = http.ok_or_else(undeclared)?;
                (
                    h.host,
                    h.port,
                    h.request_timeout_secs,
                    h.max_body_bytes,
                    h.limits,
                )
            }
            _ => {
                let s = sse.ok_or_else(undeclared)?;
                (
                    s.host,
                    s.port,
                    s.request_timeout_secs,
                    s.max_body_bytes,
                    s.limits,
                )
            }
        };
        let mount_http = primary == Transport::StreamableHttp || shared;
        let mount_sse = primary == Transport::Sse || shared;
        if mount_http && !cfg!(feature = "streamable-http") {
            return Err("this binary was built without the `streamable-http` feature".into());
        }
        if mount_sse && !cfg!(feature = "sse") {
            return Err("this binary was built without the `sse` feature".into());
        }
        // --path names the chosen transport's endpoint; the other keeps the spec's.
        let path_for = |transport: Transport, spec_path: &str| -> Result<String, String> {
            let path = match &cli.path {
                Some(path) if transport == primary => path.clone(),
                _ => spec_path.to_owned(),
            };
            check_path("--path", path)
        };
        let streamable = match http.filter(|_| mount_http) {
            None => None,
            Some(def) => {
                let stateful = if cli.stateless {
                    false
                } else if cli.stateful {
                    true
                } else {
                    def.stateful
                };
                let json_response = cli.json_response.unwrap_or(def.json_response);
                if stateful && json_response {
                    tracing::warn!(
                        "--json-response applies to stateless mode only; stateful sessions always stream"
                    );
                }
                let redis_url = match def.redis_url_env {
                    Some(var) if stateful => Some(
                        std::env::var(var)
                            .ok()
                            .filter(|url| !url.is_empty())
                            .map(SecretUrl::new)
                            .ok_or_else(|| {
                                format!("the spec keeps sessions in Redis: set {var} to its URL")
                            })?,
                    ),
                    _ => None,
                };
                if redis_url.is_some() && !cfg!(feature = "redis") {
                    return Err("the spec keeps sessions in Redis, and this binary was built without the `redis` feature".into());
                }
                Some(StreamableOptions {
                    path: path_for(Transport::StreamableHttp, def.path)?,
                    stateful,
                    json_response,
                    guard: guard_for(cli, spec, def.allowed_hosts, def.allowed_origins),
                    session_idle_timeout: Duration::from_secs(
                        cli.session_idle_timeout
                            .unwrap_or(def.session_idle_timeout_secs),
                    ),
                    redis_url,
                    redis_key_prefix: match def.redis_key_prefix {
                        Some(prefix) => prefix.to_owned(),
                        None => format!("mcp:{}:", spec.server.name),
                    },
                    max_stream_events: cli.max_stream_events,
                })
            }
        };
        let metrics = http
            .filter(|_| mount_http)
            .and_then(|def| def.metrics)
            .map(|def| def.port);
        if metrics.is_some() && !cfg!(feature = "metrics") {
            return Err(
                "the spec serves /metrics, and this binary was built without the `metrics` feature"
                    .into(),
            );
        }
        let sse = match sse.filter(|_| mount_sse) {
            None => None,
            Some(def) => Some(SseOptions {
                path: path_for(Transport::Sse, def.path)?,
                message_path: check_path(
                    "--message-path",
                    cli.message_path
                        .clone()
                        .unwrap_or_else(|| def.message_path.to_owned()),
                )?,
                guard: guard_for(cli, spec, def.allowed_hosts, def.allowed_origins),
            }),
        };
        let announced_path = match (primary, &streamable, &sse) {
            (Transport::StreamableHttp, Some(s), _) => s.path.clone(),
            (_, _, Some(s)) => s.path.clone(),
            _ => String::new(),
        };
        Ok(HttpOptions {
            host: cli.host.clone().unwrap_or_else(|| host.to_owned()),
            port: cli.port_or(port)?,
            announced_path,
            streamable,
            sse,
            request_timeout: Duration::from_secs(cli.request_timeout.unwrap_or(timeout).max(1)),
            max_body_bytes: usize::try_from(cli.max_body_bytes.unwrap_or(body))
                .unwrap_or(usize::MAX),
            auth: auth::Auth::from_spec(&spec.auth, cli.oauth_jwks_uri.as_deref())?,
            connections: connection_limits(&limits, cli),
            sessions: session_limits(&limits, cli),
            metrics,
        })
    }
}

/// At least one second, and at least one connection or session: zero would refuse everything.
fn connection_limits(spec: &HttpLimitsDef, cli: &Cli) -> ConnectionLimits {
    let secs = |flag: Option<u64>, spec: u64| Duration::from_secs(flag.unwrap_or(spec).max(1));
    ConnectionLimits {
        header_read_timeout: secs(cli.header_read_timeout, spec.header_read_timeout_secs),
        idle_timeout: secs(cli.idle_timeout, spec.idle_timeout_secs),
        max: count(cli.max_connections, spec.max_connections),
    }
}

fn session_limits(spec: &HttpLimitsDef, cli: &Cli) -> SessionLimits {
    SessionLimits {
        max: count(cli.max_sessions, spec.max_sessions),
        max_per_principal: count(
            cli.max_sessions_per_principal,
            spec.max_sessions_per_principal,
        ),
        max_record_bytes: count(cli.max_session_bytes, spec.max_session_bytes),
    }
}

fn count(flag: Option<u64>, spec: u64) -> usize {
    usize::try_from(flag.unwrap_or(spec).max(1)).unwrap_or(usize::MAX)
}

fn check_path(flag: &str, path: String) -> Result<String, String> {
    if path.starts_with('/') {
        Ok(path)
    } else {
        Err(format!("{flag} must start with '/': {path:?}"))
    }
}

fn guard_for(
    cli: &Cli,
    spec: &Spec,
    hosts: Option<&'static [&'static str]>,
    origins: Option<&'static [&'static str]>,
) -> Guard {
    Guard::new(
        allow_list(&LOOPBACK_HOSTS, hosts, &cli.allowed_hosts),
        allow_list(&LOOPBACK_ORIGINS, origins, &cli.allowed_origins),
        // CORS answers only when the spec or the command line names browser origins.
        origins.is_some_and(|o| !o.is_empty()) || !cli.allowed_origins.is_empty(),
    )
    .with_param_headers(spec.tools)
}

/// Loopback entries, then the spec's, then the command line's; a `*` anywhere disables the check.
pub(crate) fn allow_list(loopback: &[&str], spec: Option<&[&str]>, cli: &[String]) -> Vec<String> {
    let all: Vec<String> = loopback
        .iter()
        .chain(spec.unwrap_or_default())
        .map(|s| (*s).to_owned())
        .chain(cli.iter().cloned())
        .collect();
    if all.iter().any(|entry| entry == "*") {
        Vec::new()
    } else {
        all
    }
}

/// Serves until a shutdown signal, then drains in-flight requests for up to [`DRAIN_TIMEOUT`].
pub(crate) async fn serve(server: Handler, options: HttpOptions) -> Result<(), BoxError> {
    let shutdown = CancellationToken::new();
    let ready = Arc::new(AtomicBool::new(false));
    let app = router(server, &options, shutdown.child_token(), ready.clone()).await?;

    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
        .await
        .map_err(|e| format!("cannot bind {}:{}: {e}", options.host, options.port))?;
    let address = listener.local_addr()?;
    let mode = match &options.streamable {
        Some(s) if s.stateful => "stateful",
        Some(_) => "stateless",
        None => "sse",
    };
    // Shared host and port: name the other transport's endpoint too.
    if let (Some(http), Some(sse)) = (&options.streamable, &options.sse) {
        let (name, path) = if options.announced_path == http.path {
            ("legacy SSE", &sse.path)
        } else {
            ("streamable HTTP", &http.path)
        };
        tracing::info!("also serving {name} on http://{address}{path}");
    }
    tracing::info!(
        mode,
        auth = options.auth.kind(),
        "listening on http://{address}{}",
        options.announced_path
    );
    #[cfg(feature = "metrics")]
    if let Some(Some(port)) = options.metrics {
        let listener = tokio::net::TcpListener::bind((options.host.as_str(), port))
            .await
            .map_err(|e| format!("cannot bind {}:{port} for /metrics: {e}", options.host))?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let serving = connections::serve(
            listener,
            super::metrics::routes(),
            options.connections,
            shutdown.clone(),
        );
        tokio::spawn(serving);
    }
    let serving = connections::serve(listener, app, options.connections, shutdown.clone());
    let mut task = tokio::spawn(serving);
    ready.store(true, Ordering::Release);

    tokio::select! {
        result = &mut task => return Ok(result?),
        () = shutdown::signal() => {}
    }
    ready.store(false, Ordering::Release);
    // Stops accepting connections and ends the long-lived event streams (rmcp's token and the SSE
    // streams are children), so only requests still being answered hold the shutdown up.
    shutdown.cancel();
    match tokio::time::timeout(DRAIN_TIMEOUT, task).await {
        Ok(result) => Ok(result?),
        Err(_) => {
            tracing::warn!(
                "requests still running {DRAIN_TIMEOUT:?} after the shutdown signal; exiting anyway"
            );
            Ok(())
        }
    }
}

/// The axum app: the MCP endpoints (guarded, limited, authenticated) plus `/healthz`, `/readyz` (`serving`, and
/// the shared session store answering) and, with OAuth, the protected-resource metadata.
pub(crate) async fn router(
    server: Handler,
    options: &HttpOptions,
    cancel: CancellationToken,
    serving: Arc<AtomicBool>,
) -> Result<Router, BoxError> {
    let mut app = Router::new();
    let mut paths = Vec::new();
    // Only streamable HTTP has a shared store to check.
    #[cfg_attr(not(feature = "streamable-http"), allow(unused_mut))]
    let mut readiness = Readiness {
        serving,
        checks: Vec::new(),
    };
    // One table for both transports: the caps count every live session.
    let table = Arc::new(SessionTable::new(options.sessions));
    #[cfg(feature = "streamable-http")]
    if let Some(http) = &options.streamable {
        paths.push(http.path.clone());
        let (routes, store) =
            streamable::routes(server.clone(), http, options, table.clone(), cancel.clone())
                .await?;
        app = app.merge(protect(routes, &http.guard, options));
        if let Some(store) = store {
            readiness
                .checks
                .push(("session store", streamable::check(store)));
        }
    }
    #[cfg(feature = "sse")]
    if let Some(sse) = &options.sse {
        paths.push(sse.path.clone());
        let routes = super::sse::routes(
            // Legacy SSE carries no `params.task` through; its tools run as plain calls.
            server.without_tasks(),
            sse,
            options.max_body_bytes,
            table.clone(),
            options.auth.clone(),
            cancel.clone(),
        );
        app = app.merge(protect(routes, &sse.guard, options));
    }
    #[cfg(feature = "metrics")]
    if options.metrics.is_some() {
        super::metrics::enable(&table);
        if options.metrics == Some(None) {
            app = app.merge(super::metrics::routes());
        }
    }
    let _ = (&server, &cancel, &table);
    app = auth::metadata_routes(app, &options.auth, &paths);
    Ok(readiness::routes(app, readiness))
}

/// rmcp's streamable HTTP service answers a body that is not a JSON-RPC message with 415 and a text body; the MCP
/// transport spec asks for 400, with a JSON-RPC error clients can parse: -32700 for invalid JSON, else -32600.
async fn malformed_is_bad_request(response: axum::response::Response) -> axum::response::Response {
    const PREFIX: &[u8] = b"fail to deserialize request body ";
    if response.status() != StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let Some(detail) = bytes.strip_prefix(PREFIX) else {
        // A 415 for a wrong Content-Type stays one.
        return axum::response::Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let detail = String::from_utf8_lossy(detail);
    let (code, message) = if detail.starts_with("unrecognized JSON-RPC message") {
        (-32600, "Invalid request")
    } else {
        (-32700, "Parse error")
    };
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message, "data": {"detail": detail}},
    });
    (
        StatusCode::BAD_REQUEST,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        error.to_string(),
    )
        .into_response()
}

/// Wraps MCP routes, outermost first: the Host/Origin guard and the declared-length body limit (so
/// foreign hosts never reach auth) with the fix-up of rmcp's answer to a malformed body, tower-http's CORS
/// (so preflights never reach auth) and request timeout (504 when the response has not started in time;
/// event streams start at once, so this bounds the work before the first byte, not how long a stream stays
/// open), then authentication when the spec has any (no layer at all otherwise).
///
/// tower-http's `RequestBodyLimitLayer` does not fit: past the limit its body fails the read, which rmcp
/// answers with 500; rmcp, the SSE reader and the OAuth scope check answer a chunked body over the same
/// limit with 413 themselves. The layers are stacked into one `route_layer`, since axum boxes each
/// route layer's service again.
fn protect(routes: Router, guard: &Guard, options: &HttpOptions) -> Router {
    let routes = match options.auth {
        Auth::None => routes,
        _ => routes.route_layer(middleware::from_fn_with_state(
            auth::State::new(options.auth.clone(), options.max_body_bytes),
            auth::authenticate,
        )),
    };
    let screen = Arc::new(guard::Screen {
        guard: guard.clone(),
        max_body_bytes: options.max_body_bytes,
    });
    routes.route_layer(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn_with_state(
                screen,
                |state, request, next| async move {
                    malformed_is_bad_request(guard::screen(state, request, next).await).await
                },
            ))
            .option_layer(guard::cors(guard))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::GATEWAY_TIMEOUT,
                options.request_timeout,
            )),
    )
}

#[cfg(feature = "streamable-http")]
mod streamable {
    use std::sync::Arc;

    use axum::Router;
    use axum::middleware;
    use rmcp::transport::streamable_http_server::session::SessionManager;
    use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
    use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
    use rmcp::transport::streamable_http_server::{
        StreamableHttpServerConfig, StreamableHttpService,
    };
    use tokio_util::sync::CancellationToken;

    use super::{HttpOptions, StreamableOptions};
    use crate::cluster::Cluster;
    use crate::error::BoxError;
    use crate::handler::Handler;
    use crate::owned_sessions::{self, OwnedSessions};
    use crate::session_store::{self, SharedStore};
    use crate::sessions::SessionTable;

    pub(super) async fn routes(
        server: Handler,
        http: &StreamableOptions,
        options: &HttpOptions,
        table: Arc<SessionTable>,
        cancel: CancellationToken,
    ) -> Result<(Router, Option<Arc<dyn SharedStore>>), BoxError> {
        // Stateful sessions hold event streams open, which would keep the graceful shutdown waiting:
        // they end with the shutdown signal. Stateless requests keep a token of their own, so a call
        // running at the signal finishes instead of being cut off.
        let cancel = if http.stateful {
            cancel
        } else {
            CancellationToken::new()
        };
        // Host and Origin are checked by the guard in front, the same way for both transports.
        let config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(http.stateful)
            .with_json_response(!http.stateful && http.json_response)
            .with_cancellation_token(cancel)
            .with_max_request_body_bytes(options.max_body_bytes)
            .disable_allowed_hosts()
            .disable_allowed_origins();
        let tasks = server.tasks().is_some();
        let tools = server.spec().tools;
        Ok(if http.stateful {
            let mut sessions = LocalSessionManager::default();
            // Sessions, their table entries and their stored records all end after the idle timeout.
            sessions.session_config.keep_alive = Some(http.session_idle_timeout);
            let (store, cluster) = match &http.redis_url {
                Some(url) => {
                    let (store, cluster) =
                        shared_store(url, http, table.clone(), server.tasks()).await?;
                    server.share_subscriptions(cluster.clone());
                    (Some(store), Some(cluster))
                }
                None => (None, None),
            };
            let guard = owned_sessions::Guard {
                table: table.clone(),
                auth: options.auth.clone(),
                max_body_bytes: options.max_body_bytes,
                store: store.clone(),
            };
            let routes = match store.clone() {
                Some(store) => session_store::mount(
                    server,
                    sessions,
                    table,
                    store,
                    cluster,
                    config,
                    &http.path,
                    http.max_stream_events,
                ),
                None => {
                    let sessions = OwnedSessions {
                        inner: sessions,
                        table,
                    };
                    mount(server, Arc::new(sessions), config, &http.path)
                }
            };
            let owners = tasks.then(|| options.auth.clone());
            let routes =
                crate::tasks::http::layer(tools, routes, options.max_body_bytes, tasks, owners)
                    .layer(middleware::from_fn_with_state(guard, owned_sessions::guard));
            // Stateless requests stream too, but end with their response: only sessions hold streams open.
            #[cfg(feature = "metrics")]
            let routes = routes.layer(middleware::from_fn(crate::metrics::count_streams));
            (routes, store)
        } else {
            let routes = mount(
                // No session outlives a stateless request to poll a 2025-11-25 task: only 2026-07-28
                // requests, whose tasks belong to the principal, get tasks.
                server.sessionless(),
                Arc::new(NeverSessionManager::default()),
                config,
                &http.path,
            );
            let owners = tasks.then(|| options.auth.clone());
            (
                crate::tasks::http::layer(tools, routes, options.max_body_bytes, false, owners),
                None,
            )
        })
    }

    /// The readiness check of the shared store: it answers a round trip.
    pub(super) fn check(store: Arc<dyn SharedStore>) -> crate::readiness::Check {
        Arc::new(move || {
            let store = store.clone();
            Box::pin(async move { store.ping().await.map_err(|error| error.to_string()) })
        })
    }

    fn mount<M: SessionManager>(
        server: Handler,
        sessions: Arc<M>,
        config: StreamableHttpServerConfig,
        path: &str,
    ) -> Router {
        // One `Handler` per session (stateful) or per request (stateless); registry and state are shared.
        let service =
            StreamableHttpService::new(move || Ok(server.new_session()), sessions, config);
        Router::new().route_service(path, service)
    }

    /// The Redis session store, connected, the task store shared through the same Redis, and this
    /// instance's place in the cluster of the instances that share it (`resolve` refused a Redis URL
    /// without the feature).
    async fn shared_store(
        url: &super::SecretUrl,
        http: &StreamableOptions,
        table: Arc<SessionTable>,
        tasks: Option<&Arc<crate::tasks::store::TaskStore>>,
    ) -> Result<(Arc<dyn SharedStore>, Arc<Cluster>), BoxError> {
        #[cfg(feature = "redis")]
        {
            let (prefix, ttl) = (&http.redis_key_prefix, http.session_idle_timeout);
            // The session store first: a Redis that cannot be reached is reported as the session store's.
            let store = crate::redis_store::RedisStore::connect(url, prefix, ttl, table).await?;
            // Tasks live where sessions do, so a session that moves finds its tasks.
            if let Some(tasks) = tasks {
                let shared = crate::tasks::shared::SharedTasks::connect(url, prefix).await?;
                tasks.share(Arc::new(shared));
            }
            let cluster = crate::redis_bus::join(url, store.connection(), prefix, ttl).await?;
            Ok((Arc::new(store), cluster))
        }
        #[cfg(not(feature = "redis"))]
        {
            let _ = (url, http, table, tasks);
            Err("this binary was built without the `redis` feature".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_extend_loopback_and_star_disables() {
        let list = allow_list(
            &LOOPBACK_HOSTS,
            Some(&["mcp.example.com"]),
            &["10.0.0.5".to_owned()],
        );
        assert_eq!(
            list,
            [
                "localhost",
                "127.0.0.1",
                "::1",
                "mcp.example.com",
                "10.0.0.5"
            ]
        );
        assert!(allow_list(&LOOPBACK_HOSTS, None, &["*".to_owned()]).is_empty());
    }

    #[test]
    fn paths_must_be_absolute() {
        assert!(check_path("--path", "/mcp".into()).is_ok());
        assert!(check_path("--path", "mcp".into()).is_err());
    }

    /// `protect` in front of a route that answers after `delay`: Host `localhost`, one CORS origin, a tool
    /// with an `x-mcp-header`, bodies up to 16 bytes, responses that start within 100 ms, bearer auth.
    #[cfg(feature = "streamable-http")]
    fn protected(delay: Duration) -> Router {
        use crate::defs::ToolDef;
        let tools = [ToolDef {
            input_schema: Some(
                r#"{"type":"object","properties":{"r":{"type":"string","x-mcp-header":"Region"}}}"#,
            ),
            ..ToolDef::DEFAULT
        }];
        let guard = Guard::new(
            vec!["localhost".into()],
            vec!["http://app.example".into()],
            true,
        )
        .with_param_headers(&tools);
        let mut options = crate::testing::http::options(&["secret"], crate::testing::http::LIMITS);
        options.max_body_bytes = 16;
        options.request_timeout = Duration::from_millis(100);
        let answer = move || async move {
            tokio::time::sleep(delay).await;
            "done"
        };
        let routes = Router::new().route("/mcp", axum::routing::post(answer).options(answer));
        protect(routes, &guard, &options)
    }

    #[cfg(feature = "streamable-http")]
    #[tokio::test]
    async fn protect_refuses_foreign_hosts_and_origins_big_bodies_and_slow_answers() {
        use axum::http::{Request, header};
        use tower::ServiceExt as _;
        let send = |app: Router, request: axum::http::request::Builder| async move {
            let request = request.body(axum::body::Body::empty()).unwrap();
            app.oneshot(request).await.unwrap()
        };
        let post = |host: &str| {
            Request::post("/mcp")
                .header(header::HOST, host)
                .header(header::AUTHORIZATION, "Bearer secret")
        };
        let quick = || protected(Duration::ZERO);
        let status = |response: axum::response::Response| response.status();
        assert_eq!(
            status(send(quick(), post("localhost")).await),
            StatusCode::OK
        );
        assert_eq!(
            status(send(quick(), post("evil.example")).await),
            StatusCode::FORBIDDEN
        );
        let foreign = post("localhost").header(header::ORIGIN, "http://evil.example");
        assert_eq!(status(send(quick(), foreign).await), StatusCode::FORBIDDEN);
        let big = post("localhost").header(header::CONTENT_LENGTH, "17");
        assert_eq!(
            status(send(quick(), big).await),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let anonymous = Request::post("/mcp").header(header::HOST, "localhost");
        assert_eq!(
            status(send(quick(), anonymous).await),
            StatusCode::UNAUTHORIZED
        );
        // The answer has not started after 100 ms: 504, without waiting out the handler's 10 s.
        let slow = send(protected(Duration::from_secs(10)), post("localhost"));
        let response = tokio::time::timeout(Duration::from_secs(5), slow)
            .await
            .unwrap();
        assert_eq!(status(response), StatusCode::GATEWAY_TIMEOUT);

        // The browser origin: CORS headers on the answer, and a preflight answered without credentials
        // that allows the protocol's headers and the tool's `Mcp-Param-Region`.
        let fine = post("localhost").header(header::ORIGIN, "http://app.example");
        let response = send(quick(), fine).await;
        assert_eq!(response.status(), StatusCode::OK);
        let header_of = |response: &axum::response::Response, name| {
            response.headers()[name].to_str().unwrap().to_owned()
        };
        let origin = header::ACCESS_CONTROL_ALLOW_ORIGIN;
        assert_eq!(header_of(&response, origin.clone()), "http://app.example");
        let exposed = header_of(&response, header::ACCESS_CONTROL_EXPOSE_HEADERS);
        assert!(exposed.contains("mcp-session-id"), "{exposed}");
        let preflight = Request::options("/mcp")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://app.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, mcp-param-region",
            );
        let response = send(quick(), preflight).await;
        assert!(response.status().is_success(), "{}", response.status());
        assert_eq!(header_of(&response, origin), "http://app.example");
        let allowed = header_of(&response, header::ACCESS_CONTROL_ALLOW_HEADERS);
        assert!(allowed.contains("authorization"), "{allowed}");
        assert!(allowed.ends_with(",mcp-param-region"), "{allowed}");
        let methods = header_of(&response, header::ACCESS_CONTROL_ALLOW_METHODS);
        assert!(methods.contains("DELETE"), "{methods}");
    }
}
