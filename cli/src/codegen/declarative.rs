//! Lowering of a tool's declarative implementation (`implementation.command` / `.http`) to the constant the
//! runtime's adapter reads (`mcpgen_runtime::declarative::CommandDef` / `HttpToolDef`) and the adapter's path.
//! Every string goes through `rust::string_literal`; the generated module is formatted by rustfmt.

use super::rust::string_literal;
use crate::spec::{
    ApiKeyLocation, CommandImpl, FileImpl, HttpAuth, HttpImpl, Implementation, ImplementationKind,
};
use crate::validate::status_range;

/// What the generated code needs for one declarative tool.
pub struct Lowered {
    /// `pub const IMPLEMENTATION: ... = ...;`, for the tool's module in `generated/tools.rs`.
    pub constant: String,
    /// The adapter the dispatch names (`mcpgen_runtime::app!`): `command` or `http`.
    pub adapter: &'static str,
}

/// `None` for an implementation validation refuses (neither or both kinds), which never reaches lowering.
pub fn lower(implementation: &Implementation) -> Option<Lowered> {
    Some(match implementation.kind()? {
        ImplementationKind::Command(c) => Lowered {
            constant: command(c),
            adapter: "command",
        },
        ImplementationKind::Http(h) => Lowered {
            constant: http(h),
            adapter: "http",
        },
        // Validation refuses `file` on a tool.
        ImplementationKind::File(_) => return None,
    })
}

/// The `IMPLEMENTATION` static of a resource read from a file on every read.
pub fn file(f: &FileImpl) -> String {
    format!(
        "pub static IMPLEMENTATION: mcpgen_runtime::declarative::FileDef = mcpgen_runtime::declarative::FileDef {{
            path: {path},
            max_bytes: {max},
        }};",
        path = string_literal(&f.path),
        max = usize_literal(f.max_bytes),
    )
}

fn strings<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| string_literal(s)).collect();
    format!("&[{}]", items.join(", "))
}

fn option(value: Option<&String>) -> String {
    value.map_or_else(
        || "None".to_owned(),
        |v| format!("Some({})", string_literal(v)),
    )
}

fn pairs<'a>(items: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|(k, v)| format!("({}, {})", string_literal(k), string_literal(v)))
        .collect();
    format!("&[{}]", items.join(", "))
}

fn command(c: &CommandImpl) -> String {
    format!(
        "pub const IMPLEMENTATION: mcpgen_runtime::declarative::CommandDef = mcpgen_runtime::declarative::CommandDef {{
            program: {program},
            args: {args},
            cwd: {cwd},
            env: {env},
            timeout_secs: {timeout},
            max_output_bytes: {max},
        }};",
        program = string_literal(&c.program),
        args = strings(&c.args),
        cwd = option(c.cwd.as_ref()),
        env = strings(&c.env),
        timeout = c.timeout_secs,
        max = usize_literal(c.max_output_bytes),
    )
}

/// The `IMPLEMENTATION` static of an HTTP tool, resource or resource template: a `static`, since the runtime
/// keeps what the first call prepares (parsed templates, base URL, credentials) inside it.
pub fn http(h: &HttpImpl) -> String {
    let method = serde_json::to_value(h.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "GET".to_owned());
    let body = h.body.as_ref().map(|b| b.to_string());
    let auth = h.auth.as_ref().and_then(auth).map_or_else(
        || "None".to_owned(),
        |variant| format!("Some(mcpgen_runtime::declarative::HttpAuthDef::{variant})"),
    );
    let statuses: Vec<String> = h
        .error_status
        .iter()
        .filter_map(status_range)
        .map(|(low, high)| format!("({low}, {high})"))
        .collect();
    format!(
        "pub static IMPLEMENTATION: mcpgen_runtime::declarative::HttpTool = mcpgen_runtime::declarative::HttpTool::new(mcpgen_runtime::declarative::HttpToolDef {{
            method: {method},
            base_url: {base_url},
            base_url_env: {base_url_env},
            path: {path},
            query: {query},
            headers: {headers},
            body: {body},
            auth: {auth},
            timeout_secs: {timeout},
            error_status: &[{statuses}],
            pointer: {pointer},
            max_response_bytes: {max},
            redirects: mcpgen_runtime::declarative::RedirectDef {{
                follow: {follow},
                max: {max_redirects},
                allow_hosts: {allow_hosts},
                allow_private: {allow_private},
            }},
        }});",
        method = string_literal(&method),
        base_url = string_literal(&h.base_url),
        base_url_env = option(h.base_url_env.as_ref()),
        path = string_literal(&h.path),
        query = pairs(&h.query),
        headers = pairs(&h.headers),
        body = option(body.as_ref()),
        timeout = h.timeout_secs,
        statuses = statuses.join(", "),
        pointer = option(h.pointer.as_ref()),
        max = usize_literal(h.max_response_bytes),
        follow = h.redirects.follow,
        max_redirects = h.redirects.max,
        allow_hosts = strings(&h.redirects.allow_hosts),
        allow_private = h.redirects.allow_private,
    )
}

/// The `HttpAuthDef` variant, as Rust.
fn auth(auth: &HttpAuth) -> Option<String> {
    if let Some(b) = &auth.bearer {
        return Some(format!("Bearer {{ env: {} }}", string_literal(&b.env)));
    }
    if let Some(b) = &auth.basic {
        return Some(format!(
            "Basic {{ username_env: {}, password_env: {} }}",
            string_literal(&b.username_env),
            string_literal(&b.password_env)
        ));
    }
    let k = auth.api_key.as_ref()?;
    let variant = match k.location {
        ApiKeyLocation::Header => "ApiKeyHeader",
        ApiKeyLocation::Query => "ApiKeyQuery",
    };
    Some(format!(
        "{variant} {{ env: {}, name: {} }}",
        string_literal(&k.env),
        string_literal(&k.name)
    ))
}

/// A byte count for a `usize` field: clamped to 32 bits, so the crate builds on every target.
fn usize_literal(value: u64) -> String {
    value.min(u64::from(u32::MAX)).to_string()
}
