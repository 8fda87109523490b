"""SEP-2663 tasks (protocol 2026-07-28) over streamable HTTP, stateful and stateless, against the generated `tasks`
example, in raw requests as a 2026-07-28 client sends them: protocol metadata in each request's `_meta` and the
`Mcp-Method` / `Mcp-Name` headers. No SDK client speaks this form over HTTP yet (docs/compatibility.md, "Tasks").
Every request stands alone: the task outlives the call that made it and is reached by id."""

from __future__ import annotations

import time

import pytest

from http_support import TARGET, Server, request_2026

BINARY = TARGET / "debug" / "tasks"
EXTENSION = "io.modelcontextprotocol/tasks"
POLL_LIMIT_S = 20.0


def request(server: Server, method: str, name: str, params: dict, declare: bool = True) -> tuple[int, dict]:
    """`method` as a 2026-07-28 client (declaring the tasks extension or not); the HTTP status and the answer."""
    capabilities: dict = {"elicitation": {}}
    if declare:
        capabilities["extensions"] = {EXTENSION: {}}
    return request_2026(server.url, method, name, params, capabilities)


def task(server: Server, method: str, task_id: str, **params) -> dict:
    status, answer = request(server, method, task_id, {"taskId": task_id, **params})
    assert status == 200 and "result" in answer, answer
    return answer["result"]


def create(server: Server, tool: str, arguments: dict) -> str:
    status, answer = request(server, "tools/call", tool, {"name": tool, "arguments": arguments})
    assert status == 200, answer
    assert answer["result"]["resultType"] == "task", answer
    assert answer["result"]["status"] == "working", answer
    return answer["result"]["taskId"]


def poll(server: Server, task_id: str, status: str) -> dict:
    deadline = time.monotonic() + POLL_LIMIT_S
    while time.monotonic() < deadline:
        got = task(server, "tasks/get", task_id)
        if got["status"] == status:
            return got
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} never became {status}: {got}")


@pytest.fixture(params=["--stateful", "--stateless"])
def tasks_server(request):
    if not BINARY.exists():
        pytest.skip("the tasks example is not built (cargo build -p tasks)")
    server = Server(BINARY, ["--transport", "streamable-http", request.param])
    yield server
    server.stop()


def test_a_task_is_polled_answered_and_cancelled_on_later_requests(tasks_server):
    server = tasks_server
    research = create(server, "simulate-research-query", {"topic": "tides", "ambiguous": True})
    waiting = poll(server, research, "input_required")
    [(key, asked)] = waiting["inputRequests"].items()
    assert asked["method"] == "elicitation/create", asked
    answer = {"action": "accept", "content": {"interpretation": "historical"}}
    assert task(server, "tasks/update", research, inputResponses={key: answer}) == {"resultType": "complete"}
    done = poll(server, research, "completed")
    assert "# Research Report: tides (historical)" in done["result"]["content"][0]["text"], done

    wait = create(server, "wait", {"ms": 600000})
    assert task(server, "tasks/get", wait)["status"] == "working"
    assert task(server, "tasks/cancel", wait) == {"resultType": "complete"}
    poll(server, wait, "cancelled")

    _, unknown = request(server, "tasks/get", "0000", {"taskId": "0000"})
    assert unknown["error"]["code"] == -32602, unknown


def test_a_required_tool_needs_the_extension(tasks_server):
    _, refused = request(tasks_server, "tools/call", "simulate-research-query",
                              {"name": "simulate-research-query", "arguments": {"topic": "tides"}}, declare=False)
    assert refused["error"]["code"] == -32021, refused
    _, plain = request(tasks_server, "tools/call", "wait", {"name": "wait", "arguments": {"ms": 1}},
                            declare=False)
    assert plain["result"]["resultType"] == "complete", plain
    assert plain["result"]["structuredContent"]["cancelled"] is False, plain
