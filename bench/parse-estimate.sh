#!/usr/bin/env bash
# What would rmcp parsing a request by its `method` buy the generated server? An estimate, not a contender.
#
#   bench/parse-estimate.sh [mcpbench flags...]   (after bench/run.sh has built the contenders; needs valgrind)
#
# rmcp 3.9's `ClientRequest` is an untagged enum: serde tries each request type in declaration order and
# `tools/call` is the 14th, so every call builds and drops 13 errors first. This copies rmcp 3.9.0 from cargo's
# registry into target/rmcp-calltool-first with `CallToolRequest` moved to the front of the enum (the best case
# a method-dispatched parse would give tools/call), builds the generated bench server against it through
# `[patch.crates-io]` as `mcpgen-calltool-first`, then counts instructions per call (bench/callgrind.sh's method)
# and runs mcpbench with rmcp-hand, mcpgen, mcpgen-calltool-first and the TypeScript SDK. Generated crates never
# use the patched copy: the change belongs in rmcp.
source "$(dirname "$0")/estimate-common.sh"
registry_copy=$(rmcp_source)
patched=target/rmcp-calltool-first
rm -rf "$patched" target/calltool-first-crate
cp -r "$registry_copy" "$patched"
python3 rmcp-patch.py "$patched" calltool-first
cp -r target-gen/benchgen target/calltool-first-crate
printf '\n[patch.crates-io]\nrmcp = { path = "%s" }\n' "$bench/$patched" >>target/calltool-first-crate/Cargo.toml
cargo build --release --quiet --manifest-path target/calltool-first-crate/Cargo.toml \
  --target-dir "$bench/target/calltool-first"
binary=$bench/target/calltool-first/release/benchgen

# The bench's own contenders plus the patched build.
config=target/calltool-first.toml
python3 variant-config.py "$bench" mcpgen-calltool-first "$binary" >"$config"
# Instructions per call (mcpgen the baseline), then wall clock.
CONFIG=$config bash callgrind.sh mcpgen mcpgen-calltool-first
target/release/mcpbench --config "$config" --peers ts-sdk "$@"
