//! The shapes of the spec's definitions. `server.rs`, `tools.rs`, `resources.rs`, `templates.rs` and
//! `prompts.rs` fill them in as constants; the runtime turns them into rmcp types once at start-up.
//!
//! Free-form JSON from the spec (annotations, icons, `_meta`, schemas) is kept as JSON text so it reaches
//! the wire exactly as written.

/// The server's identity (`serverInfo`) and instructions.
pub struct ServerDef {
    /// `serverInfo.name`.
    pub name: &'static str,
    /// `serverInfo.version`.
    pub version: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the server does.
    pub description: Option<&'static str>,
    /// How a model should use the server, sent in the `initialize` result.
    pub instructions: Option<&'static str>,
    /// The server's home page.
    pub website_url: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
}

impl ServerDef {
    /// No name (set `name`), version `0.1.0` (the spec's default), nothing else: generated code writes only
    /// the fields its spec sets, over this.
    pub const DEFAULT: ServerDef = ServerDef {
        name: "",
        version: "0.1.0",
        title: None,
        description: None,
        instructions: None,
        website_url: None,
        icons: None,
    };
}

/// Optional capabilities. Tools, resources and prompts are declared when their lists are non-empty.
pub struct CapabilitiesDef {
    /// `tools.listChanged`.
    pub tools_list_changed: bool,
    /// `resources.subscribe`: clients may subscribe to resource updates.
    pub resources_subscribe: bool,
    /// `resources.listChanged`.
    pub resources_list_changed: bool,
    /// `prompts.listChanged`.
    pub prompts_list_changed: bool,
    /// `logging`: handlers may send log messages to the client.
    pub logging: bool,
    /// `completions`: argument completion.
    pub completions: bool,
}

impl CapabilitiesDef {
    /// Every optional capability off.
    pub const DEFAULT: CapabilitiesDef = CapabilitiesDef {
        tools_list_changed: false,
        resources_subscribe: false,
        resources_list_changed: false,
        prompts_list_changed: false,
        logging: false,
        completions: false,
    };
}

/// Whether a tool may run as an MCP task (`execution.taskSupport`, MCP 2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSupport {
    /// Never as a task: a task-augmented call is refused.
    Forbidden,
    /// The client chooses: a plain call or a task.
    Optional,
    /// Only as a task: a plain call is refused.
    Required,
}

/// A tool's `execution` (MCP 2025-11-25), served in `tools/list` as the spec writes it. `optional` or
/// `required` on any tool turns on task-augmented calls and the `tasks` capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionDef {
    /// `taskSupport`; `None` for `execution: {}`, which the protocol reads as `forbidden`.
    pub task_support: Option<TaskSupport>,
}

impl ExecutionDef {
    /// `execution: {}`.
    pub const DEFAULT: ExecutionDef = ExecutionDef { task_support: None };
    /// `taskSupport: forbidden`.
    pub const FORBIDDEN: ExecutionDef = ExecutionDef {
        task_support: Some(TaskSupport::Forbidden),
    };
    /// `taskSupport: optional`.
    pub const OPTIONAL: ExecutionDef = ExecutionDef {
        task_support: Some(TaskSupport::Optional),
    };
    /// `taskSupport: required`.
    pub const REQUIRED: ExecutionDef = ExecutionDef {
        task_support: Some(TaskSupport::Required),
    };

    /// Whether the tool may run as a task (`optional` or `required`).
    pub fn allows_tasks(self) -> bool {
        matches!(
            self.task_support,
            Some(TaskSupport::Optional | TaskSupport::Required)
        )
    }
}

impl TaskSupport {
    /// The value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskSupport::Forbidden => "forbidden",
            TaskSupport::Optional => "optional",
            TaskSupport::Required => "required",
        }
    }
}

/// A transport the binary can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// JSON-RPC lines on stdin and stdout.
    #[value(name = "stdio")]
    Stdio,
    /// Streamable HTTP.
    #[value(name = "streamable-http")]
    StreamableHttp,
    /// The legacy HTTP+SSE transport.
    #[value(name = "sse")]
    Sse,
    /// AWS Lambda: stateless streamable HTTP, one API Gateway, Function URL or ALB event per request.
    #[value(name = "lambda")]
    Lambda,
}

