//! Who is calling, as far as sessions care: with auth on, a session belongs to the principal that created
//! it, and requests from any other principal are refused as if the session did not exist.
//!
//! OAuth: the token's issuer and subject (tokens without a subject: the token itself); bearer: the token.
//! Either way only a SHA-256 digest is kept, domain-separated from the digests `auth.rs` compares, so
//! neither a token nor a subject sits in memory or in the shared session store.

use axum::http::{Extensions, HeaderMap};
use sha2::{Digest as _, Sha256};

use super::auth::{Auth, bearer_token};
use super::claims::Claims;

/// A principal's digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Principal([u8; 32]);

impl Principal {
    /// The principal of an authenticated request (after the auth layer ran); `None` without auth.
    pub(crate) fn of(auth: &Auth, headers: &HeaderMap, extensions: &Extensions) -> Option<Self> {
        if matches!(auth, Auth::None) {
            return None;
        }
        let claims = extensions.get::<Claims>();
        let issuer = claims.and_then(|c| c.get("iss")).and_then(|v| v.as_str());
        let subject = claims.and_then(Claims::subject);
        match (issuer, subject) {
            (Some(issuer), Some(subject)) => Some(Self::digest(&[
                b"oauth",
                issuer.as_bytes(),
                subject.as_bytes(),
            ])),
            _ => bearer_token(headers).map(|token| Self::digest(&[b"token", token.as_bytes()])),
        }
    }

    /// Each part length-prefixed, so no two lists of parts share a digest.
    fn digest(parts: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"mcpgen session owner");
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Principal(hasher.finalize().into())
    }

    /// A digest no request has (all zeros): the owner of a record whose owner cannot be read.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn unmatchable() -> Self {
        Principal([0; 32])
    }

    /// The digest itself (the owner of a principal's tasks).
    #[cfg_attr(not(feature = "streamable-http"), allow(dead_code))]
    pub(crate) fn bytes(self) -> [u8; 32] {
        self.0
    }

    /// Lower-case hex, as the session store keeps it.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn to_hex(self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub(crate) fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(Principal(bytes))
    }
}

/// Not the digest: it would allow an offline guess of a weak bearer token.
impl std::fmt::Debug for Principal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Principal(..)")
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::http::{HeaderValue, header};

    use super::*;

    fn headers(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        headers
    }

    fn claims(value: serde_json::Value) -> Extensions {
        let mut extensions = Extensions::new();
        extensions.insert(Claims::new(value.as_object().unwrap().clone()));
        extensions
    }

    #[test]
    fn principals_come_from_the_token_or_the_issuer_and_subject() {
        let bearer = Auth::Bearer(Arc::new(crate::auth::BearerTokens::new(&[
            "a".to_owned(),
            "b".to_owned(),
        ])));
        let none = Extensions::new();
        let of = |token: &str, extensions: &Extensions| {
            Principal::of(&bearer, &headers(token), extensions)
        };
        assert_eq!(Principal::of(&Auth::None, &headers("a"), &none), None);
        assert_eq!(of("a", &none), of("a", &none));
        assert_ne!(of("a", &none), of("b", &none));
        // OAuth: two tokens of one subject are one principal; the issuer counts.
        let alice = claims(serde_json::json!({"iss": "https://i", "sub": "alice"}));
        assert_eq!(of("t1", &alice), of("t2", &alice));
        assert_ne!(
            of("t1", &alice),
            of(
                "t1",
                &claims(serde_json::json!({"iss": "https://j", "sub": "alice"}))
            )
        );
        assert_ne!(
            of("t1", &alice),
            of(
                "t1",
                &claims(serde_json::json!({"iss": "https://i", "sub": "bob"}))
            )
        );
        // No subject: the token.
        let anonymous = claims(serde_json::json!({"iss": "https://i"}));
        assert_ne!(of("t1", &anonymous), of("t2", &anonymous));
        // Length prefixes: ("ab", "c") and ("a", "bc") differ.
        assert_ne!(
            of("x", &claims(serde_json::json!({"iss": "ab", "sub": "c"}))),
            of("x", &claims(serde_json::json!({"iss": "a", "sub": "bc"})))
        );
        let principal = of("a", &none).unwrap();
        assert_eq!(Principal::from_hex(&principal.to_hex()), Some(principal));
        assert_eq!(Principal::from_hex("zz"), None);
        assert_eq!(format!("{principal:?}"), "Principal(..)");
    }
}
