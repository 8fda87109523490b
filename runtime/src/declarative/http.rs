//! Tools and resources ([`read`]) that are one HTTP request. The URL's scheme, host and port come from the
//! spec (or the environment variable it names), never from the arguments: a path placeholder fills exactly one
//! percent-encoded segment (so `../`, `/`, `?` and `#` in a value stay data), query values are encoded, header
//! values with CR, LF or NUL are refused. Redirects are off unless the spec turns them on, and then are followed
//! only to the same origin or to hosts the spec lists, never to loopback or private addresses unless it allows
//! them; credentials go to the base URL's origin only. The response is read up to a size limit, within the
//! timeout.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Body, Client, Method, Request, Response, StatusCode, Url};
use rmcp::model::JsonObject;
use serde_json::Value;

use super::output::{excerpt, failure, success};
use super::template::{Part, parse, render_parts, text};
use super::{HttpAuthDef, HttpTool, HttpToolDef};
use crate::error::ToolResult;

/// Sends the tool's request with the call's arguments. `structured`: the tool has an output schema, so the
/// response (or the part its pointer selects) must be a JSON object, sent as `structuredContent`.
pub async fn call(tool: &HttpTool, arguments: JsonObject, structured: bool) -> ToolResult {
    let def = &tool.def;
    Ok(match timed(def, request(tool, &arguments)).await {
        Ok((status, bytes)) if is_error(def, status) => {
            failure(format!("HTTP {status}:\n{}", excerpt(&bytes)))
        }
        Ok((_, bytes)) => success(&bytes, structured, def.pointer),
        Err(message) => failure(message),
    })
}

/// Reads a resource (`implementation.http` of a resource, or of a resource template with the URI's variables
/// as `arguments`): the body, or an error for an error status or a failure.
pub async fn read(tool: &HttpTool, arguments: &JsonObject) -> Result<Vec<u8>, String> {
    let (status, bytes) = timed(&tool.def, request(tool, arguments)).await?;
    if is_error(&tool.def, status) {
        return Err(format!("HTTP {status}: {}", excerpt(&bytes)));
    }
    Ok(bytes)
}

/// The request within the definition's timeout.
async fn timed<T>(
    def: &HttpToolDef,
    request: impl Future<Output = Result<T, String>>,
) -> Result<T, String> {
    let timeout = Duration::from_secs(def.timeout_secs);
    tokio::time::timeout(timeout, request)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "The request did not complete within {} s",
                def.timeout_secs
            ))
        })
}

/// What every call of one tool shares, made from its definition and the environment by the first call that
/// succeeds in making it (a failure, such as an unset credential, is reported and tried again next call).
#[derive(Debug)]
pub(super) struct Prepared {
    method: Method,
    /// The base URL, whose origin alone receives credentials and may redirect freely.
    base: Url,
    /// The base URL up to the end of its path, without a trailing `/`: the path template is appended to it.
    prefix: String,
    /// The base URL's own query (only an environment variable's base URL can have one).
    base_query: Option<String>,
    path: Vec<Part<'static>>,
    /// Name, parsed value template, and the argument when the template is exactly one placeholder.
    query: Vec<(&'static str, Vec<Part<'static>>, Option<&'static str>)>,
    headers: Vec<(HeaderName, Header)>,
    body: Option<Value>,
    auth: Option<Credential>,
}

#[derive(Debug)]
enum Header {
    Fixed(HeaderValue),
    Template(Vec<Part<'static>>),
}

#[derive(Debug)]
enum Credential {
    Header(HeaderName, HeaderValue),
    Query(&'static str, String),
}

/// The tool's [`Prepared`], made on first use.
fn prepared(tool: &HttpTool) -> Result<&Prepared, String> {
    if let Some(prepared) = tool.prepared.get() {
        return Ok(prepared);
    }
    let prepared = Prepared::new(&tool.def)?;
    Ok(tool.prepared.get_or_init(|| prepared))
}

impl Prepared {
    fn new(def: &HttpToolDef) -> Result<Self, String> {
        let base = base_url(def)?;
        let mut prefix = base.clone();
        prefix.set_query(None);
        prefix.set_fragment(None);
        let template = |text: &'static str| parse(text).map_err(|e| e.message);
        let mut query = Vec::with_capacity(def.query.len());
        for (name, value) in def.query {
            let parts = template(value)?;
            let sole = match parts.as_slice() {
                [Part::Placeholder { name, .. }] => Some(*name),
                _ => None,
            };
            query.push((*name, parts, sole));
        }
        let mut headers = Vec::with_capacity(def.headers.len());
        for (name, value) in def.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("Header `{name}`: {e}"))?;
            let parts = template(value)?;
            let header = match parts.as_slice() {
                [] => Header::Fixed(HeaderValue::from_static("")),
                [Part::Literal(text)] => Header::Fixed(header_value(text)?),
                _ => Header::Template(parts),
            };
            headers.push((name, header));
        }
        let body = def
            .body
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| format!("Invalid body template: {e}"))?;
        Ok(Self {
            method: Method::from_bytes(def.method.as_bytes()).map_err(|e| e.to_string())?,
            prefix: prefix.as_str().trim_end_matches('/').to_owned(),
            base_query: base.query().map(str::to_owned),
            base,
            path: template(def.path)?,
            query,
            headers,
            body,
            auth: def.auth.as_ref().map(credential_of).transpose()?,
        })
    }
}

