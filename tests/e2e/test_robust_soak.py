"""Long runs and slow clients against the weather server over streamable HTTP.

- Soak (marked `long`): 200 concurrent stateful sessions x 50 calls each, then all closed: zero errors, and the
  server's RSS after the run within 20% of its RSS before it. "Before" is measured after a warm-up round of the
  same shape: the first 200 concurrent sessions raise the process from ~22 MB to its high-water mark (~70 MB in
  a debug build), which glibc keeps mapped after they close; from then on a leak shows as growth per round.
- Idle sessions expire (`--session-idle-timeout`).
- Slow clients (a connection that pipelines requests and never reads, an event stream nobody reads, a body sent
  one byte per second) do not block other clients.

Counts are fixed and every wait is bounded (robust_wire.WAIT_S); nothing asserts on durations."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import TARGET
from robust_wire import WAIT_S, HttpProcess, SseSession, StreamableSession, dumps

WEATHER = TARGET / "debug" / "weather"
LOGS = TARGET / "e2e-logs"
SESSIONS = int(os.environ.get("MCPGEN_SOAK_SESSIONS", "200"))
CALLS = int(os.environ.get("MCPGEN_SOAK_CALLS", "50"))


def convert(i: int) -> dict:
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": "convert_temperature", "arguments": {"value": i, "from": "celsius", "to": "kelvin"}}}


def one_session(addr, calls: int) -> list[str]:
    """Runs a session of `calls` tool calls and closes it; returns the errors seen (empty when all went well)."""
    errors = []
    session = StreamableSession(addr)
    try:
        session.initialize()
        for i in range(calls):
            reply = session.call(convert(i))
            result = reply.get("result", {})
            if result.get("isError") or result.get("structuredContent", {}).get("value") != i + 273.15:
                errors.append(f"call {i}: {reply}")
    except Exception as e:  # noqa: BLE001 - every failure counts, whatever it is
        errors.append(repr(e))
    finally:
        try:
            if session.close() not in (None, 200, 202, 204):
                errors.append("DELETE refused")
        except Exception as e:  # noqa: BLE001
            errors.append(f"DELETE: {e!r}")
    return errors


def run_round(addr, sessions: int, calls: int) -> list[str]:
    with ThreadPoolExecutor(sessions) as pool:
        return [e for errs in pool.map(lambda _: one_session(addr, calls), range(sessions)) for e in errs]


@pytest.fixture
def stateful_weather():
    server = HttpProcess(WEATHER, "streamable-http", ["--stateful"], LOGS / f"robust-soak-{os.getpid()}.log")
    yield server
    server.close()


@pytest.mark.long
def test_soak_concurrent_sessions_no_errors_no_leak(stateful_weather):
    addr = stateful_weather.addr
    warmup = run_round(addr, SESSIONS, CALLS)
    assert warmup == [], warmup[:5]
    before = stateful_weather.rss_kib()
    errors = run_round(addr, SESSIONS, CALLS)
    assert errors == [], f"{len(errors)} errors, first: {errors[:5]}"
    after = stateful_weather.rss_kib()
    assert after <= before * 1.2, f"RSS grew from {before} KiB to {after} KiB over {SESSIONS}x{CALLS} calls"
    assert stateful_weather.proc.poll() is None


def test_idle_sessions_expire():
    server = HttpProcess(WEATHER, "streamable-http", ["--stateful", "--session-idle-timeout", "1"],
                         LOGS / f"robust-idle-{os.getpid()}.log")
    try:
        session = StreamableSession(server.addr)
        session.initialize()
        ping = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()
        assert session.post(ping).status == 200
        # Every probe is activity and restarts the idle clock, so the gaps double until one outlasts the timeout
        # even on a loaded machine; the total stays bounded.
        gap, waited, status = 2.0, 0.0, 200
        while status == 200 and waited < WAIT_S:
            time.sleep(gap)
            waited += gap
            gap *= 2
            status = session.post(ping).status
        assert status == 404, f"session still alive after idle gaps of up to {gap / 2}s (timeout 1s)"
        # The server itself is fine: a new session works.
        fresh = StreamableSession(server.addr)
        fresh.initialize()
        assert fresh.post(ping).status == 200
    finally:
        server.close()


def stalled_socket(addr) -> socket.socket:
    """A connection with a tiny receive window (set before connecting), so the server's writes to it block after
    a few kilobytes once the test stops reading."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT_S)
    sock.connect((addr.host, addr.port))
    return sock


def normal_calls(addr, count: int = 20, extra_headers: dict | None = None) -> None:
    session = StreamableSession(addr, extra_headers)
    session.initialize()
    for i in range(count):
        reply = session.call(convert(i))
        assert reply["result"]["structuredContent"]["value"] == i + 273.15, reply
    session.close()


