//! Lowering: the validated spec becomes the view model the templates print. Every Rust identifier here comes from
//! `ident`, every string literal and doc comment from `rust`, so templates never escape or mangle anything.
//! Optional values are lowered to the final Rust expression (`Some("..")` or `None`).

use serde::Serialize;
use serde_json::{Map, Value};

use super::ident::{Scope, to_module_ident, to_snake_ident};
use super::layout;
use super::rust::{comment_text, doc_comment, raw_string_literal, string_literal, summary_line};
use super::typegen::{self, TypegenError};
use crate::spec::{self, Spec, TransportKind};
use mcpgen_runtime::schema_subset::Schema;

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
    /// Whether some tool takes arguments (else dispatch ignores them).
    pub has_tool_input: bool,
    /// Whether any handler-backed item exists (they need `Ctx` in dispatch).
    pub has_handler_resources: bool,
    pub has_handler_prompts: bool,
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
}

#[derive(Debug, Serialize)]
pub struct TransportsView {
    /// `Transport::Stdio` etc.
    pub default_variant: String,
    pub default_name: String,
    pub stdio: bool,
    pub http: Option<HttpView>,
    pub sse: Option<SseView>,
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
    /// `structured`, `structured_no_input`, `unstructured` or `unstructured_no_input` (runtime/tool.rs).
    pub adapter: String,
    /// The rendered `Input`/`Output` types (typegen).
    pub types: String,
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
    pub source: String,
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

#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    #[error("tool `{tool}`: {source}")]
    Types { tool: String, source: TypegenError },
}

fn opt_lit(value: Option<&str>) -> String {
    value.map_or_else(
        || "None".to_owned(),
        |v| format!("Some({})", string_literal(v)),
    )
}

fn json_text<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("spec values always serialise")
}

/// The value as JSON text in a Rust literal.
fn json_literal<T: Serialize>(value: Option<&T>) -> Option<String> {
    value.map(|v| raw_string_literal(&json_text(v)))
}

fn opt_json<T: Serialize>(value: Option<&T>) -> String {
    json_literal(value).map_or_else(|| "None".to_owned(), |lit| format!("Some({lit})"))
}

fn opt_json_vec<T: Serialize>(values: &[T]) -> String {
    if values.is_empty() {
        "None".to_owned()
    } else {
        opt_json(Some(&values))
    }
}

/// `&["a", "b"]`.
fn str_list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| string_literal(v)).collect();
    format!("&[{}]", items.join(", "))
}

fn lower_auth(spec: &Spec) -> AuthView {
    let auth = spec.auth.as_ref();
    let bearer = auth
        .and_then(|a| a.bearer.as_ref())
        .map(|b| b.token_env.as_str());
    let oauth = auth.and_then(|a| a.oauth.as_ref()).map(|o| OAuthView {
        authorization_servers: str_list(&o.authorization_servers),
        audience_lit: string_literal(&o.audience),
        jwks_uri_lit: string_literal(&o.jwks_uri),
        scopes: str_list(&o.scopes),
        algorithms: str_list(&o.algorithms),
    });
    let tool_scopes = spec
        .tools
        .iter()
        .filter(|t| !t.required_scopes.is_empty())
        .map(|t| {
            format!(
                "({}, {})",
                string_literal(&t.name),
                str_list(&t.required_scopes)
            )
        })
        .collect();
    AuthView {
        bearer_token_env: opt_lit(bearer),
        bearer_token_env_name: bearer.unwrap_or_default().to_owned(),
        oauth,
        tool_scopes,
    }
}

fn opt_str_list(values: Option<&Vec<String>>) -> String {
    match values {
        None => "None".to_owned(),
        Some(list) => {
            let items: Vec<String> = list.iter().map(|v| string_literal(v)).collect();
            format!("Some(&[{}])", items.join(", "))
        }
    }
}

