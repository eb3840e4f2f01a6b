import { handleMcpRequest } from "@/server/api/mcp/mcp-http";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

// MCP (Streamable HTTP, stateless) for AI clients with an API key: server/api/mcp/.
export { handleMcpRequest as POST, handleMcpRequest as GET, handleMcpRequest as DELETE };

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, OPTIONS } = otherMethods({ GET: handleMcpRequest, POST: handleMcpRequest, DELETE: handleMcpRequest });
