//! Keeping credentials out of logs and errors: URLs are printed without their userinfo (`user:password@`), and a
//! URL that holds a secret is kept in a type whose `Debug` shows only the redacted form.

use std::borrow::Cow;
use std::fmt;

/// `url` with its userinfo replaced by `***` (`redis://***@cache:6379/0`); unchanged when it has none. Works on
/// any `scheme://authority...` text, even one that does not parse as a URL, since parse errors print it too.
pub(crate) fn url(url: &str) -> Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    match url[start..authority_end].rfind('@') {
        Some(at) => Cow::Owned(format!("{}***{}", &url[..start], &url[start + at..])),
        None => Cow::Borrowed(url),
    }
}

/// A URL that may carry a password (a Redis URL from the environment). `Debug` prints it redacted; only
/// [`expose`](Self::expose) gives the real text, to the code that connects.
#[derive(Clone)]
pub(crate) struct SecretUrl(String);

impl SecretUrl {
    pub(crate) fn new(url: String) -> Self {
        SecretUrl(url)
    }

    /// The URL itself (only the Redis store and the JWKS fetch use it).
    #[cfg_attr(not(any(feature = "redis", feature = "oauth")), allow(dead_code))]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", url(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(
            url("redis://app:s3cr:et@cache:6380/2"),
            "redis://***@cache:6380/2"
        );
        assert_eq!(url("redis://:pw@cache"), "redis://***@cache");
        // The last `@` of the authority ends the userinfo; an `@` in the path is not userinfo.
        assert_eq!(
            url("https://u:p@ss@issuer.example/keys?x=a@b"),
            "https://***@issuer.example/keys?x=a@b"
        );
        assert_eq!(
            url("https://issuer.example/a@b"),
            "https://issuer.example/a@b"
        );
        assert_eq!(url("redis://cache:6379/x"), "redis://cache:6379/x");
        assert_eq!(url("user:pw@host"), "***@host");
        let secret = SecretUrl::new("redis://:hunter2@cache".into());
        assert_eq!(format!("{secret:?}"), "\"redis://***@cache\"");
        assert_eq!(secret.expose(), "redis://:hunter2@cache");
    }
}
