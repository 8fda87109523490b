#!/usr/bin/env bash
# mcpgen's benchmarks: the generated server against a hand-written rmcp server, FastMCP and the TypeScript SDK.
#
#   bench/run.sh [runtime] [mcpbench flags...]  start-up, RSS, stdio and streamable HTTP load (default)
#   bench/run.sh build                           cold release build, warm rebuild after a handler edit, binary size
#   bench/run.sh generator                       criterion: validate + render specs of 10, 100 and 1,000 tools
#   bench/run.sh cluster [mcpbench flags...]     stateful: one instance against three behind nginx with Redis
#   bench/run.sh all                             all three, in that order
#
# runtime: builds the contenders (the generated one with `mcpgen new bench/spec.yaml` + bench/generated-handlers/),
# then runs bench/driver (mcpbench) on CPU 0 with every server on CPU 1, contenders interleaved phase by phase.
# Flags go to mcpbench (`--rounds 3 --duration 3 --concurrency 1,32,256 --only mcpgen,rmcp-hand ...`; see
# `bench/target/release/mcpbench --help`). Reports go to bench/results/ (Markdown + raw JSON); copy the tables
# into BENCHMARKS.md by hand. Not part of scripts/test: numbers depend on the machine and its load.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench")
cd "$bench"
mkdir -p results

log() { printf '\n==> %s\n' "$*" >&2; }

machine() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores; RAM $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "- $(uname -sr); $(rustc --version); node $(node --version)$([[ -x $bench/.venv/bin/python ]] && echo "; $("$bench/.venv/bin/python" --version 2>&1)")"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
}

install_peers() {
  if [[ ! -x .venv/bin/python ]]; then
    log "FastMCP venv (bench/.venv)"
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check fastmcp==4.0.11
  if [[ ! -d ts/node_modules ]]; then
    log "TypeScript SDK (npm ci in bench/ts)"
    (cd ts && npm ci --no-audit --no-fund --silent)
  fi
}

