"""Helpers for the HTTP end-to-end tests: generate a test-only spec into a temp dir with the mcpgen of this tree,
fill in handler files, build it into the shared target dir, and run servers that report their address."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
# Where the crates the tests generate build: the directory the CLI's tests build theirs in (cli/tests), so the
# dependencies they share (same lock file, same profile) build once for both; the examples stay in TARGET.
NESTED = TARGET / "nested"
SPECS = Path(__file__).resolve().parent / "specs"
START_TIMEOUT_S = 30.0


def log_match(log: Path, proc: subprocess.Popen, pattern: str, timeout: float) -> re.Match | None:
    """The first match of `pattern` in the server's log file, waiting for it up to `timeout` seconds; None when the
    server exits or time runs out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text(errors="replace"))
        if match or proc.poll() is not None:
            return match
        time.sleep(0.02)
    return None


def stop_process(proc: subprocess.Popen) -> None:
    """Ends a server: SIGTERM, then SIGKILL if it is still running 10 s later."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def mcpgen_binary() -> Path:
    """mcpgen: `MCPGEN_BIN` when the caller has built it (scripts/test passes the one `cargo test` built, which
    `cargo build -p mcpgen` would compile again with other dependency features), else built here."""
    if os.environ.get("MCPGEN_BIN"):
        return Path(os.environ["MCPGEN_BIN"])
    subprocess.run(["cargo", "build", "--quiet", "-p", "mcpgen"], cwd=ROOT, check=True)
    return TARGET / "debug" / "mcpgen"


def build_server(workdir: Path, spec_name: str, replacements: dict[str, str], handlers: dict[str, str]) -> Path:
    """Generates tests/e2e/specs/<spec_name>.yaml (after `replacements`) into `workdir`, writes `handlers`
    (paths relative to the crate), builds it and returns the binary."""
    text = (SPECS / f"{spec_name}.yaml").read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    spec = workdir / f"{spec_name}.yaml"
    spec.write_text(text)
    crate = workdir / spec_name
    subprocess.run([str(mcpgen_binary()), "new", str(spec), "--out", str(crate), "--no-verify"], check=True,
                   stdout=subprocess.DEVNULL)
    for rel, code in handlers.items():
        (crate / rel).write_text(code)
    # The workspace's lock file: the same dependency versions, so the shared target dir has them built.
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    subprocess.run(["cargo", "build", "--quiet"], cwd=crate, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(NESTED)})
    name = re.search(r"^  name: (\S+)", text, re.M).group(1)
    return NESTED / "debug" / name


class Server:
    """A server process started on 127.0.0.1 with an OS-picked port; `url` is what it reported."""

    def __init__(self, binary: Path, args: list[str], env: dict[str, str] | None = None):
        self.log_path = TARGET / "e2e-logs" / f"{binary.name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w+b")
        self.proc = subprocess.Popen(
            [str(binary), "--host", "127.0.0.1", "--port", "0", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            env={**os.environ, "RUST_LOG": "info", "NO_COLOR": "1", **(env or {})})
        self.url = self.wait_for_log(r"listening on (http://127\.0\.0\.1:\d+\S*)").group(1)
        self.base = re.match(r"http://[^/]+", self.url).group(0)

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float = START_TIMEOUT_S) -> re.Match:
        match = log_match(self.log_path, self.proc, pattern, timeout)
        if match:
            return match
        self.stop()
        raise RuntimeError(f"no {pattern!r} in the server log:\n{self.text()}")

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def stop(self) -> None:
        stop_process(self.proc)
        if not self.log.closed:
            self.log.close()


def http(method: str, url: str, body: bytes | dict | None = None, headers: dict[str, str] | None = None,
         timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; any status comes back (no exception for 4xx/5xx). Header names are lower-cased."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


MCP_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}


def rpc(method: str, params: dict | None = None, id: int = 1) -> dict:
    message = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def request_2026(url: str, method: str, name: str, params: dict, capabilities: dict) -> tuple[int, dict]:
    """`method` as a protocol 2026-07-28 client with `capabilities` (no session: each request carries the client's
    info in `_meta`); the HTTP status and the JSON-RPC answer, from a JSON body or an event stream."""
    params = {**params, "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "e2e", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    }}
    headers = {**MCP_HEADERS, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method, "Mcp-Name": name}
    status, _, body = http("POST", url, rpc(method, params), headers)
    text = body.decode()
    candidates = [text] + [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
    for candidate in candidates:
        try:
            message = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("id") == 1:
            return status, message
    raise AssertionError(f"no answer to {method} ({status}): {text}")


def nginx_main_config(workdir: Path, server_block: Path, upstreams: list[str], listen: str | None = None) -> Path:
    """A main nginx config for the generated server block, as the official image's includes conf.d, with its pid,
    logs and temp files in `workdir`; the block's upstream (Compose's `app` service) becomes `upstreams`, and its
    port `listen` when given."""
    text = server_block.read_text()
    servers = "\n".join(f"    server {u};" for u in upstreams)
    text, count = re.subn(r"^    server app:\d+;$", servers, text, flags=re.M)
    assert count == 1, text
    if listen:
        text, count = re.subn(r"^    listen \d+;$", f"    listen {listen};", text, flags=re.M)
        assert count == 1, text
    block = workdir / "default.conf"
    block.write_text(text)
    temp = "\n".join(f"  {k}_temp_path {workdir}/{k};" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = workdir / "nginx.conf"
    main.write_text(f"""worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  log_format upstreams '$request_method $status $upstream_addr $upstream_status $request_time $http_mcp_session_id';
  access_log {workdir}/access.log upstreams;
{temp}
  include {block};
}}
""")
    return main
