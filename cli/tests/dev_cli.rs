//! `mcpgen dev` end to end, without a browser: on a copy of the weather example it builds and starts the server,
//! runs the MCP Inspector's CLI against it (the pinned npm package in tests/node_modules), and after a handler edit
//! rebuilds, restarts on the same port and runs the Inspector again, which sees the new behaviour. SIGTERM stops
//! `dev` and the server with it. Every wait is bounded and the child is always killed.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use support::{nested_target, repo_root, weather_copy};

/// Builds (a copy of the example against shared dependencies) can take minutes on a busy machine.
const LIMIT: Duration = Duration::from_secs(600);

/// Kills `mcpgen dev` however the test ends.
struct Dev(Child);

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Both output streams, line by line, read on threads so waiting for one can time out.
fn lines(child: &mut Child) -> Receiver<String> {
    let (tx, rx) = channel();
    let out: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().unwrap());
    let err: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().unwrap());
    for read in [out, err] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(read).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// Waits (at most `limit`) for a line containing `needle` and returns it; everything read meanwhile on failure.
fn wait_for(rx: &Receiver<String>, needle: &str, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    let mut seen = String::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => break,
        }
    }
    panic!("no line with {needle:?} within {limit:?}; got:\n{seen}");
}

fn port_of(serving_line: &str) -> u16 {
    let rest = serving_line.split("http://127.0.0.1:").nth(1).unwrap();
    rest.split('/').next().unwrap().parse().unwrap()
}

#[test]
fn dev_restarts_the_server_after_a_handler_edit_and_the_inspector_sees_it() {
    let node = repo_root().join("tests/node_modules/.bin/node");
    let inspector = repo_root()
        .join("tests/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
    assert!(
        inspector.exists(),
        "the pinned MCP Inspector is missing: run `npm ci` in tests/ (scripts/test does)"
    );
    let dir = weather_copy("dev-weather");
    let home = tempfile::tempdir().unwrap();
    let args = r#"{"value": -500, "from": "celsius", "to": "kelvin"}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .arg("dev")
        .arg(&dir)
        .arg("--spec")
        .arg(repo_root().join("specs/weather.yaml"))
        .args([
            "--port",
            "0",
            "--inspector",
            "cli",
            "--debounce",
            "100",
            "--timeout",
            "120",
        ])
        .arg("--target-dir")
        .arg(nested_target())
        .args([
            "--",
            "--method",
            "tools/call",
            "--tool-name",
            "convert_temperature",
        ])
        .args(["--tool-args-json", args])
        .env(
            "MCPGEN_INSPECTOR",
            format!("{} {}", node.display(), inspector.display()),
        )
        // The Inspector keeps a catalog under $HOME.
        .env("HOME", home.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines(&mut child);
    let dev = Dev(child);

    let serving = wait_for(&out, "mcpgen dev: serving http://127.0.0.1:", LIMIT);
    let port = port_of(&serving);
    wait_for(&out, "is below absolute zero", LIMIT);
    wait_for(&out, "mcpgen dev: watching", LIMIT);

    // A handler edit: rebuilt, restarted on the same port, and the Inspector's next call sees the new text.
    let handler = dir.join("src/tools/convert_temperature.rs");
    let text = std::fs::read_to_string(&handler).unwrap();
    assert_eq!(text.matches("is below absolute zero").count(), 1);
    std::fs::write(
        &handler,
        text.replace("is below absolute zero", "is colder than absolute zero"),
    )
    .unwrap();
    wait_for(&out, "sources changed", LIMIT);
    let serving = wait_for(&out, "mcpgen dev: serving http://127.0.0.1:", LIMIT);
    assert_eq!(port_of(&serving), port, "the restart keeps the address");
    wait_for(&out, "is colder than absolute zero", LIMIT);

    // SIGTERM ends dev, and the server with it.
    let pid = dev.0.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    wait_for(&out, "mcpgen dev: stopped", Duration::from_secs(30));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the server still listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(dev);
    let _ = std::fs::remove_dir_all(&dir);
}
