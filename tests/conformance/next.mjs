// Runs the scenarios of the official MCP conformance suite's 0.2 line (npm @modelcontextprotocol/conformance
// 0.2.0-alpha.12, pinned in tests/package.json as `conformance-next`; the stable 0.1.16 that run.mjs uses has
// none of them) whose fixtures specs/tasks-conformance.yaml provides: the task scenarios (`tasks-*`, SEP-2663
// tasks) and the multi-round-trip ones (`input-required-result-*`, SEP-2322 `input_required` results), both on
// protocol 2026-07-28, against the generated tasks-conformance server (generated-examples/tasks-conformance),
// over streamable HTTP in stateful and stateless mode, one scenario at a time with `--suite all` and no
// expected-failures file.
//
// Usage: node tests/conformance/next.mjs [--server PATH] [--suite-js PATH] [--scenario NAME]...
//   --server    the built server binary (default: target/debug/tasks-conformance)
//   --suite-js  the suite's dist/index.js (default: the pinned conformance-next)
//   --scenario  run only these scenarios (default: every scenario the suite lists under the prefixes below)
//
// Prints every failed check (and every warning) with its mode, scenario and reason, a pass/fail count per
// scenario, and exits non-zero when any check failed, a scenario wrote no results or timed out, or the server
// could not be started. The server is always stopped. Needs Node 22+: run it with tests/node_modules/.bin/node.

import { join } from "node:path";
import { parseArgs } from "node:util";

import { ROOT, startHttpServer } from "../clients/lib.mjs";
import { listScenarios, oneLine, runSuite } from "./suite.mjs";

/** The scenario families this runner covers, by name prefix. */
const PREFIXES = ["tasks-", "input-required-result-"];
/** Server modes: 2026-07-28 requests are served statelessly either way, but the middleware differs. */
const MODES = [["stateful", "--stateful"], ["stateless", "--stateless"]];
/** Seconds one scenario may take before it is killed (a hung scenario must not hang the test command). */
const SCENARIO_TIMEOUT_S = 120;

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: join(ROOT, "target/debug/tasks-conformance") },
    "suite-js": { type: "string", default: join(ROOT, "tests/node_modules/conformance-next/dist/index.js") },
    scenario: { type: "string", multiple: true },
  },
});
const suite = args["suite-js"];

const listed = listScenarios(suite);
const missing = PREFIXES.filter((prefix) => !listed.some((name) => name.startsWith(prefix)));
if (args.scenario === undefined && missing.length > 0) {
  console.log(`the suite lists no scenario named ${missing.map((prefix) => `${prefix}*`).join(" or ")}`);
  process.exit(1);
}
const scenarios = args.scenario ?? listed.filter((name) => PREFIXES.some((prefix) => name.startsWith(prefix)));
let failed = false;
const summary = [];
for (const [mode, flag] of MODES) {
  const server = await startHttpServer(args.server, [flag]);
  let modeFailed = false;
  try {
    console.log(`tasks-conformance server (${mode}) at ${server.url}`);
    for (const scenario of scenarios) {
      const run = await runSuite(suite, server.url, ["--scenario", scenario], SCENARIO_TIMEOUT_S);
      const { code, output } = run;
      const checks = run.results.get(scenario) ?? null;
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
    await server.stop();
  }
  if (modeFailed) {
    failed = true;
    console.log(`--- server log (${mode}) ---\n${server.log()}`);
  }
}
console.log(`\n${summary.join("\n")}`);
console.log(failed ? "conformance next: FAILED" : "conformance next: all scenarios passed");
process.exit(failed ? 1 : 0);
