"""End-to-end: a client whose event stream is cut mid-call resumes it with `Last-Event-ID` on another instance and
gets exactly the events it missed, then the result: three stateful instances of tests/e2e/specs/scale.yaml behind
the generated nginx config, sessions and event streams in Redis (the runtime's `redis_events.rs`).

The call is the `progress` tool, which reports its steps slowly and names its instance in each message. To make the
resume land on another instance for sure, the stream is cut by stopping nginx, and the client comes back through a
new nginx on the same port whose upstreams are the two other instances. Fixtures and helpers are the scale test's."""

from __future__ import annotations

import http.client
import json
import subprocess
import threading
from urllib.parse import urlsplit

from http_support import MCP_HEADERS, ROOT, rpc
from test_http_scale import Nginx, Redis, binary, built, scaled  # noqa: F401 - fixtures

STEPS = 10
STEP_MS = 300
CUT_AFTER = 3  # progress events read before the stream is cut


def events(response: http.client.HTTPResponse):
    """The SSE events of a streamed response as dicts (`id`, `data` parsed as JSON, `retry`), as they arrive."""
    event: dict = {}
    while True:
        line = response.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if not line:
            if event:
                yield event
            event = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data" and value:  # rmcp's priming event has an empty data line
            event["data"] = json.loads(value)
        elif field in ("id", "retry"):
            event[field] = value


class Connection:
    """Raw HTTP/1.1 to one URL: each request on a connection of its own, closed when its stream is done or cut."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path

    def open(self, method: str, headers: dict[str, str], body: dict | None = None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request(method, self.path, body=json.dumps(body) if body is not None else None,
                     headers={**MCP_HEADERS, **headers})
        return conn, conn.getresponse()

    def call(self, headers: dict[str, str], body: dict) -> tuple[int, dict[str, str], list[dict]]:
        conn, response = self.open("POST", headers, body)
        try:
            status, got = response.status, {k.lower(): v for k, v in response.getheaders()}
            streamed = list(events(response)) if got.get("content-type", "").startswith("text/event-stream") else []
            return status, got, streamed
        finally:
            conn.close()


def start_session(conn: Connection) -> dict[str, str]:
    init = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "resume-test", "version": "0"}}, id=0)
    status, headers, _ = conn.call({}, init)
    assert status == 200, status
    session = {"Mcp-Session-Id": headers["mcp-session-id"]}
    status, _, _ = conn.call(session, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert status == 202, status
    return session


def progress_of(event: dict) -> tuple[float, str] | None:
    data = event.get("data") or {}
    if data.get("method") == "notifications/progress":
        return data["params"]["progress"], data["params"]["message"]
    return None


def position(event_id: str) -> tuple[int, int]:
    """The Redis entry id in an event id (`<stream>|<ms>-<seq>`), to compare order."""
    ms, seq = event_id.split("|")[1].split("-")
    return int(ms), int(seq)


def others(servers, instance: str) -> list[str]:
    return [s.base.removeprefix("http://") for n, s in enumerate(servers) if f"i{n}" != instance]


def test_a_cut_stream_resumes_on_another_instance_with_exactly_the_missed_events(built, tmp_path):
    redis = Redis()
    servers, nginx = scaled(built, tmp_path, ["--stateful"], {"SCALE_REDIS_URL": redis.url})
    resumed_through = None
    try:
        conn = Connection(nginx.url)
        session = start_session(conn)
        call = rpc("tools/call", {"name": "progress", "arguments": {"steps": STEPS, "ms": STEP_MS},
                                  "_meta": {"progressToken": "p"}}, id=7)
        http_conn, response = conn.open("POST", session, call)
        assert response.status == 200
        before = []
        for event in events(response):
            before.append(event)
            if sum(progress_of(e) is not None for e in before) == CUT_AFTER:
                break
        http_conn.close()  # the client's connection breaks mid-call
        assert "id" in before[0] and "data" not in before[0], before  # rmcp's priming event opens the stream
        instance = progress_of(before[-1])[1]

        # Back through a new nginx on the same port, in front of the two other instances only.
        nginx.stop()
        (tmp_path / "other").mkdir()
        resumed_through = Nginx(tmp_path / "other", others(servers, instance), built[1] / "deploy" / "nginx.conf",
                                port=nginx.port)
        last = before[-1]["id"]
        http_conn, response = conn.open("GET", {**session, "Last-Event-ID": last})
        try:
            assert response.status == 200
            after = list(events(response))  # the stream ends after the call's response
        finally:
            http_conn.close()

        steps = [p for p in map(progress_of, before + after) if p is not None]
        assert [step for step, _ in steps] == list(range(STEPS)), steps  # every step once, in order
        assert {message for _, message in steps} == {instance}
        ids = [e["id"] for e in before + after]
        assert len(set(ids)) == len(ids), ids
        assert all(position(a) < position(b) for a, b in zip(ids, ids[1:])), ids
        assert len({i.split("|")[0] for i in ids}) == 1, ids  # one stream
        result = after[-1]["data"]
        assert result["id"] == 7 and result["result"]["content"][0]["text"] == f"done on {instance}", result

        # The same id resumed again, on another instance, gives the same events with the same ids.
        again_conn, again = conn.open("GET", {**session, "Last-Event-ID": last})
        try:
            assert [e["id"] for e in events(again)] == [e["id"] for e in after]
        finally:
            again_conn.close()

        # Refused with 410 Gone: an id of no stream of this session; another session's stream.
        other = start_session(conn)
        for hostile in (last, "garbage", f"{session['Mcp-Session-Id']}:common|0-0"):
            refused_conn, refused = conn.open("GET", {**other, "Last-Event-ID": hostile})
            try:
                assert refused.status == 410, (hostile, refused.status)
            finally:
                refused_conn.close()
    finally:
        (resumed_through or nginx).stop()
        for s in servers:
            s.stop()
        redis.stop()


def test_the_typescript_sdk_client_resumes_a_cut_call_on_another_instance(built, tmp_path):
    """The official TypeScript client (tests/clients/ts_resume.mjs) calls `progress`; its streams are cut by
    stopping nginx after a few steps, and its own reconnection logic (`Last-Event-ID` after the server's retry
    interval) finds the call on another instance: every step arrives once and the result comes back."""
    redis = Redis()
    servers, nginx = scaled(built, tmp_path, ["--stateful"], {"SCALE_REDIS_URL": redis.url})
    resumed_through = None
    node = ROOT / "tests" / "node_modules" / ".bin" / "node"
    script = ROOT / "tests" / "clients" / "ts_resume.mjs"
    client = subprocess.Popen([str(node), str(script), nginx.url, str(STEPS), str(STEP_MS)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(client.stderr), daemon=True).start()
    try:
        lines = []
        for line in client.stdout:
            lines.append(json.loads(line))
            if len(lines) == CUT_AFTER:
                nginx.stop()
                (tmp_path / "other").mkdir()
                resumed_through = Nginx(tmp_path / "other", others(servers, lines[0]["message"]),
                                        built[1] / "deploy" / "nginx.conf", port=nginx.port)
        assert client.wait(timeout=60) == 0, "".join(stderr)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        (resumed_through or nginx).stop()
        for s in servers:
            s.stop()
        redis.stop()
    assert resumed_through is not None, lines
    steps = [line["progress"] for line in lines if "progress" in line]
    assert steps == list(range(STEPS)), (lines, "".join(stderr))
    instance = lines[0]["message"]
    assert lines[-1] == {"result": f"done on {instance}"}, lines
    assert "SSE stream disconnected" in "".join(stderr), "".join(stderr)  # the cut was real

