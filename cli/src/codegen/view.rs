//! The view model: what the templates print, in typed fields that already hold final Rust identifiers, string
//! literals, doc comments and expressions (`Some("..")` or `None`), so templates only print and choose, never escape,
//! build import lists or compare Rust text. `lower.rs` builds it from the validated spec.

use serde::Serialize;

use crate::spec::model::HttpLimits;

/// Everything the templates need, already escaped.
#[derive(Debug, Serialize)]
pub struct CrateView {
    /// First line of every generated Rust file.
    pub header_rs: String,
    /// First line of every generated Markdown file.
    pub header_md: String,
    /// The spec's path relative to the crate, for prose.
    pub spec_path: String,
    pub mcpgen_version: String,
    pub server: ServerView,
    pub capabilities: CapabilitiesView,
    pub transports: TransportsView,
    pub auth: AuthView,
    pub env: Vec<EnvView>,
    pub tools: Vec<ToolView>,
    pub resources: Vec<ResourceView>,
    pub templates: Vec<TemplateView>,
    pub prompts: Vec<PromptView>,
    /// Files under `src/generated/assets/` to copy: (file name, source path relative to the spec).
    pub assets: Vec<AssetView>,
    /// Whether some completable argument lacks a static list, so the user hook `src/completions.rs` exists.
    pub completion_hook: bool,
    /// Whether some tool takes arguments (else dispatch ignores them); declarative tools always do.
    pub has_tool_input: bool,
    /// Whether some tool has a handler (else dispatch ignores `ctx`).
    pub has_handler_tools: bool,
    /// Whether some tool is a declarative `command` / `http` one (the runtime features `command-tools` /
    /// `http-tools`).
    pub command_tools: bool,
    pub http_tools: bool,
    /// Whether any handler-backed item exists (they need `Ctx` in dispatch).
    pub has_handler_resources: bool,
    /// Whether any resource template is served by a handler (`read_template` in dispatch).
    pub has_handler_templates: bool,
    pub has_handler_prompts: bool,
    /// The paths `generated/server.rs` imports (each becomes a `use` line).
    pub server_imports: Vec<String>,
    /// Whether some tool schema uses a keyword outside the runtime's subset, so the crate links
    /// jsonschema (the `full-json-schema` feature, on by default then).
    pub full_json_schema: bool,
}

#[derive(Debug, Serialize)]
pub struct ServerView {
    /// Crate and binary name (already a valid package name: validated).
    pub name: String,
    pub name_lit: String,
    pub version: String,
    pub version_lit: String,
    pub title: String,
    pub description: String,
    pub instructions: String,
    pub website_url: String,
    pub icons: String,
    /// Plain text for TOML/Markdown (already single-line where needed).
    pub description_text: String,
    /// Prefix of the server's environment variables (`WEATHER` for `weather`).
    pub env_prefix: String,
}

#[derive(Debug, Serialize)]
pub struct CapabilitiesView {
    pub tools_list_changed: bool,
    pub resources_subscribe: bool,
    pub resources_list_changed: bool,
    pub prompts_list_changed: bool,
    pub logging: bool,
    pub completions: bool,
    /// `CapabilitiesDef::tool_execution` as a Rust literal: `&[]`, or one `("name", Some(..))` per tool
    /// with `execution`.
    pub tool_execution: String,
}

