//! The authorization server's signing keys (its JWKS), fetched and cached for `oauth.rs`.
//!
//! Keys expire: a set is trusted for the `Cache-Control: max-age` of the response that brought it (minus its
//! `Age`), clamped to [`Policy`]'s bounds, and refetched on demand once expired, so a key the issuer removes
//! stops being accepted within that lifetime. An unknown `kid` refetches too, at most once per
//! `refetch_interval`. When a refetch fails, the last good set is kept for a bounded grace period, then nothing
//! is trusted until a fetch succeeds. The fetch follows redirects only within the same host (and never from
//! https to http) and reads at most `max_body` bytes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use reqwest::Url;
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::redact::{self, SecretUrl};

/// Redirects followed at most, all within the first URL's host.
const MAX_REDIRECTS: usize = 5;

/// How long key sets are kept and how often they may be fetched.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Lifetime of a set whose response has no `max-age`.
    pub(crate) default_ttl: Duration,
    /// Bounds on a response's `max-age` (`no-cache` and `no-store` count as 0).
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    /// How long past its expiry the last good set is still used while refetches fail.
    pub(crate) grace: Duration,
    /// Fetches start at most this often, whatever the tokens presented (unknown `kid`s, expiry, failures).
    pub(crate) refetch_interval: Duration,
    /// Largest JWKS document read.
    pub(crate) max_body: usize,
}

impl Policy {
    /// The runtime's settings (docs/spec.md, `auth.oauth`).
    pub(crate) const DEFAULT: Policy = Policy {
        default_ttl: Duration::from_secs(5 * 60),
        // The same as the refetch limit: a set never expires faster than it may be refetched.
        min_ttl: Duration::from_secs(10),
        max_ttl: Duration::from_secs(24 * 60 * 60),
        grace: Duration::from_secs(60 * 60),
        refetch_interval: Duration::from_secs(10),
        max_body: 1024 * 1024,
    };
}

/// The issuer's keys, fetched from `uri` when needed.
#[derive(Debug)]
pub(crate) struct KeyCache {
    /// May carry credentials (`https://user:password@…`): logged redacted.
    uri: SecretUrl,
    client: reqwest::Client,
    policy: Policy,
    cached: RwLock<Cached>,
    /// When the last fetch started; also serialises fetches.
    last_attempt: Mutex<Option<Instant>>,
    /// Tests move the clock forward instead of sleeping.
    #[cfg(test)]
    skew: std::sync::Mutex<Duration>,
}

#[derive(Debug, Default)]
struct Cached {
    keys: KeySet,
    /// From when a request that finds its key also starts a refetch in the background (three quarters of the
    /// set's lifetime), so that while the issuer answers, a set is replaced before it expires and no request
    /// waits for a fetch.
    refresh_after: Option<Instant>,
    /// Until when the set is used without a refetch (`None`: never fetched).
    fresh_until: Option<Instant>,
    /// Until when it is used at all, refetch failing.
    trusted_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct KeySet {
    by_kid: HashMap<String, DecodingKey>,
    without_kid: Vec<DecodingKey>,
}

impl KeyCache {
    pub(crate) fn new(uri: &str, policy: Policy) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(redirect_policy())
            .build()
            .map_err(|e| format!("cannot build the JWKS client: {}", describe(e)))?;
        Ok(KeyCache {
            uri: SecretUrl::new(uri.to_owned()),
            client,
            policy,
            cached: RwLock::default(),
            last_attempt: Mutex::new(None),
            #[cfg(test)]
            skew: std::sync::Mutex::default(),
        })
    }

