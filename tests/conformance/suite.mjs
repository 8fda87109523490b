// Shared by run.mjs and next.mjs: running one version of the official conformance suite (its dist/index.js)
// against a server URL, bounded in time, and reading the checks it wrote.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The server scenario names `suite` lists with `args` (e.g. `--spec-version V`). */
export function listScenarios(suite, args = []) {
  const out = execFileSync(process.execPath, [suite, "list", "--server", ...args], { encoding: "utf8" });
  return [...out.matchAll(/^\s+- (\S+)/gm)].map((m) => m[1]);
}

/** Runs `suite server --url URL --suite all ...args`, killed after `timeoutS`; resolves with its exit code, the
 * checks it wrote per scenario (a Map; its output directory is removed unless `keep`), and its output. */
export function runSuite(suite, url, args, timeoutS, { keep = false } = {}) {
  const outDir = mkdtempSync(join(tmpdir(), "mcpgen-conformance-"));
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [suite, "server", "--url", url, "--suite", "all", ...args, "-o", outDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n(killed after ${timeoutS}s)`;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const results = readResults(outDir);
      if (!keep) rmSync(outDir, { recursive: true, force: true });
      resolvePromise({ code, results, outDir, output });
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

/** A check's message on one line. */
export function oneLine(text) {
  return String(text ?? "").replace(/\s+/g, " ").trim();
}