/// A doc comment for an item: "`wire`: first line of the description", the form rustdoc shows in lists.
fn item_doc(wire: &str, description: Option<&str>, indent: &str) -> String {
    let label = wire.replace('`', "'");
    match description
        .map(|d| summary_line(d, 200))
        .filter(|d| !d.is_empty())
    {
        Some(summary) => doc_comment(&format!("`{label}`: {summary}"), indent),
        None => doc_comment(&format!("`{label}`."), indent),
    }
}

/// Lowers a validated spec. `spec_path` is the spec's path relative to the crate, for headers and prose.
pub fn lower(spec: &Spec, spec_path: &str) -> Result<CrateView, LowerError> {
    let version = env!("CARGO_PKG_VERSION");
    let server = &spec.server;
    let header_rs = format!(
        "// @generated by mcpgen {version} from {}. Do not edit: `mcpgen generate` rewrites this file.",
        spec_path.replace(['\n', '\r'], " ")
    );
    let header_md = format!(
        "<!-- @generated by mcpgen {version} from {}. Do not edit: `mcpgen generate` rewrites this file. -->",
        spec_path.replace("--", "- -")
    );

    let completions_on = spec.capabilities.completions.unwrap_or_else(|| {
        spec.prompts.iter().any(|p| !p.arguments.is_empty())
            || spec.resource_templates.iter().any(|t| {
                crate::spec::uri_template::parse(&t.uri_template)
                    .is_ok_and(|p| p.variables().next().is_some())
            })
    });

    let tools = lower_tools(spec)?;
    let (resources, assets) = lower_resources(spec);
    let templates = lower_templates(spec);
    let prompts = lower_prompts(spec);
    let completion_hook = completions_on
        && (prompts
            .iter()
            .flat_map(|p| &p.arguments)
            .any(|a| a.completions.is_empty())
            || templates
                .iter()
                .any(|t| t.params.len() > t.completions.len()));

    let order: Vec<TransportKind> = if spec.transports.order.is_empty() {
        // A spec built in code rather than loaded: fall back to declaration order.
        [
            spec.transports.stdio.as_ref().map(|_| TransportKind::Stdio),
            spec.transports
                .streamable_http
                .as_ref()
                .map(|_| TransportKind::StreamableHttp),
            spec.transports.sse.as_ref().map(|_| TransportKind::Sse),
        ]
        .into_iter()
        .flatten()
        .collect()
    } else {
        spec.transports.order.clone()
    };
    let default = order.first().copied().unwrap_or(TransportKind::Stdio);
    let http = spec.transports.streamable_http.as_ref().map(|h| HttpView {
        host_lit: string_literal(&h.host),
        host: h.host.clone(),
        port: h.port,
        path_lit: string_literal(&h.path),
        path: h.path.clone(),
        stateful: h.stateful,
        json_response: h.json_response,
        allowed_hosts: opt_str_list(h.allowed_hosts.as_ref()),
        allowed_origins: opt_str_list(h.allowed_origins.as_ref()),
        request_timeout: h.request_timeout,
        max_body_bytes: h.max_body_bytes,
        session_idle_timeout: h.session_idle_timeout,
        redis_url_env: opt_lit(h.session_store.as_ref().map(|s| s.redis_url_env.as_str())),
    });
    let sse = spec.transports.sse.as_ref().map(|s| SseView {
        host_lit: string_literal(&s.host),
        host: s.host.clone(),
        port: s.port,
        path_lit: string_literal(&s.path),
        path: s.path.clone(),
        message_path_lit: string_literal(&s.message_path),
        message_path: s.message_path.clone(),
        allowed_hosts: opt_str_list(s.allowed_hosts.as_ref()),
        allowed_origins: opt_str_list(s.allowed_origins.as_ref()),
        request_timeout: s.request_timeout,
        max_body_bytes: s.max_body_bytes,
    });
    let shared_http = match (&spec.transports.streamable_http, &spec.transports.sse) {
        (Some(h), Some(s)) => h.host == s.host && h.port == s.port,
        _ => false,
    };
    let auth = lower_auth(spec);

    Ok(CrateView {
        header_rs,
        header_md,
        spec_path: spec_path.to_owned(),
        mcpgen_version: version.to_owned(),
        server: ServerView {
            name: server.name.clone(),
            name_lit: string_literal(&server.name),
            version: server.version.clone(),
            version_lit: string_literal(&server.version),
            title: opt_lit(server.title.as_deref()),
            description: opt_lit(server.description.as_deref()),
            instructions: opt_lit(server.instructions.as_deref()),
            website_url: opt_lit(server.website_url.as_deref()),
            icons: opt_json_vec(&server.icons),
            description_text: server
                .description
                .as_deref()
                .map(|d| summary_line(d, 300))
                .unwrap_or_default(),
            env_prefix: server.name.to_ascii_uppercase().replace('-', "_"),
        },
        capabilities: CapabilitiesView {
            tools_list_changed: spec.capabilities.tools.list_changed,
            resources_subscribe: spec.capabilities.resources.subscribe,
            resources_list_changed: spec.capabilities.resources.list_changed,
            prompts_list_changed: spec.capabilities.prompts.list_changed,
            logging: spec.capabilities.logging,
            completions: completions_on,
        },
        transports: TransportsView {
            default_variant: match default {
                TransportKind::Stdio => "Stdio",
                TransportKind::StreamableHttp => "StreamableHttp",
                TransportKind::Sse => "Sse",
            }
            .to_owned(),
            default_name: default.as_str().to_owned(),
            stdio: spec.transports.stdio.is_some(),
            http,
            sse,
            shared_http,
            features: order.iter().map(|t| t.as_str().to_owned()).collect(),
        },
        auth,
        env: spec
            .env
            .iter()
            .map(|e| EnvView {
                name: e.name.clone(),
                name_lit: string_literal(&e.name),
                required: e.required,
                default: opt_lit(e.default.as_deref()),
                description_text: e
                    .description
                    .as_deref()
                    .map(|d| summary_line(d, 200))
                    .unwrap_or_default(),
            })
            .collect(),
        has_tool_input: tools.iter().any(|t| t.has_input),
        has_handler_resources: resources.iter().any(|r| r.source == "handler"),
        has_handler_prompts: prompts.iter().any(|p| p.messages.is_none()),
        full_json_schema: spec
            .tools
            .iter()
            .flat_map(|t| [&t.input_schema, &t.output_schema])
            .flatten()
            .any(|schema| Schema::compile(&Value::Object(schema.clone())).is_err()),
        tools,
        resources,
        templates,
        prompts,
        assets,
        completion_hook,
    })
}

