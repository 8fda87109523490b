"""End-to-end: no credential reaches a log line or a response. Servers run at trace level with a Redis password, a
JWKS URL with a user and password, OAuth access tokens and static bearer tokens; the test makes requests that pass
and fail (wrong tokens, a JWKS that fails, Redis that is wrong, unreachable or stopped mid-session) and then scans
everything the servers wrote and answered for each secret."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest
from http_support import MCP_HEADERS, ROOT, Server, build_server, http, rpc, stop_process
# The key server and its keys ("good" serves as k1, "unknown" is in no key set) are test_http_secure's fixtures.
from test_http_secure import jwks, keys, token  # noqa: F401

REDIS_PASSWORD = "redis-pw-7f3a9c"
JWKS_PASSWORD = "jwks-pw-b41e07"
WRONG_REDIS_PASSWORD = "wrong-redis-pw-55d2"
BEARER = "bearer-secret-9d8c7b"
WRONG_BEARER = "bearer-wrong-0a1b2c"
TRACE = {"RUST_LOG": "trace", "NO_COLOR": "1"}

HANDLERS = {
    "src/tools/whoami.rs": """use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let claims = ctx.claims().ok_or_else(|| ToolError::new("no token claims"))?;
    Ok(CallToolResult::success(vec![ContentBlock::text(claims.subject().unwrap_or_default().to_owned())]))
}
""",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """redis-server on loopback with a password."""

    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", REDIS_PASSWORD], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.02)

    def url(self, password: str = REDIS_PASSWORD, suffix: str = "/0") -> str:
        return f"redis://:{password}@127.0.0.1:{self.port}{suffix}"

    def stop(self):
        stop_process(self.proc)


@pytest.fixture(scope="module")
def binary(tmp_path_factory, jwks):
    with_credentials = jwks.url.replace("http://", f"http://jwks-user:{JWKS_PASSWORD}@")
    return build_server(tmp_path_factory.mktemp("secrets"), "secrets", {"@JWKS_URI@": with_credentials}, HANDLERS)


@pytest.fixture
def redis():
    started = Redis()
    yield started
    started.stop()


class Transcript:
    """Every response (status, headers, body) and every server log, to scan for secrets at the end."""

    def __init__(self):
        self.parts: list[str] = []

    def http(self, *args, **kwargs):
        status, headers, body = http(*args, **kwargs)
        self.parts.append(f"{status} {json.dumps(headers)} {body.decode(errors='replace')}")
        return status, headers, body

    def process(self, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        self.parts.append(done.stdout + done.stderr)
        return done

    def assert_free_of(self, secrets: list[str]):
        text = "\n".join(self.parts)
        assert "listening on" in text, "no server log captured"
        for secret in secrets:
            assert secret not in text, f"{secret[:12]}... appears in the logs or responses"


def post(transcript: Transcript, server: Server, bearer: str | None, message: dict, session: str | None = None):
    headers = dict(MCP_HEADERS)
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    if session:
        headers["Mcp-Session-Id"] = session
    return transcript.http("POST", server.url, message, headers, timeout=30)


def initialize(transcript: Transcript, server: Server, bearer: str) -> str:
    status, headers, body = post(transcript, server, bearer, rpc("initialize", {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "secrets", "version": "0"}}))
    assert status == 200, body
    session = headers["mcp-session-id"]
    post(transcript, server, bearer, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    return session


def test_oauth_and_redis_secrets_stay_out_of_logs_and_responses(binary, jwks, keys, redis):
    transcript = Transcript()
    good = token(keys["good"])
    bad = {
        "other key": token(keys["unknown"]),
        "unknown kid": token(keys["unknown"], kid="k9"),
        "expired": token(keys["good"], exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "wrong audience": token(keys["good"], aud="https://other.example.test/mcp"),
    }
    presented = [good, *bad.values()]
    env = {"SECRETS_REDIS_URL": redis.url(), **TRACE}

    # The JWKS answers 500 at first: the warning names the JWKS URL, without its password.
    jwks.status = 500
    try:
        server = Server(binary, ["--transport", "streamable-http"], env=env)
        try:
            assert post(transcript, server, good, rpc("ping"))[0] == 401
            server.wait_for_log("cannot fetch the JWKS")
        finally:
            server.stop()
            transcript.parts.append(server.text())
    finally:
        jwks.status = 200

    server = Server(binary, ["--transport", "streamable-http"], env=env)
    try:
        session = initialize(transcript, server, good)
        status, _, body = post(transcript, server, good, rpc("tools/call", {"name": "whoami", "arguments": {}}, 2),
                               session)
        assert status == 200 and b"alice" in body, body
        for case, bearer in bad.items():
            assert post(transcript, server, bearer, rpc("tools/list", id=3), session)[0] == 401, case
        # Redis goes away mid-session: the runtime reconnects (logging in again) and fails.
        redis.stop()
        post(transcript, server, good, rpc("tools/list", id=4), session)
        post(transcript, server, good, rpc("initialize", {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}))
    finally:
        server.stop()
        transcript.parts.append(server.text())

    # Redis URLs that cannot work: the start-up error says why, without the password.
    binary_env = {**os.environ, **TRACE}
    cases = {
        "wrong password": redis.url(WRONG_REDIS_PASSWORD),
        "bad database": redis.url(suffix="/not-a-number"),
        "no host": f"redis://:{REDIS_PASSWORD}@/0",
        "unreachable": f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0",
    }
    restarted = Redis()
    try:
        cases["wrong password"] = restarted.url(WRONG_REDIS_PASSWORD)
        for case, url in cases.items():
            done = transcript.process([str(binary), "--transport", "streamable-http", "--host", "127.0.0.1", "--port",
                                       "0"], {**binary_env, "SECRETS_REDIS_URL": url})
            assert done.returncode != 0, case
            assert "redis" in done.stderr.lower() or "session store" in done.stderr, (case, done.stderr)
    finally:
        restarted.stop()
    # --help and a bad flag with the secret variables set.
    transcript.process([str(binary), "--help"], {**binary_env, "SECRETS_REDIS_URL": redis.url()})
    transcript.process([str(binary), "--port", "x"], {**binary_env, "SECRETS_REDIS_URL": redis.url()})

    signatures = [t.rsplit(".", 1)[1] for t in presented]
    transcript.assert_free_of([REDIS_PASSWORD, WRONG_REDIS_PASSWORD, JWKS_PASSWORD, *presented, *signatures])


EVERYTHING = ROOT / "target" / "debug" / "everything"


def test_bearer_tokens_stay_out_of_logs_and_responses():
    # The example is built with the others (conftest.built_examples).
    transcript = Transcript()
    env = {"EVERYTHING_API_TOKEN": f"other-{BEARER},{BEARER}", **TRACE}
    server = Server(EVERYTHING, ["--transport", "streamable-http", "--stateful"], env=env)
    try:
        for bearer in [WRONG_BEARER, BEARER + "x", None]:
            assert post(transcript, server, bearer, rpc("tools/list"))[0] == 401
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            assert transcript.http("GET", server.base + "/sse", headers=headers)[0] == 401
        session = initialize(transcript, server, BEARER)
        status, _, body = post(transcript, server, BEARER, rpc("tools/call", {
            "name": "echo", "arguments": {"text": "hello"}}, 2), session)
        assert status == 200, body
        assert post(transcript, server, WRONG_BEARER, rpc("tools/list", id=3), session)[0] == 401
    finally:
        server.stop()
        transcript.parts.append(server.text())
    transcript.process([str(EVERYTHING), "--help"], {**os.environ, **env})
    transcript.assert_free_of([BEARER, WRONG_BEARER])
