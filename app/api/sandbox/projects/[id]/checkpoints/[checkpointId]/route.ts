import { checkpointDetailJson } from "@/server/api/rest/rest-checkpoint-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { checkpointIdParam, projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { getCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string; checkpointId: string }> };

/** One checkpoint with each file's before and after and a unified diff. */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const checkpoint = await getCheckpoint(user, await projectIdParam(params), await checkpointIdParam(params));
    return json(checkpointDetailJson(checkpoint));
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