/// Module names for a list of wire names, unique in their scope. Validation already rejects two items whose names
/// sanitise alike, so the scope only guards against generated names (`tool_x` vs a user module).
fn module_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scope = Scope::default();
    names.map(|n| scope.claim(to_module_ident(n))).collect()
}

fn lower_tools(spec: &Spec) -> Result<Vec<ToolView>, LowerError> {
    let modules = module_names(spec.tools.iter().map(|t| t.name.as_str()));
    spec.tools
        .iter()
        .zip(modules)
        .map(|(tool, module)| {
            // A tool without inputSchema has a handler without `Input`; one without outputSchema builds its own
            // result. So each root exists only when the spec has its schema.
            let mut roots: Vec<(&str, &Map<String, Value>)> = Vec::new();
            if let Some(input) = &tool.input_schema {
                roots.push(("Input", input));
            }
            if let Some(output) = &tool.output_schema {
                roots.push(("Output", output));
            }
            let types = typegen::types_for(&roots).map_err(|source| LowerError::Types {
                tool: tool.name.clone(),
                source,
            })?;
            let has_input = tool.input_schema.is_some();
            let has_output = tool.output_schema.is_some();
            let adapter = match (has_input, has_output) {
                (true, true) => "structured",
                (false, true) => "structured_no_input",
                (true, false) => "unstructured",
                (false, false) => "unstructured_no_input",
            };
            // `ToolDef`'s fields sit at 8 spaces in templates/generated/tools.rs.tera.
            let field = |name: &str, literal: Option<String>| {
                layout::some_literal(&format!("        {name}: "), literal.as_deref(), ",")
            };
            let name_lit = string_literal(&tool.name);
            let types = typegen::render(&types);
            let title = field("title", tool.title.as_deref().map(string_literal));
            let description = field(
                "description",
                tool.description.as_deref().map(string_literal),
            );
            let input_schema = field("input_schema", json_literal(tool.input_schema.as_ref()));
            let output_schema = field("output_schema", json_literal(tool.output_schema.as_ref()));
            let annotations = field("annotations", json_literal(tool.annotations.as_ref()));
            let icons = field(
                "icons",
                json_literal(Some(&tool.icons).filter(|icons| !icons.is_empty())),
            );
            let meta = field("meta", json_literal(tool.meta.as_ref()));
            // Widths are counted in chars, which is rustfmt's count for ASCII only.
            let laid_out = typegen::is_laid_out(&types)
                && [
                    &title,
                    &description,
                    &input_schema,
                    &output_schema,
                    &annotations,
                    &icons,
                    &meta,
                ]
                .iter()
                .all(|value| value.is_ascii());
            Ok(ToolView {
                handler_module: format!("tool_{}", module.trim_start_matches('_')),
                label: comment_text(&tool.name),
                file: format!("tools/{module}.rs"),
                wire: tool.name.clone(),
                name_const: layout::assignment("    pub const NAME: &str =", &name_lit, ";"),
                name_lit,
                doc: item_doc(&tool.name, tool.description.as_deref(), ""),
                title,
                description,
                input_schema,
                output_schema,
                annotations,
                icons,
                meta,
                has_input,
                has_output,
                adapter: adapter.to_owned(),
                types,
                laid_out,
                module,
            })
        })
        .collect()
}

