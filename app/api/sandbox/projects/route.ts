import { projectJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { readRestBody, restActor, restCaller } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { createProjectBody, listProjectsQuery } from "@/server/api/rest/rest-schemas";
import { createProject, listProjects } from "@/server/services/projects/project-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

/** The caller's projects, newest first; ?include_public=1 adds everyone's public ones, ?search= filters by name or description. */
export async function GET(req: Request): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const query = listProjectsQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
    const includePublic = query.include_public === "1";
    const { items, total } = await listProjects(user, {
      scope: includePublic ? "own-and-public" : "own",
      search: query.search || undefined,
      sort: "updatedAt",
      order: "desc",
      take: 100,
      skip: 0,
    });
    return json({ projects: items.map(projectJson), total });
  } catch (e) {
    return errorResponse(e, req);
  }
}

/** The seed's POST /api/sandbox/projects {name, description, template, ai_personality}. */
export async function POST(req: Request): Promise<Response> {
  try {
    const actor = await restActor(req, "projects:write");
    const body = createProjectBody.parse(await readRestBody(req));
    const project = await createProject(actingAs(actor, body.ai_personality), {
      name: body.name,
      description: body.description,
      template: body.template,
      isPublic: body.is_public,
    });
    return json(projectJson(project), 201);
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET, POST });
