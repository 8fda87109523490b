//! mcpbench: the load driver of mcpgen's benchmarks (see BENCHMARKS.md and bench/run.sh).
//!
//! Runs every contender of a config file through the same scenarios and checks every reply. Each scenario (stdio,
//! stateless HTTP, stateful HTTP) starts one process per contender, warms each up, then measures them in rounds:
//! a round runs every contender's phases back to back (A B C D, then B C D A...), so the phases a ratio pairs are
//! seconds apart. Prints Markdown tables of medians, min-max and each contender's standing against the baseline
//! (the hand-written rmcp server), then the targets table. The driver runs on one core and pins the servers to
//! another.

mod http;
mod proc;
mod rpc;
mod stats;
mod stdio;
mod targets;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use serde::{Deserialize, Serialize};

use stats::{Phase, PhaseSummary, Spread};

#[derive(Parser)]
#[command(about = "Benchmark MCP servers side by side (stdio and streamable HTTP)")]
struct Args {
    /// Contenders (TOML: [[contender]] name, stdio, stateless, stateful command lines; `{port}` is replaced).
    #[arg(long, default_value = "contenders.toml")]
    config: PathBuf,
    /// Rounds per scenario; each round measures every contender once, on the process the scenario started for it.
    /// Round r starts at the r-th contender of the config and goes on in config order (A B C, B C A, C A B...), so
    /// no contender always runs right after the same one.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Run the contenders in config order in every round instead of rotating the order.
    #[arg(long)]
    fixed_order: bool,
    /// Seconds each load phase lasts.
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Seconds of unrecorded calls on each process before its first measured phase. Node's JIT needs seconds:
    /// after 0.5 s the TypeScript SDK served 544 stateless calls/s at concurrency 32, after 4 s 922 (BENCHMARKS.md).
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// Start-ups measured per contender and round (the contenders alternate).
    #[arg(long, default_value_t = 5)]
    starts: usize,
    /// HTTP concurrency levels (connections, one request in flight each).
    #[arg(long, value_delimiter = ',', default_value = "1,32,256")]
    concurrency: Vec<usize>,
    /// Requests in flight for the pipelined stdio phase.
    #[arg(long, default_value_t = 32)]
    pipeline: usize,
    /// Only these contenders (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The contender the others are compared with.
    #[arg(long, default_value = "rmcp-hand")]
    baseline: String,
    /// The generated server, whose targets the run judges.
    #[arg(long, default_value = "mcpgen")]
    generated: String,
    /// The servers users would otherwise pick, which the generated one must beat.
    #[arg(long, value_delimiter = ',', default_value = "fastmcp,ts-sdk")]
    peers: Vec<String>,
    /// The baseline's binary again under another name; its standing against the baseline shows how far noise
    /// alone moves a ratio in this run (a line of the targets table, not a target).
    #[arg(long, default_value = "rmcp-hand-again")]
    control: String,
    /// CPU the driver runs on; servers run on --server-cpu. Negative: no pinning.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    driver_cpu: i64,
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    server_cpu: i64,
    /// Write every raw phase result here (JSON).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Which transports to run: stdio (with the start-up and idle-memory measurements), stateless, stateful.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "stdio,stateless,stateful"
    )]
    modes: Vec<String>,
    /// Leave out the table of the project's targets (for configs whose contenders are not the generated server
    /// against its peers, such as cluster.toml).
    #[arg(long)]
    no_targets: bool,
}

impl Args {
    fn runs(&self, mode: &str) -> bool {
        self.modes.iter().any(|m| m == mode)
    }
}

#[derive(Deserialize)]
struct Config {
    contender: Vec<Contender>,
}

#[derive(Deserialize, Clone)]
pub struct Contender {
    pub name: String,
    pub stdio: Vec<String>,
    pub stateless: Vec<String>,
    pub stateful: Vec<String>,
    #[serde(default = "default_path")]
    pub path: String,
    /// Where the commands run: the config file's folder.
    #[serde(skip)]
    pub dir: PathBuf,
}

fn default_path() -> String {
    "/mcp".into()
}

