"""End-to-end: drive every generated example with the official Python SDK client over every transport it declares
and check that what it serves is exactly what its spec says.

Per example and transport mode: tools/list, resources/list, resources/templates/list and prompts/list equal the spec;
every tool is called (valid arguments give the handler's result, invalid ones an isError naming the property);
every static resource reads back its exact bytes; every declarative prompt renders with its arguments.
Expected handler results live in tests/e2e/expect/<example>.yaml; tools without an entry must answer with the
generated stub's "not implemented" tool error.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import anyio
import pytest
from conftest import Example, load_examples
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

CALL_TIMEOUT_S = 20.0
EXAMPLES = load_examples()

# (id, transport, extra server flags). HTTP modes are overridden by flags so one spec covers both.
MODES = [
    ("stdio", "stdio", []),
    ("http-stateful", "streamable-http", ["--stateful"]),
    ("http-stateless-json", "streamable-http", ["--stateless", "--json-response"]),
    ("sse", "sse", []),
]

# Examples with bearer auth get their token variable set and send the token (conftest.Example.http_headers);
# OAuth is driven by test_http_secure.py with tokens it signs.
CASES = [
    pytest.param(ex, mode, flags, protocol, id=f"{ex.name}-{mode_id}-{protocol}")
    for ex in EXAMPLES
    if "oauth" not in (ex.spec.get("auth") or {})
    for mode_id, mode, flags in MODES
    if mode in ex.transports
    for protocol in ("legacy", "auto")
]


def dump(model: Any) -> dict:
    return model.model_dump(by_alias=True, exclude_none=True, mode="json")


def pick(d: dict, keys: list[str]) -> dict:
    return {k: d[k] for k in keys if k in d and d[k] not in (None, [], {})}


def expected_tool(tool: dict) -> dict:
    want = pick(tool, ["name", "title", "description", "outputSchema", "annotations", "icons", "execution", "_meta"])
    if "execution" in tool:
        want["execution"] = tool["execution"]  # served as written, `{}` too
    want["inputSchema"] = tool.get("inputSchema", {"type": "object", "properties": {}})
    return want


def without_defaults(d: dict, defaults: dict) -> dict:
    return {k: v for k, v in d.items() if not (k in defaults and defaults[k] == v)}


async def check_lists(client: Client, ex: Example) -> None:
    spec = ex.spec
    got_tools = [dump(t) for t in (await client.list_tools()).tools]
    want_tools = [expected_tool(t) for t in spec.get("tools", [])]
    assert [t["name"] for t in got_tools] == [t["name"] for t in want_tools]
    for got, want in zip(got_tools, want_tools):
        keys = ["name", "title", "description", "inputSchema", "outputSchema", "annotations", "icons", "_meta"]
        assert pick(got, keys) == pick(want, keys), f"tool {want['name']}"
        assert got.get("execution") == want.get("execution"), f"tool {want['name']} execution"

    if spec.get("resources"):
        got_res = [dump(r) for r in (await client.list_resources()).resources]
        assert [r["uri"] for r in got_res] == [r["uri"] for r in spec["resources"]]
        for got, want in zip(got_res, spec["resources"]):
            keys = ["uri", "name", "title", "description", "annotations", "icons", "_meta"]
            assert pick(got, keys) == pick(want, keys), f"resource {want['uri']}"
            if "mimeType" in want:
                assert got.get("mimeType") == want["mimeType"]

    if spec.get("resourceTemplates"):
        got_tpl = [dump(t) for t in (await client.list_resource_templates()).resource_templates]
        assert [t["uriTemplate"] for t in got_tpl] == [t["uriTemplate"] for t in spec["resourceTemplates"]]
        for got, want in zip(got_tpl, spec["resourceTemplates"]):
            keys = ["uriTemplate", "name", "title", "description", "mimeType", "annotations", "icons", "_meta"]
            assert pick(got, keys) == pick(want, keys), f"template {want['uriTemplate']}"

    if spec.get("prompts"):
        got_prompts = [dump(p) for p in (await client.list_prompts()).prompts]
        assert [p["name"] for p in got_prompts] == [p["name"] for p in spec["prompts"]]
        for got, want in zip(got_prompts, spec["prompts"]):
            assert pick(got, ["title", "description", "icons", "_meta"]) == pick(
                want, ["title", "description", "icons", "_meta"]
            ), f"prompt {want['name']}"
            want_args = [pick(a, ["name", "title", "description", "required"]) for a in want.get("arguments", [])]
            got_args = [
                without_defaults(pick(a, ["name", "title", "description", "required"]), {"required": False})
                for a in got.get("arguments", [])
            ]
            want_args = [without_defaults(a, {"required": False}) for a in want_args]
            assert got_args == want_args, f"prompt {want['name']} arguments"


def result_text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", None) == "text")


def sample_value(schema: dict, root: dict):
    """A value valid for a simple schema: enough to reach a stub handler with valid arguments."""
    if "$ref" in schema:
        *_, kind, name = schema["$ref"].split("/")
        return sample_value(root.get(kind, {}).get(name, {}), root)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {k: sample_value(schema["properties"][k], root) for k in schema.get("required", [])}
    return {"string": "x", "integer": max(1, schema.get("minimum", 1)), "number": 1.5, "boolean": True,
            "array": []}.get(kind)


def first_invalid_arguments(tool: dict) -> tuple[dict, str] | None:
    """Arguments that break the input schema, and the property an error must name: a required property left out,
    else a property of the wrong type."""
    schema = tool.get("inputSchema") or {}
    props = schema.get("properties", {})
    required = schema.get("required", [])
    if required:
        return {}, required[0]
    for name, prop in props.items():
        if prop.get("type") in ("string", "integer", "number", "boolean", "array", "object"):
            wrong = {"string": 42, "integer": "x", "number": "x", "boolean": "x", "array": 1, "object": 1}
            return {name: wrong[prop["type"]]}, name
    return None


async def refused_as_task_only(client: Client, tool: dict, args: dict) -> bool:
    """Whether a plain call of `tool` is refused because it may only run as a task, which a server does to sessions
    it serves tasks to: -32601 on protocol 2025-11-25 (stdio or stateful HTTP), -32021 (the client did not declare
    the SEP-2663 tasks extension, which this SDK's client cannot) on 2026-07-28 over stdio. Any other answer (a
    result, another JSON-RPC error) is left to the caller's checks."""
    if (tool.get("execution") or {}).get("taskSupport") != "required":
        return False
    try:
        with anyio.fail_after(CALL_TIMEOUT_S):
            await client.call_tool(tool["name"], args)
    except MCPError as error:
        if error.error.code not in (-32021, -32601):
            return False
        if error.error.code == -32021:
            assert "io.modelcontextprotocol/tasks" in str(error.error.data), error
            return True
        assert error.error.code == -32601, error
        assert "must be called as a task" in error.error.message, error
        return True
    return False


