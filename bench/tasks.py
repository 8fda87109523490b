#!/usr/bin/env python3
"""MCP tasks (issue #21): what a task-augmented call costs over a plain one, and what a live task holds in memory.

    cargo build --release -p tasks
    python3 bench/tasks.py [--binary target/release/tasks] [--rounds 10] [--calls 300] [--live 5000]

The server is the `tasks` example over stdio, protocol 2025-11-25, one request in flight. Its `wait` tool with
`ms: 0` returns at once, so what is measured is the protocol's cost. Rounds interleave the two forms, each round
`--calls` of each: plain (`tools/call`), and task (`tools/call` with `params.task`, then `tasks/result`, which waits
for the result). Each form's figure is the server's CPU time per call (all its threads, /proc/PID/task/*/schedstat)
and the median wall time of a call, client write to last reply read; the medians over rounds are printed.

Memory: RSS after start-up, then after `--live` tasks of `wait` with a long `ms`, all running at once (the caps are
raised with --max-tasks-per-session), per live task. Standard library only; Linux. Prints Markdown."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from hostile import cpu_ns, rss_kib

ROOT = Path(__file__).resolve().parents[1]


class Session:
    def __init__(self, binary: Path, flags: list[str]):
        self.proc = subprocess.Popen([str(binary), "--transport", "stdio", *flags], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env={**os.environ, "RUST_LOG": "error"})
        self.next_id = 0
        init = self.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                           "clientInfo": {"name": "tasks-bench", "version": "0"}})
        assert "tasks" in init["result"]["capabilities"], init
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.next_id and "method" not in reply:
                return reply

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def plain(session: Session) -> None:
    reply = session.request("tools/call", {"name": "wait", "arguments": {"ms": 0}})
    assert reply["result"]["structuredContent"]["cancelled"] is False, reply


def task(session: Session) -> None:
    created = session.request("tools/call", {"name": "wait", "arguments": {"ms": 0}, "task": {"ttl": 60_000}})
    task_id = created["result"]["task"]["taskId"]
    reply = session.request("tasks/result", {"taskId": task_id})
    assert reply["result"]["structuredContent"]["cancelled"] is False, reply


def measure(session: Session, call, calls: int) -> tuple[float, float]:
    """(server CPU µs per call, median wall µs per call) over `calls` calls."""
    walls = []
    cpu_before = cpu_ns(session.proc.pid)
    for _ in range(calls):
        start = time.perf_counter_ns()
        call(session)
        walls.append(time.perf_counter_ns() - start)
    cpu = (cpu_ns(session.proc.pid) - cpu_before) / calls
    return cpu / 1000, statistics.median(walls) / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", type=Path, default=ROOT / "target/release/tasks")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--live", type=int, default=5000)
    args = parser.parse_args()

    # Tasks stay stored until their TTL: room for every call of the run.
    room = str(2 * args.rounds * args.calls + args.live + 10)
    session = Session(args.binary, ["--max-tasks-per-session", room, "--max-tasks", room])
    for _ in range(50):  # warm-up
        plain(session)
        task(session)
    results: dict[str, list[tuple[float, float]]] = {"plain": [], "task": []}
    for _ in range(args.rounds):
        results["plain"].append(measure(session, plain, args.calls))
        results["task"].append(measure(session, task, args.calls))
    session.close()

    print(f"{args.rounds} rounds of {args.calls} calls per form, interleaved; medians over rounds")
    print()
    print("| call | server CPU µs per call | median wall µs per call |")
    print("|---|---|---|")
    for form, label in [("plain", "plain `tools/call`"), ("task", "task: `tools/call` + `tasks/result`")]:
        cpu = statistics.median(r[0] for r in results[form])
        wall = statistics.median(r[1] for r in results[form])
        print(f"| {label} | {cpu:.1f} | {wall:.1f} |")

    session = Session(args.binary, ["--max-tasks-per-session", room, "--max-tasks", room])
    plain(session)
    time.sleep(0.5)
    before = rss_kib(session.proc.pid)
    for _ in range(args.live):
        created = session.request("tools/call", {"name": "wait", "arguments": {"ms": 600_000},
                                                 "task": {"ttl": 600_000}})
        assert created["result"]["task"]["status"] == "working", created
    time.sleep(0.5)
    after = rss_kib(session.proc.pid)
    session.close()
    print()
    print(f"RSS {before} KiB after start-up, {after} KiB with {args.live} live tasks: "
          f"{(after - before) * 1024 / args.live:.0f} bytes per live task")


if __name__ == "__main__":
    main()
