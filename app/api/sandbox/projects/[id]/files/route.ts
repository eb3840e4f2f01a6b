import type { AuthUser } from "@/server/auth/auth-user";
import { countRejectedPaths } from "@/server/api/rejected-paths";
import { fileJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, readRestBody, restActor, restCaller, restConfig } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { writeFileBody } from "@/server/api/rest/rest-schemas";
import { listFiles, writeFile } from "@/server/services/files/file-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string }> };

/** The project's files with their metadata (contents through tRPC files.read). */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const files = await listFiles(user, await projectIdParam(params));
    return json({ files: files.map(fileJson) });
  } catch (e) {
    return errorResponse(e, req);
  }
}

/**
 * The seed's POST …/files {path, content, is_entry_point}: creates or replaces the file. With
 * base_version it replaces only that version (null: creates only), else 409 with the current one.
 */
export async function POST(req: Request, { params }: Params): Promise<Response> {
  let user: AuthUser | null = null;
  try {
    const actor = await restActor(req, "projects:write");
    user = actor.user;
    const projectId = await projectIdParam(params);
    const body = writeFileBody.parse(await readRestBody(req));
    const file = await writeFile(
      actingAs(actor, body.ai_personality),
      projectId,
      {
        path: body.path,
        content: body.content,
        encoding: body.encoding,
        isEntryPoint: body.is_entry_point,
        baseVersion: body.base_version,
      },
      restConfig(),
    );
    return json(fileJson(file), 201);
  } catch (e) {
    countRejectedPaths(e, user);
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET, POST });
