//! Authentication for the HTTP transports, from the spec's `auth` section: static bearer tokens, or an
//! OAuth 2.1 resource server (JWT access tokens, see `oauth.rs`).

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::defs::AuthDef;
#[cfg(feature = "oauth")]
use super::defs::OAuthDef;

/// How requests to the MCP endpoints are authenticated.
#[derive(Debug, Clone)]
pub(crate) enum Auth {
    None,
    /// Accepted tokens.
    Bearer(Arc<BearerTokens>),
    #[cfg(feature = "oauth")]
    /// OAuth 2.1 access tokens (JWTs).
    Jwt(Arc<super::oauth::Verifier>),
}

impl Auth {
    /// `jwks_uri`: `--oauth-jwks-uri`, which replaces the spec's `auth.oauth.jwksUri`.
    pub(crate) fn from_spec(
        auth: &'static AuthDef,
        jwks_uri: Option<&str>,
    ) -> Result<Self, String> {
        if jwks_uri.is_some() && auth.oauth.is_none() {
            return Err("--oauth-jwks-uri is given but the spec has no auth.oauth".into());
        }
        if let Some(var) = auth.bearer_token_env {
            return bearer_tokens(var)
                .map(|tokens| Auth::Bearer(Arc::new(BearerTokens::new(&tokens))));
        }
        match &auth.oauth {
            None => Ok(Auth::None),
            #[cfg(feature = "oauth")]
            Some(def) => {
                let def = with_jwks_uri(def, jwks_uri);
                Ok(Auth::Jwt(Arc::new(super::oauth::Verifier::new(def, auth)?)))
            }
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

/// The spec's OAuth settings with the signing keys taken from `jwks_uri` instead, when given. Leaked once at
/// start-up: the verifier keeps `'static` definitions.
#[cfg(feature = "oauth")]
fn with_jwks_uri(def: &'static OAuthDef, jwks_uri: Option<&str>) -> &'static OAuthDef {
    match jwks_uri {
        None => def,
        Some(uri) => Box::leak(Box::new(OAuthDef {
            jwks_uri: Box::leak(uri.to_owned().into_boxed_str()),
            ..*def
        })),
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

/// The accepted bearer tokens, kept as their SHA-256 digests.
///
/// A request's token is hashed and its digest compared with each accepted digest by `subtle`'s
/// `ConstantTimeEq`. Comparing the tokens themselves, even in constant time per byte, would take a time
/// that depends on the secret's length (or answer early when the lengths differ); digests are 32 bytes
/// whatever the tokens' lengths, so the comparison's time depends on neither length nor content, and hashing
/// takes a time that depends only on the presented token, which the client already knows. The time depends
/// on the number of accepted tokens, which is not secret. SHA-256 is collision resistant, so equal digests
/// mean equal tokens. The plain tokens are not kept in memory either.
pub(crate) struct BearerTokens(Vec<[u8; 32]>);

impl BearerTokens {
    pub(crate) fn new(tokens: &[String]) -> Self {
        BearerTokens(tokens.iter().map(|token| digest(token)).collect())
    }

    /// Whether `presented` is one of the tokens. Every digest is compared, so the time taken does not
    /// reveal which one matched or came close.
    fn accepts(&self, presented: &str) -> bool {
        let presented = digest(presented);
        let found = self.0.iter().fold(Choice::from(0), |found, accepted| {
            found | accepted.ct_eq(&presented)
        });
        found.into()
    }
}

/// Never the digests: they would allow an offline guess of a weak token.
impl std::fmt::Debug for BearerTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BearerTokens({} accepted)", self.0.len())
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
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
            if bearer_token(request.headers()).is_some_and(|token| tokens.accepts(token)) {
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
    fn a_jwks_uri_override_needs_oauth() {
        let error = Auth::from_spec(&crate::testing::SPEC.auth, Some("http://127.0.0.1:1/jwks"));
        assert!(error.unwrap_err().contains("no auth.oauth"));
        assert!(matches!(
            Auth::from_spec(&crate::testing::SPEC.auth, None),
            Ok(Auth::None)
        ));
    }

    #[cfg(feature = "oauth")]
    #[test]
    fn a_jwks_uri_override_keeps_the_rest_of_the_oauth_settings() {
        static DEF: OAuthDef = OAuthDef {
            authorization_servers: &["https://issuer.example"],
            audience: "https://mcp.example/mcp",
            jwks_uri: "https://issuer.example/jwks",
            scopes: &["mcp"],
            algorithms: &["ES256"],
        };
        assert!(std::ptr::eq(with_jwks_uri(&DEF, None), &DEF));
        let local = with_jwks_uri(&DEF, Some("http://127.0.0.1:9/jwks.json"));
        assert_eq!(local.jwks_uri, "http://127.0.0.1:9/jwks.json");
        assert_eq!(
            (
                local.authorization_servers,
                local.audience,
                local.scopes,
                local.algorithms
            ),
            (
                DEF.authorization_servers,
                DEF.audience,
                DEF.scopes,
                DEF.algorithms
            )
        );
    }

    #[test]
    fn bearer_tokens_compare_whole_tokens() {
        let tokens = BearerTokens::new(&["secret".to_owned(), "other".to_owned()]);
        assert!(tokens.accepts("secret"));
        assert!(tokens.accepts("other"));
        assert!(!tokens.accepts("secreT"));
        assert!(!tokens.accepts("secret2"));
        assert!(!tokens.accepts("secre"));
        assert!(!tokens.accepts(""));
        assert!(BearerTokens::new(&[String::new()]).accepts(""));
    }

    /// What is compared has one size whatever the tokens' lengths, so the comparison cannot reveal the
    /// accepted token's length; and `Debug` shows neither tokens nor digests.
    #[test]
    fn bearer_tokens_compare_fixed_size_digests() {
        let tokens = BearerTokens::new(&["a".to_owned(), "a much longer secret token".repeat(40)]);
        let [short, long] = tokens.0.as_slice() else {
            panic!("two digests")
        };
        assert_eq!(short.len(), long.len());
        assert_eq!(digest("").len(), digest(&"x".repeat(10_000)).len());
        assert_eq!(*short, digest("a"));
        assert_eq!(format!("{tokens:?}"), "BearerTokens(2 accepted)");
    }

    #[tokio::test]
    async fn bearer_auth_guards_only_the_mcp_route() {
        use tower::ServiceExt as _;
        let auth = Auth::Bearer(Arc::new(BearerTokens::new(&[
            "one".to_owned(),
            "two".to_owned(),
        ])));
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
