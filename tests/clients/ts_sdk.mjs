// Client matrix, official TypeScript SDK (npm @modelcontextprotocol/sdk, pinned in tests/package.json): drives the
// weather and conformance examples over stdio, stateful streamable HTTP, stateless JSON HTTP and (where the spec
// declares it) the legacy HTTP+SSE transport, negotiating every protocol version before 2026-07-28: 2025-11-25 (the
// SDK's own), 2025-06-18, 2025-03-26 and 2024-11-05 (older clients, by rewriting the version they ask for).
//
// Every session lists and compares with the spec, calls every tool with an expected result in
// tests/e2e/expect/<example>.yaml, reads and gets what that file lists, and compares values. On the conformance
// example, sessions that can carry server-to-client requests (stdio, stateful HTTP) also check sampling,
// elicitation, logging with levels, progress, resource subscriptions and completions against a client that
// declares those capabilities.
//
// Usage: tests/node_modules/.bin/node tests/clients/ts_sdk.mjs   (servers built in target/debug; exit 1 on failure)

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

import { Checks, loadExample, startHttpServer, textOf, within } from "./lib.mjs";

const CALL_TIMEOUT_MS = 20_000;
const SESSION_TIMEOUT_MS = 120_000;
const VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
const MODES = [
  { id: "stdio", flags: null, serverRequests: true },
  { id: "http-stateful", flags: ["--stateful"], serverRequests: true },
  { id: "http-stateless-json", flags: ["--stateless", "--json-response"], serverRequests: false },
  { id: "sse", transport: "sse", flags: [], serverRequests: true },
];

/**
 * Wraps a transport so `initialize` asks for `version`, and records the version the server answers and every
 * progress notification as it arrives. The SDK hands a notification to its handler a microtask later but settles a
 * call's result at once, so a progress notification read in the same chunk as the result reaches no `onprogress`
 * (the handler is gone by then), although the server sent it in order. The progress checks read this record.
 */
function pinVersion(transport, version) {
  const negotiated = { version: undefined, progress: [] };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (message.method === "initialize") {
      message = { ...message, params: { ...message.params, protocolVersion: version } };
    }
    return send(message, options);
  };
  let onmessage;
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    get: () => onmessage,
    set: (handler) => {
      onmessage = (message, extra) => {
        if (message.id !== undefined && message.result?.protocolVersion) negotiated.version = message.result.protocolVersion;
        if (message.method === "notifications/progress") {
          negotiated.progress.push([message.params.progress, message.params.total]);
        }
        handler?.(message, extra);
      };
    },
  });
  return negotiated;
}

function makeTransport(ex, mode, server) {
  if (mode.id === "stdio") {
    return new StdioClientTransport({ command: ex.binary, args: ["--transport", "stdio"], stderr: "ignore" });
  }
  if (mode.id === "sse") return new SSEClientTransport(new URL(server.url));
  return new StreamableHTTPClientTransport(new URL(server.url));
}

async function connect(ex, mode, server, version, capabilities = {}) {
  const client = new Client({ name: "mcpgen-ts-matrix", version: "1.0.0" }, { capabilities });
  const transport = makeTransport(ex, mode, server);
  const negotiated = pinVersion(transport, version);
  await within(CALL_TIMEOUT_MS, client.connect(transport), "connect");
  client.progressOnWire = negotiated.progress;
  return { client, negotiated };
}

