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

/// `pid` and every process below it: a contender may be a launcher with the servers as its children (a cluster
/// behind nginx), whose CPU and memory count as the contender's.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // After the parenthesised name: state, then the parent's pid.
        let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if let Some(parent) = rest.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
            parents.push((parent, child));
        }
    }
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            parents
                .iter()
                .filter(|(p, _)| *p == parent)
                .map(|(_, c)| *c),
        );
        next += 1;
    }
    found
}

/// CPU time of a process tree (see [`tree`]).
fn tree_cpu_time(pid: &str) -> Duration {
    match pid.parse() {
        Ok(pid) => tree(pid).iter().map(|p| cpu_time(&p.to_string())).sum(),
        Err(_) => cpu_time(pid),
    }
}

/// A /proc/PID/status field summed over a process tree (see [`tree`]).
pub fn tree_status_kib(pid: u32, field: &str) -> Option<u64> {
    let root = status_kib(pid, field)?;
    let below: u64 = tree(pid)[1..]
        .iter()
        .filter_map(|&p| status_kib(p, field))
        .sum();
    Some(root + below)
}

/// CPU used by the server (its process tree) and by this driver over a measured phase, as shares of one core.
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
            server_start: tree_cpu_time(&server),
            driver_start: cpu_time("self"),
            server,
            started: Instant::now(),
        }
    }

    /// (server, driver) CPU time divided by wall time.
    pub fn stop(&self) -> (f64, f64) {
        let wall = self.started.elapsed().as_secs_f64().max(1e-9);
        let server = tree_cpu_time(&self.server)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_holds_the_children_of_a_launcher() {
        let mut shell = std::process::Command::new("sh")
            .args(["-c", "sleep 30 & sleep 30 & wait"])
            .spawn()
            .expect("sh starts");
        let pid = shell.id();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut found = tree(pid);
        while found.len() < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            found = tree(pid);
        }
        let (tree_rss, own_rss) = (tree_status_kib(pid, "VmRSS"), status_kib(pid, "VmRSS"));
        for child in &found[1..] {
            // SAFETY: plain kill(2) of the test's own grandchildren.
            unsafe { libc::kill(*child as i32, libc::SIGKILL) };
        }
        let _ = shell.kill();
        let _ = shell.wait();
        assert_eq!(found.len(), 3, "the shell and its two sleeps: {found:?}");
        assert!(
            tree_rss.unwrap() > own_rss.unwrap(),
            "the sleeps' memory counts too"
        );
    }
}
