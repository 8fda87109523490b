// Runs the official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned in tests/package.json)
// against the generated conformance server (generated-examples/conformance) over stateful streamable HTTP, once per
// protocol version the suite knows, with `--suite all` and no expected-failures file.
//
// Usage: node tests/conformance/run.mjs [--server PATH] [--spec-version V]...
//   --server        the built server binary (default: target/debug/conformance)
//   --spec-version  run only these versions (default: every version below)
//
// Prints every failed check (and every warning) with its scenario and reason, a per-version summary, and exits
// non-zero when any check failed, when a version ran fewer scenarios than the suite lists, or when the server
// could not be started. Needs Node 22+ (the suite uses fs.globSync): run it with tests/node_modules/.bin/node.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const suite = join(root, "tests/node_modules/@modelcontextprotocol/conformance/dist/index.js");

/** Every protocol version the pinned suite has scenarios for. */
const VERSIONS = ["2025-06-18", "2025-11-25"];
/** Seconds a suite run may take before it is killed (a hung scenario must not hang the test command). */
const SUITE_TIMEOUT_S = 240;
/** Seconds the server may take to print its address. */
const START_TIMEOUT_S = 30;

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: join(root, "target/debug/conformance") },
    "spec-version": { type: "string", multiple: true },
  },
});
const versions = args["spec-version"] ?? VERSIONS;

/** Starts the server on an OS-picked port; resolves with the process and its URL once it listens. */
function startServer(binary) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["--transport", "streamable-http", "--port", "0"], {
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
        // The dns-rebinding scenario needs a localhost URL; the server binds 127.0.0.1.
        const url = new URL(match[1]);
        url.hostname = "localhost";
        resolvePromise({ child, url: url.toString(), log: () => log });
      }
    });
  });
}

/** The scenario names the suite lists for a version. */
function listScenarios(version) {
  const out = execFileSync(process.execPath, [suite, "list", "--server", "--spec-version", version], {
    encoding: "utf8",
  });
  return [...out.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

/** Runs `--suite all` for one version; resolves with the suite's exit code and output directory. */
function runSuite(url, version) {
  const outDir = mkdtempSync(join(tmpdir(), `mcpgen-conformance-${version}-`));
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [suite, "server", "--url", url, "--suite", "all", "--spec-version", version, "-o", outDir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${SUITE_TIMEOUT_S}s)`;
      child.kill("SIGKILL");
    }, SUITE_TIMEOUT_S * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, outDir, output });
    });
  });
}

/** Reads `<outDir>/server-<scenario>-<timestamp>/checks.json` for every scenario that ran. */
function readResults(outDir) {
  const results = new Map();
  for (const entry of readdirSync(outDir)) {
    const match = entry.match(/^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
    const file = join(outDir, entry, "checks.json");
    if (match && existsSync(file)) {
      results.set(match[1], JSON.parse(readFileSync(file, "utf8")));
    }
  }
  return results;
}

function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}

const server = await startServer(args.server);
let failed = false;
const summary = [];
try {
  console.log(`conformance server at ${server.url}`);
  for (const version of versions) {
    const expected = listScenarios(version);
    const { code, outDir, output } = await runSuite(server.url, version);
    const results = readResults(outDir);
    let passedScenarios = 0;
    let passedChecks = 0;
    let failedChecks = 0;
    let warnings = 0;
    const problems = [];
    for (const scenario of expected) {
      const checks = results.get(scenario);
      if (!checks) {
        problems.push(`FAIL ${version} ${scenario}: the suite wrote no results for this scenario`);
        continue;
      }
      let scenarioFailed = false;
      for (const check of checks) {
        if (check.status === "SUCCESS") passedChecks++;
        if (check.status === "FAILURE") {
          failedChecks++;
          scenarioFailed = true;
          problems.push(`FAIL ${version} ${scenario} / ${check.id}: ${oneLine(check.errorMessage || check.description)}`);
        }
        if (check.status === "WARNING") {
          warnings++;
          problems.push(`warn ${version} ${scenario} / ${check.id}: ${oneLine(check.errorMessage || check.description)}`);
        }
      }
      if (!scenarioFailed) passedScenarios++;
    }
    for (const line of problems) console.log(line);
    const line =
      `${version}: ${passedScenarios}/${expected.length} scenarios passed, ` +
      `${passedChecks} checks passed, ${failedChecks} failed, ${warnings} warnings (suite exit ${code})`;
    console.log(line);
    summary.push(line);
    const ok = code === 0 && failedChecks === 0 && passedScenarios === expected.length;
    if (!ok) {
      failed = true;
      console.log(`--- suite output for ${version} ---\n${output}`);
    } else {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
} finally {
  server.child.kill();
}
if (failed) console.log(`--- server log ---\n${server.log()}`);
console.log(`\n${summary.join("\n")}`);
console.log(failed ? "conformance: FAILED" : "conformance: all scenarios passed");
process.exit(failed ? 1 : 0);
