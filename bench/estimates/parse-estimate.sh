#!/usr/bin/env bash
# What would rmcp parsing a request by its `method` buy the generated server? An estimate, not a contender.
#
#   bench/estimates/parse-estimate.sh [mcpbench flags...]
#   (after bench/run.sh has built the contenders; needs valgrind)
#
# rmcp 3.9's `ClientRequest` is an untagged enum: serde tries each request type in declaration order and
# `tools/call` is the 14th, so every call builds and drops 13 errors first. This copies rmcp 3.9.0 from cargo's
# registry into bench/target/parse-estimate with `CallToolRequest` moved to the front of the enum
# (bench/estimates/rmcp-patch.py; the best case a method-dispatched parse would give tools/call), builds the
# generated bench server against it through `[patch.crates-io]` as `mcpgen-calltool-first`, then counts
# instructions per call (bench/callgrind.sh's method) and runs mcpbench with rmcp-hand, mcpgen,
# mcpgen-calltool-first and the TypeScript SDK. Generated crates never use the patched copy: the change belongs in
# rmcp.
source "$(dirname "$0")/estimate-common.sh"
work=target/parse-estimate
rm -rf "$work"
build_with_patched_rmcp "$work" mcpgen-calltool-first calltool-first
binary=$bench/$work/bin/mcpgen-calltool-first

# The bench's own contenders plus the patched build.
config=$work/config.toml
python3 "$estimates/variant-config.py" "$bench" mcpgen-calltool-first "$binary" >"$config"
# Instructions per call (mcpgen the baseline), then wall clock.
CONFIG=$config bash callgrind.sh mcpgen mcpgen-calltool-first
target/release/mcpbench --config "$config" --peers ts-sdk "$@"
