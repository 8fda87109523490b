//! The safety rules of HTTP tools, against a scripted HTTP/1.1 server on loopback.

use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;
use crate::declarative::RedirectDef;
use crate::declarative::testing::{args, assert_says, text_of};

fn def(base_url: &'static str, path: &'static str) -> HttpToolDef {
    HttpToolDef {
        method: "GET",
        base_url,
        base_url_env: None,
        path,
        query: &[],
        headers: &[],
        body: None,
        auth: None,
        timeout_secs: 10,
        error_status: &[],
        pointer: None,
        max_response_bytes: 1024,
        redirects: RedirectDef {
            follow: false,
            max: 5,
            allow_hosts: &[],
            allow_private: false,
        },
    }
}

/// A fresh tool (nothing prepared yet) for a definition a test may change between calls.
fn tool(def: &HttpToolDef) -> HttpTool {
    HttpTool::new(def.clone())
}

/// A server answering each request with `answer(request head)`, recording the heads; lives for the test.
async fn serve(answer: fn(&str) -> String) -> (String, Arc<Mutex<Vec<String>>>) {
    serve_on("127.0.0.1", answer).await
}

async fn serve_on(ip: &str, answer: fn(&str) -> String) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind((ip, 0)).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = vec![0; 64 * 1024];
            let mut len = 0;
            while !buffer[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
            }
            let head = String::from_utf8_lossy(&buffer[..len]).into_owned();
            let response = answer(&head);
            log.lock().unwrap().push(head);
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    (base, seen)
}