/// Scenario keys in report order.
fn scenarios(args: &Args) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    if args.runs("stdio") {
        keys.push((
            "stdio.seq".to_owned(),
            "stdio, sequential (1 in flight)".to_owned(),
        ));
        keys.push((
            format!("stdio.pipe{}", args.pipeline),
            format!("stdio, {} in flight", args.pipeline),
        ));
    }
    for mode in ["stateless", "stateful"]
        .into_iter()
        .filter(|m| args.runs(m))
    {
        for c in &args.concurrency {
            let what = if mode == "stateless" {
                "stateless JSON"
            } else {
                "stateful sessions, SSE replies"
            };
            keys.push((
                format!("http.{mode}.c{c}"),
                format!("streamable HTTP, {what}, concurrency {c}"),
            ));
        }
    }
    keys
}

#[derive(Default, Serialize)]
struct Results {
    /// Scalar samples (start-up ms, RSS MiB) per metric and contender, across rounds.
    scalars: BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    /// Phase summaries per scenario and contender, one per round.
    phases: BTreeMap<String, BTreeMap<String, Vec<PhaseSummary>>>,
    /// The first error message of each scenario and contender that had errors.
    errors: BTreeMap<String, BTreeMap<String, String>>,
}

impl Results {
    fn scalar(&mut self, metric: &str, contender: &str, value: f64) {
        entry(&mut self.scalars, metric, contender)
            .or_default()
            .push(value);
    }

    fn phase(&mut self, scenario: &str, contender: &str, phase: Phase) {
        if let Some(e) = phase.first_error {
            eprintln!(
                "    {scenario}: {} errors, first: {}",
                phase.errors,
                truncate(&e, 300)
            );
            entry(&mut self.errors, scenario, contender).or_insert(e);
        }
        if let Some(s) = phase.summary {
            eprintln!(
                "    {scenario:<22} {:>9.0} calls/s  p50 {:.3} ms  p99 {:.3} ms  errors {}  cpu server {:.2} driver {:.2}",
                s.calls_per_s, s.p50_ms, s.p99_ms, s.errors, s.server_cpu, s.driver_cpu
            );
            entry(&mut self.phases, scenario, contender)
                .or_default()
                .push(s);
        }
    }
}

/// `contender`'s entry under `key` in a map of metric or scenario, then contender.
fn entry<'m, T>(
    map: &'m mut BTreeMap<String, BTreeMap<String, T>>,
    key: &str,
    contender: &str,
) -> std::collections::btree_map::Entry<'m, String, T> {
    map.entry(key.into()).or_default().entry(contender.into())
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if args.driver_cpu >= 0
        && let Err(e) = proc::pin_to_cpu(args.driver_cpu as usize)
    {
        eprintln!("cannot pin the driver to CPU {}: {e}", args.driver_cpu);
        return std::process::ExitCode::FAILURE;
    }
    // One thread: the driver's CPU share is then easy to read, and it cannot steal the server's core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mcpbench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn load_config(path: &Path, only: &[String]) -> Result<Vec<Contender>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::path::absolute(parent).map_err(|e| e.to_string())?;
    let mut contenders = Vec::new();
    for mut c in config.contender {
        if !only.is_empty() && !only.contains(&c.name) {
            continue;
        }
        // A program given as a relative path is relative to the config file, not to wherever we were started.
        for argv in [&mut c.stdio, &mut c.stateless, &mut c.stateful] {
            if argv.is_empty() {
                return Err(format!("contender {}: empty command", c.name));
            }
            if argv[0].contains('/') && !argv[0].starts_with('/') {
                argv[0] = dir.join(&argv[0]).to_string_lossy().into_owned();
            }
        }
        c.dir = dir.clone();
        contenders.push(c);
    }
    if contenders.is_empty() {
        return Err("no contender selected".into());
    }
    Ok(contenders)
}