    /// The keys that may have signed a token with this `kid` (every key when it has none); the error says why
    /// there are none.
    pub(crate) async fn keys_for(
        self: &Arc<Self>,
        kid: Option<&str>,
    ) -> Result<Vec<DecodingKey>, &'static str> {
        if let Some((found, refresh)) = self.fresh_lookup(kid).await {
            if refresh {
                let this = Arc::clone(self);
                tokio::spawn(async move {
                    // Skipped when a fetch is already running; the interval check below applies too.
                    if let Ok(mut last_attempt) = this.last_attempt.try_lock() {
                        this.refetch(&mut last_attempt).await;
                    }
                });
            }
            return Ok(found);
        }
        {
            let mut last_attempt = self.last_attempt.lock().await;
            // Another request may have refreshed the set while this one waited.
            if let Some((found, _)) = self.fresh_lookup(kid).await {
                return Ok(found);
            }
            self.refetch(&mut last_attempt).await;
        }
        let cached = self.cached.read().await;
        match cached.trusted_until {
            None => Err("signing keys unavailable"),
            Some(until) if self.now() >= until => {
                Err("signing keys expired and cannot be refetched")
            }
            Some(_) => cached.keys.lookup(kid).ok_or("unknown signing key"),
        }
    }

    /// Fetches and stores the set, unless a fetch started less than the refetch interval ago.
    async fn refetch(&self, last_attempt: &mut Option<Instant>) {
        let now = self.now();
        if last_attempt.is_some_and(|at| now < at + self.policy.refetch_interval) {
            return;
        }
        *last_attempt = Some(now);
        match self.fetch().await {
            Ok((keys, ttl)) => {
                let now = self.now();
                *self.cached.write().await = Cached {
                    keys,
                    refresh_after: Some(now + ttl * 3 / 4),
                    fresh_until: Some(now + ttl),
                    trusted_until: Some(now + ttl + self.policy.grace),
                };
            }
            Err(error) => tracing::warn!(
                jwks_uri = %redact::url(self.uri.expose()),
                %error,
                "cannot fetch the JWKS"
            ),
        }
    }

    /// The keys for `kid` from a set that has not expired, and whether it is due for a background refresh.
    async fn fresh_lookup(&self, kid: Option<&str>) -> Option<(Vec<DecodingKey>, bool)> {
        let cached = self.cached.read().await;
        let now = self.now();
        cached
            .fresh_until
            .filter(|until| now < *until)
            .and_then(|_| cached.keys.lookup(kid))
            .map(|keys| (keys, cached.refresh_after.is_some_and(|at| now >= at)))
    }

    /// The key set and how long it may be used.
    async fn fetch(&self) -> Result<(KeySet, Duration), String> {
        let mut response = self
            .client
            .get(self.uri.expose())
            .send()
            .await
            .map_err(describe)?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP status {status}"));
        }
        let max = self.policy.max_body;
        let too_large = || format!("the JWKS is larger than {max} bytes");
        if response
            .content_length()
            .is_some_and(|length| length > max as u64)
        {
            return Err(too_large());
        }
        let ttl = lifetime(response.headers(), &self.policy);
        // Read piece by piece: a body without a length stops at the limit, not at the end of memory.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(describe)? {
            if body.len() + chunk.len() > max {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let keys = KeySet::parse(&body)?;
        tracing::info!(
            keys = keys.by_kid.len() + keys.without_kid.len(),
            ttl_secs = ttl.as_secs(),
            "fetched the JWKS"
        );
        Ok((keys, ttl))
    }

    fn now(&self) -> Instant {
        Instant::now() + self.skew()
    }

    #[cfg(test)]
    fn skew(&self) -> Duration {
        *self.skew.lock().unwrap()
    }

    #[cfg(not(test))]
    fn skew(&self) -> Duration {
        Duration::ZERO
    }
}

impl KeySet {
    fn parse(body: &[u8]) -> Result<KeySet, String> {
        let document: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let entries = document
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("the JWKS has no `keys` array")?;
        let mut set = KeySet::default();
        for entry in entries {
            // Keys this crate cannot use (other types, encryption keys, symmetric keys) are skipped.
            let Ok(jwk) = serde_json::from_value::<Jwk>(entry.clone()) else {
                continue;
            };
            if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature)
                || matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_))
            {
                continue;
            }
            let Ok(key) = DecodingKey::from_jwk(&jwk) else {
                continue;
            };
            match jwk.common.key_id {
                Some(kid) => {
                    set.by_kid.insert(kid, key);
                }
                None => set.without_kid.push(key),
            }
        }
        Ok(set)
    }

    fn lookup(&self, kid: Option<&str>) -> Option<Vec<DecodingKey>> {
        match kid {
            Some(kid) => self.by_kid.get(kid).map(|key| vec![key.clone()]),
            // No `kid`: try every key (issuers with one key often leave it out).
            None => {
                let all: Vec<DecodingKey> = self
                    .by_kid
                    .values()
                    .chain(&self.without_kid)
                    .cloned()
                    .collect();
                (!all.is_empty()).then_some(all)
            }
        }
    }
}

