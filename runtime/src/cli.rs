//! The server's command line. Every flag can also be set from an environment variable named after
//! the server (`WEATHER_PORT` for a server named `weather`); defaults come from the spec.

use clap::{CommandFactory as _, FromArgMatches as _, Parser};

use super::defs::{Spec, Transport};

#[derive(Debug, Parser)]
pub(crate) struct Cli {
    /// Transport to serve.
    #[arg(long, value_enum)]
    pub(crate) transport: Transport,
    /// Address to bind (HTTP transports; default from the spec). Use 0.0.0.0 to accept other machines,
    /// with --allowed-host.
    #[arg(long)]
    pub(crate) host: Option<String>,
    /// TCP port (HTTP transports; 0 picks a free port). Default: the platform's `PORT` variable (Cloud Run,
    /// Heroku, Fly.io and most container platforms set it), else the spec's port.
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// Endpoint path of the chosen HTTP transport (the event stream for sse; default from the spec).
    #[arg(long)]
    pub(crate) path: Option<String>,
    /// Path SSE clients POST their messages to (default from the spec).
    #[arg(long)]
    pub(crate) message_path: Option<String>,
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
    /// Seconds a request may take until its response starts (then 504; default from the spec).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) request_timeout: Option<u64>,
    /// Largest accepted request body in bytes (then 413; default from the spec).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_body_bytes: Option<u64>,
    /// Seconds an idle stateful session is kept (default from the spec).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) session_idle_timeout: Option<u64>,
    /// Take the OAuth signing keys from this JWKS URL instead of the spec's `auth.oauth.jwksUri` (a test or
    /// staging issuer; `mcpgen verify` serves its own). Issuer, audience and scopes still come from the spec.
    #[arg(long, value_name = "URL")]
    pub(crate) oauth_jwks_uri: Option<String>,
    /// Seconds a client has to send a request's headers (default from the spec).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) header_read_timeout: Option<u64>,
    /// Seconds a connection with no request in progress may stay silent (default from the spec).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) idle_timeout: Option<u64>,
    /// Open HTTP connections; more wait until one closes (default from the spec).
    #[arg(long, value_name = "COUNT")]
    pub(crate) max_connections: Option<u64>,
    /// Live sessions, all clients together (then 503; default from the spec).
    #[arg(long, value_name = "COUNT")]
    pub(crate) max_sessions: Option<u64>,
    /// Live sessions per authenticated principal (then 429; default from the spec).
    #[arg(long, value_name = "COUNT")]
    pub(crate) max_sessions_per_principal: Option<u64>,
    /// Largest initialize request in bytes, which a session keeps (then 413; default from the spec).
    #[arg(long, value_name = "BYTES")]
    pub(crate) max_session_bytes: Option<u64>,
    /// Key (at least 32 bytes) that seals the `requestState` a protocol 2026-07-28 call gets when its handler
    /// asks the client: set the same value on every instance behind one address, so a retry may reach any of
    /// them. Default: a key drawn at start-up, valid for this process only.
    #[arg(long, value_name = "KEY", hide_env_values = true)]
    pub(crate) request_state_key: Option<String>,
    /// Events kept per event stream in the shared session store, for clients that resume one with
    /// `Last-Event-ID` (the oldest go first; a client further behind misses them).
    #[arg(long, value_name = "COUNT", default_value_t = 1000)]
    pub(crate) max_stream_events: usize,
    /// Tasks one session may hold at once, running or finished until their TTL ends (then an error).
    #[arg(long, value_name = "COUNT", default_value_t = 100)]
    pub(crate) max_tasks_per_session: usize,
    /// Tasks the server holds at once, all sessions together (then an error).
    #[arg(long, value_name = "COUNT", default_value_t = 10_000)]
    pub(crate) max_tasks: usize,
    /// Longest task TTL granted, in seconds; a client asking for more gets this.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(crate) max_task_ttl: u64,
    /// Log line format on stderr.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) log_format: LogFormat,
}

impl Cli {
    /// The bounds on tasks (`tasks/store.rs`).
    pub(crate) fn task_limits(&self) -> crate::tasks::store::Limits {
        let defaults = crate::tasks::store::Limits::default();
        let max_ttl = std::time::Duration::from_secs(self.max_task_ttl);
        crate::tasks::store::Limits {
            per_session: self.max_tasks_per_session,
            total: self.max_tasks,
            max_ttl,
            default_ttl: defaults.default_ttl.min(max_ttl),
            ..defaults
        }
    }
}

