import { restoreJson } from "@/server/api/rest/rest-checkpoint-dto";
import { restoreCheckpointBody } from "@/server/api/rest/rest-checkpoints.schema";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { checkpointIdParam, projectIdParam, readRestBody, restActor, restConfig } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { restoreCheckpoint } from "@/server/services/checkpoints/checkpoint-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string; checkpointId: string }> };

/** Returns the files to their state just after the checkpoint; the restore is a checkpoint too (undo it by restoring the one before). */
export async function POST(req: Request, { params }: Params): Promise<Response> {
  try {
    const actor = await restActor(req, "projects:write");
    const projectId = await projectIdParam(params);
    const checkpointId = await checkpointIdParam(params);
    // The body is optional ({ai_personality}); a bare POST restores as the caller.
    const body = restoreCheckpointBody.parse(req.body ? await readRestBody(req) : {});
    return json(restoreJson(await restoreCheckpoint(actingAs(actor, body.ai_personality), projectId, checkpointId, restConfig())));
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
