import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { releaseProject } from "@/server/services/projects/project-service";

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