#[cfg(any(feature = "streamable-http", feature = "sse"))]
impl Cli {
    /// The port to bind: `--port` or `<PREFIX>_PORT`, else the platform's `PORT`, else the spec's.
    pub(crate) fn port_or(&self, spec_port: u16) -> Result<u16, String> {
        port_from(self.port, std::env::var("PORT").ok(), spec_port)
    }
}

/// See [`Cli::port_or`]. An empty `PORT` counts as unset; a malformed one is an error, not a silent fallback
/// to a port the platform does not route to.
#[cfg(any(feature = "streamable-http", feature = "sse"))]
fn port_from(flag: Option<u16>, platform: Option<String>, spec_port: u16) -> Result<u16, String> {
    if let Some(port) = flag {
        return Ok(port);
    }
    match platform.as_deref().map(str::trim) {
        None | Some("") => Ok(spec_port),
        Some(value) => value
            .parse()
            .map_err(|_| format!("PORT={value:?} is not a TCP port number (0-65535)")),
    }
}

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The prefix of the server's environment variables: its name in upper case, `-` as `_`.
pub(crate) fn env_prefix(spec: &Spec) -> String {
    spec.server.name.to_ascii_uppercase().replace('-', "_")
}

/// The spec's first transport, except inside AWS Lambda (or its emulator), which sets `AWS_LAMBDA_RUNTIME_API`:
/// there a spec that declares `lambda` serves it, so the deployed binary needs no arguments.
fn default_transport(spec: &Spec) -> Transport {
    match (
        &spec.transports.lambda,
        std::env::var_os("AWS_LAMBDA_RUNTIME_API"),
    ) {
        (Some(_), Some(api)) if !api.is_empty() => Transport::Lambda,
        _ => spec.transports.default,
    }
}

/// Parses the command line, with spec defaults and environment variables wired in.
pub(crate) fn parse(spec: &'static Spec) -> Cli {
    let matches = command(spec).get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// The command with the spec's name, version and default transport, and every flag reading
/// `<PREFIX>_<FLAG>` (`--message-path`: `WEATHER_MESSAGE_PATH`). One pass over the arguments: a
/// `mut_arg` per flag moved the whole command each time and was a fifth of start-up.
fn command(spec: &'static Spec) -> clap::Command {
    let prefix = env_prefix(spec);
    Cli::command()
        .name(spec.server.name)
        .version(spec.server.version)
        .about(spec.server.description.or(spec.server.title))
        .mut_args(|arg| {
            let name = format!("{prefix}_{}", arg.get_id().as_str().to_ascii_uppercase());
            // clap wants 'static names; this runs once per process.
            let arg = arg.env(&*Box::leak(name.into_boxed_str()));
            if arg.get_id() == "transport" {
                arg.required(false)
                    .default_value(default_transport(spec).as_str())
            } else {
                arg
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    #[cfg(any(feature = "streamable-http", feature = "sse"))]
    fn the_port_comes_from_the_flag_then_the_platform_then_the_spec() {
        assert_eq!(port_from(Some(9000), Some("8080".into()), 8000), Ok(9000));
        assert_eq!(port_from(None, Some("8080".into()), 8000), Ok(8080));
        assert_eq!(port_from(None, Some(" ".into()), 8000), Ok(8000));
        assert_eq!(port_from(None, None, 8000), Ok(8000));
        let error = port_from(None, Some("http".into()), 8000).unwrap_err();
        assert!(error.contains("PORT=\"http\""), "{error}");
        assert!(port_from(None, Some("70000".into()), 8000).is_err());
    }

    #[test]
    fn command_is_well_formed() {
        command(&testing::SPEC).debug_assert();
    }

    #[test]
    fn every_flag_reads_its_environment_variable() {
        let spec = &testing::SPEC;
        let prefix = env_prefix(spec);
        let command = command(spec);
        let env = |id: &str| {
            let arg = command.get_arguments().find(|a| a.get_id() == id).unwrap();
            arg.get_env().map(|name| name.to_str().unwrap().to_owned())
        };
        assert_eq!(env("port"), Some(format!("{prefix}_PORT")));
        assert_eq!(env("message_path"), Some(format!("{prefix}_MESSAGE_PATH")));
        assert_eq!(
            env("allowed_hosts"),
            Some(format!("{prefix}_ALLOWED_HOSTS"))
        );
        assert_eq!(env("log_format"), Some(format!("{prefix}_LOG_FORMAT")));
        for arg in command.get_arguments() {
            assert!(
                arg.get_env().is_some(),
                "--{:?} has no variable",
                arg.get_long()
            );
        }
        let transport = command
            .get_arguments()
            .find(|a| a.get_id() == "transport")
            .unwrap();
        assert!(!transport.is_required_set());
        assert_eq!(
            transport.get_default_values(),
            [spec.transports.default.as_str()]
        );
    }
}
