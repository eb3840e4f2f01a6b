import { errorResponse, json } from "@/server/api/rest/rest-response";
import { executionIdParam, projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { AppError } from "@/server/errors/app-error";
import { cancelExecution, requireExecution } from "@/server/services/executions/execution-queries";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string; executionId: string }> };

/**
 * Cancels a running execution of the project, on whichever instance runs it (the owner is asked
 * over the cluster bus). `cancelled: false` when it had already ended (or its instance died: the
 * sweeper ends it as interrupted).
 */
export async function POST(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "executions:run");
    const projectId = await projectIdParam(params);
    const executionId = await executionIdParam(params);
    const execution = await requireExecution(user, executionId, "write");
    if (execution.projectId !== projectId) throw new AppError("NOT_FOUND", `Execution ${executionId} not found`);
    return json({ cancelled: await cancelExecution(user, executionId) });
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
