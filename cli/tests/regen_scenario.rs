//! The acceptance scenario of regeneration: a crate made with `mcpgen new` from a copy of specs/weather.yaml
//! (stdio only) gets user edits (handler bodies, a module, a dependency and a comment in Cargo.toml); then the spec
//! changes step by step. After every step every user byte survives, the crate builds, and the built server's
//! `tools/list` is what the new spec declares.
//!
//! Builds share `target/nested` so dependencies compile once; one crate is reused across the steps.

mod regen_support;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use regen_support::{Crate, StdioServer};
use serde_json::{Value, json};
use support::repo_root;

const STREAMABLE_HTTP: &str = "  streamable-http:
    host: 127.0.0.1
    port: 8000
    path: /mcp
";

/// One spec change: a name and the edit of the spec's text.
type Step = (&'static str, fn(&str) -> String);

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

/// The text from `start` (included) to `end` (excluded) removed.
fn cut(text: &str, start: &str, end: &str) -> String {
    let a = text.find(start).unwrap_or_else(|| panic!("{start:?}"));
    let b = a + text[a..].find(end).unwrap_or_else(|| panic!("{end:?}"));
    format!("{}{}", &text[..a], &text[b..])
}

fn steps() -> Vec<Step> {
    vec![
        ("a description edited", |s| {
            replace_once(
                s,
                "Daily forecast for a known city, derived from its monthly climate normals.",
                "Daily forecast for a known city (from its climate normals).",
            )
        }),
        ("a tool added", |s| {
            replace_once(
                s,
                "\nresources:\n",
                "
  - name: sunrise
    description: Time of sunrise in a city.
    inputSchema:
      type: object
      properties:
        city: {type: string}
      required: [city]

resources:
",
            )
        }),
        ("an optional property added", |s| {
            replace_once(
                s,
                "        value: {type: number, description: The temperature to convert.}\n",
                "        value: {type: number, description: The temperature to convert.}\n        \
                 precision: {type: integer, minimum: 0, description: Decimal places.}\n",
            )
        }),
        ("a tool renamed", |s| {
            replace_once(s, "- name: climate_report", "- name: climate_summary")
        }),
        ("a tool removed", |s| {
            cut(s, "  - name: list_cities\n", "  - name: get_forecast\n")
        }),
        ("a prompt's messages removed", |s| {
            cut(s, "    messages:\n", "  - name: packing_list\n")
        }),
        ("a transport added", |s| {
            replace_once(
                s,
                "  stdio: {}\n",
                &format!("  stdio: {{}}\n{STREAMABLE_HTTP}"),
            )
        }),
    ]
}

/// The user's edits after `mcpgen new`: handler bodies, a module of their own, a dependency and a comment.
fn edit_like_a_user(c: &Crate) {
    for entry in std::fs::read_dir(c.dir.join("src/tools")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let stub = format!("    Err(ToolError::not_implemented(\"{name}\"))\n");
        let body = format!(
            "    // Mine: reached through my own module.\n    \
             Err(ToolError::new(crate::mine::busy(\"{name}\")))\n"
        );
        std::fs::write(&path, replace_once(&text, &stub, &body)).unwrap();
    }
    let main = c.read("src/main.rs");
    std::fs::write(
        c.dir.join("src/main.rs"),
        replace_once(&main, "mod state;\n", "mod state;\nmod mine;\n"),
    )
    .unwrap();
    std::fs::write(
        c.dir.join("src/mine.rs"),
        "//! My own module.\n\n/// The message of a tool that is not ready, with a count from my own dependency.\n\
         pub fn busy(tool: &str) -> String {\n    \
         format!(\"{tool} is busy ({} tries)\", itoa::Buffer::new().format(3))\n}\n",
    )
    .unwrap();
    let cargo = c.read("Cargo.toml");
    let cargo = replace_once(
        &cargo,
        "\n[features]",
        "# Mine: number formatting for messages.\nitoa = \"1\"\n\n[features]",
    );
    std::fs::write(
        c.dir.join("Cargo.toml"),
        format!("# Mine: a comment on top.\n{cargo}"),
    )
    .unwrap();
}

/// Every user-owned file (everything outside mcpgen's generated folders and files) and its bytes.
fn user_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    regen_support::snapshot(dir)
        .into_iter()
        .filter(|(path, _)| {
            !path.ends_with('/')
                && !path.starts_with("src/generated/")
                && !path.starts_with(".mcpgen/")
                && !path.starts_with("mcp-config/")
                && path != "README.md"
                && path != "Cargo.toml"
                && path != "Cargo.lock"
        })
        .collect()
}

