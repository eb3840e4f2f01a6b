import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { releaseProject } from "@/server/services/projects/project-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

/** Stops the project's sandbox (files stay), freeing one of the caller's running-sandbox slots. */
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:write");
    await releaseProject(user, await projectIdParam(params));
    return json({ released: true });
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { GET, HEAD, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ POST });
