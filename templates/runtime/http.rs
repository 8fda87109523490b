//! The streamable HTTP transport: rmcp's tower service mounted in axum, with Host/Origin checks,
//! optional bearer authentication, health endpoints and graceful shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt as _;
use rmcp::transport::streamable_http_server::session::SessionManager;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::cli::Cli;
use super::defs::HttpDef;
use super::error::BoxError;
use super::handler::Server;
use super::shutdown;
use crate::generated::server as spec;

/// How long in-flight requests may take to finish after a shutdown signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const LOOPBACK_ORIGINS: [&str; 6] = [
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
    pub(crate) path: String,
    pub(crate) stateful: bool,
    pub(crate) json_response: bool,
    /// Empty: any Host is accepted.
    pub(crate) allowed_hosts: Vec<String>,
    /// Empty: any Origin is accepted.
    pub(crate) allowed_origins: Vec<String>,
    /// Accepted bearer tokens; empty: no authentication.
    pub(crate) bearer_tokens: Vec<String>,
}

impl HttpOptions {
    pub(crate) fn resolve(cli: &Cli, def: &HttpDef) -> Result<Self, String> {
        let allowed_hosts = allow_list(&LOOPBACK_HOSTS, def.allowed_hosts, &cli.allowed_hosts);
        let allowed_origins =
            allow_list(&LOOPBACK_ORIGINS, def.allowed_origins, &cli.allowed_origins);
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
        let path = cli.path.clone().unwrap_or_else(|| def.path.to_owned());
        if !path.starts_with('/') {
            return Err(format!("--path must start with '/': {path:?}"));
        }
        Ok(HttpOptions {
            host: cli.host.clone().unwrap_or_else(|| def.host.to_owned()),
            port: cli.port.unwrap_or(def.port),
            path,
            stateful,
            json_response,
            allowed_hosts,
            allowed_origins,
            bearer_tokens: bearer_tokens()?,
        })
    }
}

