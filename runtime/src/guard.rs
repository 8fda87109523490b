//! HTTP hardening in front of the MCP endpoints: Host and Origin allow-lists (DNS-rebinding
//! protection), the declared-length body limit, and the rules of tower-http's CORS layer for the allowed
//! browser origins.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::defs::ToolDef;

/// Headers a browser client may send (besides the tools' `Mcp-Param-*` headers).
const ALLOW_HEADERS: [&str; 8] = [
    "authorization",
    "content-type",
    "accept",
    "last-event-id",
    "mcp-session-id",
    "mcp-protocol-version",
    "mcp-method",
    "mcp-name",
];
/// Response headers a browser client must be able to read.
const EXPOSE_HEADERS: [&str; 3] = ["mcp-session-id", "mcp-protocol-version", "www-authenticate"];

/// Which `Host` and `Origin` values an endpoint accepts.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    /// Empty: any Host.
    hosts: Vec<String>,
    /// Empty: any Origin.
    origins: Vec<String>,
    /// Answer CORS preflights and add CORS headers for accepted origins.
    cors: bool,
    /// The tools' `Mcp-Param-*` headers, which a CORS preflight allows.
    param_headers: Vec<HeaderName>,
}

impl Guard {
    pub(crate) fn new(hosts: Vec<String>, origins: Vec<String>, cors: bool) -> Self {
        Guard {
            hosts,
            origins,
            cors,
            param_headers: Vec::new(),
        }
    }

    /// Lets CORS preflights allow the `Mcp-Param-*` headers of `tools`.
    pub(crate) fn with_param_headers(mut self, tools: &[ToolDef]) -> Self {
        if self.cors {
            self.param_headers = param_headers(tools);
        }
        self
    }

    fn host_allowed(&self, headers: &HeaderMap) -> bool {
        if self.hosts.is_empty() {
            return true;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let (name, port) = split_authority(host);
        self.hosts.iter().any(|entry| {
            let (entry_name, entry_port) = split_authority(entry);
            entry_name.eq_ignore_ascii_case(name) && (entry_port.is_none() || entry_port == port)
        })
    }

    /// `None`: no Origin header (not a browser, or same-origin navigation).
    fn origin_allowed(&self, origin: &str) -> bool {
        origin_listed(&self.origins, origin)
    }
}

/// Whether `origins` (empty: any) accepts `origin`.
fn origin_listed(origins: &[String], origin: &str) -> bool {
    origins.is_empty() || origins.iter().any(|entry| origin_matches(entry, origin))
}

/// Splits `host[:port]` or `[v6][:port]` into name and port.
fn split_authority(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((name, tail)) => (name, tail.strip_prefix(':')),
            None => (authority, None),
        };
    }
    match authority.split_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((name, port)) if !port.contains(':') => (name, Some(port)),
        _ => (authority, None),
    }
}

/// `scheme://host[:port]` against an entry where the port may be `*` or left out (any port).
fn origin_matches(entry: &str, origin: &str) -> bool {
    if entry == origin {
        return true;
    }
    let parse = |value: &str| -> Option<(String, String, Option<String>)> {
        let (scheme, authority) = value.split_once("://")?;
        let (name, port) = split_authority(authority.trim_end_matches('/'));
        Some((
            scheme.to_ascii_lowercase(),
            name.to_ascii_lowercase(),
            port.map(str::to_owned),
        ))
    };
    let (Some((e_scheme, e_name, e_port)), Some((o_scheme, o_name, o_port))) =
        (parse(entry), parse(origin))
    else {
        return false;
    };
    if e_scheme != o_scheme || e_name != o_name {
        return false;
    }
    let default_port = if o_scheme == "https" { "443" } else { "80" };
    match e_port.as_deref() {
        None | Some("*") => true,
        Some(port) => port == o_port.as_deref().unwrap_or(default_port),
    }
}

/// What [`screen`] checks.
#[derive(Debug)]
pub(crate) struct Screen {
    pub(crate) guard: Guard,
    pub(crate) max_body_bytes: usize,
}

/// 403 for a foreign Host or Origin, and 413 when the declared body length is over the limit: what
/// tower-http has no layer for (the Host allow-list) or where its layer does not fit (see `protect` in
/// `http.rs`).
pub(crate) async fn screen(
    State(screen): State<Arc<Screen>>,
    request: Request,
    next: Next,
) -> Response {
    let guard = &screen.guard;
    if !guard.host_allowed(request.headers()) {
        return (StatusCode::FORBIDDEN, "Forbidden: Host not allowed").into_response();
    }
    if request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| !guard.origin_allowed(o))
    {
        return (StatusCode::FORBIDDEN, "Forbidden: Origin not allowed").into_response();
    }
    if declared_length(request.headers()).is_some_and(|len| len > screen.max_body_bytes as u64) {
        // Chunked bodies are cut off where they are read (rmcp's own limit, the SSE message reader,
        // the OAuth scope check), all with the same limit.
        return payload_too_large();
    }
    next.run(request).await
}

