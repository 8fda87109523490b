//! A stand-in issuer for OAuth-protected servers, so their HTTP checks run with auth on.
//!
//! verify mints an ES256 key pair for the run, serves its public key as a JWKS from a loopback port, starts
//! the server with `--oauth-jwks-uri` pointing there, and presents a token it signed with the spec's issuer
//! and audience and every scope the spec names (the server's and each tool's). The server checks that token
//! exactly as it checks a real one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::spec::Spec;

/// The key id of the run's key.
const KID: &str = "mcpgen-verify";
/// The token's lifetime: longer than any verify run.
const LIFETIME_SECS: u64 = 3600;
/// A request head larger than this is not a JWKS fetch.
const MAX_HEAD: usize = 16 * 1024;

/// The running key server and the token it vouches for; the server stops when this is dropped.
pub struct TestIssuer {
    /// `http://127.0.0.1:PORT/jwks.json`.
    pub jwks_uri: String,
    /// The signed access token (without `Bearer `).
    pub token: String,
    server: JoinHandle<()>,
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestIssuer {
    /// `Ok(None)` when the spec asks for no OAuth; `Err` says why verify cannot stand in for its issuer.
    pub async fn start(spec: &Spec) -> Result<Option<Self>, String> {
        let Some(oauth) = spec.auth.as_ref().and_then(|a| a.oauth.as_ref()) else {
            return Ok(None);
        };
        if !oauth.algorithms.iter().any(|a| a == "ES256") {
            return Err(format!(
                "OAuth-protected and ES256 is not among auth.oauth.algorithms ({}): verify signs its test \
                 tokens with ES256",
                oauth.algorithms.join(", ")
            ));
        }
        let issuer = oauth
            .authorization_servers
            .first()
            .ok_or("auth.oauth.authorizationServers is empty")?;
        let mut scopes: Vec<&str> = oauth.scopes.iter().map(String::as_str).collect();
        for scope in spec.tools.iter().flat_map(|t| &t.required_scopes) {
            if !scopes.contains(&scope.as_str()) {
                scopes.push(scope);
            }
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = json!({
            "iss": issuer,
            "aud": oauth.audience,
            "sub": "mcpgen-verify",
            "scope": scopes.join(" "),
            "iat": now,
            "exp": now + LIFETIME_SECS,
        });
        let (token, jwks) = mint(&claims)?;
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot open the test JWKS server: {e}"))?;
        let address = listener
            .local_addr()
            .map_err(|e| format!("cannot open the test JWKS server: {e}"))?;
        Ok(Some(TestIssuer {
            jwks_uri: format!("http://{address}/jwks.json"),
            token,
            server: tokio::spawn(serve(listener, jwks.to_string())),
        }))
    }
}

/// A fresh P-256 key: the compact JWS of `claims` signed with it, and the JWKS holding its public half.
fn mint(claims: &Value) -> Result<(String, Value), String> {
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
        .map_err(|_| "cannot generate a test signing key".to_owned())?;
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": KID});
    let encode = |value: &Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let signing_input = format!("{}.{}", encode(&header), encode(claims));
    let signature = key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .map_err(|_| "cannot sign the test token".to_owned())?;
    let token = format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    );
    // The public key is the uncompressed point: 0x04, then x and y, 32 bytes each.
    let point = key.public_key().as_ref();
    let (x, y) = point[1..].split_at(32);
    let jwks = json!({"keys": [{
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": KID,
        "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
    }]});
    Ok((token, jwks))
}

/// Answers every request with the key set (the server under test only ever GETs it).
async fn serve(listener: TcpListener, jwks: String) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let jwks = jwks.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer));
                match read.await {
                    Ok(Ok(n)) if n > 0 && head.len() + n <= MAX_HEAD => {
                        head.extend_from_slice(&buffer[..n])
                    }
                    _ => return,
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{jwks}",
                jwks.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn the_token_verifies_with_the_served_key() {
        let claims = json!({"iss": "https://issuer.test", "aud": "https://mcp.test/mcp", "scope": "mcp admin"});
        let (token, jwks) = mint(&claims).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts[..] else {
            panic!("three parts: {token}")
        };
        let decode = |part: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        assert_eq!(decode(header)["alg"], "ES256");
        assert_eq!(decode(header)["kid"], jwks["keys"][0]["kid"]);
        assert_eq!(decode(payload), claims);
        let key = &jwks["keys"][0];
        let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(key[name].as_str().unwrap()).unwrap();
        let mut point = vec![4u8];
        point.extend(coordinate("x"));
        point.extend(coordinate("y"));
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
        let signed = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        assert!(public.verify(signed.as_bytes(), &signature).is_ok());
        assert!(public.verify(b"something else", &signature).is_err());
    }

    #[tokio::test]
    async fn the_issuer_takes_the_specs_claims_and_serves_its_keys() {
        let spec = crate::pipeline::load_spec_str(
            std::path::Path::new("/nonexistent/s.yaml"),
            "mcpgen: 1\nserver: {name: s}\ntools:\n  - name: admin_op\n    requiredScopes: [admin]\n\
             transports:\n  streamable-http: {}\nauth:\n  oauth:\n    authorizationServers: [https://issuer.test]\n    \
             audience: https://mcp.test/mcp\n    jwksUri: https://issuer.test/jwks\n    scopes: [mcp]\n",
        )
        .unwrap()
        .spec;
        let issuer = TestIssuer::start(&spec).await.unwrap().unwrap();
        let payload = issuer.token.split('.').nth(1).unwrap();
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["iss"], "https://issuer.test");
        assert_eq!(claims["aud"], "https://mcp.test/mcp");
        assert_eq!(claims["scope"], "mcp admin");
        let served: Value = reqwest::get(&issuer.jwks_uri)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(served["keys"][0]["kty"], "EC");
    }
}