async fn run(args: Args) -> Result<(), String> {
    let contenders = load_config(&args.config, &args.only)?;
    let cpu = (args.server_cpu >= 0).then_some(args.server_cpu as usize);
    let mut results = Results::default();
    let started = Instant::now();
    let run = Run {
        args: &args,
        contenders: &contenders,
        cpu,
    };
    let mut peaks = Peaks::default();
    if args.runs("stdio") {
        run.startups(&mut results).await;
        run.stdio(&mut results, &mut peaks).await;
    }
    for mode in ["stateless", "stateful"]
        .into_iter()
        .filter(|m| args.runs(m))
    {
        run.http(mode, &mut results, &mut peaks).await;
    }
    for c in &contenders {
        for kib in peaks.0.get(&c.name).into_iter().flatten() {
            results.scalar("peak_rss_mib", &c.name, *kib as f64 / 1024.0);
        }
    }
    eprintln!("done in {:.0} s", started.elapsed().as_secs_f64());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&results).expect("results serialise");
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let names: Vec<&str> = contenders.iter().map(|c| c.name.as_str()).collect();
    print!("{}", report(&args, &names, &results));
    Ok(())
}

/// The contenders' indices in the order round `round` (from 1) runs them: rotated by one per round.
fn round_order(n: usize, round: usize, fixed: bool) -> impl Iterator<Item = usize> {
    let start = if fixed { 0 } else { (round - 1) % n.max(1) };
    (0..n).map(move |i| (start + i) % n)
}

/// Peak resident memory per contender and round: the largest `VmHWM` of its processes up to the end of that
/// round's phases (the stateful process with 256 sessions is the largest).
#[derive(Default)]
struct Peaks(BTreeMap<String, Vec<u64>>);

impl Peaks {
    fn record(&mut self, contender: &str, round: usize, pid: u32) {
        let kib = proc::tree_status_kib(pid, "VmHWM").unwrap_or(0);
        let rounds = self.0.entry(contender.into()).or_default();
        if rounds.len() < round {
            rounds.resize(round, 0);
        }
        rounds[round - 1] = rounds[round - 1].max(kib);
    }
}

/// One run: every scenario starts a process per contender, warms each up, then measures them in rounds, each
/// round running every contender's phases back to back. Paired phases are seconds apart, not minutes, so a
/// ratio between two contenders of one round sees the same machine.
struct Run<'a> {
    args: &'a Args,
    contenders: &'a [Contender],
    cpu: Option<usize>,
}

