"""End-to-end: three stateful instances of a generated server (tests/e2e/specs/cluster.yaml) sharing sessions
through Redis behave as one server for what crosses instances: a resource update raised on one instance reaches
the subscribed client through the instance holding its event stream, once, and a client's answer to an
elicitation reaches the instance whose tool asked, wherever the answer lands. Requests are pinned to instances
(raw HTTP) where routing must be deterministic; the official SDK client goes through the generated nginx config.
nginx and redis-server are the Debian packages; each test starts its own on loopback."""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import anyio
import pytest
from http_support import MCP_HEADERS, Server, build_server, http, rpc
from mcp import Client
from test_http_scale import CLIENTS, Nginx, Redis, wait_for_status

HANDLERS = {
    "src/tools/touch.rs": """use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    ctx.notify_resource_updated("test://watched").await;
    let id = std::env::var("INSTANCE_ID").unwrap_or_default();
    Ok(CallToolResult::success(vec![ContentBlock::text(format!("touched on {id}"))]))
}
""",
    "src/tools/ask.rs": """use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]});
    tracing::info!("ask: waiting for the client");
    let answer = ctx.elicit("Your name?", schema).await?;
    let name = answer.content.unwrap_or_default()["name"].as_str().unwrap_or("nobody").to_owned();
    let id = std::env::var("INSTANCE_ID").unwrap_or_default();
    Ok(CallToolResult::success(vec![ContentBlock::text(format!("hello {name} from {id}"))]))
}
""",
}

UPDATED = "notifications/resources/updated"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The server's binary and its crate (with the deployment files mcpgen wrote)."""
    workdir = tmp_path_factory.mktemp("cluster")
    return build_server(workdir, "cluster", {}, HANDLERS), workdir / "cluster"


@pytest.fixture
def cluster(built):
    """Three instances sharing one Redis."""
    binary = built[0]
    redis = Redis()
    servers = []
    try:
        for n in range(3):
            servers.append(Server(binary, ["--transport", "streamable-http", "--stateful"],
                                  env={"CLUSTER_REDIS_URL": redis.url, "INSTANCE_ID": f"i{n}"}))
        yield servers
    finally:
        for s in servers:
            s.stop()
        redis.stop()


def messages(body: bytes) -> list[dict]:
    """The JSON-RPC messages of an event stream's `data:` lines."""
    found = []
    for line in body.decode().splitlines():
        if line.startswith("data:") and line[5:].strip():
            found.append(json.loads(line[5:]))
    return found


def start_session(server: Server) -> dict[str, str]:
    """A session started on `server` by a client that can answer elicitations; the headers of its requests."""
    init = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {"elicitation": {}},
                              "clientInfo": {"name": "e2e", "version": "0"}}, id=0)
    status, headers, body = http("POST", server.url, init, MCP_HEADERS)
    assert status == 200, body
    session = {**MCP_HEADERS, "Mcp-Session-Id": headers["mcp-session-id"]}
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert http("POST", server.url, initialized, session)[0] == 202
    return session


class Stream:
    """An open event stream (GET, or a POST's answer) read line by line on a thread, its messages in a queue."""

    def __init__(self, url: str, headers: dict[str, str], body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if body else "GET", headers=headers)
        self.response = urllib.request.urlopen(request, timeout=30)
        assert self.response.status == 200
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for line in self.response:
                text = line.decode().strip()
                if text.startswith("data:") and text[5:].strip():
                    self.messages.put(json.loads(text[5:]))
        except Exception:  # noqa: BLE001 - the stream ends when the test closes it
            pass

    def next(self, timeout: float) -> dict | None:
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self):
        self.response.close()


def test_an_update_raised_on_b_reaches_a_subscription_made_on_a_through_the_stream_on_c(cluster):
    update_crosses(*cluster)


def update_crosses(a: Server, b: Server, c: Server) -> None:
    """Subscribed through a, its GET stream on c, an update raised by a tool on b: the client hears it once."""
    session = start_session(a)
    status, _, body = http("POST", a.url, rpc("resources/subscribe", {"uri": "test://watched"}, id=1), session)
    assert status == 200 and "result" in messages(body)[-1], body
    # The session lives on b as well (it serves the call below), which must not notify it a second time.
    stream = Stream(c.url, {**session, "Accept": "text/event-stream"})
    try:
        status, _, body = http("POST", b.url, rpc("tools/call", {"name": "touch"}, id=2), session)
        assert status == 200 and "touched on i1" in body.decode(), body
        first = stream.next(timeout=10)
        assert first is not None, "no notification on the stream held by c"
        assert first["method"] == UPDATED and first["params"]["uri"] == "test://watched", first
        assert stream.next(timeout=2) is None, "a second notification"
    finally:
        stream.close()


