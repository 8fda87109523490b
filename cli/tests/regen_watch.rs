//! `mcpgen watch`: started as a child process on a temporary crate, it regenerates after each save of the spec,
//! reports an invalid spec and keeps watching. Every wait is bounded, and the child is always killed.

mod regen_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use regen_support::Crate;

const MINIMAL: &str = include_str!("../../specs/minimal.yaml");

/// Kills the watcher however the test ends.
struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's output, read on a thread so waiting for one can time out.
fn lines(read: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(read).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (at most `limit`) for a line containing `needle`; returns everything read meanwhile on failure.
fn wait_for(rx: &Receiver<String>, needle: &str, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut seen = String::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Ok(()),
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => break,
        }
    }
    Err(format!(
        "no line with {needle:?} within {limit:?}; got:\n{seen}"
    ))
}

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn watch_regenerates_on_save_and_survives_an_invalid_spec() {
    let c = Crate::new(MINIMAL);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcpgen"))
        .args(["watch", "--debounce", "100"])
        .current_dir(&c.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = lines(child.stdout.take().unwrap());
    let stderr = lines(child.stderr.take().unwrap());
    let _guard = Watcher(child);
    wait_for(&stdout, "watching", LIMIT).unwrap();
    // Reading the spec opens it, which inotify reports: that alone must not start another round (it did, over
    // and over, for as long as the watch ran).
    let quiet: Vec<String> =
        std::iter::from_fn(|| stdout.recv_timeout(Duration::from_millis(1500)).ok())
            .take(50)
            .collect();
    assert!(quiet.is_empty(), "regenerated without a save: {quiet:?}");

    // An invalid save: diagnostics, nothing written, still watching.
    c.write_spec(&MINIMAL.replace("name: add", "name: \"\""));
    wait_for(&stderr, "invalid spec, nothing was written", LIMIT).unwrap();
    assert!(c.read("src/generated/tools.rs").contains("\"add\""));

    // A valid save: the new tool's stub and generated code appear.
    c.write_spec(&MINIMAL.replace("name: add", "name: sum"));
    wait_for(&stdout, "created (yours to edit): src/tools/sum.rs", LIMIT).unwrap();
    assert!(c.dir.join("src/tools/sum.rs").exists());
    assert!(c.read("src/generated/tools.rs").contains("\"sum\""));

    // And again, through an editor-style save: write a temporary file, rename it over the spec.
    let tmp = c.spec.with_extension("yaml.swp");
    std::fs::write(&tmp, MINIMAL.replace("name: add", "name: total")).unwrap();
    std::fs::rename(&tmp, &c.spec).unwrap();
    wait_for(
        &stdout,
        "created (yours to edit): src/tools/total.rs",
        LIMIT,
    )
    .unwrap();
}
