//! The shapes of the spec's definitions. `server.rs`, `tools.rs`, `resources.rs`, `templates.rs` and
//! `prompts.rs` fill them in as constants; the runtime turns them into rmcp types once at start-up.
//!
//! Free-form JSON from the spec (annotations, icons, `_meta`, schemas) is kept as JSON text so it reaches
//! the wire exactly as written.

/// The server's identity (`serverInfo`) and instructions.
pub struct ServerDef {
    pub name: &'static str,
    pub version: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub instructions: Option<&'static str>,
    pub website_url: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
}

/// Optional capabilities. Tools, resources and prompts are declared when their lists are non-empty.
pub struct CapabilitiesDef {
    pub tools_list_changed: bool,
    pub resources_subscribe: bool,
    pub resources_list_changed: bool,
    pub prompts_list_changed: bool,
    pub logging: bool,
    pub completions: bool,
}

/// A transport the binary can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    #[value(name = "stdio")]
    Stdio,
    #[value(name = "streamable-http")]
    StreamableHttp,
    #[value(name = "sse")]
    Sse,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::StreamableHttp => "streamable-http",
            Transport::Sse => "sse",
        }
    }
}

/// The transports the spec declares.
pub struct TransportsDef {
    /// The first transport in the spec.
    pub default: Transport,
    pub stdio: bool,
    pub streamable_http: Option<HttpDef>,
    pub sse: Option<SseDef>,
}

/// Streamable HTTP defaults from the spec; most fields can be overridden on the command line.
pub struct HttpDef {
    pub host: &'static str,
    pub port: u16,
    pub path: &'static str,
    pub stateful: bool,
    pub json_response: bool,
    /// `None`: loopback names only.
    pub allowed_hosts: Option<&'static [&'static str]>,
    /// `None`: loopback origins only.
    pub allowed_origins: Option<&'static [&'static str]>,
    pub request_timeout_secs: u64,
    pub max_body_bytes: u64,
    pub session_idle_timeout_secs: u64,
    /// Environment variable with the Redis URL of the shared session store; `None`: in-process sessions.
    pub redis_url_env: Option<&'static str>,
}

/// Legacy HTTP+SSE defaults from the spec.
pub struct SseDef {
    pub host: &'static str,
    pub port: u16,
    /// The event stream (`GET`).
    pub path: &'static str,
    /// Where clients POST their messages.
    pub message_path: &'static str,
    /// `None`: loopback names only.
    pub allowed_hosts: Option<&'static [&'static str]>,
    /// `None`: loopback origins only.
    pub allowed_origins: Option<&'static [&'static str]>,
    pub request_timeout_secs: u64,
    pub max_body_bytes: u64,
}

/// HTTP authentication from the spec's `auth` section.
pub struct AuthDef {
    /// Environment variable holding the accepted bearer token(s), comma-separated.
    pub bearer_token_env: Option<&'static str>,
    pub oauth: Option<OAuthDef>,
    /// Scopes a tool needs beyond `oauth.scopes`: (tool name, scopes), only tools that need some.
    pub tool_scopes: &'static [(&'static str, &'static [&'static str])],
}

/// OAuth 2.1 resource-server settings: JWT access tokens checked against the issuer's keys.
#[derive(Debug)]
pub struct OAuthDef {
    /// Accepted issuers (`iss`), advertised in the protected-resource metadata.
    pub authorization_servers: &'static [&'static str],
    /// This server's resource URL; a token's `aud` must contain it.
    pub audience: &'static str,
    pub jwks_uri: &'static str,
    /// Scopes every request needs.
    pub scopes: &'static [&'static str],
    /// Accepted `alg` values (asymmetric only).
    pub algorithms: &'static [&'static str],
}

/// An environment variable the server reads.
pub struct EnvVarDef {
    pub name: &'static str,
    pub required: bool,
    pub default: Option<&'static str>,
}

/// A tool.
pub struct ToolDef {
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    /// JSON Schema of the arguments, verbatim from the spec; `None`: no arguments.
    pub input_schema: Option<&'static str>,
    /// JSON Schema of `structuredContent`, verbatim from the spec.
    pub output_schema: Option<&'static str>,
    /// JSON object (`ToolAnnotations`).
    pub annotations: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
}

/// Where a fixed resource's content comes from.
pub enum ResourceSource {
    /// The spec's `text:`.
    Text(&'static str),
    /// The spec's `file:`, embedded at build time.
    File(&'static [u8]),
    /// A user handler in `src/resources/`.
    Handler,
}

/// A fixed resource.
pub struct ResourceDef {
    pub uri: &'static str,
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub mime_type: Option<&'static str>,
    /// Only for handler resources; text and file resources report their own length.
    pub size: Option<u64>,
    /// JSON object (`Annotations`).
    pub annotations: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
    pub source: ResourceSource,
}

/// A resource template; always served by a user handler in `src/templates/`.
pub struct TemplateDef {
    pub uri_template: &'static str,
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub mime_type: Option<&'static str>,
    /// JSON object (`Annotations`).
    pub annotations: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
    /// Static completion values per template variable.
    pub completions: &'static [(&'static str, &'static [&'static str])],
}

/// A prompt; rendered from `messages` when set, else built by a user handler in `src/prompts/`.
pub struct PromptDef {
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub arguments: &'static [PromptArgDef],
    pub messages: Option<&'static [MessageDef]>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
}

/// A prompt argument.
pub struct PromptArgDef {
    pub name: &'static str,
    pub title: Option<&'static str>,
    pub description: Option<&'static str>,
    pub required: bool,
    /// Static completion values; empty: the completion hook answers.
    pub completions: &'static [&'static str],
}

/// Who speaks in a declarative prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRole {
    User,
    Assistant,
}

/// One message of a declarative prompt, with `{{argument}}` placeholders.
pub struct MessageDef {
    pub role: MessageRole,
    pub text: &'static str,
}