/// Sends the request, following redirects as the definition allows; the final status and body.
async fn request(tool: &HttpTool, arguments: &JsonObject) -> Result<(StatusCode, Vec<u8>), String> {
    let def = &tool.def;
    let prepared = prepared(tool)?;
    let mut url = request_url(prepared, arguments)?;
    let mut method = prepared.method.clone();
    let mut body = match &prepared.body {
        Some(template) => fill(template, arguments)
            .map(|body| serde_json::to_vec(&body).map_err(|e| e.to_string()))
            .transpose()?,
        None => None,
    };
    let mut redirects = 0;
    loop {
        let mut headers = headers(prepared, arguments)?;
        // Credentials only for the spec's own origin, whatever a redirect says.
        let trusted = same_origin(&url, &prepared.base);
        let mut request = match (&prepared.auth, trusted) {
            (Some(Credential::Query(name, key)), true) => {
                let mut target = url.clone();
                target.query_pairs_mut().append_pair(name, key);
                Request::new(method.clone(), target)
            }
            (Some(Credential::Header(name, value)), true) => {
                headers.insert(name.clone(), value.clone());
                Request::new(method.clone(), url.clone())
            }
            _ => Request::new(method.clone(), url.clone()),
        };
        if let Some(body) = &body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            *request.body_mut() = Some(Body::from(body.clone()));
        }
        *request.headers_mut() = headers;
        let response = client()?
            .execute(request)
            .await
            .map_err(|e| format!("The request failed: {e}"))?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok());
        if let (true, Some(location)) = (status.is_redirection(), location) {
            let next = url.join(location).map_err(|e| {
                format!("The server redirected to an invalid URL `{location}`: {e}")
            })?;
            if !def.redirects.follow {
                return Err(format!(
                    "The server answered {status} with a redirect to {next}; redirects are not followed \
                     (implementation.http.redirects.follow)"
                ));
            }
            redirects += 1;
            if redirects > def.redirects.max {
                return Err(format!("More than {} redirects", def.redirects.max));
            }
            redirect_allowed(def, &prepared.base, &next).await?;
            if status == StatusCode::SEE_OTHER || (status.as_u16() < 307 && method == Method::POST)
            {
                method = Method::GET;
                body = None;
            }
            url = next;
            continue;
        }
        return Ok((
            status,
            read_bounded(response, def.max_response_bytes).await?,
        ));
    }
}

