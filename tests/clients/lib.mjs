// Shared by the client-matrix scripts: the example under test (its spec and the expected handler results the
// Python end-to-end tests use, tests/e2e/expect/<example>.yaml), servers started on OS-picked ports, and a check
// log that reports every mismatch instead of stopping at the first.

import { spawn } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, inspect } from "node:util";

import { parse as parseYaml } from "yaml";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
const START_TIMEOUT_MS = 30_000;

/** An example crate: its binary, spec and expected handler results. */
export function loadExample(name) {
  const crate = join(ROOT, "generated-examples", name);
  const manifest = JSON.parse(readFileSync(join(crate, ".mcpgen/manifest.json"), "utf8"));
  const specPath = resolve(crate, manifest.spec);
  const spec = parseYaml(readFileSync(specPath, "utf8"));
  const expectPath = join(ROOT, "tests/e2e/expect", `${name}.yaml`);
  const expect = existsSync(expectPath) ? parseYaml(readFileSync(expectPath, "utf8")) ?? {} : {};
  return { name, spec, specDir: dirname(specPath), expect, binary: join(TARGET, "debug", spec.server.name) };
}

/** Starts `binary --transport <transport> --port 0 ...flags`; resolves once it prints its address. */
export function startHttpServer(binary, flags = [], transport = "streamable-http") {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["--transport", transport, "--host", "127.0.0.1", "--port", "0", ...flags], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let log = "";
    let started = false;
    const fail = (error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${binary} did not start within ${START_TIMEOUT_MS} ms:\n${log}`)),
      START_TIMEOUT_MS);
    child.on("error", fail);
    child.on("exit", (code) => fail(new Error(`${binary} exited with ${code}:\n${log}`)));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const match = !started && log.match(/listening on (http:\/\/127\.0\.0\.1:\d+\S*)/);
      if (match) {
        started = true;
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolvePromise({
          url: match[1],
          log: () => log,
          stop: () => new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill();
          }),
        });
      }
    });
  });
}

/** Collects failed checks under a label; `report()` prints them and tells whether all passed. */
export class Checks {
  constructor() {
    this.failures = [];
    this.passed = 0;
  }

  /** Runs `body(check)` for one case; an exception counts as a failure of that case. */
  async run(label, body) {
    const check = {
      ok: (cond, what) => this.#record(label, cond, what),
      equal: (got, want, what) =>
        this.#record(label, isDeepStrictEqual(got, want), `${what}: got ${show(got)}, want ${show(want)}`),
      contains: (text, needle, what) =>
        this.#record(label, typeof text === "string" && text.includes(needle), `${what}: ${show(needle)} not in ${show(text)}`),
    };
    const before = this.failures.length;
    try {
      await body(check);
    } catch (error) {
      this.failures.push(`${label}: ${error?.stack ?? error}`);
    }
    console.log(`${this.failures.length === before ? "ok  " : "FAIL"} ${label}`);
  }

  #record(label, cond, what) {
    if (cond) this.passed++;
    else this.failures.push(`${label}: ${what}`);
  }

  report(name) {
    for (const failure of this.failures) console.log(`FAIL ${failure}`);
    console.log(`${name}: ${this.passed} checks passed, ${this.failures.length} failed`);
    return this.failures.length === 0;
  }
}

function show(value) {
  return inspect(value, { depth: 6, breakLength: Infinity, maxStringLength: 300 });
}

/** The text blocks of a tool result or prompt, joined by newlines. */
export function textOf(blocks) {
  return blocks.filter((b) => b?.type === "text").map((b) => b.text).join("\n");
}

/** Rejects when `promise` takes longer than `ms` (a hung server must not hang the test command). */
export function within(ms, promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}