def post_head(addr, session: StreamableSession, length: int) -> bytes:
    headers = "".join(f"{k}: {v}\r\n" for k, v in session.headers.items())
    return f"POST {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Content-Length: {length}\r\n\r\n".encode()


def test_client_that_never_reads_does_not_block_others(stateful_weather):
    addr = stateful_weather.addr
    slow = StreamableSession(addr)
    slow.initialize()
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    with stalled_socket(addr) as pipelined, stalled_socket(addr) as stream:
        # Hundreds of pipelined requests whose answers (megabytes) are never read: the server's writes to this
        # connection block once the socket buffers are full.
        pipelined.setblocking(False)
        request_bytes = post_head(addr, slow, len(body)) + body
        sent = 0
        for _ in range(2000):
            try:
                sent += pipelined.send(request_bytes)
            except BlockingIOError:
                break
        assert sent > 0
        # The session's standalone event stream, opened and never read.
        headers = "".join(f"{k}: {v}\r\n" for k, v in slow.headers.items() if k != "Content-Type")
        stream.sendall(f"GET {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
                       .replace(b"Accept: application/json, text/event-stream", b"Accept: text/event-stream"))
        normal_calls(addr)
        # The stalled session itself still answers on a fresh connection.
        assert "tools" in slow.call({"jsonrpc": "2.0", "id": "x", "method": "tools/list"})["result"]
    normal_calls(addr, 5)
    assert stateful_weather.proc.poll() is None


def test_body_one_byte_per_second_does_not_block_others(stateful_weather):
    addr = stateful_weather.addr
    slow = StreamableSession(addr)
    slow.initialize()
    # Trailing blanks make the body outlast any number of calls below (1,000 s at one byte per second), so the
    # check that it is still unfinished does not depend on how fast they run.
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode() + b" " * 1000
    stop = threading.Event()
    progress = []

    def dribble(sock):
        sock.sendall(post_head(addr, slow, len(body)))
        for byte in body:
            if stop.wait(1.0):
                return
            sock.sendall(bytes([byte]))
            progress.append(byte)

    with socket.create_connection((addr.host, addr.port), timeout=WAIT_S) as sock:
        thread = threading.Thread(target=dribble, args=(sock,), daemon=True)
        thread.start()
        try:
            while not progress and thread.is_alive():  # the slow body has started
                time.sleep(0.05)
            normal_calls(addr)
            # The dribbling request is still unfinished: the calls above did not wait for it.
            assert len(progress) < len(body)
        finally:
            stop.set()
            thread.join(WAIT_S)
    normal_calls(addr, 5)
    assert stateful_weather.proc.poll() is None


def test_sse_stream_nobody_reads_does_not_block_other_sessions():
    everything = TARGET / "debug" / "everything"
    if not everything.exists():
        pytest.skip("the everything example (the one serving SSE) is not built")
    auth = {"Authorization": "Bearer robust-test-token"}
    server = HttpProcess(everything, "sse", [], LOGS / f"robust-sse-slow-{os.getpid()}.log",
                         env={"EVERYTHING_API_TOKEN": "robust-test-token"})
    addr = server.addr
    try:
        with stalled_socket(addr) as stalled:
            # Read the stream only up to its endpoint event, then never again.
            stalled.sendall(f"GET {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                            f"Authorization: {auth['Authorization']}\r\n\r\n".encode())
            head = b""
            while not re.search(rb"data: (\S+)\r?\n", head.split(b"endpoint", 1)[-1]):
                chunk = stalled.recv(1)
                assert chunk, head
                head += chunk
            endpoint = re.search(rb"data: (\S+)", head.split(b"endpoint", 1)[-1]).group(1).decode()
            stalled_session = SseSession.__new__(SseSession)
            stalled_session.addr, stalled_session.extra, stalled_session.path = addr, auth, endpoint
            # Megabytes of answers for the unread stream (everything's tools/list is several KB), posted from
            # a few threads; whether the server blocks or drops them, other sessions must not notice.
            listing = dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            pool = ThreadPoolExecutor(8)
            try:
                posts = [pool.submit(stalled_session.post, listing) for _ in range(2000)]
                other = SseSession(addr, auth)
                try:
                    other.initialize()
                    for i in range(10):
                        assert other.post(dumps({"jsonrpc": "2.0", "id": i, "method": "tools/list"})).status == 202
                        assert "tools" in other.until(i)[-1]["result"]
                finally:
                    other.close()
                stalled.close()  # the stalled client goes away: posts blocked on its stream must end too
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            for post in posts:
                if not post.cancelled():
                    try:
                        post.result(timeout=0)
                    except OSError:
                        pass  # cut off once the session is gone: fine, as long as it ends
        assert server.proc.poll() is None
    finally:
        server.close()
