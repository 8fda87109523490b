//! `mcpgen dev`: the edit loop. Regenerate, build, start the server, open the MCP Inspector on it; then, on
//! every save of the spec (regenerate first) or of a source file, rebuild and restart the server on the same
//! address. A failed generation or build is reported and the previous server keeps running.

pub mod fingerprint;
pub mod inspector;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use anyhow::Context as _;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::commands::common::Target;
use crate::spec::model::Spec;
use crate::verify::{BuildOptions, Progress, cargo_build, report};
use inspector::{Endpoint, Mode};
use server::Server;

/// What `mcpgen dev` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub inspector: Mode,
    /// Inspector CLI arguments (with [`Mode::Cli`]).
    pub inspector_args: Vec<String>,
    /// The port to serve on; `None`: the spec's, 0: the OS picks once and later starts keep it.
    pub port: Option<u16>,
    pub target_dir: Option<PathBuf>,
    pub debounce: Duration,
    /// Bound on the server's start-up and on an Inspector CLI run.
    pub timeout: Duration,
}

/// Why the loop wakes up.
enum Event {
    /// A watched file was touched (maybe only opened: the fingerprints tell).
    Files,
    /// Ctrl-C or SIGTERM.
    Stop,
}

/// Runs the loop until Ctrl-C or SIGTERM; the server and the Inspector are stopped on the way out.
pub fn run(target: &Target, opts: &Options) -> anyhow::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spec_files = crate::commands::watch::watched_files(target)?;
    let _watcher = watch(target, &spec_files, opts.debounce, tx.clone())?;
    let _signals = stop_on_signal(tx)?;
    let mut dev = Dev {
        target,
        opts,
        spec_files,
        seen: (0, 0),
        port: opts.port,
        server: None,
        inspector: None,
    };
    dev.regenerate();
    dev.rebuild();
    eprintln!(
        "mcpgen dev: watching {} and src/ (Ctrl-C to stop)",
        target.spec.display()
    );
    dev.serve(&rx);
    Ok(())
}

struct Dev<'a> {
    target: &'a Target,
    opts: &'a Options,
    /// The spec and the files it embeds.
    spec_files: Vec<PathBuf>,
    /// Fingerprints of the spec files and of the sources after the last round.
    seen: (u64, u64),
    port: Option<u16>,
    server: Option<Server>,
    /// The web or terminal Inspector, started once.
    inspector: Option<Child>,
}

impl Dev<'_> {
    fn serve(&mut self, rx: &Receiver<Event>) {
        while let Ok(first) = rx.recv() {
            // Saves come in bursts (an editor, a formatter, generation itself): take them all at once.
            let mut events = vec![first];
            events.extend(rx.try_iter());
            if events.iter().any(|e| matches!(e, Event::Stop)) {
                break;
            }
            let (spec, sources) = self.fingerprints();
            if spec != self.seen.0 {
                eprintln!("\nmcpgen dev: {} changed", self.target.spec.display());
                self.regenerate();
            } else if sources != self.seen.1 {
                eprintln!("\nmcpgen dev: sources changed");
            } else {
                continue;
            }
            self.rebuild();
        }
        self.server = None;
        if let Some(mut child) = self.inspector.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        eprintln!("mcpgen dev: stopped");
    }

    fn fingerprints(&self) -> (u64, u64) {
        (
            fingerprint::of_contents(&self.spec_files),
            fingerprint::of_sources(&self.target.dir),
        )
    }

    fn regenerate(&self) {
        use crate::codegen::write::ApplyOptions;
        use crate::commands::generate::{Mode, regenerate};
        if let Err(e) = regenerate(self.target, Mode::Write, None, &ApplyOptions::default()) {
            eprintln!("error: {e:#}");
        }
    }

    /// Builds; on success replaces the server and runs the Inspector. A failed build keeps the old server.
    fn rebuild(&mut self) {
        // Taken before building, so a save during the build starts another round; after generation, so its
        // writes (Cargo.toml) do not.
        self.seen = self.fingerprints();
        let spec = match crate::pipeline::load_spec(&self.target.spec) {
            Ok(loaded) => loaded.spec,
            // `regenerate` has printed the diagnostics.
            Err(_) => return,
        };
        let build_opts = BuildOptions {
            target_dir: self.opts.target_dir.clone(),
            progress: Progress::Auto,
        };
        let build = match cargo_build(&self.target.dir, &build_opts, Some(&spec.server.name)) {
            Ok(build) => build,
            Err(e) => return eprintln!("error: {e}"),
        };
        let Some(binary) = build.binary.clone().filter(|_| build.success) else {
            eprint!("{}", report::render_build(&build));
            eprintln!("mcpgen dev: the build failed; the previous server (if any) keeps running");
            return;
        };
        let endpoint = match http_transport(&spec) {
            Some((server_flag, inspector_name)) => {
                // The old server goes first: the new one takes its port.
                self.server = None;
                let port = self.port.unwrap_or_else(|| declared_port(&spec));
                match Server::start(&binary, server_flag, port, self.opts.timeout) {
                    Ok(server) => {
                        self.port = server.port();
                        eprintln!("mcpgen dev: serving {}", server.url);
                        let url = server.url.clone();
                        self.server = Some(server);
                        Endpoint::Url {
                            url,
                            transport: inspector_name,
                        }
                    }
                    Err(e) => return eprintln!("error: {e}"),
                }
            }
            None => {
                eprintln!(
                    "mcpgen dev: built {} (stdio: clients start it themselves; reconnect to run the new build)",
                    binary.display()
                );
                Endpoint::Stdio(binary)
            }
        };
        self.inspect(&endpoint);
    }

    fn inspect(&mut self, endpoint: &Endpoint) {
        let mode = self.opts.inspector;
        if mode == Mode::None || (mode != Mode::Cli && self.inspector.is_some()) {
            return;
        }
        let launcher = match inspector::launcher() {
            Ok(launcher) => launcher,
            Err(message) => {
                eprintln!("mcpgen dev: {message}");
                return;
            }
        };
        let mut command = Command::new(&launcher[0]);
        command
            .args(&launcher[1..])
            .args(inspector::args(mode, endpoint, &self.opts.inspector_args))
            .stdin(if mode == Mode::Tui {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        match mode {
            Mode::Cli => run_inspector_cli(command, self.opts.timeout),
            _ => match command.spawn() {
                Ok(child) => self.inspector = Some(child),
                Err(e) => eprintln!("mcpgen dev: cannot start the Inspector: {e}"),
            },
        }
    }
}

/// One Inspector CLI command, its output passed through; bounded by `timeout` so a hung client cannot stall the
/// loop.
fn run_inspector_cli(mut command: Command, timeout: Duration) {
    eprintln!("mcpgen dev: running the Inspector CLI");
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return eprintln!("mcpgen dev: cannot start the Inspector: {e}"),
    };
    let deadline = std::time::Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return eprintln!("mcpgen dev: Inspector CLI finished ({status})");
            }
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return eprintln!(
                    "mcpgen dev: the Inspector CLI did not finish within {} s; stopped it",
                    timeout.as_secs()
                );
            }
            Err(e) => return eprintln!("mcpgen dev: Inspector CLI: {e}"),
        }
    }
}

