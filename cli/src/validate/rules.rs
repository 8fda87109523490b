//! The semantic rules: what the JSON Schema of the format cannot say (name rules, uniqueness, URIs, templates,
//! placeholders, transports, auth). Each diagnostic has a stable code, documented in docs/spec.md.

use std::collections::HashMap;

use serde_json::Value;

use super::{At, Ctx, did_you_mean, human_path, param_headers, schemas};
use crate::codegen::ident::to_snake_ident;
use crate::diag::Diagnostic;
use crate::spec::spans::escape_segment;
use crate::spec::{
    Auth, EnvVar, Icon, Prompt, Resource, ResourceAnnotations, ResourceTemplate,
    SUPPORTED_VERSIONS, Server, Spec, TaskSupport, Tool, Transports, placeholders,
};
use mcpgen_runtime::uri_template;

/// Checks `mcpgen:` before anything else: a spec of another format version has another shape, so reporting its
/// keys against this version's schema would only be noise. True when validation should go on.
pub fn check_format_version(ctx: &mut Ctx<'_>, raw: &Value) -> bool {
    let Some(Value::Number(n)) = raw.get("mcpgen") else {
        return true;
    };
    if n.as_u64()
        .is_some_and(|v| u32::try_from(v).is_ok_and(|v| SUPPORTED_VERSIONS.contains(&v)))
    {
        return true;
    }
    let supported: Vec<String> = SUPPORTED_VERSIONS
        .iter()
        .map(|v| format!("`{v}`"))
        .collect();
    ctx.error(
        "version-unsupported",
        At::Value("/mcpgen"),
        format!(
            "unsupported spec format version `{n}`: this mcpgen reads version {}",
            supported.join(", ")
        ),
        Some(format!(
            "write `mcpgen: {}`, or use the mcpgen release made for this format",
            SUPPORTED_VERSIONS[0]
        )),
    );
    false
}

/// Runs every semantic rule on a structurally valid spec.
pub fn check(ctx: &mut Ctx<'_>, spec: &Spec) {
    server(ctx, &spec.server);
    env(ctx, &spec.env);
    tools(ctx, spec);
    task_transports(ctx, spec);
    super::implementation::check(ctx, spec);
    unique_names(
        ctx,
        "/tools",
        "tool",
        spec.tools.iter().map(|t| t.name.as_str()),
    );
    for (i, r) in spec.resources.iter().enumerate() {
        resource(ctx, &format!("/resources/{i}"), r);
    }
    unique_names(
        ctx,
        "/resources",
        "resource",
        spec.resources.iter().map(|r| r.name.as_str()),
    );
    unique_uris(ctx, &spec.resources);
    for (i, t) in spec.resource_templates.iter().enumerate() {
        template(ctx, &format!("/resourceTemplates/{i}"), t);
    }
    unique_names(
        ctx,
        "/resourceTemplates",
        "resource template",
        spec.resource_templates.iter().map(|t| t.name.as_str()),
    );
    for (i, p) in spec.prompts.iter().enumerate() {
        prompt(ctx, &format!("/prompts/{i}"), p);
    }
    unique_names(
        ctx,
        "/prompts",
        "prompt",
        spec.prompts.iter().map(|p| p.name.as_str()),
    );
    transports(ctx, &spec.transports);
    lambda(ctx, spec);
    if let Some(auth) = &spec.auth {
        self::auth(ctx, auth, &spec.transports);
    }
}

/// Rust keywords and the standard crates, which cannot be crate names.
const RESERVED_CRATE_NAMES: &[&str] = &[
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
];

fn server(ctx: &mut Ctx<'_>, server: &Server) {
    let name = &server.name;
    let valid_chars = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_chars || name.len() > 64 {
        ctx.error(
            "server-name-invalid",
            At::Value("/server/name"),
            format!("server name `{name}` is not valid: it becomes the crate and binary name"),
            Some(
                "use at most 64 lowercase ASCII letters, digits and `-`, starting with a letter, such as `weather`"
                    .to_owned(),
            ),
        );
    } else if RESERVED_CRATE_NAMES.contains(&name.replace('-', "_").as_str()) {
        ctx.error(
            "server-name-reserved",
            At::Value("/server/name"),
            format!("server name `{name}` is reserved in Rust and cannot name a crate"),
            Some(format!("pick another name, such as `{name}-server`")),
        );
    }
    if let Err(err) = semver::Version::parse(&server.version) {
        ctx.error(
            "server-version-invalid",
            At::Value("/server/version"),
            format!(
                "server version `{}` is not a semantic version: {err}",
                server.version
            ),
            Some("use MAJOR.MINOR.PATCH, such as `0.1.0`".to_owned()),
        );
    }
    if let Some(url) = &server.website_url {
        absolute_url(ctx, "/server/websiteUrl", url);
    }
    icons(ctx, "/server/icons", &server.icons);
}