def test_an_elicitation_raised_on_b_is_answered_through_a(cluster):
    a, b, _ = cluster
    session = start_session(a)
    call = Stream(b.url, session, rpc("tools/call", {"name": "ask"}, id=5))
    try:
        asked = call.next(timeout=10)
        assert asked is not None and asked["method"] == "elicitation/create", asked
        answer = {"jsonrpc": "2.0", "id": asked["id"], "result": {"action": "accept", "content": {"name": "Ada"}}}
        status, _, body = http("POST", a.url, answer, session)
        assert status == 202, body
        result = call.next(timeout=10)
        assert result is not None, "the tool on b never got the answer posted to a"
        assert result["id"] == 5 and result["result"]["content"][0]["text"] == "hello Ada from i1", result
    finally:
        call.close()


ROUNDS = 12


def test_the_sdk_client_behind_nginx_hears_every_update_and_answers_every_elicitation(built, cluster, tmp_path):
    """The official client through the generated nginx config (round robin: its calls, its answers and its GET
    stream spread over the three instances) subscribes once, then calls `ask` and `touch` ROUNDS times: every
    elicitation is answered wherever the answer lands, and it hears every update exactly once."""
    nginx = Nginx(tmp_path, [s.base.removeprefix("http://") for s in cluster], built[1] / "deploy" / "nginx.conf")
    updates: list[str] = []
    asked_on: Counter = Counter()
    touched_on: Counter = Counter()

    async def answer(context, params):
        return {"action": "accept", "content": {"name": "Ada"}}

    async def on_message(message) -> None:
        if getattr(message, "method", None) == UPDATED:
            updates.append(message.params.uri)

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(nginx.url, mode="legacy", read_timeout_seconds=30, elicitation_callback=answer,
                              message_handler=on_message) as client:
                await client.subscribe_resource("test://watched")
                for _ in range(ROUNDS):
                    result = await client.call_tool("ask", {})
                    assert not result.is_error, result
                    text = result.content[0].text
                    assert text.startswith("hello Ada from "), text
                    asked_on[text.rsplit(" ", 1)[1]] += 1
                    result = await client.call_tool("touch", {})
                    assert not result.is_error, result
                    touched_on[result.content[0].text.rsplit(" ", 1)[1]] += 1
                    # Four requests a round (call, answer, call, ping) turn round robin's three upstreams.
                    await client.send_ping()
                deadline = time.monotonic() + 10
                while len(updates) < ROUNDS and time.monotonic() < deadline:
                    await anyio.sleep(0.05)
                await anyio.sleep(1)  # room for a duplicate to show up

    try:
        anyio.run(main)
    finally:
        nginx.stop()
    assert len(asked_on) >= 2 and len(touched_on) >= 2, (asked_on, touched_on)
    assert updates == ["test://watched"] * ROUNDS, updates


def test_a_call_whose_instance_dies_mid_call_gets_an_error_not_silence(built, cluster, tmp_path):
    """kill -9 of the instance running a client's tool call (while the call waits on the client's elicitation
    answer), behind the generated nginx config: the call fails with an error well before the client's read
    timeout, and the same session carries on through the other instances."""
    nginx = Nginx(tmp_path, [s.base.removeprefix("http://") for s in cluster], built[1] / "deploy" / "nginx.conf")
    killed: list[Server] = []
    outcome: dict = {}

    async def answer_after_killing_the_asker(context, params):
        for server in cluster:
            if "ask: waiting for the client" in server.text() and not killed:
                server.proc.kill()
                server.proc.wait(timeout=10)
                killed.append(server)
        return {"action": "accept", "content": {"name": "Ada"}}

    async def main() -> None:
        with anyio.fail_after(120):
            async with Client(nginx.url, mode="legacy", read_timeout_seconds=60,
                              elicitation_callback=answer_after_killing_the_asker) as client:
                started = time.monotonic()
                try:
                    outcome["result"] = await client.call_tool("ask", {})
                except Exception as error:  # noqa: BLE001 - the failure under test
                    outcome["error"] = error
                outcome["seconds"] = time.monotonic() - started
                after = await client.call_tool("touch", {})
                assert not after.is_error, after

    try:
        anyio.run(main)
    finally:
        nginx.stop()
    assert len(killed) == 1
    print("a call on a killed instance:", outcome)
    failed = "error" in outcome or outcome["result"].is_error
    assert failed and outcome["seconds"] < 30, outcome


