// Runs the scenarios of the official MCP conformance suite's 0.2 line (npm @modelcontextprotocol/conformance
// 0.2.0-alpha.12, pinned in tests/package.json as `conformance-next`; the stable 0.1.16 that run.mjs uses has
// none of them) on protocol 2026-07-28, over streamable HTTP in stateful and stateless mode, one scenario at a
// time with `--suite all` and no expected-failures file:
// - against the generated tasks-conformance server (generated-examples/tasks-conformance), whose fixtures
//   specs/tasks-conformance.yaml provides: the task scenarios (`tasks-*`, SEP-2663 tasks) and the
//   multi-round-trip ones (`input-required-result-*`, SEP-2322 `input_required` results);
// - against the generated conformance server (generated-examples/conformance): every other scenario the suite
//   lists for 2026-07-28 (the protocol's core: stateless requests, removed methods, subscriptions/listen,
//   caching, headers and SEP-2243's `x-mcp-header` parameters, JSON Schema 2020-12, ...).
//
// Usage: node tests/conformance/next.mjs [--server PATH] [--core-server PATH] [--suite-js PATH] [--scenario NAME]...
//   --server       the built tasks-conformance binary (default: target/debug/tasks-conformance)
//   --core-server  the built conformance binary (default: target/debug/conformance)
//   --suite-js     the suite's dist/index.js (default: the pinned conformance-next)
//   --scenario     run only these scenarios, on the server whose list has them (default: every one above)
//
// Prints every failed check (and every warning) with its server, mode, scenario and reason, a pass/fail count
// per scenario, and exits non-zero when any check failed, a scenario wrote no results or timed out, or a server
// could not be started. The servers are always stopped. Needs Node 22+: run it with tests/node_modules/.bin/node.

import { join } from "node:path";
import { parseArgs } from "node:util";

import { ROOT, startHttpServer } from "../clients/lib.mjs";
import { listScenarios, oneLine, runSuite } from "./suite.mjs";

/** The scenario families the tasks-conformance server's fixtures cover, by name prefix. */
const PREFIXES = ["tasks-", "input-required-result-"];
/** Server modes: 2026-07-28 requests are served statelessly either way, but the middleware differs. */
const MODES = [["stateful", "--stateful"], ["stateless", "--stateless"]];
/** Seconds one scenario may take before it is killed (a hung scenario must not hang the test command). */
const SCENARIO_TIMEOUT_S = 120;

const { values: args } = parseArgs({
  options: {
    server: { type: "string", default: join(ROOT, "target/debug/tasks-conformance") },
    "core-server": { type: "string", default: join(ROOT, "target/debug/conformance") },
    "suite-js": { type: "string", default: join(ROOT, "tests/node_modules/conformance-next/dist/index.js") },
    scenario: { type: "string", multiple: true },
  },
});
const suite = args["suite-js"];

// The task scenarios are an extension's, listed without a protocol version; the core ones under 2026-07-28.
const listed = listScenarios(suite);
const core = listScenarios(suite, ["--spec-version", "2026-07-28"]);
const missing = PREFIXES.filter((prefix) => !listed.some((name) => name.startsWith(prefix)));
if (args.scenario === undefined && missing.length > 0) {
  console.log(`the suite lists no scenario named ${missing.map((prefix) => `${prefix}*`).join(" or ")}`);
  process.exit(1);
}
const picked = (name) => args.scenario === undefined || args.scenario.includes(name);
const taskScenarios = listed.filter((name) => PREFIXES.some((prefix) => name.startsWith(prefix)) && picked(name));
const coreScenarios = core.filter(
  (name) => !PREFIXES.some((prefix) => name.startsWith(prefix)) && picked(name),
);

let failed = false;
const summary = [];

/** Runs `scenarios` against the server at `binary` in each mode; `localhost` for the DNS-rebinding scenario. */
async function runAgainst(label, binary, scenarios, { localhost = false, version = [] } = {}) {
  if (scenarios.length === 0) return;
  for (const [mode, flag] of MODES) {
    const server = await startHttpServer(binary, [flag]);
    let modeFailed = false;
    try {
      const url = new URL(server.url);
      if (localhost) url.hostname = "localhost";
      console.log(`${label} server (${mode}) at ${url}`);
      for (const scenario of scenarios) {
        const run = await runSuite(
          suite,
          url.toString(),
          ["--scenario", scenario, ...version],
          SCENARIO_TIMEOUT_S,
        );
        const { code, output } = run;
        const checks = run.results.get(scenario) ?? null;
        const counts = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0 };
        if (checks === null) {
          console.log(`FAIL ${label} ${mode} ${scenario}: the suite wrote no results`);
        }
        for (const check of checks ?? []) {
          counts[check.status] = (counts[check.status] ?? 0) + 1;
          if (check.status === "FAILURE" || check.status === "WARNING") {
            const tag = check.status === "FAILURE" ? "FAIL" : "warn";
            console.log(
              `${tag} ${label} ${mode} ${scenario} / ${check.id}: ${oneLine(check.errorMessage || check.description)}`,
            );
          }
        }
        const ok = code === 0 && checks !== null && counts.FAILURE === 0;
        summary.push(
          `${label} ${mode} ${scenario}: ${counts.SUCCESS} passed, ${counts.FAILURE} failed, ` +
            `${counts.WARNING} warnings, ${counts.SKIPPED} skipped (suite exit ${code})`,
        );
        if (!ok) {
          modeFailed = true;
          console.log(`--- suite output for ${label} ${mode} ${scenario} ---\n${output}`);
        }
      }
    } finally {
      await server.stop();
    }
    if (modeFailed) {
      failed = true;
      console.log(`--- server log (${label}, ${mode}) ---\n${server.log()}`);
    }
  }
}

await runAgainst("tasks-conformance", args.server, taskScenarios);
await runAgainst("conformance", args["core-server"], coreScenarios, {
  localhost: true,
  version: ["--spec-version", "2026-07-28"],
});
console.log(`\n${summary.join("\n")}`);
console.log(failed ? "conformance next: FAILED" : "conformance next: all scenarios passed");
process.exit(failed ? 1 : 0);