/// How long a response's key set may be used: its `max-age` less its `Age`, within the policy's bounds.
fn lifetime(headers: &HeaderMap, policy: &Policy) -> Duration {
    let mut max_age = None;
    let directives = headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim);
    for directive in directives {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "no-cache" | "no-store" => max_age = Some(0),
            "max-age" => {
                if let Ok(secs) = value.trim().trim_matches('"').parse::<u64>() {
                    max_age = Some(max_age.map_or(secs, |old: u64| old.min(secs)));
                }
            }
            _ => {}
        }
    }
    let Some(max_age) = max_age else {
        return policy.default_ttl;
    };
    let age = headers
        .get(header::AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    Duration::from_secs(max_age.saturating_sub(age)).clamp(policy.min_ttl, policy.max_ttl)
}

/// Follows a redirect only to the first URL's host, over https or to the first URL's own origin: a JWKS
/// served from elsewhere, or over plain http, is not the issuer's.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let verdict = match attempt.previous().first() {
            _ if attempt.previous().len() > MAX_REDIRECTS => Err("too many redirects".to_owned()),
            Some(first) if may_follow(first, attempt.url()) => Ok(()),
            _ => Err(format!(
                "redirect to {} refused: the JWKS is fetched from its own host, over https",
                redact::url(attempt.url().as_str())
            )),
        };
        match verdict {
            Ok(()) => attempt.follow(),
            Err(error) => attempt.error(error),
        }
    })
}

fn may_follow(first: &Url, next: &Url) -> bool {
    let same_origin = next.scheme() == first.scheme()
        && next.host_str() == first.host_str()
        && next.port_or_known_default() == first.port_or_known_default();
    same_origin || (next.scheme() == "https" && next.host_str() == first.host_str())
}