fn ok(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[test]
fn path_parameters_are_single_segments_and_queries_are_encoded() {
    let mut d = def("http://api.test/v1/", "/files/{name}/raw");
    d.query = &[
        ("q", "{q}"),
        ("opt", "{missing}"),
        ("tag", "{tags}"),
        ("t", "t={tags}"),
    ];
    let prepared = Prepared::new(&d).unwrap();
    let url = request_url(
        &prepared,
        &args(json!({"name": "../../admin?x=1#f", "q": "a&b=c d", "tags": ["x y", 2]})),
    )
    .unwrap();
    assert_eq!(
        url.as_str(),
        "http://api.test/v1/files/..%2F..%2Fadmin%3Fx%3D1%23f/raw?q=a%26b%3Dc+d&tag=x+y&tag=2&t=t%3D%5B%22x+y%22%2C2%5D"
    );
    for refused in ["..", ".", ""] {
        let error = request_url(&prepared, &args(json!({"name": refused}))).unwrap_err();
        assert!(error.contains("cannot be"), "{error}");
    }
    let error = request_url(&prepared, &args(json!({}))).unwrap_err();
    assert!(error.contains("missing"), "{error}");
    assert_eq!(encode_segment("a/b%2e é"), "a%2Fb%252e%20%C3%A9");
}

#[test]
fn header_injection_is_refused() {
    for bad in ["x\r\nX-Injected: 1", "x\nY", "x\0"] {
        assert!(header_value(bad).unwrap_err().contains("CR, LF or NUL"));
    }
    assert!(header_value("fine value").is_ok());
}

#[test]
fn private_addresses() {
    for private in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
    ] {
        assert!(is_private(private.parse().unwrap()), "{private}");
    }
    for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
        assert!(!is_private(public.parse().unwrap()), "{public}");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_by_default() {
    let (base, seen) =
        serve(|_| "HTTP/1.1 302 Found\r\nlocation: /elsewhere\r\ncontent-length: 0\r\n\r\n".into())
            .await;
    let result = call(&tool(&def(leak(base), "/x")), JsonObject::new(), false)
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert_says(&result, "redirects are not followed");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn redirects_stay_on_the_origin_unless_allowed_and_credentials_never_leave_it() {
    // SAFETY: tests in this module are the only users of this variable.
    unsafe { std::env::set_var("MCPGEN_TEST_HTTP_TOKEN", "s3cret") };
    let (other, other_seen) = serve_on("127.0.0.2", |_| ok(r#"{"from":"other"}"#)).await;
    let other: &'static str = leak(other);
    static TARGET: OnceLock<String> = OnceLock::new();
    TARGET.set(format!("{other}/landing")).unwrap();
    let (base, seen) = serve(|head| {
        if head.starts_with("GET /same ") {
            ok(r#"{"from":"same"}"#)
        } else if head.starts_with("GET /to-same ") {
            "HTTP/1.1 301 Moved\r\nlocation: /same\r\ncontent-length: 0\r\n\r\n".into()
        } else {
            format!(
                "HTTP/1.1 302 Found\r\nlocation: {}\r\ncontent-length: 0\r\n\r\n",
                TARGET.get().unwrap()
            )
        }
    })
    .await;
    let base = leak(base);
    let mut d = def(base, "/to-same");
    d.auth = Some(HttpAuthDef::Bearer {
        env: "MCPGEN_TEST_HTTP_TOKEN",
    });
    d.redirects.follow = true;
    let same = call(&tool(&d), JsonObject::new(), false).await.unwrap();
    assert_eq!(text_of(&same), r#"{"from":"same"}"#);
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|h| h.contains("authorization: Bearer s3cret"))
    );

    d.path = "/to-other";
    let refused = call(&tool(&d), JsonObject::new(), false).await.unwrap();
    assert_says(&refused, "another host");

    d.redirects.allow_hosts = &["127.0.0.2"];
    let refused = call(&tool(&d), JsonObject::new(), false).await.unwrap();
    assert_says(&refused, "loopback or private");
    assert!(other_seen.lock().unwrap().is_empty());

    d.redirects.allow_private = true;
    let followed = call(&tool(&d), JsonObject::new(), false).await.unwrap();
    assert_eq!(text_of(&followed), r#"{"from":"other"}"#);
    let other_heads = other_seen.lock().unwrap();
    assert_eq!(other_heads.len(), 1);
    assert!(
        !other_heads[0]
            .to_ascii_lowercase()
            .contains("authorization"),
        "{}",
        other_heads[0]
    );
}

#[tokio::test]
async fn responses_are_bounded_and_statuses_judged() {
    let (base, _) = serve(|head| {
        if head.starts_with("GET /big ") {
            ok(&"x".repeat(5000))
        } else if head.starts_with("GET /missing ") {
            "HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnope".into()
        } else {
            ok(r#"{"data":{"id":7},"other":1}"#)
        }
    })
    .await;
    let base = leak(base);
    let big = call(&tool(&def(base, "/big")), JsonObject::new(), false)
        .await
        .unwrap();
    assert_says(&big, "larger than 1024 bytes");
    let missing = call(&tool(&def(base, "/missing")), JsonObject::new(), false)
        .await
        .unwrap();
    assert_eq!(
        (missing.is_error, text_of(&missing)),
        (Some(true), "HTTP 404 Not Found:\nnope".into())
    );
    let mut tolerant = def(base, "/missing");
    tolerant.error_status = &[(500, 599)];
    let tolerated = call(&tool(&tolerant), JsonObject::new(), false)
        .await
        .unwrap();
    assert_eq!(tolerated.is_error, Some(false));
    let mut selected = def(base, "/json");
    selected.pointer = Some("/data");
    let result = call(&tool(&selected), JsonObject::new(), true)
        .await
        .unwrap();
    assert_eq!(result.structured_content, Some(json!({"id": 7})));
}

#[tokio::test]
async fn the_body_takes_typed_arguments() {
    let (base, seen) = serve(|_| ok("{}")).await;
    let mut d = def(leak(base), "/items");
    d.method = "POST";
    d.body = Some(r#"{"name":"{name}","tags":"{tags}","note":"n: {note}","fixed":1}"#);
    d.headers = &[("x-request", "{name}")];
    call(
        &tool(&d),
        args(json!({"name": "a\"b", "tags": ["x", 2]})),
        false,
    )
    .await
    .unwrap();
    let head = seen.lock().unwrap()[0].clone();
    // Compared as JSON: key order depends on serde_json's `preserve_order`, which the workspace turns on.
    let body = head.rsplit("\r\n\r\n").next().unwrap_or_default();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(body).ok(),
        Some(json!({"fixed": 1, "name": "a\"b", "tags": ["x", 2]})),
        "{head}"
    );
    assert!(head.contains("x-request: a\"b"), "{head}");
    let injected = call(&tool(&d), args(json!({"name": "a\r\nx-evil: 1"})), false)
        .await
        .unwrap();
    assert_says(&injected, "CR, LF or NUL");
}

#[tokio::test]
async fn a_resource_read_is_the_body_or_an_error() {
    let (base, seen) = serve(|head| {
        if head.starts_with("GET /missing ") {
            "HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nnope".into()
        } else if head.starts_with("GET /big ") {
            ok(&"x".repeat(5000))
        } else {
            ok(r#"{"ok":true}"#)
        }
    })
    .await;
    let base = leak(base);
    assert_eq!(
        read(&tool(&def(base, "/status")), &JsonObject::new())
            .await
            .unwrap(),
        br#"{"ok":true}"#
    );
    assert!(seen.lock().unwrap()[0].starts_with("GET /status "));
    assert_eq!(
        read(&tool(&def(base, "/missing")), &JsonObject::new())
            .await
            .unwrap_err(),
        "HTTP 404 Not Found: nope"
    );
    let big = read(&tool(&def(base, "/big")), &JsonObject::new())
        .await
        .unwrap_err();
    assert!(big.contains("larger than 1024 bytes"), "{big}");
    let unreachable = read(&tool(&def("http://127.0.0.1:9", "/x")), &JsonObject::new())
        .await
        .unwrap_err();
    assert!(
        unreachable.starts_with("The request failed"),
        "{unreachable}"
    );
}

#[tokio::test]
async fn a_template_read_encodes_hostile_variables() {
    let (base, seen) = serve(|_| ok("fine")).await;
    let mut d = def(leak(base), "/files/{name}/raw");
    d.query = &[("q", "{q}")];
    let hostile = args(json!({"name": "../../admin?x=1#f\r\nX-Evil: 1", "q": "a&b=c\r\n#"}));
    assert_eq!(read(&tool(&d), &hostile).await.unwrap(), b"fine");
    let head = seen.lock().unwrap()[0].clone();
    assert!(
        head.starts_with(
            "GET /files/..%2F..%2Fadmin%3Fx%3D1%23f%0D%0AX-Evil%3A%201/raw?q=a%26b%3Dc%0D%0A%23 HTTP/1.1\r\n"
        ),
        "{head}"
    );
    assert!(!head.to_ascii_lowercase().contains("x-evil: 1"), "{head}");
    for refused in ["..", "."] {
        let error = read(&tool(&d), &args(json!({"name": refused})))
            .await
            .unwrap_err();
        assert!(error.contains("cannot be"), "{error}");
    }
    assert_eq!(seen.lock().unwrap().len(), 1);
}
