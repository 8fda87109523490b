# Sourced by the estimate scripts (parse-estimate.sh, current-thread.sh, stateless-estimate.sh): makes the bench
# folder the working directory and $bench, sets $estimates to this folder (bench/estimates), checks that
# bench/run.sh has built the contenders, and defines build_with_patched_rmcp for the rmcp estimates.
set -euo pipefail
estimates=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench=$(dirname "$estimates")
cd "$bench"
[[ -x target/dist/benchgen && -d target-gen/benchgen ]] || { echo "run bench/run.sh first" >&2; exit 1; }

# build_with_patched_rmcp WORK NAME PATCH...: builds the generated bench crate against a copy of rmcp 3.9.0 from
# cargo's registry with bench/estimates/rmcp-patch.py's PATCHes applied; the binary lands at WORK/bin/NAME. Builds
# in one WORK share its target dir (each patched rmcp copy is a package of its own), so each binary is copied out.
build_with_patched_rmcp() {
  local work=$1 name=$2
  shift 2
  local registry
  registry=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 1 -mindepth 1 -type d | head -1)/rmcp-3.9.0
  [[ -d $registry ]] || { echo "rmcp 3.9.0 is not in cargo's registry cache" >&2; exit 1; }
  rm -rf "$work/rmcp-$name" "$work/crate-$name"
  mkdir -p "$work/bin"
  cp -r "$registry" "$work/rmcp-$name"
  python3 "$estimates/rmcp-patch.py" "$work/rmcp-$name" "$@"
  cp -r target-gen/benchgen "$work/crate-$name"
  printf '\n[patch.crates-io]\nrmcp = { path = "%s" }\n' "$bench/$work/rmcp-$name" >>"$work/crate-$name/Cargo.toml"
  cargo build --profile dist --quiet --manifest-path "$work/crate-$name/Cargo.toml" --target-dir "$bench/$work/target"
  cp "$work/target/dist/benchgen" "$work/bin/$name"
}