/// Cargo.toml keeps every user line in order; only mcpgen's `default` feature list may change.
fn assert_cargo_toml_kept(before: &str, after: &str, step: &str) {
    let mut rest = after.lines();
    for line in before.lines().filter(|l| !l.starts_with("default = ")) {
        assert!(
            rest.any(|l| l == line),
            "{step}: Cargo.toml lost or reordered {line:?}:\n{after}"
        );
    }
}

fn cargo_build(c: &Crate, step: &str) {
    let build = || {
        Command::new(env!("CARGO"))
            .args(["build", "--quiet"])
            .current_dir(&c.dir)
            .env("CARGO_TARGET_DIR", repo_root().join("target/nested"))
            .output()
            .unwrap()
    };
    let mut out = build();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && stderr.contains("believes it's in a workspace") {
        let cargo = c.read("Cargo.toml");
        std::fs::write(c.dir.join("Cargo.toml"), format!("{cargo}\n[workspace]\n")).unwrap();
        out = build();
    }
    assert!(
        out.status.success(),
        "{step}: cargo build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `tools/list` of the built server over stdio.
fn served_tools(c: &Crate) -> Vec<Value> {
    let exe = repo_root().join("target/nested/debug/weather");
    let mut command = Command::new(exe);
    command.args(["--transport", "stdio"]).current_dir(&c.dir);
    let mut server = StdioServer::start(&mut command, "regen-scenario");
    let reply = server.request(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
    reply["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("tools/list failed: {reply}"))
        .clone()
}

fn assert_tools_match_spec(c: &Crate, step: &str) {
    let spec = mcpgen::pipeline::load_spec(&c.spec).unwrap().spec;
    let want = mcpgen::verify::expect::tools(&spec);
    let got = served_tools(c);
    let names = |l: &[Value]| -> Vec<String> { l.iter().map(|t| t["name"].to_string()).collect() };
    assert_eq!(names(&got), names(&want), "{step}: tool names");
    for (w, g) in want.iter().zip(&got) {
        assert_eq!(
            g["inputSchema"], w["inputSchema"],
            "{step}: {} inputSchema",
            w["name"]
        );
        assert_eq!(
            g["outputSchema"], w["outputSchema"],
            "{step}: {} outputSchema",
            w["name"]
        );
        assert_eq!(
            g["description"], w["description"],
            "{step}: {} description",
            w["name"]
        );
    }
}

#[test]
fn user_work_survives_every_spec_change_and_the_crate_keeps_serving_its_spec() {
    let weather = std::fs::read_to_string(repo_root().join("specs/weather.yaml")).unwrap();
    let stdio_only = replace_once(&weather, STREAMABLE_HTTP, "");
    let cities = std::fs::read(repo_root().join("specs/data/cities.json")).unwrap();
    let c = Crate::with_files(&stdio_only, &[("data/cities.json", &cities)]);
    // Same dependency versions as the workspace: no resolution, and the shared build stays warm.
    std::fs::copy(repo_root().join("Cargo.lock"), c.dir.join("Cargo.lock")).unwrap();

    edit_like_a_user(&c);
    let mut user = user_files(&c.dir);
    let mut cargo_toml = c.read("Cargo.toml");
    cargo_build(&c, "the user's edits");
    assert_tools_match_spec(&c, "the user's edits");

    let mut spec = stdio_only;
    for (step, change) in steps() {
        spec = change(&spec);
        c.write_spec(&spec);
        let out = c.mcpgen(&["generate"]);
        assert!(out.ok(), "{step}: {out}");

        let now = user_files(&c.dir);
        for (path, bytes) in &user {
            assert!(
                now.get(path) == Some(bytes),
                "{step}: the user's {path} changed or vanished\n{out}"
            );
        }
        let new_cargo_toml = c.read("Cargo.toml");
        assert_cargo_toml_kept(&cargo_toml, &new_cargo_toml, step);
        match step {
            "a tool added" => assert!(now.contains_key("src/tools/sunrise.rs"), "{out}"),
            "a tool renamed" => out.assert_stdout_has(&[
                "removed tool: climate_report",
                "added tool: climate_summary",
                "orphaned: src/tools/climate_report.rs",
            ]),
            "a tool removed" => out.assert_stdout_has(&["orphaned: src/tools/list_cities.rs"]),
            "a prompt's messages removed" => out
                .assert_stdout_has(&["created (yours to edit): src/prompts/summarize_forecast.rs"]),
            "a transport added" => assert!(
                new_cargo_toml
                    .lines()
                    .any(|l| l.starts_with("default = [") && l.contains("\"streamable-http\"")),
                "{new_cargo_toml}"
            ),
            _ => {}
        }
        cargo_build(&c, step);
        assert_tools_match_spec(&c, step);
        let check = c.mcpgen(&["generate", "--check"]);
        assert!(check.ok(), "{step}: not idempotent: {check}");
        // New stubs are the user's from now on.
        user = now;
        cargo_toml = new_cargo_toml;
    }
}
