//! Contender processes: spawning pinned to a CPU, and reading their CPU time and memory from /proc.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

/// Pins the calling thread (and so, before exec, the process) to `cpu`.
pub fn pin_to_cpu(cpu: usize) -> std::io::Result<()> {
    // SAFETY: cpu_set_t is plain data; sched_setaffinity(0) only changes the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Spawns `argv` (with `{port}` replaced) from `dir`, pinned to `cpu`, stdin/stdout piped when `pipes`.
pub fn spawn(
    argv: &[String],
    dir: &Path,
    cpu: Option<usize>,
    port: Option<u16>,
    pipes: bool,
) -> std::io::Result<Child> {
    let argv: Vec<String> = argv
        .iter()
        .map(|a| match port {
            Some(port) => a.replace("{port}", &port.to_string()),
            None => a.clone(),
        })
        .collect();
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(if pipes { Stdio::piped() } else { Stdio::null() })
        .stdout(if pipes { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(cpu) = cpu {
        // SAFETY: only an async-signal-safe syscall runs between fork and exec.
        unsafe {
            command.pre_exec(move || pin_to_cpu(cpu));
        }
    }
    command.spawn()
}

/// Stops a server: SIGTERM, then SIGKILL if it has not exited within a second.
pub async fn stop(mut child: Child) {
    if let Some(pid) = child.id() {
        // SAFETY: plain kill(2) on our own child.
        unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    }
    if tokio::time::timeout(Duration::from_secs(1), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// User + system CPU time of a process (all its threads), from /proc/PID/stat.
pub fn cpu_time(pid: &str) -> Duration {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return Duration::ZERO;
    };
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_nanos(ticks * 1_000_000_000 / hz)
}

/// A field of /proc/PID/status in KiB, such as `VmRSS` (resident now) or `VmHWM` (peak resident).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU used by the server and by this driver over a measured phase, as shares of one core.
pub struct CpuMeter {
    server: String,
    started: Instant,
    server_start: Duration,
    driver_start: Duration,
}

impl CpuMeter {
    pub fn start(server_pid: u32) -> Self {
        let server = server_pid.to_string();
        CpuMeter {
            server_start: cpu_time(&server),
            driver_start: cpu_time("self"),
            server,
            started: Instant::now(),
        }
    }

    /// (server, driver) CPU time divided by wall time.
    pub fn stop(&self) -> (f64, f64) {
        let wall = self.started.elapsed().as_secs_f64().max(1e-9);
        let server = cpu_time(&self.server)
            .saturating_sub(self.server_start)
            .as_secs_f64()
            / wall;
        let driver = cpu_time("self")
            .saturating_sub(self.driver_start)
            .as_secs_f64()
            / wall;
        (server, driver)
    }
}