/// Loopback entries, then the spec's, then the command line's; a `*` anywhere disables the check.
fn allow_list(loopback: &[&str], spec: Option<&[&str]>, cli: &[String]) -> Vec<String> {
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

/// The tokens from the spec's `auth.bearer.tokenEnv` variable (comma-separated).
fn bearer_tokens() -> Result<Vec<String>, String> {
    let Some(var) = spec::AUTH.bearer_token_env else {
        return Ok(Vec::new());
    };
    let tokens: Vec<String> = std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    if tokens.is_empty() {
        return Err(format!(
            "bearer authentication is on: set {var} to the accepted token(s), comma-separated"
        ));
    }
    Ok(tokens)
}

/// Serves until a shutdown signal, then drains in-flight requests for up to [`DRAIN_TIMEOUT`].
pub(crate) async fn serve(server: Server, options: HttpOptions) -> Result<(), BoxError> {
    let shutdown = CancellationToken::new();
    let ready = Arc::new(AtomicBool::new(false));
    let app = router(server, &options, shutdown.child_token(), ready.clone());

    let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
        .await
        .map_err(|e| format!("cannot bind {}:{}: {e}", options.host, options.port))?;
    let address = listener.local_addr()?;
    tracing::info!(
        mode = if options.stateful {
            "stateful"
        } else {
            "stateless"
        },
        auth = !options.bearer_tokens.is_empty(),
        "listening on http://{address}{}",
        options.path
    );
    // TCP_NODELAY: stateful replies are SSE streams written in small pieces; with Nagle's algorithm
    // and delayed ACKs each one would stall about 40 ms.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    let serving =
        axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let mut task = tokio::spawn(async move { serving.await });
    ready.store(true, Ordering::Release);

    tokio::select! {
        result = &mut task => return Ok(result??),
        () = shutdown::signal() => {}
    }
    ready.store(false, Ordering::Release);
    // Ends the sessions' event streams too (rmcp's token is a child), so open streams do not hold
    // the shutdown up.
    shutdown.cancel();
    match tokio::time::timeout(DRAIN_TIMEOUT, task).await {
        Ok(result) => Ok(result??),
        Err(_) => {
            tracing::warn!(
                "requests still running {DRAIN_TIMEOUT:?} after the shutdown signal; exiting anyway"
            );
            Ok(())
        }
    }
}

/// The axum app: the MCP endpoint (behind bearer auth when configured) plus `/healthz` and `/readyz`.
pub(crate) fn router(
    server: Server,
    options: &HttpOptions,
    cancel: CancellationToken,
    ready: Arc<AtomicBool>,
) -> Router {
    let mut config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(options.stateful)
        .with_json_response(!options.stateful && options.json_response)
        .with_cancellation_token(cancel);
    config = if options.allowed_hosts.is_empty() {
        config.disable_allowed_hosts()
    } else {
        config.with_allowed_hosts(options.allowed_hosts.clone())
    };
    config = if options.allowed_origins.is_empty() {
        config.disable_allowed_origins()
    } else {
        config
            .with_allowed_origins(options.allowed_origins.clone())
            .enforce_origin_validation()
    };

    let mut app = if options.stateful {
        mcp_route(
            server,
            Arc::new(LocalSessionManager::default()),
            config,
            &options.path,
        )
    } else {
        mcp_route(
            server,
            Arc::new(NeverSessionManager::default()),
            config,
            &options.path,
        )
    };
    if !options.bearer_tokens.is_empty() {
        app = app.route_layer(middleware::from_fn_with_state(
            Arc::new(options.bearer_tokens.clone()),
            bearer_auth,
        ));
    }
    app.route("/healthz", get(|| async { "ok" })).route(
        "/readyz",
        get(move || async move {
            if ready.load(Ordering::Acquire) {
                (StatusCode::OK, "ready")
            } else {
                (StatusCode::SERVICE_UNAVAILABLE, "not ready")
            }
        }),
    )
}

fn mcp_route<M: SessionManager>(
    server: Server,
    sessions: Arc<M>,
    config: StreamableHttpServerConfig,
    path: &str,
) -> Router {
    // One `Server` per session (stateful) or per request (stateless); the registry and state are shared.
    let service = StreamableHttpService::new(move || Ok(server.new_session()), sessions, config);
    Router::new().route_service(path, service)
}

/// Rejects requests without an accepted `Authorization: Bearer` token (401 with `WWW-Authenticate`).
async fn bearer_auth(
    State(tokens): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    // Compare against every token so the time taken does not reveal which one came close.
    let accepted = presented.is_some_and(|presented| {
        tokens.iter().fold(false, |found, token| {
            constant_time_eq(token.as_bytes(), presented.as_bytes()) | found
        })
    });
    if accepted {
        return next.run(request).await;
    }
    let mut response = (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Equality whose time depends only on the lengths, not on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    std::hint::black_box(a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y))) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(constant_time_eq(b"", b""));
    }

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

    #[tokio::test]
    async fn bearer_auth_guards_only_the_mcp_route() {
        use tower::ServiceExt as _;
        let tokens = Arc::new(vec!["one".to_owned(), "two".to_owned()]);
        let app = Router::new()
            .route("/mcp", get(|| async { "mcp" }))
            .route_layer(middleware::from_fn_with_state(tokens, bearer_auth))
            .route("/healthz", get(|| async { "ok" }));
        let call = |uri: &str, auth: Option<&str>| {
            let mut request = axum::http::Request::builder().uri(uri);
            if let Some(auth) = auth {
                request = request.header(header::AUTHORIZATION, auth);
            }
            app.clone()
                .oneshot(request.body(axum::body::Body::empty()).unwrap())
        };
        let denied = call("/mcp", None).await.unwrap();
        assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(denied.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(
            call("/mcp", Some("Bearer three")).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call("/mcp", Some("Basic two")).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call("/mcp", Some("Bearer two")).await.unwrap().status(),
            StatusCode::OK
        );
        assert_eq!(
            call("/mcp", Some("bearer one")).await.unwrap().status(),
            StatusCode::OK
        );
        assert_eq!(
            call("/healthz", None).await.unwrap().status(),
            StatusCode::OK
        );
    }
}
