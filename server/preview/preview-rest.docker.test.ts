import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { httpGet, startPreviewHarness, waitForPreview } from "@/test/support/preview-harness";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { GET as listProcesses, POST as startProcess } from "@/app/api/sandbox/projects/[id]/processes/route";
import { DELETE as stopProcess, GET as getProcess } from "@/app/api/sandbox/projects/[id]/processes/[processId]/route";

// The chat service's REST endpoints for background processes (issue 7 point 1), on the real
// engine: POST {command, port} → {id, status, preview_url}; the preview_url answers the key's
// owner with Authorization: Bearer; GET lists; DELETE stops.

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
beforeAll(async () => {
  harness = await startPreviewHarness("4740-4759");
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

const base = "http://localhost/api/sandbox/projects";
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });
const processParams = (id: number, processId: number) => ({ params: Promise.resolve({ id: String(id), processId: String(processId) }) });
const json = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
  new Request(url, { method, headers: { "content-type": "application/json", ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function chatService() {
  const user = await makeUser();
  const headers = { authorization: `Bearer ${await keyFor(user, { name: "chat", defaultAiPersonality: "geppo" })}` };
  const res = await createProject(json("POST", base, headers, { name: "api", template: "node-api" }));
  const { id } = (await res.json()) as { id: number };
  return { headers, projectId: id };
}

describe("REST /api/sandbox/projects/:id/processes", () => {
  it("POST {command, port} starts it and answers {id, status, preview_url}; the URL answers the key; GET lists; DELETE stops", async () => {
    const { headers, projectId } = await chatService();
    const res = await startProcess(
      json("POST", `${base}/${projectId}/processes`, headers, { command: "npm start", port: 8080, ai_personality: "c24" }),
      params(projectId),
    );
    expect(res.status).toBe(201);
    const started = (await res.json()) as { id: number; status: string; preview_url: string; started_by_ai: string; port: number };
    expect(started).toMatchObject({
      status: "running",
      port: 8080,
      started_by_ai: "c24",
      preview_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:47[45]\d\/$/),
    });

    const health = await waitForPreview(`${started.preview_url}health`, headers);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    expect((await httpGet(`${started.preview_url}health`)).status).toBe(404);

    const list = (await (await listProcesses(json("GET", `${base}/${projectId}/processes`, headers), params(projectId))).json()) as {
      processes: Array<{ id: number; status: string }>;
    };
    expect(list.processes).toEqual([expect.objectContaining({ id: started.id, status: "running" })]);
    const one = (await (
      await getProcess(json("GET", `${base}/${projectId}/processes/${started.id}`, headers), processParams(projectId, started.id))
    ).json()) as { output: string };
    expect(one.output).toContain("API listening on http://127.0.0.1:8080");

    const stopped = await stopProcess(json("DELETE", `${base}/${projectId}/processes/${started.id}`, headers), processParams(projectId, started.id));
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ id: started.id, status: "stopped", preview_url: null });
    await expect(httpGet(`${started.preview_url}health`, headers)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("POST {} starts the template's dev server (ai personality from the key)", async () => {
    const { headers, projectId } = await chatService();
    const res = await startProcess(json("POST", `${base}/${projectId}/processes`, headers, {}), params(projectId));
    expect(res.status).toBe(201);
    const started = (await res.json()) as { id: number; port: number; command: string; started_by_ai: string; preview_url: string };
    expect(started).toMatchObject({ port: 8080, started_by_ai: "geppo", command: expect.stringContaining("npm run dev") });
    expect((await waitForPreview(`${started.preview_url}health`, headers)).status).toBe(200);
    await stopProcess(json("DELETE", `${base}/${projectId}/processes/${started.id}`, headers), processParams(projectId, started.id));
  });

  it("refuses denylisted ports, unknown fields and a port without a command with 400; another project's process is 404", async () => {
    const { headers, projectId } = await chatService();
    const post = (body: unknown) => startProcess(json("POST", `${base}/${projectId}/processes`, headers, body), params(projectId));
    const denied = await post({ command: "npm start", port: 5432 });
    expect(denied.status).toBe(400);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toContain("denylist");
    expect((await post({ command: "npm start", port: 8080, cmd: "x" })).status).toBe(400);
    expect((await post({ port: 8080 })).status).toBe(400);
    expect((await post({ command: "npm start", port: 70000 })).status).toBe(400);

    const other = await chatService();
    const mine = (await (await post({ command: "sleep 100" })).json()) as { id: number; preview_url: string | null };
    expect(mine.preview_url).toBeNull();
    // The process exists, but not under someone else's project, nor for someone else's key.
    expect(
      (await stopProcess(json("DELETE", `${base}/${other.projectId}/processes/${mine.id}`, other.headers), processParams(other.projectId, mine.id))).status,
    ).toBe(404);
    expect((await stopProcess(json("DELETE", `${base}/${projectId}/processes/${mine.id}`, other.headers), processParams(projectId, mine.id))).status).toBe(404);
    expect((await stopProcess(json("DELETE", `${base}/${projectId}/processes/${mine.id}`, headers), processParams(projectId, mine.id))).status).toBe(200);
  });
});