impl Run<'_> {
    fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.args.duration)
    }

    fn warmup(&self) -> Duration {
        Duration::from_secs_f64(self.args.warmup)
    }

    fn rounds(&self) -> impl Iterator<Item = (usize, Vec<&Contender>)> {
        (1..=self.args.rounds).map(|round| {
            let order = round_order(self.contenders.len(), round, self.args.fixed_order);
            (round, order.map(|i| &self.contenders[i]).collect())
        })
    }

    /// Spawn to initialize reply, `--starts` times per contender and round, the contenders alternating; the first
    /// process of each round also gives the idle RSS, 300 ms after `initialize`.
    async fn startups(&self, results: &mut Results) {
        for (round, order) in self.rounds() {
            eprintln!(
                "round {round}/{}: start-up and idle memory",
                self.args.rounds
            );
            let mut took: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
            for start in 0..self.args.starts {
                for c in &order {
                    match stdio::Session::start(c, self.cpu).await {
                        Ok((session, elapsed)) => {
                            took.entry(&c.name)
                                .or_default()
                                .push(elapsed.as_secs_f64() * 1e3);
                            if start == 0 {
                                tokio::time::sleep(Duration::from_millis(300)).await;
                                let pid = session.child.id().unwrap_or(0);
                                if let Some(rss) = proc::tree_status_kib(pid, "VmRSS") {
                                    results.scalar("idle_rss_mib", &c.name, rss as f64 / 1024.0);
                                }
                            }
                            proc::stop(session.child).await;
                        }
                        Err(e) => eprintln!("    {}: start-up failed: {e}", c.name),
                    }
                }
            }
            for c in &order {
                if let Some(s) = took.get(c.name.as_str()).and_then(|t| Spread::of(t)) {
                    eprintln!("    {:<16} start-up median {:.1} ms", c.name, s.median);
                    results.scalar("startup_ms", &c.name, s.median);
                }
            }
        }
    }

    /// stdio: one process per contender for the whole scenario, sequential calls then `--pipeline` in flight.
    async fn stdio(&self, results: &mut Results, peaks: &mut Peaks) {
        let mut sessions = BTreeMap::new();
        for c in self.contenders {
            match stdio::Session::start(c, self.cpu).await {
                Ok((mut session, _)) => {
                    if !self.warmup().is_zero() {
                        session.calls(1, self.warmup()).await;
                    }
                    sessions.insert(c.name.clone(), session);
                }
                Err(e) => eprintln!("    {}: stdio session failed: {e}", c.name),
            }
        }
        let pipelined = format!("stdio.pipe{}", self.args.pipeline);
        for (round, order) in self.rounds() {
            eprintln!("round {round}/{}: stdio", self.args.rounds);
            for c in order {
                let Some(session) = sessions.get_mut(&c.name) else {
                    continue;
                };
                eprintln!("  {}", c.name);
                let phase = session.calls(1, self.duration()).await;
                results.phase("stdio.seq", &c.name, phase);
                let phase = session.calls(self.args.pipeline, self.duration()).await;
                results.phase(&pipelined, &c.name, phase);
                peaks.record(&c.name, round, session.child.id().unwrap_or(0));
            }
        }
        for (_, session) in sessions {
            proc::stop(session.child).await;
        }
    }

    /// Streamable HTTP in `mode` (stateless or stateful): one server per contender, every concurrency level.
    async fn http(&self, mode: &str, results: &mut Results, peaks: &mut Peaks) {
        let mut servers = BTreeMap::new();
        for c in self.contenders {
            let argv = if mode == "stateless" {
                &c.stateless
            } else {
                &c.stateful
            };
            match serve_http(c, argv, self.cpu).await {
                Ok((child, addr)) => {
                    let target = http::Target {
                        addr,
                        path: c.path.clone(),
                        stateful: mode == "stateful",
                    };
                    let pid = child.id().unwrap_or(0);
                    if !self.warmup().is_zero() {
                        http::run(&target, pid, 8, self.warmup()).await;
                    }
                    servers.insert(c.name.clone(), (child, target));
                }
                Err(e) => eprintln!("    {}: {mode} HTTP server failed: {e}", c.name),
            }
        }
        for (round, order) in self.rounds() {
            eprintln!("round {round}/{}: {mode} HTTP", self.args.rounds);
            for c in order {
                let Some((child, target)) = servers.get(&c.name) else {
                    continue;
                };
                eprintln!("  {}", c.name);
                let pid = child.id().unwrap_or(0);
                for &concurrency in &self.args.concurrency {
                    let phase = http::run(target, pid, concurrency, self.duration()).await;
                    results.phase(&format!("http.{mode}.c{concurrency}"), &c.name, phase);
                }
                peaks.record(&c.name, round, pid);
            }
        }
        for (_, (child, _)) in servers {
            proc::stop(child).await;
        }
    }
}

