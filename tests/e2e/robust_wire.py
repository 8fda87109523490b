"""Raw-wire clients for the robustness tests: they send exactly the bytes a test gives (malformed JSON, invalid
UTF-8, huge bodies) over stdio, streamable HTTP and legacy SSE, which the official SDK client never would.

Every wait is bounded (WAIT_S); every process started here is stopped by its owner's `close()`."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from http_support import log_match, stop_process

WAIT_S = 30.0
PROTOCOL = "2025-06-18"
INIT = {
    "jsonrpc": "2.0",
    "id": "init",
    "method": "initialize",
    "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "robust", "version": "1"}},
}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def dumps(msg: dict) -> bytes:
    return json.dumps(msg).encode()


def messages_until(next_message, msg_id, ended: str) -> list[dict]:
    """Messages from `next_message(timeout)` (None: the source ended) up to and including the response to `msg_id`;
    queue.Empty after WAIT_S."""
    out = []
    deadline = time.monotonic() + WAIT_S
    while True:
        msg = next_message(max(0.1, deadline - time.monotonic()))
        if msg is None:
            raise AssertionError(f"{ended} while waiting for id {msg_id}: {out}")
        out.append(msg)
        if msg.get("id") == msg_id and ("result" in msg or "error" in msg):
            return out


class StdioServer:
    """A server on stdio; a reader thread queues every stdout line (parsed when it is JSON)."""

    def __init__(self, binary: Path, env: dict | None = None, log: Path | None = None):
        self.stderr = open(log, "wb") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen([str(binary), "--transport", "stdio"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr,
                                     env={**os.environ, **(env or {}), "NO_COLOR": "1"})
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                self.lines.put(json.loads(line))
            except ValueError:
                self.lines.put({"unparsable": line.decode(errors="replace")})
        self.lines.put(None)

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def next(self, timeout: float = WAIT_S) -> dict | None:
        """The next message; None at end of output. Raises queue.Empty after `timeout`."""
        return self.lines.get(timeout=timeout)

    def until(self, msg_id) -> list[dict]:
        """Every message up to and including the response to `msg_id`."""
        return messages_until(self.next, msg_id, "server closed stdout")

    def initialize(self) -> None:
        self.send(dumps(INIT) + b"\n")
        assert "result" in self.until("init")[-1]
        self.send(dumps(INITIALIZED) + b"\n")

    def close(self) -> int:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=10)
        if self.stderr is not subprocess.DEVNULL:
            self.stderr.close()
        return code


@dataclass
class Address:
    host: str
    port: int
    path: str


class HttpProcess:
    """A server on an HTTP transport at an OS-picked port of 127.0.0.1; the address is read from its log."""

    def __init__(self, binary: Path, transport: str, flags: list[str], log: Path, env: dict | None = None):
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log_path = log
        self.log = open(log, "w+b")
        args = [str(binary), "--transport", transport, "--host", "127.0.0.1", "--port", "0", *flags]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
                                     env={**os.environ, **(env or {}), "NO_COLOR": "1"})
        match = log_match(log, self.proc, r"listening on http://127\.0\.0\.1:(\d+)(/\S*)", WAIT_S)
        if match:
            self.addr = Address("127.0.0.1", int(match.group(1)), match.group(2))
            return
        self.close()
        raise RuntimeError(f"server did not report its address:\n{log.read_text(errors='replace')}")

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))

    def close(self) -> None:
        stop_process(self.proc)
        self.log.close()


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def messages(self) -> list[dict]:
        """JSON-RPC messages in a JSON or event-stream body."""
        if not self.body.strip():
            return []
        if self.headers.get("content-type", "").startswith("text/event-stream"):
            return [json.loads(m) for m in re.findall(rb"^data: (\{.*)$", self.body, re.M)]
        try:
            msg = json.loads(self.body)
        except ValueError:
            return []
        return msg if isinstance(msg, list) else [msg]


def request(addr: Address, method: str, body: bytes = b"", headers: dict | None = None,
            path: str | None = None) -> Reply:
    conn = http.client.HTTPConnection(addr.host, addr.port, timeout=WAIT_S)
    try:
        conn.request(method, path or addr.path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


class StreamableSession:
    """One client of a streamable HTTP server; stateful when the server hands out a session id."""

    def __init__(self, addr: Address, extra_headers: dict | None = None):
        self.addr = addr
        self.headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json",
                        **(extra_headers or {})}
        self.session_id: str | None = None

    def initialize(self) -> None:
        reply = self.post(dumps(INIT))
        assert reply.status == 200 and "result" in reply.messages()[0], reply
        self.session_id = reply.headers.get("mcp-session-id")
        self.headers["MCP-Protocol-Version"] = PROTOCOL
        if self.session_id:
            self.headers["Mcp-Session-Id"] = self.session_id
        assert self.post(dumps(INITIALIZED)).status == 202

    def post(self, body: bytes, headers: dict | None = None) -> Reply:
        return request(self.addr, "POST", body, {**self.headers, **(headers or {})})

    def call(self, msg: dict) -> dict:
        reply = self.post(dumps(msg))
        assert reply.status == 200, reply
        return [m for m in reply.messages() if m.get("id") == msg["id"]][0]

    def close(self) -> int | None:
        if self.session_id:
            return request(self.addr, "DELETE", headers=self.headers).status
        return None


class SseSession:
    """A legacy HTTP+SSE client: the GET event stream on a socket (a thread queues its messages) and POSTs to the
    endpoint the first event names."""

    def __init__(self, addr: Address, extra_headers: dict | None = None):
        self.addr = addr
        self.extra = extra_headers or {}
        self.sock = socket.create_connection((addr.host, addr.port), timeout=WAIT_S)
        head = "".join(f"{k}: {v}\r\n" for k, v in self.extra.items())
        self.sock.sendall(f"GET {addr.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n{head}\r\n"
                          .encode())
        self.events: queue.Queue = queue.Queue()
        self.endpoint: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.path = self.endpoint.get(timeout=WAIT_S)

    def _read(self) -> None:
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                # Chunked framing lines never start with `event:`/`data:`, so scanning whole lines is enough.
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    event = re.search(rb"^event: (\S+)", block, re.M)
                    data = re.search(rb"^data: (.*)$", block, re.M)
                    if not data:
                        continue
                    if event and event.group(1) == b"endpoint":
                        self.endpoint.put(data.group(1).decode().strip())
                    else:
                        self.events.put(json.loads(data.group(1)))
        except OSError:
            pass
        self.events.put(None)

    def post(self, body: bytes) -> Reply:
        return request(self.addr, "POST", body, {"Content-Type": "application/json", **self.extra}, path=self.path)

    def until(self, msg_id) -> list[dict]:
        return messages_until(lambda timeout: self.events.get(timeout=timeout), msg_id, "event stream ended")

    def initialize(self) -> None:
        assert self.post(dumps(INIT)).status == 202
        assert "result" in self.until("init")[-1]
        assert self.post(dumps(INITIALIZED)).status == 202

    def close(self) -> None:
        self.sock.close()
