// The TypeScript SDK's client (npm @modelcontextprotocol/sdk, pinned in tests/package.json) against a server that is
// already running at a streamable HTTP URL, such as a function URL of cargo-lambda's emulator
// (tests/e2e/test_lambda.py): lists everything, calls the tool, reads the resource and gets the prompt named on the
// command line, and prints what came back as one JSON object. Exit 1 on any error.
//
// Usage: node tests/clients/ts_sdk_url.mjs URL TOOL ARGS_JSON RESOURCE_URI PROMPT PROMPT_ARGS_JSON

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, tool, toolArgs, uri, prompt, promptArgs] = process.argv.slice(2);
const timer = setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 60_000);
const client = new Client({ name: "mcpgen-ts-url", version: "1.0.0" }, { capabilities: {} });
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const out = {
    server: client.getServerVersion(),
    tools: (await client.listTools()).tools.map((t) => t.name),
    call: await client.callTool({ name: tool, arguments: JSON.parse(toolArgs) }),
    resources: (await client.listResources()).resources.map((r) => r.uri),
    read: await client.readResource({ uri }),
    prompts: (await client.listPrompts()).prompts.map((p) => p.name),
    prompt: await client.getPrompt({ name: prompt, arguments: JSON.parse(promptArgs) }),
  };
  console.log(JSON.stringify(out));
  await client.close();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
}
