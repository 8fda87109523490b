#!/usr/bin/env python3
"""Cold start of the `lambda` transport against the same binary's streamable HTTP start-up (issue #22).

Generates tests/e2e/specs/lambda.yaml into target/bench-lambda-crate (the `shout` handler filled in), builds it with
`cargo lambda build --release` (cargo-lambda from PyPI on PATH), strips a copy of `bootstrap` for its size, then
runs rounds that alternate, in a rotating order:

- lambda: with cargo-lambda's emulator of the Runtime API and function URLs up (`cargo lambda watch
  --only-lambda-apis`), an `initialize` is sent to the function URL (it waits in the emulator's queue), then the
  binary is spawned with the environment Lambda gives a function: spawn to the reply.
- http: the binary spawned with `--transport streamable-http --port 0`: spawn to the reply of an `initialize` POSTed
  as soon as it logs its address.

Each process is killed after its reply. Prints medians and quartiles in milliseconds. Standard-library Python, Linux.
Usage: bench/lambda-cold-start.py [--rounds N] [--skip-build]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRATE = ROOT / "target" / "bench-lambda-crate"
TARGET = ROOT / "target" / "bench-lambda"
BINARY = TARGET / "lambda" / "lambda-e2e" / "bootstrap"
HANDLER = """use crate::generated::prelude::*;
use crate::generated::tools::shout::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(input.text.to_uppercase())]))
}
"""
INITIALIZE = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}).encode()
HEADERS = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
TIMEOUT_S = 30.0


def build() -> None:
    subprocess.run(["cargo", "build", "--quiet", "-p", "mcpgen"], cwd=ROOT, check=True)
    if CRATE.exists():
        shutil.rmtree(CRATE)
    subprocess.run([str(ROOT / "target" / "debug" / "mcpgen"), "new", str(ROOT / "tests/e2e/specs/lambda.yaml"),
                    "--out", str(CRATE), "--no-verify"], check=True, stdout=subprocess.DEVNULL)
    (CRATE / "src/tools/shout.rs").write_text(HANDLER)
    with open(CRATE / "Cargo.toml", "a") as manifest:
        manifest.write("\n[workspace]\n")
    shutil.copy(ROOT / "Cargo.lock", CRATE / "Cargo.lock")
    subprocess.run(["cargo", "lambda", "build", "--release"], cwd=CRATE, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str) -> bytes:
    request = urllib.request.Request(url, data=INITIALIZE, method="POST", headers=HEADERS)
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return response.read()


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=TIMEOUT_S)


def lambda_start(port: int) -> float:
    env = {**os.environ, "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}/.rt", "AWS_LAMBDA_FUNCTION_NAME": "_",
           "AWS_LAMBDA_FUNCTION_VERSION": "1", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}
    reply: dict[str, bytes | BaseException] = {}
    done = threading.Event()

    def invoke() -> None:
        try:
            reply["body"] = post(f"http://127.0.0.1:{port}/lambda-url/_/mcp")
        except BaseException as error:  # noqa: BLE001 - reported below
            reply["error"] = error
        done.set()

    thread = threading.Thread(target=invoke, daemon=True)
    thread.start()
    time.sleep(0.2)  # the invocation waits in the emulator's queue before the function exists
    start = time.perf_counter()
    proc = subprocess.Popen([str(BINARY)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        if not done.wait(TIMEOUT_S):
            raise RuntimeError("no reply from the function within the timeout")
        elapsed = time.perf_counter() - start
    finally:
        stop(proc)
    if "error" in reply or b'"serverInfo"' not in reply.get("body", b""):
        raise RuntimeError(f"bad lambda reply: {reply}")
    return elapsed


def http_start() -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([str(BINARY), "--transport", "streamable-http", "--host", "127.0.0.1", "--port", "0"],
                            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_LAMBDA")},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        url = None
        for line in proc.stderr:
            text = line.decode(errors="replace")
            if "listening on http://" in text:
                url = "http://" + text.split("listening on http://")[1].split()[0]
                break
            if time.monotonic() > deadline:
                break
        if url is None:
            raise RuntimeError("the HTTP server never logged its address")
        body = post(url)
        elapsed = time.perf_counter() - start
    finally:
        stop(proc)
    if b'"serverInfo"' not in body:
        raise RuntimeError(f"bad http reply: {body!r}")
    return elapsed


def quartiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    q = statistics.quantiles(ms, n=4)
    return f"median {statistics.median(ms):6.1f} ms  (q1 {q[0]:.1f}, q3 {q[2]:.1f}, min {ms[0]:.1f}, n {len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        build()
    stripped = TARGET / "bootstrap.stripped"
    shutil.copy(BINARY, stripped)
    subprocess.run(["strip", str(stripped)], check=True)
    print(f"binary: {BINARY.stat().st_size / 2**20:.2f} MiB, stripped {stripped.stat().st_size / 2**20:.2f} MiB")

    port = free_port()
    emulator = subprocess.Popen(["cargo", "lambda", "watch", "--only-lambda-apis", "--invoke-address", "127.0.0.1",
                                 "--invoke-port", str(port)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or emulator.poll() is not None:
                    raise RuntimeError("cargo lambda watch did not start")
                time.sleep(0.05)
        lambda_start(port)  # warms the page cache and the emulator, not counted
        http_start()
        results: dict[str, list[float]] = {"lambda": [], "http": []}
        for i in range(args.rounds):
            order = ["lambda", "http"] if i % 2 == 0 else ["http", "lambda"]
            for name in order:
                results[name].append(lambda_start(port) if name == "lambda" else http_start())
    finally:
        os.killpg(emulator.pid, signal.SIGKILL)
        emulator.wait(timeout=TIMEOUT_S)
    for name, samples in results.items():
        print(f"{name:6}: spawn to initialize reply, {quartiles(samples)}")


if __name__ == "__main__":
    main()
