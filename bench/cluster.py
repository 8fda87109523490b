#!/usr/bin/env python3
"""Starts a scaled-out benchcluster for mcpbench (bench/cluster.toml): redis-server, INSTANCES stateful instances
with their sessions in it, and nginx on PORT running the crate's generated deploy/nginx.conf (round robin) in front
of them: the topology of the generated compose.yaml, without Docker. SIGTERM stops everything within a second
(mcpbench's grace period). Standard-library Python; nginx and redis-server are the Debian packages.

    cluster.py PORT INSTANCES"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests" / "e2e"))
from http_support import nginx_main_config  # noqa: E402  (the e2e tests' nginx config, shared)

BINARY = BENCH / "target" / "dist" / "benchcluster"
SERVER_BLOCK = BENCH / "target-gen" / "benchcluster" / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"{what} exited with {proc.returncode}")
            time.sleep(0.01)
    raise SystemExit(f"{what} did not listen on {port} within 30 s")


def main() -> None:
    port, instances = int(sys.argv[1]), int(sys.argv[2])
    procs: list[subprocess.Popen] = []

    def stop(*_):
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=0.8)
            except subprocess.TimeoutExpired:
                p.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    with tempfile.TemporaryDirectory(prefix="mcpgen-cluster-") as workdir:
        try:
            redis_port = free_port()
            redis = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL)
            procs.append(redis)
            wait_listening(redis_port, redis, "redis-server")
            env = {**os.environ, "BENCH_REDIS_URL": f"redis://127.0.0.1:{redis_port}", "RUST_LOG": "warn"}
            upstreams = []
            for n in range(instances):
                p = free_port()
                server = subprocess.Popen([str(BINARY), "--transport", "streamable-http", "--host", "127.0.0.1",
                                           "--port", str(p), "--stateful"], env=env, stderr=subprocess.DEVNULL)
                procs.append(server)
                wait_listening(p, server, f"instance {n}")
                upstreams.append(f"127.0.0.1:{p}")
            conf = nginx_main_config(Path(workdir), SERVER_BLOCK, upstreams, listen=f"127.0.0.1:{port}")
            procs.append(subprocess.Popen(["/usr/sbin/nginx", "-p", workdir, "-c", str(conf)],
                                          stderr=subprocess.DEVNULL))
            while all(p.poll() is None for p in procs):
                time.sleep(0.2)
            raise SystemExit("a cluster process exited")
        finally:
            stop()


if __name__ == "__main__":
    main()
