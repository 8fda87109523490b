//! The server's command line. Every flag can also be set from an environment variable named after
//! the server (`WEATHER_PORT` for a server named `weather`); defaults come from the spec.

use clap::{CommandFactory as _, FromArgMatches as _, Parser};

use super::defs::Transport;
use crate::generated::server as spec;

#[derive(Debug, Parser)]
pub(crate) struct Cli {
    /// Transport to serve.
    #[arg(long, value_enum)]
    pub(crate) transport: Transport,
    /// Address to bind (streamable HTTP). Use 0.0.0.0 to accept other machines, with --allowed-host.
    #[arg(long)]
    pub(crate) host: Option<String>,
    /// TCP port (streamable HTTP).
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Endpoint path (streamable HTTP).
    #[arg(long)]
    pub(crate) path: Option<String>,
    /// Host header value to accept besides the loopback names and the spec's list (repeatable or
    /// comma-separated; `*` accepts any Host).
    #[arg(long = "allowed-host", value_name = "HOST", value_delimiter = ',')]
    pub(crate) allowed_hosts: Vec<String>,
    /// Browser Origin to accept besides loopback origins and the spec's list, such as
    /// `https://app.example.com:443` or `http://localhost:*` (repeatable or comma-separated; `*` accepts any
    /// Origin).
    #[arg(long = "allowed-origin", value_name = "ORIGIN", value_delimiter = ',')]
    pub(crate) allowed_origins: Vec<String>,
    /// Serve without sessions: any instance can answer any request.
    #[arg(long, overrides_with = "stateful")]
    pub(crate) stateless: bool,
    /// Keep sessions (`Mcp-Session-Id`) with server-to-client event streams.
    #[arg(long, overrides_with = "stateless")]
    pub(crate) stateful: bool,
    /// In stateless mode, answer with plain JSON bodies instead of event streams (`--json-response=false`
    /// turns it off).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub(crate) json_response: Option<bool>,
}

/// The prefix of the server's environment variables: its name in upper case, `-` as `_`.
pub(crate) fn env_prefix() -> String {
    spec::SERVER.name.to_ascii_uppercase().replace('-', "_")
}

/// Parses the command line, with spec defaults and environment variables wired in.
pub(crate) fn parse() -> Cli {
    let prefix = env_prefix();
    // clap wants 'static names; this runs once per process.
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    let env = |suffix: &str| leak(format!("{prefix}_{suffix}"));
    let mut command = Cli::command()
        .name(spec::SERVER.name)
        .version(spec::SERVER.version)
        .about(spec::SERVER.description.or(spec::SERVER.title))
        .mut_arg("transport", |a| {
            a.env(env("TRANSPORT"))
                .required(false)
                .default_value(spec::TRANSPORTS.default.as_str())
        })
        .mut_arg("host", |a| a.env(env("HOST")))
        .mut_arg("port", |a| a.env(env("PORT")))
        .mut_arg("path", |a| a.env(env("PATH")))
        .mut_arg("allowed_hosts", |a| a.env(env("ALLOWED_HOSTS")))
        .mut_arg("allowed_origins", |a| a.env(env("ALLOWED_ORIGINS")))
        .mut_arg("stateless", |a| a.env(env("STATELESS")))
        .mut_arg("stateful", |a| a.env(env("STATEFUL")))
        .mut_arg("json_response", |a| a.env(env("JSON_RESPONSE")));
    if let Some(http) = &spec::TRANSPORTS.streamable_http {
        command = command
            .mut_arg("host", |a| a.default_value(http.host))
            .mut_arg("port", |a| a.default_value(leak(http.port.to_string())))
            .mut_arg("path", |a| a.default_value(http.path));
    }
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }
}
