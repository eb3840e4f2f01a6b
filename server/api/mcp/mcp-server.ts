import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { z } from "zod";
import type { AiPersonality } from "@/lib/ai-personalities";
import type { Env } from "@/lib/env";
import { type Actor, actingAs, actorFor } from "@/server/auth/actor";
import type { ApiScope, AuthUser } from "@/server/auth/auth-user";
import { countRejectedPaths } from "@/server/api/rejected-paths";
import { AppError } from "@/server/errors/app-error";
import { fromSandboxError } from "@/server/errors/from-sandbox-error";
import { getLogger } from "@/server/logging/logger";
import { callRefused, describeIssues, toolFailure } from "./mcp-errors";
import { FILE_RESOURCE_TEMPLATE, listFileResources, readFileResource } from "./file-resources";
import type { McpTool, McpToolContext } from "./mcp-tool";
import { MCP_TOOLS } from "./mcp-tools";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const TOOLS_BY_NAME = new Map(MCP_TOOLS.map((t) => [t.name, t]));

// Computed once: the JSON Schemas clients see are the zod schemas the calls are checked against.
const TOOL_LIST: Tool[] = MCP_TOOLS.map((tool) => {
  const { $schema: _, ...inputSchema } = z.toJSONSchema(tool.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return {
    name: tool.name,
    title: tool.title,
    description: `${tool.description}${tool.scopes.length ? ` Needs the API key scope${tool.scopes.length > 1 ? "s" : ""} ${tool.scopes.join(", ")}.` : ""}`,
    inputSchema: { ...inputSchema, type: "object" },
    annotations: { title: tool.title, readOnlyHint: tool.readOnly, openWorldHint: false },
  };
});

const INSTRUCTIONS =
  "Pantheon Sandbox: create a project from a template (list_templates, create_project), read and write its files, run commands or " +
  "snippets in its isolated container (run streams output as progress notifications), diagnose failures (debug), get the project's " +
  "context, apply multi-file change sets, and start a dev server with a preview URL. Project files are also resources " +
  "(sandbox://projects/<id>/files/<path>). Pass aiPersonality (geppo, c24, gemini, llama, mistral) to attribute work, or rely on the key's default.";

function requireScopes(user: AuthUser, scopes: ApiScope[], what: string): void {
  const missing = scopes.filter((s) => !user.scopes.includes(s));
  if (missing.length)
    throw callRefused("FORBIDDEN", `This API key lacks the ${missing.join(", ")} scope${missing.length > 1 ? "s" : ""} (${what} needs ${scopes.join(", ")})`);
}

function progressSender(extra: Extra): McpToolContext["progress"] {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return null;
  return ({ progress, message, stream }) =>
    extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, message, _meta: { "pantheon/stream": stream } } });
}

/** A tool's result: the service's answer as JSON, for the model (text) and for programs (structuredContent). */
function toolResult(value: unknown): CallToolResult {
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  const structured = json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : { result: json };
  return { content: [{ type: "text", text: JSON.stringify(structured) }], structuredContent: structured };
}

async function callTool(actor: Actor, config: Env, params: CallToolRequest["params"], extra: Extra): Promise<CallToolResult> {
  const { user } = actor;
  const tool: McpTool | undefined = TOOLS_BY_NAME.get(params.name);
  if (!tool) throw callRefused("BAD_REQUEST", `Unknown tool ${JSON.stringify(params.name.slice(0, 100))}; tools/list names the ${MCP_TOOLS.length} tools`);
  requireScopes(user, tool.scopes, tool.name);
  const parsed = tool.input.safeParse(params.arguments ?? {});
  if (!parsed.success) {
    countRejectedPaths(parsed.error, user);
    throw callRefused("BAD_REQUEST", `Invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    });
  }
  // Changes are logged with who made them (the services log executions and processes too).
  if (!tool.readOnly) getLogger().info({ userId: user.id, apiKeyId: user.apiKeyId, tool: tool.name }, "MCP tool call");
  try {
    // A tool whose input names aiPersonality acts as it (the same narrowing as tRPC's actingAi).
    const named = (parsed.data as { aiPersonality?: AiPersonality | null } | undefined)?.aiPersonality;
    return toolResult(await tool.run({ user, actor: actingAs(actor, named), config, signal: extra.signal, progress: progressSender(extra) }, parsed.data));
  } catch (err) {
    return toolFailure(tool.name, err);
  }
}

/** Service refusals while reading resources (not found, no access) as JSON-RPC errors: resources have no isError. */
async function asResourceCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const cause = fromSandboxError(err);
    if (cause instanceof AppError) throw callRefused(cause.code, cause.message);
    if (cause instanceof McpError) throw cause;
    getLogger().error({ err }, "MCP resource request failed");
    throw new McpError(ErrorCode.InternalError, "Internal server error");
  }
}

/**
 * The MCP server for one HTTP request, acting for `user` (an API key's owner). Stateless: a new
 * one per request, so any replica can serve any call and a revoked key is refused on the next one.
 * `config` is the configuration mcp-http.ts read where the request entered.
 */
export function createMcpServer(user: AuthUser, config: Env): Server {
  const server = new Server(
    { name: "pantheon-sandbox", title: "Pantheon Sandbox", version: "1.0.0" },
    {
      capabilities: { tools: {}, resources: {} },
      instructions: INSTRUCTIONS,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOL_LIST }));
  // The actor is built once for the request, as the tRPC context and the REST caller do.
  const actor = actorFor(user);
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => callTool(actor, config, request.params, extra));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [FILE_RESOURCE_TEMPLATE] }));
  server.setRequestHandler(ListResourcesRequestSchema, (request) => {
    requireScopes(user, ["projects:read"], "resources/list");
    return asResourceCall(() => listFileResources(user, request.params?.cursor));
  });
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    requireScopes(user, ["projects:read"], "resources/read");
    return asResourceCall(() => readFileResource(user, request.params.uri));
  });
  return server;
}
