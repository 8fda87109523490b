//! OAuth 2.1 resource server: JWT access tokens checked against the authorization server's JWKS
//! (issuer, audience, expiry, not-before, algorithm, signature), scopes, and the RFC 9728
//! protected-resource metadata that tells clients where to get a token.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::auth::bearer_token;
use super::claims::Claims;
use super::defs::{AuthDef, OAuthDef};
use super::guard::payload_too_large;
use super::jwks::{KeyCache, Policy};

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECS: u64 = 30;
const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Checks access tokens; keeps the issuer's keys cached.
#[derive(Debug)]
pub(crate) struct Verifier {
    def: &'static OAuthDef,
    /// Scopes a tool needs beyond `def.scopes` (the spec's `auth.toolScopes`).
    tool_scopes: ToolScopes,
    validation: Validation,
    metadata_url: String,
    /// The issuer's keys (`jwks.rs`: expiry, refetch limits, fetch bounds).
    keys: Arc<KeyCache>,
}

/// (tool name, scopes) for the tools that need scopes of their own.
type ToolScopes = &'static [(&'static str, &'static [&'static str])];

/// Why a token was refused (logged at debug level, sent as `error_description`).
#[derive(Debug)]
struct Rejected(String);

impl Verifier {
    pub(crate) fn new(def: &'static OAuthDef, auth: &'static AuthDef) -> Result<Self, String> {
        let mut algorithms = Vec::new();
        for name in def.algorithms {
            let algorithm: Algorithm = name
                .parse()
                .map_err(|_| format!("auth.oauth.algorithms: unknown algorithm {name:?}"))?;
            // Shared-secret algorithms would let anyone holding a published key forge tokens.
            if matches!(
                algorithm,
                Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
            ) {
                return Err(format!(
                    "auth.oauth.algorithms: {name} is symmetric; use RS*, PS*, ES* or EdDSA"
                ));
            }
            algorithms.push(algorithm);
        }
        let Some(first) = algorithms.first().copied() else {
            return Err("auth.oauth.algorithms is empty".into());
        };
        let mut validation = Validation::new(first);
        validation.algorithms = algorithms;
        validation.set_audience(&[def.audience]);
        validation.set_issuer(def.authorization_servers);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        Ok(Verifier {
            def,
            tool_scopes: auth.tool_scopes,
            validation,
            metadata_url: metadata_url(def.audience),
            keys: Arc::new(KeyCache::new(def.jwks_uri, Policy::DEFAULT)?),
        })
    }

    /// The token's claims when it is valid for this resource.
    async fn verify(&self, token: &str) -> Result<Claims, Rejected> {
        // Fails for `alg: none` and any algorithm jsonwebtoken does not know.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| Rejected(format!("malformed token: {e}")))?;
        if !self.validation.algorithms.contains(&header.alg) {
            return Err(Rejected(format!("algorithm {:?} not accepted", header.alg)));
        }
        let keys = self
            .keys
            .keys_for(header.kid.as_deref())
            .await
            .map_err(|reason| Rejected(reason.into()))?;
        // jsonwebtoken refuses a validation whose algorithms span key families (RSA and EC): check
        // against the token's own (already allowed) algorithm.
        let mut validation = self.validation.clone();
        validation.algorithms = vec![header.alg];
        let mut last = Rejected("no signing key".into());
        for key in &keys {
            match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
                Ok(data) => return Ok(Claims::new(data.claims)),
                Err(e) => last = Rejected(e.to_string()),
            }
        }
        Err(last)
    }

    /// 401 with a challenge pointing at the metadata.
    fn unauthorized(&self, error: Option<&Rejected>) -> Response {
        let mut challenge = format!("Bearer resource_metadata=\"{}\"", self.metadata_url);
        if let Some(Rejected(reason)) = error {
            tracing::debug!(reason, "access token refused");
            challenge.push_str(", error=\"invalid_token\"");
        }
        challenge_response(StatusCode::UNAUTHORIZED, challenge)
    }

    /// 403 naming the scopes the token lacks.
    fn insufficient_scope(&self, needed: &[&str]) -> Response {
        let challenge = format!(
            "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{}\"",
            needed.join(" "),
            self.metadata_url
        );
        challenge_response(StatusCode::FORBIDDEN, challenge)
    }

    /// The RFC 9728 document.
    fn metadata(&self) -> Value {
        let mut scopes: Vec<&str> = self.def.scopes.to_vec();
        for (_, tool_scopes) in self.tool_scopes {
            for scope in *tool_scopes {
                if !scopes.contains(scope) {
                    scopes.push(scope);
                }
            }
        }
        serde_json::json!({
            "resource": self.def.audience,
            "authorization_servers": self.def.authorization_servers,
            "scopes_supported": scopes,
            "bearer_methods_supported": ["header"],
            "resource_signing_alg_values_supported":
                self.def.algorithms,
        })
    }
}