/// One client for every HTTP tool of the server (connection pools are per client); redirects are followed by
/// hand, so reqwest's own policy is off.
fn client() -> Result<&'static Client, String> {
    static CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("Cannot build the HTTP client: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn base_url(def: &HttpToolDef) -> Result<Url, String> {
    let from_env = def
        .base_url_env
        .and_then(|name| std::env::var(name).ok())
        .filter(|value| !value.is_empty());
    let base = from_env.as_deref().unwrap_or(def.base_url);
    let url = Url::parse(base).map_err(|e| format!("Invalid base URL `{base}`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(format!(
            "The base URL `{base}` is not an http(s) URL with a host"
        ));
    }
    Ok(url)
}

/// The base URL with the path template appended (each placeholder one encoded segment) and the query parameters,
/// parsed once as a whole.
fn request_url(prepared: &Prepared, arguments: &JsonObject) -> Result<Url, String> {
    let mut url = String::with_capacity(prepared.prefix.len() + 64);
    url.push_str(&prepared.prefix);
    for part in &prepared.path {
        match part {
            Part::Literal(literal) => url.push_str(literal),
            Part::Placeholder { name, .. } => {
                let value = match arguments.get(*name) {
                    Some(Value::String(s)) => std::borrow::Cow::Borrowed(s.as_str()),
                    other => other
                        .and_then(text)
                        .map(std::borrow::Cow::Owned)
                        .ok_or_else(|| format!("The path parameter `{name}` is missing"))?,
                };
                // URL parsers resolve `.`/`..` segments even percent-encoded (`%2e%2e`), so they are refused.
                if matches!(&*value, "" | "." | "..") {
                    return Err(format!("The path parameter `{name}` cannot be `{value}`"));
                }
                encode_segment_into(&value, &mut url);
            }
        }
    }
    if let Some(query) = &prepared.base_query {
        url.push('?');
        url.push_str(query);
    }
    let mut url = Url::parse(&url).map_err(|e| format!("Invalid request URL: {e}"))?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, template, sole) in &prepared.query {
        // `{tags}` naming an array repeats the parameter per item (`tags=a&tags=b`), as OpenAPI's default
        // `form` style does and most servers read lists.
        match sole.and_then(|arg| arguments.get(arg)) {
            Some(Value::Array(items)) => {
                pairs.extend(items.iter().filter_map(text).map(|v| (*name, v)))
            }
            _ => pairs.extend(render_parts(template, arguments).map(|v| (*name, v))),
        }
    }
    if !pairs.is_empty() {
        url.query_pairs_mut().extend_pairs(pairs);
    }
    Ok(url)
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so a value is one path segment.
pub fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode_segment_into(value, &mut out);
    out
}

fn encode_segment_into(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.extend([
                '%',
                HEX[usize::from(byte >> 4)] as char,
                HEX[usize::from(byte & 15)] as char,
            ]);
        }
    }
}

fn headers(prepared: &Prepared, arguments: &JsonObject) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::with_capacity(prepared.headers.len() + 2);
    for (name, header) in &prepared.headers {
        let value = match header {
            Header::Fixed(value) => value.clone(),
            Header::Template(parts) => match render_parts(parts, arguments) {
                Some(value) => header_value(&value)?,
                None => continue,
            },
        };
        map.insert(name.clone(), value);
    }
    Ok(map)
}

/// A header value, refusing CR, LF and NUL (header injection) and other control characters.
pub fn header_value(value: &str) -> Result<HeaderValue, String> {
    if value.contains(['\r', '\n', '\0']) {
        return Err("A header value cannot contain CR, LF or NUL".to_owned());
    }
    HeaderValue::from_str(value).map_err(|e| format!("Invalid header value: {e}"))
}

