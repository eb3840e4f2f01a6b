import type { AuthUser } from "@/server/auth/auth-user";
import { countRejectedPaths } from "@/server/api/rejected-paths";
import { performanceReportJson } from "@/server/api/rest/rest-optimize-dto";
import { optimizeBody } from "@/server/api/rest/rest-optimize.schema";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, readRestBody, restActor, restConfig } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { optimizePerformance } from "@/server/services/ai/optimize-performance";

type Params = { params: Promise<{ id: string }> };

/**
 * The seed's optimize_performance over REST: profile the command (hot spots, wall time, peak
 * memory), or with `candidate` compare it against the project's files. The scope is the tRPC
 * procedure's (executions:run); the service itself requires write access to the project.
 */
export async function optimizePerformancePost(req: Request, { params }: Params): Promise<Response> {
  let user: AuthUser | null = null;
  try {
    const actor = await restActor(req, "executions:run");
    user = actor.user;
    const projectId = await projectIdParam(params);
    const body = optimizeBody.parse(await readRestBody(req));
    const report = await optimizePerformance(
      actingAs(actor, body.ai_personality),
      {
        projectId,
        command: body.command,
        runs: body.runs,
        timeoutSeconds: body.timeout,
        candidate: body.candidate,
      },
      restConfig(),
    );
    return json(performanceReportJson(report));
  } catch (e) {
    countRejectedPaths(e, user);
    return errorResponse(e, req);
  }
}
