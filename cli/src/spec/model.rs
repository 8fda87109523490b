//! The spec format, version 1: the typed contract between a user's YAML file and everything mcpgen does.
//!
//! These types are the single source of truth: the spec's JSON Schema (`mcpgen schema`,
//! `specs/mcpgen.schema.json`) is derived from them with schemars, and the loader deserialises into them.
//! MCP objects keep MCP's own camelCase field names so a `tools/list` dump pastes in with little change.
//! Every doc comment here becomes a `description` in the JSON Schema that editors show: keep them user-facing.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A JSON object kept verbatim (schemas, `_meta`).
pub type JsonObject = Map<String, Value>;

/// The format versions this mcpgen reads.
pub const SUPPORTED_VERSIONS: &[u32] = &[1];

/// An mcpgen spec: one MCP server, its tools, resources, prompts and transports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "mcpgen spec")]
pub struct Spec {
    /// Version of the spec format. Only `1` is supported.
    pub mcpgen: u32,
    /// The server's identity: its name becomes the crate, the binary and `serverInfo.name`.
    pub server: Server,
    /// Environment variables the server reads (API keys, endpoints). Client configs pass them through;
    /// secrets are never written into a config file as literals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    /// Tools the model can call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// Fixed resources, each with a concrete URI.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Resource>,
    /// Parameterised resources, each described by an RFC 6570 URI template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_templates: Vec<ResourceTemplate>,
    /// Prompt templates the user can pick in a client.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<Prompt>,
    /// Optional protocol capabilities beyond the ones implied by the lists above.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The transports the server speaks, keyed by transport name. The first one listed is the default
    /// when the server starts without `--transport`.
    pub transports: Transports,
    /// Authentication for the HTTP transports (streamable HTTP and SSE). stdio is never authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
}

/// The server's identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Server {
    /// Crate name, binary name and `serverInfo.name`: lowercase ASCII letters, digits and `-`, starting with a
    /// letter.
    pub name: String,
    /// Semantic version reported as `serverInfo.version` and used as the crate version.
    #[serde(default = "default_version")]
    pub version: String,
    /// Human-readable name shown by clients (`serverInfo.title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// One-paragraph description, used in the crate manifest and README.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Instructions for the model, sent in the `initialize` result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Home page of the server (`serverInfo.websiteUrl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Icons for the server (`serverInfo.icons`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
}

fn default_version() -> String {
    "0.1.0".to_owned()
}

/// An environment variable the server reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name: ASCII letters, digits and `_`, not starting with a digit.
    pub name: String,
    /// What the variable is for; shown in client configs that prompt for values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The server refuses to start without it.
    #[serde(default)]
    pub required: bool,
    /// A secret (token, password): client configs reference or prompt for it, never embed it.
    #[serde(default)]
    pub secret: bool,
    /// Value used when the variable is unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// An MCP tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tool {
    /// Wire name: 1-128 characters of `A-Z a-z 0-9 _ . -`, unique among tools. Keep it under 64 characters:
    /// Claude Desktop rejects longer names.
    pub name: String,
    /// Human-readable name shown by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does and when to use it. Models choose tools by this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// JSON Schema of the arguments (root `type: object`), served verbatim. Omitted: the tool takes no
    /// arguments. A property with `x-mcp-header: Name` is mirrored into an `Mcp-Param-Name` header on 2026-07-28
    /// streamable HTTP (SEP-2243).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<JsonObject>,
    /// JSON Schema of the structured result (root `type: object`), served verbatim. When set, the handler
    /// returns a typed value sent as `structuredContent` with a text mirror.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<JsonObject>,
    /// Hints about the tool's behaviour for clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Whether clients may run the tool as an MCP task (2025-11-25): a call answered at once with a task
    /// id, the handler running in the background, its result fetched later. Served in `tools/list` as
    /// written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Icons for the tool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// OAuth scopes a caller needs for this tool, on top of `auth.oauth.scopes`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_scopes: Vec<String>,
    /// Extra metadata passed through as the tool's `_meta`.
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
    /// Implements the tool without Rust: a program to run (`command`) or an HTTP request (`http`), built
    /// from the arguments. Omitted: a handler in `src/tools/` implements it (removing it later makes
    /// `mcpgen generate` create that handler).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Implementation>,
}

