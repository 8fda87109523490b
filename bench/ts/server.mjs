// The official TypeScript SDK contender: the same two tools as every other contender, written the way the SDK's
// own examples do it (McpServer + zod, createMcpExpressApp, StreamableHTTPServerTransport).
// Usage: node server.mjs stdio | node server.mjs http PORT stateless|stateful
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import * as z from 'zod/v4';

function newServer() {
  const server = new McpServer({ name: 'bench-ts', version: '0.1.0' });
  server.registerTool('add', {
    description: 'Add two integers.',
    inputSchema: { a: z.number().int(), b: z.number().int() },
  }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  server.registerTool('echo', {
    description: 'Echo the text back.',
    inputSchema: { text: z.string() },
  }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  return server;
}

const [mode, port, httpMode] = process.argv.slice(2);
if (mode === 'stdio') {
  await newServer().connect(new StdioServerTransport());
} else if (mode === 'http' && httpMode === 'stateless') {
  const app = createMcpExpressApp();
  app.post('/mcp', async (req, res) => {
    // Stateless: a fresh server and transport per request, JSON replies.
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => { transport.close(); server.close(); });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.listen(Number(port), '127.0.0.1');
} else if (mode === 'http' && httpMode === 'stateful') {
  const app = createMcpExpressApp();
  const transports = new Map();
  app.all('/mcp', async (req, res) => {
    const id = req.headers['mcp-session-id'];
    let transport = id && transports.get(id);
    if (!transport) {
      if (id || req.method !== 'POST') {
        res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => transports.set(sid, transport),
      });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, req.body);
  });
  app.listen(Number(port), '127.0.0.1');
} else {
  console.error('usage: server.mjs stdio | server.mjs http PORT stateless|stateful');
  process.exit(2);
}
