#!/usr/bin/env bash
# Instructions per call of the declarative HTTP tool and of the same call by hand, counted by callgrind, which the
# machine's noise cannot move. Each side runs twice (SHORT and LONG calls, the in-process server included, which is
# the same for both); the difference in instructions over the difference in calls cancels start-up and warm-up.
#
#   bench/declarative/callgrind.sh [SHORT] [LONG]     (after `cargo build --release -p declarative-http-bench` in bench/)
set -euo pipefail
bench=$(cd "$(dirname "$0")/.." && pwd)
binary=$bench/target/release/declarative-http-bench
short=${1:-500}
long=${2:-2500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

instructions() { # side calls
  valgrind --tool=callgrind --callgrind-out-file="$work/out" "$binary" 1 "$2" "$1" 2>"$work/log" >/dev/null
  awk '/^summary:/ {print $2}' "$work/out"
}

declare -A per_call
for side in decl hand; do
  a=$(instructions "$side" "$short")
  b=$(instructions "$side" "$long")
  per_call[$side]=$(( (b - a) / (long - short) ))
  echo "$side: $a instructions for $short calls, $b for $long: ${per_call[$side]} per call"
done
python3 -c "import sys; d, h = map(int, sys.argv[1:]); print(f'declarative / by hand: x{d / h:.3f} instructions per call ({d - h:+d})')" \
  "${per_call[decl]}" "${per_call[hand]}"