# Generates bench/target-gen/NAME (default benchgen) from bench/SPEC (default spec.yaml) with the working tree's
# mcpgen and puts the handlers in.
generate() {
  local spec=${1:-spec.yaml} name=${2:-benchgen}
  log "mcpgen new bench/$spec"
  (cd "$root" && cargo build -p mcpgen --quiet)
  rm -rf "target-gen/$name"
  "$root/target/debug/mcpgen" new "$spec" --out "target-gen/$name" --no-verify >/dev/null
  cp generated-handlers/*.rs "target-gen/$name/src/tools/"
  # The crate sits inside the mcpgen repository, whose workspace it is not part of.
  printf '\n# Added by bench/run.sh: a standalone crate, not part of the mcpgen repository workspace.\n[workspace]\n' \
    >>"target-gen/$name/Cargo.toml"
}

build_contenders() {
  log "cargo build --release (driver, hand-written rmcp), --profile dist (generated)"
  cargo build --release --quiet
  # rmcp-hand-lto: the same hand-written server built like the `dist` profile `mcpgen new` writes (fat LTO, one
  # codegen unit), so the generated server is also compared with a hand-written one built the same way.
  CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
    cargo build --release --quiet -p rmcp-hand --target-dir "$bench/target/lto"
  # The generated server as it ships: its `dist` profile.
  CARGO_TARGET_DIR="$bench/target" cargo build --profile dist --quiet --manifest-path target-gen/benchgen/Cargo.toml
  # mcpgen-mimalloc: the same generated crate with its opt-in `mimalloc` feature (the allocator trade-off).
  cargo build --profile dist --quiet --manifest-path target-gen/benchgen/Cargo.toml --features mimalloc \
    --target-dir "$bench/target/mimalloc"
}

runtime() {
  install_peers
  generate
  build_contenders
  report runtime Runtime "bench/run.sh runtime $*" "" "$@"
}

# Runs mcpbench with the remaining arguments and writes its report to results/KIND-<stamp>.md (the raw phases
# beside it as JSON), headed by TITLE, COMMAND, the machine and EXTRA (a line, or empty).
report() {
  local kind=$1 title=$2 command=$3 extra=$4
  shift 4
  local stamp report
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  report="results/$kind-$stamp.md"
  {
    echo "## $title ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "Command: \`$command\`"
    echo
    machine
    if [[ -n $extra ]]; then echo "$extra"; fi
    echo
  } >"$report"
  log "mcpbench $*"
  target/release/mcpbench --json "results/$kind-$stamp.json" "$@" >>"$report.tmp"
  { echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"; echo; cat "$report.tmp"; } >>"$report"
  rm -f "$report.tmp"
  cat "$report"
  log "report: bench/$report"
}

# Stateful sessions: one instance alone against one and three behind the generated nginx config with sessions in
# Redis (cluster.toml, cluster.py), pinned like `runtime`. Flags go to mcpbench.
cluster() {
  generate
  generate spec-cluster.yaml benchcluster
  log "cargo build (driver), --profile dist (benchgen, benchcluster)"
  cargo build --release --quiet -p mcpbench
  CARGO_TARGET_DIR="$bench/target" cargo build --profile dist --quiet --manifest-path target-gen/benchgen/Cargo.toml
  CARGO_TARGET_DIR="$bench/target" cargo build --profile dist --quiet --manifest-path target-gen/benchcluster/Cargo.toml
  report cluster Scale-out "bench/run.sh cluster $*" \
    "- $(redis-server --version | cut -d' ' -f1-3); $(/usr/sbin/nginx -v 2>&1)" \
    --config cluster.toml --modes stateful --concurrency 32,256 --baseline one --no-targets "$@"
}

# Seconds (one decimal) a command takes; its output goes to $scratch/out.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$scratch/out" 2>&1
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.1f", $2 - $1}'
}

build_costs() {
  generate
  local scratch report
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/mcpgen-bench-build.XXXXXX")
  trap 'rm -rf "$scratch"' RETURN
  report="results/build-$(date -u +%Y%m%dT%H%M%SZ).md"
  {
    echo "## Build costs ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "Command: \`bench/run.sh build\`"
    echo
    machine
    echo
    echo "| contender | profile | crates compiled | cold build (s) | warm rebuild after a handler edit (s) | stripped binary (MiB) |"
    echo "|---|---|---|---|---|---|"
  } >"$report"
  # name | profile | cargo arguments | handler file to edit | binary. The hand-written server keeps cargo's defaults;
  # the generated crate's `release` turns LTO off (its quick build) and its `dist` (fat LTO, one codegen unit) is
  # the build it ships.
  local contenders=(
    "rmcp-hand|release|-p rmcp-hand|handwritten/src/main.rs|rmcp-hand"
    "mcpgen|release|--manifest-path target-gen/benchgen/Cargo.toml|target-gen/benchgen/src/tools/add.rs|benchgen"
    "mcpgen|dist|--manifest-path target-gen/benchgen/Cargo.toml|target-gen/benchgen/src/tools/add.rs|benchgen"
  )
  for entry in "${contenders[@]}"; do
    IFS='|' read -r name profile cargs handler binary <<<"$entry"
    log "build costs: $name ($profile)"
    local target="$scratch/$name-$profile"
    # Downloads are not build time.
    # shellcheck disable=SC2086 # cargs is a list of words
    cargo fetch --quiet $([[ $cargs == --manifest-path* ]] && echo $cargs)
    local crates cold warm size
    # shellcheck disable=SC2086
    cold=$(CARGO_TARGET_DIR=$target seconds cargo build --profile "$profile" --offline $cargs)
    crates=$(grep -c '^ *Compiling' "$scratch/out" || true)
    cp "$handler" "$scratch/handler.bak"
    echo "// edited by bench/run.sh build" >>"$handler"
    # shellcheck disable=SC2086
    warm=$(CARGO_TARGET_DIR=$target seconds cargo build --profile "$profile" --offline $cargs)
    cp "$scratch/handler.bak" "$handler"
    strip -o "$scratch/stripped" "$target/$profile/$binary"
    size=$(stat -c %s "$scratch/stripped" | awk '{printf "%.2f", $1 / 1048576}')
    echo "| $name | $profile | $crates | $cold | $warm | $size |" >>"$report"
    rm -rf "$target"
  done
  echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$report"
  cat "$report"
  log "report: bench/$report"
}

generator() {
  log "cargo bench -p mcpgen --bench generate"
  (cd "$root" && cargo bench -p mcpgen --bench generate -- "$@")
}

case ${1:-runtime} in
  runtime) shift || true; runtime "$@" ;;
  build) build_costs ;;
  cluster) shift; cluster "$@" ;;
  generator) shift; generator "$@" ;;
  all) runtime; build_costs; generator ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