/// A declarative implementation: exactly one of `command` or `http` for a tool, `http` or `file` for a
/// resource, `http` for a resource template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Implementation {
    /// Run a program with an argv built from the arguments (never through a shell). Tools only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandImpl>,
    /// Send one HTTP request built from the arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpImpl>,
    /// Read a file on disk on every read. Fixed resources only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileImpl>,
}

/// The one implementation a valid [`Implementation`] holds.
#[derive(Debug, Clone, Copy)]
pub enum ImplementationKind<'a> {
    /// A program.
    Command(&'a CommandImpl),
    /// An HTTP request.
    Http(&'a HttpImpl),
    /// A file read at run time.
    File(&'a FileImpl),
}

impl Implementation {
    /// The implementation, when exactly one is set (validation reports the other cases).
    pub fn kind(&self) -> Option<ImplementationKind<'_>> {
        match (&self.command, &self.http, &self.file) {
            (Some(c), None, None) => Some(ImplementationKind::Command(c)),
            (None, Some(h), None) => Some(ImplementationKind::Http(h)),
            (None, None, Some(f)) => Some(ImplementationKind::File(f)),
            _ => None,
        }
    }
}

/// A resource read from a file on disk on every read, for content that changes while the server runs (the
/// top-level `file:` is embedded at build time instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileImpl {
    /// The file: absolute, or relative to the server's working directory when it runs. No placeholders.
    pub path: String,
    /// Most bytes served; a larger file makes the read fail.
    #[serde(default = "default_max_response")]
    pub max_bytes: u64,
}

/// A tool that runs a program. stdout becomes the result (a JSON object as `structuredContent` when the tool
/// has an `outputSchema`); a non-zero exit becomes an error result quoting stderr.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CommandImpl {
    /// The program: a path, or a name looked up in `PATH`. No placeholders.
    pub program: String,
    /// The arguments, one element each, with `{name}` placeholders naming input properties (`{{`/`}}` for
    /// literal braces). An element whose argument is absent is left out; an element that is exactly
    /// `{name}` of an array becomes one element per item. Never split, never given to a shell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Working directory of the program. Default: the server's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Environment variables of the server passed to the program; every other one but `PATH` is cleared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    /// Seconds before the program is killed and the call fails.
    #[serde(default = "default_tool_timeout")]
    pub timeout_secs: u64,
    /// Most bytes of stdout read; a program that writes more is stopped and the call fails.
    #[serde(default = "default_max_output")]
    pub max_output_bytes: u64,
}

fn default_tool_timeout() -> u64 {
    30
}

fn default_max_output() -> u64 {
    1024 * 1024
}

fn default_max_response() -> u64 {
    10 * 1024 * 1024
}

/// A tool that sends one HTTP request. The response body becomes the result (a JSON object as
/// `structuredContent` when the tool has an `outputSchema`); an error status an error result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpImpl {
    /// The request method.
    #[serde(default)]
    pub method: HttpMethod,
    /// Scheme, host and optional path prefix, such as `https://api.example.com/v1`. No placeholders: arguments
    /// never choose the host.
    pub base_url: String,
    /// An environment variable that replaces `baseUrl` when it is set (a staging server, a mock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url_env: Option<String>,
    /// Path after the base URL, such as `/pets/{petId}`: each placeholder fills one percent-encoded path
    /// segment (a value with `/`, `?` or `#` stays inside it; `.`, `..` and empty values are refused).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// Query parameters: name to value template, such as `limit: "{limit}"`. Left out when an argument it
    /// names is absent.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    /// Request headers: name to value template. Values with CR or LF are refused. Secrets belong in `auth`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// JSON body template: a string that is exactly `{name}` takes the argument's value (any type); other
    /// strings are filled in as text; members whose argument is absent are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Credentials, read from environment variables, sent only to the base URL's origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<HttpAuth>,
    /// Seconds for the whole request, redirects and response included.
    #[serde(default = "default_tool_timeout")]
    pub timeout_secs: u64,
    /// Statuses that make the result an error: codes such as `404` or classes such as `5xx`. Default: every
    /// status outside 2xx.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_status: Vec<StatusPattern>,
    /// JSON pointer (RFC 6901) selecting the part of a JSON response that becomes the result, such as `/data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Most bytes of the response body read; a larger response fails the call.
    #[serde(default = "default_max_response")]
    pub max_response_bytes: u64,
    /// Redirects: not followed unless `follow` is set.
    #[serde(default)]
    pub redirects: Redirects,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET (the default).
    #[default]
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// HEAD.
    Head,
    /// OPTIONS.
    Options,
}