AFTER_RECOVERY = 25


def test_a_redis_restart_under_load_fails_only_calls_during_the_outage(built, tmp_path):
    """CLIENTS official SDK clients call through the generated nginx config while redis-server restarts (with its
    data, as a production Redis keeps it): every call before the outage succeeds, `/readyz` turns 503 on every
    instance and back to 200 without a restart, a call during the outage that needs Redis (its session started on
    another instance) gets a clear 503, and every call after recovery succeeds (AFTER_RECOVERY per client)."""
    (tmp_path / "redis").mkdir()
    redis = Redis(persist=tmp_path / "redis")
    servers = [Server(built[0], ["--transport", "streamable-http", "--stateful"],
                      env={"CLUSTER_REDIS_URL": redis.url, "INSTANCE_ID": f"i{n}"}) for n in range(3)]
    nginx = Nginx(tmp_path, [s.base.removeprefix("http://") for s in servers], built[1] / "deploy" / "nginx.conf")
    phase = {"now": "before"}
    outcomes: Counter = Counter()
    moved: dict = {}

    def call_elsewhere() -> tuple[int, bytes]:
        """A session started on the first instance, then a call on the second: it needs the stored record."""
        session = start_session(servers[0])
        status, _, body = http("POST", servers[1].url, rpc("tools/call", {"name": "touch"}, id=2), session)
        return status, body

    errors: list[str] = []

    async def one_client() -> None:
        async with Client(nginx.url, mode="legacy", read_timeout_seconds=30) as client:
            after = 0
            while after < AFTER_RECOVERY:
                started = phase["now"]
                try:
                    result = await client.call_tool("touch", {})
                    ok = not result.is_error
                except Exception as error:  # noqa: BLE001 - the failures counted
                    ok = False
                    errors.append(repr(error))
                ended = phase["now"]
                outcomes[(started if started == ended else "transition", ok)] += 1
                after += ended == "after"
                await anyio.sleep(0.01)

    async def restart_redis() -> None:
        while outcomes[("before", True)] < 50:
            await anyio.sleep(0.05)
        await anyio.to_thread.run_sync(redis.stop)
        phase["now"] = "outage"
        for s in servers:
            await anyio.to_thread.run_sync(wait_for_status, f"{s.base}/readyz", 503)
        moved["outage"] = await anyio.to_thread.run_sync(call_elsewhere)
        await anyio.to_thread.run_sync(redis.start)
        for s in servers:
            await anyio.to_thread.run_sync(wait_for_status, f"{s.base}/readyz", 200)
        phase["now"] = "after"
        moved["after"] = await anyio.to_thread.run_sync(call_elsewhere)

    async def main() -> None:
        with anyio.fail_after(300):
            async with anyio.create_task_group() as tg:
                tg.start_soon(restart_redis)
                for _ in range(CLIENTS):
                    tg.start_soon(one_client)

    try:
        anyio.run(main)
        assert all(s.proc.poll() is None for s in servers), "an instance stopped"
        # Once the load is over (its calls raise updates too): every instance listens on the event channel again.
        update_crosses(*servers)
    finally:
        nginx.stop()
        for s in servers:
            s.stop()
        redis.stop()
    print("calls by phase and success:", dict(outcomes), errors[:3])
    if errors:
        # What nginx answered other than 2xx, and what the instances warned of: the failure's cause.
        refused = [line for line in (tmp_path / "access.log").read_text().splitlines() if line.split()[1][0] != "2"]
        warnings = [line for s in servers for line in s.text().splitlines() if " WARN " in line or " ERROR " in line]
        errors += ["nginx:", *refused[-20:], "instances:", *warnings[-40:]]
    assert outcomes[("before", False)] == 0, errors
    # The clients' sessions were held by every instance before the outage (round robin spreads them), so
    # their calls needed no Redis; a session only Redis could move gets a clear 503 until it is back.
    status, body = moved["outage"]
    assert status == 503 and b"session store is unreachable; retry later" in body, moved
    assert json.loads(body)["error"]["code"] == -32000, body  # a JSON-RPC error: clients show its message
    status, body = moved["after"]
    assert status == 200 and b"touched on i1" in body, moved
    assert outcomes[("after", False)] == 0, errors
    assert outcomes[("after", True)] >= CLIENTS * (AFTER_RECOVERY - 1), outcomes
