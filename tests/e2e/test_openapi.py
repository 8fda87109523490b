"""`mcpgen import openapi` end to end (issue #23): each document in tests/openapi/ is imported, generated with
`mcpgen new` and built; Stoplight Prism mocks the API from the same document on 127.0.0.1, and the official
Python SDK calls every tool of the server with arguments made from its input schema. Prism runs with `--errors`,
so a request that breaks the document (a wrong path, a missing or mistyped parameter, a bad body, missing
credentials) is answered 4xx and the call fails; its log must show every request passing its validation."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import anyio
import jsonschema
import pytest
import yaml
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from http_support import NESTED, Server, mcpgen_binary
from openapi_args import instance

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "openapi"
NODE_BIN = ROOT / "tests" / "node_modules" / ".bin"

# (document, server name, extra import flags)
CASES = [
    ("petstore-3.0.yaml", "petstore30", []),
    ("petstore-3.1.yaml", "petstore31", []),
    ("spotify.yaml", "spotify", []),
    ("openai.yaml", "openai", ["--max-operations", "300"]),
]


# Prism validates each request and its own mock answer against the document on one Node thread, about 0.3 s a call
# for the OpenAI document: the calls are spread over one Prism (and one server) per core.
MOCKS = max(1, min(2, os.cpu_count() or 1))


class Prism(Server):
    """`prism mock --errors DOC` on 127.0.0.1 with an OS-picked port; `listen()` waits for it and says where."""

    def __init__(self, doc: Path, log: Path):
        self.log_path = log
        self.log = open(log, "w+b")
        self.proc = subprocess.Popen(
            [str(NODE_BIN / "node"), str(NODE_BIN / "prism"), "mock", "--errors", "-h", "127.0.0.1", "-p", "0", str(doc)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})

    def listen(self) -> str:
        return self.wait_for_log(r"Prism is listening on (http://127\.0\.0\.1:\d+)", timeout=120).group(1)


def build(doc: Path, name: str, flags: list[str], workdir: Path) -> tuple[Path, dict]:
    mcpgen = mcpgen_binary()
    spec_path = workdir / f"{name}.yaml"
    subprocess.run([str(mcpgen), "-q", "import", "openapi", str(doc), "--name", name, "-o", str(spec_path), *flags],
                   check=True)
    # `mcpgen new` refuses a spec that does not validate, so the import's output is validated here too.
    crate = workdir / name
    subprocess.run([str(mcpgen), "new", str(spec_path), "--out", str(crate), "--no-verify"], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.copy(ROOT / "Cargo.lock", crate / "Cargo.lock")
    subprocess.run(["cargo", "build", "--quiet"], cwd=crate, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": str(NESTED)})
    # libyaml's loader where PyYAML has it: the OpenAI spec (5 MB) takes seconds with the pure-Python one.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return NESTED / "debug" / name, yaml.load(spec_path.read_text(), Loader=loader)


def text(result) -> str:
    return "".join(getattr(block, "text", "") for block in result.content)


@pytest.mark.parametrize("doc,name,flags", CASES, ids=[c[1] for c in CASES])
def test_every_tool_answers_through_prism(tmp_path, doc, name, flags) -> None:
    binary, spec = build(DOCS / doc, name, flags, tmp_path)
    prisms = [Prism(DOCS / doc, tmp_path / f"prism-{i}.log") for i in range(MOCKS)]
    try:
        urls = [prism.listen() for prism in prisms]
        failures: list[str] = []
        # Prism checks its own mock response too, and answers 500 when the document's examples break its schemas
        # (the OpenAI document has a few): the request was fine, the mock cannot answer it.
        unanswerable: list[str] = []

        def server(url: str) -> StdioServerParameters:
            env = {"PATH": os.environ["PATH"]}
            for var in spec.get("env", []):
                env[var["name"]] = url if var["name"].endswith("_BASE_URL") else f"test-{var['name'].lower()}"
            return StdioServerParameters(command=str(binary), args=["--transport", "stdio"], env=env)

        async def call_every_nth(part: int) -> None:
            async with Client(server(urls[part]), read_timeout_seconds=60) as client:
                tools = (await client.list_tools()).tools
                assert sorted(t.name for t in tools) == sorted(t["name"] for t in spec["tools"])
                for tool in tools[part::MOCKS]:
                    arguments = instance(tool.input_schema, tool.input_schema)
                    jsonschema.validate(arguments, tool.input_schema)
                    result = await client.call_tool(tool.name, arguments)
                    message = text(result)
                    where = set(re.findall(r'"location":\["([^"]+)"', message))
                    if result.is_error and "#VIOLATIONS" in message and where == {"response"}:
                        unanswerable.append(tool.name)
                    elif result.is_error:
                        failures.append(f"{tool.name}({json.dumps(arguments)[:300]}): {message[:600]}")

        async def main() -> None:
            with anyio.fail_after(600):
                async with anyio.create_task_group() as group:
                    for part in range(MOCKS):
                        group.start_soon(call_every_nth, part)

        anyio.run(main)
        assert not failures, "\n".join(failures)
        # One request per tool, each passing Prism's validation against the document (path, query, headers, body,
        # security): its validator logs a line for each.
        logs = "".join(prism.text() for prism in prisms)
        passed = logs.count("The request passed the validation rules")
        assert passed == len(spec["tools"]), (passed, logs[-3000:])
        assert len(unanswerable) <= len(spec["tools"]) // 10, unanswerable
    finally:
        for prism in prisms:
            prism.stop()