/// A status code (`404`) or class (`4xx`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StatusPattern {
    /// One status code, 100-599.
    Code(u16),
    /// A class: `1xx` to `5xx`.
    Class(String),
}

/// Credentials for an HTTP tool, always from environment variables: exactly one of `bearer`, `basic`, `apiKey`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpAuth {
    /// `Authorization: Bearer <token>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer: Option<HttpBearer>,
    /// `Authorization: Basic <user:password>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic: Option<HttpBasic>,
    /// An API key in a header or a query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<HttpApiKey>,
}

/// A bearer token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpBearer {
    /// The environment variable holding the token.
    pub env: String,
}

/// HTTP basic credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpBasic {
    /// The environment variable holding the user name.
    pub username_env: String,
    /// The environment variable holding the password.
    pub password_env: String,
}

/// An API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpApiKey {
    /// The environment variable holding the key.
    pub env: String,
    /// Where the key goes: `header` or `query`.
    #[serde(rename = "in")]
    pub location: ApiKeyLocation,
    /// The header or query parameter name, such as `X-API-Key`.
    pub name: String,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ApiKeyLocation {
    /// A request header.
    Header,
    /// A query parameter.
    Query,
}

/// Redirect handling of an HTTP tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Redirects {
    /// Follow redirects (to the same origin, or to `allowHosts`). Default: a redirect is an error result.
    #[serde(default)]
    pub follow: bool,
    /// Most redirects followed for one call.
    #[serde(default = "default_max_redirects")]
    pub max: u8,
    /// Other hosts a redirect may lead to. Credentials are never sent to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_hosts: Vec<String>,
    /// Allow redirects to another host that is (or resolves to) a loopback, private or link-local address.
    #[serde(default)]
    pub allow_private: bool,
}

fn default_max_redirects() -> u8 {
    5
}

impl Default for Redirects {
    fn default() -> Self {
        Redirects {
            follow: false,
            max: default_max_redirects(),
            allow_hosts: Vec::new(),
            allow_private: false,
        }
    }
}

/// Behaviour hints for a tool (MCP `ToolAnnotations`). Clients treat them as untrusted hints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// Human-readable title (prefer the tool's own `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool does not modify its environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// The tool may perform destructive updates (meaningful only when not read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Calling the tool again with the same arguments has no additional effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool interacts with an open world of external entities (the web, other services).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

/// Task execution support for a tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ToolExecution {
    /// Whether the tool can run as an MCP task: `forbidden` (the default), `optional` or `required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
}

/// Task support levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum TaskSupport {
    /// Only plain calls: a task-augmented call is refused (-32601). The default when `taskSupport` is absent.
    Forbidden,
    /// The client chooses: a plain call, or a task for a call that may run long.
    Optional,
    /// Only as a task: a plain call is refused (-32601). Clients without task support cannot use the tool.
    Required,
}

/// An icon (MCP `Icon`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Icon {
    /// URL or `data:` URI of the image.
    pub src: String,
    /// MIME type of the image, such as `image/png`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Sizes the image is suitable for, such as `48x48` or `any`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    /// The theme the icon is designed for: `light` or `dark`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<IconTheme>,
}

/// Icon themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum IconTheme {
    /// For light backgrounds.
    Light,
    /// For dark backgrounds.
    Dark,
}

