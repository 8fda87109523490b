"""End-to-end: an OAuth-protected generated server (tests/e2e/specs/secure.yaml, streamable HTTP and legacy SSE on one
port) against keys and tokens made by this test, plus the hardening every HTTP server gets, and bearer auth on both
HTTP transports of the `everything` example."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from http_support import MCP_HEADERS, ROOT, Server, build_server, http, rpc
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

ISSUER = "https://issuer.example.test"
AUDIENCE = "https://mcp.example.test/mcp"

HANDLERS = {
    "src/tools/whoami.rs": """use crate::generated::prelude::*;

pub async fn handle(ctx: Ctx) -> ToolResult {
    let claims = ctx.claims().ok_or_else(|| ToolError::new("no token claims"))?;
    let text = json!({"sub": claims.subject(), "scopes": claims.scopes()}).to_string();
    Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
}
""",
    "src/tools/admin_op.rs": """use crate::generated::prelude::*;

pub async fn handle(_ctx: Ctx) -> ToolResult {
    Ok(CallToolResult::success(vec![ContentBlock::text("admin ok")]))
}
""",
}


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid: str) -> dict:
    def b64(n: int) -> str:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(numbers.n), "e": b64(numbers.e)}


class Jwks:
    """Serves a key set on 127.0.0.1 and counts fetches; `set` replaces the keys and their Cache-Control max-age,
    `status` other than 200 answers that status with no keys."""

    def __init__(self, keys: list[dict]):
        self.set(keys)
        self.status = 200
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.fetches += 1
                body = outer.document if outer.status == 200 else b""
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if outer.max_age is not None:
                    self.send_header("Cache-Control", f"public, max-age={outer.max_age}")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def set(self, keys: list[dict], max_age: int | None = None):
        self.document = json.dumps({"keys": keys}).encode()
        self.max_age = max_age

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def keys():
    return {"good": rsa_key(), "unknown": rsa_key(), "rotated": rsa_key()}


@pytest.fixture(scope="module")
def jwks(keys):
    server = Jwks([public_jwk(keys["good"], "k1")])
    yield server
    server.close()


@pytest.fixture(scope="module")
def secure_binary(tmp_path_factory, jwks):
    return build_server(tmp_path_factory.mktemp("secure"), "secure", {"@JWKS_URI@": jwks.url}, HANDLERS)


@pytest.fixture
def server(secure_binary):
    started = Server(secure_binary, ["--transport", "streamable-http", "--max-body-bytes", "65536"])
    yield started
    started.stop()


def token(key, kid="k1", alg="RS256", **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "iat": now, "nbf": now - 5, "exp": now + 600,
              "scope": "mcp"}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def call(server: Server, bearer: str | None, message: dict | None = None, extra: dict | None = None):
    headers = dict(MCP_HEADERS)
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    headers.update(extra or {})
    return http("POST", server.url, message or rpc("tools/list"), headers)


def test_valid_token_works_and_claims_reach_the_handler(server, keys):
    status, _, body = call(server, token(keys["good"]))
    assert status == 200, body
    names = [t["name"] for t in json.loads(body)["result"]["tools"]]
    assert names == ["whoami", "admin_op"]
    status, _, body = call(server, token(keys["good"], sub="bob", scope="mcp extra"),
                           rpc("tools/call", {"name": "whoami", "arguments": {}}))
    assert status == 200, body
    text = json.loads(body)["result"]["content"][0]["text"]
    assert json.loads(text) == {"sub": "bob", "scopes": ["mcp", "extra"]}


def unsigned(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def tampered(good: str) -> str:
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_bad_tokens_get_401_with_the_metadata_challenge(server, keys):
    now = int(time.time())
    bad = {
        "missing": None,
        "garbage": "not-a-jwt",
        "expired": token(keys["good"], exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "not yet valid": token(keys["good"], nbf=now + 3600),
        "wrong audience": token(keys["good"], aud="https://other.example.test/mcp"),
        "wrong issuer": token(keys["good"], iss="https://evil.example.test"),
        "unknown key": token(keys["unknown"], kid="k2"),
        "right kid, other key": token(keys["unknown"], kid="k1"),
        "alg none": unsigned({"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": now + 600, "scope": "mcp"}),
        "HS256 with the public key": jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "scope": "mcp"}, "secret-key-for-hs256-test-0123456789",
            algorithm="HS256", headers={"kid": "k1"}),
        "tampered": tampered(token(keys["good"])),
        "no exp": token(keys["good"], exp=None),
    }
    for case, bearer in bad.items():
        status, headers, _ = call(server, bearer)
        assert status == 401, case
        challenge = headers.get("www-authenticate", "")
        assert challenge.startswith("Bearer "), case
        assert 'resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp"' in challenge


def test_missing_scopes_get_403_insufficient_scope(server, keys):
    status, headers, _ = call(server, token(keys["good"], scope="other"))
    assert status == 403
    assert 'error="insufficient_scope"' in headers["www-authenticate"]
    admin = rpc("tools/call", {"name": "admin_op", "arguments": {}})
    status, headers, _ = call(server, token(keys["good"], scope="mcp"), admin)
    assert status == 403
    assert 'scope="mcp admin"' in headers["www-authenticate"]
    status, _, body = call(server, token(keys["good"], scope="mcp admin"), admin)
    assert status == 200 and b"admin ok" in body
    # Other tools need only the server's scopes.
    status, _, _ = call(server, token(keys["good"], scope="mcp"), rpc("tools/call", {"name": "whoami", "arguments": {}}))
    assert status == 200


def test_a_rotated_key_is_refused_once_the_key_set_expires(server, jwks, keys):
    """The issuer replaces k1 with k3. The set was served with max-age=1, which the runtime raises to its
    10 s minimum: within a generous bound after that, k1's tokens are refused and k3's accepted."""
    jwks.set([public_jwk(keys["good"], "k1")], max_age=1)
    try:
        assert call(server, token(keys["good"]))[0] == 200
        fetches = jwks.fetches
        jwks.set([public_jwk(keys["rotated"], "k3")], max_age=1)
        deadline = time.monotonic() + 40
        while call(server, token(keys["good"]))[0] == 200:
            assert time.monotonic() < deadline, "k1 still trusted 40 s after the issuer dropped it"
            time.sleep(0.5)
        assert jwks.fetches > fetches
        assert call(server, token(keys["rotated"], kid="k3"))[0] == 200
        assert call(server, token(keys["good"]))[0] == 401
    finally:
        jwks.set([public_jwk(keys["good"], "k1")])


def test_protected_resource_metadata(server):
    for path in ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp",
                 "/.well-known/oauth-protected-resource/sse"]:
        status, headers, body = http("GET", server.base + path)
        assert status == 200, path
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body) == {
            "resource": AUDIENCE,
            "authorization_servers": [ISSUER],
            "scopes_supported": ["mcp", "admin"],
            "bearer_methods_supported": ["header"],
            "resource_signing_alg_values_supported": ["RS256", "ES256"],
        }


def test_python_sdk_clients_with_a_token_on_both_transports(server, keys):
    bearer = {"Authorization": f"Bearer {token(keys['good'], sub='carol')}"}

    async def whoami(client: Client) -> dict:
        result = await client.call_tool("whoami", {})
        return json.loads(result.content[0].text)

    async def main():
        with anyio.fail_after(60):
            async with create_mcp_http_client(headers=bearer) as http_client:
                async with Client(streamable_http_client(server.url, http_client=http_client), mode="legacy") as c:
                    assert (await whoami(c))["sub"] == "carol"
            async with Client(sse_client(server.base + "/sse", headers=bearer), mode="legacy") as c:
                assert (await whoami(c))["sub"] == "carol"

    anyio.run(main)


def test_sse_endpoints_require_the_token(server, keys):
    status, headers, _ = http("GET", server.base + "/sse", headers={"Accept": "text/event-stream"})
    assert status == 401 and "resource_metadata" in headers["www-authenticate"]
    status, _, _ = http("POST", server.base + "/message?sessionId=nope", rpc("ping"))
    assert status == 401
    status, _, _ = http("POST", server.base + "/message?sessionId=nope", rpc("ping"),
                        {"Authorization": f"Bearer {token(keys['good'])}", "Content-Type": "application/json"})
    assert status == 404


def test_hardening(server, keys):
    good = token(keys["good"])
    # Health endpoints answer without credentials.
    assert http("GET", server.base + "/healthz")[0] == 200
    assert http("GET", server.base + "/readyz")[0] == 200
    # Foreign Host and Origin are refused before authentication.
    assert call(server, good, extra={"Host": "evil.example.test"})[0] == 403
    assert call(server, good, extra={"Origin": "http://evil.example.test"})[0] == 403
    assert http("GET", server.base + "/sse", headers={"Host": "evil.example.test"})[0] == 403
    # The spec's browser origin passes, with CORS headers and a preflight that needs no token.
    status, headers, _ = call(server, good, extra={"Origin": "http://app.example.test"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "http://app.example.test"
    assert "mcp-session-id" in headers["access-control-expose-headers"]
    status, headers, _ = http("OPTIONS", server.url, headers={
        "Origin": "http://app.example.test", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert status == 200
    assert "authorization" in headers["access-control-allow-headers"]
    # Bodies over --max-body-bytes: 413 with a declared length, on both transports.
    big = json.dumps(rpc("tools/call", {"name": "whoami", "arguments": {"pad": "x" * 70000}})).encode()
    assert call(server, good, big)[0] == 413
    assert http("POST", server.base + "/message?sessionId=x", big,
                {"Authorization": f"Bearer {good}", "Content-Type": "application/json"})[0] == 413


# ---- sessions belong to the principal that started them (issue #25) ----

@pytest.fixture
def stateful(secure_binary):
    started = Server(secure_binary, ["--transport", "streamable-http", "--stateful",
                                     "--max-sessions-per-principal", "2"])
    yield started
    started.stop()


def open_session(server: Server, bearer: str) -> str:
    init = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "e2e", "version": "0"}}, id=0)
    status, headers, body = call(server, bearer, init)
    assert status == 200, body
    session = headers["mcp-session-id"]
    status, _, _ = call(server, bearer, {"jsonrpc": "2.0", "method": "notifications/initialized"},
                        {"Mcp-Session-Id": session})
    assert status == 202
    return session


def sse_endpoint(server: Server, bearer: str):
    """Opens a legacy SSE stream as `bearer`: the open connection and the message URL it announced."""
    import http.client
    connection = http.client.HTTPConnection(server.base.removeprefix("http://"), timeout=10)
    connection.request("GET", "/sse", headers={"Accept": "text/event-stream", "Authorization": f"Bearer {bearer}"})
    response = connection.getresponse()
    assert response.status == 200
    while not (line := response.readline().decode()).startswith("data: "):
        pass
    return connection, server.base + line.removeprefix("data: ").strip()


def test_sessions_belong_to_their_principal(stateful, keys):
    alice, bob = token(keys["good"]), token(keys["good"], sub="bob")
    session = open_session(stateful, alice)
    in_session = {"Mcp-Session-Id": session}
    # Another token of the same subject is the same principal.
    assert call(stateful, token(keys["good"], jti="second"), rpc("ping"), in_session)[0] == 200
    # Another subject, with a valid token: refused as if the session did not exist.
    assert call(stateful, bob, rpc("ping"), in_session)[0] == 404
    for extra in [{}, {"Last-Event-ID": "0"}]:
        status, _, _ = http("GET", stateful.url, headers={**MCP_HEADERS, **in_session, **extra,
                                                          "Authorization": f"Bearer {bob}"}, timeout=5)
        assert status == 404, extra
    assert http("DELETE", stateful.url, headers={**MCP_HEADERS, **in_session, "Authorization": f"Bearer {bob}"})[0] == 404
    # The same subject at another issuer would be another principal too, but the server trusts one issuer.
    assert call(stateful, alice, rpc("ping"), in_session)[0] == 200

    # Legacy SSE: bob cannot post into alice's stream (he could answer her sampling requests).
    connection, endpoint = sse_endpoint(stateful, alice)
    try:
        post = lambda bearer: http("POST", endpoint, rpc("ping"), {  # noqa: E731
            "Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})[0]
        assert post(bob) == 404
        assert post(alice) == 202
    finally:
        connection.close()


def test_sessions_per_principal_are_capped(stateful, keys):
    alice = token(keys["good"])
    first = open_session(stateful, alice)
    open_session(stateful, alice)
    init = rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                              "clientInfo": {"name": "e2e", "version": "0"}}, id=7)
    status, _, body = call(stateful, alice, init)
    assert status == 429, body
    error = json.loads(body)
    assert error["id"] == 7 and error["error"]["code"] == -32000, error
    # Another principal is not held back; ending a session frees a place.
    open_session(stateful, token(keys["good"], sub="bob"))
    assert http("DELETE", stateful.url, headers={**MCP_HEADERS, "Mcp-Session-Id": first,
                                                 "Authorization": f"Bearer {alice}"})[0] == 202
    open_session(stateful, alice)


# ---- bearer auth on both HTTP transports: the everything example ----

EVERYTHING = ROOT / "target" / "debug" / "everything"
BEARER = "e2e-token-1"


@pytest.fixture
def everything():
    # Built with the other examples (conftest.built_examples).
    started = Server(EVERYTHING, ["--transport", "streamable-http"],
                     env={"EVERYTHING_API_TOKEN": f"other-token,{BEARER}"})
    yield started
    started.stop()


def test_bearer_on_both_http_transports(everything):
    sse = everything.base + "/sse"
    for bearer in [None, "wrong", BEARER + "x"]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        assert call(everything, bearer)[0] == 401
        status, response_headers, _ = http("GET", sse, headers=headers)
        assert status == 401 and response_headers["www-authenticate"] == "Bearer"
    assert call(everything, BEARER)[0] == 200

    async def main():
        with anyio.fail_after(60):
            async with Client(sse_client(sse, headers={"Authorization": f"Bearer {BEARER}"}), mode="legacy") as c:
                assert [t.name for t in (await c.list_tools()).tools][0] == "echo"

    anyio.run(main)