/** What the Python end-to-end tests check from the expect file, through this client. */
async function checkExample(check, client, ex) {
  const opts = { timeout: CALL_TIMEOUT_MS };
  check.equal(client.getServerVersion()?.name, ex.spec.server.name, "serverInfo.name");

  const tools = (await client.listTools(undefined, opts)).tools;
  check.equal(tools.map((t) => t.name), (ex.spec.tools ?? []).map((t) => t.name), "tools/list names");
  for (const tool of ex.spec.tools ?? []) {
    const got = tools.find((t) => t.name === tool.name);
    if (tool.inputSchema) check.equal(got?.inputSchema, tool.inputSchema, `${tool.name} inputSchema (verbatim)`);
    if (tool.outputSchema) check.equal(got?.outputSchema, tool.outputSchema, `${tool.name} outputSchema (verbatim)`);
  }

  for (const [name, calls] of Object.entries(ex.expect.tools ?? {})) {
    for (const call of calls) {
      if (call.rpcError !== undefined) {
        const error = await client.callTool({ name, arguments: call.args ?? {} }, undefined, opts).then(
          (result) => ({ result }),
          (thrown) => thrown,
        );
        check.equal(error?.code, call.rpcError, `${name} JSON-RPC error (${JSON.stringify(error?.result ?? error?.message)})`);
        continue;
      }
      client.progressOnWire.length = 0;
      const result = await client.callTool({ name, arguments: call.args ?? {} }, undefined, {
        ...opts,
        onprogress: () => {},
      });
      const progress = client.progressOnWire.map(([done]) => done);
      const text = textOf(result.content);
      check.equal(Boolean(result.isError), call.isError ?? false, `${name} isError (${text})`);
      if (call.structured) check.equal(result.structuredContent, call.structured, `${name} structuredContent`);
      for (const [key, want] of Object.entries(call.structuredSubset ?? {})) {
        check.equal(result.structuredContent?.[key], want, `${name} structuredContent.${key}`);
      }
      for (const needle of call.textContains ?? []) check.contains(text, needle, `${name} text`);
      if (call.minProgress) check.ok(progress.length >= call.minProgress, `${name}: progress ${progress}`);
    }
  }

  for (const res of ex.spec.resources ?? []) {
    let want;
    if (res.text !== undefined) want = Buffer.from(res.text);
    else if (res.file !== undefined) want = readFileSync(join(ex.specDir, res.file));
    else continue;
    const { contents } = await client.readResource({ uri: res.uri }, opts);
    const got = contents[0]?.text !== undefined ? Buffer.from(contents[0].text) : Buffer.from(contents[0]?.blob ?? "", "base64");
    check.ok(contents.length === 1 && got.equals(want), `${res.uri}: bytes differ`);
    check.equal(contents[0]?.mimeType, res.mimeType, `${res.uri} mimeType`);
  }
  for (const read of ex.expect.reads ?? []) {
    const { contents } = await client.readResource({ uri: read.uri }, opts);
    const text = contents.map((c) => c.text ?? "").join("");
    for (const needle of read.textContains ?? []) check.contains(text, needle, `read ${read.uri}`);
  }
  for (const get of ex.expect.prompts ?? []) {
    const { messages } = await client.getPrompt({ name: get.name, arguments: get.args ?? {} }, opts);
    const text = textOf(messages.map((m) => m.content));
    for (const needle of get.textContains ?? []) check.contains(text, needle, `prompt ${get.name}`);
  }
}

