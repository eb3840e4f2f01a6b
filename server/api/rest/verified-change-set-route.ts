import type { AuthUser } from "@/server/auth/auth-user";
import { countRejectedPaths } from "@/server/api/rejected-paths";
import { verifiedChangeSetJson } from "@/server/api/rest/rest-checkpoint-dto";
import { verifiedChangeSetBody } from "@/server/api/rest/rest-checkpoints.schema";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, readRestBody, restActor, restConfig } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { AppError } from "@/server/errors/app-error";
import { applyVerifiedChangeSet } from "@/server/services/ai/verified-change-set";

type Params = { params: Promise<{ id: string }> };

/** POST of a verified change set (refactor_code, add_feature): kept only if the verification passes, else rolled back byte-exact. */
export function verifiedChangeSetPost(kind: "refactor" | "feature") {
  return async function POST(req: Request, { params }: Params): Promise<Response> {
    let user: AuthUser | null = null;
    try {
      const actor = await restActor(req, "projects:write");
      user = actor.user;
      // It writes files and runs the verification: both scopes, as the tRPC procedure requires.
      if (!user.scopes.includes("executions:run")) throw new AppError("FORBIDDEN", "This API key lacks the executions:run scope");
      const projectId = await projectIdParam(params);
      const body = verifiedChangeSetBody.parse(await readRestBody(req));
      const result = await applyVerifiedChangeSet(
        actingAs(actor, body.ai_personality),
        projectId,
        {
          kind,
          description: body.description,
          changes: body.changes.map((change) => {
            if (change.op !== "write") return change;
            const { base_version, ...write } = change;
            return { ...write, baseVersion: base_version };
          }),
          verify: body.verify,
          timeoutSeconds: body.timeout,
        },
        restConfig(),
      );
      return json(verifiedChangeSetJson(result));
    } catch (e) {
      countRejectedPaths(e, user);
      return errorResponse(e, req);
    }
  };
}