/// Annotations on a resource or template (MCP `Annotations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceAnnotations {
    /// Who the content is for: `user`, `assistant` or both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<Role>,
    /// Importance from 0 (optional) to 1 (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// ISO 8601 timestamp of the last modification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// A message role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// The human user.
    User,
    /// The model.
    Assistant,
}

/// A fixed resource. Its content comes from `text`, from `file`, from `implementation` (an HTTP GET), or (none
/// set) from a user handler.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resource {
    /// Absolute URI, unique among resources, such as `docs://readme` or `file:///etc/motd`.
    pub uri: String,
    /// Name of the resource (free text, unique among resources).
    pub name: String,
    /// Human-readable name shown by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the resource holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// MIME type of the content, such as `text/markdown`. Defaults from `file`'s extension, else
    /// `text/plain` for `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Size of the content in bytes, if known. Filled in for `text` and `file` resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Content served as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Path relative to the spec file; the file is embedded in the binary at build time (binary files are
    /// served as base64 blobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Content fetched on every read: `http`, a GET built as an HTTP tool's but without placeholders (a read
    /// has no arguments). The body is served as text when the MIME type is textual (or absent and the body is
    /// UTF-8), else as a base64 blob; an error status or a failure is an error to the read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Implementation>,
    /// Audience, priority and last-modified hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ResourceAnnotations>,
    /// Icons for the resource.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Extra metadata passed through as `_meta`.
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

/// A parameterised resource, always served by a user handler that receives the parsed template variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceTemplate {
    /// RFC 6570 URI template, such as `weather://alerts/{state}`. Each variable becomes a handler parameter.
    pub uri_template: String,
    /// Name of the template (free text, unique among templates).
    pub name: String,
    /// Human-readable name shown by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the resources behind the template hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// MIME type of every resource matching the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Static completion values per template variable, offered through `completion/complete`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub completions: IndexMap<String, Vec<String>>,
    /// Content fetched on every read instead of a handler: `http`, a GET built as an HTTP tool's, whose
    /// placeholders name the URI template's variables (percent-decoded from the URI read, then encoded as
    /// path segments or query values as a tool's arguments are). The body is served as text when the MIME type
    /// is textual (or absent and the body is UTF-8), else as a base64 blob; an error status or a failure is an
    /// error to the read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation: Option<Implementation>,
    /// Audience, priority and last-modified hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ResourceAnnotations>,
    /// Icons for the template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Extra metadata passed through as `_meta`.
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

/// A prompt. With `messages` the server renders it; without, a user handler builds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Prompt {
    /// Name of the prompt (free text, unique among prompts).
    pub name: String,
    /// Human-readable name shown by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the prompt is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Arguments the user fills in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<PromptArgument>,
    /// Messages rendered by the server, with `{{argument}}` placeholders. Omitted: a user handler builds
    /// the messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<PromptMessage>>,
    /// Icons for the prompt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    /// Extra metadata passed through as `_meta`.
    #[serde(default, rename = "_meta", skip_serializing_if = "Option::is_none")]
    pub meta: Option<JsonObject>,
}

/// A prompt argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PromptArgument {
    /// Name of the argument (free text, unique within the prompt), used in `{{name}}` placeholders.
    pub name: String,
    /// Human-readable name shown by clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What to fill in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The prompt cannot be rendered without it.
    #[serde(default)]
    pub required: bool,
    /// Static completion values offered through `completion/complete`, filtered by the typed prefix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completions: Vec<String>,
}

/// One message of a declarative prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PromptMessage {
    /// Who speaks: `user` or `assistant`.
    pub role: Role,
    /// Text with `{{argument}}` placeholders; a missing optional argument renders as an empty string.
    pub text: String,
}

