import { checkpointJson } from "@/server/api/rest/rest-checkpoint-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { listCheckpointsQuery } from "@/server/api/rest/rest-checkpoints.schema";
import { listCheckpoints } from "@/server/services/checkpoints/checkpoint-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string }> };

/** The project's checkpoints, newest first (?limit=1..200, ?before_id= for the next page). */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const projectId = await projectIdParam(params);
    const query = listCheckpointsQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
    const page = await listCheckpoints(user, projectId, { limit: query.limit ?? 50, beforeId: query.before_id });
    return json({ checkpoints: page.checkpoints.map(checkpointJson), next_before_id: page.nextBeforeId });
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