impl Transport {
    /// The name used on the command line and in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::StreamableHttp => "streamable-http",
            Transport::Sse => "sse",
            Transport::Lambda => "lambda",
        }
    }
}

/// The transports the spec declares.
pub struct TransportsDef {
    /// The first transport in the spec.
    pub default: Transport,
    /// Whether stdio is declared.
    pub stdio: bool,
    /// Streamable HTTP, when declared.
    pub streamable_http: Option<HttpDef>,
    /// Legacy HTTP+SSE, when declared.
    pub sse: Option<SseDef>,
    /// AWS Lambda, when declared.
    pub lambda: Option<LambdaDef>,
}

impl TransportsDef {
    /// No transport declared (stdio the default choice): generated code sets the ones its spec declares.
    pub const DEFAULT: TransportsDef = TransportsDef {
        default: Transport::Stdio,
        stdio: false,
        streamable_http: None,
        sse: None,
        lambda: None,
    };
}

/// Streamable HTTP defaults from the spec; most fields can be overridden on the command line.
pub struct HttpDef {
    /// Address to bind.
    pub host: &'static str,
    /// TCP port (0 picks a free one).
    pub port: u16,
    /// The MCP endpoint.
    pub path: &'static str,
    /// Sessions (`Mcp-Session-Id`) with server-to-client event streams; `false`: stateless.
    pub stateful: bool,
    /// Stateless mode answers with plain JSON bodies instead of event streams.
    pub json_response: bool,
    /// `None`: loopback names only.
    pub allowed_hosts: Option<&'static [&'static str]>,
    /// `None`: loopback origins only.
    pub allowed_origins: Option<&'static [&'static str]>,
    /// Seconds a request may take until its response starts.
    pub request_timeout_secs: u64,
    /// Largest accepted request body.
    pub max_body_bytes: u64,
    /// Seconds an idle stateful session is kept.
    pub session_idle_timeout_secs: u64,
    /// Environment variable with the Redis URL of the shared session store; `None`: in-process sessions.
    pub redis_url_env: Option<&'static str>,
    /// What the session store's keys start with; `None`: `mcp:<server name>:`.
    pub redis_key_prefix: Option<&'static str>,
    /// `/metrics` in the Prometheus text format; `None`: off.
    pub metrics: Option<MetricsDef>,
    /// Bounds on connections and sessions.
    pub limits: HttpLimitsDef,
}

impl HttpDef {
    /// The spec's defaults: `127.0.0.1:8000/mcp`, stateful, loopback hosts and origins only, a 60 s request
    /// timeout, 4 MiB bodies, sessions idle for 300 s, in-process sessions, no metrics, default limits.
    pub const DEFAULT: HttpDef = HttpDef {
        host: "127.0.0.1",
        port: 8000,
        path: "/mcp",
        stateful: true,
        json_response: false,
        allowed_hosts: None,
        allowed_origins: None,
        request_timeout_secs: 60,
        max_body_bytes: 4 * 1024 * 1024,
        session_idle_timeout_secs: 300,
        redis_url_env: None,
        redis_key_prefix: None,
        metrics: None,
        limits: HttpLimitsDef::DEFAULT,
    };
}

/// Where `/metrics` is served.
#[derive(Debug, Clone, Copy)]
pub struct MetricsDef {
    /// Its own listener on this port, at the transport's host; `None`: the transport's own port.
    pub port: Option<u16>,
}

