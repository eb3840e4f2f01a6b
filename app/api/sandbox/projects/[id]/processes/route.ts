import { processJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, readRestBody, restActor, restConfig, restCaller } from "@/server/api/rest/rest-caller";
import { actingAs } from "@/server/auth/actor";
import { startProcessBody } from "@/server/api/rest/rest-schemas";
import { listProcesses, startDevServer, startProcess } from "@/server/services/processes/process-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string }> };

/** The project's background processes, newest first, each with its preview_url while it runs. */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  try {
    const user = await restCaller(req, "projects:read");
    const processes = await listProcesses(user, await projectIdParam(params));
    return json({ processes: processes.map(processJson) });
  } catch (e) {
    return errorResponse(e, req);
  }
}

/**
 * POST …/processes {command, port}: starts a background process and answers {id, status,
 * preview_url, …}. Without command and port, starts the template's dev server.
 */
export async function POST(req: Request, { params }: Params): Promise<Response> {
  try {
    const caller = await restActor(req, "executions:run");
    const projectId = await projectIdParam(params);
    const config = restConfig();
    const body = startProcessBody.parse(await readRestBody(req, config));
    const actor = actingAs(caller, body.ai_personality);
    const started =
      body.command === undefined
        ? await startDevServer(actor, projectId, config)
        : await startProcess(actor, projectId, { command: body.command, port: body.port ?? null }, config);
    return json(processJson(started), 201);
  } catch (e) {
    return errorResponse(e, req);
  }
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET, POST });
