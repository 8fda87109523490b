//! `mcpgen verify` on an OAuth-protected server (tests/e2e/specs/secure.yaml: streamable HTTP and legacy SSE,
//! a server scope and a tool scope): verify stands in for the issuer, so every HTTP check runs with auth on
//! and both tools are called (their handlers are the generated stubs).
//!
//! The crate is generated afresh in a temporary folder; its dependencies build once into `target/nested`.

mod support;

use support::{mcpgen, repo_root};

#[test]
fn verify_runs_the_http_checks_of_an_oauth_server_with_auth_on() {
    let nested = repo_root().join("target/nested");
    std::fs::create_dir_all(&nested).unwrap();
    let scratch = tempfile::tempdir_in(&nested).unwrap();
    // The spec's key URL is never reached: verify points the server at its own key server.
    let spec = std::fs::read_to_string(repo_root().join("tests/e2e/specs/secure.yaml"))
        .unwrap()
        .replace(
            "@JWKS_URI@",
            "https://issuer.example.test/unreachable/jwks.json",
        );
    std::fs::write(scratch.path().join("secure.yaml"), spec).unwrap();
    let out = mcpgen(
        &["new", "secure.yaml", "--out", "secure", "--no-verify"],
        scratch.path(),
    );
    assert!(out.status.success(), "{out:?}");
    let krate = scratch.path().join("secure");
    // Its own workspace root, not a member of the repository's; the repository's lock file pins the versions the
    // other tests build with, so dependencies are reused.
    let manifest = std::fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        format!("{manifest}\n[workspace]\n"),
    )
    .unwrap();
    std::fs::copy(repo_root().join("Cargo.lock"), krate.join("Cargo.lock")).unwrap();

    let out = mcpgen(
        &[
            "verify",
            "--format",
            "json",
            "--target-dir",
            nested.to_str().unwrap(),
            "secure",
        ],
        scratch.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let status = |check: &str, transport: &str| {
        checks
            .iter()
            .find(|c| c["check"] == check && c["transport"] == transport)
            .map(|c| c["status"].as_str().unwrap().to_owned())
    };
    for transport in [
        "streamable-http (stateless, json)",
        "streamable-http (stateful)",
        "sse",
    ] {
        assert_eq!(
            status("initialize", transport).as_deref(),
            Some("pass"),
            "{transport}: {stdout}"
        );
        assert_eq!(
            status("tools/list", transport).as_deref(),
            Some("pass"),
            "{stdout}"
        );
        // admin_op needs the admin scope on top of the server's mcp: the token carries both.
        for tool in ["whoami", "admin_op"] {
            assert_eq!(
                status(&format!("tools/call {tool}"), transport).as_deref(),
                Some("stub"),
                "{tool} on {transport}: {stdout}"
            );
        }
    }
    assert!(
        checks.iter().all(|c| c["check"] != "all"),
        "nothing is skipped as a whole: {stdout}"
    );
}