fn absolute_url(ctx: &mut Ctx<'_>, pointer: &str, url: &str) {
    if let Err(err) = url::Url::parse(url) {
        ctx.error(
            "url-invalid",
            At::Value(pointer),
            format!("`{url}` is not an absolute URL: {err}"),
            Some("write a full URL, such as `https://example.com`".to_owned()),
        );
    }
}

fn icons(ctx: &mut Ctx<'_>, pointer: &str, icons: &[Icon]) {
    for (i, icon) in icons.iter().enumerate() {
        let p = format!("{pointer}/{i}/src");
        if url::Url::parse(&icon.src).is_err() {
            ctx.error(
                "icon-src-invalid",
                At::Value(&p),
                format!(
                    "icon `src` `{}` is not an absolute URL or `data:` URI",
                    icon.src
                ),
                Some("use an `https://` URL or a `data:image/png;base64,...` URI".to_owned()),
            );
        }
    }
}

fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn env_name(ctx: &mut Ctx<'_>, pointer: &str, name: &str) {
    if !is_env_name(name) {
        ctx.error(
            "env-name-invalid",
            At::Value(pointer),
            format!("`{name}` is not a valid environment variable name"),
            Some(
                "use ASCII letters, digits and `_`, not starting with a digit, such as `API_TOKEN`"
                    .to_owned(),
            ),
        );
    }
}

fn env(ctx: &mut Ctx<'_>, vars: &[EnvVar]) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, var) in vars.iter().enumerate() {
        let p = format!("/env/{i}/name");
        env_name(ctx, &p, &var.name);
        if let Some(first) = seen.insert(&var.name, i) {
            seen.insert(&var.name, first);
            ctx.error(
                "env-duplicate",
                At::Value(&p),
                format!(
                    "environment variable `{}` is already declared at `env[{first}]`",
                    var.name
                ),
                Some("declare each variable once".to_owned()),
            );
            ctx.also(
                At::Value(&format!("/env/{first}/name")),
                "first declared here",
            );
        }
    }
}

/// Every tool's own rules. Compiling each JSON Schema is most of a big spec's validation time (1,000 tools:
/// about 60 ms), so many tools are checked in parallel, one run of tools per core, with the diagnostics kept
/// in spec order.
fn tools(ctx: &mut Ctx<'_>, spec: &Spec) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    tools_on(ctx, spec, workers);
}

fn tools_on(ctx: &mut Ctx<'_>, spec: &Spec, workers: usize) {
    let has_oauth = spec.auth.as_ref().is_some_and(|a| a.oauth.is_some());
    // The tools of `run`, the first of which is the spec's tool number `first`.
    let check = move |ctx: &mut Ctx<'_>, first: usize, run: &[Tool]| {
        for (j, t) in run.iter().enumerate() {
            tool(ctx, &format!("/tools/{}", first + j), t, has_oauth);
        }
    };
    if spec.tools.len() < 64 || workers < 2 {
        return check(ctx, 0, &spec.tools);
    }
    let per_worker = spec.tools.len().div_ceil(workers);
    let found: Vec<Vec<Diagnostic>> = std::thread::scope(|scope| {
        let runs: Vec<_> = spec
            .tools
            .chunks(per_worker)
            .enumerate()
            .map(|(n, run)| {
                let mut run_ctx = ctx.fork();
                scope.spawn(move || {
                    check(&mut run_ctx, n * per_worker, run);
                    run_ctx.into_diagnostics()
                })
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().expect("tool checks do not panic"))
            .collect()
    });
    for diagnostic in found.into_iter().flatten() {
        ctx.push(diagnostic);
    }
}

