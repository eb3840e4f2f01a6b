// Low limits for this file, set before anything reads the environment.
process.env.SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE = "4";
process.env.SANDBOX_RATE_SANDBOXES_PER_USER = "2";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { startAppEngine } from "@/test/support/app-engine";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as output } from "@/app/api/sandbox/projects/[id]/output/route";
import { POST as release } from "@/app/api/sandbox/projects/[id]/release/route";
import type { SandboxEngine } from "@/server/sandbox/engine";

let engine: SandboxEngine;
beforeAll(async () => {
  ({ engine } = await startAppEngine());
});
afterAll(async () => {
  await engine.stop();
  // Later files in the same worker get the configured limits back.
  for (const name of ["SANDBOX_RATE_EXEC_PER_PROJECT_PER_MINUTE", "SANDBOX_RATE_SANDBOXES_PER_USER"]) delete process.env[name];
});

const base = "http://localhost/api/sandbox/projects";
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });
const post = (url: string, body: unknown, headers: Record<string, string>) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

async function project(headers: Record<string, string>) {
  return ((await (await createProject(post(base, { name: "rest", ai_personality: "llama" }, headers))).json()) as { id: number }).id;
}
async function bearer() {
  const user = await makeUser();
  return { authorization: `Bearer ${await keyFor(user, { name: "rest", defaultAiPersonality: "mistral" })}` };
}

describe("POST /api/sandbox/projects/:id/execute", () => {
  it("waits and returns the execution with the seed's fields; GET …/output returns the latest", async () => {
    const headers = await bearer();
    const id = await project(headers);
    const res = await execute(post(`${base}/${id}/execute`, { command: 'node -e "console.log(1)"', timeout: 30 }, headers), params(id));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "success", exit_code: 0, output: "1\n", error_output: "", executed_by_ai: "mistral" });
    for (const field of ["id", "execution_time_ms", "memory_used_mb", "cpu_usage_percent"]) expect(body).toHaveProperty(field);
    const latest = (await (await output(new Request(`${base}/${id}/output`, { headers }), params(id))).json()) as Record<string, unknown>;
    expect(latest).toMatchObject({ id: body.id, status: "success", output: "1\n" });
  });

  it("streams server-sent events when asked", async () => {
    const headers = await bearer();
    const id = await project(headers);
    const res = await execute(
      post(`${base}/${id}/execute`, { command: "echo a; echo b >&2; exit 3" }, { ...headers, accept: "text/event-stream" }),
      params(id),
    );
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => [m[1], JSON.parse(m[2] ?? "null")] as const);
    // Docker carries stdout and stderr on separate pipes: their relative order is not guaranteed.
    const names = events.map(([e]) => e);
    expect([names[0], names[3], names[4]]).toEqual(["started", "exit", "result"]);
    expect(names.slice(1, 3).sort()).toEqual(["stderr", "stdout"]);
    expect(events[3]?.[1]).toMatchObject({ exitCode: 3, status: "error" });
    expect(events[4]?.[1]).toMatchObject({ exit_code: 3, output: "a\n", error_output: "b\n" });
  });

  it("rate limits per project with 429 and Retry-After; caps running sandboxes per user until one is released", async () => {
    const headers = await bearer();
    const id = await project(headers);
    for (let i = 0; i < 4; i++) expect((await execute(post(`${base}/${id}/execute`, { command: "true" }, headers), params(id))).status).toBe(200);
    const refused = await execute(post(`${base}/${id}/execute`, { command: "true" }, headers), params(id));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.stringify(await refused.json())).toContain("per project per minute");

    // This user now holds one sandbox; the limit is 2.
    const second = await project(headers);
    expect((await execute(post(`${base}/${second}/execute`, { command: "true" }, headers), params(second))).status).toBe(200);
    const third = await project(headers);
    const full = await execute(post(`${base}/${third}/execute`, { command: "true" }, headers), params(third));
    expect(full.status).toBe(429);
    expect(JSON.stringify(await full.json())).toContain("running sandboxes per user");
    expect((await release(post(`${base}/${second}/release`, {}, headers), params(second))).status).toBe(200);
    expect((await execute(post(`${base}/${third}/execute`, { command: "true" }, headers), params(third))).status).toBe(200);
  });
});