async def check_tools(client: Client, ex: Example) -> None:
    expected_calls = ex.expect.get("tools", {})
    for tool in ex.spec.get("tools", []):
        name = tool["name"]
        calls = expected_calls.get(name)
        if await refused_as_task_only(client, tool, ex.expect.get("stubArgs", {}).get(name) or {}):
            continue
        if calls is None:
            # A stub handler: the call reaches it and it answers with the generated "not implemented" tool error.
            schema = tool.get("inputSchema") or {"type": "object"}
            args = ex.expect.get("stubArgs", {}).get(name) or sample_value(schema, schema)
            with anyio.fail_after(CALL_TIMEOUT_S):
                result = await client.call_tool(name, args)
            assert result.is_error, f"{name}: stub should answer isError"
            assert "not implemented" in result_text(result).lower(), result_text(result)
        for call in calls or []:
            progress: list[float] = []

            async def on_progress(p: float, total: float | None, message: str | None) -> None:
                progress.append(p)

            if "rpcError" in call:
                # The tool answers with a JSON-RPC error by design.
                with anyio.fail_after(CALL_TIMEOUT_S), pytest.raises(MCPError) as raised:
                    await client.call_tool(name, call.get("args", {}))
                assert raised.value.error.code == call["rpcError"], f"{name}: {raised.value}"
                continue
            with anyio.fail_after(CALL_TIMEOUT_S):
                result = await client.call_tool(name, call.get("args", {}), progress_callback=on_progress)
            text = result_text(result)
            assert bool(result.is_error) == call.get("isError", False), f"{name}: {text}"
            if "structured" in call:
                assert result.structured_content == call["structured"], name
            if "structuredSubset" in call:
                for k, v in call["structuredSubset"].items():
                    assert result.structured_content.get(k) == v, f"{name}.{k}"
            for needle in call.get("textContains", []):
                assert needle in text, f"{name}: {needle!r} not in {text!r}"
            if "minProgress" in call:
                assert len(progress) >= call["minProgress"], f"{name}: progress {progress}"
        bad = first_invalid_arguments(tool)
        if bad is not None:
            args, prop = bad
            with anyio.fail_after(CALL_TIMEOUT_S):
                result = await client.call_tool(name, args)
            assert result.is_error, f"{name}: invalid arguments {args} accepted"
            assert prop in result_text(result), f"{name}: error does not name {prop!r}: {result_text(result)!r}"


