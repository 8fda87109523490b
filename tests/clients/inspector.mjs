// Client matrix, MCP Inspector in CLI mode (npm @modelcontextprotocol/inspector, pinned in tests/package.json):
// tools/list (with its --strict schema-portability lint), tools/call (a result and a tool error), resources/read and
// prompts/get against the weather and conformance examples, over stdio and stateful streamable HTTP, in the legacy
// (initialize, 2025-11-25) and modern (server/discover, 2026-07-28) protocol eras. Results are compared with the
// spec and with tests/e2e/expect/<example>.yaml, and the Inspector's documented exit codes are checked.
//
// Usage: tests/node_modules/.bin/node tests/clients/inspector.mjs   (servers built in target/debug; exit 1 on failure)

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Checks, ROOT, loadExample, startHttpServer, textOf } from "./lib.mjs";

const INSPECTOR = join(ROOT, "tests/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
const RUN_TIMEOUT_MS = 60_000;
const ERAS = ["legacy", "modern"];
/** Exit codes the Inspector CLI documents. */
const EXIT_OK = 0;
const EXIT_TOOL_ERROR = 5;

// The Inspector keeps a catalog and OAuth state under $HOME: give it a throwaway one.
const home = mkdtempSync(join(tmpdir(), "mcpgen-inspector-"));

/** Runs the Inspector CLI once; resolves with its exit code, stdout parsed as JSON (if any) and stderr. */
function inspector(target, era, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [INSPECTOR, "--cli", "--format", "json", "--protocol-era", era, ...args, "--", ...target],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: home, NO_COLOR: "1" } },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code, json, stdout, stderr });
    });
  });
}

/** The first expected tool call with a compared result, and the first expected tool error. */
function pickCalls(ex) {
  const calls = Object.entries(ex.expect.tools ?? {}).flatMap(([name, list]) => list.map((call) => ({ name, ...call })));
  const ok = calls.find((c) => !c.isError && (c.structured || c.textContains?.length));
  const error = calls.find((c) => c.isError && c.textContains?.length);
  return { ok, error };
}

async function checkTarget(check, ex, target, era) {
  const run = (args) => inspector(target, era, args);

  // tools/list, with the portability lint: findings are printed as "Warning: tool ..." / "Error: tool ...".
  let r = await run(["--method", "tools/list", "--strict"]);
  check.equal(r.code, EXIT_OK, `tools/list exit code (stderr: ${r.stderr.trim()})`);
  check.equal(r.json?.result?.tools?.map((t) => t.name), (ex.spec.tools ?? []).map((t) => t.name), "tools/list names");
  check.ok(!/(Warning|Error): tool /.test(r.stderr), `--strict found portability problems:\n${r.stderr}`);

  const { ok, error } = pickCalls(ex);
  r = await run(["--method", "tools/call", "--tool-name", ok.name, "--tool-args-json", JSON.stringify(ok.args ?? {})]);
  check.equal(r.code, EXIT_OK, `tools/call ${ok.name} exit code (stderr: ${r.stderr.trim()})`);
  const result = r.json?.result ?? {};
  if (ok.structured) check.equal(result.structuredContent, ok.structured, `${ok.name} structuredContent`);
  for (const needle of ok.textContains ?? []) check.contains(textOf(result.content ?? []), needle, `${ok.name} text`);

  r = await run(["--method", "tools/call", "--tool-name", error.name, "--tool-args-json", JSON.stringify(error.args ?? {})]);
  check.equal(r.code, EXIT_TOOL_ERROR, `tools/call ${error.name} (a tool error) exit code`);
  check.equal(r.json?.result?.isError, true, `${error.name} isError`);
  for (const needle of error.textContains) check.contains(textOf(r.json?.result?.content ?? []), needle, `${error.name} text`);

  const read = ex.expect.reads[0];
  r = await run(["--method", "resources/read", "--uri", read.uri]);
  check.equal(r.code, EXIT_OK, `resources/read exit code (stderr: ${r.stderr.trim()})`);
  const text = (r.json?.result?.contents ?? []).map((c) => c.text ?? "").join("");
  for (const needle of read.textContains) check.contains(text, needle, `read ${read.uri}`);

  const get = ex.expect.prompts[0];
  const promptArgs = Object.entries(get.args ?? {}).map(([k, v]) => `${k}=${v}`);
  r = await run(["--method", "prompts/get", "--prompt-name", get.name, ...(promptArgs.length ? ["--prompt-args", ...promptArgs] : [])]);
  check.equal(r.code, EXIT_OK, `prompts/get exit code (stderr: ${r.stderr.trim()})`);
  const promptText = textOf((r.json?.result?.messages ?? []).map((m) => m.content));
  for (const needle of get.textContains) check.contains(promptText, needle, `prompt ${get.name}`);
}

const checks = new Checks();
try {
  for (const name of ["weather", "conformance"]) {
    const ex = loadExample(name);
    const server = await startHttpServer(ex.binary, ["--stateful"]);
    try {
      const targets = [
        ["stdio", [ex.binary, "--transport", "stdio"]],
        ["http-stateful", [server.url]],
      ];
      for (const [transport, target] of targets) {
        for (const era of ERAS) {
          await checks.run(`inspector ${name} ${transport} ${era}`, (check) => checkTarget(check, ex, target, era));
        }
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
process.exit(checks.report("inspector client matrix") ? 0 : 1);