fn challenge_response(status: StatusCode, challenge: String) -> Response {
    let mut response = (status, status.canonical_reason().unwrap_or_default()).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// `https://host/.well-known/oauth-protected-resource/path` for resource `https://host/path`.
fn metadata_url(resource: &str) -> String {
    let (origin, path) = split_url(resource);
    format!("{origin}{WELL_KNOWN}{path}")
}

/// `("https://host", "/path")`; the path is empty for a bare origin or `/`.
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => {
            let (origin, path) = url.split_at(after_scheme + i);
            (origin, if path == "/" { "" } else { path })
        }
        None => (url, ""),
    }
}

/// Checks the token, the spec's scopes and the called tool's `requiredScopes`, then hands the claims
/// to the handlers through the request's extensions.
pub(crate) async fn authenticate(
    verifier: &Verifier,
    body_limit: usize,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(token) = bearer_token(request.headers()) else {
        return verifier.unauthorized(None);
    };
    let claims = match verifier.verify(token).await {
        Ok(claims) => claims,
        Err(rejected) => return verifier.unauthorized(Some(&rejected)),
    };
    let missing: Vec<&str> = verifier
        .def
        .scopes
        .iter()
        .copied()
        .filter(|s| !claims.has_scope(s))
        .collect();
    if !missing.is_empty() {
        return verifier.insufficient_scope(verifier.def.scopes);
    }
    if !verifier.tool_scopes.is_empty() && request.method() == Method::POST {
        // Peek at the JSON-RPC message: a tools/call needs the tool's scopes too.
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, body_limit).await else {
            return payload_too_large();
        };
        let needed = called_tool(&bytes).and_then(|tool| {
            verifier
                .tool_scopes
                .iter()
                .find(|(name, _)| *name == tool)
                .map(|(_, scopes)| *scopes)
        });
        if let Some(needed) = needed.filter(|n| n.iter().any(|s| !claims.has_scope(s))) {
            let mut all = verifier.def.scopes.to_vec();
            for scope in needed {
                if !all.contains(scope) {
                    all.push(scope);
                }
            }
            return verifier.insufficient_scope(&all);
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(claims);
    next.run(request).await
}

/// The tool a `tools/call` request names.
fn called_tool(body: &[u8]) -> Option<String> {
    let message: Value = serde_json::from_slice(body).ok()?;
    if message.get("method")?.as_str()? != "tools/call" {
        return None;
    }
    Some(message.get("params")?.get("name")?.as_str()?.to_owned())
}

pub(crate) fn metadata_routes(
    mut app: Router,
    verifier: &std::sync::Arc<Verifier>,
    mcp_paths: &[String],
) -> Router {
    let document = verifier.metadata().to_string();
    let mut paths = vec![WELL_KNOWN.to_owned()];
    let (_, resource_path) = split_url(verifier.def.audience);
    for path in mcp_paths.iter().map(String::as_str).chain([resource_path]) {
        let path = format!("{WELL_KNOWN}{path}");
        if !path.ends_with('/') && !paths.contains(&path) {
            paths.push(path);
        }
    }
    for path in paths {
        let document = document.clone();
        app = app.route(
            &path,
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, "application/json"),
                        // Public, and browser clients read it before they have a token.
                        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                    ],
                    document,
                )
            }),
        );
    }
    app
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_url_keeps_the_resource_path() {
        assert_eq!(
            metadata_url("https://mcp.example.com/mcp"),
            "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(
            metadata_url("https://mcp.example.com/"),
            "https://mcp.example.com/.well-known/oauth-protected-resource"
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource"
        );
    }

    #[test]
    fn called_tool_reads_tools_call_only() {
        let call = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"}}"#;
        assert_eq!(called_tool(call).as_deref(), Some("echo"));
        let list = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;
        assert_eq!(called_tool(list), None);
        assert_eq!(called_tool(b"not json"), None);
    }
}
