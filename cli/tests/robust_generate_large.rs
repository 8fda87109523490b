//! Generation at scale: a spec with 1,000 tools, deeply nested input schemas and long, hostile descriptions goes
//! through `mcpgen new`, and the crate it writes passes `cargo check` (warnings are errors).
//!
//! Long test (about 3 minutes on 2 cores): it type-checks a crate of ~1,000 modules. Its target dir
//! (`target/nested`) is kept between runs so only the first run compiles the dependencies.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const TOOLS: usize = 1_000;
/// Levels of nested objects in each input schema (two YAML levels each, within the loader's limit of 128).
const DEPTH: usize = 40;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A description that exercises every escaping path: quotes, backslashes, raw-string and comment breakers,
/// Tera syntax, bidi controls, emoji, and length.
fn description(i: usize) -> String {
    let hostile = "Quotes \" ' and \\ backslash, \"# raw breaker, */ comment end, {{ tera }} {% x %}, \
                   bidi \u{202e}abc\u{202c}, zero width \u{200b}, emoji 🌧️, CJK 天気.";
    format!(
        "Tool number {i}. {hostile} {}",
        "Lorem ipsum dolor sit amet. ".repeat(80)
    )
}

fn nested_schema(depth: usize, i: usize) -> String {
    let mut schema = format!(
        "{{type: object, properties: {{leaf: {{type: string, enum: [a, b, \"c d\"]}}, n: {{type: integer, minimum: {i}}}}}, required: [leaf]}}"
    );
    for level in 0..depth {
        schema = format!(
            "{{type: object, description: \"level {level}\", properties: {{child: {schema}, \"odd key {level}\": {{type: [string, \"null\"]}}, list: {{type: array, items: {{type: number}}}}}}}}"
        );
    }
    schema
}

fn spec() -> String {
    let mut s = String::from("mcpgen: 1\nserver:\n  name: large\n  version: 1.0.0\ntools:\n");
    for i in 0..TOOLS {
        let _ = writeln!(s, "  - name: tool_{i:04}");
        let _ = writeln!(
            s,
            "    description: {}",
            serde_json::to_string(&description(i)).unwrap()
        );
        // Every 50th tool is deep; the rest are shallow but still typed, to keep the check's time reasonable.
        let depth = if i % 50 == 0 { DEPTH } else { 2 };
        let _ = writeln!(s, "    inputSchema: {}", nested_schema(depth, i));
        if i % 10 == 0 {
            let _ = writeln!(
                s,
                "    outputSchema: {{type: object, properties: {{result: {{type: string}}}}, required: [result]}}"
            );
        }
    }
    s.push_str("transports:\n  stdio: {}\n  streamable-http: {}\n");
    s
}

#[test]
#[ignore = "long (minutes): run with `cargo test -p mcpgen --test robust_generate_large -- --ignored`, or MCPGEN_LONG_TESTS=1 scripts/test"]
fn thousand_tools_with_deep_schemas_generate_and_type_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec_path = dir.path().join("large.yaml");
    std::fs::write(&spec_path, spec()).expect("write spec");
    let crate_dir = dir.path().join("large");
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["new", "--no-verify"])
        .arg(&spec_path)
        .arg("--out")
        .arg(&crate_dir)
        .output()
        .expect("run mcpgen");
    assert!(
        out.status.success(),
        "mcpgen new failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tools = std::fs::read_dir(crate_dir.join("src/tools"))
        .expect("tools dir")
        .count();
    assert_eq!(tools, TOOLS);
    // The workspace's lock file pins the dependency versions already in the local registry cache.
    std::fs::copy(repo().join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("copy lock");
    let out = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--all-targets"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", repo().join("target/nested"))
        .output()
        .expect("run cargo check");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "cargo check failed:\n{stderr}");
    // Not RUSTFLAGS=-D warnings: that would rebuild every dependency; --quiet leaves only diagnostics.
    assert!(!stderr.contains("warning"), "warnings:\n{stderr}");
}
