"""A handler that panics yields an error result for that call only; the server, the session and every other
session keep serving. The server is generated for the test from tests/e2e/robust/panic.yaml with `mcpgen new`,
its stub replaced by a handler that panics on request, and built into the shared target directory (so its
dependencies are the workspace's, already compiled)."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, TARGET
from http_support import NESTED, mcpgen_binary
from robust_wire import HttpProcess, StdioServer, StreamableSession, dumps

HERE = Path(__file__).parent / "robust"
LOGS = TARGET / "e2e-logs"


@pytest.fixture(scope="module")
def panic_server(tmp_path_factory) -> Path:
    crate = tmp_path_factory.mktemp("robust-panic") / "robust-panic"
    LOGS.mkdir(parents=True, exist_ok=True)  # the stdio test, run first or alone, writes its log there
    subprocess.run([str(mcpgen_binary()), "new", str(HERE / "panic.yaml"), "--out", str(crate), "--no-verify"],
                   check=True, capture_output=True)
    shutil.copy(HERE / "boom.rs", crate / "src" / "tools" / "boom.rs")
    # The workspace's lock file pins the same dependency versions, so the shared target dir has them built.
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    subprocess.run(["cargo", "build", "--quiet", "--features", "streamable-http"], cwd=crate, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(NESTED)})
    return NESTED / "debug" / "robust-panic"


def boom(msg_id, explode: bool) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "tools/call",
            "params": {"name": "boom", "arguments": {"explode": explode}}}


def assert_panic_result(reply: dict) -> None:
    result = reply["result"]
    assert result["isError"] is True, reply
    text = result["content"][0]["text"]
    assert "Internal error" in text and "panicked on purpose" not in text, reply  # payload only in the log


def assert_fine(reply: dict) -> None:
    assert reply["result"].get("isError") in (None, False) and reply["result"]["content"][0]["text"] == "fine", reply


def test_stdio_panic_is_one_error_result(panic_server):
    log = LOGS / f"robust-panic-stdio-{os.getpid()}.log"
    server = StdioServer(panic_server, log=log)
    try:
        server.initialize()
        for round_ in range(3):
            server.send(dumps(boom(f"p{round_}", True)) + b"\n")
            assert_panic_result(server.until(f"p{round_}")[-1])
            server.send(dumps(boom(f"f{round_}", False)) + b"\n")
            assert_fine(server.until(f"f{round_}")[-1])
        # Panics and normal calls in flight together: each gets its own answer.
        batch = b"".join(dumps(boom(f"c{i}", i % 2 == 0)) + b"\n" for i in range(20))
        server.send(batch)
        replies = {}
        while len(replies) < 20:
            msg = server.next()
            assert msg is not None, replies
            replies[msg["id"]] = msg
        for i in range(20):
            (assert_panic_result if i % 2 == 0 else assert_fine)(replies[f"c{i}"])
        assert server.proc.poll() is None
    finally:
        assert server.close() == 0
    assert "boom handler panicked on purpose" in log.read_text(errors="replace")


def test_http_panic_leaves_other_sessions_alone(panic_server):
    server = HttpProcess(panic_server, "streamable-http", ["--stateful"],
                         LOGS / f"robust-panic-http-{os.getpid()}.log")
    try:
        a, b = StreamableSession(server.addr), StreamableSession(server.addr)
        a.initialize()
        b.initialize()
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: (a if i % 2 else b).call(boom(i, i % 3 == 0)), range(24)))
        for i, reply in enumerate(results):
            (assert_panic_result if i % 3 == 0 else assert_fine)(reply)
        assert_fine(a.call(boom("after-a", False)))
        assert_fine(b.call(boom("after-b", False)))
        assert server.proc.poll() is None
        assert a.close() in (200, 202, 204) and b.close() in (200, 202, 204)
    finally:
        server.close()
