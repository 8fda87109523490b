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
    /// The `Spec { .. }` expression of `generated/server.rs` (`spec_def.rs`): every definition over its runtime
    /// `DEFAULT`, naming only what the spec changes.
    pub spec_def: String,
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
    /// The names `spec_def` uses from `mcpgen_runtime::defs`, comma-separated.
    pub spec_def_imports: String,
    /// Whether some tool schema uses a keyword outside the runtime's subset, so the crate links
    /// jsonschema (the `full-json-schema` feature, on by default then).
    pub full_json_schema: bool,
}

#[derive(Debug, Serialize)]
pub struct ServerView {
    /// Crate and binary name (already a valid package name: validated).
    pub name: String,
    pub version: String,
    /// Plain text for TOML/Markdown (already single-line where needed).
    pub description_text: String,
    /// Prefix of the server's environment variables (`WEATHER` for `weather`).
    pub env_prefix: String,
}

#[derive(Debug, Serialize)]
pub struct TransportsView {
    pub default_name: String,
    /// Whether stdio is the default transport.
    pub default_is_stdio: bool,
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
    pub host: String,
    pub port: u16,
    pub path: String,
    pub stateful: bool,
    pub max_body_bytes: u64,
    /// Whether sessions are kept in Redis (the runtime's `redis` feature).
    pub session_store: bool,
    /// Whether `/metrics` is served (the runtime's `metrics` feature).
    pub metrics: bool,
    pub limits: HttpLimits,
}

#[derive(Debug, Serialize)]
pub struct SseView {
    pub host: String,
    pub port: u16,
    pub path: String,
    pub message_path: String,
    pub limits: HttpLimits,
}

#[derive(Debug, Serialize)]
pub struct LambdaView {
    pub path: String,
    pub request_timeout: u64,
    pub max_body_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct AuthView {
    /// Plain variable name for prose; empty without bearer auth.
    pub bearer_token_env_name: String,
    /// Whether the spec asks for OAuth.
    pub oauth: bool,
}

#[derive(Debug, Serialize)]
pub struct EnvView {
    pub name: String,
    pub required: bool,
    pub description_text: String,
}

/// What every tool, resource, template and prompt view carries (flattened into it, so templates print `t.module`).
#[derive(Debug, Serialize)]
pub struct ItemView {
    /// The wire name (URI for resources) as one line safe in comments and Markdown code spans.
    pub label: String,
    /// Module name in `generated::tools` (`resources`, ...) and file stem in `src/tools/` (...).
    pub module: String,
    /// Module name of the user's handler file inside `generated` (`tool_<module>`, `resource_<module>`, ...).
    pub handler_module: String,
    /// The handler file, relative to `src/`.
    pub file: String,
    /// The module's doc comment.
    pub doc: String,
}

#[derive(Debug, Serialize)]
pub struct ToolView {
    #[serde(flatten)]
    pub item: ItemView,
    pub wire: String,
    pub name_lit: String,
    /// The optional `ToolDef` fields the spec sets, one `        name: literal,` line each, inside the module's
    /// `mcpgen_runtime::tool!` call (rustfmt leaves a braced macro call as written).
    pub def_fields: String,
    pub has_input: bool,
    pub has_output: bool,
    /// The tool's entry in `mcpgen_runtime::app!` after `module =>`: its adapter (`structured`,
    /// `structured_no_input`, `unstructured`, `unstructured_no_input` with the handler; `command` or `http` with
    /// whether the output is structured).
    pub dispatch: String,
    /// A declarative tool's `IMPLEMENTATION` constant (`codegen/declarative.rs`); such a tool has no handler file.
    pub implementation: Option<String>,
    /// The rendered `Input`/`Output` types (typegen).
    pub types: String,
    /// `optional` or `required` when clients may run the tool as an MCP task (the stub's comment says how).
    pub task_support: Option<&'static str>,
    /// Whether the tool's module in generated/tools.rs comes out of the template as rustfmt would lay it out, so
    /// rendering need not run rustfmt on it (`typegen::is_laid_out`; the `tool!` call is never reformatted).
    pub laid_out: bool,
}

#[derive(Debug, Serialize)]
pub struct ResourceView {
    #[serde(flatten)]
    pub item: ItemView,
    pub uri: String,
    pub uri_lit: String,
    /// The `ResourceDef` fields after `uri`, one `        name: value,` line each, inside the module's
    /// `mcpgen_runtime::resource!` call.
    pub def_fields: String,
    /// The content is the spec's `text:` (`TEXT`).
    pub is_text: bool,
    /// The content is the spec's `file:`, embedded (`CONTENT`).
    pub is_file: bool,
    /// A user handler reads it.
    pub handler: bool,
    /// `pub static IMPLEMENTATION: HttpTool = ...;` for an `implementation.http` resource, else empty.
    pub http_const: String,
    /// `pub static IMPLEMENTATION: FileDef = ...;` for an `implementation.file` resource, else empty.
    pub file_const: String,
    pub text_lit: String,
    pub asset: String,
    pub asset_source: String,
}

#[derive(Debug, Serialize)]
pub struct TemplateView {
    #[serde(flatten)]
    pub item: ItemView,
    pub wire: String,
    pub name_lit: String,
    pub uri_template: String,
    pub uri_template_label: String,
    /// The `TemplateDef` fields after `name`, one `        name: value,` line each, inside the module's
    /// `mcpgen_runtime::template!` call.
    pub def_fields: String,
    pub params: Vec<FieldView>,
    /// Served by a handler in `src/templates/` (else by its `implementation.http`).
    pub handler: bool,
    /// `pub static IMPLEMENTATION: HttpTool = ...;` for an `implementation.http` template, else empty.
    pub http_const: String,
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
    /// How `prompt_args!` reads it: `required` (a `String`) or `optional` (an `Option<String>`).
    pub arg_getter: String,
}

#[derive(Debug, Serialize)]
pub struct PromptView {
    #[serde(flatten)]
    pub item: ItemView,
    pub wire: String,
    pub name_lit: String,
    /// The `PromptDef` fields after `name`, one `        name: value,` line each (a list one item a line),
    /// inside the module's `mcpgen_runtime::prompt!` call.
    pub def_fields: String,
    /// Whether the spec writes the messages (else a user handler builds the prompt).
    pub messages: bool,
    pub args: Vec<FieldView>,
    /// What the prompt's module imports from the runtime's `defs` (its arguments' and messages' types), if any.
    pub defs_imports: String,
}

#[derive(Debug, Serialize)]
pub struct AssetView {
    pub file_name: String,
    pub source: String,
}
