//! Rules for tools, resources and resource templates implemented in the spec (`implementation.command`,
//! `implementation.http`, `implementation.file`): every placeholder names an input property (a URI template variable for a resource
//! template), arguments never choose the program or the host, headers cannot be split, secrets come from
//! environment variables. The runtime enforces the same rules on values at call time
//! (runtime/src/declarative/); these catch what a spec can get wrong before anything is built.

use serde_json::Value;

use super::{At, Ctx, did_you_mean};
use crate::spec::spans::escape_segment;
use crate::spec::{
    ApiKeyLocation, CommandImpl, HttpImpl, HttpMethod, ImplementationKind, JsonObject, Spec,
    StatusPattern,
};
use mcpgen_runtime::declarative::template::{self, Part};

/// Checks every tool's, resource's and resource template's implementation.
pub fn check(ctx: &mut Ctx<'_>, spec: &Spec) {
    let declared: Vec<&str> = spec.env.iter().map(|e| e.name.as_str()).collect();
    for (i, tool) in spec.tools.iter().enumerate() {
        let pointer = format!("/tools/{i}/implementation");
        let mut rules = Rules {
            ctx: &mut *ctx,
            owner: format!("tool `{}`", tool.name),
            arguments: Arguments::Schema(tool.input_schema.as_ref()),
            declared: &declared,
        };
        let Some(implementation) = &tool.implementation else {
            continue;
        };
        match implementation.kind() {
            Some(ImplementationKind::Command(c)) => rules.command(&format!("{pointer}/command"), c),
            Some(ImplementationKind::Http(h)) => rules.http(&format!("{pointer}/http"), h),
            Some(ImplementationKind::File(_)) => rules.ctx.error(
                "implementation-kind",
                At::Key(&format!("{pointer}/file")),
                format!(
                    "tool `{}`: `file` reads a resource; a tool's `implementation` is `command` or `http`",
                    tool.name
                ),
                Some("make it a resource with `implementation.file`, or run a program with `command`".to_owned()),
            ),
            None => rules.ctx.error(
                "implementation-kind",
                At::Key(&pointer),
                format!(
                    "tool `{}`: `implementation` needs exactly one of `command` or `http`",
                    tool.name
                ),
                Some("keep one; a tool that needs both is a handler in Rust".to_owned()),
            ),
        }
    }
    for (i, resource) in spec.resources.iter().enumerate() {
        let Some(implementation) = &resource.implementation else {
            continue;
        };
        let pointer = format!("/resources/{i}/implementation");
        let mut rules = Rules {
            ctx: &mut *ctx,
            owner: format!("resource `{}`", resource.uri),
            arguments: Arguments::None,
            declared: &declared,
        };
        rules.read(&pointer, implementation, true);
        let sources = [
            resource.text.is_some(),
            resource.file.is_some(),
            resource.implementation.is_some(),
        ];
        if sources.iter().filter(|set| **set).count() > 1 {
            rules.ctx.error(
                "resource-content-conflict",
                At::Key(&pointer),
                format!(
                    "{}: `implementation` cannot be combined with `text` or `file`",
                    rules.owner
                ),
                Some("keep one source of content".to_owned()),
            );
        }
    }
    for (i, tpl) in spec.resource_templates.iter().enumerate() {
        let Some(implementation) = &tpl.implementation else {
            continue;
        };
        // A template that does not parse is reported by the resource rules; its variables are unknown here.
        let Ok(parsed) = mcpgen_runtime::uri_template::parse(&tpl.uri_template) else {
            continue;
        };
        Rules {
            ctx: &mut *ctx,
            owner: format!("resource template `{}`", tpl.name),
            arguments: Arguments::Variables(parsed.variables().collect()),
            declared: &declared,
        }
        .read(
            &format!("/resourceTemplates/{i}/implementation"),
            implementation,
            false,
        );
    }
}

