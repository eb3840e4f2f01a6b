import { describe, expect, it } from "vitest";
import { sessionCookie } from "@/test/support/callers";
import { makeTarget } from "@/test/support/attack-matrix";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET as listProjects, POST as createProject } from "@/app/api/sandbox/projects/route";
import { GET as listFiles, POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { GET as readContent } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as output } from "@/app/api/sandbox/projects/[id]/output/route";
import { POST as release } from "@/app/api/sandbox/projects/[id]/release/route";
import { POST as cancel } from "@/app/api/sandbox/projects/[id]/executions/[executionId]/cancel/route";
import { GET as listCheckpoints } from "@/app/api/sandbox/projects/[id]/checkpoints/route";
import { GET as getCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/route";
import { POST as restoreCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/restore/route";
import { POST as refactorCode } from "@/app/api/sandbox/projects/[id]/refactor/route";
import { POST as addFeature } from "@/app/api/sandbox/projects/[id]/features/route";
import { POST as optimizePerformance } from "@/app/api/sandbox/projects/[id]/optimize/route";
import type { ApiScope } from "@/server/auth/auth-user";
import { checkpointRepository } from "@/server/repositories/checkpoint-repository";
import { executionRepository } from "@/server/repositories/execution-repository";

// Every REST route, called as each caller that must be refused.
const base = "http://localhost/api/sandbox/projects";
type Route = { scope: ApiScope; access: "read" | "write" | "none"; call: (headers: Record<string, string>, projectId: number | string) => Promise<Response> };
const params = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
const post = (url: string, body: unknown, headers: Record<string, string>) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

/** The project's newest checkpoint id (its owner's save of a.txt), or a missing one. */
async function checkpointParams(id: number | string) {
  const n = Number(id);
  const checkpointId =
    Number.isSafeInteger(n) && n > 0 && n < 2_147_483_647 ? ((await checkpointRepository.list(n, 1))[0]?.id ?? 2_000_000_000) : 2_000_000_000;
  return { checkpointId, params: { params: Promise.resolve({ id: String(id), checkpointId: String(checkpointId) }) } };
}
/** An execution of the project (made if it has none), or a missing one. */
async function executionParams(id: number | string) {
  const n = Number(id);
  let executionId = 2_000_000_000;
  if (/^[1-9]\d*$/.test(String(id)) && n < 2_000_000_000) {
    const found = await executionRepository.latestForProject(n);
    executionId =
      found?.id ??
      (await executionRepository.start({ projectId: n, userId: null, executedCode: "sleep 1", language: null, executionType: "run", executedByAi: null }).then(
        (e) => e.id,
        () => 2_000_000_000,
      )); // no such project
  }
  return { executionId, params: { params: Promise.resolve({ id: String(id), executionId: String(executionId) }) } };
}
const changeSet = { description: "x", changes: [{ op: "write", path: "a.txt", content: "pwned" }], verify: "true" };

const routes: Record<string, Route> = {
  "GET /projects": { scope: "projects:read", access: "none", call: (h) => listProjects(new Request(base, { headers: h })) },
  "POST /projects": { scope: "projects:write", access: "none", call: (h) => createProject(post(base, { name: "x" }, h)) },
  "GET /projects/:id/files": {
    scope: "projects:read",
    access: "read",
    call: (h, id) => listFiles(new Request(`${base}/${id}/files`, { headers: h }), params(id)),
  },
  "GET /projects/:id/files/content": {
    scope: "projects:read",
    access: "read",
    call: (h, id) => readContent(new Request(`${base}/${id}/files/content?path=a.txt`, { headers: h }), params(id)),
  },
  "POST /projects/:id/files": {
    scope: "projects:write",
    access: "write",
    call: (h, id) => writeFile(post(`${base}/${id}/files`, { path: "a.txt", content: "pwned" }, h), params(id)),
  },
  "POST /projects/:id/execute": {
    scope: "executions:run",
    access: "write",
    call: (h, id) => execute(post(`${base}/${id}/execute`, { command: "cat a.txt" }, h), params(id)),
  },
  "GET /projects/:id/output": {
    scope: "projects:read",
    access: "read",
    call: (h, id) => output(new Request(`${base}/${id}/output`, { headers: h }), params(id)),
  },
  "POST /projects/:id/release": { scope: "projects:write", access: "write", call: (h, id) => release(post(`${base}/${id}/release`, {}, h), params(id)) },
  "POST /projects/:id/executions/:executionId/cancel": {
    scope: "executions:run",
    access: "write",
    call: async (h, id) => {
      const e = await executionParams(id);
      return cancel(post(`${base}/${id}/executions/${e.executionId}/cancel`, {}, h), e.params);
    },
  },
  // Both need projects:write and executions:run: each row drops one of them.
  "POST /projects/:id/refactor": {
    scope: "projects:write",
    access: "write",
    call: (h, id) => refactorCode(post(`${base}/${id}/refactor`, changeSet, h), params(id)),
  },
  "POST /projects/:id/features": {
    scope: "executions:run",
    access: "write",
    call: (h, id) => addFeature(post(`${base}/${id}/features`, changeSet, h), params(id)),
  },
  "POST /projects/:id/optimize": {
    scope: "executions:run",
    access: "write",
    call: (h, id) => optimizePerformance(post(`${base}/${id}/optimize`, { command: "cat a.txt", runs: 1 }, h), params(id)),
  },
  "GET /projects/:id/checkpoints": {
    scope: "projects:read",
    access: "read",
    call: (h, id) => listCheckpoints(new Request(`${base}/${id}/checkpoints`, { headers: h }), params(id)),
  },
  "GET /projects/:id/checkpoints/:checkpointId": {
    scope: "projects:read",
    access: "read",
    call: async (h, id) => {
      const c = await checkpointParams(id);
      return getCheckpoint(new Request(`${base}/${id}/checkpoints/${c.checkpointId}`, { headers: h }), c.params);
    },
  },
  "POST /projects/:id/checkpoints/:checkpointId/restore": {
    scope: "projects:write",
    access: "write",
    call: async (h, id) => {
      const c = await checkpointParams(id);
      return restoreCheckpoint(post(`${base}/${id}/checkpoints/${c.checkpointId}/restore`, {}, h), c.params);
    },
  },
};

describe("REST routes refuse", () => {
  for (const [name, route] of Object.entries(routes)) {
    it(`${name}: anonymous → 401, a bad key → 401, a key without ${route.scope} → 403`, async () => {
      const target = await makeTarget(true);
      expect((await route.call({}, target.projectId)).status).toBe(401);
      expect((await route.call({ authorization: "Bearer psk_deadbeef_nope" }, target.projectId)).status).toBe(401);
      const owner = await makeUser();
      const key = await keyFor(owner, {
        name: "k",
        scopes: (["projects:read", "projects:write", "executions:run"] as ApiScope[]).filter((s) => s !== route.scope),
      });
      expect((await route.call({ authorization: `Bearer ${key}` }, target.projectId)).status).toBe(403);
    });
    if (route.access === "none") continue;
    it(`${name}: another user → 404 like a missing or malformed id; on a public project → ${route.access === "read" ? "allowed" : "404"}`, async () => {
      const target = await makeTarget();
      const stranger = await makeUser();
      const callers: Array<Record<string, string>> = [{ cookie: await sessionCookie(stranger.id) }, { authorization: `Bearer ${await keyFor(stranger)}` }];
      for (const headers of callers) {
        const refused = await route.call(headers, target.projectId);
        expect(refused.status).toBe(404);
        const missing = await route.call(headers, 2_000_000_000);
        expect(missing.status).toBe(404);
        expect(((await refused.json()) as { error: { message: string } }).error.message.replace(/\d+/g, "N")).toBe(
          ((await missing.json()) as { error: { message: string } }).error.message.replace(/\d+/g, "N"),
        );
        for (const bad of ["abc", "-1", "1e3", "99999999999", "0"]) expect((await route.call(headers, bad)).status).toBe(404);
      }
      const shared = await makeTarget(true);
      const res = await route.call({ cookie: await sessionCookie(stranger.id) }, shared.projectId);
      expect(res.status).toBe(route.access === "read" ? 200 : 404);
    });
  }
});
