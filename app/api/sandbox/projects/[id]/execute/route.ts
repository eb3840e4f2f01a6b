import { executionEventStream } from "@/server/api/rest/execution-sse";
import { executionJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, readRestBody, restActor, restConfig } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { executeBody } from "@/server/api/rest/rest-schemas";
import type { ExecutionRequest } from "@/server/sandbox/execution-types";
import { startExecution } from "@/server/services/executions/start-execution";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

/**
 * The seed's POST …/execute {command, timeout}: waits and answers with the execution, or streams
 * it as server-sent events when the client accepts text/event-stream.
 */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const caller = await restActor(req, "executions:run");
    const projectId = await projectIdParam(params);
    const body = executeBody.parse(await readRestBody(req));
    const timeoutMs = body.timeout === undefined ? undefined : body.timeout * 1000;
    const request: ExecutionRequest =
      body.code !== undefined && body.language
        ? { kind: "code", language: body.language, code: body.code, type: body.type, timeoutMs }
        : { kind: "command", command: body.command ?? "", type: body.type, timeoutMs };
    const actor = actingAs(caller, body.ai_personality);
    const started = await startExecution(actor, projectId, request, restConfig());
    if (req.headers.get("accept")?.includes("text/event-stream")) return executionEventStream(actor.user, started, req.signal);
    return json(executionJson(await started.done));
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
