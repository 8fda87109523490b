//! `mcpgen import openapi`: an OpenAPI 3.0 or 3.1 document to an mcpgen spec with one HTTP-implemented tool per
//! operation.
//!
//! The document is read as plain JSON (`serde_json::Value`, from YAML or JSON) rather than through a typed
//! OpenAPI crate: the maintained ones each read one version (`openapiv3` 3.0, `oas3` 3.1), schemas are copied
//! verbatim anyway, and internal `$ref`s are JSON pointers that `Value::pointer` resolves (`refs.rs`). Whatever
//! cannot be carried over (callbacks, non-JSON bodies, cookie parameters, unsupported auth, external references)
//! becomes a [`Warning`] with its JSON pointer into the document, never a silent drop.

mod load;
mod names;
mod operation;
mod refs;
mod schema;
mod security;

use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::spec::{EnvVar, Server, Spec, StdioTransport, Tool, Transports};
use operation::{Operation, Shared};

/// The HTTP methods of a path item, in the order tools are made.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What to import. These are also `mcpgen import openapi`'s options, so their docs are its `--help`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The server's name [default: from the document's title].
    #[arg(long)]
    pub name: Option<String>,
    /// Prefix of the environment variables for the base URL and credentials [default: from the name].
    #[arg(long, value_name = "PREFIX")]
    pub env_prefix: Option<String>,
    /// Import only operations with this tag (repeatable).
    #[arg(long = "include-tag", value_name = "TAG")]
    pub include_tags: Vec<String>,
    /// Leave out operations with this tag (repeatable).
    #[arg(long = "exclude-tag", value_name = "TAG")]
    pub exclude_tags: Vec<String>,
    /// Import only operations whose path matches (`*` matches any text; repeatable), such as `/pets*`.
    #[arg(long = "include-path", value_name = "PATTERN")]
    pub include_paths: Vec<String>,
    /// Leave out operations whose path matches (repeatable).
    #[arg(long = "exclude-path", value_name = "PATTERN")]
    pub exclude_paths: Vec<String>,
    /// Import only operations whose operationId matches (repeatable).
    #[arg(long = "include-operation", value_name = "ID")]
    pub include_operations: Vec<String>,
    /// Leave out operations whose operationId matches (repeatable).
    #[arg(long = "exclude-operation", value_name = "ID")]
    pub exclude_operations: Vec<String>,
    /// Refuse to import more operations than this (after the filters).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_OPERATIONS)]
    pub max_operations: usize,
}

/// The cap on imported operations unless `--max-operations` says otherwise.
const DEFAULT_MAX_OPERATIONS: usize = 100;

impl Default for Options {
    /// Everything, up to the default cap of operations.
    fn default() -> Self {
        Options {
            name: None,
            env_prefix: None,
            include_tags: Vec::new(),
            exclude_tags: Vec::new(),
            include_paths: Vec::new(),
            exclude_paths: Vec::new(),
            include_operations: Vec::new(),
            exclude_operations: Vec::new(),
            max_operations: DEFAULT_MAX_OPERATIONS,
        }
    }
}

/// Something the spec does not carry over, located in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// JSON pointer into the document (`/paths/~1pets/post/callbacks`).
    pub pointer: String,
    pub message: String,
}

/// Warnings in the order found, without repeats.
#[derive(Debug, Default)]
pub struct Warnings(pub Vec<Warning>);

impl Warnings {
    pub fn push(&mut self, pointer: &str, message: impl Into<String>) {
        let warning = Warning {
            pointer: pointer.to_owned(),
            message: message.into(),
        };
        if !self.0.contains(&warning) {
            self.0.push(warning);
        }
    }
}

/// One imported operation, for `--dry-run`.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub tool: String,
    /// JSON pointer of the operation in the document.
    pub pointer: String,
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
}

/// The result of an import.
#[derive(Debug)]
pub struct Import {
    pub spec: Spec,
    /// The spec as written ([`to_yaml`]), validated.
    pub yaml: String,
    /// `mcpgen validate`'s warnings about it (long names, ...).
    pub lints: Vec<Diagnostic>,
    pub imported: Vec<Imported>,
    /// Operations the filters left out.
    pub filtered_out: usize,
    pub warnings: Vec<Warning>,
}

