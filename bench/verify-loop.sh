#!/usr/bin/env bash
# The edit -> generate -> verify loop on the realistic example (specs/weather.yaml), timed.
#
# 1. Copies the weather spec (and its data/) into a scratch dir and creates a crate from it with
#    `mcpgen new` (falling back to a copy of generated-examples/weather when `new` is unavailable).
# 2. Cold: the first `mcpgen verify` with an empty target dir (every dependency compiles).
# 3. Warm loop, RUNS times: change one tool description in the spec, `mcpgen generate`, `mcpgen verify`;
#    reports each run and the median.
#
# Usage: bench/verify-loop.sh [RUNS]   (default 5)
# Env:   MCPGEN=path/to/mcpgen (default: target/release/mcpgen, built if missing)
#        KEEP=1 keeps the scratch dir; SKIP_COLD=1 reuses $BENCH_TARGET (default: a fresh dir) for the cold step.
# Not a test: numbers depend on the machine and its load. Results go in BENCHMARKS.md by hand.
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
mcpgen=${MCPGEN:-$root/target/release/mcpgen}
if [[ ! -x $mcpgen ]]; then
  (cd "$root" && cargo build --release -p mcpgen --quiet)
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mcpgen-bench.XXXXXX")
if [[ -z ${KEEP:-} ]]; then trap 'rm -rf "$scratch"' EXIT; else echo "scratch: $scratch"; fi
target=${BENCH_TARGET:-$scratch/target}
export CARGO_TARGET_DIR=$target

mkdir -p "$scratch/spec"
cp "$root/specs/weather.yaml" "$scratch/spec/weather.yaml"
cp -r "$root/specs/data" "$scratch/spec/data"
spec=$scratch/spec/weather.yaml
crate=$scratch/weather

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

if ! "$mcpgen" new "$spec" --out "$crate" --no-verify >/dev/null 2>"$scratch/new.log" \
   && ! "$mcpgen" new "$spec" --out "$crate" >/dev/null 2>>"$scratch/new.log"; then
  echo "mcpgen new failed ($(tail -1 "$scratch/new.log")); copying generated-examples/weather instead" >&2
  rm -rf "$crate"
  mkdir -p "$crate/.mcpgen"
  cp -r "$root/generated-examples/weather/src" "$root/generated-examples/weather/Cargo.toml" "$crate/"
  printf '\n[workspace]\n' >>"$crate/Cargo.toml"
  printf '{"mcpgenVersion":"0.1.0","spec":"../spec/weather.yaml","specHash":"","files":{}}\n' \
    >"$crate/.mcpgen/manifest.json"
fi
# Same dependency versions as the repository, so the cold number is not a resolver lottery.
[[ -f $crate/Cargo.lock ]] || cp "$root/Cargo.lock" "$crate/Cargo.lock"

echo "machine: $(nproc) cores, $(rustc --version)"
if [[ -z ${SKIP_COLD:-} ]]; then
  rm -rf "$target"
  start=$(now)
  "$mcpgen" verify "$crate" >"$scratch/cold.log" 2>&1 || { cat "$scratch/cold.log"; exit 1; }
  echo "cold verify (empty target dir): $(elapsed "$start" "$(now)") s"
fi

times=()
for i in $(seq 1 "$runs"); do
  # One description edit, as a user iterating on the spec would make.
  sed -i "s/^    description: Daily forecast for a known city.*/    description: Daily forecast for a known city, derived from its monthly climate normals (edit $i)./" "$spec"
  start=$(now)
  gen_ok=1
  "$mcpgen" generate "$crate" >"$scratch/gen.log" 2>&1 || gen_ok=0
  mid=$(now)
  "$mcpgen" verify "$crate" >"$scratch/verify.log" 2>&1 || { cat "$scratch/verify.log"; exit 1; }
  end=$(now)
  grep -q "(edit $i)" "$crate/src/generated/tools.rs" || echo "warning: generate did not carry the edit into the crate (generate ok: $gen_ok)" >&2
  total=$(elapsed "$start" "$end")
  times+=("$total")
  echo "warm run $i: generate $(elapsed "$start" "$mid") s + verify $(elapsed "$mid" "$end") s = $total s"
done
median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "warm loop median over $runs runs: $median s"
