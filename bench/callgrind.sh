#!/usr/bin/env bash
# Instructions per tools/call, counted by callgrind: the server's own work, which the machine's noise cannot move.
#
#   bench/callgrind.sh [NAME...]   (after bench/run.sh has built the contenders; needs valgrind and python3 >= 3.11)
#
# For each named contender (default: the Rust ones, rmcp-hand rmcp-hand-lto mcpgen mcpgen-mimalloc) and each of
# stdio and stateless streamable HTTP (JSON replies), runs the server under callgrind twice, with a short and a long
# run of the bench's calls (`add` and `echo` alternating, every reply checked), and divides the difference in
# instructions by the difference in calls: start-up and shutdown cancel out. Stateful HTTP (SSE replies) runs the
# same way inside one session, then with 256 sessions open, called in turn (does a request cost more when the server
# holds many sessions?). Command lines come from contenders.toml (`CONFIG=file` for another). Prints a Markdown
# table; the ratio is the first contender's count over each one's (>1: fewer instructions).
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
cd "$bench"
config=${CONFIG:-contenders.toml}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=(rmcp-hand rmcp-hand-lto mcpgen mcpgen-mimalloc)

# "stdio command|stateless command|stateful command" of contender $1 (PORT stands for `{port}`); relative programs
# are relative to the config file, as mcpbench reads them.
commands() {
  python3 - "$config" "$1" <<'EOF'
import os, sys, tomllib
path, name = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    contenders = {c["name"]: c for c in tomllib.load(f)["contender"]}
if name not in contenders:
    sys.exit("no contender %r in %s" % (name, path))
base = os.path.dirname(os.path.abspath(path))
def line(argv):
    argv = [os.path.join(base, a) if "/" in a and not a.startswith("/") else a for a in argv]
    if any(not a or any(ch.isspace() for ch in a) for a in argv):
        sys.exit("%s: command lines with blanks cannot be split by this script" % name)
    return " ".join(a.replace("{port}", "PORT") for a in argv)
print("|".join(line(contenders[name][k]) for k in ("stdio", "stateless", "stateful")))
EOF
}

stdio_calls=(500 2500)
http_calls=(200 1000)

cat >"$work/calls.py" <<'EOF'
# calls.py stdio N > file: the JSON-RPC lines of a session; calls.py http PORT N: N calls over one connection;
# calls.py stateful PORT N [S]: S connections (default 1), each initializing a session of its own, then N calls
# taking the sessions in turn (replies as SSE streams).
import http.client, json, sys, time

def call(i):
    if i % 2:
        args = {"name": "add", "arguments": {"a": i, "b": i + 1}}
    else:
        args = {"name": "echo", "arguments": {"text": "hello %d" % i}}
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": args}

init = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
        "capabilities": {}, "clientInfo": {"name": "callgrind", "version": "1"}}}
initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}

if sys.argv[1] == "stdio":
    lines = [init, initialized]
    lines += [call(i) for i in range(1, int(sys.argv[2]) + 1)]
    sys.stdout.write("".join(json.dumps(line) + "\n" for line in lines))
    sys.exit(0)

port, n = int(sys.argv[2]), int(sys.argv[3])
sessions = int(sys.argv[4]) if len(sys.argv) > 4 else 1
headers = {"content-type": "application/json", "accept": "application/json, text/event-stream",
           "mcp-protocol-version": "2025-06-18"}

def connect():
    deadline = time.time() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.connect()
            return conn
        except OSError:
            if time.time() > deadline:
                sys.exit("server did not listen")
            time.sleep(0.1)

def open_session():
    conn, own = connect(), dict(headers)
    conn.request("POST", "/mcp", json.dumps(init), own)
    response = conn.getresponse()
    response.read()
    own["mcp-session-id"] = response.getheader("mcp-session-id") or sys.exit("no session id")
    conn.request("POST", "/mcp", json.dumps(initialized), own)
    conn.getresponse().read()
    return conn, own

# stateful: `sessions` connections, each with its own session, called in turn.
clients = [open_session() for _ in range(sessions)] if sys.argv[1] == "stateful" else [(connect(), headers)]
for i in range(1, n + 1):
    conn, own = clients[i % len(clients)]
    conn.request("POST", "/mcp", json.dumps(call(i)), own)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200 or b'"result"' not in body:
        sys.exit("call %d failed: %d %r" % (i, response.status, body[:200]))
EOF

instructions() { grep -o 'Collected : [0-9]*' "$1" | grep -o '[0-9]*$'; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Prints instructions per call for one contender and transport.
per_call() {
  local transport=$1 command=$2 sessions=${3:-1} counts=()
  local calls
  if [[ $transport == stdio ]]; then
    for calls in "${stdio_calls[@]}"; do
      python3 "$work/calls.py" stdio "$calls" >"$work/in.jsonl"
      # shellcheck disable=SC2086 # the command line splits on purpose
      valgrind --tool=callgrind --callgrind-out-file="$work/out" $command <"$work/in.jsonl" >"$work/replies" 2>"$work/err"
      [[ $(wc -l <"$work/replies") -eq $((calls + 1)) ]] || { echo "missing replies: $command" >&2; exit 1; }
      counts+=("$(instructions "$work/err")")
    done
    echo $(((counts[1] - counts[0]) / (stdio_calls[1] - stdio_calls[0])))
  else
    for calls in "${http_calls[@]}"; do
      local port pid
      port=$(free_port)
      # shellcheck disable=SC2086
      valgrind --tool=callgrind --callgrind-out-file="$work/out" ${command//PORT/$port} >/dev/null 2>"$work/err" &
      pid=$!
      if ! python3 "$work/calls.py" "$transport" "$port" "$calls" "$sessions"; then
        kill -TERM "$pid"; wait "$pid" || true; exit 1
      fi
      kill -TERM "$pid"
      wait "$pid" || true
      counts+=("$(instructions "$work/err")")
    done
    echo $(((counts[1] - counts[0]) / (http_calls[1] - http_calls[0])))
  fi
}

declare -A base
echo "| contender | stdio, instructions per call | stateless HTTP, instructions per call | stateful HTTP, instructions per call | stateful HTTP, 256 sessions in turn |"
echo "|---|---|---|---|---|"
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
for name in "${names[@]}"; do
  commands=$(commands "$name")
  IFS='|' read -r stdio http stateful <<<"$commands"
  s=$(per_call stdio "$stdio")
  h=$(per_call http "$http")
  f=$(per_call stateful "$stateful")
  m=$(per_call stateful "$stateful" 256)
  if [[ $name == "${names[0]}" ]]; then base[stdio]=$s; base[http]=$h; base[stateful]=$f; base[many]=$m; fi
  echo "| $name | $s (×$(ratio "${base[stdio]}" "$s")) | $h (×$(ratio "${base[http]}" "$h")) | $f (×$(ratio "${base[stateful]}" "$f")) | $m (×$(ratio "${base[many]}" "$m")) |"
done
