#!/usr/bin/env bash
# Would the two fixes BENCHMARKS.md asks of rmcp lift the generated server to 30x the TypeScript SDK over stateless
# HTTP? An estimate, not a contender.
#
#   bench/estimates/stateless-estimate.sh [mcpbench flags...]
#   (after bench/run.sh has built the contenders; needs valgrind)
#
# rmcp 3.9 answers each stateless request by starting a service for it over a `OneshotTransport`, and parses each
# request by trying the 22 request types of an untagged enum in turn. This builds the generated bench server
# against two patched copies of rmcp 3.9.0 (bench/estimates/rmcp-patch.py): `mcpgen-stateless-direct` answers a
# stateless JSON request in the HTTP request's own task, and `mcpgen-both` also parses `tools/call` first. It counts
# instructions per call (bench/callgrind.sh's method) and runs mcpbench with rmcp-hand, mcpgen, both variants and
# the TypeScript SDK. Generated crates never use the patched copies: the changes belong in rmcp.
source "$(dirname "$0")/estimate-common.sh"
work=target/stateless-estimate
rm -rf "$work"
build_with_patched_rmcp "$work" mcpgen-stateless-direct stateless-direct
build_with_patched_rmcp "$work" mcpgen-both stateless-direct calltool-first

config=$work/config.toml
python3 "$estimates/variant-config.py" "$bench" mcpgen-stateless-direct "$bench/$work/bin/mcpgen-stateless-direct" \
  mcpgen-both "$bench/$work/bin/mcpgen-both" >"$config"
# Instructions per call (mcpgen the baseline), then wall clock.
CONFIG=$config bash callgrind.sh mcpgen mcpgen-stateless-direct mcpgen-both
target/release/mcpbench --config "$config" --peers ts-sdk "$@"