/// The file name an embedded `file:` resource gets under `src/generated/assets/`: the module name plus the
/// original extension, so two resources with the same file name in different folders cannot clash.
fn asset_name(module: &str, file: &str) -> String {
    let ext = std::path::Path::new(file)
        .extension()
        .map(|e| {
            e.to_string_lossy()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .filter(|e| !e.is_empty());
    match ext {
        Some(ext) => format!("{module}.{ext}"),
        None => module.to_owned(),
    }
}

fn lower_resources(spec: &Spec) -> (Vec<ResourceView>, Vec<AssetView>) {
    let modules = module_names(spec.resources.iter().map(|r| r.name.as_str()));
    let mut assets = Vec::new();
    let resources = spec
        .resources
        .iter()
        .zip(modules)
        .map(|(res, module)| {
            let (source, text_lit, asset) = match (&res.text, &res.file) {
                (Some(text), _) => ("text", string_literal(text), String::new()),
                (None, Some(file)) => {
                    let asset = asset_name(&module, file);
                    assets.push(AssetView {
                        file_name: asset.clone(),
                        source: file.clone(),
                    });
                    ("file", String::new(), asset)
                }
                (None, None) => ("handler", String::new(), String::new()),
            };
            ResourceView {
                handler_module: format!("resource_{}", module.trim_start_matches('_')),
                label: comment_text(&res.uri),
                file: format!("resources/{module}.rs"),
                uri: res.uri.clone(),
                uri_lit: string_literal(&res.uri),
                doc: item_doc(&res.uri, res.description.as_deref(), ""),
                name_lit: string_literal(&res.name),
                title: opt_lit(res.title.as_deref()),
                description: opt_lit(res.description.as_deref()),
                mime_type: opt_lit(res.mime_type.as_deref()),
                size: res
                    .size
                    .map_or_else(|| "None".to_owned(), |s| format!("Some({s})")),
                annotations: opt_json(res.annotations.as_ref()),
                icons: opt_json_vec(&res.icons),
                meta: opt_json(res.meta.as_ref()),
                source: source.to_owned(),
                text_lit,
                asset,
                asset_source: res.file.clone().unwrap_or_default(),
                module,
            }
        })
        .collect();
    (resources, assets)
}

/// Struct fields for a list of wire names (template variables, prompt arguments).
fn fields<'a>(items: impl Iterator<Item = (&'a str, Option<&'a str>, bool)>) -> Vec<FieldView> {
    let mut scope = Scope::default();
    items
        .map(|(wire, description, required)| FieldView {
            name: scope.claim(to_snake_ident(wire)),
            wire_lit: string_literal(wire),
            wire: wire.to_owned(),
            doc: description.map(|d| doc_comment(d, "")).unwrap_or_default(),
            required,
        })
        .collect()
}

fn lower_templates(spec: &Spec) -> Vec<TemplateView> {
    let modules = module_names(spec.resource_templates.iter().map(|t| t.name.as_str()));
    spec.resource_templates
        .iter()
        .zip(modules)
        .map(|(tpl, module)| {
            let variables: Vec<String> = spec::uri_template::parse(&tpl.uri_template)
                .map(|p| p.variables().map(str::to_owned).collect())
                .unwrap_or_default();
            TemplateView {
                handler_module: format!("template_{}", module.trim_start_matches('_')),
                label: comment_text(&tpl.name),
                file: format!("templates/{module}.rs"),
                wire: tpl.name.clone(),
                name_lit: string_literal(&tpl.name),
                uri_template: tpl.uri_template.clone(),
                uri_template_lit: string_literal(&tpl.uri_template),
                uri_template_label: comment_text(&tpl.uri_template),
                doc: item_doc(&tpl.uri_template, tpl.description.as_deref(), ""),
                title: opt_lit(tpl.title.as_deref()),
                description: opt_lit(tpl.description.as_deref()),
                mime_type: opt_lit(tpl.mime_type.as_deref()),
                annotations: opt_json(tpl.annotations.as_ref()),
                icons: opt_json_vec(&tpl.icons),
                meta: opt_json(tpl.meta.as_ref()),
                completions: tpl
                    .completions
                    .iter()
                    .map(|(var, values)| {
                        (
                            string_literal(var),
                            values.iter().map(|v| string_literal(v)).collect(),
                        )
                    })
                    .collect(),
                params: fields(variables.iter().map(|v| (v.as_str(), None, true))),
                module,
            }
        })
        .collect()
}

fn lower_prompts(spec: &Spec) -> Vec<PromptView> {
    let modules = module_names(spec.prompts.iter().map(|p| p.name.as_str()));
    spec.prompts
        .iter()
        .zip(modules)
        .map(|(prompt, module)| PromptView {
            handler_module: format!("prompt_{}", module.trim_start_matches('_')),
            label: comment_text(&prompt.name),
            file: format!("prompts/{module}.rs"),
            wire: prompt.name.clone(),
            name_lit: string_literal(&prompt.name),
            doc: item_doc(&prompt.name, prompt.description.as_deref(), ""),
            title: opt_lit(prompt.title.as_deref()),
            description: opt_lit(prompt.description.as_deref()),
            icons: opt_json_vec(&prompt.icons),
            meta: opt_json(prompt.meta.as_ref()),
            arguments: prompt
                .arguments
                .iter()
                .map(|a| PromptArgView {
                    name_lit: string_literal(&a.name),
                    title: opt_lit(a.title.as_deref()),
                    description: opt_lit(a.description.as_deref()),
                    required: a.required,
                    completions: a.completions.iter().map(|c| string_literal(c)).collect(),
                })
                .collect(),
            messages: prompt.messages.as_ref().map(|messages| {
                messages
                    .iter()
                    .map(|m| MessageView {
                        role: match m.role {
                            spec::Role::User => "User",
                            spec::Role::Assistant => "Assistant",
                        }
                        .to_owned(),
                        text_lit: string_literal(&m.text),
                    })
                    .collect()
            }),
            args: fields(
                prompt
                    .arguments
                    .iter()
                    .map(|a| (a.name.as_str(), a.description.as_deref(), a.required)),
            ),
            module,
        })
        .collect()
}
