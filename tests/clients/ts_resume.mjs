// The TypeScript SDK's client (npm @modelcontextprotocol/sdk, pinned in tests/package.json) calls a tool that reports
// progress slowly, with the SDK's own reconnection logic on: when its event stream breaks it reconnects with
// `Last-Event-ID` (tests/e2e/test_http_resume.py cuts it). Prints one JSON line per progress notification
// (`{"progress", "message"}`) as it arrives, then `{"result": <text>}`. Exit 1 on any error.
//
// Usage: node tests/clients/ts_resume.mjs URL STEPS STEP_MS

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { textOf, within } from "./lib.mjs";

const [url, steps, ms] = process.argv.slice(2);
const client = new Client({ name: "mcpgen-ts-resume", version: "1.0.0" }, { capabilities: {} });
const transport = new StreamableHTTPClientTransport(new URL(url), {
  // The server's `retry:` (3 s) sets the delay; a few attempts, as nginx comes back at once.
  reconnectionOptions: {
    initialReconnectionDelay: 500,
    maxReconnectionDelay: 5000,
    reconnectionDelayGrowFactor: 1.5,
    maxRetries: 5,
  },
});
transport.onerror = (error) => console.error(String(error));

async function call() {
  await client.connect(transport);
  const result = await client.callTool(
    { name: "progress", arguments: { steps: Number(steps), ms: Number(ms) } },
    undefined,
    {
      onprogress: (p) => console.log(JSON.stringify({ progress: p.progress, message: p.message })),
      timeout: 60_000,
    },
  );
  console.log(JSON.stringify({ result: textOf(result.content) }));
  await client.close();
}

await within(60_000, call(), "the call").catch((error) => {
  console.error(error);
  process.exit(1);
});
