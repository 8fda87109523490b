// MCP tasks (protocol 2025-11-25) through the official TypeScript SDK client's task API
// (`client.experimental.tasks`, npm @modelcontextprotocol/sdk pinned in tests/package.json), against the generated
// `tasks` example (specs/tasks.yaml) over stdio and stateful streamable HTTP: the capability and `execution` in
// tools/list, create, poll, result, list, cancel (reaching the handler), TTL expiry, a required tool called plainly,
// input_required with elicitation, and hostile calls (unknown ids, another session's task, cancel after completion).
//
// Parity: the same research scenario runs against the official reference server (npm
// @modelcontextprotocol/server-everything, pinned in tests/package.json) over stdio, and the statuses the client sees
// (in order, repeats folded) and the shape of the result must match the generated server's.
//
// Usage: tests/node_modules/.bin/node tests/clients/ts_tasks.mjs   (server built in target/debug; exit 1 on failure)

import { createRequire } from "node:module";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  ElicitRequestSchema,
  TaskStatusNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

import { Checks, loadExample, startHttpServer, textOf, within } from "./lib.mjs";

const CALL_TIMEOUT_MS = 20_000;
const SESSION_TIMEOUT_MS = 120_000;
const RELATED = "io.modelcontextprotocol/related-task";
const RESEARCH = "simulate-research-query";

/** A connected client that declares elicitation and answers every form with `interpretation: historical`. */
async function connect(transport) {
  const client = new Client({ name: "mcpgen-ts-tasks", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  const elicitations = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push(request.params);
    return { action: "accept", content: { interpretation: "historical" } };
  });
  await within(CALL_TIMEOUT_MS, client.connect(transport), "connect");
  return { client, elicitations };
}

function stdio(command, args) {
  return new StdioClientTransport({ command, args, stderr: "ignore" });
}

/** Runs a task-augmented call through `callToolStream`: the statuses seen (repeats folded) and the final message. */
async function stream(client, name, args) {
  const statuses = [];
  let created;
  let last;
  const run = async () => {
    for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, undefined, {
      task: { ttl: 60_000 },
      timeout: CALL_TIMEOUT_MS,
    })) {
      if (message.type === "taskCreated") created = message.task;
      const status = message.task?.status;
      if (status && statuses.at(-1) !== status) statuses.push(status);
      last = message;
    }
  };
  await within(CALL_TIMEOUT_MS, run(), `callToolStream ${name}`);
  return { statuses, created, last };
}

