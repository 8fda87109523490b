"""Container platforms (Cloud Run, Heroku, Fly.io with an env) route to the port in `PORT`: a generated server
binds it when neither `--port` nor `<NAME>_PORT` is given, and refuses a malformed one instead of falling back to
a port the platform does not route to."""

from __future__ import annotations

import os
import socket
import subprocess

from conftest import START_TIMEOUT_S, load_examples
from http_support import http, stop_process

WEATHER = next(e for e in load_examples() if e.name == "weather")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEATHER_PORT")}
    return {**env, **WEATHER.server_env}


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([str(WEATHER.binary), "--transport", "streamable-http", "--host", "127.0.0.1", *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def listening_port(proc: subprocess.Popen) -> int:
    for line in proc.stderr:
        text = line.decode(errors="replace")
        if "listening on http://127.0.0.1:" in text:
            return int(text.split("http://127.0.0.1:")[1].split("/")[0])
    raise AssertionError(f"the server exited ({proc.wait(timeout=START_TIMEOUT_S)}) without listening")


def test_the_platform_port_is_bound_and_serves() -> None:
    port = free_port()
    proc = start([], {**base_env(), "PORT": str(port)})
    try:
        assert listening_port(proc) == port
        status, _, body = http("GET", f"http://127.0.0.1:{port}/healthz")
        assert status == 200, body
    finally:
        stop_process(proc)


def test_the_servers_own_variable_and_the_flag_come_first() -> None:
    # PORT names a port nobody listens on: binding it would be visible.
    unused = free_port()
    proc = start([], {**base_env(), "PORT": str(unused), "WEATHER_PORT": "0"})
    try:
        assert listening_port(proc) != unused
    finally:
        stop_process(proc)
    proc = start(["--port", "0"], {**base_env(), "PORT": str(unused)})
    try:
        assert listening_port(proc) != unused
    finally:
        stop_process(proc)


def test_a_malformed_port_stops_the_server_with_a_message() -> None:
    proc = start([], {**base_env(), "PORT": "http"})
    try:
        code = proc.wait(timeout=START_TIMEOUT_S)
        stderr = proc.stderr.read().decode(errors="replace")
    finally:
        stop_process(proc)
    assert code != 0
    assert 'PORT="http" is not a TCP port number' in stderr, stderr


PLATFORM_HOST = "myservice-abc123-uc.a.run.app"
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}


def post_initialize(port: int, host: str) -> tuple[int, bytes]:
    status, _, body = http("POST", f"http://127.0.0.1:{port}/mcp", INITIALIZE,
                           {"Host": host, "Content-Type": "application/json",
                            "Accept": "application/json, text/event-stream"})
    return status, body


def test_a_platform_host_is_answered_once_the_environment_allows_it() -> None:
    # Cloud Run's request: only PORT set by the platform, the service's own host name in Host.
    port = free_port()
    proc = start([], {**base_env(), "PORT": str(port)})
    try:
        assert listening_port(proc) == port
        status, body = post_initialize(port, PLATFORM_HOST)
        assert status == 403, body
    finally:
        stop_process(proc)
    port = free_port()
    proc = start([], {**base_env(), "PORT": str(port), "WEATHER_ALLOWED_HOSTS": PLATFORM_HOST})
    try:
        assert listening_port(proc) == port
        status, body = post_initialize(port, PLATFORM_HOST)
        assert status == 200 and b'"serverInfo"' in body, body
        status, body = post_initialize(port, "evil.example.com")
        assert status == 403, body
    finally:
        stop_process(proc)
