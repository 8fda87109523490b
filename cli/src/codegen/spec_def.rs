//! The `SPEC` constant of `generated/server.rs`: the server's identity, capabilities, transports, auth and
//! environment as runtime definitions (`mcpgen_runtime::defs`), each written over its `DEFAULT` with only the
//! fields the spec changes (`literal.rs`). The runtime's `app!` adds the lists of tools, resources, templates and
//! prompts from its sections.

use mcpgen_runtime::defs::{
    CapabilitiesDef, HttpDef, HttpLimitsDef, LambdaDef, ServerDef, SseDef, Transport, TransportsDef,
};

use super::literal::Literal;
use super::lower::{json_literal, opt_lit, opt_str_list, str_list};
use super::rust::string_literal;
use crate::spec::model::HttpLimits;
use crate::spec::{Spec, TransportKind};

/// The `Spec { .. }` expression, and the names it uses from `mcpgen_runtime::defs` (for the imports).
pub fn spec_def(
    spec: &Spec,
    completions: bool,
    default_transport: TransportKind,
) -> (String, Vec<&'static str>) {
    let mut used = vec!["Spec"];
    let mut top = Literal::new("Spec", 9).set("server", server(spec).inline());
    used.push("ServerDef");
    let capabilities = capabilities(spec, completions);
    if let Some(capabilities) = capabilities {
        top = top.set("capabilities", capabilities.inline());
        used.push("CapabilitiesDef");
    }
    let (transports, transport_types) = transports(spec, default_transport);
    top = top.set("transports", transports.inline());
    used.extend(transport_types);
    if let Some(auth) = auth(spec) {
        top = top.set("auth", auth.inline());
        used.push("AuthDef");
        if spec.auth.as_ref().is_some_and(|a| a.oauth.is_some()) {
            used.push("OAuthDef");
        }
    }
    if !spec.env.is_empty() {
        let env: Vec<String> = spec
            .env
            .iter()
            .map(|e| {
                format!(
                    "EnvVarDef {{ name: {}, required: {}, default: {} }}",
                    string_literal(&e.name),
                    e.required,
                    opt_lit(e.default.as_deref()),
                )
            })
            .collect();
        top = top.set("env", format!("&[{}]", env.join(", ")));
        used.push("EnvVarDef");
    }
    used.sort_unstable();
    (top.inline(), used)
}

fn server(spec: &Spec) -> Literal {
    let s = &spec.server;
    let d = &ServerDef::DEFAULT;
    Literal::new("ServerDef", 7)
        .set("name", string_literal(&s.name))
        .field("version", s.version.as_str(), d.version, string_literal)
        .some("title", s.title.as_deref().map(some_lit))
        .some("description", s.description.as_deref().map(some_lit))
        .some("instructions", s.instructions.as_deref().map(some_lit))
        .some("website_url", s.website_url.as_deref().map(some_lit))
        .some(
            "icons",
            json_literal(Some(&s.icons).filter(|i| !i.is_empty())).map(|l| format!("Some({l})")),
        )
}

fn some_lit(value: &str) -> String {
    format!("Some({})", string_literal(value))
}

fn flag(value: bool) -> String {
    value.to_string()
}

/// `None` when every capability is the default.
fn capabilities(spec: &Spec, completions: bool) -> Option<Literal> {
    let c = &spec.capabilities;
    let d = &CapabilitiesDef::DEFAULT;
    let literal = Literal::new("CapabilitiesDef", 7)
        .field(
            "tools_list_changed",
            c.tools.list_changed,
            d.tools_list_changed,
            flag,
        )
        .field(
            "resources_subscribe",
            c.resources.subscribe,
            d.resources_subscribe,
            flag,
        )
        .field(
            "resources_list_changed",
            c.resources.list_changed,
            d.resources_list_changed,
            flag,
        )
        .field(
            "prompts_list_changed",
            c.prompts.list_changed,
            d.prompts_list_changed,
            flag,
        )
        .field("logging", c.logging, d.logging, flag)
        .field("completions", completions, d.completions, flag);
    (!literal.is_default()).then_some(literal)
}

