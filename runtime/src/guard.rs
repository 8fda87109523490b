//! HTTP hardening in front of the MCP endpoints: Host and Origin allow-lists (DNS-rebinding
//! protection), CORS for the allowed browser origins, the request body limit and the request timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Headers a browser client may send and must be able to read.
const ALLOW_HEADERS: &str = "authorization, content-type, accept, last-event-id, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name";
const EXPOSE_HEADERS: &str = "mcp-session-id, mcp-protocol-version, www-authenticate";

/// Which `Host` and `Origin` values an endpoint accepts.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    /// Empty: any Host.
    hosts: Vec<String>,
    /// Empty: any Origin.
    origins: Vec<String>,
    /// Answer CORS preflights and add CORS headers for accepted origins.
    cors: bool,
}

impl Guard {
    pub(crate) fn new(hosts: Vec<String>, origins: Vec<String>, cors: bool) -> Self {
        Guard {
            hosts,
            origins,
            cors,
        }
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
        self.origins.is_empty()
            || self
                .origins
                .iter()
                .any(|entry| origin_matches(entry, origin))
    }
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

/// Everything in front of an MCP route, checked in one middleware: each axum `from_fn` layer boxes the
/// request's future once more, and five of them were most of what a generated server paid per HTTP call
/// over a hand-written rmcp server (BENCHMARKS.md).
#[derive(Debug)]
pub(crate) struct Protection {
    pub(crate) guard: Guard,
    pub(crate) max_body_bytes: usize,
    pub(crate) timeout: Duration,
}

/// In order: 403 for a foreign Host or Origin; CORS preflights answered; 413 when the declared body
/// length is over the limit; 504 when the response has not started in time; CORS headers on accepted
/// cross-origin responses.
pub(crate) async fn protect(
    State(protection): State<Arc<Protection>>,
    request: Request,
    next: Next,
) -> Response {
    let guard = &protection.guard;
    if !guard.host_allowed(request.headers()) {
        return (StatusCode::FORBIDDEN, "Forbidden: Host not allowed").into_response();
    }
    let origin = request.headers().get(header::ORIGIN);
    if origin
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| !guard.origin_allowed(o))
    {
        return (StatusCode::FORBIDDEN, "Forbidden: Origin not allowed").into_response();
    }
    let cors_origin = origin.filter(|o| guard.cors && o.to_str().is_ok()).cloned();
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(origin) = cors_origin {
            let headers = response.headers_mut();
            add_cors(headers, origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
            );
            let allowed = allow_headers(request.headers());
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allowed);
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        return response;
    }
    if declared_length(request.headers()).is_some_and(|len| len > protection.max_body_bytes as u64)
    {
        // Chunked bodies are cut off where they are read (rmcp's own limit, the SSE message reader,
        // the OAuth scope check), all with the same limit.
        return payload_too_large();
    }
    // Event streams start at once, so this bounds the work before the first byte, not how long a
    // stream stays open.
    let mut response = match tokio::time::timeout(protection.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (StatusCode::GATEWAY_TIMEOUT, "Request timed out").into_response(),
    };
    if let Some(origin) = cors_origin {
        add_cors(response.headers_mut(), origin);
    }
    response
}

/// What a preflight allows: the protocol's headers, and the SEP-2243 `Mcp-Param-*` headers the browser asks
/// for (their names come from the tools' `x-mcp-header`s, and rmcp checks each against the body).
fn allow_headers(request: &HeaderMap) -> HeaderValue {
    const PARAM: &str = "mcp-param-";
    let params: Vec<&str> = request
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|name| {
            name.len() > PARAM.len()
                && name
                    .get(..PARAM.len())
                    .is_some_and(|prefix| prefix.eq_ignore_ascii_case(PARAM))
                && header::HeaderName::from_bytes(name.as_bytes()).is_ok()
        })
        .collect();
    if params.is_empty() {
        return HeaderValue::from_static(ALLOW_HEADERS);
    }
    HeaderValue::from_str(&format!("{ALLOW_HEADERS}, {}", params.join(", ")))
        .unwrap_or(HeaderValue::from_static(ALLOW_HEADERS))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

fn add_cors(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    headers.append(header::VARY, HeaderValue::from_static("origin"));
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

    /// `protect` in front of a route that answers after `delay`: Host `localhost`, one CORS origin, bodies up
    /// to 16 bytes, responses that start within 100 ms.
    fn protected(delay: Duration) -> axum::Router {
        let protection = Arc::new(Protection {
            guard: Guard::new(
                vec!["localhost".into()],
                vec!["http://app.example".into()],
                true,
            ),
            max_body_bytes: 16,
            timeout: Duration::from_millis(100),
        });
        let answer = move || async move {
            tokio::time::sleep(delay).await;
            "done"
        };
        axum::Router::new()
            .route("/mcp", axum::routing::post(answer).options(answer))
            .route_layer(axum::middleware::from_fn_with_state(protection, protect))
    }

    async fn send(app: axum::Router, request: axum::http::request::Builder) -> Response {
        use tower::ServiceExt as _;
        let request = request.body(axum::body::Body::empty()).unwrap();
        app.oneshot(request).await.unwrap()
    }

    fn post(host: &str) -> axum::http::request::Builder {
        axum::http::Request::post("/mcp").header(header::HOST, host)
    }

    #[tokio::test]
    async fn protect_refuses_foreign_hosts_and_origins_big_bodies_and_slow_answers() {
        let quick = || protected(Duration::ZERO);
        let status = |response: Response| response.status();
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
        // The answer has not started after 100 ms: 504, without waiting out the handler's 10 s.
        let slow = send(protected(Duration::from_secs(10)), post("localhost"));
        let response = tokio::time::timeout(Duration::from_secs(5), slow)
            .await
            .unwrap();
        assert_eq!(status(response), StatusCode::GATEWAY_TIMEOUT);

        let fine = post("localhost").header(header::ORIGIN, "http://app.example");
        let response = send(quick(), fine).await;
        assert_eq!(response.status(), StatusCode::OK);
        let allowed = &response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN];
        assert_eq!(allowed, "http://app.example");
        let preflight = axum::http::Request::options("/mcp")
            .header(header::HOST, "localhost")
            .header(header::ORIGIN, "http://app.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "mcp-param-region");
        let response = send(quick(), preflight).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let headers = &response.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS];
        assert!(headers.to_str().unwrap().ends_with(", mcp-param-region"));
    }

    #[test]
    fn a_preflight_allows_the_mcp_param_headers_asked_for_and_nothing_else() {
        let allowed = |asked: &str| {
            let request = headers(&[(header::ACCESS_CONTROL_REQUEST_HEADERS, asked)]);
            allow_headers(&request).to_str().unwrap().to_owned()
        };
        assert_eq!(allowed("authorization, content-type"), ALLOW_HEADERS);
        assert_eq!(
            allowed("content-type,Mcp-Param-Region, mcp-param-x.1 ,x-evil, mcp-param-"),
            format!("{ALLOW_HEADERS}, Mcp-Param-Region, mcp-param-x.1")
        );
        assert_eq!(allowed("mcp-param-a\"b"), ALLOW_HEADERS);
        assert_eq!(allow_headers(&HeaderMap::new()), ALLOW_HEADERS);
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