/// What a declarative implementation's placeholders can name.
enum Arguments<'s> {
    /// A tool's input properties (`None`: a tool without an input schema).
    Schema(Option<&'s JsonObject>),
    /// A resource template's variables. Not warned about as optional path parameters: most are path segments of
    /// the URI, and a read whose URI leaves one out fails with a message saying which.
    Variables(Vec<&'s str>),
    /// Nothing: a fixed resource's read has no arguments.
    None,
}

/// The rules for one implementation.
struct Rules<'c, 'a, 's> {
    ctx: &'c mut Ctx<'a>,
    owner: String,
    arguments: Arguments<'s>,
    declared: &'s [&'s str],
}

impl Rules<'_, '_, '_> {
    fn properties(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match &self.arguments {
            Arguments::Schema(schema) => Box::new(
                schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|p| p.keys().map(String::as_str)),
            ),
            Arguments::Variables(names) => Box::new(names.iter().copied()),
            Arguments::None => Box::new(std::iter::empty()),
        }
    }

    fn is_required(&self, name: &str) -> bool {
        match &self.arguments {
            Arguments::Schema(schema) => schema
                .and_then(|s| s.get("required"))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name))),
            Arguments::Variables(_) => true,
            Arguments::None => false,
        }
    }

    /// A resource's or resource template's implementation: `http`, with GET.
    fn read(&mut self, pointer: &str, implementation: &crate::spec::Implementation, fixed: bool) {
        match implementation.kind() {
            Some(ImplementationKind::Http(h)) => {
                if h.method != HttpMethod::Get {
                    self.ctx.error(
                        "resource-http-method",
                        At::Value(&format!("{pointer}/http/method")),
                        format!("{}: a resource is read with GET", self.owner),
                        Some("remove `method`".to_owned()),
                    );
                }
                self.http(&format!("{pointer}/http"), h);
            }
            Some(ImplementationKind::File(f)) if fixed => {
                if f.path.trim().is_empty() {
                    self.ctx.error(
                        "resource-file-path",
                        At::Value(&format!("{pointer}/file/path")),
                        format!("{}: `file.path` is empty", self.owner),
                        Some("name the file to read, absolute or relative to the server's working directory".to_owned()),
                    );
                }
            }
            Some(ImplementationKind::File(_)) => self.ctx.error(
                "implementation-kind",
                At::Key(&format!("{pointer}/file")),
                format!(
                    "{}: a template's `implementation` is `http`; a file path cannot take URI variables",
                    self.owner
                ),
                Some("use `http`, or leave `implementation` out and read the file in a Rust handler".to_owned()),
            ),
            _ => {
                let (kinds, hint) = if fixed {
                    ("`http` (a GET) or `file`", "use `http` or `file`")
                } else {
                    ("`http` (a GET)", "use `http`")
                };
                self.ctx.error(
                    "implementation-kind",
                    At::Key(pointer),
                    format!(
                        "{}: a resource's `implementation` is {kinds}; programs are not supported",
                        self.owner
                    ),
                    Some(format!(
                        "{hint}, or leave `implementation` out and write a handler in Rust"
                    )),
                )
            }
        }
    }

    /// Parses a template, reporting syntax errors and placeholders that name no input property; returns the
    /// names of its placeholders.
    fn template<'t>(&mut self, pointer: &str, text: &'t str) -> Vec<&'t str> {
        let parts = match template::parse(text) {
            Ok(parts) => parts,
            Err(e) => {
                self.ctx.error(
                    "implementation-placeholder-invalid",
                    At::Within(pointer, text, e.offset, e.offset + 1),
                    format!("{}: {}", self.owner, e.message),
                    Some(
                        "placeholders look like `{city}`; write `{{` and `}}` for literal braces"
                            .to_owned(),
                    ),
                );
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for part in parts {
            let Part::Placeholder { name, offset } = part else {
                continue;
            };
            names.push(name);
            let at = At::Within(pointer, text, offset, offset + name.len() + 2);
            if matches!(self.arguments, Arguments::None) {
                self.ctx.error(
                    "implementation-placeholder-forbidden",
                    at,
                    format!(
                        "{}: placeholder `{{{name}}}` cannot be filled: a resource read has no arguments",
                        self.owner
                    ),
                    Some("write the value itself, or make this a resource template whose variables fill it".to_owned()),
                );
                continue;
            }
            if self.properties().any(|p| p == name) {
                continue;
            }
            let variables = matches!(self.arguments, Arguments::Variables(_));
            let hint = did_you_mean(name, self.properties()).or_else(|| {
                Some(if variables {
                    format!("add `{{{name}}}` to the `uriTemplate` of {}", self.owner)
                } else {
                    format!(
                        "declare `{name}` under `inputSchema.properties` of {}",
                        self.owner
                    )
                })
            });
            let names = if variables {
                "no variable of the URI template of"
            } else {
                "no input property of"
            };
            self.ctx.error(
                "implementation-placeholder-unknown",
                at,
                format!("placeholder `{{{name}}}` names {names} {}", self.owner),
                hint,
            );
        }
        names
    }

    /// A value that must be literal: no placeholders (program, base URL).
    fn literal(&mut self, pointer: &str, text: &str, what: &str) {
        if template::parse(text)
            .is_ok_and(|parts| parts.iter().all(|p| matches!(p, Part::Literal(_))))
            && !text.contains(['{', '}'])
        {
            return;
        }
        self.ctx.error(
            "implementation-placeholder-forbidden",
            At::Value(pointer),
            format!(
                "{}: {what} cannot contain placeholders or braces",
                self.owner
            ),
            Some(format!(
                "arguments never choose the {what}; put them in other fields"
            )),
        );
    }

    fn env_var(&mut self, pointer: &str, name: &str) {
        super::rules::env_name(self.ctx, pointer, name);
        if !self.declared.contains(&name) {
            self.ctx.warn(
                "implementation-env-undeclared",
                At::Value(pointer),
                format!(
                    "{} reads `{name}`, which is not declared under `env`",
                    self.owner
                ),
                Some(format!(
                    "declare it (`env: [{{name: {name}, secret: true}}]` for a secret) so client configs pass it to the server"
                )),
            );
        }
    }

    fn positive(&mut self, pointer: &str, value: u64, what: &str) {
        if value == 0 {
            self.ctx.error(
                "implementation-limit-zero",
                At::Value(pointer),
                format!("{}: `{what}` must be at least 1", self.owner),
                Some(format!("remove `{what}` to use the default")),
            );
        }
    }

    fn command(&mut self, pointer: &str, c: &CommandImpl) {
        let program_ptr = format!("{pointer}/program");
        if c.program.trim().is_empty() {
            self.ctx.error(
                "command-program-empty",
                At::Value(&program_ptr),
                format!("{}: `program` is empty", self.owner),
                Some("name the program to run, such as `git`".to_owned()),
            );
        }
        self.literal(&program_ptr, &c.program, "program");
        for (i, arg) in c.args.iter().enumerate() {
            self.template(&format!("{pointer}/args/{i}"), arg);
        }
        if let Some(cwd) = &c.cwd {
            self.literal(&format!("{pointer}/cwd"), cwd, "working directory");
        }
        for (i, name) in c.env.iter().enumerate() {
            super::rules::env_name(self.ctx, &format!("{pointer}/env/{i}"), name);
        }
        self.positive(
            &format!("{pointer}/timeoutSecs"),
            c.timeout_secs,
            "timeoutSecs",
        );
        self.positive(
            &format!("{pointer}/maxOutputBytes"),
            c.max_output_bytes,
            "maxOutputBytes",
        );
    }

    fn http(&mut self, pointer: &str, h: &HttpImpl) {
        let base_ptr = format!("{pointer}/baseUrl");
        self.literal(&base_ptr, &h.base_url, "base URL");
        match url::Url::parse(&h.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
                if !url.username().is_empty() || url.password().is_some() {
                    self.ctx.error(
                        "http-secret-literal",
                        At::Value(&base_ptr),
                        format!("{}: the base URL holds credentials", self.owner),
                        Some("remove them and use `auth` with environment variables".to_owned()),
                    );
                }
                if url.query().is_some() || url.fragment().is_some() {
                    self.ctx.error(
                        "http-base-url-invalid",
                        At::Value(&base_ptr),
                        format!("{}: the base URL has a query or fragment", self.owner),
                        Some("put query parameters under `query`".to_owned()),
                    );
                }
            }
            _ => self.ctx.error(
                "http-base-url-invalid",
                At::Value(&base_ptr),
                format!(
                    "{}: `{}` is not an http(s) URL with a host",
                    self.owner, h.base_url
                ),
                Some("write a full URL such as `https://api.example.com/v1`".to_owned()),
            ),
        }
        if let Some(env) = &h.base_url_env {
            self.env_var(&format!("{pointer}/baseUrlEnv"), env);
        }
        let path_ptr = format!("{pointer}/path");
        if !(h.path.is_empty() || h.path.starts_with('/')) || h.path.contains(['?', '#']) {
            self.ctx.error(
                "http-path-invalid",
                At::Value(&path_ptr),
                format!(
                    "{}: `path` must start with `/` and hold no `?` or `#`",
                    self.owner
                ),
                Some(
                    "write the path such as `/pets/{petId}`, and query parameters under `query`"
                        .to_owned(),
                ),
            );
        }
        for name in self.template(&path_ptr, &h.path) {
            if self.properties().any(|p| p == name) && !self.is_required(name) {
                self.ctx.warn(
                    "http-path-optional",
                    At::Text(&path_ptr, &format!("{{{name}}}")),
                    format!(
                        "{}: path parameter `{name}` is not required, and a call without it fails",
                        self.owner
                    ),
                    Some(format!("list `{name}` under `inputSchema.required`")),
                );
            }
        }
        for (name, value) in &h.query {
            let p = format!("{pointer}/query/{}", escape_segment(name));
            if self.template(&p, value).is_empty() && looks_secret(name) {
                self.secret_literal(&p, "query parameter", name);
            }
        }
        for (name, value) in &h.headers {
            let p = format!("{pointer}/headers/{}", escape_segment(name));
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                self.ctx.error(
                    "http-header-invalid",
                    At::Key(&p),
                    format!("{}: `{name}` is not a valid header name", self.owner),
                    Some("use letters, digits and `-`, such as `X-Request-Id`".to_owned()),
                );
            }
            if value.contains(['\r', '\n', '\0']) {
                self.ctx.error(
                    "http-header-invalid",
                    At::Value(&p),
                    format!("{}: header `{name}` contains CR, LF or NUL", self.owner),
                    None,
                );
            }
            if self.template(&p, value).is_empty() && looks_secret(name) {
                self.secret_literal(&p, "header", name);
            }
        }
        if let Some(body) = &h.body {
            if matches!(h.method, HttpMethod::Get | HttpMethod::Head) {
                self.ctx.warn(
                    "http-body-ignored",
                    At::Key(&format!("{pointer}/body")),
                    format!(
                        "{}: a {} request with a body is refused by many servers",
                        self.owner,
                        format!("{:?}", h.method).to_uppercase()
                    ),
                    Some(
                        "use `method: POST` (or PUT, PATCH), or move the arguments to `query`"
                            .to_owned(),
                    ),
                );
            }
            self.body(&format!("{pointer}/body"), body);
        }
        if let Some(auth) = &h.auth {
            let p = format!("{pointer}/auth");
            let count = [
                auth.bearer.is_some(),
                auth.basic.is_some(),
                auth.api_key.is_some(),
            ]
            .iter()
            .filter(|set| **set)
            .count();
            if count != 1 {
                self.ctx.error(
                    "http-auth-kind",
                    At::Key(&p),
                    format!(
                        "{}: `auth` needs exactly one of `bearer`, `basic` or `apiKey`",
                        self.owner
                    ),
                    Some("keep the one the API expects".to_owned()),
                );
            }
            if let Some(b) = &auth.bearer {
                self.env_var(&format!("{p}/bearer/env"), &b.env);
            }
            if let Some(b) = &auth.basic {
                self.env_var(&format!("{p}/basic/usernameEnv"), &b.username_env);
                self.env_var(&format!("{p}/basic/passwordEnv"), &b.password_env);
            }
            if let Some(k) = &auth.api_key {
                self.env_var(&format!("{p}/apiKey/env"), &k.env);
                if k.location == ApiKeyLocation::Header && !k.name.bytes().all(is_token_byte) {
                    self.ctx.error(
                        "http-header-invalid",
                        At::Value(&format!("{p}/apiKey/name")),
                        format!("{}: `{}` is not a valid header name", self.owner, k.name),
                        Some("use letters, digits and `-`, such as `X-API-Key`".to_owned()),
                    );
                }
            }
        }
        for (i, status) in h.error_status.iter().enumerate() {
            if status_range(status).is_none() {
                self.ctx.error(
                    "http-status-invalid",
                    At::Value(&format!("{pointer}/errorStatus/{i}")),
                    format!(
                        "{}: not a status code (100-599) or class (`1xx`-`5xx`)",
                        self.owner
                    ),
                    Some("write a code such as `404` or a class such as `5xx`".to_owned()),
                );
            }
        }
        if let Some(pointer_text) = &h.pointer
            && !(pointer_text.is_empty() || pointer_text.starts_with('/'))
        {
            self.ctx.error(
                "http-pointer-invalid",
                At::Value(&format!("{pointer}/pointer")),
                format!("{}: `{pointer_text}` is not a JSON pointer", self.owner),
                Some("a JSON pointer starts with `/`, such as `/data/items`".to_owned()),
            );
        }
        self.positive(
            &format!("{pointer}/timeoutSecs"),
            h.timeout_secs,
            "timeoutSecs",
        );
        self.positive(
            &format!("{pointer}/maxResponseBytes"),
            h.max_response_bytes,
            "maxResponseBytes",
        );
    }

    fn body(&mut self, pointer: &str, value: &Value) {
        match value {
            Value::String(s) => {
                self.template(pointer, s);
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.body(&format!("{pointer}/{i}"), item);
                }
            }
            Value::Object(members) => {
                for (k, v) in members {
                    self.body(&format!("{pointer}/{}", escape_segment(k)), v);
                }
            }
            _ => {}
        }
    }

    fn secret_literal(&mut self, pointer: &str, what: &str, name: &str) {
        self.ctx.warn(
            "http-secret-literal",
            At::Value(pointer),
            format!(
                "{}: {what} `{name}` looks like a credential written into the spec",
                self.owner
            ),
            Some("read secrets from the environment: `auth: {bearer: {env: API_TOKEN}}` or `auth: {apiKey: ...}`".to_owned()),
        );
    }
}

/// A header or parameter name that usually carries a credential.
fn looks_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "auth", "token", "secret", "key", "password", "cookie", "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// RFC 9110 token characters (header names).
pub(super) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The inclusive range of statuses a pattern means, if it is valid.
pub fn status_range(status: &StatusPattern) -> Option<(u16, u16)> {
    match status {
        StatusPattern::Code(code) => (100..=599).contains(code).then_some((*code, *code)),
        StatusPattern::Class(class) => {
            let digit = class
                .strip_suffix("xx")
                .or_else(|| class.strip_suffix("XX"))?;
            let digit: u16 = digit.parse().ok().filter(|d| (1..=5).contains(d))?;
            Some((digit * 100, digit * 100 + 99))
        }
    }
}
