import { executionJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { AppError } from "@/server/errors/app-error";
import { latestExecution } from "@/server/services/executions/execution-queries";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

/** The seed's GET …/output: the latest execution's output and status ("running" until it ends). */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const projectId = await projectIdParam(params);
    const execution = await latestExecution(user, projectId);
    if (!execution) throw new AppError("NOT_FOUND", `Project ${projectId} has no executions yet; POST …/execute first`);
    return json(executionJson(execution));
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
