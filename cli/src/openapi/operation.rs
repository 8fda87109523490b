//! One OpenAPI operation to one HTTP-implemented tool: parameters and the JSON request body become the input
//! schema's properties (each parameter's schema kept as written), the first 2xx JSON response whose schema is
//! an object becomes the output schema, and the path, query and header templates name those properties.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::Warnings;
use super::refs::{follow, join};
use super::schema::Schemas;
use crate::spec::{EnvVar, HttpImpl, HttpMethod, Implementation, Redirects, Tool, ToolAnnotations};

/// What every operation of the document shares.
pub struct Shared<'d> {
    pub doc: &'d Value,
    pub base_url: String,
    pub base_url_env: String,
    pub security: super::security::Security,
}

/// One operation, located in the document.
pub struct Operation<'d> {
    pub path: &'d str,
    pub method: &'d str,
    /// The operation object, and the path item it belongs to (shared parameters).
    pub op: &'d Value,
    pub item: &'d Value,
    /// Pointer of the operation object.
    pub pointer: String,
}

impl Operation<'_> {
    pub fn operation_id(&self) -> Option<&str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    pub fn tags(&self) -> impl Iterator<Item = &str> {
        self.op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Path,
    Query,
    Header,
}

/// The tool for `operation` named `name`, with the variables its auth reads; `None` when it cannot be called
/// faithfully (a required body mcpgen cannot send), with a warning saying why.
pub fn tool(
    shared: &Shared<'_>,
    operation: &Operation<'_>,
    name: String,
    warnings: &mut Warnings,
) -> Option<(Tool, Vec<EnvVar>)> {
    let doc = shared.doc;
    let at = operation.pointer.as_str();
    let method = match operation.method {
        "get" => HttpMethod::Get,
        "put" => HttpMethod::Put,
        "post" => HttpMethod::Post,
        "delete" => HttpMethod::Delete,
        "options" => HttpMethod::Options,
        "head" => HttpMethod::Head,
        "patch" => HttpMethod::Patch,
        other => {
            warnings.push(at, format!("`{other}` operations are not imported"));
            return None;
        }
    };
    let mut schemas = Schemas::new(doc);
    let mut properties = Map::new();
    let mut required: Vec<String> = Vec::new();
    let mut query = IndexMap::new();
    // Some documents tell operations apart with a query in the path (`/responses?beta=true`): sent as written.
    let (path, fixed_query) = operation
        .path
        .split_once('?')
        .unwrap_or((operation.path, ""));
    let mut path = path.split('#').next().unwrap_or("").to_owned();
    for pair in fixed_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        query.insert(key.to_owned(), value.replace('{', "{{").replace('}', "}}"));
    }
    let mut headers = IndexMap::new();

    for (param, param_at) in parameters(doc, operation, warnings) {
        let name_in = param.get("name").and_then(Value::as_str).unwrap_or("");
        let location = match param.get("in").and_then(Value::as_str) {
            Some("path") => In::Path,
            Some("query") => In::Query,
            Some("header") => {
                // OpenAPI ignores these three as parameters: content negotiation and auth have their own places.
                if ["accept", "content-type", "authorization"]
                    .contains(&name_in.to_ascii_lowercase().as_str())
                {
                    continue;
                }
                In::Header
            }
            other => {
                warnings.push(
                    &param_at,
                    format!(
                        "{} parameter `{name_in}` is not sent (path, query and header parameters are)",
                        other.unwrap_or("unknown")
                    ),
                );
                continue;
            }
        };
        style_warnings(doc, param, location, &param_at, warnings);
        let property = unique_property(&properties, name_in, location);
        let mut schema = match param.get("schema") {
            Some(s) => schemas.convert(s, &join(&param_at, &["schema"]), warnings),
            None => match param
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().next())
            {
                Some((media, m)) => {
                    warnings.push(
                        &join(&param_at, &["content"]),
                        format!("parameter `{name_in}` is described as `{media}` content; it is sent as text"),
                    );
                    m.get("schema").map_or(json!({}), |s| {
                        schemas.convert(
                            s,
                            &join(&param_at, &["content", media, "schema"]),
                            warnings,
                        )
                    })
                }
                None => json!({}),
            },
        };
        if let (Value::Object(s), Some(description)) = (&mut schema, described(param)) {
            s.entry("description")
                .or_insert_with(|| description.clone());
        }
        if location == In::Path || param.get("required") == Some(&Value::Bool(true)) {
            required.push(property.clone());
            // An empty list sends no parameter at all, which a required one cannot be.
            if let Value::Object(s) = &mut schema
                && s.get("type") == Some(&json!("array"))
            {
                s.entry("minItems").or_insert(json!(1));
            }
        }
        properties.insert(property.clone(), schema);
        let placeholder = format!("{{{}}}", property.replace('{', "{{").replace('}', "}}"));
        match location {
            In::Path => path = path.replace(&format!("{{{name_in}}}"), &placeholder),
            In::Query => {
                query.insert(name_in.to_owned(), placeholder);
            }
            In::Header => {
                headers.insert(name_in.to_owned(), placeholder);
            }
        }
    }

    let mut body = None;
    if let Some(request) = operation.op.get("requestBody") {
        let body_at = join(at, &["requestBody"]);
        let (request, _) = follow(doc, request, body_at.clone())
            .map_err(|m| warnings.push(&body_at, m))
            .ok()?;
        let is_required = request.get("required") == Some(&Value::Bool(true));
        let content = request.get("content").and_then(Value::as_object);
        let json_media = content.and_then(|c| c.iter().find(|(media, _)| is_json(media)));
        match json_media {
            Some(_) if matches!(method, HttpMethod::Get | HttpMethod::Head) => {
                warnings.push(&body_at, "a GET or HEAD request body is not sent");
            }
            Some((media, m)) => {
                let property = unique_property(&properties, "body", In::Query);
                let mut schema = m.get("schema").map_or(json!({}), |s| {
                    schemas.convert(s, &join(&body_at, &["content", media, "schema"]), warnings)
                });
                if let (Value::Object(s), Some(description)) = (&mut schema, described(request)) {
                    s.entry("description")
                        .or_insert_with(|| description.clone());
                }
                properties.insert(property.clone(), schema);
                if is_required {
                    required.push(property.clone());
                }
                body = Some(Value::String(format!("{{{property}}}")));
            }
            None => {
                let medias: Vec<&str> = content
                    .into_iter()
                    .flat_map(|c| c.keys().map(String::as_str))
                    .collect();
                let first = medias.first().copied().unwrap_or("");
                let media_at = join(&body_at, &["content", first]);
                if is_required {
                    warnings.push(
                        &media_at,
                        format!("request body as {} only: mcpgen sends JSON bodies, so the operation is skipped", medias.join(", ")),
                    );
                    return None;
                }
                warnings.push(
                    &media_at,
                    format!(
                        "optional request body as {}: not sent (mcpgen sends JSON bodies)",
                        medias.join(", ")
                    ),
                );
            }
        }
    }
    if operation.op.get("callbacks").is_some() {
        warnings.push(&join(at, &["callbacks"]), "callbacks are not imported");
    }
    if operation.op.get("servers").is_some() || operation.item.get("servers").is_some() {
        warnings.push(
            &join(at, &["servers"]),
            format!(
                "servers of a path or operation are ignored: the tool calls {}",
                shared.base_url
            ),
        );
    }
    undeclared_path_parameters(&path, &mut properties, &mut required, at, warnings);

    // Its own `$defs`: the output schema's collection must not take the input's.
    let output_schema = output_schema(shared, operation, &mut Schemas::new(doc), warnings);
    let security = operation.op.get("security").or_else(|| doc.get("security"));
    let (auth, env) = match shared.security.auth(security, at, warnings) {
        Some((auth, env)) => (Some(auth), env),
        None => (None, Vec::new()),
    };
    let mut input = Map::new();
    input.insert("type".to_owned(), json!("object"));
    input.insert("properties".to_owned(), Value::Object(properties));
    if !required.is_empty() {
        input.insert("required".to_owned(), json!(required));
    }
    let input_schema = schemas.finish(Value::Object(input));
    let tool = Tool {
        name,
        title: text(operation.op, "summary").map(|s| s.trim().to_owned()),
        description: description(operation.op),
        input_schema: Some(input_schema),
        output_schema,
        annotations: Some(annotations(method)),
        execution: None,
        icons: Vec::new(),
        required_scopes: Vec::new(),
        meta: None,
        implementation: Some(Implementation {
            command: None,
            file: None,
            http: Some(HttpImpl {
                method,
                base_url: shared.base_url.clone(),
                base_url_env: Some(shared.base_url_env.clone()),
                path,
                query,
                headers,
                body,
                auth,
                timeout_secs: 30,
                error_status: Vec::new(),
                pointer: None,
                max_response_bytes: 10 * 1024 * 1024,
                redirects: Redirects::default(),
            }),
        }),
    };
    Some((tool, env))
}

