//! The `lambda` transport: AWS Lambda events (API Gateway REST and HTTP API, Function URLs, ALB) turned into
//! HTTP requests by `lambda_http`, AWS's Rust runtime, and answered by the same router as streamable HTTP
//! (`http.rs`): the same handlers, guard, limits, auth, OAuth metadata and `/healthz`. Stateless, since no
//! process is sure to see a session's next request; the state is built once per cold start, before the first
//! event, and reused by the warm invocations that follow.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use lambda_http::{RequestExt as _, Service as _};
use tokio_util::sync::CancellationToken;

use super::auth::Auth;
use super::cli::Cli;
use super::connections::ConnectionLimits;
use super::defs::{LambdaDef, Spec};
use super::error::BoxError;
use super::guard::Guard;
use super::handler::Handler;
use super::http::{self, HttpOptions, LOOPBACK_HOSTS, LOOPBACK_ORIGINS, StreamableOptions};
use super::sessions::SessionLimits;

/// Serves invocations until the Lambda service stops the process.
pub(crate) async fn serve(handler: Handler, cli: &Cli) -> Result<(), BoxError> {
    let spec = handler.spec();
    let def = spec
        .transports
        .lambda
        .as_ref()
        .ok_or("the spec does not declare the lambda transport")?;
    // lambda_runtime panics without its environment; say what is missing instead.
    for var in [
        "AWS_LAMBDA_RUNTIME_API",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
    ] {
        if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
            return Err(format!(
                "the lambda transport runs inside AWS Lambda or `cargo lambda watch`: {var} is not set"
            )
            .into());
        }
    }
    let options = options(spec, def, cli)?;
    let app = router(handler, &options).await?;
    tracing::info!(
        auth = options.auth.kind(),
        "serving AWS Lambda events on {}",
        options.announced_path
    );
    lambda_http::run(service(app)).await
}

/// One event's request, answered by the router.
fn service(
    app: Router,
) -> impl lambda_http::Service<
    lambda_http::Request,
    Response = axum::response::Response,
    Error = Infallible,
    Future: Send,
> {
    lambda_http::service_fn(move |request| {
        let mut app = app.clone();
        app.call(unstaged(request))
    })
}

/// The streamable HTTP router, stateless, always ready.
async fn router(handler: Handler, options: &HttpOptions) -> Result<Router, BoxError> {
    let ready = Arc::new(AtomicBool::new(true));
    // A task would outlive its invocation, which Lambda freezes: tools run as plain calls.
    http::router(
        handler.without_tasks(),
        options,
        CancellationToken::new(),
        ready,
    )
    .await
}

/// The effective settings: the spec's `lambda` section, overridden by the flags and environment variables
/// that apply (`--path`, `--allowed-host`, `--allowed-origin`, `--request-timeout`, `--max-body-bytes`,
/// `--oauth-jwks-uri`).
fn options(spec: &'static Spec, def: &LambdaDef, cli: &Cli) -> Result<HttpOptions, String> {
    let path = cli.path.clone().unwrap_or_else(|| def.path.to_owned());
    if !path.starts_with('/') {
        return Err(format!("--path must start with '/': {path:?}"));
    }
    // AWS reaches the function only through its own host names, so a foreign Host is no rebinding risk:
    // any Host, unless the spec or the environment names some (then loopback stays, for the emulator).
    let hosts = if def.allowed_hosts.is_none() && cli.allowed_hosts.is_empty() {
        Vec::new()
    } else {
        http::allow_list(&LOOPBACK_HOSTS, def.allowed_hosts, &cli.allowed_hosts)
    };
    let origins = http::allow_list(&LOOPBACK_ORIGINS, def.allowed_origins, &cli.allowed_origins);
    let cors =
        def.allowed_origins.is_some_and(|o| !o.is_empty()) || !cli.allowed_origins.is_empty();
    let max_body_bytes = cli.max_body_bytes.unwrap_or(def.max_body_bytes);
    Ok(HttpOptions {
        host: String::new(),
        port: 0,
        announced_path: path.clone(),
        streamable: Some(StreamableOptions {
            path,
            stateful: false,
            json_response: true,
            guard: Guard::new(hosts, origins, cors).with_param_headers(spec.tools),
            session_idle_timeout: Duration::ZERO,
            redis_url: None,
            redis_key_prefix: String::new(),
            max_stream_events: 0,
        }),
        sse: None,
        // Each instance lives for a few invocations and nothing scrapes it: Lambda reports to CloudWatch.
        metrics: None,
        request_timeout: Duration::from_secs(
            cli.request_timeout
                .unwrap_or(def.request_timeout_secs)
                .max(1),
        ),
        max_body_bytes: usize::try_from(max_body_bytes).unwrap_or(usize::MAX),
        auth: Auth::from_spec(&spec.auth, cli.oauth_jwks_uri.as_deref())?,
        // Lambda owns the connections, and there are no sessions: these bound nothing here.
        connections: ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(1),
            max: 1,
        },
        sessions: SessionLimits {
            max: 1,
            max_per_principal: 1,
            max_record_bytes: 1,
        },
    })
}