/// Protocol capabilities. Tools, resources and prompts capabilities follow from the spec's lists; these
/// switch on the optional parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Capabilities {
    /// Handlers can send log messages to the client (`notifications/message`); the client can set the level.
    #[serde(default)]
    pub logging: bool,
    /// Offer `completion/complete`. Default: on when any prompt argument or template variable exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<bool>,
    /// Resource capabilities.
    #[serde(default)]
    pub resources: ResourceCapabilities,
    /// Tool capabilities.
    #[serde(default)]
    pub tools: ListChangedCapability,
    /// Prompt capabilities.
    #[serde(default)]
    pub prompts: ListChangedCapability,
}

/// Resource capabilities.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceCapabilities {
    /// Clients can subscribe to updates of a resource.
    #[serde(default)]
    pub subscribe: bool,
    /// The server notifies clients when the resource list changes.
    #[serde(default)]
    pub list_changed: bool,
}

/// A `listChanged` capability.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListChangedCapability {
    /// The server notifies clients when the list changes.
    #[serde(default)]
    pub list_changed: bool,
}

/// The transports the server speaks. At least one is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transports {
    /// Standard input/output: the client starts the server as a subprocess. Takes no options: `stdio: {}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdio: Option<StdioTransport>,
    /// Streamable HTTP (MCP 2025-03-26 and later): one endpoint taking POST.
    #[serde(
        default,
        rename = "streamable-http",
        skip_serializing_if = "Option::is_none"
    )]
    pub streamable_http: Option<StreamableHttpTransport>,
    /// The legacy HTTP+SSE transport (MCP 2024-11-05): `GET path` opens an event stream, messages are
    /// POSTed to `messagePath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<SseTransport>,
    /// AWS Lambda behind API Gateway (REST or HTTP API), a Function URL or an ALB: streamable HTTP without
    /// sessions, one event per request. The binary serves it when `AWS_LAMBDA_RUNTIME_API` is set (inside
    /// Lambda or `cargo lambda watch`), whatever transport is listed first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<LambdaTransport>,
    /// The order the transports were written in (the first is the default). Filled by the loader.
    #[serde(skip)]
    #[schemars(skip)]
    pub order: Vec<TransportKind>,
}

/// Transport names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum TransportKind {
    /// stdio.
    #[serde(rename = "stdio")]
    Stdio,
    /// Streamable HTTP.
    #[serde(rename = "streamable-http")]
    StreamableHttp,
    /// Legacy HTTP+SSE.
    #[serde(rename = "sse")]
    Sse,
    /// AWS Lambda.
    #[serde(rename = "lambda")]
    Lambda,
}

impl TransportKind {
    /// The name used in the spec and on the generated server's `--transport` flag.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Stdio => "stdio",
            TransportKind::StreamableHttp => "streamable-http",
            TransportKind::Sse => "sse",
            TransportKind::Lambda => "lambda",
        }
    }
}

/// stdio transport options (none yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StdioTransport {}

/// Declares an HTTP transport's options with the bounds on connections and sessions both HTTP transports
/// share: the struct's own fields, then the bound fields (each documented and defaulted once, here), then
/// those in the `limits { }` block; and its `limits()`. serde and schemars see one plain struct, fields in that order.
macro_rules! with_http_limits {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $($before:tt)*
        }
        limits
        {
            $($after:tt)*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $($before)*
            /// Seconds a client has to send a request's headers, counted from connecting or from the request's
            /// first byte; then the connection is closed (slow-header clients).
            #[serde(default = "default_header_read_timeout")]
            #[schemars(range(min = 1))]
            pub header_read_timeout: u64,
            /// Seconds a connection with no request in progress may receive nothing before it is closed. An open
            /// event stream is a request in progress, never cut.
            #[serde(default = "default_idle_timeout")]
            #[schemars(range(min = 1))]
            pub idle_timeout: u64,
            /// Open connections at most; more wait until one closes.
            #[serde(default = "default_max_connections")]
            #[schemars(range(min = 1))]
            pub max_connections: u64,
            /// Live sessions at most, all clients together; a client starting one more gets 503.
            #[serde(default = "default_max_sessions")]
            #[schemars(range(min = 1))]
            pub max_sessions: u64,
            /// Live sessions at most per principal (an OAuth subject, or a bearer token) when auth is on; one more
            /// gets 429.
            #[serde(default = "default_max_sessions_per_principal")]
            #[schemars(range(min = 1))]
            pub max_sessions_per_principal: u64,
            /// Largest `initialize` request in bytes: what a session keeps for its lifetime (in memory and in the
            /// session store). Larger ones get 413.
            #[serde(default = "default_max_session_bytes")]
            #[schemars(range(min = 1))]
            pub max_session_bytes: u64,
            $($after)*
        }

        impl $name {
            /// Its bounds on connections and sessions.
            pub fn limits(&self) -> HttpLimits {
                HttpLimits {
                    header_read_timeout: self.header_read_timeout,
                    idle_timeout: self.idle_timeout,
                    max_connections: self.max_connections,
                    max_sessions: self.max_sessions,
                    max_sessions_per_principal: self.max_sessions_per_principal,
                    max_session_bytes: self.max_session_bytes,
                }
            }
        }
    };
}