fn transports(spec: &Spec, default: TransportKind) -> (Literal, Vec<&'static str>) {
    let t = &spec.transports;
    let mut used = vec!["TransportsDef"];
    let (variant, runtime) = match default {
        TransportKind::Stdio => ("Stdio", Transport::Stdio),
        TransportKind::StreamableHttp => ("StreamableHttp", Transport::StreamableHttp),
        TransportKind::Sse => ("Sse", Transport::Sse),
        TransportKind::Lambda => ("Lambda", Transport::Lambda),
    };
    let d = &TransportsDef::DEFAULT;
    if runtime != d.default {
        used.push("Transport");
    }
    let mut literal = Literal::new("TransportsDef", 5)
        .field("default", runtime, d.default, |_| {
            format!("Transport::{variant}")
        })
        .field("stdio", t.stdio.is_some(), d.stdio, flag);
    if let Some(h) = &t.streamable_http {
        let d = &HttpDef::DEFAULT;
        let store = h.session_store.as_ref();
        let http = Literal::new("HttpDef", 14)
            .field("host", h.host.as_str(), d.host, string_literal)
            .field("port", h.port, d.port, |p| p.to_string())
            .field("path", h.path.as_str(), d.path, string_literal)
            .field("stateful", h.stateful, d.stateful, flag)
            .field("json_response", h.json_response, d.json_response, flag)
            .guards(
                (h.allowed_hosts.as_ref(), h.allowed_origins.as_ref()),
                (h.request_timeout, d.request_timeout_secs),
                (h.max_body_bytes, d.max_body_bytes),
            )
            .field(
                "session_idle_timeout_secs",
                h.session_idle_timeout,
                d.session_idle_timeout_secs,
                |v| v.to_string(),
            )
            .some("redis_url_env", store.map(|s| some_lit(&s.redis_url_env)))
            .some(
                "redis_key_prefix",
                store.and_then(|s| s.key_prefix.as_deref()).map(some_lit),
            )
            .some(
                "metrics",
                h.metrics.as_ref().map(|m| {
                    let port = m
                        .port
                        .map_or_else(|| "None".to_owned(), |p| format!("Some({p})"));
                    format!("Some(MetricsDef {{ port: {port} }})")
                }),
            )
            .some("limits", limits(h.limits(), &mut used));
        literal = literal.set("streamable_http", format!("Some({})", http.inline()));
        used.push("HttpDef");
        if h.metrics.is_some() {
            used.push("MetricsDef");
        }
    }
    if let Some(s) = &t.sse {
        let d = &SseDef::DEFAULT;
        let sse = Literal::new("SseDef", 9)
            .field("host", s.host.as_str(), d.host, string_literal)
            .field("port", s.port, d.port, |p| p.to_string())
            .field("path", s.path.as_str(), d.path, string_literal)
            .field(
                "message_path",
                s.message_path.as_str(),
                d.message_path,
                string_literal,
            )
            .guards(
                (s.allowed_hosts.as_ref(), s.allowed_origins.as_ref()),
                (s.request_timeout, d.request_timeout_secs),
                (s.max_body_bytes, d.max_body_bytes),
            )
            .some("limits", limits(s.limits(), &mut used));
        literal = literal.set("sse", format!("Some({})", sse.inline()));
        used.push("SseDef");
    }
    if let Some(l) = &t.lambda {
        let d = &LambdaDef::DEFAULT;
        let lambda = Literal::new("LambdaDef", 5)
            .field("path", l.path.as_str(), d.path, string_literal)
            .guards(
                (l.allowed_hosts.as_ref(), l.allowed_origins.as_ref()),
                (l.request_timeout, d.request_timeout_secs),
                (l.max_body_bytes, d.max_body_bytes),
            );
        literal = literal.set("lambda", format!("Some({})", lambda.inline()));
        used.push("LambdaDef");
    }
    (literal, used)
}

/// `Some(&[..])` for a list the spec sets (the default, `None`, means loopback only).
fn opt_list(values: Option<&Vec<String>>) -> Option<String> {
    values.map(|v| opt_str_list(Some(v)))
}

/// The request guards every HTTP transport has.
trait Guards {
    /// `allowed_hosts` and `allowed_origins` when the spec lists them; `request_timeout_secs` and
    /// `max_body_bytes` as (spec, runtime default).
    fn guards(
        self,
        lists: (Option<&Vec<String>>, Option<&Vec<String>>),
        timeout: (u64, u64),
        body: (u64, u64),
    ) -> Self;
}

impl Guards for Literal {
    fn guards(
        self,
        (hosts, origins): (Option<&Vec<String>>, Option<&Vec<String>>),
        timeout: (u64, u64),
        body: (u64, u64),
    ) -> Self {
        self.some("allowed_hosts", opt_list(hosts))
            .some("allowed_origins", opt_list(origins))
            .field("request_timeout_secs", timeout.0, timeout.1, |v| {
                v.to_string()
            })
            .field("max_body_bytes", body.0, body.1, |v| v.to_string())
    }
}

