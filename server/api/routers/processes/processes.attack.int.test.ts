import { attackRouter, drain } from "@/test/support/attack-matrix";
import { processRepository } from "@/server/repositories/process-repository";

// Background processes are the owner's alone: even on a public project, another user's calls
// answer NOT_FOUND exactly as a missing project or process would. Refusals happen before the
// engine is touched, so no Docker is needed here (the docker tests cover the allowed paths).

const MISSING = 2_000_000_000;
const rows = new Map<number, number>();

/** A recorded (ended) process of the target project, made once per project. */
async function processOf(projectId: number): Promise<number> {
  if (projectId === MISSING) return MISSING;
  let id = rows.get(projectId);
  if (!id) {
    const row = await processRepository.start({ projectId, userId: null, command: "npm run dev", image: "node", port: 5173, startedByAi: null });
    await processRepository.finish(row.id, { status: "exited", exitCode: 0, output: "secret output" });
    id = row.id;
    rows.set(projectId, id);
  }
  return id;
}

attackRouter("processes", {
  start: { scopes: ["executions:run"], access: "write", call: (c, t) => c.processes.start({ projectId: t.projectId, command: "npm run dev", port: 5173 }) },
  startDev: { scopes: ["executions:run"], access: "write", call: (c, t) => c.processes.startDev({ projectId: t.projectId }) },
  list: { scopes: ["projects:read"], access: "write", call: (c, t) => c.processes.list({ projectId: t.projectId }) },
  get: { scopes: ["projects:read"], access: "write", call: async (c, t) => c.processes.get({ processId: await processOf(t.projectId) }) },
  stop: { scopes: ["executions:run"], access: "write", call: async (c, t) => c.processes.stop({ processId: await processOf(t.projectId) }) },
  probe: { scopes: ["projects:read"], access: "write", call: async (c, t) => c.processes.probe({ processId: await processOf(t.projectId) }) },
  previewLink: { scopes: ["projects:read"], access: "write", call: async (c, t) => c.processes.previewLink({ processId: await processOf(t.projectId) }) },
  output: { scopes: ["projects:read"], access: "write", call: async (c, t) => drain(await c.processes.output({ processId: await processOf(t.projectId) })) },
});
