#!/usr/bin/env python3
"""Hostile input against a generated server (issue #25): what one `resources/read` costs as its URI grows, and what
10,000 hostile subscriptions leave in memory.

    cargo build --release -p everything
    python3 bench/hostile.py [--binary target/release/everything] [--reps 31]

The server is the `everything` example, whose template `note://files{/dir,name}{.ext}` was the worst in specs/
(the matcher used to backtrack cubically on it). Standard library only; Linux (/proc for the resident memory).

Latency: over stdio, one request in flight, `resources/read` of URIs of 256 B to 8 KiB (the matcher's limit) in two
shapes: hostile (`note://files/` then dots and a `?`, the issue's shape, answered "not found") and benign
(`note://files/<letters>/name.md`, a match). The control is `ping`. Each cell is the median and the maximum of
--reps requests, client write to reply read.

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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LENGTHS = [256, 1024, 4096, 8192]
SUBSCRIPTIONS = 10_000
TOKEN = "bench-token"


def hostile(length: int) -> str:
    prefix = "note://files/"
    return prefix + "." * (length - len(prefix) - 1) + "?"


def benign(length: int, salt: str = "") -> str:
    prefix, suffix = "note://files/", "/name.md"
    middle = salt + "a" * (length - len(prefix) - len(suffix) - len(salt))
    return prefix + middle + suffix


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


class Stdio:
    def __init__(self, binary: Path):
        self.proc = subprocess.Popen([str(binary), "--transport", "stdio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "RUST_LOG": "error"})
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
        self.proc = subprocess.Popen(
            [str(binary), "--transport", "streamable-http", "--stateless", "--host", "127.0.0.1", "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "RUST_LOG": "info", "NO_COLOR": "1", "EVERYTHING_API_TOKEN": TOKEN})
        deadline = time.monotonic() + 30
        while True:
            line = self.proc.stderr.readline().decode()
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)(\S*)", line)
            if found:
                self.port, self.path = int(found.group(1)), found.group(2)
                break
            if not line or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
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


def latency(binary: Path, reps: int) -> list[str]:
    server = Stdio(binary)
    try:
        def cell(method: str, params: dict | None, expect_error: bool | None) -> str:
            times = []
            for _ in range(reps):
                reply, seconds = server.request(method, params)
                if expect_error is not None and ("error" in reply) != expect_error:
                    raise RuntimeError(f"unexpected reply to {method}: {str(reply)[:200]}")
                times.append(seconds * 1000)
            return f"{statistics.median(times):.3f} / {max(times):.3f}"

        for _ in range(50):  # warm-up
            server.request("ping")
            server.request("resources/read", {"uri": benign(256)})
        rows = ["| URI length | hostile `note://files/....?` (not found) | benign `note://files/aaa/name.md` | "
                "control `ping` |", "|---|---|---|---|"]
        for length in LENGTHS:
            assert len(hostile(length)) == length == len(benign(length))
            rows.append(f"| {length} B | {cell('resources/read', {'uri': hostile(length)}, True)} | "
                        f"{cell('resources/read', {'uri': benign(length)}, False)} | {cell('ping', None, False)} |")
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
          f"{args.reps} requests per cell, one in flight over stdio; ms, median / max")
    print()
    print("\n".join(latency(args.binary, args.reps)))
    print()
    print("\n".join(memory(args.binary)))


if __name__ == "__main__":
    main()