/// The request with the path the client asked for: `lambda_http` puts an API Gateway stage in front of it
/// (`/prod/mcp`), and the endpoint should not depend on the stage's name.
fn unstaged(mut request: lambda_http::Request) -> lambda_http::Request {
    let raw = request.raw_http_path();
    if raw.is_empty() || request.uri().path() == raw {
        return request;
    }
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{raw}?{query}"),
        None => raw.to_owned(),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(value) = path_and_query.parse() {
        parts.path_and_query = Some(value);
        if let Ok(uri) = ::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;
    use lambda_http::request::LambdaRequest;
    use lambda_http::{Adapter, Context, LambdaEvent, Service as _};
    use serde_json::{Value, json};

    use super::*;
    use crate::testing::SPEC;

    const DEF: LambdaDef = LambdaDef {
        path: "/mcp",
        allowed_hosts: None,
        allowed_origins: None,
        request_timeout_secs: 30,
        max_body_bytes: 64 * 1024,
    };

    /// Recorded event shapes (AWS's documented examples, with MCP bodies), shared with tests/e2e/test_lambda.py.
    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/lambda-events/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn cli(args: &[&str]) -> Cli {
        let mut argv = vec!["test", "--transport", "lambda"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap()
    }

    /// The function as `lambda_http::run` drives it, minus the Runtime API: event JSON in, response JSON out.
    async fn function(def: &LambdaDef, args: &[&str]) -> impl FnMut(Value) -> BoxedResponse {
        function_with(options(&SPEC, def, &cli(args)).unwrap()).await
    }

    async fn function_with(options: HttpOptions) -> impl FnMut(Value) -> BoxedResponse {
        let mut adapter = Adapter::from(service(crate::testing::http::app(&options).await));
        move |event: Value| {
            let event: LambdaRequest = serde_json::from_value(event).expect("a Lambda HTTP event");
            let future = adapter.call(LambdaEvent::new(event, Context::default()));
            Box::pin(async move {
                let response = future.await.unwrap();
                serde_json::to_value(&response).unwrap()
            })
        }
    }

    type BoxedResponse = std::pin::Pin<Box<dyn std::future::Future<Output = Value> + Send>>;

    /// The status and the body, decoded when the response is base64.
    fn answer(response: &Value) -> (u64, String) {
        let body = response["body"].as_str().unwrap_or_default();
        let body = if response["isBase64Encoded"] == json!(true) {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap();
            String::from_utf8(bytes).unwrap()
        } else {
            body.to_owned()
        };
        (response["statusCode"].as_u64().unwrap(), body)
    }

    fn with_body(mut event: Value, body: &str) -> Value {
        event["body"] = json!(body);
        event["isBase64Encoded"] = json!(false);
        event
    }

    #[tokio::test]
    async fn every_event_source_reaches_the_mcp_endpoint() {
        let mut call = function(&DEF, &[]).await;
        for (name, id, key) in [
            ("apigw-rest", 1, "serverInfo"),
            ("apigw-http", 2, "tools"),
            ("function-url", 1, "serverInfo"),
            ("alb", 2, "tools"),
        ] {
            let response = call(fixture(name)).await;
            let (status, body) = answer(&response);
            assert_eq!(status, 200, "{name}: {body}");
            let message: Value =
                serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: {e}: {body}"));
            assert_eq!(message["id"], json!(id), "{name}: {body}");
            assert!(
                message["result"][key].is_object() || message["result"][key].is_array(),
                "{name}: {body}"
            );
        }
    }

    #[tokio::test]
    async fn healthz_answers_and_other_paths_do_not() {
        let mut call = function(&DEF, &[]).await;
        let mut event = fixture("apigw-http");
        event["rawPath"] = json!("/healthz");
        event["requestContext"]["http"]["method"] = json!("GET");
        let (status, body) = answer(&call(event.clone()).await);
        assert_eq!((status, body.as_str()), (200, "ok"));
        event["rawPath"] = json!("/elsewhere");
        assert_eq!(answer(&call(event).await).0, 404);
    }

    #[tokio::test]
    async fn bad_bodies_get_http_errors_and_the_next_event_is_served() {
        let mut call = function(&DEF, &[]).await;
        let (status, body) = answer(&call(with_body(fixture("apigw-http"), "not json")).await);
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("-32700"), "{body}");
        let (status, body) =
            answer(&call(with_body(fixture("apigw-http"), r#"{"hello":1}"#)).await);
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("-32600"), "{body}");
        let big = format!(
            r#"{{"jsonrpc":"2.0","id":3,"method":"ping","params":{{"pad":"{}"}}}}"#,
            "x".repeat(100 * 1024)
        );
        let (status, _) = answer(&call(with_body(fixture("function-url"), &big)).await);
        assert_eq!(status, 413);
        let (status, body) = answer(&call(fixture("alb")).await);
        assert_eq!(status, 200, "{body}");
    }

    #[test]
    fn malformed_events_are_refused_before_the_router() {
        // lambda_runtime reports these to the Runtime API as invocation errors and polls the next event.
        for event in [
            "{",
            "[]",
            r#"{"version":"2.0"}"#,
            r#"{"httpMethod":"POST"}"#,
        ] {
            assert!(
                serde_json::from_str::<LambdaRequest>(event).is_err(),
                "{event}"
            );
        }
    }

    #[tokio::test]
    async fn hosts_are_free_until_a_list_is_given() {
        let mut call = function(&DEF, &[]).await;
        assert_eq!(answer(&call(fixture("apigw-http")).await).0, 200);
        let mut call = function(&DEF, &["--allowed-host", "mcp.example.com"]).await;
        assert_eq!(answer(&call(fixture("apigw-http")).await).0, 403);
        let mut event = fixture("apigw-http");
        event["headers"]["host"] = json!("mcp.example.com");
        assert_eq!(answer(&call(event).await).0, 200);
        let listed = LambdaDef {
            allowed_hosts: Some(&["r3pmxmplak.execute-api.us-east-2.amazonaws.com"]),
            ..DEF
        };
        let mut call = function(&listed, &[]).await;
        assert_eq!(answer(&call(fixture("apigw-http")).await).0, 200);
        assert_eq!(answer(&call(fixture("alb")).await).0, 403);
    }

    #[tokio::test]
    async fn bearer_auth_applies() {
        let mut options = options(&SPEC, &DEF, &cli(&[])).unwrap();
        options.auth = Auth::Bearer(Arc::new(crate::auth::BearerTokens::new(&[
            "s3cret".to_owned()
        ])));
        let mut call = function_with(options).await;
        let (status, body) = answer(&call(fixture("apigw-rest")).await);
        assert_eq!(status, 401, "{body}");
        let mut event = fixture("apigw-rest");
        event["headers"]["Authorization"] = json!("Bearer s3cret");
        event["multiValueHeaders"]["Authorization"] = json!(["Bearer s3cret"]);
        let (status, body) = answer(&call(event).await);
        assert_eq!(status, 200, "{body}");
    }

    /// An OAuth resource server over Lambda as over HTTP: a call without a token is refused with the challenge
    /// naming the metadata document, and that document is served (outside auth) at the well-known paths.
    #[cfg(feature = "oauth")]
    #[tokio::test]
    async fn oauth_challenges_and_serves_its_metadata() {
        use crate::defs::{AuthDef, OAuthDef};
        static AUTH: AuthDef = AuthDef {
            bearer_token_env: None,
            oauth: Some(OAuthDef {
                authorization_servers: &["https://issuer.example"],
                audience: "https://fn.example/mcp",
                // Never fetched: no request below carries a token.
                jwks_uri: "http://127.0.0.1:9/jwks.json",
                scopes: &["mcp"],
                algorithms: &["ES256"],
            }),
            tool_scopes: &[],
        };
        let mut options = options(&SPEC, &DEF, &cli(&[])).unwrap();
        options.auth = Auth::from_spec(&AUTH, None).unwrap();
        let mut call = function_with(options).await;

        let response = call(fixture("apigw-http")).await;
        let (status, body) = answer(&response);
        assert_eq!(status, 401, "{body}");
        let challenge = response["headers"]["www-authenticate"]
            .as_str()
            .unwrap_or_default();
        assert!(
            challenge.contains(
                "resource_metadata=\"https://fn.example/.well-known/oauth-protected-resource/mcp\""
            ),
            "{response}"
        );

        for path in [
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/mcp",
        ] {
            let mut event = fixture("apigw-http");
            event["rawPath"] = json!(path);
            event["requestContext"]["http"]["method"] = json!("GET");
            let (status, body) = answer(&call(event).await);
            assert_eq!(status, 200, "{path}: {body}");
            let document: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                document["resource"],
                json!("https://fn.example/mcp"),
                "{body}"
            );
            assert_eq!(
                document["authorization_servers"],
                json!(["https://issuer.example"]),
                "{body}"
            );
        }
    }

    #[tokio::test]
    async fn foreign_origins_are_refused() {
        let mut call = function(&DEF, &[]).await;
        let mut event = fixture("function-url");
        event["headers"]["origin"] = json!("https://evil.example.com");
        assert_eq!(answer(&call(event).await).0, 403);
    }

    #[test]
    fn the_stage_is_not_part_of_the_path() {
        let request = lambda_http::request::from_str(&fixture("apigw-rest").to_string()).unwrap();
        assert_eq!(request.uri().path(), "/prod/mcp");
        assert_eq!(unstaged(request).uri().path(), "/mcp");
    }
}