/// A tool that allows tasks needs a transport that serves them: stdio or stateful streamable HTTP serve
/// both protocol eras. Stateless HTTP serves only 2026-07-28's (SEP-2663 tasks belong to the caller's
/// principal, not a session): no session outlives a request to poll a 2025-11-25 task, so older clients
/// call the tool plainly, which a `required` tool forbids. Legacy SSE and Lambda serve no tasks.
fn task_transports(ctx: &mut Ctx<'_>, spec: &Spec) {
    let transports = &spec.transports;
    let http = transports.streamable_http.as_ref();
    if transports.stdio.is_some() || http.is_some_and(|h| h.stateful) {
        return;
    }
    let stateless = http.is_some();
    for (i, tool) in spec.tools.iter().enumerate() {
        let support = tool.execution.as_ref().and_then(|e| e.task_support);
        let at = format!("/tools/{i}/execution/taskSupport");
        let name = &tool.name;
        match support {
            Some(TaskSupport::Required) if stateless => ctx.warn(
                "tasks-not-served",
                At::Value(&at),
                format!(
                    "tool `{name}` may only run as a task (`required`), but stateless HTTP serves tasks to \
                     2026-07-28 clients only: 2025-11-25 clients get no task capability"
                ),
                Some(
                    "`stateful: true` (or `stdio`) serves 2025-11-25 tasks too; or make it `optional`"
                        .to_owned(),
                ),
            ),
            Some(TaskSupport::Required) => ctx.error(
                "tasks-not-served",
                At::Value(&at),
                format!(
                    "tool `{name}` may only run as a task (`required`), but no transport of this spec serves tasks"
                ),
                Some(
                    "tasks need `stdio` or `streamable-http`; or make it `optional` (clients may call it \
                     plainly) or `forbidden`"
                        .to_owned(),
                ),
            ),
            Some(TaskSupport::Optional) if !stateless => ctx.warn(
                "tasks-not-served",
                At::Value(&at),
                format!(
                    "tool `{name}` allows tasks (`optional`), but no transport of this spec serves them: clients \
                     will call it plainly"
                ),
                Some("tasks need `stdio` or `streamable-http`".to_owned()),
            ),
            _ => {}
        }
    }
}

fn tool(ctx: &mut Ctx<'_>, pointer: &str, tool: &Tool, has_oauth: bool) {
    let name_ptr = format!("{pointer}/name");
    let name = &tool.name;
    let len = name.chars().count();
    let bad_char = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')));
    let problem = if name.is_empty() {
        Some("it is empty".to_owned())
    } else if len > 128 {
        Some(format!(
            "it is {len} characters long, over the limit of 128"
        ))
    } else {
        bad_char.map(|c| format!("it contains `{}`", c.escape_default()))
    };
    if let Some(problem) = problem {
        ctx.error(
            "tool-name-invalid",
            At::Value(&name_ptr),
            format!("tool name `{name}` breaks MCP's naming rule: {problem}"),
            Some("use 1-128 characters of `A-Z a-z 0-9 _ . -`, such as `get_forecast`".to_owned()),
        );
    } else if len > 64 {
        ctx.warn(
            "tool-name-long",
            At::Value(&name_ptr),
            format!(
                "tool name `{name}` is {len} characters long: Claude Desktop rejects names over 64"
            ),
            Some("shorten it to 64 characters or fewer".to_owned()),
        );
    }
    if tool
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        ctx.warn(
            "tool-description-missing",
            At::Value(&name_ptr),
            format!("tool `{name}` has no description"),
            Some("add `description:`: models choose tools by their description".to_owned()),
        );
    }
    if let Some(schema) = &tool.input_schema {
        schemas::check(
            ctx,
            &format!("{pointer}/inputSchema"),
            "inputSchema",
            schema,
        );
        param_headers::check(ctx, &format!("{pointer}/inputSchema"), schema);
    }
    if let Some(schema) = &tool.output_schema {
        schemas::check(
            ctx,
            &format!("{pointer}/outputSchema"),
            "outputSchema",
            schema,
        );
    }
    if !tool.required_scopes.is_empty() && !has_oauth {
        ctx.warn(
            "scopes-without-oauth",
            At::Key(&format!("{pointer}/requiredScopes")),
            format!(
                "tool `{name}` requires scopes, but `auth.oauth` is not set, so nothing checks them"
            ),
            Some("configure `auth.oauth`, or remove `requiredScopes`".to_owned()),
        );
    }
    icons(ctx, &format!("{pointer}/icons"), &tool.icons);
}

