//! The validated claims of an OAuth access token, for handlers: `ctx.claims()`.

use serde_json::{Map, Value};

use super::context::Ctx;

/// The claims of the caller's access token, after the signature, issuer, audience and lifetime were
/// checked. Present only on HTTP requests authenticated with OAuth.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

impl Claims {
    /// Wraps a token's validated claims.
    pub fn new(claims: Map<String, Value>) -> Self {
        Claims(claims)
    }

    /// Any claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The `sub` claim: who the token was issued to.
    pub fn subject(&self) -> Option<&str> {
        self.0.get("sub").and_then(Value::as_str)
    }

    /// The granted scopes, from `scope` (space-separated, RFC 8693/9068) or `scp` (a list).
    pub fn scopes(&self) -> Vec<&str> {
        match (self.0.get("scope"), self.0.get("scp")) {
            (Some(Value::String(scope)), _) => scope.split_whitespace().collect(),
            (_, Some(Value::Array(list))) => list.iter().filter_map(Value::as_str).collect(),
            (_, Some(Value::String(scp))) => scp.split_whitespace().collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().contains(&scope)
    }

    /// Every claim.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

/// `ctx.claims()` for handlers (in the prelude).
pub trait CtxClaims {
    /// The caller's validated token claims; `None` without OAuth or outside HTTP.
    fn claims(&self) -> Option<&Claims>;
}

impl<S> CtxClaims for Ctx<S> {
    fn claims(&self) -> Option<&Claims> {
        self.http()?.extensions.get::<Claims>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(value: Value) -> Claims {
        Claims::new(value.as_object().unwrap().clone())
    }

    #[test]
    fn scopes_come_from_scope_or_scp() {
        let c = claims(serde_json::json!({"sub": "alice", "scope": "read  write"}));
        assert_eq!(c.scopes(), ["read", "write"]);
        assert!(c.has_scope("write"));
        assert!(!c.has_scope("admin"));
        assert_eq!(c.subject(), Some("alice"));
        let c = claims(serde_json::json!({"scp": ["a", "b"]}));
        assert_eq!(c.scopes(), ["a", "b"]);
        assert!(claims(serde_json::json!({})).scopes().is_empty());
    }
}