with_http_limits! {
    /// Streamable HTTP transport options.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct StreamableHttpTransport {
        /// Address to bind. Use `0.0.0.0` to accept connections from other machines (then set `allowedHosts`).
        #[serde(default = "default_host")]
        pub host: String,
        /// TCP port, 1-65535.
        #[serde(default = "default_port")]
        pub port: u16,
        /// Endpoint path, starting with `/`.
        #[serde(default = "default_mcp_path")]
        pub path: String,
        /// Keep sessions (`Mcp-Session-Id`) with server-to-client event streams. `false`: stateless, any
        /// instance behind a load balancer can answer any request.
        #[serde(default = "default_true")]
        pub stateful: bool,
        /// In stateless mode, answer with a plain JSON body instead of an event stream.
        #[serde(default)]
        pub json_response: bool,
        /// Host header values accepted (DNS-rebinding protection). Default: loopback names only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allowed_hosts: Option<Vec<String>>,
        /// Origin header values accepted from browsers. Default: none besides loopback origins.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allowed_origins: Option<Vec<String>>,
        /// Seconds a request may take until its response starts; then it gets 504.
        #[serde(default = "default_request_timeout")]
        pub request_timeout: u64,
        /// Largest accepted request body in bytes; larger bodies get 413.
        #[serde(default = "default_max_body_bytes")]
        pub max_body_bytes: u64,
        /// Seconds a stateful session may stay idle before the server forgets it (and its
        /// record in the session store).
        #[serde(default = "default_session_idle_timeout")]
        pub session_idle_timeout: u64,
    }
    limits {
        /// Records stateful sessions outside the process, so another instance behind a load balancer can
        /// carry on a session it did not start. Default: sessions live in one process only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub session_store: Option<SessionStoreConfig>,
        /// Serves `/metrics` in the Prometheus text format (requests, latency and errors by method and tool, live
        /// sessions, open event streams, Redis round trips), outside auth and the Host check. Default: off.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub metrics: Option<MetricsConfig>,
    }
}

/// Where `/metrics` is served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricsConfig {
    /// A port of its own, on the transport's host, so the MCP port can be public while metrics stay
    /// internal. Default: the transport's own port, beside `/healthz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub port: Option<u16>,
}

/// The bounds on connections and sessions both HTTP transports declare (the chosen transport's apply when
/// both share a host and port).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HttpLimits {
    pub header_read_timeout: u64,
    pub idle_timeout: u64,
    pub max_connections: u64,
    pub max_sessions: u64,
    pub max_sessions_per_principal: u64,
    pub max_session_bytes: u64,
}

/// An external store for stateful HTTP sessions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SessionStoreConfig {
    /// Environment variable holding the Redis URL (`redis://[[user]:password@]host[:port][/db]`, or
    /// `rediss://` for TLS; user and password percent-encoded); the server refuses to start without it.
    pub redis_url_env: String,
    /// What every key the server writes starts with, so several servers can share one Redis. Default:
    /// `mcp:<server name>:` (keys `mcp:<server name>:session:<id>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub key_prefix: Option<String>,
}

