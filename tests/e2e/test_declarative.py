"""Tools without Rust (issue #23): tests/e2e/specs/declarative.yaml declares command and HTTP tools with no
handler file; the generated server is built and driven by the official Python SDK over stdio, its HTTP tools
pointed at a local server that records what it received."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import pytest
import yaml
from http_support import NESTED, SPECS, build_server, mcpgen_binary
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.shared.exceptions import MCPError

SEEN: list[dict] = []
BIG = 50 * (1 << 20)
LOGO = b"\x89PNG\r\n\x1a\n\x00\xff\xfe" + bytes(range(256))


class Api(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def record(self) -> dict:
        length = int(self.headers.get("content-length") or 0)
        entry = {"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                 "body": self.rfile.read(length).decode() if length else ""}
        SEEN.append(entry)
        return entry

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        entry = self.record()
        if self.path.startswith("/api/redirect-local"):
            port = self.server.server_address[1]
            self.reply(302, b"", {"location": f"http://localhost:{port}/api/items/moved"})
        elif self.path.startswith("/api/big/"):
            self.big(declared=self.path.endswith("/declared"))
        elif self.path.startswith("/api/redirect"):
            self.reply(302, b"", {"location": "http://198.51.100.7/steal"})
        elif self.path == "/api/status":
            body = {"ok": True, "authorization": entry["headers"].get("authorization", ""),
                    "accept": entry["headers"].get("accept", "")}
            self.reply(200, json.dumps(body).encode(), {"content-type": "application/json"})
        elif self.path == "/api/logo.png":
            self.reply(200, LOGO, {"content-type": "image/png"})
        elif self.path.startswith("/api/items/"):
            data = {"path": self.path, "authorization": entry["headers"].get("authorization", "")}
            self.reply(200, json.dumps({"data": data}).encode(), {"content-type": "application/json"})
        else:
            self.reply(404, b"no such thing")

    def do_POST(self) -> None:
        self.record()
        self.reply(201, b"created")

    def big(self, declared: bool) -> None:
        """50 MB of JSON-ish text, with its length declared or (HTTP/1.0) read until the connection closes."""
        self.send_response(200)
        if declared:
            self.send_header("content-length", str(BIG))
        self.end_headers()
        chunk = b"x" * (1 << 20)
        try:
            for _ in range(BIG // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its limit, as it should


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("declarative")


@pytest.fixture(scope="module")
def binary(workdir):
    return build_server(workdir, "declarative", {}, {})


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def text(result) -> str:
    return "".join(block.text for block in result.content if block.type == "text")


def test_declarative_tools_through_the_official_client(binary, api) -> None:
    env = {"DECL_API_URL": api, "DECL_TOKEN": "t0k3n", "PATH": "/usr/bin:/bin"}
    target = StdioServerParameters(command=str(binary), args=["--transport", "stdio"], env=env)

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(target, read_timeout_seconds=20) as client:
                # Shell syntax and flag-like values arrive verbatim, one argv element each.
                hostile = "; rm -rf / && echo $HOME `id`"
                result = await client.call_tool("echo_args", {"text": hostile, "flags": ["--force", "-rf", "a b"]})
                assert not result.is_error, text(result)
                assert text(result) == f"{hostile}\n--force\n-rf\na b\n"

                # A real program (Debian's jq): flag-like and shell-like values reach it as literal argv elements,
                # so jq sees `--help` as the value of `--arg q` and as positional strings, never as its option.
                values = ["--help", "$(id)", "; rm -rf /", "-n", "`id`", "*", "a b", ""]
                result = await client.call_tool(
                    "jq", {"filter": "{q: $q, rest: $ARGS.positional}", "text": "--help", "values": values})
                assert not result.is_error, text(result)
                assert result.structured_content == {"q": "--help", "rest": values}
                result = await client.call_tool("jq", {"filter": "{q: $q}", "text": "$(id); rm -rf / #"})
                assert result.structured_content == {"q": "$(id); rm -rf / #"}, text(result)
                # A filter jq refuses is its error, quoted from stderr, not a shell's.
                result = await client.call_tool("jq", {"filter": "{", "text": "x"})
                assert result.is_error and "syntax error" in text(result), text(result)

                result = await client.call_tool("double", {"n": 21})
                assert not result.is_error, text(result)
                assert result.structured_content == {"doubled": 42}

                result = await client.call_tool("fail", {})
                assert result.is_error
                assert "exited with status 4" in text(result) and "broken" in text(result)

                SEEN.clear()
                result = await client.call_tool("get_item", {"id": "../../admin?x=1#f", "q": "a&b=c"})
                assert not result.is_error, text(result)
                assert result.structured_content == {
                    "path": "/api/items/..%2F..%2Fadmin%3Fx%3D1%23f?q=a%26b%3Dc",
                    "authorization": "Bearer t0k3n",
                }
                result = await client.call_tool("get_item", {"id": ".."})
                assert result.is_error and "cannot be `..`" in text(result)

                SEEN.clear()
                result = await client.call_tool("create_item", {"name": "x\r\nX-Evil: 1"})
                assert result.is_error and "CR, LF or NUL" in text(result)
                assert SEEN == []
                result = await client.call_tool("create_item", {"name": "widget", "tags": ["a", "b"]})
                assert not result.is_error, text(result)
                assert text(result) == "created"
                assert json.loads(SEEN[0]["body"]) == {"name": "widget", "tags": ["a", "b"], "kind": "fixed"}
                assert SEEN[0]["headers"]["x-item"] == "widget"
                assert "authorization" not in SEEN[0]["headers"]

                result = await client.call_tool("follow_me", {})
                assert result.is_error and "another host" in text(result), text(result)

                # Traversal and smuggling attempts in every placeholder position: a path value stays one
                # encoded segment, a query value is encoded, header and body values are data.
                SEEN.clear()
                attack = "../../etc/passwd?x=1#frag%2e%2e"
                result = await client.call_tool("probe", {"seg": attack, "q": attack, "h": attack, "b": attack})
                assert not result.is_error, text(result)
                assert SEEN[0]["path"] == ("/api/probe/..%2F..%2Fetc%2Fpasswd%3Fx%3D1%23frag%252e%252e/end"
                                           "?q=..%2F..%2Fetc%2Fpasswd%3Fx%3D1%23frag%252e%252e")
                assert SEEN[0]["headers"]["x-probe"] == attack
                assert json.loads(SEEN[0]["body"]) == {"b": attack}
                for refused in ["..", ".", ""]:
                    SEEN.clear()
                    result = await client.call_tool("probe", {"seg": refused})
                    assert result.is_error and "cannot be" in text(result), text(result)
                    assert SEEN == []
                result = await client.call_tool("probe", {"seg": "s", "h": "v\r\nX-Evil: 1"})
                assert result.is_error and "CR, LF or NUL" in text(result)

                # A redirect to a loopback address on another origin: refused though its host is listed, and
                # followed only with allowPrivate, without the credentials.
                SEEN.clear()
                result = await client.call_tool("follow_local", {})
                assert result.is_error and "loopback or private" in text(result), text(result)
                assert [e["path"] for e in SEEN] == ["/api/redirect-local"]
                result = await client.call_tool("follow_local_allowed", {})
                assert not result.is_error, text(result)
                assert result.structured_content == {"path": "/api/items/moved", "authorization": ""}
                assert SEEN[-1]["headers"].get("authorization") is None
                assert SEEN[-2]["headers"]["authorization"] == "Bearer t0k3n"

                # 50 MB against the 10 MiB default: refused on Content-Length, or stopped while reading.
                for how in ["declared", "streamed"]:
                    result = await client.call_tool("big", {"how": how})
                    assert result.is_error and "larger than 10485760 bytes" in text(result), (how, text(result)[:300])

                # Arguments are checked against the input schema before anything runs.
                result = await client.call_tool("echo_args", {"text": 5})
                assert result.is_error

    anyio.run(main)


def test_http_resources_are_fetched_on_every_read(binary, api) -> None:
    """A resource with `implementation.http` is a GET on every read: JSON as text, binary as a base64 blob, an
    error status as an error to the read that quotes it; the server stays up."""
    env = {"DECL_API_URL": api, "DECL_TOKEN": "t0k3n", "PATH": "/usr/bin:/bin"}
    target = StdioServerParameters(command=str(binary), args=["--transport", "stdio"], env=env)

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(target, read_timeout_seconds=20) as client:
                listed = {r.uri: r for r in (await client.list_resources()).resources}
                assert {"api://status", "api://logo", "api://gone"} <= set(listed), listed
                SEEN.clear()
                for _ in range(2):
                    [content] = (await client.read_resource("api://status")).contents
                    assert content.mime_type == "application/json"
                    assert json.loads(content.text) == {
                        "ok": True, "authorization": "Bearer t0k3n", "accept": "application/json"}
                assert [e["path"] for e in SEEN] == ["/api/status", "/api/status"], SEEN

                [content] = (await client.read_resource("api://logo")).contents
                assert content.mime_type == "image/png"
                assert base64.b64decode(content.blob) == LOGO

                with pytest.raises(MCPError) as error:
                    await client.read_resource("api://gone")
                assert "404" in str(error.value) and "no such thing" in str(error.value), error.value

                [content] = (await client.read_resource("api://status")).contents
                assert json.loads(content.text)["ok"] is True

    anyio.run(main)


def test_file_resources_are_read_from_disk_on_every_read(binary, tmp_path) -> None:
    """A resource with `implementation.file` reads its file on every read, relative to the server's working
    directory: a rewrite is seen by the next read; a missing file and one over `maxBytes` are errors to that read
    that name no path; the server stays up."""
    report = tmp_path / "reports" / "today.json"
    report.parent.mkdir()
    target = StdioServerParameters(command=str(binary), args=["--transport", "stdio"], cwd=str(tmp_path),
                                   env={"PATH": "/usr/bin:/bin"})

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(target, read_timeout_seconds=20) as client:
                with pytest.raises(MCPError) as error:
                    await client.read_resource("report://today")
                assert "cannot read the file" in str(error.value), error.value
                assert "reports" not in str(error.value), error.value
                for n in range(3):
                    report.write_text(json.dumps({"run": n}))
                    [content] = (await client.read_resource("report://today")).contents
                    assert content.mime_type == "application/json"
                    assert json.loads(content.text) == {"run": n}
                report.write_text("x" * 65)
                with pytest.raises(MCPError) as error:
                    await client.read_resource("report://today")
                assert "larger than 64 bytes" in str(error.value), error.value
                report.write_text("{}")
                [content] = (await client.read_resource("report://today")).contents
                assert content.text == "{}"

    anyio.run(main)


def test_http_resource_templates_fill_the_request_from_the_uri(binary, api) -> None:
    """A template with `implementation.http` reads with the URI's variables: percent-decoded from the URI, then
    encoded again as one path segment and a query value, so `../`, `?`, `#` and CRLF in a variable stay data; `..`
    as the segment and CRLF in a header are refused; credentials go along; the server stays up."""
    env = {"DECL_API_URL": api, "DECL_TOKEN": "t0k3n", "PATH": "/usr/bin:/bin"}
    target = StdioServerParameters(command=str(binary), args=["--transport", "stdio"], env=env)

    async def read(client, uri: str) -> dict:
        [content] = (await client.read_resource(uri)).contents
        assert content.mime_type == "application/json"
        return json.loads(content.text)["data"]

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(target, read_timeout_seconds=20) as client:
                templates = (await client.list_resource_templates()).resource_templates
                assert [t.uri_template for t in templates] == ["api://items/{id}{?view}"], templates
                SEEN.clear()
                plain = await read(client, "api://items/item-42?view=full")
                assert plain == {"path": "/api/items/item-42?view=full", "authorization": "Bearer t0k3n"}
                assert SEEN[-1]["headers"]["x-view"] == "full"

                # ../../admin?x=1#f CRLF X-Evil: 1, percent-encoded in the URI as RFC 6570 expands it.
                hostile = await read(client, "api://items/..%2F..%2Fadmin%3Fx%3D1%23f%0D%0AX-Evil%3A%201?view=a%26b%3Dc%23d")
                assert hostile["path"] == (
                    "/api/items/..%2F..%2Fadmin%3Fx%3D1%23f%0D%0AX-Evil%3A%201?view=a%26b%3Dc%23d"), hostile
                assert "x-evil" not in SEEN[-1]["headers"], SEEN[-1]
                assert SEEN[-1]["headers"]["x-view"] == "a&b=c#d"
                without_view = await read(client, "api://items/7")
                assert without_view["path"] == "/api/items/7"
                assert "x-view" not in SEEN[-1]["headers"]

                sent = len(SEEN)
                for uri, message in [("api://items/..", "cannot be `..`"), ("api://items/%2E", "cannot be `.`"),
                                     ("api://items/7?view=x%0D%0AX-Evil%3A%201", "CR, LF or NUL")]:
                    with pytest.raises(MCPError) as error:
                        await client.read_resource(uri)
                    assert message in str(error.value), (uri, error.value)
                assert len(SEEN) == sent, SEEN[sent:]

                assert (await read(client, "api://items/again"))["path"] == "/api/items/again"

    anyio.run(main)


def test_mcpgen_verify_calls_declarative_tools_like_any_other(binary, workdir, api) -> None:
    """`mcpgen verify` calls every declarative tool with arguments made from its schema and judges the replies as
    it does a handler's: none is taken for a stub, none fails (error results, such as the refused redirect or the
    oversized body, are reported as unchecked skips), and invalid arguments are refused before any program runs."""
    env = {**os.environ, "DECL_API_URL": api, "DECL_TOKEN": "t0k3n"}
    done = subprocess.run(
        [str(mcpgen_binary()), "verify", "--format", "json", "--target-dir", str(NESTED),
         str(workdir / "declarative")],
        capture_output=True, text=True, timeout=600, env=env)
    report = json.loads(done.stdout)
    calls = {c["check"].removeprefix("tools/call "): c for c in report["checks"] if c["check"].startswith("tools/call ")}
    names = [t["name"] for t in yaml.safe_load((SPECS / "declarative.yaml").read_text())["tools"]]
    assert sorted(calls) == sorted(names), report["checks"]
    for name, check in calls.items():
        assert check["status"] not in ("fail", "stub"), check
    for name in ["echo_args", "double", "get_item"]:
        assert calls[name]["status"] == "pass", calls[name]
    assert done.returncode == 0, done.stdout + done.stderr