/// Path placeholders no parameter declares (a common slip in documents): each becomes a required string, so the
/// tool can still be called.
fn undeclared_path_parameters(
    path: &str,
    properties: &mut Map<String, Value>,
    required: &mut Vec<String>,
    at: &str,
    warnings: &mut Warnings,
) {
    let Ok(parts) = mcpgen_runtime::declarative::template::parse(path) else {
        return;
    };
    for part in parts {
        if let mcpgen_runtime::declarative::template::Part::Placeholder { name, .. } = part
            && !properties.contains_key(name)
        {
            warnings.push(
                at,
                format!("path parameter `{name}` is not declared: taken as a required string"),
            );
            properties.insert(name.to_owned(), json!({"type": "string"}));
            required.push(name.to_owned());
        }
    }
}

/// The path item's parameters overridden by the operation's (same name and location), resolved.
fn parameters<'d>(
    doc: &'d Value,
    operation: &Operation<'d>,
    warnings: &mut Warnings,
) -> Vec<(&'d Value, String)> {
    let item_at = operation
        .pointer
        .rsplit_once('/')
        .map_or("", |(item, _)| item)
        .to_owned();
    let mut out: IndexMap<(String, String), (&'d Value, String)> = IndexMap::new();
    for (owner, owner_at) in [
        (operation.item, item_at),
        (operation.op, operation.pointer.clone()),
    ] {
        let Some(list) = owner.get("parameters").and_then(Value::as_array) else {
            continue;
        };
        for (i, param) in list.iter().enumerate() {
            let at = join(&owner_at, &["parameters", &i.to_string()]);
            match follow(doc, param, at.clone()) {
                Ok((param, _)) => {
                    let key = |k: &str| {
                        param
                            .get(k)
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned()
                    };
                    out.insert((key("name"), key("in")), (param, at));
                }
                Err(message) => warnings.push(&at, message),
            }
        }
    }
    out.into_values().collect()
}

/// The input property for a parameter: its own name unless taken (a query `id` beside a path `id`).
fn unique_property(properties: &Map<String, Value>, name: &str, location: In) -> String {
    let base = if name.contains(['{', '}']) || name.is_empty() {
        crate::codegen::ident::to_snake_ident(name)
    } else {
        name.to_owned()
    };
    if !properties.contains_key(&base) {
        return base;
    }
    let suffix = match location {
        In::Path => "path",
        In::Query => "query",
        In::Header => "header",
    };
    (1..)
        .map(|n| {
            if n == 1 {
                format!("{base}_{suffix}")
            } else {
                format!("{base}_{suffix}{n}")
            }
        })
        .find(|candidate| !properties.contains_key(candidate))
        .expect("an unbounded counter finds a free name")
}

/// Serialisation styles the runtime does not produce: any but the defaults, and objects (sent as JSON text, where
/// OpenAPI's default spreads their members).
fn style_warnings(doc: &Value, param: &Value, location: In, at: &str, warnings: &mut Warnings) {
    let style = param.get("style").and_then(Value::as_str);
    let explode = param.get("explode").and_then(Value::as_bool);
    let name = param.get("name").and_then(Value::as_str).unwrap_or("");
    let is_object = param.get("schema").is_some_and(|s| may_be_object(doc, s));
    let lossy = is_object && location != In::Path
        || match location {
            In::Path => style.is_some_and(|s| s != "simple"),
            In::Query => style.is_some_and(|s| s != "form") || explode == Some(false),
            In::Header => style.is_some_and(|s| s != "simple"),
        };
    if lossy {
        warnings.push(
            at,
            format!(
                "parameter `{name}` (style {}{}): sent in the default style (arrays repeat the parameter, objects are JSON text)",
                style.unwrap_or("default"),
                if explode == Some(false) { ", explode false" } else { "" }
            ),
        );
    }
}

/// Whether a schema (or one of its `anyOf`/`oneOf` alternatives) is an object.
fn may_be_object(doc: &Value, schema: &Value) -> bool {
    let Ok((schema, _)) = follow(doc, schema, String::new()) else {
        return false;
    };
    let typed = schema.get("type").is_some_and(|t| {
        t == "object" || t.as_array().is_some_and(|ts| ts.contains(&json!("object")))
    });
    typed
        || ["anyOf", "oneOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|alternatives| alternatives.iter().any(|a| may_be_object(doc, a)))
        })
}

fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// The first 2xx JSON response whose schema is an object, as an output schema.
fn output_schema<'d>(
    shared: &Shared<'d>,
    operation: &Operation<'d>,
    schemas: &mut Schemas<'d>,
    warnings: &mut Warnings,
) -> Option<Map<String, Value>> {
    let responses = operation.op.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    let code = codes.first()?;
    let at = join(&operation.pointer, &["responses", code]);
    let (response, _) = follow(shared.doc, &responses[code.as_str()], at.clone())
        .map_err(|m| warnings.push(&at, m))
        .ok()?;
    let (media, content) = response
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media, _)| is_json(media))?;
    let schema_at = join(&at, &["content", media, "schema"]);
    let schema = content.get("schema")?;
    let converted = schemas.convert_root(schema, &schema_at, warnings)?;
    let is_object = converted.get("type") == Some(&json!("object"));
    // MCP's outputSchema is an object schema; other results (arrays, strings) are sent as text.
    is_object.then(|| schemas.finish(converted))
}

/// A non-empty `description`, to put on the property's schema when it has none of its own.
fn described(value: &Value) -> Option<&Value> {
    value
        .get("description")
        .filter(|d| d.as_str().is_some_and(|d| !d.trim().is_empty()))
}

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// Summary and description, without repeating one that the other already holds.
fn description(op: &Value) -> Option<String> {
    let summary = text(op, "summary").map(str::trim);
    let description = text(op, "description").map(str::trim);
    let mut out = match (summary, description) {
        (Some(s), Some(d)) if d.starts_with(s.trim_end_matches('.')) => d.to_owned(),
        (Some(s), Some(d)) => format!("{s}\n\n{d}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => return None,
    };
    if op.get("deprecated") == Some(&Value::Bool(true)) {
        out.insert_str(0, "Deprecated. ");
    }
    Some(out)
}

fn annotations(method: HttpMethod) -> ToolAnnotations {
    let read_only = matches!(
        method,
        HttpMethod::Get | HttpMethod::Head | HttpMethod::Options
    );
    ToolAnnotations {
        title: None,
        read_only_hint: Some(read_only),
        destructive_hint: (!read_only).then_some(method == HttpMethod::Delete),
        idempotent_hint: (!read_only)
            .then_some(matches!(method, HttpMethod::Put | HttpMethod::Delete)),
        open_world_hint: Some(true),
    }
}
