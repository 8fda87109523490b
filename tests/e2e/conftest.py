"""Shared fixtures for the end-to-end tests: build the generated example servers once, start them on every
transport they declare, and stop every process they start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from http_support import log_match, stop_process

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "generated-examples"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
START_TIMEOUT_S = 30.0


@dataclass
class Example:
    name: str
    crate_dir: Path
    spec_path: Path
    spec: dict
    expect: dict = field(default_factory=dict)

    @property
    def binary(self) -> Path:
        return TARGET / "debug" / self.spec["server"]["name"]

    @property
    def transports(self) -> list[str]:
        return list(self.spec["transports"].keys())

    @property
    def bearer_token(self) -> str | None:
        """The token the tests give a server whose spec asks for bearer auth (its tokenEnv is set to it)."""
        bearer = (self.spec.get("auth") or {}).get("bearer")
        return f"e2e-token-for-{self.name}" if bearer else None

    @property
    def server_env(self) -> dict[str, str]:
        """Values for the variables the server refuses to start without, and the bearer token variable."""
        env = {v["name"]: f"e2e-value-for-{v['name']}" for v in self.spec.get("env", [])
               if v.get("required") and "default" not in v}
        bearer = (self.spec.get("auth") or {}).get("bearer")
        if bearer:
            env[bearer["tokenEnv"]] = self.bearer_token
        return env

    @property
    def http_headers(self) -> dict[str, str]:
        token = self.bearer_token
        return {"Authorization": f"Bearer {token}"} if token else {}


class SpecLoader(yaml.SafeLoader):
    """YAML as mcpgen reads it (YAML 1.2 core): an unquoted timestamp stays a string, not a datetime."""


SpecLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_examples() -> list[Example]:
    examples = []
    for manifest in sorted(EXAMPLES.glob("*/.mcpgen/manifest.json")):
        crate_dir = manifest.parent.parent
        spec_path = (crate_dir / json.loads(manifest.read_text())["spec"]).resolve()
        spec = yaml.load(spec_path.read_text(encoding="utf-8"), Loader=SpecLoader)
        expect_path = ROOT / "tests" / "e2e" / "expect" / f"{crate_dir.name}.yaml"
        expect = yaml.safe_load(expect_path.read_text(encoding="utf-8")) if expect_path.exists() else {}
        examples.append(Example(crate_dir.name, crate_dir, spec_path, spec, expect or {}))
    return examples


@pytest.fixture(scope="session", autouse=True)
def built_examples() -> None:
    """Build every example once, all in one cargo invocation, as scripts/test and cli/tests/clients_rmcp.rs do:
    cargo unifies features across the packages one invocation builds, so another grouping (`-p everything` alone)
    would compile the runtime again and relink the binaries. A no-op when they are built."""
    names = [e.spec["server"]["name"] for e in load_examples()]
    cmd = ["cargo", "build", "--quiet"] + [arg for n in names for arg in ("-p", n)]
    subprocess.run(cmd, cwd=ROOT, check=True)


class HttpServer:
    """A generated server started on an OS-picked port of 127.0.0.1; its bound address is read from its log."""

    def __init__(self, example: Example, extra_args: list[str], transport: str = "streamable-http"):
        self.log_path = TARGET / "e2e-logs" / f"{example.name}-{os.getpid()}-{time.monotonic_ns()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(self.log_path, "w+b")
        args = [str(example.binary), "--transport", transport, "--host", "127.0.0.1", "--port", "0", *extra_args]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.log,
                                     env={**os.environ, **example.server_env, "RUST_LOG": "info", "NO_COLOR": "1"})
        self.url = self._wait_for_address()

    def _wait_for_address(self) -> str:
        match = log_match(self.log_path, self.proc, r"listening on (http://127\.0\.0\.1:\d+\S*)", START_TIMEOUT_S)
        if match:
            return match.group(1)
        self.stop()
        raise RuntimeError(f"server did not report its address; log:\n{self.log_path.read_text(errors='replace')}")

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


@pytest.fixture
def http_server():
    started: list[HttpServer] = []

    def start(example: Example, extra_args: list[str], transport: str = "streamable-http") -> HttpServer:
        server = HttpServer(example, extra_args, transport)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def pytest_report_header(config):
    return f"python {sys.version.split()[0]}, examples: {[e.name for e in load_examples()]}"


def pytest_configure(config):
    # Long runs (the soak test) stay in the default run; `-m "not long"` skips them for a quick pass.
    config.addinivalue_line("markers", "long: a bounded but long-running test (soak)")