/// Names must be unique in their list, and distinct once turned into Rust identifiers (handler modules,
/// functions and files are named after them).
fn unique_names<'s>(
    ctx: &mut Ctx<'_>,
    list: &str,
    what: &str,
    names: impl Iterator<Item = &'s str>,
) {
    unique_idents(ctx, list, "name", what, "names", names);
}

fn unique_idents<'s>(
    ctx: &mut Ctx<'_>,
    list: &str,
    field: &str,
    what: &str,
    plural: &str,
    names: impl Iterator<Item = &'s str>,
) {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_ident: HashMap<String, (usize, &str)> = HashMap::new();
    for (i, name) in names.enumerate() {
        let p = field_pointer(list, i, field);
        let list_name = human_path(list);
        if let Some(&first) = by_name.get(name) {
            ctx.error(
                "name-duplicate",
                At::Value(&p),
                format!("duplicate {what} name `{name}`: `{list_name}[{first}]` has it too"),
                Some(format!("{what} {plural} must be unique")),
            );
            ctx.also(
                At::Value(&field_pointer(list, first, field)),
                "first used here",
            );
            continue;
        }
        by_name.insert(name, i);
        let ident = to_snake_ident(name);
        if let Some((first, other)) = by_ident.get(&ident) {
            ctx.error(
                "name-collision",
                At::Value(&p),
                format!(
                    "{what} {plural} `{other}` (`{list_name}[{first}]`) and `{name}` both become the Rust identifier `{ident}`"
                ),
                Some("rename one of them so they differ by more than case or punctuation".to_owned()),
            );
            ctx.also(
                At::Value(&field_pointer(list, *first, field)),
                format!("`{other}` is here"),
            );
            continue;
        }
        by_ident.insert(ident, (i, name));
    }
}

/// The pointer of `field` in item `i` of `list` (the item itself when `field` is empty).
fn field_pointer(list: &str, i: usize, field: &str) -> String {
    if field.is_empty() {
        format!("{list}/{i}")
    } else {
        format!("{list}/{i}/{field}")
    }
}

fn resource(ctx: &mut Ctx<'_>, pointer: &str, r: &Resource) {
    let uri_ptr = format!("{pointer}/uri");
    match url::Url::parse(&r.uri) {
        Ok(_) => {}
        Err(url::ParseError::RelativeUrlWithoutBase) => ctx.error(
            "uri-not-absolute",
            At::Value(&uri_ptr),
            format!("resource URI `{}` is not absolute: it has no scheme", r.uri),
            Some("start it with a scheme, such as `docs://readme` or `file:///path`".to_owned()),
        ),
        Err(err) => ctx.error(
            "uri-invalid",
            At::Value(&uri_ptr),
            format!("resource URI `{}` does not parse: {err}", r.uri),
            Some("write an absolute URI, such as `docs://readme`".to_owned()),
        ),
    }
    if r.text.is_some() && r.file.is_some() {
        ctx.error(
            "resource-content-conflict",
            At::Key(&format!("{pointer}/file")),
            format!("resource `{}` sets both `text` and `file`", r.name),
            Some("keep one: `text` is served as written, `file` is embedded from disk".to_owned()),
        );
    }
    if let Some(file) = &r.file {
        let path = ctx.base_dir.join(file);
        // Opened, not only looked up, so a file that exists but cannot be read is reported here, located.
        let problem = match std::fs::File::open(&path).and_then(|f| f.metadata()) {
            Ok(m) if m.is_file() => None,
            Ok(_) => Some("is not a regular file".to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some("does not exist".to_owned()),
            Err(e) => Some(format!("cannot be read: {e}")),
        };
        if let Some(problem) = problem {
            ctx.error(
                "resource-file-missing",
                At::Value(&format!("{pointer}/file")),
                format!("resource file `{file}` {problem}"),
                Some("`file` paths are relative to the folder of the spec file".to_owned()),
            );
        }
    }
    mime_type(ctx, pointer, r.mime_type.as_deref());
    annotations(ctx, pointer, r.annotations.as_ref());
    icons(ctx, &format!("{pointer}/icons"), &r.icons);
}

fn unique_uris(ctx: &mut Ctx<'_>, resources: &[Resource]) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, r) in resources.iter().enumerate() {
        if let Some(&first) = seen.get(r.uri.as_str()) {
            ctx.error(
                "uri-duplicate",
                At::Value(&format!("/resources/{i}/uri")),
                format!(
                    "resource URI `{}` is already used by `resources[{first}]`",
                    r.uri
                ),
                Some("resource URIs must be unique".to_owned()),
            );
            ctx.also(
                At::Value(&format!("/resources/{first}/uri")),
                "first used here",
            );
        } else {
            seen.insert(&r.uri, i);
        }
    }
}