#[derive(Debug, Serialize)]
pub struct TransportsView {
    /// `Transport::Stdio` etc.
    pub default_variant: String,
    pub default_name: String,
    pub stdio: bool,
    pub http: Option<HttpView>,
    pub sse: Option<SseView>,
    pub lambda: Option<LambdaView>,
    /// Whether streamable HTTP and SSE share host and port, so one HTTP server serves both paths.
    pub shared_http: bool,
    /// Cargo feature names, in spec order.
    pub features: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct HttpView {
    pub host_lit: String,
    pub host: String,
    pub port: u16,
    pub path_lit: String,
    pub path: String,
    pub stateful: bool,
    pub json_response: bool,
    pub allowed_hosts: String,
    pub allowed_origins: String,
    pub request_timeout: u64,
    pub max_body_bytes: u64,
    pub session_idle_timeout: u64,
    /// `Some("VAR")` or `None`.
    pub redis_url_env: String,
    /// `Some("prefix")` or `None` (the runtime's default, from the server name).
    pub redis_key_prefix: String,
    /// `None`, or `Some(MetricsDef { .. })`: a Rust expression.
    pub metrics: String,
    pub limits: HttpLimits,
}

#[derive(Debug, Serialize)]
pub struct SseView {
    pub host_lit: String,
    pub host: String,
    pub port: u16,
    pub path_lit: String,
    pub path: String,
    pub message_path_lit: String,
    pub message_path: String,
    pub allowed_hosts: String,
    pub allowed_origins: String,
    pub request_timeout: u64,
    pub max_body_bytes: u64,
    pub limits: HttpLimits,
}

#[derive(Debug, Serialize)]
pub struct LambdaView {
    pub path_lit: String,
    pub path: String,
    pub allowed_hosts: String,
    pub allowed_origins: String,
    pub request_timeout: u64,
    pub max_body_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct AuthView {
    /// `Some("VAR")` or `None`.
    pub bearer_token_env: String,
    /// Plain variable name for prose; empty without bearer auth.
    pub bearer_token_env_name: String,
    pub oauth: Option<OAuthView>,
    /// `(name, &[scopes])` Rust tuples, only tools with `requiredScopes`.
    pub tool_scopes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OAuthView {
    pub authorization_servers: String,
    pub audience_lit: String,
    pub jwks_uri_lit: String,
    pub scopes: String,
    pub algorithms: String,
}

#[derive(Debug, Serialize)]
pub struct EnvView {
    pub name: String,
    pub name_lit: String,
    pub required: bool,
    pub default: String,
    pub description_text: String,
}

#[derive(Debug, Serialize)]
pub struct ToolView {
    /// The wire name (URI for resources) as one line safe in comments and Markdown code spans.
    pub label: String,
    /// Module name in `generated::tools` and file stem in `src/tools/`.
    pub module: String,
    /// Module name of the user's handler file inside `generated` (`tool_<module>`).
    pub handler_module: String,
    pub file: String,
    pub wire: String,
    pub name_lit: String,
    /// `pub const NAME: &str = "...";` and the `ToolDef` field values below are laid out for their place in
    /// templates/generated/tools.rs.tera (see `layout`), so that the tool's module needs no rustfmt.
    pub name_const: String,
    pub doc: String,
    pub title: String,
    pub description: String,
    pub input_schema: String,
    pub output_schema: String,
    pub annotations: String,
    pub icons: String,
    pub meta: String,
    pub has_input: bool,
    pub has_output: bool,
    /// `structured`, `structured_no_input`, `unstructured` or `unstructured_no_input` (runtime/tool.rs); for a
    /// declarative tool the full path of its runtime adapter.
    pub adapter: String,
    /// A declarative tool's `IMPLEMENTATION` constant (`codegen/declarative.rs`); such a tool has no handler file.
    pub implementation: Option<String>,
    /// The rendered `Input`/`Output` types (typegen).
    pub types: String,
    /// `optional` or `required` when clients may run the tool as an MCP task (the stub's comment says how).
    pub task_support: Option<&'static str>,
    /// Whether the tool's module in generated/tools.rs comes out of the template as rustfmt would lay it out, so
    /// rendering need not run rustfmt on it (`layout`, `typegen::is_laid_out`).
    pub laid_out: bool,
}

#[derive(Debug, Serialize)]
pub struct ResourceView {
    /// The wire name (URI for resources) as one line safe in comments and Markdown code spans.
    pub label: String,
    pub module: String,
    pub handler_module: String,
    pub file: String,
    pub uri: String,
    pub uri_lit: String,
    pub doc: String,
    pub name_lit: String,
    pub title: String,
    pub description: String,
    pub mime_type: String,
    pub size: String,
    pub annotations: String,
    pub icons: String,
    pub meta: String,
    /// `text`, `file` or `handler`.
    /// The content is the spec's `text:` (`TEXT`).
    pub is_text: bool,
    /// The content is the spec's `file:`, embedded (`CONTENT`).
    pub is_file: bool,
    /// A user handler reads it.
    pub handler: bool,
    /// The `ResourceSource` expression of its definition.
    pub source_expr: String,
    /// `pub static IMPLEMENTATION: HttpTool = ...;` for an `implementation.http` resource, else empty.
    pub http_const: String,
    pub text_lit: String,
    pub asset: String,
    pub asset_source: String,
}

#[derive(Debug, Serialize)]
pub struct TemplateView {
    /// The wire name (URI for resources) as one line safe in comments and Markdown code spans.
    pub label: String,
    pub module: String,
    pub handler_module: String,
    pub file: String,
    pub wire: String,
    pub name_lit: String,
    pub uri_template: String,
    pub uri_template_lit: String,
    pub uri_template_label: String,
    pub doc: String,
    pub title: String,
    pub description: String,
    pub mime_type: String,
    pub annotations: String,
    pub icons: String,
    pub meta: String,
    /// `(variable literal, [value literals])`.
    pub completions: Vec<(String, Vec<String>)>,
    pub params: Vec<FieldView>,
    /// `Params::from_vars`'s parameter: `mut vars`, or `_vars` when the template has no variables.
    pub vars_param: String,
    /// Served by a handler in `src/templates/` (else by its `implementation.http`).
    pub handler: bool,
    /// `pub static IMPLEMENTATION: HttpTool = ...;` for an `implementation.http` template, else empty.
    pub http_const: String,
    /// The `TemplateSource` expression of its definition.
    pub source_expr: String,
}

#[derive(Debug, Serialize)]
pub struct FieldView {
    /// Rust field name.
    pub name: String,
    /// The wire name as a literal.
    pub wire_lit: String,
    pub wire: String,
    pub doc: String,
    pub required: bool,
    /// `#[serde(rename = "wire")] ` where the Rust name differs from the wire name, else empty.
    pub rename: String,
    /// The field's type as a prompt argument: `String` when required, else `Option<String>`.
    pub arg_type: String,
    /// The `Arguments` method that reads it: `required` or `optional`.
    pub arg_getter: String,
}

#[derive(Debug, Serialize)]
pub struct PromptView {
    /// The wire name (URI for resources) as one line safe in comments and Markdown code spans.
    pub label: String,
    pub module: String,
    pub handler_module: String,
    pub file: String,
    pub wire: String,
    pub name_lit: String,
    pub doc: String,
    pub title: String,
    pub description: String,
    pub icons: String,
    pub meta: String,
    pub arguments: Vec<PromptArgView>,
    /// None: a user handler builds the prompt.
    pub messages: Option<Vec<MessageView>>,
    pub args: Vec<FieldView>,
    /// What the prompt's module imports from the runtime's `defs`.
    pub defs_imports: String,
    /// `Args::from_arguments`'s parameter: `arguments`, or `_arguments` without arguments.
    pub arguments_param: String,
}

#[derive(Debug, Serialize)]
pub struct PromptArgView {
    pub name_lit: String,
    pub title: String,
    pub description: String,
    pub required: bool,
    pub completions: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MessageView {
    pub role: String,
    pub text_lit: String,
}

#[derive(Debug, Serialize)]
pub struct AssetView {
    pub file_name: String,
    pub source: String,
}