/// Starts an HTTP server on a free port and waits until it accepts connections.
async fn serve_http(
    c: &Contender,
    argv: &[String],
    cpu: Option<usize>,
) -> Result<(tokio::process::Child, std::net::SocketAddr), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut child = proc::spawn(argv, &c.dir, cpu, Some(port), false)
        .map_err(|e| format!("cannot start {argv:?}: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok((child, addr));
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{argv:?} exited with {status} before listening"));
        }
        if Instant::now() > deadline {
            proc::stop(child).await;
            return Err(format!("{argv:?} did not listen on {addr} within 60 s"));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// "12.3k" style numbers for rates, plain ones for the rest.
fn num(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.1}k", value / 1000.0)
    } else if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// `median [min–max] (×standing)`; standing > 1 means better than the baseline whatever the metric's direction.
fn cell(samples: &[f64], baseline: Option<&[f64]>, higher_is_better: bool) -> String {
    let Some(s) = Spread::of(samples) else {
        return "n/a".into();
    };
    let mut out = if s.min == s.max {
        num(s.median)
    } else {
        format!("{} [{}–{}]", num(s.median), num(s.min), num(s.max))
    };
    if let Some(b) = baseline.and_then(Spread::of) {
        let standing = if higher_is_better {
            s.median / b.median
        } else {
            b.median / s.median
        };
        let _ = write!(out, " (×{standing:.2})");
    }
    out
}

fn report(args: &Args, names: &[&str], results: &Results) -> String {
    let mut out = String::new();
    let cpu = |cpu: i64| match cpu {
        c if c < 0 => "not pinned".to_owned(),
        c => format!("on CPU {c}"),
    };
    let order = if args.fixed_order {
        "the same order every round"
    } else {
        "the order rotated by one each round"
    };
    let _ = writeln!(
        out,
        "{} rounds per scenario, one process per contender and scenario, the contenders' phases back to back \
         ({order}); {} s per load phase after {} s of warm-up per process; driver {}, servers {}.\n\
         Cells: median [min–max] over rounds (×N = standing against {}: >1 is better, whatever the direction).\n",
        args.rounds,
        args.duration,
        args.warmup,
        cpu(args.driver_cpu),
        cpu(args.server_cpu),
        args.baseline
    );
    let _ = writeln!(out, "### Start-up and memory\n");
    let _ = writeln!(
        out,
        "| contender | start-up to initialize reply (ms) | idle RSS (MiB) | peak RSS (MiB) |"
    );
    let _ = writeln!(out, "|---|---|---|---|");
    for name in names {
        let col = |metric: &str| {
            let samples = results.scalars.get(metric);
            let get = |n: &str| samples.and_then(|m| m.get(n)).map(Vec::as_slice);
            cell(get(name).unwrap_or(&[]), get(&args.baseline), false)
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            col("startup_ms"),
            col("idle_rss_mib"),
            col("peak_rss_mib")
        );
    }
    for (key, title) in scenarios(args) {
        let Some(by_name) = results.phases.get(&key) else {
            continue;
        };
        let _ = writeln!(out, "\n### {title}\n");
        let _ = writeln!(
            out,
            "| contender | calls/s | p50 (ms) | p99 (ms) | errors | server CPU | driver CPU |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        let pick = |name: &str, f: fn(&PhaseSummary) -> f64| -> Vec<f64> {
            by_name
                .get(name)
                .map(|v| v.iter().map(f).collect())
                .unwrap_or_default()
        };
        for name in names {
            if !by_name.contains_key(*name) {
                continue;
            }
            let base = |f: fn(&PhaseSummary) -> f64| {
                let b = pick(&args.baseline, f);
                (!b.is_empty()).then_some(b)
            };
            let rate = cell(
                &pick(name, |s| s.calls_per_s),
                base(|s| s.calls_per_s).as_deref(),
                true,
            );
            let p50 = cell(
                &pick(name, |s| s.p50_ms),
                base(|s| s.p50_ms).as_deref(),
                false,
            );
            let p99 = cell(
                &pick(name, |s| s.p99_ms),
                base(|s| s.p99_ms).as_deref(),
                false,
            );
            let errors: f64 = pick(name, |s| s.errors as f64).iter().sum();
            let calls: f64 = pick(name, |s| s.calls as f64).iter().sum();
            let cpu = |f: fn(&PhaseSummary) -> f64| {
                Spread::of(&pick(name, f))
                    .map_or("n/a".into(), |s| format!("{:.0}%", s.median * 100.0))
            };
            let _ = writeln!(
                out,
                "| {name} | {rate} | {p50} | {p99} | {errors:.0} of {} | {} | {} |",
                num(calls + errors),
                cpu(|s| s.server_cpu),
                cpu(|s| s.driver_cpu)
            );
        }
    }
    if args.no_targets {
        return out;
    }
    let metrics = targets::metrics(&results.scalars, &results.phases, &scenarios(args));
    let roles = targets::Roles {
        generated: &args.generated,
        baseline: &args.baseline,
        peers: &args.peers,
        control: &args.control,
    };
    out.push_str(&targets::report(&metrics, &roles, args.pipeline));
    if !results.errors.is_empty() {
        let _ = writeln!(out, "\n### First error per scenario\n");
        for (scenario, by_name) in &results.errors {
            for (name, e) in by_name {
                let _ = writeln!(
                    out,
                    "- {scenario}, {name}: `{}`",
                    truncate(e, 200).replace('`', "'")
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::round_order;

    #[test]
    fn each_round_starts_one_contender_later() {
        let rounds: Vec<Vec<usize>> = (1..=4)
            .map(|r| round_order(3, r, false).collect())
            .collect();
        assert_eq!(rounds, [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 1, 2]]);
        let fixed: Vec<usize> = round_order(3, 2, true).collect();
        assert_eq!(fixed, [0, 1, 2]);
        assert_eq!(round_order(1, 5, false).collect::<Vec<_>>(), [0]);
    }
}
