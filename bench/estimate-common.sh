# Sourced by the estimate scripts (parse-estimate.sh, current-thread.sh, stateless-estimate.sh): makes the bench
# folder the working directory and $bench, and checks that bench/run.sh has built the contenders.
set -euo pipefail
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$bench"
[[ -x target/release/benchgen && -d target-gen/benchgen ]] || { echo "run bench/run.sh first" >&2; exit 1; }

# rmcp_source: prints the path of rmcp 3.9.0's source in cargo's registry, which the rmcp estimates copy and patch.
rmcp_source() {
  local source
  source=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 1 -mindepth 1 -type d | head -1)/rmcp-3.9.0
  [[ -d $source ]] || { echo "rmcp 3.9.0 is not in cargo's registry cache" >&2; exit 1; }
  echo "$source"
}