/// The body template with its placeholders filled: a string that is exactly `{name}` takes the argument's JSON
/// value; members and items whose placeholders are absent are left out.
fn fill(template: &Value, arguments: &JsonObject) -> Option<Value> {
    match template {
        Value::String(s) => {
            let parts = parse(s).ok()?;
            match parts.as_slice() {
                [Part::Placeholder { name, .. }] => {
                    arguments.get(*name).filter(|v| !v.is_null()).cloned()
                }
                _ => render_parts(&parts, arguments).map(Value::String),
            }
        }
        Value::Array(items) => Some(Value::Array(
            items.iter().filter_map(|i| fill(i, arguments)).collect(),
        )),
        Value::Object(members) => Some(Value::Object(
            members
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), fill(v, arguments)?)))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// The credential as it is sent, read from the environment.
fn credential_of(auth: &HttpAuthDef) -> Result<Credential, String> {
    let var = credential;
    let sensitive = |value: &str| {
        let mut value = header_value(value)?;
        value.set_sensitive(true);
        Ok::<_, String>(value)
    };
    Ok(match auth {
        HttpAuthDef::Bearer { env } => {
            Credential::Header(AUTHORIZATION, sensitive(&format!("Bearer {}", var(env)?))?)
        }
        HttpAuthDef::Basic {
            username_env,
            password_env,
        } => {
            let pair = format!("{}:{}", var(username_env)?, var(password_env)?);
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            Credential::Header(AUTHORIZATION, sensitive(&format!("Basic {encoded}"))?)
        }
        HttpAuthDef::ApiKeyHeader { env, name } => Credential::Header(
            HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("Header `{name}`: {e}"))?,
            sensitive(&var(env)?)?,
        ),
        HttpAuthDef::ApiKeyQuery { env, name } => Credential::Query(name, var(env)?),
    })
}

fn credential(name: &str) -> Result<String, String> {
    std::env::var(name)
        .map_err(|_| format!("The environment variable {name} (credentials) is not set"))
}

/// Whether a redirect may be followed: same origin, or a listed host that is not a private address (unless
/// allowed).
async fn redirect_allowed(def: &HttpToolDef, base: &Url, next: &Url) -> Result<(), String> {
    if !matches!(next.scheme(), "http" | "https") {
        return Err(format!("Refused a redirect to {next}: not http(s)"));
    }
    if same_origin(next, base) {
        return Ok(());
    }
    let host = next.host_str().unwrap_or_default();
    if !def
        .redirects
        .allow_hosts
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
    {
        return Err(format!(
            "Refused a redirect to {next}: another host (implementation.http.redirects.allowHosts)"
        ));
    }
    if !def.redirects.allow_private && resolves_to_private(next).await {
        return Err(format!(
            "Refused a redirect to {next}: a loopback or private address (implementation.http.redirects.allowPrivate)"
        ));
    }
    Ok(())
}

/// `a.origin() == b.origin()` for http(s) URLs, without building two `Origin`s (each a copy of the host) per call.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether a URL's host is, or resolves to, an address outside the public internet. A name that does not
/// resolve counts as private: the redirect is refused rather than guessed at.
async fn resolves_to_private(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return true;
    };
    if let Ok(ip) = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return is_private(ip);
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let port = url.port_or_known_default().unwrap_or(80);
    match tokio::net::lookup_host((name.as_str(), port)).await {
        Ok(mut addrs) => addrs.any(|a| is_private(a.ip())),
        Err(_) => true,
    }
}

/// Loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT, unspecified, broadcast,
/// documentation and benchmarking addresses, IPv4 inside IPv6 included.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
        }
    }
}

fn is_error(def: &HttpToolDef, status: StatusCode) -> bool {
    let code = status.as_u16();
    if def.error_status.is_empty() {
        !status.is_success()
    } else {
        def.error_status
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&code))
    }
}

async fn read_bounded(mut response: Response, limit: usize) -> Result<Vec<u8>, String> {
    let too_large = || format!("The response is larger than {limit} bytes (maxResponseBytes)");
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let expected = response.content_length().unwrap_or(0) as usize;
    let mut bytes = Vec::with_capacity(expected.min(limit));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| format!("Reading the response failed: {e}"))?
    {
        if bytes.len() + chunk.len() > limit {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
