//! Issue 10's targets, judged from one run, so a verdict is never read off the tables by hand.
//!
//! Ratios between two contenders are paired by round: each round runs every contender's phase of a scenario back
//! to back, seconds apart, so both see the same machine, and the verdict uses the median of the per-round ratios
//! (min-max beside it). On a shared machine whose speed drifts between rounds this is steadier than dividing one
//! median by another.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::stats::{PhaseSummary, Spread};

/// Who plays which part. Contenders missing from the run make their lines "not measured".
pub struct Roles<'a> {
    pub generated: &'a str,
    pub baseline: &'a str,
    pub peers: &'a [String],
    /// The baseline's own binary under another name: its standing against the baseline is what the machine's
    /// noise alone gives, the yardstick for the generated server's.
    pub control: &'a str,
}

/// One metric, a sample per round for each contender, and which way is better.
pub struct Metric {
    /// What the results call it (`idle_rss_mib`, `http.stateless.c32:calls_per_s`): how lines look it up.
    pub key: String,
    /// What the table calls it.
    pub name: String,
    pub samples: BTreeMap<String, Vec<f64>>,
    pub higher_is_better: bool,
}

/// Every metric the tables show: start-up, idle and peak RSS, then calls/s, p50 and p99 per scenario.
pub fn metrics(
    scalars: &BTreeMap<String, BTreeMap<String, Vec<f64>>>,
    phases: &BTreeMap<String, BTreeMap<String, Vec<PhaseSummary>>>,
    scenarios: &[(String, String)],
) -> Vec<Metric> {
    let mut out = Vec::new();
    for (key, name) in [
        ("startup_ms", "start-up"),
        ("idle_rss_mib", "idle RSS"),
        ("peak_rss_mib", "peak RSS"),
    ] {
        if let Some(samples) = scalars.get(key) {
            out.push(Metric {
                key: key.into(),
                name: name.into(),
                samples: samples.clone(),
                higher_is_better: false,
            });
        }
    }
    type Field = fn(&PhaseSummary) -> f64;
    let fields: [(&str, &str, Field, bool); 3] = [
        ("calls_per_s", "calls/s", |s| s.calls_per_s, true),
        ("p50_ms", "p50", |s| s.p50_ms, false),
        ("p99_ms", "p99", |s| s.p99_ms, false),
    ];
    for (key, title) in scenarios {
        let Some(by_name) = phases.get(key) else {
            continue;
        };
        for (field_key, what, field, higher_is_better) in fields {
            out.push(Metric {
                key: format!("{key}:{field_key}"),
                name: format!("{title}: {what}"),
                samples: by_name
                    .iter()
                    .map(|(n, v)| (n.clone(), v.iter().map(field).collect()))
                    .collect(),
                higher_is_better,
            });
        }
    }
    out
}

/// Per-round standing of `a` against `b` (>1: `a` is better). None when either is missing, their sample counts
/// differ (after a round one of them missed, the rest would pair the wrong rounds) or a ratio is not finite.
pub fn paired(metric: &Metric, a: &str, b: &str) -> Option<Spread> {
    let (xs, ys) = (metric.samples.get(a)?, metric.samples.get(b)?);
    if xs.len() != ys.len() || xs.is_empty() {
        return None;
    }
    let ratios: Vec<f64> = xs
        .iter()
        .zip(ys)
        .map(|(x, y)| {
            if metric.higher_is_better {
                x / y
            } else {
                y / x
            }
        })
        .collect();
    if ratios.iter().any(|r| !r.is_finite()) {
        return None;
    }
    Spread::of(&ratios)
}

fn spread(s: Spread, unit: &str) -> String {
    format!("{:.2}{unit} [{:.2}–{:.2}]", s.median, s.min, s.max)
}

