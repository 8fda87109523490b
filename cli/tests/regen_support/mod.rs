//! Shared by the regen_* tests: a crate created with `mcpgen new` in a temporary folder, its spec beside it, runs
//! of the mcpgen binary against it, and a JSON-RPC session with a built server over stdio.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A generated crate at `<tmp>/crate` whose spec is `<tmp>/spec/<name>.yaml`.
pub struct Crate {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub spec: PathBuf,
}

impl Crate {
    pub fn new(spec: &str) -> Crate {
        Crate::with_files(spec, &[])
    }

    /// `files` are written next to the spec first (the `file:` resources it embeds).
    pub fn with_files(spec: &str, files: &[(&str, &[u8])]) -> Crate {
        let tmp = tempfile::tempdir().unwrap();
        let spec_dir = tmp.path().join("spec");
        for (path, content) in files {
            let path = spec_dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::create_dir_all(&spec_dir).unwrap();
        let c = Crate {
            dir: tmp.path().join("crate"),
            spec: spec_dir.join("server.yaml"),
            tmp,
        };
        c.write_spec(spec);
        let out = c.mcpgen(&[
            "new",
            c.spec.to_str().unwrap(),
            "--out",
            c.dir.to_str().unwrap(),
            "--no-verify",
        ]);
        assert!(out.ok(), "mcpgen new: {out}");
        c
    }

    pub fn write_spec(&self, text: &str) {
        std::fs::write(&self.spec, text).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }

    /// Runs mcpgen with the crate directory as the current directory.
    pub fn mcpgen(&self, args: &[&str]) -> Output {
        self.mcpgen_in(&self.dir, args)
    }

    /// Runs `mcpgen generate --check`, which must find the crate out of date (exit 1).
    #[track_caller]
    pub fn check_out_of_date(&self) -> Output {
        let out = self.mcpgen(&["generate", "--check"]);
        assert_eq!(out.code, Some(1), "{out}");
        out
    }

    pub fn mcpgen_in(&self, cwd: &Path, args: &[&str]) -> Output {
        mcpgen(if cwd.exists() { cwd } else { self.tmp.path() }, args)
    }
}

/// Runs the mcpgen binary in `cwd`.
pub fn mcpgen(cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What one mcpgen run printed.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Asserts that stdout holds each of `needles`; a failure shows the whole run.
    #[track_caller]
    pub fn assert_stdout_has(&self, needles: &[&str]) {
        self.assert_holds("stdout", &self.stdout, needles);
    }

    /// Asserts that stderr holds each of `needles`; a failure shows the whole run.
    #[track_caller]
    pub fn assert_stderr_has(&self, needles: &[&str]) {
        self.assert_holds("stderr", &self.stderr, needles);
    }

    #[track_caller]
    fn assert_holds(&self, stream: &str, text: &str, needles: &[&str]) {
        for needle in needles {
            assert!(text.contains(needle), "{needle:?} not on {stream}: {self}");
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Every file under `dir` (but `target/`) and its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "target" {
                continue;
            }
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A built server spoken to over stdio, past the `initialize` handshake; killed on drop.
pub struct StdioServer {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl StdioServer {
    /// Starts `command` with piped stdin and stdout, then initializes a session as the client `client`.
    pub fn start(command: &mut Command, client: &str) -> StdioServer {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        // A reader thread, so that waiting for an answer can time out.
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = StdioServer {
            child,
            stdin,
            lines,
        };
        server.request(
            json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": client, "version": "0"}}}),
        );
        server.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        server
    }

    fn send(&mut self, message: Value) {
        writeln!(self.stdin, "{message}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends the JSON-RPC `request` and returns the answer with its id, waiting at most a minute.
    pub fn request(&mut self, request: Value) -> Value {
        let id = request["id"].clone();
        self.send(request);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let line = self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("the server answers within a minute");
            let answer: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if answer["id"] == id {
                return answer;
            }
        }
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