/// Bounds on an HTTP server's connections and sessions, from the spec. When both HTTP transports share a
/// host and port, the chosen transport's apply to the server.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimitsDef {
    /// Seconds a client has to send a request's headers, from connecting or from the request's first byte.
    pub header_read_timeout_secs: u64,
    /// Seconds a connection with no request in progress may receive nothing before it is closed.
    pub idle_timeout_secs: u64,
    /// Open connections; more wait until one closes.
    pub max_connections: u64,
    /// Live sessions, all clients together (then 503).
    pub max_sessions: u64,
    /// Live sessions per principal when auth is on (then 429).
    pub max_sessions_per_principal: u64,
    /// Largest `initialize` request a session starts with, which the session keeps (then 413).
    pub max_session_bytes: u64,
}

impl HttpLimitsDef {
    /// The spec's defaults: 10 s for headers, 60 s idle, 1024 connections, 10,000 sessions (100 per
    /// principal), 64 KiB per session.
    pub const DEFAULT: HttpLimitsDef = HttpLimitsDef {
        header_read_timeout_secs: 10,
        idle_timeout_secs: 60,
        max_connections: 1024,
        max_sessions: 10_000,
        max_sessions_per_principal: 100,
        max_session_bytes: 64 * 1024,
    };
}

/// Legacy HTTP+SSE defaults from the spec.
pub struct SseDef {
    /// Address to bind.
    pub host: &'static str,
    /// TCP port (0 picks a free one).
    pub port: u16,
    /// The event stream (`GET`).
    pub path: &'static str,
    /// Where clients POST their messages.
    pub message_path: &'static str,
    /// `None`: loopback names only.
    pub allowed_hosts: Option<&'static [&'static str]>,
    /// `None`: loopback origins only.
    pub allowed_origins: Option<&'static [&'static str]>,
    /// Seconds a request may take until its response starts.
    pub request_timeout_secs: u64,
    /// Largest accepted request body.
    pub max_body_bytes: u64,
    /// Bounds on connections and sessions.
    pub limits: HttpLimitsDef,
}

impl SseDef {
    /// The spec's defaults: `127.0.0.1:8000`, `/sse` and `/message`, loopback hosts and origins only, a 60 s
    /// request timeout, 4 MiB bodies, default limits.
    pub const DEFAULT: SseDef = SseDef {
        host: "127.0.0.1",
        port: 8000,
        path: "/sse",
        message_path: "/message",
        allowed_hosts: None,
        allowed_origins: None,
        request_timeout_secs: 60,
        max_body_bytes: 4 * 1024 * 1024,
        limits: HttpLimitsDef::DEFAULT,
    };
}

/// AWS Lambda defaults from the spec: the streamable HTTP endpoint, stateless, served one event at a time.
pub struct LambdaDef {
    /// The MCP endpoint, as the function sees it (an API Gateway REST stage is not part of it).
    pub path: &'static str,
    /// `None`: any Host (AWS routes to the function by its own host names).
    pub allowed_hosts: Option<&'static [&'static str]>,
    /// `None`: loopback origins only.
    pub allowed_origins: Option<&'static [&'static str]>,
    /// Seconds a request may take until its response starts.
    pub request_timeout_secs: u64,
    /// Largest accepted request body.
    pub max_body_bytes: u64,
}

impl LambdaDef {
    /// The spec's defaults: `/mcp`, any Host, loopback origins only, a 60 s request timeout, 4 MiB bodies.
    pub const DEFAULT: LambdaDef = LambdaDef {
        path: "/mcp",
        allowed_hosts: None,
        allowed_origins: None,
        request_timeout_secs: 60,
        max_body_bytes: 4 * 1024 * 1024,
    };
}

/// HTTP authentication from the spec's `auth` section.
pub struct AuthDef {
    /// Environment variable holding the accepted bearer token(s), comma-separated.
    pub bearer_token_env: Option<&'static str>,
    /// OAuth 2.1 resource-server settings, when the spec asks for OAuth.
    pub oauth: Option<OAuthDef>,
    /// Scopes a tool needs beyond `oauth.scopes`: (tool name, scopes), only tools that need some.
    pub tool_scopes: &'static [(&'static str, &'static [&'static str])],
}

impl AuthDef {
    /// No authentication.
    pub const DEFAULT: AuthDef = AuthDef {
        bearer_token_env: None,
        oauth: None,
        tool_scopes: &[],
    };
}

