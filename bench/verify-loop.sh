#!/usr/bin/env bash
# The edit -> generate -> verify loop on the realistic example (specs/weather.yaml), timed, for one mcpgen or
# several side by side.
#
# For each mcpgen binary:
# 1. copies the weather spec (and its data/) into a scratch dir of its own and creates a crate with `mcpgen new`;
# 2. cold: the first `mcpgen verify` with an empty target dir of its own (every dependency compiles).
# Then the warm loop, RUNS rounds: in each round every binary (in an order that rotates between rounds, so drift on
# a shared machine falls on each alike) changes one tool description in its spec, runs `mcpgen generate` and
# `mcpgen verify`. Reports each run and each binary's median.
#
# With EDIT=handler the warm loop edits a handler instead (appends a comment to src/tools/get_forecast.rs) and
# `mcpgen generate` has nothing to do: what a handler edit costs to rebuild and verify.
#
# Usage: bench/verify-loop.sh [RUNS]   (default 5)
# Env:   MCPGEN="name=path [name=path ...]" or MCPGEN=path (default: target/release/mcpgen, built if missing),
#        e.g. MCPGEN="before=/tmp/old/mcpgen after=target/release/mcpgen" for a before/after comparison.
#        KEEP=1 keeps the scratch dir.
# Not a test: numbers depend on the machine and its load. Results go in BENCHMARKS.md by hand.
set -euo pipefail

runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
spec_list=${MCPGEN:-mcpgen=$root/target/release/mcpgen}
if [[ $spec_list != *=* ]]; then spec_list="mcpgen=$spec_list"; fi
if [[ $spec_list == "mcpgen=$root/target/release/mcpgen" && ! -x $root/target/release/mcpgen ]]; then
  (cd "$root" && cargo build --release -p mcpgen --quiet)
fi
read -r -a entries <<<"$spec_list"
names=()
declare -A binary
for entry in "${entries[@]}"; do
  names+=("${entry%%=*}")
  binary[${entry%%=*}]=${entry#*=}
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/mcpgen-bench.XXXXXX")
if [[ -z ${KEEP:-} ]]; then trap 'rm -rf "$scratch"' EXIT; else echo "scratch: $scratch"; fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(rustc --version)"
for name in "${names[@]}"; do
  dir=$scratch/$name
  mkdir -p "$dir/spec"
  cp "$root/specs/weather.yaml" "$dir/spec/weather.yaml"
  cp -r "$root/specs/data" "$dir/spec/data"
  "${binary[$name]}" new "$dir/spec/weather.yaml" --out "$dir/weather" --no-verify >/dev/null 2>"$dir/new.log" \
    || { cat "$dir/new.log"; exit 1; }
  # Same dependency versions as the repository, so the cold number is not a resolver lottery.
  [[ -f $dir/weather/Cargo.lock ]] || cp "$root/Cargo.lock" "$dir/weather/Cargo.lock"
  start=$(now)
  CARGO_TARGET_DIR=$dir/target "${binary[$name]}" verify "$dir/weather" >"$dir/cold.log" 2>&1 \
    || { cat "$dir/cold.log"; exit 1; }
  echo "$name: cold verify (empty target dir): $(elapsed "$start" "$(now)") s"
done

declare -A times
for i in $(seq 1 "$runs"); do
  count=${#names[@]}
  for k in $(seq 0 $((count - 1))); do
    name=${names[$(((k + i) % count))]}
    dir=$scratch/$name
    if [[ ${EDIT:-spec} == handler ]]; then
      echo "// edit $i" >>"$dir/weather/src/tools/get_forecast.rs"
      edited=$dir/weather/src/tools/get_forecast.rs
    else
      # One description edit, as a user iterating on the spec would make.
      sed -i "s/^    description: Daily forecast for a known city.*/    description: Daily forecast for a known city, derived from its monthly climate normals (edit $i)./" \
        "$dir/spec/weather.yaml"
      edited=$dir/weather/src/generated/tools.rs
    fi
    start=$(now)
    "${binary[$name]}" generate "$dir/weather" >"$dir/gen.log" 2>&1 || { cat "$dir/gen.log"; exit 1; }
    mid=$(now)
    CARGO_TARGET_DIR=$dir/target "${binary[$name]}" verify "$dir/weather" >"$dir/verify.log" 2>&1 \
      || { cat "$dir/verify.log"; exit 1; }
    end=$(now)
    grep -q "edit $i" "$edited" \
      || { echo "$name: generate did not carry the edit into the crate" >&2; exit 1; }
    total=$(elapsed "$start" "$end")
    times[$name]+="$total "
    echo "$name: warm run $i: generate $(elapsed "$start" "$mid") s + verify $(elapsed "$mid" "$end") s = $total s"
  done
done
for name in "${names[@]}"; do
  # shellcheck disable=SC2086 # a list of numbers
  echo "$name: warm loop median over $runs runs: $(median ${times[$name]}) s"
done
