import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { getEnv } from "@/lib/env";
import { readJsonBody } from "@/server/api/rest/read-json-body";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { AppError, HTTP_STATUS } from "@/server/errors/app-error";
import { getLogger } from "@/server/logging/logger";
import { JSON_RPC_CODE } from "./mcp-errors";
import { createMcpServer } from "./mcp-server";

/** A JSON-RPC error as the whole HTTP answer, shaped like the transport's own refusals. */
function httpRefusal(status: number, code: number, message: string, data?: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code, message, ...(data ? { data } : {}) }, id: null },
    { status, headers: { "cache-control": "no-store", ...headers } },
  );
}

const appRefusal = (err: AppError, headers?: Record<string, string>) =>
  httpRefusal(HTTP_STATUS[err.code], JSON_RPC_CODE[err.code], err.message, { code: err.code }, headers);

const CHALLENGE = { "www-authenticate": 'Bearer realm="pantheon-sandbox"' };

/**
 * POST /api/mcp: MCP over Streamable HTTP, stateless (no session, no GET stream), one server per
 * request. Only an API key authenticates (`Authorization: Bearer`): a session cookie is ignored,
 * so a page in a browser cannot drive tools with the signed-in user's cookie. Every request is
 * authenticated again, so a revoked key is refused on its next call. The body is capped
 * (SANDBOX_MAX_BODY_BYTES) before it is parsed.
 */
export async function handleMcpRequest(req: Request): Promise<Response> {
  if (req.method !== "POST")
    return httpRefusal(405, -32000, "Method not allowed: this MCP server is stateless; POST JSON-RPC messages to it", undefined, {
      allow: "POST",
    });
  try {
    if (!req.headers.get("authorization"))
      return appRefusal(new AppError("UNAUTHORIZED", "Send 'Authorization: Bearer <api key>' (npm run admin -- create-api-key makes one)"), CHALLENGE);
    const { user, authError } = await resolveCaller(req.headers);
    if (!user) return appRefusal(new AppError("UNAUTHORIZED", authError ?? "Unknown API key"), CHALLENGE);

    // The MCP endpoint's entry: the configuration is read here once and passed to the tools.
    const config = getEnv();
    let body: unknown;
    try {
      body = await readJsonBody(req, config.SANDBOX_MAX_BODY_BYTES);
    } catch (err) {
      if (err instanceof AppError && err.code === "BAD_REQUEST") return httpRefusal(400, ErrorCode.ParseError, `Parse error: ${err.message}`);
      throw err;
    }
    const server = createMcpServer(user, config);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await server.connect(transport);
    // The client going away ends the request's stream and stops relaying progress; work already
    // started (an execution) goes on and is recorded, as with the REST routes.
    req.signal.addEventListener("abort", () => void server.close().catch(() => {}), { once: true });
    return await transport.handleRequest(req, { parsedBody: body });
  } catch (err) {
    if (err instanceof AppError) return appRefusal(err);
    getLogger().error({ err }, "MCP request failed");
    return httpRefusal(500, ErrorCode.InternalError, "Internal server error");
  }
}
