import type { z } from "zod";
import type { Env } from "@/lib/env";
import type { Actor } from "@/server/auth/actor";
import type { ApiScope, AuthUser } from "@/server/auth/auth-user";

/** One chunk of a running command's output, sent as an MCP progress notification. */
export interface ProgressChunk {
  progress: number;
  message: string;
  stream: "stdout" | "stderr";
}

export interface McpToolContext {
  /** The API key's owner, resolved once for the HTTP request (STYLE.md §14). */
  user: AuthUser;
  /** The key's owner and the AI personality acting: the one the call names, else the key's default. */
  actor: Actor;
  /** The configuration, read once where the HTTP request entered (mcp-http.ts); tools hand services the settings they need. */
  config: Env;
  /** Aborted when the client goes away: stop streaming (the work itself is not cancelled, as with REST). */
  signal: AbortSignal;
  /** Present when the client asked for progress (it sent a progressToken). */
  progress: ((chunk: ProgressChunk) => Promise<void>) | null;
}

/** What the dispatcher needs of a tool, with the input type erased so tools can share one list. */
export interface McpTool {
  name: string;
  title: string;
  description: string;
  /** Every one of these, as the matching tRPC procedure requires them. */
  scopes: ApiScope[];
  input: z.ZodType;
  readOnly: boolean;
  run(ctx: McpToolContext, input: unknown): Promise<unknown>;
}

/**
 * A tool over a service: the zod input is the same schema the tRPC procedure uses (so MCP refuses
 * what tRPC refuses), and `run` returns what the procedure's output schema lets out.
 */
export function defineTool<S extends z.ZodType>(
  def: Omit<McpTool, "run" | "input"> & { input: S; run(ctx: McpToolContext, input: z.output<S>): Promise<unknown> },
): McpTool {
  return { ...def, run: (ctx, input) => def.run(ctx, input as z.output<S>) };
}
