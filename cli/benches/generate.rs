//! Generator scaling: validate + render a spec of 10, 100 and 1,000 tools (`bench/run.sh generator`).
//!
//! Two variants, because rendering runs rustfmt as subprocesses on the files not already in its layout:
//! `as_rendered` (`Format::AsRendered`, the generator's own work) and `rustfmt` (what `mcpgen new` and
//! `mcpgen generate` do; the sizes in `MCPGEN_BENCH_RUSTFMT_SIZES`, all by default). Validation alone is measured
//! too. Nothing is written to disk.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mcpgen::codegen::cargo_toml::RuntimeSource;
use mcpgen::codegen::lower::lower;
use mcpgen::codegen::render::{Format, render_crate};
use mcpgen::codegen::snapshot::CrateSnapshot;
use mcpgen::pipeline::load_spec_str;

const SIZES: [usize; 3] = [10, 100, 1_000];

/// A spec with `tools` tools, alternating the two shapes of bench/spec.yaml, every fifth with an outputSchema.
fn spec_with(tools: usize) -> String {
    let mut yaml = String::from("mcpgen: 1\nserver:\n  name: scale\n  version: 0.1.0\ntools:\n");
    for i in 0..tools {
        if i % 2 == 0 {
            let _ = write!(
                yaml,
                "  - name: add_{i}\n    description: Add two integers ({i}).\n    inputSchema:\n      type: object\n      \
                 properties:\n        a: {{type: integer, description: First addend.}}\n        \
                 b: {{type: integer, description: Second addend.}}\n      required: [a, b]\n"
            );
        } else {
            let _ = write!(
                yaml,
                "  - name: echo_{i}\n    description: Echo the text ({i}).\n    inputSchema:\n      type: object\n      \
                 properties:\n        text: {{type: string, minLength: 1}}\n        \
                 times: {{type: integer, minimum: 1, maximum: 10, default: 1}}\n      required: [text]\n"
            );
        }
        if i % 5 == 0 {
            yaml.push_str(
                "    outputSchema:\n      type: object\n      properties:\n        value: {type: string}\n      \
                 required: [value]\n",
            );
        }
    }
    yaml.push_str("transports:\n  stdio: {}\n  streamable-http: {}\n");
    yaml
}

fn paths() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join("mcpgen-bench-generate");
    (dir.join("scale.yaml"), dir.join("scale"))
}

/// Validate, lower and render into a crate that does not exist yet.
fn validate_and_render(spec_path: &Path, crate_dir: &Path, source: &str, format: Format) -> usize {
    let loaded = load_spec_str(spec_path, source).expect("the generated spec is valid");
    let view = lower(&loaded.spec, "../scale.yaml").expect("the spec lowers");
    let empty = CrateSnapshot::from_files(crate_dir, Default::default()).expect("empty");
    let plan = render_crate(&loaded, &view, &empty, format, RuntimeSource::Registry)
        .expect("the spec renders");
    plan.files().count()
}

fn bench(c: &mut Criterion) {
    let (spec_path, crate_dir) = paths();
    let specs: Vec<(usize, String)> = SIZES.iter().map(|&n| (n, spec_with(n))).collect();

    let mut group = c.benchmark_group("validate");
    for (n, source) in &specs {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), source, |b, source| {
            b.iter(|| {
                load_spec_str(&spec_path, source)
                    .expect("valid")
                    .spec
                    .tools
                    .len()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("validate_render/as_rendered");
    for (n, source) in &specs {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), source, |b, source| {
            b.iter(|| validate_and_render(&spec_path, &crate_dir, source, Format::AsRendered))
        });
    }
    group.finish();

    // rustfmt processes start in ~10 ms each, so the fewest samples criterion allows.
    let rustfmt_sizes: Vec<usize> = std::env::var("MCPGEN_BENCH_RUSTFMT_SIZES")
        .unwrap_or_else(|_| "10,100,1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    if Format::detect() == Format::Rustfmt {
        let mut group = c.benchmark_group("validate_render/rustfmt");
        group.sample_size(10);
        for (n, source) in specs.iter().filter(|(n, _)| rustfmt_sizes.contains(n)) {
            group.throughput(Throughput::Elements(*n as u64));
            group.bench_with_input(BenchmarkId::from_parameter(n), source, |b, source| {
                b.iter(|| validate_and_render(&spec_path, &crate_dir, source, Format::Rustfmt))
            });
        }
        group.finish();
    } else {
        eprintln!("rustfmt is not installed: skipping validate_render/rustfmt");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