/// The HTTP transport dev serves (the server's `--transport` value and the Inspector's name for it):
/// streamable HTTP when declared, else legacy SSE; `None` for a stdio-only spec.
fn http_transport(spec: &Spec) -> Option<(&'static str, &'static str)> {
    if spec.transports.streamable_http.is_some() {
        Some(("streamable-http", "http"))
    } else if spec.transports.sse.is_some() {
        Some(("sse", "sse"))
    } else {
        None
    }
}

fn declared_port(spec: &Spec) -> u16 {
    let t = &spec.transports;
    t.streamable_http
        .as_ref()
        .map(|h| h.port)
        .or_else(|| t.sse.as_ref().map(|s| s.port))
        .unwrap_or(0)
}

/// Watches the spec's folder (the spec and the files it embeds) and the crate's `src/` (all but
/// `src/generated/`, which generation itself writes) and `Cargo.toml`.
fn watch(
    target: &Target,
    spec_files: &[PathBuf],
    debounce: Duration,
    tx: Sender<Event>,
) -> anyhow::Result<Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>> {
    let dir = std::fs::canonicalize(&target.dir)
        .with_context(|| format!("{}: folder not found", target.dir.display()))?;
    let generated = dir.join("src").join("generated");
    let manifest = dir.join("Cargo.toml");
    let src = dir.join("src");
    let watched_spec = spec_files.to_vec();
    let relevant = move |path: &Path| {
        watched_spec.iter().any(|f| f == path)
            || path == manifest
            || (path.starts_with(&src) && !path.starts_with(&generated))
    };
    let mut debouncer = new_debouncer(debounce, move |result: DebounceEventResult| {
        if let Ok(events) = result
            && events.iter().any(|e| relevant(&e.path))
        {
            let _ = tx.send(Event::Files);
        }
    })
    .context("starting the file watcher")?;
    crate::commands::watch::watch_folders_of(debouncer.watcher(), spec_files)?;
    debouncer
        .watcher()
        .watch(&dir.join("src"), RecursiveMode::Recursive)
        .context("watching src/")?;
    debouncer
        .watcher()
        .watch(&dir, RecursiveMode::NonRecursive)
        .context("watching the crate folder")?;
    Ok(debouncer)
}

/// Ctrl-C and SIGTERM end the loop (so the server is stopped too), on a one-worker runtime of its own.
fn stop_on_signal(tx: Sender<Event>) -> anyhow::Result<tokio::runtime::Runtime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the signal handler")?;
    // Registered before `dev` starts anything, so a signal is never missed.
    let _guard = runtime.enter();
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    let ctrl_c = tokio::signal::ctrl_c();
    runtime.spawn(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        let _ = tx.send(Event::Stop);
    });
    Ok(runtime)
}
