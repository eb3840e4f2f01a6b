import { type Env, getEnv } from "@/lib/env";
import { type Actor, actorFor } from "@/server/auth/actor";
import type { ApiScope, AuthUser } from "@/server/auth/auth-user";
import { resolveCaller } from "@/server/auth/resolve-caller";
import { AppError } from "@/server/errors/app-error";
import { readJsonBody } from "./read-json-body";

/** The caller of a REST route (session cookie or Bearer key), holding `scope`, or an AppError. */
export async function restCaller(req: Request, scope: ApiScope): Promise<AuthUser> {
  const { user, authError } = await resolveCaller(req.headers);
  if (!user) throw new AppError("UNAUTHORIZED", authError ?? "Sign in, or send 'Authorization: Bearer <api key>'");
  if (!user.scopes.includes(scope)) throw new AppError("FORBIDDEN", `This API key lacks the ${scope} scope`);
  return user;
}

/**
 * The actor of a REST route (the caller and the AI personality acting for them: their key's
 * default), built once here; a route whose body names `ai_personality` narrows it with actingAs.
 */
export async function restActor(req: Request, scope: ApiScope): Promise<Actor> {
  return actorFor(await restCaller(req, scope));
}

/**
 * The configuration a REST route passes down (lib/env.ts, parsed once per process): routes hand
 * services the settings they need, as tRPC procedures do from their context; services never read it.
 */
export function restConfig(): Env {
  return getEnv();
}

/** The request's JSON body, capped at SANDBOX_MAX_BODY_BYTES (413 past it). */
export function readRestBody(req: Request, config: Pick<Env, "SANDBOX_MAX_BODY_BYTES"> = restConfig()): Promise<unknown> {
  return readJsonBody(req, config.SANDBOX_MAX_BODY_BYTES);
}

/** A path's project id; anything but a positive integer is a project that does not exist. */
export async function projectIdParam(params: Promise<{ id: string }>): Promise<number> {
  const { id } = await params;
  const n = /^[1-9]\d{0,9}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new AppError("NOT_FOUND", `Project ${id.slice(0, 40)} not found`);
  return n;
}

/** A path's process id, parsed like a project id. */
export async function processIdParam(params: Promise<{ processId: string }>): Promise<number> {
  const { processId } = await params;
  const n = /^[1-9]\d{0,9}$/.test(processId) ? Number(processId) : NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new AppError("NOT_FOUND", `Process ${processId.slice(0, 40)} not found`);
  return n;
}

/** A path's execution id, parsed like a project id. */
export async function executionIdParam(params: Promise<{ executionId: string }>): Promise<number> {
  const { executionId } = await params;
  const n = /^[1-9]\d{0,9}$/.test(executionId) ? Number(executionId) : NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new AppError("NOT_FOUND", `Execution ${executionId.slice(0, 40)} not found`);
  return n;
}

/** A path's checkpoint id, parsed like a project id. */
export async function checkpointIdParam(params: Promise<{ checkpointId: string }>): Promise<number> {
  const { checkpointId } = await params;
  const n = /^[1-9]\d{0,9}$/.test(checkpointId) ? Number(checkpointId) : NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) throw new AppError("NOT_FOUND", `Checkpoint ${checkpointId.slice(0, 40)} not found`);
  return n;
}
