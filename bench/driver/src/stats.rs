//! Measurements of one phase, and summaries across rounds.

use std::time::Duration;

use serde::Serialize;

/// One measured phase: every latency, every error, and the CPU the server and driver used.
#[derive(Debug, Default)]
pub struct Phase {
    latencies_ns: Vec<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
    pub summary: Option<PhaseSummary>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct PhaseSummary {
    pub calls: u64,
    pub errors: u64,
    pub calls_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// CPU time over wall time, in cores (1.0 = one core busy for the whole phase).
    pub server_cpu: f64,
    pub driver_cpu: f64,
}

impl Phase {
    pub fn ok(&mut self, latency: Duration) {
        self.latencies_ns.push(latency.as_nanos() as u64);
    }

    pub fn error(&mut self, message: impl Into<String>) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(message.into());
        }
    }

    pub fn merge(&mut self, other: Phase) {
        self.latencies_ns.extend(other.latencies_ns);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn finish(&mut self, elapsed: Duration, (server_cpu, driver_cpu): (f64, f64)) {
        self.latencies_ns.sort_unstable();
        let calls = self.latencies_ns.len() as u64;
        let at = |q: f64| {
            if calls == 0 {
                return f64::NAN;
            }
            let index = ((calls as f64 * q).ceil() as usize).clamp(1, calls as usize) - 1;
            self.latencies_ns[index] as f64 / 1e6
        };
        self.summary = Some(PhaseSummary {
            calls,
            errors: self.errors,
            calls_per_s: calls as f64 / elapsed.as_secs_f64().max(1e-9),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            server_cpu,
            driver_cpu,
        });
    }
}

/// Median, minimum and maximum of the samples taken across rounds.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(samples: &[f64]) -> Option<Spread> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|s| s.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_medians() {
        let mut phase = Phase::default();
        for ms in 1..=100 {
            phase.ok(Duration::from_millis(ms));
        }
        phase.error("x");
        phase.finish(Duration::from_secs(2), (0.5, 0.25));
        let s = phase.summary.unwrap();
        assert_eq!((s.calls, s.errors), (100, 1));
        assert_eq!((s.p50_ms, s.p99_ms, s.calls_per_s), (50.0, 99.0, 50.0));
        let spread = Spread::of(&[3.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((spread.median, spread.min, spread.max), (2.5, 1.0, 10.0));
        assert!(Spread::of(&[f64::NAN]).is_none());
    }
}
