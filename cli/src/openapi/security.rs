//! Security schemes to an HTTP tool's `auth`, with the credentials in environment variables named after the
//! scheme. An operation's requirement (or the document's) lists alternatives; the first one mcpgen can send is
//! used. Cookies, HTTP schemes other than bearer and basic, mutual TLS and requirements that combine several
//! schemes are reported, not guessed at. OAuth 2 and OpenID Connect flows are not run: the server sends a token
//! the user provides.

use indexmap::IndexMap;
use serde_json::Value;

use super::Warnings;
use super::refs::{follow, join};
use crate::spec::{ApiKeyLocation, EnvVar, HttpApiKey, HttpAuth, HttpBasic, HttpBearer};

/// The document's security schemes, each lowered once (with its warning, if any, given once).
pub struct Security {
    schemes: IndexMap<String, Option<Scheme>>,
}

#[derive(Clone)]
struct Scheme {
    auth: HttpAuth,
    env: Vec<EnvVar>,
}

impl Security {
    pub fn new(doc: &Value, env_prefix: &str, warnings: &mut Warnings) -> Self {
        let mut schemes = IndexMap::new();
        if let Some(map) = doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
        {
            for (name, scheme) in map {
                let at = join("/components/securitySchemes", &[name]);
                let lowered = match follow(doc, scheme, at.clone()) {
                    Ok((scheme, _)) => lower(name, scheme, env_prefix, &at, warnings),
                    Err(message) => {
                        warnings.push(&at, message);
                        None
                    }
                };
                schemes.insert(name.clone(), lowered);
            }
        }
        Security { schemes }
    }

    /// The auth for a requirement list (`security:` of the operation, else of the document) and the variables it
    /// reads. `None` when no credentials are needed or none can be sent (then a warning says so).
    pub fn auth(
        &self,
        requirements: Option<&Value>,
        pointer: &str,
        warnings: &mut Warnings,
    ) -> Option<(HttpAuth, Vec<EnvVar>)> {
        let alternatives = requirements?.as_array()?;
        let names = |r: &Value| -> Vec<String> {
            r.as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        // An empty requirement makes credentials optional: send none rather than fail without them.
        if alternatives.is_empty() || alternatives.iter().any(|r| names(r).is_empty()) {
            return None;
        }
        for requirement in alternatives {
            let names = names(requirement);
            if let Some(first) = names.iter().find_map(|n| self.schemes.get(n)?.as_ref()) {
                if names.len() > 1 {
                    warnings.push(
                        pointer,
                        format!(
                            "the operation needs the schemes {} together; only one is sent ({})",
                            names.join(" + "),
                            first
                                .env
                                .iter()
                                .map(|e| e.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                return Some((first.auth.clone(), first.env.clone()));
            }
        }
        warnings.push(
            pointer,
            "none of the operation's security schemes can be sent: the call goes without credentials",
        );
        None
    }
}

fn lower(
    name: &str,
    scheme: &Value,
    prefix: &str,
    at: &str,
    warnings: &mut Warnings,
) -> Option<Scheme> {
    let var = |suffix: &str| {
        let base = super::names::env_name(&format!("{prefix}_{name}"));
        if suffix.is_empty() {
            base
        } else {
            format!("{base}_{suffix}")
        }
    };
    let secret = |name: String, description: String| EnvVar {
        name,
        description: Some(description),
        required: false,
        secret: true,
        default: None,
    };
    let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("");
    let http_scheme = scheme
        .get("scheme")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let bearer = |description: String| {
        let env = var("TOKEN");
        Scheme {
            auth: HttpAuth {
                bearer: Some(HttpBearer { env: env.clone() }),
                basic: None,
                api_key: None,
            },
            env: vec![secret(env, description)],
        }
    };
    match (kind, http_scheme.as_str()) {
        ("http", "bearer") => Some(bearer(format!("Bearer token for the `{name}` scheme"))),
        ("http", "basic") => {
            let (user, password) = (var("USERNAME"), var("PASSWORD"));
            Some(Scheme {
                auth: HttpAuth {
                    bearer: None,
                    basic: Some(HttpBasic {
                        username_env: user.clone(),
                        password_env: password.clone(),
                    }),
                    api_key: None,
                },
                env: vec![
                    secret(user, format!("User name for the `{name}` scheme")),
                    secret(password, format!("Password for the `{name}` scheme")),
                ],
            })
        }
        ("apiKey", _) => {
            let key_name = scheme.get("name").and_then(Value::as_str).unwrap_or("");
            let location = match scheme.get("in").and_then(Value::as_str) {
                Some("header") => ApiKeyLocation::Header,
                Some("query") => ApiKeyLocation::Query,
                other => {
                    warnings.push(
                        at,
                        format!(
                            "API key in {}: not supported (header and query are); operations needing only it are sent without credentials",
                            other.unwrap_or("an unknown place")
                        ),
                    );
                    return None;
                }
            };
            let env = var("");
            Some(Scheme {
                auth: HttpAuth {
                    bearer: None,
                    basic: None,
                    api_key: Some(HttpApiKey {
                        env: env.clone(),
                        location,
                        name: key_name.to_owned(),
                    }),
                },
                env: vec![secret(
                    env,
                    format!("API key for the `{name}` scheme ({key_name})"),
                )],
            })
        }
        ("oauth2" | "openIdConnect", _) => {
            let lowered = bearer(format!(
                "Access token for the `{name}` scheme (obtain it yourself; the server runs no {kind} flow)"
            ));
            warnings.push(
                at,
                format!(
                    "{kind} flows are not run: the server sends the token in {} as a bearer token",
                    lowered.env[0].name
                ),
            );
            Some(lowered)
        }
        _ => {
            let what = if kind == "http" {
                format!("HTTP `{http_scheme}`")
            } else {
                format!("`{kind}`")
            };
            warnings.push(
                at,
                format!("{what} authentication is not supported: operations needing only it are sent without credentials"),
            );
            None
        }
    }
}
