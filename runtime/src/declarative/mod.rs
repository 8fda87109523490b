//! Tools implemented by the spec instead of a handler: a program run with an argv template (`command`), or an
//! HTTP request built from the arguments (`http`); resources read by an HTTP GET or from a file ([`mod@file`]). The generated code holds each tool's definition as a
//! constant and calls [`command::call`] or [`http::call`] with the arguments, already checked against the tool's
//! input schema; the handler checks the result against its output schema as for any tool.
//!
//! The safety rules (argv never through a shell, path parameters as single encoded segments, no header
//! injection, redirects and credentials kept to the spec's host, bounded outputs) are in mcpgen's docs/spec.md.

#[cfg(feature = "command-tools")]
pub mod command;
pub mod file;
#[cfg(feature = "http-tools")]
pub mod http;
mod output;
pub mod template;

/// What the declarative tools' tests share.
#[cfg(all(test, any(feature = "command-tools", feature = "http-tools")))]
mod testing {
    use rmcp::model::{CallToolResult, JsonObject};
    use serde_json::Value;

    /// A JSON object as a tool's arguments.
    pub(super) fn args(value: Value) -> JsonObject {
        value.as_object().unwrap().clone()
    }

    /// The text of a result's first content block.
    pub(super) fn text_of(result: &CallToolResult) -> String {
        result.content[0].as_text().unwrap().text.clone()
    }

    /// Asserts that the text of `result` contains `part`.
    pub(super) fn assert_says(result: &CallToolResult, part: &str) {
        let text = text_of(result);
        assert!(text.contains(part), "{text}");
    }
}

/// A tool run as a program (`implementation.command` in the spec).
#[derive(Debug)]
pub struct CommandDef {
    /// The program: a path, or a name looked up in `PATH`.
    pub program: &'static str,
    /// argv templates, each one argument (see [`template`]): an element whose placeholder is absent is left out,
    /// and an element that is exactly one placeholder naming an array becomes one argument per item.
    pub args: &'static [&'static str],
    /// Working directory; `None` keeps the server's.
    pub cwd: Option<&'static str>,
    /// Variables of the server's environment passed to the program, besides `PATH`; every other one is cleared.
    pub env: &'static [&'static str],
    /// The program is killed after this many seconds.
    pub timeout_secs: u64,
    /// Most bytes read from stdout; a program that writes more is killed and the call fails.
    pub max_output_bytes: usize,
}

/// A resource read from a file on disk on every read (`implementation.file` in the spec).
#[derive(Debug)]
pub struct FileDef {
    /// The file: absolute, or relative to the server's working directory.
    pub path: &'static str,
    /// Most bytes served; a larger file is an error.
    pub max_bytes: usize,
}

/// A declarative HTTP tool or resource as generated code holds it (a `static`): the spec's definition, and what
/// the first call prepares from it and keeps (templates and base URL parsed, credentials read), so later calls
/// only fill in their arguments.
#[derive(Debug)]
pub struct HttpTool {
    /// The definition.
    pub def: HttpToolDef,
    #[cfg(feature = "http-tools")]
    prepared: std::sync::OnceLock<http::Prepared>,
}

impl HttpTool {
    /// Wraps a definition; nothing is prepared until the first call.
    pub const fn new(def: HttpToolDef) -> Self {
        Self {
            def,
            #[cfg(feature = "http-tools")]
            prepared: std::sync::OnceLock::new(),
        }
    }
}

/// A tool that is one HTTP request (`implementation.http` in the spec).
#[derive(Debug, Clone)]
pub struct HttpToolDef {
    /// The method, upper case.
    pub method: &'static str,
    /// Scheme, host and optional path prefix, without placeholders.
    pub base_url: &'static str,
    /// An environment variable that replaces `base_url` when set and not empty (read by the first call).
    pub base_url_env: Option<&'static str>,
    /// Path template appended to the base URL; each placeholder fills one encoded path segment.
    pub path: &'static str,
    /// Query parameters: name and value template; one whose placeholder is absent is left out.
    pub query: &'static [(&'static str, &'static str)],
    /// Headers: name and value template.
    pub headers: &'static [(&'static str, &'static str)],
    /// JSON body template as JSON text: a string that is exactly `{name}` takes the argument's JSON value.
    pub body: Option<&'static str>,
    /// Credentials from the environment, sent only to the base URL's origin.
    pub auth: Option<HttpAuthDef>,
    /// The request (including reading the response) fails after this many seconds.
    pub timeout_secs: u64,
    /// Status ranges (inclusive) that make the result an error; empty: every status outside 200-299.
    pub error_status: &'static [(u16, u16)],
    /// JSON pointer selecting the part of a JSON response that becomes the result.
    pub pointer: Option<&'static str>,
    /// Most bytes read from the response body.
    pub max_response_bytes: usize,
    /// Redirect handling.
    pub redirects: RedirectDef,
}

/// Where an HTTP tool's credentials come from: the environment, read by the first call that finds them set (a
/// process's environment changes only by its own doing), then kept.
#[derive(Debug, Clone)]
pub enum HttpAuthDef {
    /// `Authorization: Bearer <env>`.
    Bearer {
        /// The variable holding the token.
        env: &'static str,
    },
    /// `Authorization: Basic base64(<username_env>:<password_env>)`.
    Basic {
        /// The variable holding the user name.
        username_env: &'static str,
        /// The variable holding the password.
        password_env: &'static str,
    },
    /// An API key in a header.
    ApiKeyHeader {
        /// The variable holding the key.
        env: &'static str,
        /// The header's name.
        name: &'static str,
    },
    /// An API key in a query parameter.
    ApiKeyQuery {
        /// The variable holding the key.
        env: &'static str,
        /// The parameter's name.
        name: &'static str,
    },
}

/// Which redirects an HTTP tool follows.
#[derive(Debug, Clone)]
pub struct RedirectDef {
    /// Follow redirects at all (off by default: a 3xx is an error result).
    pub follow: bool,
    /// Most redirects followed for one call.
    pub max: u8,
    /// Hosts other than the base URL's that a redirect may lead to.
    pub allow_hosts: &'static [&'static str],
    /// Allow redirects to loopback, private, link-local and other non-public addresses on another host.
    pub allow_private: bool,
}
