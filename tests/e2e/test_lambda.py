"""End-to-end: a generated server with the `lambda` transport (tests/e2e/specs/lambda.yaml), run by cargo-lambda's
emulator of the Lambda service (`cargo lambda watch`, PyPI `cargo-lambda`): the official Python SDK client over the
emulator's function URL, recorded events of each source through `cargo lambda invoke`, and bad input that gets
clean HTTP errors while the function keeps serving."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from http_support import MCP_HEADERS, NESTED, ROOT, TARGET, build_server, http, mcpgen_binary, rpc
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

EVENTS = ROOT / "runtime" / "tests" / "lambda-events"
START_TIMEOUT_S = 120.0

HANDLERS = {
    "src/tools/shout.rs": """use crate::generated::prelude::*;
use crate::generated::tools::shout::Input;

pub async fn handle(_ctx: Ctx, input: Input) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text(input.text.to_uppercase())]))
}
""",
    # Says each time it runs, so a test can count cold starts in the emulator's log.
    "src/state.rs": """use crate::generated::prelude::*;

#[derive(Debug, Default)]
pub struct State {}

pub async fn init() -> Result<State, BoxError> {
    tracing::info!("STATE_INIT_RAN");
    Ok(State::default())
}
""",
}


def cargo_lambda() -> str:
    """The `cargo-lambda` binary the PyPI package installs (next to this Python, or on PATH)."""
    candidate = Path(sys.executable).parent / "cargo-lambda"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("cargo-lambda")
    if not found:
        pytest.fail("cargo-lambda is not installed: pip install -r tests/e2e/requirements.txt")
    return found


def free_port() -> int:
    # cargo lambda watch takes port 0 as its default, 9000, so a free port is picked here and handed over.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """`cargo lambda watch` on 127.0.0.1 for the crate in `crate`, in a process group of its own (it starts the
    function with `cargo run`), stopped with everything it started."""

    def __init__(self, crate: Path):
        self.port = free_port()
        self.crate = crate
        self.log_path = TARGET / "e2e-logs" / f"cargo-lambda-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w+b")
        self.env = {**os.environ, "CARGO_TARGET_DIR": str(NESTED), "NO_COLOR": "1", "RUST_LOG": "info"}
        self.proc = subprocess.Popen(
            [cargo_lambda(), "lambda", "watch", "--ignore-changes", "--invoke-address", "127.0.0.1",
             "--invoke-port", str(self.port)],
            cwd=crate, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env=self.env,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"cargo lambda watch exited:\n{self.text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"cargo lambda watch did not listen within {START_TIMEOUT_S}s:\n{self.text()}")
        self.url = f"http://127.0.0.1:{self.port}/lambda-url/lambda-e2e/mcp"

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def invoke(self, args: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [cargo_lambda(), "lambda", "invoke", "lambda-e2e", "--invoke-address", "127.0.0.1", "--invoke-port",
             str(self.port), *args],
            cwd=self.crate, capture_output=True, text=True, env=self.env, timeout=120)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # The function runs in the same group; make sure nothing outlives the emulator.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not self.log.closed:
            self.log.close()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("lambda")
    build_server(workdir, "lambda", {}, HANDLERS)
    emulator = Emulator(workdir / "lambda")
    try:
        yield emulator
    finally:
        emulator.stop()


def test_the_python_sdk_runs_the_full_cycle_through_the_function_url(emulator):
    async def main():
        with anyio.fail_after(120):
            async with Client(streamable_http_client(emulator.url), mode="legacy") as client:
                tools = await client.list_tools()
                assert [t.name for t in tools.tools] == ["shout"]
                result = await client.call_tool("shout", {"text": "cold start"})
                assert not result.is_error and result.content[0].text == "COLD START"
                refused = await client.call_tool("shout", {"text": 42})
                assert refused.is_error
                resources = await client.list_resources()
                assert [str(r.uri) for r in resources.resources] == ["test://motd"]
                read = await client.read_resource("test://motd")
                assert read.contents[0].text == "Served from a Lambda function."
                prompts = await client.list_prompts()
                assert [p.name for p in prompts.prompts] == ["greet"]
                prompt = await client.get_prompt("greet", {"who": "Ada"})
                assert prompt.messages[0].content.text == "Say hello to Ada."

    anyio.run(main)


def invoke_event(emulator, path: Path) -> dict:
    done = emulator.invoke(["--data-file", str(path)])
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout)


def answer(response: dict) -> tuple[int, str]:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return response["statusCode"], body


@pytest.mark.parametrize("source, key", [
    ("apigw-rest", "serverInfo"), ("apigw-http", "tools"), ("function-url", "serverInfo"), ("alb", "tools")])
def test_recorded_events_of_each_source_are_answered(emulator, source, key):
    status, body = answer(invoke_event(emulator, EVENTS / f"{source}.json"))
    assert status == 200, body
    message = json.loads(body)
    assert key in message["result"], body


def event_with(tmp_path: Path, body: str | bytes, base64_body: bool = False) -> Path:
    event = json.loads((EVENTS / "apigw-http.json").read_text())
    raw = body.encode() if isinstance(body, str) else body
    event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
    event["isBase64Encoded"] = base64_body
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return path


def test_bad_input_gets_http_errors_and_the_function_keeps_serving(emulator, tmp_path):
    status, body = answer(invoke_event(emulator, event_with(tmp_path, "this is not json")))
    assert status == 400 and "-32700" in body, body
    status, body = answer(invoke_event(emulator, event_with(tmp_path, b'{"hello": "world"}', base64_body=True)))
    assert status == 400 and "-32600" in body, body
    big = json.dumps(rpc("ping", {"pad": "x" * 100_000}))
    status, _ = answer(invoke_event(emulator, event_with(tmp_path, big)))
    assert status == 413
    # Not a Lambda HTTP event at all: the runtime reports an invocation error and polls for the next event.
    bad = tmp_path / "not-an-event.json"
    bad.write_text('{"version": "2.0", "unexpected": true}')
    done = emulator.invoke(["--data-file", str(bad)])
    assert done.returncode != 0 or "errorMessage" in done.stdout, done.stdout + done.stderr
    status, body = answer(invoke_event(emulator, EVENTS / "alb.json"))
    assert status == 200, body
    # And over the function URL, the same answers.
    status, _, body = http("POST", emulator.url, b"{", MCP_HEADERS)
    assert status == 400, body
    status, _, body = http("POST", emulator.url, rpc("ping"), MCP_HEADERS)
    assert status == 200 and json.loads(body)["result"] == {}, body


def test_health_and_foreign_origins(emulator):
    status, _, body = http("GET", emulator.url.removesuffix("/mcp") + "/healthz")
    assert (status, body) == (200, b"ok")
    status, _, _ = http("POST", emulator.url, rpc("ping"), {**MCP_HEADERS, "Origin": "https://evil.example.com"})
    assert status == 403


def verify(crate: Path, path: str) -> dict:
    done = subprocess.run(
        [str(mcpgen_binary()), "verify", "--format", "json", "--target-dir", str(NESTED), str(crate)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PATH": path})
    assert done.returncode == 0, done.stdout + done.stderr
    return {c["check"]: c for c in json.loads(done.stdout)["checks"] if c["transport"] == "lambda (cargo-lambda)"}


def test_mcpgen_verify_drives_the_function_through_the_emulator(emulator):
    with_lambda = f"{Path(cargo_lambda()).parent}{os.pathsep}{os.environ['PATH']}"
    checks = verify(emulator.crate, with_lambda)
    for check in ["initialize", "tools/list", "tools/call shout", "resources/list", "resources/read", "prompts/list",
                  "prompts/get"]:
        assert checks[check]["status"] == "pass", checks
    # Without cargo-lambda the transport is skipped, and says why.
    without = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                              if not (Path(p) / "cargo-lambda").exists())
    checks = verify(emulator.crate, without)
    assert checks["all"]["status"] == "skip" and "cargo-lambda" in checks["all"]["note"], checks


def test_the_typescript_sdk_runs_the_full_cycle_through_the_function_url(emulator):
    node = ROOT / "tests" / "node_modules" / ".bin" / "node"
    if not node.exists():
        pytest.fail("the pinned npm packages are missing: (cd tests && npm ci)")
    done = subprocess.run(
        [str(node), str(ROOT / "tests" / "clients" / "ts_sdk_url.mjs"), emulator.url, "shout", '{"text": "ts"}',
         "test://motd", "greet", '{"who": "Grace"}'],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["server"]["name"] == "lambda-e2e"
    assert out["tools"] == ["shout"] and out["call"]["content"][0]["text"] == "TS"
    assert out["resources"] == ["test://motd"]
    assert out["read"]["contents"][0]["text"] == "Served from a Lambda function."
    assert out["prompts"] == ["greet"] and out["prompt"]["messages"][0]["content"]["text"] == "Say hello to Grace."


def test_state_is_built_once_per_cold_start_and_reused_by_warm_invocations(emulator):
    """`state::init` runs when the function starts, not per event: after many invocations (these, and those of the
    tests before it on the same function) the log shows one run."""
    for i in range(5):
        message = rpc("tools/call", {"name": "shout", "arguments": {"text": f"w{i}"}})
        status, _, body = http("POST", emulator.url, message, MCP_HEADERS)
        assert status == 200 and f"W{i}".encode() in body, body
    deadline = time.monotonic() + 10
    while "STATE_INIT_RAN" not in emulator.text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert emulator.text().count("STATE_INIT_RAN") == 1, emulator.text()[-4000:]