/** The conformance fixture's server-to-client features, with a client that declares sampling and elicitation. */
async function checkConformanceExtras(check, client) {
  const opts = { timeout: CALL_TIMEOUT_MS };
  const call = async (name, args = {}) => {
    const result = await client.callTool({ name, arguments: args }, undefined, opts);
    return { result, text: textOf(result.content) };
  };

  // Sampling: the server sends the prompt as a user message and returns the model's answer.
  let sampled;
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    sampled = request.params;
    return { role: "assistant", content: { type: "text", text: "four" }, model: "matrix-model", stopReason: "endTurn" };
  });
  let { result, text } = await call("test_sampling", { prompt: "What is 2+2?" });
  check.equal(text, "LLM response: four", "test_sampling result");
  check.equal(sampled?.messages, [{ role: "user", content: { type: "text", text: "What is 2+2?" } }], "sampling messages");
  check.equal(sampled?.maxTokens, 100, "sampling maxTokens");

  // Elicitation: accept with values, and decline.
  let elicited;
  let answer = { action: "accept", content: { username: "ada", email: "ada@example.com" } };
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicited = request.params;
    return answer;
  });
  ({ text } = await call("test_elicitation", { message: "Who are you?" }));
  check.equal(elicited?.message, "Who are you?", "elicitation message");
  check.equal(elicited?.requestedSchema?.required, ["username", "email"], "elicitation required fields");
  check.equal(text, 'User response: action=accept, content={"username":"ada","email":"ada@example.com"}', "test_elicitation result");
  answer = { action: "decline" };
  ({ text } = await call("test_elicitation_sep1034_defaults"));
  check.equal(text, "Elicitation completed: action=decline, content={}", "sep1034 result");
  const props = elicited?.requestedSchema?.properties ?? {};
  check.equal(
    [props.name?.default, props.age?.default, props.score?.default, props.status?.default, props.verified?.default],
    ["John Doe", 30, 95.5, "active", true],
    "sep1034 defaults",
  );
  answer = { action: "accept", content: { untitledSingle: "option2", titledMulti: ["value1", "value3"] } };
  ({ text } = await call("test_elicitation_sep1330_enums"));
  check.contains(text, '"titledMulti":["value1","value3"]', "sep1330 result");
  check.equal(elicited?.requestedSchema?.properties?.legacyEnum?.enumNames, ["Option One", "Option Two", "Option Three"],
    "sep1330 legacy enumNames");

  // Logging: messages arrive during the call, in order, and the level set by the client filters them.
  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
  await client.setLoggingLevel("info", opts);
  await call("test_tool_with_logging");
  check.equal(logs.map((l) => [l.level, l.data]), [
    ["info", "Tool execution started"],
    ["info", "Tool processing data"],
    ["info", "Tool execution completed"],
  ], "log messages at level info");
  logs.length = 0;
  await client.setLoggingLevel("warning", opts);
  await call("test_tool_with_logging");
  check.equal(logs, [], "info messages filtered out at level warning");

  // Progress: 0, 50, 100 of 100, in order, before the result (see pinVersion for why they are read off the wire).
  client.progressOnWire.length = 0;
  await client.callTool({ name: "test_tool_with_progress", arguments: {} }, undefined, {
    ...opts,
    onprogress: () => {},
  });
  check.equal([...client.progressOnWire], [[0, 100], [50, 100], [100, 100]], "progress notifications");

  // Subscriptions: a subscribed session hears about the change; after unsubscribing it does not.
  const updates = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => updates.push(n.params.uri));
  await client.subscribeResource({ uri: "test://watched-resource" }, opts);
  ({ result } = await call("test_update_watched_resource"));
  check.equal(result.structuredContent?.notified, 1, "subscribers notified");
  const version = result.structuredContent?.version;
  await within(CALL_TIMEOUT_MS, (async () => {
    while (updates.length === 0) await new Promise((r) => setTimeout(r, 10));
  })(), "resources/updated notification");
  check.equal(updates, ["test://watched-resource"], "resources/updated uri");
  const { contents } = await client.readResource({ uri: "test://watched-resource" }, opts);
  check.equal(contents[0]?.text, `Watched resource, version ${version}.`, "watched resource after update");
  await client.unsubscribeResource({ uri: "test://watched-resource" }, opts);
  ({ result } = await call("test_update_watched_resource"));
  check.equal(result.structuredContent?.notified, 0, "no subscribers after unsubscribe");

  // Completions: static lists filtered by prefix, and the hook.
  const complete = async (ref, name, value) =>
    (await client.complete({ ref, argument: { name, value } }, opts)).completion.values;
  check.equal(await complete({ type: "ref/prompt", name: "test_prompt_with_arguments" }, "arg1", "par"),
    ["paris", "park", "party"], "prompt argument completions");
  check.equal(await complete({ type: "ref/resource", uri: "test://template/{id}/data" }, "id", ""),
    ["1", "2", "3"], "template variable completions");
  check.equal(await complete({ type: "ref/prompt", name: "test_prompt_with_embedded_resource" }, "resourceUri", "test://static-"),
    ["test://static-text", "test://static-binary"], "completion hook");
}

/** One connection: checks the negotiated version, runs `body`, always closes. */
async function session(ex, mode, server, version, capabilities, body, check) {
  const { client, negotiated } = await connect(ex, mode, server, version, capabilities);
  try {
    check.equal(negotiated.version, version, "negotiated protocol version");
    await within(SESSION_TIMEOUT_MS, body(client), "session");
  } finally {
    await client.close();
  }
}

const checks = new Checks();
for (const name of ["weather", "conformance"]) {
  const ex = loadExample(name);
  for (const mode of MODES.filter((m) => m.transport !== "sse" || ex.spec.transports?.sse)) {
    const server = mode.flags ? await startHttpServer(ex.binary, mode.flags, mode.transport) : null;
    try {
      for (const version of VERSIONS) {
        await checks.run(`ts-sdk ${name} ${mode.id} ${version}`, async (check) => {
          await session(ex, mode, server, version, {}, async (client) => checkExample(check, client, ex), check);
          if (name === "conformance" && mode.serverRequests) {
            const capabilities = { sampling: {}, elicitation: {} };
            await session(ex, mode, server, version, capabilities, async (client) => checkConformanceExtras(check, client), check);
          }
        });
      }
    } finally {
      await server?.stop();
    }
  }
}
process.exit(checks.report("ts-sdk client matrix") ? 0 : 1);
