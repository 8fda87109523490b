//! Is a declarative HTTP tool as fast as the same call written by hand? Both sides make the same request to a
//! local keep-alive server (`GET /v1/items/{id}?verbose=true` with a bearer token) and turn the JSON reply into the
//! same `structuredContent` result: one through `mcpgen_runtime::declarative::http::call` with the static the
//! generator writes, one with reqwest directly. Rounds interleave the two (the order alternates), so machine
//! noise hits both alike; the report is the median calls/s of each and the median and spread of per-round ratios.
//!
//! `cargo run --release -p declarative-http-bench -- [ROUNDS] [CALLS_PER_ROUND]` from bench/; both sides get the
//! arguments as an owned map, as a tool handler does. `declarative/callgrind.sh` counts instructions per call.

use std::time::{Duration, Instant};

use mcpgen_runtime::declarative::{HttpAuthDef, HttpTool, HttpToolDef, RedirectDef, http};
use rmcp::model::{CallToolResult, JsonObject};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BODY: &str =
    r#"{"data":{"id":"item-42","name":"widget","price":12.5,"tags":["a","b","c"],"stock":7}}"#;

/// One HTTP/1.1 keep-alive server answering every GET with BODY.
async fn serve(listener: TcpListener) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let _ = socket.set_nodelay(true);
        tokio::spawn(async move {
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{BODY}",
                BODY.len()
            );
            let mut buffer = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            loop {
                let Ok(n) = socket.read(&mut chunk).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                buffer.extend_from_slice(&chunk[..n]);
                while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    buffer.drain(..end + 4);
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

/// What `mcpgen import openapi` / a spec's `implementation.http` lowers to.
fn def(base: &'static str) -> HttpToolDef {
    HttpToolDef {
        method: "GET",
        base_url: base,
        base_url_env: None,
        path: "/items/{id}",
        query: &[("verbose", "{verbose}")],
        headers: &[("Accept", "application/json")],
        body: None,
        auth: Some(HttpAuthDef::Bearer { env: "BENCH_TOKEN" }),
        timeout_secs: 30,
        error_status: &[],
        pointer: Some("/data"),
        max_response_bytes: 10 << 20,
        redirects: RedirectDef {
            follow: false,
            max: 5,
            allow_hosts: &[],
            allow_private: false,
        },
    }
}

/// The same call by hand: what a handler author would write with reqwest.
async fn by_hand(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    args: JsonObject,
) -> CallToolResult {
    let id = args["id"].as_str().unwrap_or_default();
    let verbose = args["verbose"].as_bool().unwrap_or_default();
    let response = client
        // No encoding: the id is known to be safe here, which a handler cannot assume in general.
        .get(format!("{base}/items/{id}?verbose={verbose}"))
        .header("Accept", "application/json")
        .bearer_auth(token)
        // The declarative tool bounds every call (timeoutSecs); so does a careful handler.
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("request");
    let bytes = response.bytes().await.expect("body");
    let mut value: Value = serde_json::from_slice(&bytes).expect("json");
    CallToolResult::structured(value["data"].take())
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Minimum, lower quartile, median, upper quartile, maximum.
fn quartiles(mut values: Vec<f64>) -> [f64; 5] {
    values.sort_by(f64::total_cmp);
    let at = |q: usize| values[(values.len() - 1) * q / 4];
    [at(0), at(1), at(2), at(3), at(4)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let mut argv = std::env::args().skip(1);
    let mut number = |default| {
        argv.next()
            .map_or(default, |a| a.parse::<usize>().expect("a number"))
    };
    let (rounds, calls) = (number(11), number(5000));
    // `decl` or `hand`: only that side, ROUNDS x CALLS calls and no report, for callgrind (bench/declarative/callgrind.sh).
    let only = std::env::args().nth(3);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base: &'static str =
        Box::leak(format!("http://{}/v1", listener.local_addr().unwrap()).into_boxed_str());
    tokio::spawn(serve(listener));
    // SAFETY: set before any other thread reads the environment (the runtime's workers read nothing yet).
    unsafe { std::env::set_var("BENCH_TOKEN", "t0k3n") };
    // As generated code holds it: a `static` (here leaked), prepared by its first call.
    let def: &'static HttpTool = Box::leak(Box::new(HttpTool::new(def(base))));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let args = json!({"id": "item-42", "verbose": true})
        .as_object()
        .unwrap()
        .clone();

    // Both must produce the same result, or the comparison means nothing.
    let declarative = http::call(def, args.clone(), true).await.expect("call");
    assert_eq!(
        declarative,
        by_hand(&client, base, "t0k3n", args.clone()).await
    );
    assert_eq!(declarative.is_error, Some(false));

    if let Some(side) = only {
        let declarative = match side.as_str() {
            "decl" => true,
            "hand" => false,
            other => panic!("the side is `decl` or `hand`, not `{other}`"),
        };
        for _ in 0..rounds * calls {
            let result = if declarative {
                http::call(def, args.clone(), true).await.unwrap()
            } else {
                by_hand(&client, base, "t0k3n", args.clone()).await
            };
            std::hint::black_box(result);
        }
        return;
    }

    let (mut decl, mut hand, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds + 1 {
        let run = |declarative: bool| {
            let (client, args) = (&client, &args);
            async move {
                let started = Instant::now();
                for _ in 0..calls {
                    let result = if declarative {
                        http::call(def, args.clone(), true).await.unwrap()
                    } else {
                        by_hand(client, base, "t0k3n", args.clone()).await
                    };
                    std::hint::black_box(result);
                }
                calls as f64 / started.elapsed().as_secs_f64()
            }
        };
        let (d, h) = if round % 2 == 0 {
            let d = run(true).await;
            (d, run(false).await)
        } else {
            let h = run(false).await;
            (run(true).await, h)
        };
        if round == 0 {
            continue; // warm-up: connection pools, allocator, caches
        }
        decl.push(d);
        hand.push(h);
        ratios.push(d / h);
    }
    println!("rounds {rounds} x {calls} calls each, interleaved");
    println!(
        "declarative (mcpgen_runtime::declarative::http::call): {:.0} calls/s (median)",
        median(decl)
    );
    println!(
        "by hand (reqwest):                                    {:.0} calls/s (median)",
        median(hand)
    );
    let spread = quartiles(ratios);
    println!(
        "declarative / by hand: x{:.3} (median of per-round ratios; min x{:.3}, quartiles x{:.3}-x{:.3}, max x{:.3})",
        spread[2], spread[0], spread[1], spread[3], spread[4]
    );
}
