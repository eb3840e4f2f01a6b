import { processJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { processIdParam, projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { AppError } from "@/server/errors/app-error";
import { getProcess, stopProcess } from "@/server/services/processes/process-service";
import type { AuthUser } from "@/server/auth/auth-user";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string; processId: string }> };

/** The process named by the path, if it belongs to the project in the path (404 otherwise). */
async function processInPath(user: AuthUser, params: Params["params"]) {
  const projectId = await projectIdParam(params);
  const processId = await processIdParam(params);
  const found = await getProcess(user, processId);
  if (found.projectId !== projectId) throw new AppError("NOT_FOUND", `Process ${processId} not found`);
  return found;
}

/** One process with its output (the last 64 KiB). */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const found = await processInPath(user, params);
    return json({ ...processJson(found), output: found.output, output_base64: found.outputBase64 });
  } catch (e) {
    return errorResponse(e, req);
  }
}

/** Stops the process and its children; its preview closes. */
export async function DELETE(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "executions:run");
    const found = await processInPath(user, params);
    return json(processJson(await stopProcess(user, found.id)));
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, OPTIONS } = otherMethods({ GET, DELETE });
