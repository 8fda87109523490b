#!/usr/bin/env python3
"""Hostile input against a generated server (issue #25): what one `resources/read` costs as its URI grows, and what
10,000 hostile subscriptions leave in memory.

    cargo build --release -p everything
    python3 bench/hostile.py [--binary target/release/everything] [--reps 31]

The server is the `everything` example, whose template `note://files{/dir,name}{.ext}` was the worst in specs/
(the matcher used to backtrack cubically on it). Standard library only; Linux (/proc for the resident memory).

Latency: over stdio, one request in flight, `resources/read` of URIs of 256 B to 8 KiB (the matcher's limit) in two
shapes: hostile (`note://files/` then dots and a `?`, the issue's shape, answered "not found") and benign
(`note://files/<letters>/name.md`: it matches, and the example's stub handler answers "not implemented"). The
control is `ping`. Each cell is the server's CPU time per request (all its threads, from /proc/PID/task/*/schedstat,
which other load on the machine does not inflate) and the median wall time of --reps requests, client write to
reply read.

Memory: the server on stateless streamable HTTP (every POST a session of its own, as in the issue), idle RSS after
start-up and a few requests, then 10,000 `resources/subscribe` of distinct 8 KiB URIs the template matches, then
RSS again; and the same 10,000 inside one stdio session. Prints Markdown."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LENGTHS = [256, 1024, 4096, 8192]
SUBSCRIPTIONS = 10_000
TOKEN = "bench-token"
# JSON-RPC error codes: no resource matches; the example's `files` handler is a stub that says so.
NOT_FOUND = -32002
NOT_IMPLEMENTED = -32603


def hostile(length: int) -> str:
    prefix = "note://files/"
    return prefix + "." * (length - len(prefix) - 1) + "?"


def benign(length: int, salt: str = "") -> str:
    prefix, suffix = "note://files/", "/name.md"
    middle = salt + "a" * (length - len(prefix) - len(suffix) - len(salt))
    return prefix + middle + suffix


def cpu_ns(pid: int) -> int:
    """CPU time the process's threads have run, in ns (the scheduler's own count: not disturbed by waiting)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that just ended
    return total


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


class Stdio:
    def __init__(self, binary: Path):
        self.proc = subprocess.Popen([str(binary), "--transport", "stdio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "RUST_LOG": "error", "EVERYTHING_API_TOKEN": TOKEN})
        self.next_id = 0
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "hostile-bench", "version": "0"}})
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message: dict):
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict | None = None) -> tuple[dict, float]:
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        line = json.dumps(message).encode() + b"\n"
        start = time.perf_counter()
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.next_id:
                return reply, time.perf_counter() - start

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class StatelessHttp:
    def __init__(self, binary: Path):
        # The log goes to a file: a pipe nobody reads would fill and stall the server.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(binary), "--transport", "streamable-http", "--stateless", "--host", "127.0.0.1", "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
            env={**os.environ, "RUST_LOG": "info", "NO_COLOR": "1", "EVERYTHING_API_TOKEN": TOKEN})
        deadline = time.monotonic() + 30
        while True:
            self.log.seek(0)
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)(\S*)", self.log.read().decode())
            if found:
                self.port, self.path = int(found.group(1)), found.group(2)
                break
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.next_id = 0

    def request(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        message = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.connection.request("POST", self.path, json.dumps(message), {
            "Content-Type": "application/json", "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18", "Authorization": f"Bearer {TOKEN}"})
        response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)

    def stop(self):
        self.connection.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def latency(binary: Path, reps: int) -> list[str]:
    server = Stdio(binary)
    try:
        def cell(method: str, params: dict | None, code: int | None) -> str:
            """`code`: the JSON-RPC error code every reply must carry (None: a result)."""
            times = []
            cpu_before = cpu_ns(server.proc.pid)
            for _ in range(reps):
                reply, seconds = server.request(method, params)
                if reply.get("error", {}).get("code") != code:
                    raise RuntimeError(f"unexpected reply to {method}: {str(reply)[:200]}")
                times.append(seconds * 1000)
            cpu_ms = (cpu_ns(server.proc.pid) - cpu_before) / reps / 1e6
            return f"{cpu_ms:.3f} · {statistics.median(times):.3f}"

        for _ in range(50):  # warm-up
            server.request("ping")
            server.request("resources/read", {"uri": benign(256)})
        rows = ["| URI length | hostile `note://files/....?` (not found) | benign `note://files/aaa/name.md` "
                "(matched; the example's stub answers \"not implemented\") | control `ping` |", "|---|---|---|---|"]
        for length in LENGTHS:
            assert len(hostile(length)) == length == len(benign(length))
            rows.append(f"| {length} B | {cell('resources/read', {'uri': hostile(length)}, NOT_FOUND)} | "
                        f"{cell('resources/read', {'uri': benign(length)}, NOT_IMPLEMENTED)} | "
                        f"{cell('ping', None, None)} |")
        return rows
    finally:
        server.stop()


def flood(name: str, pid: int, request) -> str:
    """A table row: `pid`'s RSS after a warm-up, then after SUBSCRIPTIONS distinct 8 KiB subscriptions."""
    for _ in range(20):
        request("ping")
        request("resources/read", {"uri": benign(256)})
    idle = rss_kib(pid)
    accepted = 0
    for i in range(SUBSCRIPTIONS):
        accepted += "error" not in request("resources/subscribe", {"uri": benign(8192, salt=f"{i}-")})
    after = rss_kib(pid)
    return f"| {name} ({accepted:,} accepted) | {idle / 1024:.2f} | {after / 1024:.2f} | {(after - idle) / 1024:+.2f} |"


def memory(binary: Path) -> list[str]:
    rows = ["| server | idle RSS (MiB) | after 10,000 hostile subscriptions (MiB) | growth (MiB) |",
            "|---|---|---|---|"]
    server = StatelessHttp(binary)
    try:
        rows.append(flood("stateless HTTP, a session per POST", server.proc.pid, server.request))
    finally:
        server.stop()
    stdio = Stdio(binary)
    try:
        rows.append(flood("stdio, one session", stdio.proc.pid, lambda *args: stdio.request(*args)[0]))
    finally:
        stdio.stop()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=ROOT / "target" / "release" / "everything")
    parser.add_argument("--reps", type=int, default=31)
    args = parser.parse_args()
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    print(f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpu}, {os.cpu_count()} cores; "
          f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print(f"- `{args.binary.relative_to(ROOT) if args.binary.is_relative_to(ROOT) else args.binary}`, "
          f"{args.reps} requests per cell, one in flight over stdio; ms: server CPU per request · median wall time")
    print()
    print("\n".join(latency(args.binary, args.reps)))
    print()
    print("\n".join(memory(args.binary)))


if __name__ == "__main__":
    main()
