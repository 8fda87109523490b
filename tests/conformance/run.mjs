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

import { rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { ROOT, startHttpServer } from "../clients/lib.mjs";
import { listScenarios, oneLine, runSuite } from "./suite.mjs";

const suite = join(ROOT, "tests/node_modules/@modelcontextprotocol/conformance/dist/index.js");

/** Every protocol version the pinned suite has scenarios for. */
const VERSIONS = ["2025-06-18", "2025-11-25"];
/** Seconds a suite run may take before it is killed (a hung scenario must not hang the test command). */
const SUITE_TIMEOUT_S = 240;

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: join(ROOT, "target/debug/conformance") },
    "spec-version": { type: "string", multiple: true },
  },
});
const versions = args["spec-version"] ?? VERSIONS;

const server = await startHttpServer(args.server);
// The dns-rebinding scenario needs a localhost URL; the server binds 127.0.0.1.
const url = new URL(server.url);
url.hostname = "localhost";
let failed = false;
const summary = [];
try {
  console.log(`conformance server at ${url}`);
  for (const version of versions) {
    const expected = listScenarios(suite, ["--spec-version", version]);
    const { code, results, outDir, output } = await runSuite(
      suite,
      url.toString(),
      ["--spec-version", version],
      SUITE_TIMEOUT_S,
      { keep: true },
    );
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
  await server.stop();
}
if (failed) console.log(`--- server log ---\n${server.log()}`);
console.log(`\n${summary.join("\n")}`);
console.log(failed ? "conformance: FAILED" : "conformance: all scenarios passed");
process.exit(failed ? 1 : 0);
