// Runs the task scenarios (`tasks-*`, SEP-2663 tasks on protocol 2026-07-28) of the official MCP conformance
// suite's 0.2 line (npm @modelcontextprotocol/conformance 0.2.0-alpha.12, pinned in tests/package.json as
// `conformance-next`; the stable 0.1.16 that run.mjs uses has none) against the generated tasks-conformance server
// (generated-examples/tasks-conformance), over streamable HTTP in stateful and stateless mode, one scenario at a
// time with `--suite all` and no expected-failures file.
//
// Usage: node tests/conformance/tasks.mjs [--server PATH] [--suite-js PATH] [--scenario NAME]...
//   --server    the built server binary (default: target/debug/tasks-conformance)
//   --suite-js  the suite's dist/index.js (default: the pinned conformance-next)
//   --scenario  run only these scenarios (default: every `tasks-*` scenario the suite lists)
//
// Prints every failed check (and every warning) with its mode, scenario and reason, a pass/fail count per
// scenario, and exits non-zero when any check failed, a scenario wrote no results or timed out, or the server
// could not be started. The server is always stopped. Needs Node 22+: run it with tests/node_modules/.bin/node.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

/** Server modes: 2026-07-28 requests are served statelessly either way, but the middleware differs. */
const MODES = [["stateful", "--stateful"], ["stateless", "--stateless"]];
/** Seconds one scenario may take before it is killed (a hung scenario must not hang the test command). */
const SCENARIO_TIMEOUT_S = 120;
/** Seconds the server may take to print its address. */
const START_TIMEOUT_S = 30;

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: join(root, "target/debug/tasks-conformance") },
    "suite-js": { type: "string", default: join(root, "tests/node_modules/conformance-next/dist/index.js") },
    scenario: { type: "string", multiple: true },
  },
});
const suite = args["suite-js"];

/** Starts the server on an OS-picked port; resolves with the process and its URL once it listens. */
function startServer(binary, flag) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["--transport", "streamable-http", "--port", "0", flag], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not report its address within ${START_TIMEOUT_S}s:\n${log}`));
    }, START_TIMEOUT_S * 1000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${log}`));
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = log.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolvePromise({ child, url: match[1], log: () => log });
      }
    });
  });
}

/** The `tasks-*` scenario names the suite lists. */
function listScenarios() {
  const out = execFileSync(process.execPath, [suite, "list", "--server"], { encoding: "utf8" });
  return [...out.matchAll(/^\s+- (tasks-\S+)/gm)].map((m) => m[1]);
}

/** Runs one scenario; resolves with the suite's exit code, its checks (null: none written) and output. */
function runScenario(url, scenario) {
  const outDir = mkdtempSync(join(tmpdir(), `mcpgen-conformance-${scenario}-`));
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [suite, "server", "--url", url, "--scenario", scenario, "--suite", "all", "-o", outDir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${SCENARIO_TIMEOUT_S}s)`;
      child.kill("SIGKILL");
    }, SCENARIO_TIMEOUT_S * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      let checks = null;
      for (const entry of readdirSync(outDir)) {
        const file = join(outDir, entry, "checks.json");
        if (entry.startsWith(`server-${scenario}-`) && existsSync(file)) {
          checks = JSON.parse(readFileSync(file, "utf8"));
        }
      }
      rmSync(outDir, { recursive: true, force: true });
      resolvePromise({ code, checks, output });
    });
  });
}

function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

const scenarios = args.scenario ?? listScenarios();
if (scenarios.length === 0) {
  console.log("the suite lists no tasks-* scenario");
  process.exit(1);
}
let failed = false;
const summary = [];
for (const [mode, flag] of MODES) {
  const server = await startServer(args.server, flag);
  let modeFailed = false;
  try {
    console.log(`tasks-conformance server (${mode}) at ${server.url}`);
    for (const scenario of scenarios) {
      const { code, checks, output } = await runScenario(server.url, scenario);
      const counts = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0 };
      if (checks === null) {
        console.log(`FAIL ${mode} ${scenario}: the suite wrote no results`);
      }
      for (const check of checks ?? []) {
        counts[check.status] = (counts[check.status] ?? 0) + 1;
        if (check.status === "FAILURE" || check.status === "WARNING") {
          const tag = check.status === "FAILURE" ? "FAIL" : "warn";
          console.log(`${tag} ${mode} ${scenario} / ${check.id}: ${oneLine(check.errorMessage || check.description)}`);
        }
      }
      const ok = code === 0 && checks !== null && counts.FAILURE === 0;
      const line =
        `${mode} ${scenario}: ${counts.SUCCESS} passed, ${counts.FAILURE} failed, ` +
        `${counts.WARNING} warnings, ${counts.SKIPPED} skipped (suite exit ${code})`;
      summary.push(line);
      if (!ok) {
        modeFailed = true;
        console.log(`--- suite output for ${mode} ${scenario} ---\n${output}`);
      }
    }
  } finally {
    server.child.kill();
  }
  if (modeFailed) {
    failed = true;
    console.log(`--- server log (${mode}) ---\n${server.log()}`);
  }
}
console.log(`\n${summary.join("\n")}`);
console.log(failed ? "conformance tasks: FAILED" : "conformance tasks: all scenarios passed");
process.exit(failed ? 1 : 0);