/// OAuth 2.1 resource-server settings: JWT access tokens checked against the issuer's keys.
#[derive(Debug, Clone, Copy)]
pub struct OAuthDef {
    /// Accepted issuers (`iss`), advertised in the protected-resource metadata.
    pub authorization_servers: &'static [&'static str],
    /// This server's resource URL; a token's `aud` must contain it.
    pub audience: &'static str,
    /// Where the issuer publishes its signing keys.
    pub jwks_uri: &'static str,
    /// Scopes every request needs.
    pub scopes: &'static [&'static str],
    /// Accepted `alg` values (asymmetric only).
    pub algorithms: &'static [&'static str],
}

/// An environment variable the server reads.
pub struct EnvVarDef {
    /// The variable's name.
    pub name: &'static str,
    /// The server refuses to start without it.
    pub required: bool,
    /// The value when unset.
    pub default: Option<&'static str>,
}

/// A tool.
pub struct ToolDef {
    /// The tool's name on the wire.
    pub name: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the tool does, for the model.
    pub description: Option<&'static str>,
    /// JSON Schema of the arguments, verbatim from the spec; `None`: no arguments.
    pub input_schema: Option<&'static str>,
    /// JSON Schema of `structuredContent`, verbatim from the spec.
    pub output_schema: Option<&'static str>,
    /// JSON object (`ToolAnnotations`).
    pub annotations: Option<&'static str>,
    /// Whether and how the tool runs as a task; `None`: the spec writes no `execution`.
    pub execution: Option<ExecutionDef>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
}

impl ToolDef {
    /// No name (set `name`) and no optional field: generated code writes only the fields its spec sets.
    pub const DEFAULT: ToolDef = ToolDef {
        name: "",
        title: None,
        description: None,
        input_schema: None,
        output_schema: None,
        annotations: None,
        execution: None,
        icons: None,
        meta: None,
    };

    /// How the tool may run as a task: `Forbidden` when its spec writes no `taskSupport` (the protocol's
    /// default).
    pub fn task_support(&self) -> TaskSupport {
        self.execution
            .and_then(|e| e.task_support)
            .unwrap_or(TaskSupport::Forbidden)
    }
}

