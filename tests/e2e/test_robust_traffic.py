"""Hostile traffic against generated servers: a malformed-input corpus over stdio, streamable HTTP (stateful and
stateless JSON) and legacy SSE. Each input gets the JSON-RPC error or HTTP status listed in docs/robustness.md,
and after each one the same server still answers a normal call (tools/list).

weather serves stdio and streamable HTTP; everything (bearer auth) serves SSE."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest
from conftest import TARGET
from robust_wire import (INIT, WAIT_S, HttpProcess, SseSession, StdioServer, StreamableSession, dumps, request)

WEATHER = TARGET / "debug" / "weather"
EVERYTHING = TARGET / "debug" / "everything"
TOKEN = "robust-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOGS = TARGET / "e2e-logs"


def rpc(msg_id, method: str, params=None) -> bytes:
    msg = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        msg["params"] = params
    return dumps(msg)


DEEP = 100_000
# Expected outcomes. Message-based transports (stdio, SSE stream): None = no reply at all, or
# (kind, code) with kind "error" (JSON-RPC error; code), "tool_error" (isError result). The reply carries the
# request's id when it could be read, else null. Streamable HTTP: (status, outcome of the body).
INVALID = ("error", -32600)  # rmcp: "Invalid request", id null
CORPUS = [
    # name, bytes, stdio/SSE outcome, streamable HTTP status, SSE POST status
    ("invalid-json", b"{not json}", None, 400, 400),
    ("truncated-line", b'{"jsonrpc":"2.0","id":2,"meth', None, 400, 400),
    ("invalid-utf8", b'{"jsonrpc":"2.0","id":3,"method":"\xff\xfe"}', None, 400, 400),
    ("wrong-jsonrpc-version", b'{"jsonrpc":"1.0","id":4,"method":"tools/list"}', INVALID, 400, 400),
    ("missing-jsonrpc", b'{"id":4,"method":"tools/list"}', INVALID, 400, 400),
    ("id-null", rpc(None, "tools/list"), INVALID, 400, 400),
    ("id-huge-number", b'{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"tools/list"}', INVALID,
     400, 400),
    ("id-float", rpc(1.5, "tools/list"), INVALID, 400, 400),
    ("id-object", rpc({"a": 1}, "tools/list"), INVALID, 400, 400),
    ("id-array", rpc([1], "tools/list"), INVALID, 400, 400),
    ("batch", b"[" + rpc(5, "tools/list") + b"," + rpc(6, "ping") + b"]", INVALID, 400, 400),
    ("empty-batch", b"[]", INVALID, 400, 400),
    ("not-an-object", b'"tools/list"', INVALID, 400, 400),
    ("missing-method", b'{"jsonrpc":"2.0","id":7}', INVALID, 400, 400),
    ("params-array", rpc(8, "tools/call", [1, 2]), INVALID, 400, 400),
    ("params-string", rpc(9, "tools/list", "x"), INVALID, 400, 400),
    # rmcp passes params of the wrong shape on as a custom request; the runtime answers invalid params.
    ("params-wrong-shape", rpc(10, "tools/call", {"name": 5}), ("error", -32602), 200, 202),
    ("params-missing", rpc(10, "resources/read"), ("error", -32602), 200, 202),
    ("deep-nesting", b'{"jsonrpc":"2.0","id":11,"method":"ping","params":{"x":' + b"[" * DEEP + b"]" * DEEP
     + b"}}", None, 400, 400),
    ("wrong-argument-types", rpc(12, "tools/call", {"name": "TOOL", "arguments": {"NUM": "not a number"}}),
     ("tool_error", None), 200, 202),
    ("arguments-not-an-object", rpc(13, "tools/call", {"name": "TOOL", "arguments": [1]}), ("error", -32602),
     200, 202),
    ("unknown-tool", rpc(14, "tools/call", {"name": "no-such-tool", "arguments": {}}), ("error", -32602), 200,
     202),
    ("unknown-method", rpc(15, "no/such/method"), ("error", -32601), 200, 202),
    ("notification-with-id", rpc(16, "notifications/initialized"), ("error", -32601), 200, 202),
    ("unknown-notification", b'{"jsonrpc":"2.0","method":"notifications/nonsense"}', None, 202, 202),
    ("response-to-nothing", b'{"jsonrpc":"2.0","id":"nobody-asked","result":{}}', None,
     {"stateful": 202, "stateless-json": 400}, 202),
]

# A tool with a required number argument per example (the corpus says TOOL and NUM).
TOOLS = {"weather": ("convert_temperature", "value"), "everything": ("echo", "times")}


def case_bytes(body: bytes, example: str) -> bytes:
    tool, num = TOOLS[example]
    return body.replace(b'"TOOL"', json.dumps(tool).encode()).replace(b'"NUM"', json.dumps(num).encode())


def check_outcome(name: str, replies: list[dict], want, sent_id) -> None:
    if want is None:
        assert replies == [], f"{name}: expected no reply, got {replies}"
        return
    assert len(replies) == 1, f"{name}: expected one reply, got {replies}"
    reply = replies[0]
    kind, code = want
    if kind == "error":
        assert reply.get("error", {}).get("code") == code, f"{name}: {reply}"
        # Errors the transport raises before it could read an id carry a null id.
        assert reply.get("id") in (sent_id, None), f"{name}: {reply}"
    else:
        assert reply.get("id") == sent_id and reply["result"].get("isError") is True, f"{name}: {reply}"


def sent_id(body: bytes):
    try:
        msg = json.loads(body)
        return msg.get("id") if isinstance(msg, dict) else None
    except (ValueError, RecursionError):
        return None


def assert_normal_call(replies: list[dict], name: str) -> None:
    assert "tools" in replies[-1].get("result", {}), f"after {name}: {replies[-1]}"


@pytest.fixture
def stdio_weather():
    server = StdioServer(WEATHER, log=LOGS / f"robust-stdio-{os.getpid()}.log")
    yield server
    server.close()


def test_stdio_malformed_corpus(stdio_weather):
    server = stdio_weather
    server.initialize()
    for i, (name, body, want, _, _) in enumerate(CORPUS):
        body = case_bytes(body, "weather")
        server.send(body + b"\n")
        # The normal call after it also bounds the wait: replies to the case come before its answer, except a
        # reply to a request with an id, which may be answered concurrently: wait for that one by id.
        msg_id = sent_id(body)
        if want is not None and want != INVALID:
            replies = server.until(msg_id)
            server.send(rpc(f"after-{i}", "tools/list") + b"\n")
            after = server.until(f"after-{i}")
        else:
            server.send(rpc(f"after-{i}", "tools/list") + b"\n")
            after = server.until(f"after-{i}")
            replies, after = after[:-1], after[-1:]
        check_outcome(name, replies, want, msg_id)
        assert_normal_call(after, name)
    assert server.proc.poll() is None


def test_stdio_oversized_line_and_duplicate_ids(stdio_weather):
    server = stdio_weather
    server.initialize()
    # 50 MB on one line: above rmcp's 16 MiB line limit, discarded without a reply.
    server.send(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + b"a" * (50 << 20) + b'"}}\n')
    server.send(rpc("after-big", "tools/list") + b"\n")
    after = server.until("after-big")
    assert len(after) == 1
    assert_normal_call(after, "50 MB line")
    # Two requests with the same id: rmcp answers the id once (the protocol forbids reusing an id).
    server.send(rpc("dup", "ping") + b"\n" + rpc("dup", "ping") + b"\n")
    server.send(rpc("after-dup", "tools/list") + b"\n")
    replies = server.until("after-dup")
    dups = [r for r in replies if r.get("id") == "dup"]
    if not dups:  # the ping may be answered after the sentinel
        dups = server.until("dup")
    assert len(dups) == 1 and dups[0]["result"] == {}, replies
    assert server.proc.poll() is None


def test_stdio_before_initialize_and_truncated_eof():
    server = StdioServer(WEATHER)
    try:
        # Without initialize, rmcp takes the request as protocol 2026-07-28 (no handshake; metadata in _meta).
        server.send(rpc(1, "tools/list") + b"\n")
        reply = server.until(1)[-1]
        assert reply["error"]["code"] == -32602, reply
        server.initialize()
        server.send(rpc(2, "tools/list") + b"\n")
        assert_normal_call(server.until(2), "tools/list before initialize")
        # A message cut off by end of input: nothing to answer, and a clean exit.
        server.send(b'{"jsonrpc":"2.0","id":3,"method":"tools/li')
    finally:
        code = server.close()
    assert code == 0
    assert server.lines.get(timeout=WAIT_S) is None


MAX_URI_LEN = 8 * 1024  # the runtime's longest URI tried against a template (runtime/src/uri_template.rs)


def test_http_hostile_template_uris_leave_healthz_and_ping_answering():
    """The same URI over streamable HTTP, from 16 clients at once: every read is answered "not found", and /healthz
    and a ping sent while they are in flight answer too (the cubic matcher held every worker for hours)."""
    if not EVERYTHING.exists():
        pytest.skip("the everything example (the one with `note://files{/dir,name}{.ext}`) is not built")
    import threading
    server = HttpProcess(EVERYTHING, "streamable-http", ["--stateless", "--json-response"],
                         LOGS / f"robust-uri-http-{os.getpid()}.log", env={"EVERYTHING_API_TOKEN": TOKEN})
    try:
        prefix = "note://files/"
        uri = prefix + "." * (MAX_URI_LEN - len(prefix) - 1) + "?"
        codes: list = []

        def hostile(n: int) -> None:
            session = StreamableSession(server.addr, AUTH)
            session.initialize()
            for i in range(4):
                reply = session.call({"jsonrpc": "2.0", "id": f"h{n}-{i}", "method": "resources/read",
                                      "params": {"uri": uri}})
                codes.append(reply.get("error", {}).get("code"))

        threads = [threading.Thread(target=hostile, args=(n,), daemon=True) for n in range(16)]
        for thread in threads:
            thread.start()
        # While they run: liveness and a protocol round trip, each bounded by WAIT_S inside `request`.
        assert request(server.addr, "GET", path="/healthz").status == 200
        session = StreamableSession(server.addr, AUTH)
        session.initialize()
        assert session.call({"jsonrpc": "2.0", "id": "p", "method": "ping"}).get("result") == {}
        for thread in threads:
            thread.join(timeout=WAIT_S * 4)
            assert not thread.is_alive(), "a hostile read was not answered"
        assert codes == [-32002] * 64, codes  # resource not found, every one
    finally:
        server.close()


def test_stdio_hostile_template_uri_is_answered():
    """A URI built to make template matching try every split (issue #25: against `note://files{/dir,name}{.ext}`,
    `note://files/` and dots then `?` took cubic time, hours at this length) is answered "not found", and a ping
    sent right after it is answered too."""
    if not EVERYTHING.exists():
        pytest.skip("the everything example (the one with `note://files{/dir,name}{.ext}`) is not built")
    LOGS.mkdir(parents=True, exist_ok=True)
    server = StdioServer(EVERYTHING, env={"EVERYTHING_API_TOKEN": TOKEN}, log=LOGS / f"robust-uri-{os.getpid()}.log")
    try:
        server.initialize()
        prefix = "note://files/"
        uri = prefix + "." * (MAX_URI_LEN - len(prefix) - 1) + "?"
        server.send(rpc("hostile", "resources/read", {"uri": uri}) + b"\n" + rpc("ping", "ping") + b"\n")
        replies = {}
        while len(replies) < 2:
            msg = server.next()  # at most WAIT_S each
            assert msg is not None, f"server closed stdout; answered so far: {replies}"
            if msg.get("id") in ("hostile", "ping"):
                replies[msg["id"]] = msg
        assert replies["hostile"]["error"]["code"] == -32002, replies["hostile"]  # resource not found
        assert replies["ping"].get("result") == {}, replies["ping"]
        server.send(rpc("after", "tools/list") + b"\n")
        assert_normal_call(server.until("after"), "hostile template URI")
    finally:
        server.close()


HTTP_MODES = [("stateful", ["--stateful"]), ("stateless-json", ["--stateless", "--json-response"])]


@pytest.fixture(params=HTTP_MODES, ids=[m[0] for m in HTTP_MODES])
def http_weather(request):
    mode, flags = request.param
    server = HttpProcess(WEATHER, "streamable-http", flags, LOGS / f"robust-http-{mode}-{os.getpid()}.log")
    server.mode = mode
    yield server
    server.close()


def test_streamable_http_malformed_corpus(http_weather):
    session = StreamableSession(http_weather.addr)
    session.initialize()
    for i, (name, body, want, status, _) in enumerate(CORPUS):
        body = case_bytes(body, "weather")
        if isinstance(status, dict):
            status = status[http_weather.mode]
        reply = session.post(body)
        assert reply.status == status, f"{name}: {reply}"
        if status == 200:
            check_outcome(name, reply.messages(), want, sent_id(body))
        elif status == 400:
            # A JSON-RPC error without an id: -32700 for unparsable JSON, -32600 for a message of the wrong shape.
            [error] = reply.messages()
            code = -32600 if want == INVALID or name == "response-to-nothing" else -32700
            assert error.get("id") is None and error["error"]["code"] == code, f"{name}: {reply}"
        after = session.call(json.loads(rpc(f"after-{i}", "tools/list")))
        assert_normal_call([after], name)
    assert http_weather.proc.poll() is None


def raw_http(addr, head: bytes, body_chunks, read_first: bool = False) -> bytes:
    """Sends a request on a raw socket; the server may answer and close before the body is sent (413)."""
    with socket.create_connection((addr.host, addr.port), timeout=WAIT_S) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
        except ConnectionResetError:
            pass
        return data


def test_streamable_http_protocol_errors(http_weather):
    addr = http_weather.addr
    session = StreamableSession(addr)
    session.initialize()
    ping = rpc(1, "ping")
    # 50 MB body, announced by Content-Length: 413 before the body is read.
    big = b"a" * (50 << 20)
    head = (f"POST {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Accept: application/json, text/event-stream\r\nContent-Length: {len(big)}\r\n\r\n").encode()
    status_line = raw_http(addr, head, [big[i:i + (1 << 20)] for i in range(0, len(big), 1 << 20)])
    assert status_line.startswith(b"HTTP/1.1 413"), status_line[:200]
    # The same without a length (chunked): cut off at the limit.
    head = (f"POST {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
    chunks = [b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20)) for _ in range(50)] + [b"0\r\n\r\n"]
    status_line = raw_http(addr, head, chunks)
    assert status_line.startswith(b"HTTP/1.1 413"), status_line[:200]
    assert request(addr, "POST", ping, {"Content-Type": "application/json"}).status == 406  # no Accept
    assert session.post(ping, {"Content-Type": "text/plain"}).status == 415
    assert request(addr, "PUT", ping).status == 405
    assert request(addr, "POST", ping, {**session.headers, "Host": "evil.example"}).status == 403
    assert request(addr, "POST", ping, {**session.headers, "Origin": "https://evil.example"}).status == 403
    if session.session_id:
        fresh = {k: v for k, v in session.headers.items() if k != "Mcp-Session-Id"}
        assert request(addr, "POST", rpc(2, "tools/list"), fresh).status == 400  # before initialize: no session
        assert request(addr, "POST", ping, {**fresh, "Mcp-Session-Id": "no-such-session"}).status == 404
    else:
        # Stateless: every request stands alone, so a request without initialize is answered.
        reply = request(addr, "POST", rpc(2, "tools/list"), session.headers)
        assert reply.status == 200 and reply.messages()[0]["id"] == 2, reply
    assert_normal_call([session.call(json.loads(rpc("after", "tools/list")))], "protocol errors")
    assert session.close() in (None, 200, 202, 204)


@pytest.fixture
def sse_everything():
    if not EVERYTHING.exists():
        pytest.skip("the everything example (the one serving SSE) is not built")
    server = HttpProcess(EVERYTHING, "sse", [], LOGS / f"robust-sse-{os.getpid()}.log",
                         env={"EVERYTHING_API_TOKEN": TOKEN})
    yield server
    server.close()


def test_sse_malformed_corpus(sse_everything):
    session = SseSession(sse_everything.addr, AUTH)
    try:
        session.initialize()
        for i, (name, body, want, _, status) in enumerate(CORPUS):
            body = case_bytes(body, "everything")
            reply = session.post(body)
            assert reply.status == status, f"{name}: {reply}"
            msg_id = sent_id(body)
            if status != 202:
                want = None  # refused at the HTTP layer: nothing reaches the stream
            if want is not None and want != INVALID:
                replies = session.until(msg_id)
            else:
                replies = []
            assert session.post(rpc(f"after-{i}", "tools/list")).status == 202
            after = session.until(f"after-{i}")
            replies += after[:-1]
            check_outcome(name, replies, want, msg_id)
            assert_normal_call(after[-1:], name)
        big = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"' + b"a" * (50 << 20) + b'"}}'
        head = (f"POST {session.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {TOKEN}\r\nContent-Length: {len(big)}\r\n\r\n").encode()
        status_line = raw_http(sse_everything.addr, head, [big[i:i + (1 << 20)] for i in range(0, len(big), 1 << 20)])
        assert status_line.startswith(b"HTTP/1.1 413"), status_line[:200]
        assert session.post(rpc("after-big", "tools/list")).status == 202
        assert_normal_call(session.until("after-big")[-1:], "50 MB body")
        unknown = request(sse_everything.addr, "POST", rpc(1, "ping"),
                          {"Content-Type": "application/json", **AUTH}, path="/message?sessionId=nope")
        assert unknown.status == 404, unknown
        assert request(sse_everything.addr, "GET", headers={"Accept": "text/event-stream"}).status == 401
    finally:
        session.close()
    assert sse_everything.proc.poll() is None
