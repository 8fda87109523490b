#!/usr/bin/env bash
# Would tokio's current-thread runtime serve the generated server better than its multi-thread one? An estimate,
# not a contender.
#
#   bench/estimates/current-thread.sh [mcpbench flags...]
#   (after bench/run.sh has built the contenders; needs valgrind)
#
# The bench pins each server to one CPU, where the generated server's multi-thread runtime starts one worker, and a
# current-thread runtime would skip the cross-thread scheduling around it. This copies the generated bench crate
# into target/current-thread-crate with its runtime builder switched to `new_current_thread()`, builds it as
# `mcpgen-current-thread`, counts instructions per call (bench/callgrind.sh's method) and runs mcpbench with
# rmcp-hand, mcpgen, mcpgen-current-thread and the TypeScript SDK. The generated code keeps the multi-thread runtime
# (BENCHMARKS.md says why); this measures what it leaves.
source "$(dirname "$0")/estimate-common.sh"

crate=target/current-thread-crate
rm -rf "$crate"
cp -r target-gen/benchgen "$crate"
app=$crate/vendor/mcpgen-runtime/src/app.rs
grep -q 'tokio::runtime::Builder::new_multi_thread()' "$app" \
  || { echo "the generated runtime is not built as expected; the estimate needs updating" >&2; exit 1; }
sed -i 's/tokio::runtime::Builder::new_multi_thread()/tokio::runtime::Builder::new_current_thread()/' "$app"
cargo build --profile dist --quiet --manifest-path "$crate/Cargo.toml" --target-dir "$bench/target/current-thread"
binary=$bench/target/current-thread/dist/benchgen

config=target/current-thread.toml
python3 "$estimates/variant-config.py" "$bench" mcpgen-current-thread "$binary" >"$config"
# Instructions per call (mcpgen the baseline), then wall clock.
CONFIG=$config bash callgrind.sh mcpgen mcpgen-current-thread
target/release/mcpbench --config "$config" --peers ts-sdk "$@"