/// A line of the targets table: what, the verdict, the numbers behind it.
struct Line {
    target: String,
    verdict: Verdict,
    detail: String,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Verdict {
    Met,
    Missed,
    NotMeasured,
    /// Not a target: the control's line, noise measured.
    Noise,
}

impl Verdict {
    fn of(met: bool) -> Verdict {
        if met { Verdict::Met } else { Verdict::Missed }
    }
}

impl Line {
    fn not_measured(target: &str, why: &str) -> Line {
        Line {
            target: target.into(),
            verdict: Verdict::NotMeasured,
            detail: why.into(),
        }
    }
}

/// Every metric where `a` stands below `floor` against `b` (median of per-round ratios), and the lowest one.
fn standing_floor<'m>(
    metrics: &'m [Metric],
    a: &str,
    b: &str,
    floor: f64,
) -> (Vec<String>, Option<(f64, &'m str)>) {
    let mut below = Vec::new();
    let mut lowest: Option<(f64, &'m str)> = None;
    for m in metrics {
        let Some(s) = paired(m, a, b) else { continue };
        if lowest.is_none_or(|(l, _)| s.median < l) {
            lowest = Some((s.median, &m.name));
        }
        if s.median < floor {
            below.push(format!("{} {}", m.name, spread(s, "×")));
        }
    }
    (below, lowest)
}

fn floor_line(target: &str, metrics: &[Metric], a: &str, b: &str, floor: f64) -> Line {
    let (below, lowest) = standing_floor(metrics, a, b, floor);
    let Some((lowest, at)) = lowest else {
        return Line::not_measured(
            target,
            &format!("no metric has both {a} and {b} in every round"),
        );
    };
    Line {
        target: target.into(),
        verdict: Verdict::of(below.is_empty()),
        detail: if below.is_empty() {
            format!("lowest: {at} ×{lowest:.2}")
        } else {
            format!("below ×{floor}: {}", below.join("; "))
        },
    }
}

/// The targets table, Markdown.
pub fn report(metrics: &[Metric], roles: &Roles, pipeline: usize) -> String {
    let Roles {
        generated,
        baseline,
        peers,
        control,
    } = *roles;
    let find = |key: &str| metrics.iter().find(|m| m.key == key);
    let median_of = |key: &str| {
        find(key)
            .and_then(|m| m.samples.get(generated))
            .and_then(|v| Spread::of(v))
    };
    let mut lines = vec![floor_line(
        &format!("{generated} / {baseline} >= 0.95 on every runtime metric"),
        metrics,
        generated,
        baseline,
        0.95,
    )];
    let mut noise = floor_line(
        &format!(
            "control: {control} / {baseline}, the same binary twice (not a target: the noise alone)"
        ),
        metrics,
        control,
        baseline,
        0.95,
    );
    if noise.verdict != Verdict::NotMeasured {
        noise.verdict = Verdict::Noise;
    }
    lines.push(noise);
    for peer in peers {
        lines.push(floor_line(
            &format!("ahead of {peer} on every metric"),
            metrics,
            generated,
            peer,
            1.0,
        ));
    }

    let target = format!("stdio >= 100k calls/s with {pipeline} in flight");
    lines.push(
        match median_of(&format!("stdio.pipe{pipeline}:calls_per_s")) {
            Some(s) => Line {
                target,
                verdict: Verdict::of(s.median >= 100_000.0),
                detail: format!(
                    "{:.1}k/s [{:.1}k–{:.1}k]",
                    s.median / 1e3,
                    s.min / 1e3,
                    s.max / 1e3
                ),
            },
            None => Line::not_measured(&target, "no pipelined stdio phase"),
        },
    );

    let c32 = "http.stateless.c32:calls_per_s";
    for peer in peers {
        let target = format!("stateless HTTP >= 30× {peer} at concurrency 32");
        lines.push(match find(c32).and_then(|m| paired(m, generated, peer)) {
            Some(s) => Line {
                target,
                verdict: Verdict::of(s.median >= 30.0),
                detail: format!("{} (per-round ratios)", spread(s, "×")),
            },
            None => Line::not_measured(&target, "not in every round of this run"),
        });
    }

    let target = "stateful HTTP p50 <= 1 ms at concurrency 1";
    lines.push(match median_of("http.stateful.c1:p50_ms") {
        Some(s) => Line {
            target: target.into(),
            verdict: Verdict::of(s.median <= 1.0),
            detail: format!("{:.3} ms [{:.3}–{:.3}]", s.median, s.min, s.max),
        },
        None => Line::not_measured(target, "no stateful phase at concurrency 1"),
    });

    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n### Targets (issue 10)\n\nStandings are medians of per-round ratios [min–max] (>1: {generated} is better).\n"
    );
    let _ = writeln!(out, "| target | verdict | measured |");
    let _ = writeln!(out, "|---|---|---|");
    for line in lines {
        let verdict = match line.verdict {
            Verdict::Met => "met",
            Verdict::Missed => "**missed**",
            Verdict::NotMeasured => "not measured",
            Verdict::Noise => "noise",
        };
        let _ = writeln!(out, "| {} | {verdict} | {} |", line.target, line.detail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(key: &str, name: &str, higher_is_better: bool, rows: &[(&str, &[f64])]) -> Metric {
        Metric {
            key: key.into(),
            name: name.into(),
            samples: rows
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
            higher_is_better,
        }
    }

    /// mcpgen against the hand-written server, its control run, and `peers`.
    fn roles(peers: &[String]) -> Roles<'_> {
        Roles {
            generated: "mcpgen",
            baseline: "hand",
            peers,
            control: "hand-again",
        }
    }

    /// Asserts `table` holds each of `lines` (each a part of one of its lines).
    fn assert_lines(table: &str, lines: &[&str]) {
        for line in lines {
            assert!(table.contains(line), "no {line:?} in\n{table}");
        }
    }

    #[test]
    fn ratios_pair_rounds_and_orient_so_higher_is_better() {
        // Round 2 is slow for both: paired, mcpgen is 2x every round; the medians alone would say 2x too, but
        // the min-max shows no spread.
        let rate = metric(
            "rate",
            "rate",
            true,
            &[
                ("mcpgen", &[20.0, 10.0, 22.0]),
                ("hand", &[10.0, 5.0, 11.0]),
            ],
        );
        let s = paired(&rate, "mcpgen", "hand").unwrap();
        assert_eq!((s.median, s.min, s.max), (2.0, 2.0, 2.0));
        // Lower is better for RSS: half the memory is a standing of 2.
        let rss = metric("rss", "rss", false, &[("mcpgen", &[3.0]), ("hand", &[6.0])]);
        assert_eq!(paired(&rss, "mcpgen", "hand").unwrap().median, 2.0);
        // A round one side missed cannot be paired.
        let gap = metric(
            "gap",
            "gap",
            true,
            &[("mcpgen", &[1.0, 2.0]), ("hand", &[1.0])],
        );
        assert!(paired(&gap, "mcpgen", "hand").is_none());
        assert!(paired(&gap, "mcpgen", "absent").is_none());
    }

    #[test]
    fn the_table_names_every_missed_line() {
        let peers = ["ts-sdk".to_owned()];
        let roles = roles(&peers);
        let metrics = vec![
            metric(
                "startup_ms",
                "start-up",
                false,
                &[
                    ("mcpgen", &[1.0, 1.0]),
                    ("hand", &[0.9, 0.9]),
                    ("hand-again", &[1.0, 1.0]),
                    ("ts-sdk", &[100.0, 90.0]),
                ],
            ),
            metric(
                "stdio.pipe32:calls_per_s",
                "stdio, 32 in flight: calls/s",
                true,
                &[
                    ("mcpgen", &[120e3, 110e3]),
                    ("hand", &[100e3, 100e3]),
                    ("ts-sdk", &[20e3, 20e3]),
                ],
            ),
            metric(
                "http.stateless.c32:calls_per_s",
                "streamable HTTP, stateless JSON, concurrency 32: calls/s",
                true,
                &[
                    ("mcpgen", &[30e3, 36e3]),
                    ("hand", &[30e3, 30e3]),
                    ("ts-sdk", &[1e3, 1.2e3]),
                ],
            ),
        ];
        let table = report(&metrics, &roles, 32);
        assert_lines(
            &table,
            &[
                "| mcpgen / hand >= 0.95 on every runtime metric | **missed** | below ×0.95: start-up 0.90×",
                // The control's line reports what noise did, never a verdict on a target.
                "| control: hand-again / hand, the same binary twice (not a target: the noise alone) | noise | below ×0.95: start-up 0.90× [0.90–0.90]",
                "| ahead of ts-sdk on every metric | met |",
                "| stdio >= 100k calls/s with 32 in flight | met | 115.0k/s",
                "| stateless HTTP >= 30× ts-sdk at concurrency 32 | met | 30.00× [30.00–30.00]",
                "| stateful HTTP p50 <= 1 ms at concurrency 1 | not measured |",
            ],
        );
    }

    #[test]
    fn lines_find_the_metrics_the_results_hold() {
        // The lines look metrics up by the results' own keys; built from a run's maps, every line is measured.
        let summary = |calls_per_s: f64, p50_ms: f64| PhaseSummary {
            calls: 1,
            errors: 0,
            calls_per_s,
            p50_ms,
            p99_ms: p50_ms,
            server_cpu: 1.0,
            driver_cpu: 0.5,
        };
        let mut phases: BTreeMap<String, BTreeMap<String, Vec<PhaseSummary>>> = BTreeMap::new();
        for (key, calls_per_s) in [
            ("stdio.pipe32", 110e3),
            ("http.stateless.c32", 31e3),
            ("http.stateful.c1", 7e3),
        ] {
            for (name, share) in [
                ("mcpgen", 1.0),
                ("hand", 1.0),
                ("hand-again", 1.0),
                ("ts-sdk", 0.02),
            ] {
                phases.entry(key.into()).or_default().insert(
                    name.into(),
                    vec![summary(calls_per_s * share, 0.15 / share)],
                );
            }
        }
        let scenarios: Vec<(String, String)> =
            ["stdio.pipe32", "http.stateless.c32", "http.stateful.c1"]
                .iter()
                .map(|k| (k.to_string(), k.to_string()))
                .collect();
        let peers = ["ts-sdk".to_owned()];
        let roles = roles(&peers);
        let table = report(&metrics(&BTreeMap::new(), &phases, &scenarios), &roles, 32);
        assert!(!table.contains("not measured"), "{table}");
        assert_lines(
            &table,
            &[
                "| stdio >= 100k calls/s with 32 in flight | met | 110.0k/s",
                "| stateless HTTP >= 30× ts-sdk at concurrency 32 | met | 50.00×",
                "| stateful HTTP p50 <= 1 ms at concurrency 1 | met | 0.150 ms",
            ],
        );
    }
}