/// CORS for the accepted browser origins (none unless the spec or the command line names some):
/// preflights answered before authentication, the protocol's headers readable.
pub(crate) fn cors(guard: &Guard) -> Option<CorsLayer> {
    if !guard.cors {
        return None;
    }
    // The predicate outlives the guard: it keeps the origin list alone.
    let origins = guard.origins.clone();
    let allow_origin = AllowOrigin::predicate(move |origin: &HeaderValue, _: &_| {
        origin.to_str().is_ok_and(|o| origin_listed(&origins, o))
    });
    let allow_headers = ALLOW_HEADERS
        .iter()
        .map(|name| HeaderName::from_static(name))
        .chain(guard.param_headers.iter().cloned());
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
            .allow_headers(allow_headers.collect::<Vec<_>>())
            .expose_headers(EXPOSE_HEADERS.map(HeaderName::from_static))
            .max_age(Duration::from_secs(600)),
    )
}

/// The `Mcp-Param-*` headers the tools' SEP-2243 `x-mcp-header`s name (on properties reached from the
/// root through `properties`), which a browser client sends and a preflight must allow.
pub(crate) fn param_headers(tools: &[ToolDef]) -> Vec<HeaderName> {
    fn walk(schema: &serde_json::Value, names: &mut Vec<HeaderName>) {
        let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for property in properties.values() {
            if let Some(name) = property.get("x-mcp-header").and_then(|n| n.as_str()) {
                names.extend(HeaderName::try_from(format!("mcp-param-{name}")).ok());
            }
            walk(property, names);
        }
    }
    let mut names = Vec::new();
    for schema in tools.iter().filter_map(|tool| tool.input_schema) {
        if let Ok(schema) = serde_json::from_str(schema) {
            walk(&schema, &mut names);
        }
    }
    names.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
    names.dedup();
    names
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

pub(crate) fn payload_too_large() -> Response {
    (StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap()))
            .collect()
    }

    #[test]
    fn hosts_match_with_or_without_port() {
        let guard = Guard::new(
            vec![
                "localhost".into(),
                "::1".into(),
                "api.example.com:8443".into(),
            ],
            Vec::new(),
            false,
        );
        let ok = |host: &str| guard.host_allowed(&headers(&[(header::HOST, host)]));
        assert!(ok("localhost:8080"));
        assert!(ok("LOCALHOST"));
        assert!(ok("[::1]:9000"));
        assert!(ok("api.example.com:8443"));
        assert!(!ok("api.example.com:443"));
        assert!(!ok("evil.example.com"));
        assert!(!guard.host_allowed(&HeaderMap::new()));
        assert!(Guard::new(Vec::new(), Vec::new(), false).host_allowed(&HeaderMap::new()));
    }

    #[test]
    fn param_headers_are_the_x_mcp_headers_along_properties() {
        let tool = |schema| ToolDef {
            input_schema: Some(schema),
            ..ToolDef::DEFAULT
        };
        let tools = [
            tool(
                r#"{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},
                "where":{"type":"object","properties":{"zone":{"type":"string","x-mcp-header":"Zone"}}}}}"#,
            ),
            tool(
                r#"{"type":"object","properties":{"r":{"type":"string","x-mcp-header":"region"}}}"#,
            ),
            tool(
                r#"{"type":"object","properties":{"bad":{"type":"string","x-mcp-header":"a b"}}}"#,
            ),
            ToolDef::DEFAULT,
        ];
        let names: Vec<_> = param_headers(&tools)
            .iter()
            .map(|name| name.as_str().to_owned())
            .collect();
        assert_eq!(names, ["mcp-param-region", "mcp-param-zone"]);
        // Only a guard that answers CORS keeps them.
        let guard = Guard::new(Vec::new(), Vec::new(), false).with_param_headers(&tools);
        assert!(guard.param_headers.is_empty());
        assert!(cors(&guard).is_none());
    }

    #[test]
    fn origins_match_scheme_host_and_port() {
        assert!(origin_matches(
            "http://localhost:*",
            "http://localhost:3000"
        ));
        assert!(origin_matches(
            "https://app.example.com:443",
            "https://app.example.com"
        ));
        assert!(origin_matches(
            "http://localhost:3000",
            "http://localhost:3000"
        ));
        assert!(origin_matches("http://[::1]:*", "http://[::1]:5173"));
        assert!(!origin_matches(
            "http://localhost:3000",
            "http://localhost:3001"
        ));
        assert!(!origin_matches(
            "http://localhost:*",
            "https://localhost:3000"
        ));
        assert!(!origin_matches("http://localhost:*", "http://evil.com"));
        assert!(origin_matches("null", "null"));
    }
}
