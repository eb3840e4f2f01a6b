import { handleMcpRequest } from "@/server/api/mcp/mcp-http";

// MCP (Streamable HTTP, stateless) for AI clients with an API key: server/api/mcp/.
export { handleMcpRequest as POST, handleMcpRequest as GET, handleMcpRequest as DELETE };
