import { checkpointJson } from "@/server/api/rest/rest-checkpoint-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { AppError } from "@/server/errors/app-error";
import { listCheckpoints } from "@/server/services/checkpoints/checkpoint-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string }> };

function intParam(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const n = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw new AppError("BAD_REQUEST", `${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** The project's checkpoints, newest first (?limit=1..200, ?before_id= for the next page). */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const url = new URL(req.url);
    const limit = intParam(url, "limit", 1, 200) ?? 50;
    const page = await listCheckpoints(user, await projectIdParam(params), { limit, beforeId: intParam(url, "before_id", 1, 2_147_483_647) });
    return json({ checkpoints: page.checkpoints.map(checkpointJson), next_before_id: page.nextBeforeId });
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