fn mime_type(ctx: &mut Ctx<'_>, pointer: &str, mime: Option<&str>) {
    let Some(mime) = mime else { return };
    let essence = mime.split(';').next().unwrap_or_default().trim();
    let ok = essence.split_once('/').is_some_and(|(t, s)| {
        let token = |x: &str| {
            !x.is_empty()
                && x.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
        };
        token(t) && token(s)
    });
    if !ok {
        ctx.error(
            "mime-type-invalid",
            At::Value(&format!("{pointer}/mimeType")),
            format!("`{mime}` is not a MIME type"),
            Some("write `type/subtype`, such as `text/markdown` or `application/json`".to_owned()),
        );
    }
}

fn annotations(ctx: &mut Ctx<'_>, pointer: &str, annotations: Option<&ResourceAnnotations>) {
    if let Some(priority) = annotations.and_then(|a| a.priority)
        && !(0.0..=1.0).contains(&priority)
    {
        ctx.error(
            "priority-out-of-range",
            At::Value(&format!("{pointer}/annotations/priority")),
            format!("priority {priority} is outside 0..1"),
            Some("use 0 for optional up to 1 for required".to_owned()),
        );
    }
}

fn template(ctx: &mut Ctx<'_>, pointer: &str, t: &ResourceTemplate) {
    let tpl_ptr = format!("{pointer}/uriTemplate");
    let text = t.uri_template.as_str();
    let parsed = match uri_template::parse(text) {
        Ok(parsed) => Some(parsed),
        Err(errors) => {
            for e in errors {
                use uri_template::TemplateErrorKind as K;
                let (code, hint) = match &e.kind {
                    K::Explode(_) | K::Prefix(_) => (
                        "uri-template-unsupported",
                        "mcpgen matches RFC 6570 levels 1-3: drop the modifier and split the value in the handler",
                    ),
                    K::DuplicateVariable(_) => (
                        "uri-template-variable-duplicate",
                        "each variable becomes a handler parameter: rename one",
                    ),
                    _ => (
                        "uri-template-invalid",
                        "write variables as `{name}`, such as `weather://alerts/{state}`",
                    ),
                };
                ctx.error(
                    code,
                    At::Within(&tpl_ptr, text, e.start, e.end),
                    format!("URI template `{text}`: {}", e.kind),
                    Some(hint.to_owned()),
                );
                if let K::DuplicateVariable(var) = &e.kind
                    && let Some(&(start, end)) = var_positions(text, var).first()
                    && start != e.start
                {
                    ctx.also(At::Within(&tpl_ptr, text, start, end), "first used here");
                }
            }
            None
        }
    };
    if let Some(parsed) = &parsed {
        if !has_scheme(parsed.literal_prefix()) {
            ctx.error(
                "uri-template-not-absolute",
                At::Value(&tpl_ptr),
                format!("URI template `{text}` does not start with a scheme"),
                Some(
                    "start it with a literal scheme, such as `weather://alerts/{state}`".to_owned(),
                ),
            );
        }
        let vars: Vec<&str> = parsed.variables().collect();
        let mut idents: HashMap<String, &str> = HashMap::new();
        for var in &vars {
            if let Some(other) = idents.insert(to_snake_ident(var), var) {
                let ident = to_snake_ident(var);
                let last = |v: &str| var_positions(text, v).last().copied();
                let (start, end) = last(var).unwrap_or((0, text.len()));
                ctx.error(
                    "name-collision",
                    At::Within(&tpl_ptr, text, start, end),
                    format!("template variables `{other}` and `{var}` both become the Rust identifier `{ident}`"),
                    Some("rename one of them".to_owned()),
                );
                if let Some((start, end)) = last(other) {
                    ctx.also(
                        At::Within(&tpl_ptr, text, start, end),
                        format!("`{other}` is here"),
                    );
                }
            }
        }
        for key in t.completions.keys() {
            if !vars.contains(&key.as_str()) {
                let hint = did_you_mean(key, vars.iter().copied()).or_else(|| {
                    Some(if vars.is_empty() {
                        "the template has no variables".to_owned()
                    } else {
                        format!(
                            "its variables: {}",
                            vars.iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                });
                ctx.error(
                    "completion-unknown-variable",
                    At::Key(&format!("{pointer}/completions/{}", escape_segment(key))),
                    format!("completions for `{key}`, which is not a variable of `{text}`"),
                    hint,
                );
            }
        }
    }
    mime_type(ctx, pointer, t.mime_type.as_deref());
    annotations(ctx, pointer, t.annotations.as_ref());
    icons(ctx, &format!("{pointer}/icons"), &t.icons);
}

/// Byte ranges of `var` inside the expressions of `text`, in order.
fn var_positions(text: &str, var: &str) -> Vec<(usize, usize)> {
    let boundary = |c: Option<char>| c.is_some_and(|c| "{,+#./;?&}*:".contains(c));
    text.match_indices(var)
        .map(|(i, _)| (i, i + var.len()))
        .filter(|&(i, end)| {
            boundary(text[..i].chars().next_back()) && boundary(text[end..].chars().next())
        })
        .collect()
}

fn has_scheme(prefix: &str) -> bool {
    match prefix.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

fn prompt(ctx: &mut Ctx<'_>, pointer: &str, p: &Prompt) {
    unique_idents(
        ctx,
        &format!("{pointer}/arguments"),
        "name",
        "prompt argument",
        "names",
        p.arguments.iter().map(|a| a.name.as_str()),
    );
    let Some(messages) = &p.messages else { return };
    for (i, m) in messages.iter().enumerate() {
        let text_ptr = format!("{pointer}/messages/{i}/text");
        let text = m.text.as_str();
        match placeholders::parse(text) {
            Err(e) => ctx.error(
                "prompt-placeholder-unclosed",
                At::Within(&text_ptr, text, e.offset, e.offset + 2),
                format!(
                    "unclosed placeholder in prompt `{}`: `{{{{` without `}}}}`",
                    p.name
                ),
                Some("close it like `{{city}}`".to_owned()),
            ),
            Ok(segments) => {
                let mut reported: Vec<&str> = Vec::new();
                for seg in segments {
                    let placeholders::Segment::Placeholder(name) = seg else {
                        continue;
                    };
                    if p.arguments.iter().any(|a| a.name == name) || reported.contains(&name) {
                        continue;
                    }
                    reported.push(name);
                    // `name` is a slice of `text`: widen it to the surrounding braces.
                    let offset = name.as_ptr() as usize - text.as_ptr() as usize;
                    let start = text[..offset].rfind("{{").unwrap_or(offset);
                    let end = offset
                        + name.len()
                        + text[offset + name.len()..].find("}}").map_or(0, |j| j + 2);
                    let hint = did_you_mean(name, p.arguments.iter().map(|a| a.name.as_str()))
                        .or_else(|| {
                            Some(format!(
                                "declare it under `arguments:` of prompt `{}`",
                                p.name
                            ))
                        });
                    ctx.error(
                        "prompt-placeholder-unknown",
                        At::Within(&text_ptr, text, start, end),
                        format!(
                            "placeholder `{{{{{name}}}}}` names no argument of prompt `{}`",
                            p.name
                        ),
                        hint,
                    );
                }
            }
        }
    }
}

fn transports(ctx: &mut Ctx<'_>, t: &Transports) {
    if t.stdio.is_none() && t.streamable_http.is_none() && t.sse.is_none() && t.lambda.is_none() {
        ctx.error(
            "transport-missing",
            At::Key("/transports"),
            "no transport: the server would have no way to talk to a client",
            Some("add at least one, such as `stdio: {}`".to_owned()),
        );
    }
    // (pointer of the path, host, port, path), in a fixed order so conflicts are reported on the later one.
    let mut endpoints: Vec<(&str, &str, u16, &str)> = Vec::new();
    if let Some(h) = &t.streamable_http {
        endpoints.push(("/transports/streamable-http/path", &h.host, h.port, &h.path));
    }
    if let Some(s) = &t.sse {
        endpoints.push(("/transports/sse/path", &s.host, s.port, &s.path));
        endpoints.push((
            "/transports/sse/messagePath",
            &s.host,
            s.port,
            &s.message_path,
        ));
    }
    for (kind, port) in [
        (
            "streamable-http",
            t.streamable_http.as_ref().map(|h| h.port),
        ),
        ("sse", t.sse.as_ref().map(|s| s.port)),
    ] {
        if port == Some(0) {
            ctx.error(
                "port-invalid",
                At::Value(&format!("/transports/{kind}/port")),
                "port 0 is not a usable port",
                Some("use a port from 1 to 65535, such as 8000".to_owned()),
            );
        }
    }
    if let Some(h) = &t.streamable_http
        && let Some(port) = h.metrics.as_ref().and_then(|m| m.port)
        && (port == h.port || t.sse.as_ref().is_some_and(|s| s.port == port))
    {
        ctx.error(
            "metrics-port-conflict",
            At::Value("/transports/streamable-http/metrics/port"),
            format!("port {port} serves MCP already: /metrics on its own port needs another one"),
            Some(
                "pick a free port such as 9464, or remove `port` to serve /metrics beside /mcp"
                    .to_owned(),
            ),
        );
    }
    if let (Some(h), Some(s)) = (&t.streamable_http, &t.sse)
        && h.port == s.port
        && h.host != s.host
    {
        // One port is served by one HTTP server, which binds one address.
        ctx.error(
            "transport-host-conflict",
            At::Value("/transports/sse/host"),
            format!(
                "port {} is used with two hosts, `{}` and `{}`",
                s.port, h.host, s.host
            ),
            Some(
                "HTTP transports on one port share one server: use the same host or another port"
                    .to_owned(),
            ),
        );
    }
    if let Some(l) = &t.lambda {
        http_path(ctx, "/transports/lambda/path", &l.path);
    }
    for (i, &(ptr, host, port, path)) in endpoints.iter().enumerate() {
        http_path(ctx, ptr, path);
        for &(other_ptr, other_host, other_port, other_path) in &endpoints[..i] {
            if port != other_port {
                continue;
            }
            if host != other_host {
                continue; // reported once below
            } else if path == other_path {
                ctx.error(
                    "path-conflict",
                    At::Value(ptr),
                    format!(
                        "`{path}` is also `{}` on {host}:{port}",
                        human_path(other_ptr)
                    ),
                    Some("give each HTTP endpoint its own path, or use another port".to_owned()),
                );
            }
        }
    }
}

fn http_path(ctx: &mut Ctx<'_>, pointer: &str, path: &str) {
    let path_ok = path.starts_with('/')
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/-._~".contains(c))
        && !path.contains("//");
    if !path_ok {
        ctx.error(
            "path-invalid",
            At::Value(pointer),
            format!("HTTP path `{path}` is not valid"),
            Some(
                "start it with `/` and use letters, digits and `- . _ ~ /`, such as `/mcp`"
                    .to_owned(),
            ),
        );
    }
}

/// What needs a session cannot work over Lambda, where every request may meet a fresh process.
fn lambda(ctx: &mut Ctx<'_>, spec: &Spec) {
    if spec.transports.lambda.is_some() && spec.capabilities.resources.subscribe {
        ctx.warn(
            "lambda-subscriptions",
            At::Key("/transports/lambda"),
            "resource subscriptions need a session, which the lambda transport does not keep: over Lambda \
             `resources/subscribe` is accepted but no update ever reaches the client",
            Some(
                "serve subscribing clients over stateful `streamable-http` (a container), or drop \
                 `capabilities.resources.subscribe`"
                    .to_owned(),
            ),
        );
    }
}

/// OAuth endpoints must be HTTPS; plain HTTP only for local development.
fn secure_url(ctx: &mut Ctx<'_>, pointer: &str, url: &str) {
    match url::Url::parse(url) {
        Err(err) => ctx.error(
            "oauth-url-invalid",
            At::Value(pointer),
            format!("`{url}` is not an absolute URL: {err}"),
            Some("write a full URL, such as `https://auth.example.com`".to_owned()),
        ),
        Ok(u) => {
            let local = matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
            if u.scheme() != "https" && !(u.scheme() == "http" && local) {
                ctx.error(
                    "oauth-url-insecure",
                    At::Value(pointer),
                    format!("`{url}` must use https"),
                    Some(
                        "OAuth endpoints need TLS; plain http is allowed only for localhost"
                            .to_owned(),
                    ),
                );
            }
        }
    }
}

const ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

fn auth(ctx: &mut Ctx<'_>, auth: &Auth, transports: &Transports) {
    if transports.streamable_http.is_none()
        && transports.sse.is_none()
        && transports.lambda.is_none()
    {
        ctx.error(
            "auth-without-http",
            At::Key("/auth"),
            "`auth` is set but no HTTP transport is: stdio is never authenticated",
            Some(
                "add `streamable-http` (or `sse`) under `transports`, or remove `auth`".to_owned(),
            ),
        );
    }
    match (&auth.bearer, &auth.oauth) {
        (Some(_), Some(_)) => ctx.error(
            "auth-method",
            At::Key("/auth/oauth"),
            "`auth` sets both `bearer` and `oauth`",
            Some("choose one authentication method".to_owned()),
        ),
        (None, None) => ctx.error(
            "auth-method",
            At::Key("/auth"),
            "`auth` sets neither `bearer` nor `oauth`",
            Some(
                "add `bearer: {tokenEnv: API_TOKEN}` or `oauth: {...}`, or remove `auth`"
                    .to_owned(),
            ),
        ),
        _ => {}
    }
    if let Some(bearer) = &auth.bearer {
        env_name(ctx, "/auth/bearer/tokenEnv", &bearer.token_env);
    }
    if let Some(oauth) = &auth.oauth {
        if oauth.authorization_servers.is_empty() {
            ctx.error(
                "oauth-servers-missing",
                At::Value("/auth/oauth/authorizationServers"),
                "`authorizationServers` is empty: no token issuer would be accepted",
                Some("list the issuer URL of your authorization server".to_owned()),
            );
        }
        for (i, url) in oauth.authorization_servers.iter().enumerate() {
            secure_url(ctx, &format!("/auth/oauth/authorizationServers/{i}"), url);
        }
        secure_url(ctx, "/auth/oauth/audience", &oauth.audience);
        secure_url(ctx, "/auth/oauth/jwksUri", &oauth.jwks_uri);
        for (i, alg) in oauth.algorithms.iter().enumerate() {
            if !ALGORITHMS.contains(&alg.as_str()) {
                ctx.error(
                    "oauth-algorithm-unknown",
                    At::Value(&format!("/auth/oauth/algorithms/{i}")),
                    format!("`{alg}` is not a supported signature algorithm"),
                    did_you_mean(alg, ALGORITHMS.iter().copied())
                        .or_else(|| Some(format!("supported: {}", ALGORITHMS.join(", ")))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::spec::spans::SpanIndex;

    /// Big specs have their tools checked on several threads; what they report is what one thread reports.
    #[test]
    fn tools_checked_in_parallel_report_what_one_thread_reports() {
        let mut yaml =
            String::from("mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}}\ntools:\n");
        for i in 0..150 {
            yaml += &format!("  - name: t{i}\n    description: d\n");
            yaml += match i % 3 {
                0 => "    inputSchema: {type: string}\n",
                1 => "    inputSchema: {type: object, properties: {a: {type: array}}}\n",
                _ => "    inputSchema: {type: object, properties: {a: {type: integer}}}\n",
            };
        }
        let (spec, _) = crate::pipeline::check_str(Path::new("t.yaml"), &yaml);
        let spec = spec.expect("structurally sound");
        let spans = SpanIndex::build(&yaml);
        let base = PathBuf::new();
        let run = |workers| {
            let mut ctx = Ctx::new(Path::new("t.yaml"), &yaml, &spans, &base);
            tools_on(&mut ctx, &spec, workers);
            format!("{:?}", ctx.into_diagnostics())
        };
        let one = run(1);
        assert_eq!(one.matches("schema-root-not-object").count(), 50, "{one}");
        assert_eq!(one.matches("schema-array-items").count(), 50, "{one}");
        assert_eq!(run(3), one);
    }
}