/// A reqwest error with its causes, without its URL (which may carry credentials).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    use super::*;

    const K1: &str = r#"{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"EyLYnKq7RgN9hKSJG5XenLHQc9GANbdDCkW4jsM6k1I","y":"wfM8Adbv8L9rmaZue7SU3CqCGT0Q68dep6qnfQvgIyo"}"#;
    const K2: &str = r#"{"kty":"EC","crv":"P-256","kid":"k2","use":"sig","x":"aaIX--w36w96cK_Xns1i6UpsGZ2Oi1eiNkuePxZ2vlE","y":"yD1ssxd5acDNc-aamGfagqXpeMw1BAqrqX_ks_55e9s"}"#;

    /// The raw HTTP response to a request for a path.
    type Answer = Box<dyn Fn(&str) -> Vec<u8> + Send>;

    /// A one-response-per-connection HTTP server on 127.0.0.1: `answer(path)` is the raw response; `hits`
    /// counts requests.
    struct TestServer {
        origin: String,
        hits: Arc<AtomicUsize>,
        answer: Arc<std::sync::Mutex<Answer>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl TestServer {
        async fn start(answer: impl Fn(&str) -> Vec<u8> + Send + 'static) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
            let hits = Arc::new(AtomicUsize::new(0));
            let answer: Arc<std::sync::Mutex<Answer>> =
                Arc::new(std::sync::Mutex::new(Box::new(answer)));
            let task = tokio::spawn({
                let (hits, answer) = (hits.clone(), answer.clone());
                async move {
                    while let Ok((mut stream, _)) = listener.accept().await {
                        let mut request = Vec::new();
                        let mut buffer = [0; 4096];
                        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut buffer).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => request.extend_from_slice(&buffer[..n]),
                            }
                        }
                        hits.fetch_add(1, Ordering::SeqCst);
                        let text = String::from_utf8_lossy(&request);
                        let path = text.split(' ').nth(1).unwrap_or("/").to_owned();
                        let response = (answer.lock().unwrap())(&path);
                        let _ = stream.write_all(&response).await;
                        let _ = stream.shutdown().await;
                    }
                }
            });
            TestServer {
                origin,
                hits,
                answer,
                task,
            }
        }

        fn answer(&self, answer: impl Fn(&str) -> Vec<u8> + Send + 'static) {
            *self.answer.lock().unwrap() = Box::new(answer);
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }
    }

    impl Drop for TestServer {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    fn ok(extra_headers: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn jwks(keys: &[&str]) -> String {
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    }

    fn cache(uri: &str) -> Arc<KeyCache> {
        Arc::new(KeyCache::new(uri, Policy::DEFAULT).unwrap())
    }

    /// An issuer serving `K1` with `headers`, and a cache of its key set that has fetched it once.
    async fn cached_k1(headers: &'static str) -> (TestServer, Arc<KeyCache>) {
        let server = TestServer::start(move |_| ok(headers, &jwks(&[K1]))).await;
        let cache = cache(&format!("{}/jwks.json", server.origin));
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        (server, cache)
    }

    impl KeyCache {
        fn advance(&self, by: Duration) {
            *self.skew.lock().unwrap() += by;
        }
    }

    #[test]
    fn lifetime_honours_max_age_within_bounds() {
        let policy = Policy::DEFAULT;
        let with = |pairs: &[(&str, &str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.append(
                    header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                    value.parse().unwrap(),
                );
            }
            lifetime(&headers, &policy)
        };
        let secs = Duration::from_secs;
        assert_eq!(with(&[]), policy.default_ttl);
        assert_eq!(with(&[("cache-control", "public, max-age=600")]), secs(600));
        assert_eq!(with(&[("cache-control", "Max-Age=\"120\"")]), secs(120));
        assert_eq!(
            with(&[("cache-control", "max-age=600"), ("age", "500")]),
            secs(100)
        );
        assert_eq!(with(&[("cache-control", "max-age=1")]), policy.min_ttl);
        assert_eq!(
            with(&[("cache-control", "max-age=600, no-cache")]),
            policy.min_ttl
        );
        assert_eq!(
            with(&[("cache-control", "max-age=99999999")]),
            policy.max_ttl
        );
        assert_eq!(
            with(&[("cache-control", "max-age=soon")]),
            policy.default_ttl
        );
    }

    #[test]
    fn redirects_stay_on_the_issuers_host_and_on_https() {
        let url = |s: &str| Url::parse(s).unwrap();
        let https = url("https://issuer.example/jwks");
        assert!(may_follow(&https, &url("https://issuer.example/v2/jwks")));
        assert!(!may_follow(&https, &url("http://issuer.example/jwks")));
        assert!(!may_follow(&https, &url("https://evil.example/jwks")));
        assert!(!may_follow(
            &https,
            &url("https://issuer.example.evil/jwks")
        ));
        let local = url("http://127.0.0.1:8080/jwks");
        assert!(may_follow(&local, &url("http://127.0.0.1:8080/keys")));
        assert!(may_follow(&local, &url("https://127.0.0.1/keys")));
        assert!(!may_follow(&local, &url("http://127.0.0.1:9090/keys")));
        assert!(!may_follow(&local, &url("http://localhost:8080/keys")));
    }

    /// A key the issuer removes is refused once the set's max-age has passed, not trusted for ever.
    #[tokio::test]
    async fn a_removed_key_is_refused_after_the_sets_lifetime() {
        let (server, cache) = cached_k1("Cache-Control: max-age=60\r\n").await;
        server.answer(|_| ok("Cache-Control: max-age=60\r\n", &jwks(&[K2])));
        // Fresh: served from the cache without a fetch.
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        assert_eq!(server.hits(), 1);
        cache.advance(Duration::from_secs(61));
        assert_eq!(
            cache.keys_for(Some("k1")).await.err(),
            Some("unknown signing key")
        );
        assert!(cache.keys_for(Some("k2")).await.is_ok());
        assert_eq!(server.hits(), 2);
    }

    /// A set in the last quarter of its lifetime is replaced in the background by the request that uses it, so
    /// the set in use never expires while the issuer answers (and no request waits for the fetch).
    #[tokio::test]
    async fn a_set_near_its_expiry_is_refreshed_in_the_background() {
        let (server, cache) = cached_k1("Cache-Control: max-age=60\r\n").await;
        server.answer(|_| ok("Cache-Control: max-age=60\r\n", &jwks(&[K2])));
        cache.advance(Duration::from_secs(30));
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        assert_eq!(server.hits(), 1, "half-way: no refresh yet");
        cache.advance(Duration::from_secs(20));
        // Answered from the current set at once; the refresh runs behind it.
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        for _ in 0..500 {
            if server.hits() == 2 && cache.fresh_lookup(Some("k2")).await.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(server.hits(), 2, "refreshed in the background");
        // Past the first set's expiry: the new one is fresh, so no request fetched again.
        cache.advance(Duration::from_secs(15));
        assert!(cache.keys_for(Some("k2")).await.is_ok());
        assert_eq!(server.hits(), 2);
        assert_eq!(
            cache.keys_for(Some("k1")).await.err(),
            Some("unknown signing key")
        );
    }

    /// An issuer that stops answering: the last good set serves through the grace period, then nothing does.
    #[tokio::test]
    async fn a_failed_refetch_keeps_the_last_set_for_the_grace_period_only() {
        let (server, cache) = cached_k1("Cache-Control: max-age=60\r\n").await;
        server.answer(|_| {
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        });
        cache.advance(Duration::from_secs(61));
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        assert_eq!(server.hits(), 2);
        // Refetches stay rate-limited while the issuer is down.
        assert!(cache.keys_for(Some("k1")).await.is_ok());
        assert_eq!(server.hits(), 2);
        cache.advance(Policy::DEFAULT.grace);
        assert_eq!(
            cache.keys_for(Some("k1")).await.err(),
            Some("signing keys expired and cannot be refetched")
        );
        assert_eq!(server.hits(), 3);
    }

    #[tokio::test]
    async fn unknown_kids_refetch_at_most_once_per_interval() {
        let (server, cache) = cached_k1("").await;
        for _ in 0..5 {
            assert!(cache.keys_for(Some("nope")).await.is_err());
        }
        assert_eq!(server.hits(), 1);
        server.answer(|_| ok("", &jwks(&[K1, K2])));
        cache.advance(Policy::DEFAULT.refetch_interval);
        assert!(cache.keys_for(Some("k2")).await.is_ok());
        assert_eq!(server.hits(), 2);
    }

    #[tokio::test]
    async fn a_redirect_to_another_host_is_not_followed() {
        let elsewhere = TestServer::start(|_| ok("", &jwks(&[K1]))).await;
        let port = elsewhere.origin.rsplit(':').next().unwrap().to_owned();
        let issuer = TestServer::start(move |path| {
            let location = match path {
                // Same origin: followed.
                "/old" => "/jwks.json".to_owned(),
                "/jwks.json" => return ok("", &jwks(&[K2])),
                _ => format!("http://localhost:{port}/jwks.json"),
            };
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .into_bytes()
        })
        .await;
        let moved = cache(&format!("{}/moved", issuer.origin));
        assert_eq!(
            moved.keys_for(Some("k1")).await.err(),
            Some("signing keys unavailable")
        );
        assert_eq!(elsewhere.hits(), 0);
        let old = cache(&format!("{}/old", issuer.origin));
        assert!(old.keys_for(Some("k2")).await.is_ok());
    }

    #[tokio::test]
    async fn an_oversized_jwks_is_refused() {
        // A valid key set padded past the limit, once with a length and once ending at the close.
        let padded = format!("{}{}", jwks(&[K1]), " ".repeat(Policy::DEFAULT.max_body));
        let server = TestServer::start(move |path| match path {
            "/declared" => ok("", &padded),
            _ => {
                let mut response = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
                response.extend_from_slice(padded.as_bytes());
                response
            }
        })
        .await;
        for path in ["/declared", "/streamed"] {
            let cache = cache(&format!("{}{path}", server.origin));
            let error = cache.fetch().await.err().unwrap();
            assert!(
                error.contains("larger than 1048576 bytes"),
                "{path}: {error}"
            );
            assert!(cache.keys_for(Some("k1")).await.is_err());
        }
        // Under the limit it is a key set like any other.
        let small =
            TestServer::start(|_| ok("", &format!("{}{}", jwks(&[K1]), " ".repeat(1000)))).await;
        assert!(cache(&small.origin).keys_for(Some("k1")).await.is_ok());
    }
}