/// Where a fixed resource's content comes from.
pub enum ResourceSource {
    /// The spec's `text:`.
    Text(&'static str),
    /// The spec's `file:`, embedded at build time.
    File(&'static [u8]),
    /// The spec's `implementation.http`: fetched on every read (needs the `http-tools` feature).
    Http(&'static crate::declarative::HttpTool),
    /// The spec's `implementation.file`: read from disk on every read.
    Path(&'static crate::declarative::FileDef),
    /// A user handler in `src/resources/`.
    Handler,
}

/// A fixed resource.
pub struct ResourceDef {
    /// The resource's URI.
    pub uri: &'static str,
    /// The resource's name.
    pub name: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the resource holds.
    pub description: Option<&'static str>,
    /// Its MIME type.
    pub mime_type: Option<&'static str>,
    /// Only for handler resources; text and file resources report their own length.
    pub size: Option<u64>,
    /// JSON object (`Annotations`).
    pub annotations: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
    /// Where its content comes from.
    pub source: ResourceSource,
}

impl ResourceDef {
    /// No URI or name (set both), no optional field, served by a handler.
    pub const DEFAULT: ResourceDef = ResourceDef {
        uri: "",
        name: "",
        title: None,
        description: None,
        mime_type: None,
        size: None,
        annotations: None,
        icons: None,
        meta: None,
        source: ResourceSource::Handler,
    };
}

/// Where a resource template's content comes from.
pub enum TemplateSource {
    /// The spec's `implementation.http`, its placeholders filled with the URI's variables (needs the
    /// `http-tools` feature).
    Http(&'static crate::declarative::HttpTool),
    /// A user handler in `src/templates/`.
    Handler,
}

/// A resource template, served by a user handler in `src/templates/` or by the spec's `implementation.http`.
pub struct TemplateDef {
    /// The RFC 6570 URI template.
    pub uri_template: &'static str,
    /// The template's name.
    pub name: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the template's resources hold.
    pub description: Option<&'static str>,
    /// The MIME type of its resources.
    pub mime_type: Option<&'static str>,
    /// JSON object (`Annotations`).
    pub annotations: Option<&'static str>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
    /// Static completion values per template variable.
    pub completions: &'static [(&'static str, &'static [&'static str])],
    /// Where its content comes from.
    pub source: TemplateSource,
}

impl TemplateDef {
    /// No URI template or name (set both), no optional field, no static completions, served by a handler.
    pub const DEFAULT: TemplateDef = TemplateDef {
        uri_template: "",
        name: "",
        title: None,
        description: None,
        mime_type: None,
        annotations: None,
        icons: None,
        meta: None,
        completions: &[],
        source: TemplateSource::Handler,
    };
}

/// A prompt; rendered from `messages` when set, else built by a user handler in `src/prompts/`.
pub struct PromptDef {
    /// The prompt's name on the wire.
    pub name: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the prompt is for.
    pub description: Option<&'static str>,
    /// Its arguments.
    pub arguments: &'static [PromptArgDef],
    /// Declarative messages; `None`: a handler builds the prompt.
    pub messages: Option<&'static [MessageDef]>,
    /// JSON array of icons.
    pub icons: Option<&'static str>,
    /// JSON object passed through as `_meta`.
    pub meta: Option<&'static str>,
}

impl PromptDef {
    /// No name (set `name`), no arguments, built by a handler, no optional field.
    pub const DEFAULT: PromptDef = PromptDef {
        name: "",
        title: None,
        description: None,
        arguments: &[],
        messages: None,
        icons: None,
        meta: None,
    };
}

/// A prompt argument.
pub struct PromptArgDef {
    /// The argument's name.
    pub name: &'static str,
    /// Display name.
    pub title: Option<&'static str>,
    /// What the argument means.
    pub description: Option<&'static str>,
    /// Whether the client must pass it.
    pub required: bool,
    /// Static completion values; empty: the completion hook answers.
    pub completions: &'static [&'static str],
}

impl PromptArgDef {
    /// No name (set `name`), optional, no static completions.
    pub const DEFAULT: PromptArgDef = PromptArgDef {
        name: "",
        title: None,
        description: None,
        required: false,
        completions: &[],
    };
}

/// Who speaks in a declarative prompt message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRole {
    /// The user.
    User,
    /// The assistant.
    Assistant,
}

/// One message of a declarative prompt, with `{{argument}}` placeholders.
pub struct MessageDef {
    /// Who speaks.
    pub role: MessageRole,
    /// The text, with `{{argument}}` placeholders.
    pub text: &'static str,
}

/// Everything the spec defines, as the generated crate's [`App::SPEC`](crate::App::SPEC).
pub struct Spec {
    /// Identity and instructions.
    pub server: ServerDef,
    /// Optional capabilities.
    pub capabilities: CapabilitiesDef,
    /// The transports the spec declares.
    pub transports: TransportsDef,
    /// HTTP authentication.
    pub auth: AuthDef,
    /// The environment variables the server reads.
    pub env: &'static [EnvVarDef],
    /// Tools, in the spec's order.
    pub tools: &'static [ToolDef],
    /// Fixed resources.
    pub resources: &'static [ResourceDef],
    /// Resource templates.
    pub templates: &'static [TemplateDef],
    /// Prompts.
    pub prompts: &'static [PromptDef],
}

impl Spec {
    /// An unnamed server with nothing declared: generated code sets what its spec declares.
    pub const DEFAULT: Spec = Spec {
        server: ServerDef::DEFAULT,
        capabilities: CapabilitiesDef::DEFAULT,
        transports: TransportsDef::DEFAULT,
        auth: AuthDef::DEFAULT,
        env: &[],
        tools: &[],
        resources: &[],
        templates: &[],
        prompts: &[],
    };
}
