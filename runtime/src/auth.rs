//! Authentication for the HTTP transports, from the spec's `auth` section: static bearer tokens, or an
//! OAuth 2.1 resource server (JWT access tokens, see `oauth.rs`).

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::defs::AuthDef;

/// How requests to the MCP endpoints are authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    None,
    /// Accepted tokens.
    Bearer(Arc<Vec<String>>),
    #[cfg(feature = "oauth")]
    /// OAuth 2.1 access tokens (JWTs).
    Jwt(Arc<super::oauth::Verifier>),
}

impl Auth {
    pub(crate) fn from_spec(auth: &'static AuthDef) -> Result<Self, String> {
        if let Some(var) = auth.bearer_token_env {
            return bearer_tokens(var).map(|tokens| Auth::Bearer(Arc::new(tokens)));
        }
        match &auth.oauth {
            None => Ok(Auth::None),
            #[cfg(feature = "oauth")]
            Some(def) => Ok(Auth::Jwt(Arc::new(super::oauth::Verifier::new(def, auth)?))),
            #[cfg(not(feature = "oauth"))]
            Some(_) => Err("the spec asks for OAuth: build with the `oauth` feature".into()),
        }
    }

    /// For the start-up log line.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::Bearer(_) => "bearer",
            #[cfg(feature = "oauth")]
            Auth::Jwt(_) => "oauth",
        }
    }
}

/// The tokens from the spec's `auth.bearer.tokenEnv` variable (comma-separated).
fn bearer_tokens(var: &str) -> Result<Vec<String>, String> {
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

/// The middleware's state: the scheme, and the body limit the OAuth scope check reads up to.
#[derive(Debug, Clone)]
pub(crate) struct State {
    auth: Auth,
    #[cfg(feature = "oauth")]
    body_limit: usize,
}

impl State {
    pub(crate) fn new(auth: Auth, body_limit: usize) -> Self {
        #[cfg(not(feature = "oauth"))]
        let _ = body_limit;
        State {
            auth,
            #[cfg(feature = "oauth")]
            body_limit,
        }
    }
}

/// Lets a request through only with valid credentials (401 otherwise, 403 for missing OAuth scopes).
pub(crate) async fn authenticate(
    axum::extract::State(state): axum::extract::State<State>,
    request: Request,
    next: Next,
) -> Response {
    match &state.auth {
        Auth::None => next.run(request).await,
        Auth::Bearer(tokens) => {
            if bearer_accepted(tokens, request.headers()) {
                next.run(request).await
            } else {
                let mut response = (StatusCode::UNAUTHORIZED, "Unauthorized").into_response();
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                response
            }
        }
        #[cfg(feature = "oauth")]
        Auth::Jwt(verifier) => {
            super::oauth::authenticate(verifier, state.body_limit, request, next).await
        }
    }
}

/// The token of an `Authorization: Bearer` header.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
}

fn bearer_accepted(tokens: &[String], headers: &HeaderMap) -> bool {
    // Compare against every token so the time taken does not reveal which one came close.
    bearer_token(headers).is_some_and(|presented| {
        tokens.iter().fold(false, |found, token| {
            constant_time_eq(token.as_bytes(), presented.as_bytes()) | found
        })
    })
}

/// Equality whose time depends only on the lengths, not on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    std::hint::black_box(a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y))) == 0
}

/// With OAuth, the RFC 9728 protected-resource metadata, public, at the well-known path and its
/// variants for the resource's path and every MCP endpoint.
pub(crate) fn metadata_routes(app: Router, auth: &Auth, mcp_paths: &[String]) -> Router {
    match auth {
        #[cfg(feature = "oauth")]
        Auth::Jwt(verifier) => super::oauth::metadata_routes(app, verifier, mcp_paths),
        _ => {
            let _ = mcp_paths;
            app
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::middleware;
    use axum::routing::get;

    #[test]
    fn constant_time_eq_compares_bytes() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(constant_time_eq(b"", b""));
    }

    #[tokio::test]
    async fn bearer_auth_guards_only_the_mcp_route() {
        use tower::ServiceExt as _;
        let auth = Auth::Bearer(Arc::new(vec!["one".to_owned(), "two".to_owned()]));
        let app = Router::new()
            .route("/mcp", get(|| async { "mcp" }))
            .route_layer(middleware::from_fn_with_state(
                State::new(auth, 1024),
                authenticate,
            ))
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
        for wrong in ["Bearer three", "Basic two", "Bearer ", "Bearer"] {
            assert_eq!(
                call("/mcp", Some(wrong)).await.unwrap().status(),
                StatusCode::UNAUTHORIZED,
                "{wrong}"
            );
        }
        for right in ["Bearer two", "bearer one"] {
            assert_eq!(
                call("/mcp", Some(right)).await.unwrap().status(),
                StatusCode::OK
            );
        }
        assert_eq!(
            call("/healthz", None).await.unwrap().status(),
            StatusCode::OK
        );
    }
}