/// Why a document cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Parse(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "the imported spec does not validate (an mcpgen bug: please report it with the document)"
    )]
    Invalid {
        yaml: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error(
        "{count} operations selected, more than the cap of {cap}: narrow them with --include-tag, \
         --exclude-tag, --include-path, --exclude-path, --include-operation or --exclude-operation, or raise \
         --max-operations (clients list every tool to the model, and many cope badly with hundreds)"
    )]
    TooMany { count: usize, cap: usize },
}

/// Reads a document (JSON or YAML) from a file.
pub fn read(path: &Path) -> Result<Value, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Read {
        path: path.display().to_string(),
        source,
    })?;
    load::parse(&text).map_err(ImportError::Parse)
}

/// Imports a parsed document.
pub fn import(doc: &Value, options: &Options) -> Result<Import, ImportError> {
    let version = match (doc.get("openapi"), doc.get("swagger")) {
        (Some(Value::String(v)), _) => v.clone(),
        (_, Some(_)) => {
            return Err(ImportError::Unsupported(
                "this is a Swagger 2.0 document: convert it to OpenAPI 3 first (for example with swagger2openapi)"
                    .to_owned(),
            ));
        }
        _ => {
            return Err(ImportError::Unsupported(
                "no `openapi:` version: not an OpenAPI document".to_owned(),
            ));
        }
    };
    let v30 = version.starts_with("3.0");
    if !(v30 || version.starts_with("3.1")) {
        return Err(ImportError::Unsupported(format!(
            "OpenAPI {version} is not supported (3.0 and 3.1 are)"
        )));
    }
    let mut warnings = Warnings::default();
    let info = doc.get("info");
    let info_text = |key: &str| {
        info.and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let title = info_text("title").unwrap_or_else(|| "api".to_owned());
    let name = options
        .name
        .clone()
        .unwrap_or_else(|| names::server_name(&title));
    let prefix = names::env_name(options.env_prefix.as_deref().unwrap_or(&name));
    let base_url_env = format!("{prefix}_BASE_URL");
    let base_url = base_url(doc, &base_url_env, &mut warnings);
    let security = security::Security::new(doc, &prefix, &mut warnings);
    let shared = Shared {
        doc,
        base_url: base_url.clone(),
        base_url_env: base_url_env.clone(),
        security,
    };

    let (selected, filtered_out) = select(doc, options, &mut warnings);
    if selected.len() > options.max_operations {
        return Err(ImportError::TooMany {
            count: selected.len(),
            cap: options.max_operations,
        });
    }
    if doc
        .get("webhooks")
        .and_then(Value::as_object)
        .is_some_and(|w| !w.is_empty())
    {
        warnings.push(
            "/webhooks",
            "webhooks (requests the API sends) are not imported",
        );
    }

    let mut tool_names = names::ToolNames::default();
    let mut tools: Vec<Tool> = Vec::new();
    let mut imported = Vec::new();
    let mut env: IndexMap<String, EnvVar> = IndexMap::new();
    env.insert(
        base_url_env.clone(),
        EnvVar {
            name: base_url_env.clone(),
            description: Some(format!(
                "Base URL of the API, replacing {base_url} (a staging server, a mock)"
            )),
            required: false,
            secret: false,
            default: None,
        },
    );
    for op in &selected {
        let tool_name = tool_names.claim(op.operation_id(), op.method, op.path);
        if let Some((tool, vars)) = operation::tool(&shared, op, tool_name, &mut warnings) {
            for var in vars {
                env.entry(var.name.clone()).or_insert(var);
            }
            imported.push(Imported {
                tool: tool.name.clone(),
                pointer: op.pointer.clone(),
                method: op.method.to_ascii_uppercase(),
                path: op.path.to_owned(),
                operation_id: op.operation_id().map(str::to_owned),
            });
            tools.push(tool);
        }
    }

    let mut spec = spec(doc, name, title, env, tools);
    let (yaml, lints) = validated(&mut spec, &imported, &mut warnings)?;
    Ok(Import {
        spec,
        yaml,
        lints,
        imported,
        filtered_out,
        warnings: warnings.0,
    })
}

fn spec(
    doc: &Value,
    name: String,
    title: String,
    env: IndexMap<String, EnvVar>,
    tools: Vec<Tool>,
) -> Spec {
    let info_text = |key: &str| {
        doc.pointer(&format!("/info/{key}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut transports = Transports {
        stdio: Some(StdioTransport {}),
        ..Transports::default()
    };
    transports.order.push(crate::spec::TransportKind::Stdio);
    Spec {
        mcpgen: 1,
        server: Server {
            name,
            version: info_text("version")
                .filter(|v| semver::Version::parse(v).is_ok())
                .unwrap_or_else(|| "0.1.0".to_owned()),
            title: Some(title),
            description: info_text("description").map(|d| first_paragraph(&d)),
            instructions: None,
            website_url: None,
            icons: Vec::new(),
        },
        env: env.into_values().collect(),
        tools,
        resources: Vec::new(),
        resource_templates: Vec::new(),
        prompts: Vec::new(),
        capabilities: Default::default(),
        transports,
        auth: None,
    }
}

/// The spec as YAML, validated as `mcpgen validate` does. Defaults and examples that do not fit their own schema
/// (documents have them; the validator refuses them) are dropped with a warning.
fn validated(
    spec: &mut Spec,
    imported: &[Imported],
    warnings: &mut Warnings,
) -> Result<(String, Vec<Diagnostic>), ImportError> {
    const UNFIT: &[&str] = &["schema-default-invalid", "schema-example-invalid"];
    let path = Path::new("<imported spec>");
    for _ in 0..3 {
        let yaml = to_yaml(spec);
        let (_, diags) = crate::pipeline::check_str(path, &yaml);
        if !crate::diag::has_errors(&diags) {
            return Ok((yaml, diags));
        }
        let unfit: Vec<&Diagnostic> = diags.iter().filter(|d| UNFIT.contains(&d.code)).collect();
        if unfit.len() < diags.iter().filter(|d| d.is_error()).count() {
            return Err(ImportError::Invalid {
                yaml,
                diagnostics: diags,
            });
        }
        let order = spec.transports.order.clone();
        let mut value = serde_json::to_value(&*spec).expect("a spec serialises");
        for d in unfit {
            let Some((parent, key)) = d.pointer.rsplit_once('/') else {
                continue;
            };
            if let Some(Value::Object(map)) = value.pointer_mut(parent) {
                map.remove(key);
            }
            if let Some(Value::Array(items)) = value.pointer_mut(parent)
                && let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
            // `/tools/N/...`: reported at the operation the tool came from.
            let operation = d
                .pointer
                .strip_prefix("/tools/")
                .and_then(|rest| rest.split('/').next()?.parse::<usize>().ok())
                .and_then(|i| imported.get(i))
                .map_or("", |op| op.pointer.as_str());
            warnings.push(operation, format!("{}; left out", d.message));
        }
        *spec = serde_json::from_value(value).expect("the spec still deserialises");
        spec.transports.order = order;
    }
    let yaml = to_yaml(spec);
    let diagnostics = crate::pipeline::check_str(path, &yaml).1;
    Err(ImportError::Invalid { yaml, diagnostics })
}

/// The first server's URL with its variables at their defaults. A relative URL (or none) cannot be called:
/// `http://localhost` stands in, with a warning that the variable must be set.
fn base_url(doc: &Value, env: &str, warnings: &mut Warnings) -> String {
    let Some(server) = doc.pointer("/servers/0") else {
        warnings.push(
            "/servers",
            format!("no servers: the base URL is http://localhost until {env} is set"),
        );
        return "http://localhost".to_owned();
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    if let Some(variables) = server.get("variables").and_then(Value::as_object) {
        for (name, variable) in variables {
            let default = variable
                .get("default")
                .and_then(Value::as_str)
                .unwrap_or("");
            url = url.replace(&format!("{{{name}}}"), default);
        }
    }
    let url = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    match url::Url::parse(&url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.has_host()
                && !url.contains(['{', '}']) =>
        {
            url
        }
        _ => {
            let stand_in = format!(
                "http://localhost{}",
                if url.starts_with('/') {
                    url.as_str()
                } else {
                    ""
                }
            );
            warnings.push(
                "/servers/0/url",
                format!("`{url}` is not an absolute http(s) URL: the base URL is {stand_in} until {env} is set"),
            );
            stand_in
        }
    }
}

/// Every operation of the document that the filters keep, and how many they left out.
fn select<'d>(
    doc: &'d Value,
    options: &Options,
    warnings: &mut Warnings,
) -> (Vec<Operation<'d>>, usize) {
    let mut selected = Vec::new();
    let mut filtered_out = 0;
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return (selected, 0);
    };
    for (path, item) in paths {
        let item_at = refs::join("/paths", &[path]);
        let item = match refs::follow(doc, item, item_at.clone()) {
            Ok((item, _)) => item,
            Err(message) => {
                warnings.push(&item_at, message);
                continue;
            }
        };
        for method in METHODS {
            let Some(op) = item.get(*method).filter(|op| op.is_object()) else {
                continue;
            };
            let operation = Operation {
                path,
                method,
                op,
                item,
                pointer: refs::join(&item_at, &[method]),
            };
            if keeps(options, &operation) {
                selected.push(operation);
            } else {
                filtered_out += 1;
            }
        }
    }
    (selected, filtered_out)
}

fn keeps(options: &Options, op: &Operation<'_>) -> bool {
    let any = |patterns: &[String], value: &str| patterns.iter().any(|p| glob(p, value));
    let tags: Vec<&str> = op.tags().collect();
    let id = op.operation_id().unwrap_or("");
    (options.include_tags.is_empty()
        || tags
            .iter()
            .any(|t| options.include_tags.iter().any(|i| i == t)))
        && !tags
            .iter()
            .any(|t| options.exclude_tags.iter().any(|e| e == t))
        && (options.include_paths.is_empty() || any(&options.include_paths, op.path))
        && !any(&options.exclude_paths, op.path)
        && (options.include_operations.is_empty() || any(&options.include_operations, id))
        && !any(&options.exclude_operations, id)
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The first paragraph of a description, for the crate's one-line description.
fn first_paragraph(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// The spec as YAML: serialised with serde, with every field at its default left out, so the file reads like one
/// written by hand.
pub fn to_yaml(spec: &Spec) -> String {
    let mut value = serde_json::to_value(spec).expect("a spec serialises");
    let http_defaults: Value = serde_json::from_str::<crate::spec::HttpImpl>(r#"{"baseUrl": ""}"#)
        .ok()
        .and_then(|d| serde_json::to_value(d).ok())
        .unwrap_or_default();
    if let Some(tools) = value.get_mut("tools").and_then(Value::as_array_mut) {
        for tool in tools {
            if let Some(Value::Object(http)) = tool.pointer_mut("/implementation/http") {
                http.retain(|key, v| key == "baseUrl" || http_defaults.get(key) != Some(v));
            }
        }
    }
    if let Some(env) = value.get_mut("env").and_then(Value::as_array_mut) {
        for var in env.iter_mut().filter_map(Value::as_object_mut) {
            var.retain(|_, v| *v != Value::Bool(false));
        }
    }
    let capabilities =
        serde_json::to_value(crate::spec::Capabilities::default()).unwrap_or_default();
    if let Some(map) = value.as_object_mut()
        && map.get("capabilities") == Some(&capabilities)
    {
        map.remove("capabilities");
    }
    let yaml = serde_yaml::to_string(&value).expect("a JSON value serialises as YAML");
    format!("# Imported from an OpenAPI document by `mcpgen import openapi`.\n{yaml}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("/pets*", "/pets/{id}"));
        assert!(glob("*Pet*", "getPetById"));
        assert!(glob("list", "list"));
        assert!(!glob("list", "listPets"));
        assert!(!glob("/a*/c", "/a/b"));
    }
}
