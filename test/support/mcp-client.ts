import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** The MCP SDK's own client over Streamable HTTP, with these request headers (e.g. the Bearer key). */
export async function connectMcpClient(url: string, headers: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "pantheon-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/api/mcp", url), { requestInit: { headers } }));
  return client;
}