/// The `HttpLimitsDef` when some bound differs from the default.
fn limits(l: HttpLimits, used: &mut Vec<&'static str>) -> Option<String> {
    let d = &HttpLimitsDef::DEFAULT;
    let number = |v: u64| v.to_string();
    let literal = Literal::new("HttpLimitsDef", 6)
        .field(
            "header_read_timeout_secs",
            l.header_read_timeout,
            d.header_read_timeout_secs,
            number,
        )
        .field(
            "idle_timeout_secs",
            l.idle_timeout,
            d.idle_timeout_secs,
            number,
        )
        .field(
            "max_connections",
            l.max_connections,
            d.max_connections,
            number,
        )
        .field("max_sessions", l.max_sessions, d.max_sessions, number)
        .field(
            "max_sessions_per_principal",
            l.max_sessions_per_principal,
            d.max_sessions_per_principal,
            number,
        )
        .field(
            "max_session_bytes",
            l.max_session_bytes,
            d.max_session_bytes,
            number,
        );
    (!literal.is_default()).then(|| {
        if !used.contains(&"HttpLimitsDef") {
            used.push("HttpLimitsDef");
        }
        literal.inline()
    })
}

/// `None` without auth.
fn auth(spec: &Spec) -> Option<Literal> {
    let auth = spec.auth.as_ref();
    // `AuthDef::DEFAULT` has no bearer token, no OAuth and no tool scopes: each is set when the spec has it.
    let bearer = auth.and_then(|a| a.bearer.as_ref());
    let oauth = auth.and_then(|a| a.oauth.as_ref()).map(|o| {
        format!(
            "Some(OAuthDef {{ authorization_servers: {}, audience: {}, jwks_uri: {}, \
             scopes: {}, algorithms: {} }})",
            str_list(&o.authorization_servers),
            string_literal(&o.audience),
            string_literal(&o.jwks_uri),
            str_list(&o.scopes),
            str_list(&o.algorithms),
        )
    });
    let scopes: Vec<String> = spec
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
    let literal = Literal::new("AuthDef", 3)
        .some("bearer_token_env", bearer.map(|b| some_lit(&b.token_env)))
        .some("oauth", oauth)
        .some(
            "tool_scopes",
            (!scopes.is_empty()).then(|| format!("&[{}]", scopes.join(", "))),
        );
    (!literal.is_default()).then_some(literal)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn spec_def_of(yaml: &str) -> String {
        let loaded = crate::pipeline::load_spec_str(Path::new("t.yaml"), yaml)
            .unwrap_or_else(|e| panic!("invalid spec: {e:?}"));
        super::super::lower::lower(&loaded.spec, "t.yaml")
            .unwrap()
            .spec_def
    }

    // The runtime's `DEFAULT`s are the spec's defaults: a spec that leaves every transport option out gets the
    // bare constants, so a drift between the two shows here (and would put every default back in every crate).
    #[test]
    fn a_spec_of_defaults_names_only_the_runtime_defaults() {
        let def = spec_def_of(
            "mcpgen: 1\nserver: {name: t}\ntransports: {stdio: {}, streamable-http: {}, sse: {port: 8001}, lambda: {}}\n",
        );
        assert_eq!(
            def,
            "Spec { server: ServerDef { name: \"t\", ..ServerDef::DEFAULT }, transports: TransportsDef { \
             stdio: true, streamable_http: Some(HttpDef::DEFAULT), sse: Some(SseDef { port: 8001, ..SseDef::DEFAULT }), \
             lambda: Some(LambdaDef::DEFAULT), ..TransportsDef::DEFAULT }, ..Spec::DEFAULT }"
        );
    }

    #[test]
    fn what_the_spec_changes_is_written_over_the_default() {
        let def = spec_def_of(
            "mcpgen: 1\nserver: {name: t, version: 2.0.0}\ncapabilities: {logging: true}\n\
             transports: {streamable-http: {port: 9000, maxSessions: 5}}\n\
             auth: {bearer: {tokenEnv: TOKEN}}\n",
        );
        for part in [
            "ServerDef { name: \"t\", version: \"2.0.0\", ..ServerDef::DEFAULT }",
            "capabilities: CapabilitiesDef { logging: true, ..CapabilitiesDef::DEFAULT }",
            "default: Transport::StreamableHttp",
            "HttpDef { port: 9000, limits: HttpLimitsDef { max_sessions: 5, ..HttpLimitsDef::DEFAULT }, \
             ..HttpDef::DEFAULT }",
            "auth: AuthDef { bearer_token_env: Some(\"TOKEN\"), ..AuthDef::DEFAULT }",
        ] {
            assert!(def.contains(part), "{part} missing from {def}");
        }
    }
}