/// AWS Lambda transport options: the streamable HTTP endpoint, always stateless with JSON replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LambdaTransport {
    /// Endpoint path, starting with `/`, as the function sees it: an API Gateway REST stage is not part of it.
    #[serde(default = "default_mcp_path")]
    pub path: String,
    /// Host header values accepted. Default: any (AWS reaches the function only through its own host names);
    /// a list also accepts the loopback names, for the local emulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
    /// Origin header values accepted from browsers. Default: none besides loopback origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Seconds a request may take until its response starts; then it gets 504. Keep it below the function's
    /// own timeout.
    #[serde(default = "default_request_timeout")]
    pub request_timeout: u64,
    /// Largest accepted request body in bytes; larger bodies get 413 (Lambda itself refuses events over 6 MB).
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: u64,
}

with_http_limits! {
    /// Legacy HTTP+SSE transport options.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct SseTransport {
        /// Address to bind.
        #[serde(default = "default_host")]
        pub host: String,
        /// TCP port, 1-65535. May equal streamable HTTP's port: both are then served by one HTTP server.
        #[serde(default = "default_port")]
        pub port: u16,
        /// Path of the event stream (`GET`), starting with `/`.
        #[serde(default = "default_sse_path")]
        pub path: String,
        /// Path clients POST messages to, starting with `/`.
        #[serde(default = "default_message_path")]
        pub message_path: String,
        /// Host header values accepted (DNS-rebinding protection). Default: loopback names only.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allowed_hosts: Option<Vec<String>>,
        /// Origin header values accepted from browsers. Default: none besides loopback origins.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub allowed_origins: Option<Vec<String>>,
        /// Seconds a POSTed message may take to be accepted; then it gets 504.
        #[serde(default = "default_request_timeout")]
        pub request_timeout: u64,
        /// Largest accepted message body in bytes; larger bodies get 413.
        #[serde(default = "default_max_body_bytes")]
        pub max_body_bytes: u64,
    }
    limits {
    }
}

fn default_request_timeout() -> u64 {
    60
}
fn default_max_body_bytes() -> u64 {
    4 * 1024 * 1024
}
fn default_session_idle_timeout() -> u64 {
    300
}
fn default_header_read_timeout() -> u64 {
    10
}
fn default_idle_timeout() -> u64 {
    60
}
fn default_max_connections() -> u64 {
    1024
}
fn default_max_sessions() -> u64 {
    10_000
}
fn default_max_sessions_per_principal() -> u64 {
    100
}
fn default_max_session_bytes() -> u64 {
    64 * 1024
}
fn default_host() -> String {
    "127.0.0.1".to_owned()
}
fn default_port() -> u16 {
    8000
}
fn default_mcp_path() -> String {
    "/mcp".to_owned()
}
fn default_sse_path() -> String {
    "/sse".to_owned()
}
fn default_message_path() -> String {
    "/message".to_owned()
}
fn default_true() -> bool {
    true
}

/// Authentication for the HTTP transports. Set one of `bearer` or `oauth`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Auth {
    /// Static bearer tokens read from an environment variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer: Option<BearerAuth>,
    /// OAuth 2.1 resource server: JWT access tokens checked against an authorization server's keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuth>,
}

/// Static bearer token authentication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BearerAuth {
    /// Environment variable holding the accepted token; several tokens may be given separated by commas.
    pub token_env: String,
}

/// OAuth 2.1 resource-server settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OAuth {
    /// Issuer URLs of the authorization servers, advertised in the protected-resource metadata (RFC 9728);
    /// a token's `iss` must be one of them.
    pub authorization_servers: Vec<String>,
    /// This server's canonical resource URL; a token's `aud` must contain it.
    pub audience: String,
    /// Where the signing keys are published (JWKS).
    pub jwks_uri: String,
    /// Scopes every request needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Accepted signature algorithms.
    #[serde(default = "default_algorithms")]
    pub algorithms: Vec<String>,
}

fn default_algorithms() -> Vec<String> {
    vec!["RS256".to_owned(), "ES256".to_owned()]
}