async def check_resources(client: Client, ex: Example) -> None:
    for res in ex.spec.get("resources", []):
        if "text" in res:
            want = res["text"].encode()
        elif "file" in res:
            want = (ex.spec_path.parent / res["file"]).read_bytes()
        else:
            continue
        with anyio.fail_after(CALL_TIMEOUT_S):
            contents = (await client.read_resource(res["uri"])).contents
        assert len(contents) == 1, res["uri"]
        c = dump(contents[0])
        got = c["text"].encode() if "text" in c else base64.b64decode(c["blob"])
        assert got == want, f"{res['uri']}: bytes differ"
        assert c["uri"] == res["uri"]
    for read in ex.expect.get("reads", []):
        with anyio.fail_after(CALL_TIMEOUT_S):
            contents = (await client.read_resource(read["uri"])).contents
        text = "".join(dump(c).get("text", "") for c in contents)
        for needle in read.get("textContains", []):
            assert needle in text, f"{read['uri']}: {needle!r} not in {text!r}"


async def check_prompts(client: Client, ex: Example) -> None:
    for prompt in ex.spec.get("prompts", []):
        if "messages" not in prompt:
            continue
        args = {a["name"]: f"<{a['name']} value>" for a in prompt.get("arguments", [])}
        with anyio.fail_after(CALL_TIMEOUT_S):
            result = await client.get_prompt(prompt["name"], args)
        got = [(m.role, m.content.text) for m in result.messages]
        want = [
            (m["role"], re.sub(r"\{\{\s*([^}]*?)\s*\}\}", lambda mt: args.get(mt.group(1), ""), m["text"]))
            for m in prompt["messages"]
        ]
        assert got == want, prompt["name"]
    for get in ex.expect.get("prompts", []):
        with anyio.fail_after(CALL_TIMEOUT_S):
            result = await client.get_prompt(get["name"], get.get("args", {}))
        text = "\n".join(m.content.text for m in result.messages if getattr(m.content, "type", "") == "text")
        for needle in get.get("textContains", []):
            assert needle in text, f"prompt {get['name']}: {needle!r} not in {text!r}"


async def run_all_checks(client: Client, ex: Example) -> None:
    info = client.session.server_info if hasattr(client.session, "server_info") else None
    if info is not None:
        assert info.name == ex.spec["server"]["name"]
    await check_lists(client, ex)
    await check_tools(client, ex)
    await check_resources(client, ex)
    await check_prompts(client, ex)


@pytest.mark.parametrize("ex, mode, flags, protocol", CASES)
def test_example_serves_its_spec(ex: Example, mode: str, flags: list[str], protocol: str, http_server) -> None:
    if mode == "stdio":
        target: Any = StdioServerParameters(command=str(ex.binary), args=["--transport", "stdio"], env=ex.server_env)
    elif mode == "sse":
        target = sse_client(http_server(ex, flags, "sse").url, headers=ex.http_headers)
    elif ex.http_headers:
        target = streamable_http_client(
            http_server(ex, flags).url, http_client=create_mcp_http_client(headers=ex.http_headers)
        )
    else:
        target = http_server(ex, flags).url

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(target, mode=protocol, read_timeout_seconds=CALL_TIMEOUT_S) as client:
                await run_all_checks(client, ex)

    anyio.run(main)