/** A task created with a raw task-augmented tools/call (no polling), for cancel and TTL cases. */
async function create(client, name, args, ttl) {
  const created = await client.request({ method: "tools/call", params: { name, arguments: args } }, CreateTaskResultSchema, {
    task: { ttl },
    timeout: CALL_TIMEOUT_MS,
  });
  return created.task;
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function generatedScenarios(checks, mode, ex, makeTransport) {
  const { client, elicitations } = await connect(makeTransport());
  const other = (await connect(makeTransport())).client;
  try {
    await checks.run(`${mode}: capability and execution`, async (check) => {
      check.equal(client.getServerCapabilities()?.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } }, "tasks");
      const { tools } = await client.listTools();
      const execution = Object.fromEntries(tools.map((t) => [t.name, t.execution]));
      const want = Object.fromEntries(ex.spec.tools.map((t) => [t.name, t.execution]));
      check.equal(execution, want, "execution as the spec writes it");
    });

    let researchId;
    // notifications/tasks/status, by task id, as they arrive.
    const notified = {};
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
      (notified[n.params.taskId] ??= []).push(n.params.status);
    });
    await checks.run(`${mode}: research as a task (create, poll, result)`, async (check) => {
      const { statuses, created, last } = await stream(client, RESEARCH, { topic: "quantum computing" });
      check.equal(created?.status, "working", "created status");
      check.equal(created?.ttl, 60_000, "granted ttl");
      check.ok(typeof created?.pollInterval === "number", "pollInterval");
      check.ok(!Number.isNaN(Date.parse(created?.createdAt)), `createdAt is a date: ${created?.createdAt}`);
      check.equal(statuses.at(0), "working", "first status");
      check.equal(statuses.at(-1), "completed", "last status");
      check.equal(last?.type, "result", "final message");
      check.contains(textOf(last?.result?.content ?? []), "# Research Report: quantum computing", "report");
      check.equal(last?.result?._meta?.[RELATED]?.taskId, created?.taskId, "related-task meta");
      researchId = created?.taskId;
      const task = await client.experimental.tasks.getTask(researchId);
      check.equal(task.status, "completed", "tasks/get after the result");
      const result = await client.experimental.tasks.getTaskResult(researchId, CallToolResultSchema);
      check.equal(result.content, last?.result?.content, "tasks/result again: the same result");
      // The status notifications end with the terminal one (the result may be read before it arrives).
      await within(CALL_TIMEOUT_MS, (async () => {
        while (notified[researchId]?.at(-1) !== "completed") await sleep(10);
      })(), "notifications/tasks/status completed");
      check.equal(notified[researchId]?.at(-1), "completed", "status notifications end with completed");
    });

    await checks.run(`${mode}: list shows only this session's tasks`, async (check) => {
      const mine = await client.experimental.tasks.listTasks();
      check.ok(mine.tasks.some((t) => t.taskId === researchId), "own task listed");
      const theirs = await other.experimental.tasks.listTasks();
      check.equal(theirs.tasks, [], "another session's list");
    });

    await checks.run(`${mode}: another session cannot see, fetch or cancel the task`, async (check) => {
      for (const call of [
        () => other.experimental.tasks.getTask(researchId),
        () => other.experimental.tasks.getTaskResult(researchId, CallToolResultSchema),
        () => other.experimental.tasks.cancelTask(researchId),
        () => client.experimental.tasks.getTask("00000000-0000-4000-8000-000000000000"),
      ]) {
        const error = await errorOf(call());
        check.equal(error?.code, -32602, "invalid params");
      }
    });

    await checks.run(`${mode}: cancel reaches the handler; cancel after completion is refused`, async (check) => {
      const task = await create(client, "wait", { ms: 60_000 }, 60_000);
      check.equal(task.status, "working", "created");
      const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
      check.equal(cancelled.status, "cancelled", "tasks/cancel answer");
      check.equal((await client.experimental.tasks.getTask(task.taskId)).status, "cancelled", "tasks/get");
      const again = await errorOf(client.experimental.tasks.cancelTask(task.taskId));
      check.equal(again?.code, -32602, "second cancel");
      const late = await errorOf(client.experimental.tasks.cancelTask(researchId));
      check.equal(late?.code, -32602, "cancel after completion");
      // The handler saw its cancellation: a plain `wait` in the same session still runs (the server is free).
      const plain = await client.callTool({ name: "wait", arguments: { ms: 1 } }, undefined, { timeout: CALL_TIMEOUT_MS });
      check.equal(plain.structuredContent?.cancelled, false, "a plain call after the cancel");
    });

    await checks.run(`${mode}: an expired task is gone`, async (check) => {
      const task = await create(client, "wait", { ms: 10 }, 300);
      check.equal(task.ttl, 300, "granted ttl");
      await sleep(1_000);
      const error = await errorOf(client.experimental.tasks.getTask(task.taskId));
      check.equal(error?.code, -32602, "tasks/get after the ttl");
    });

    await checks.run(`${mode}: a required tool called plainly is refused`, async (check) => {
      const error = await errorOf(
        client.request({ method: "tools/call", params: { name: RESEARCH, arguments: { topic: "x" } } }, CallToolResultSchema),
      );
      check.equal(error?.code, -32601, "method not found");
    });

    await checks.run(`${mode}: input_required with elicitation`, async (check) => {
      const { statuses, last, created } = await stream(client, RESEARCH, { topic: "python", ambiguous: true });
      check.equal(statuses.at(-1), "completed", "last status");
      check.contains(textOf(last?.result?.content ?? []), "# Research Report: python (historical)", "report uses the answer");
      check.equal(elicitations.length, 1, "one elicitation");
      check.equal(elicitations[0]?._meta?.[RELATED]?.taskId, created?.taskId, "elicitation names its task");
    });
  } finally {
    await client.close();
    await other.close();
  }
}

/** The research scenario against any server: statuses (repeats folded) and the result's shape. */
async function researchShape(makeTransport) {
  const { client } = await connect(makeTransport());
  try {
    const { statuses, last } = await stream(client, RESEARCH, { topic: "quantum computing" });
    const result = last?.result ?? {};
    // `isError: false` means the same as no `isError`; rmcp writes it on every tool result, plain or task.
    return {
      statuses,
      keys: Object.keys(result).filter((k) => !(k === "isError" && result[k] === false)).sort(),
      content: (result.content ?? []).map((b) => b.type),
      related: Object.keys(result._meta ?? {}),
    };
  } finally {
    await client.close();
  }
}

/** The reference server's entry point, when its package is installed. */
function everythingServer() {
  try {
    return createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/dist/index.js");
  } catch {
    return process.env.EVERYTHING_SERVER;
  }
}

async function main() {
  const ex = loadExample("tasks");
  const checks = new Checks();
  await within(SESSION_TIMEOUT_MS, generatedScenarios(checks, "stdio", ex, () => stdio(ex.binary, ["--transport", "stdio"])), "stdio");
  const server = await startHttpServer(ex.binary, ["--stateful"]);
  try {
    const http = () => new StreamableHTTPClientTransport(new URL(server.url));
    await within(SESSION_TIMEOUT_MS, generatedScenarios(checks, "http-stateful", ex, http), "http-stateful");

    const reference = everythingServer();
    await checks.run("parity with the reference server (server-everything)", async (check) => {
      check.ok(reference, "@modelcontextprotocol/server-everything is installed (npm ci in tests/)");
      if (!reference) return;
      const theirs = await within(SESSION_TIMEOUT_MS, researchShape(() => stdio(process.execPath, [reference, "stdio"])), "reference");
      const ours = await within(SESSION_TIMEOUT_MS, researchShape(() => stdio(ex.binary, ["--transport", "stdio"])), "generated");
      check.equal(ours, theirs, "statuses in order and result shape");
    });
  } finally {
    await server.stop();
  }
  process.exit(checks.report("ts_tasks") ? 0 : 1);
}

await main();
