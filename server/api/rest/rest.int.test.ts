import { describe, expect, it } from "vitest";
import { type keyCaller, sessionCookie } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET as listProjects, POST as createProject } from "@/app/api/sandbox/projects/route";
import { GET as listFiles, POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as output } from "@/app/api/sandbox/projects/[id]/output/route";

// The seed's REST endpoints through the real route handlers (executions need the engine: see rest.docker.test.ts).
const base = "http://localhost/api/sandbox/projects";
const params = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });
const post = (url: string, body: unknown, headers: Record<string, string>) =>
  new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

async function bearer(scopes?: Parameters<typeof keyCaller>[1]) {
  const user = await makeUser();
  const key = await keyFor(user, { name: "rest", scopes, defaultAiPersonality: "geppo" });
  return { user, headers: { authorization: `Bearer ${key}` } };
}

describe("REST /api/sandbox", () => {
  it("creates with the seed's fields, lists, writes and lists files in snake_case", async () => {
    const { user, headers } = await bearer();
    const res = await createProject(
      post(base, { name: "React Todo App", description: "Simple todo application", template: "react-typescript", ai_personality: "c24" }, headers),
    );
    expect(res.status).toBe(201);
    const project = (await res.json()) as { id: number; created_by_ai: string; template_type: string; user_id: number };
    expect(project).toMatchObject({ created_by_ai: "c24", template_type: "react-app", user_id: user.id });

    const file = await writeFile(
      post(`${base}/${project.id}/files`, { path: "src/App.tsx", content: "import React from 'react'", is_entry_point: true }, headers),
      params(project.id),
    );
    expect(file.status).toBe(201);
    expect(await file.json()).toMatchObject({ path: "src/App.tsx", is_entry_point: true, file_type: "typescript", size_bytes: 25 });

    const files = (await (await listFiles(new Request(`${base}/${project.id}/files`, { headers }), params(project.id))).json()) as {
      files: Array<{ path: string; is_entry_point: boolean }>;
    };
    expect(files.files.filter((f) => f.is_entry_point).map((f) => f.path)).toEqual(["src/App.tsx"]);
    const list = (await (await listProjects(new Request(base, { headers }))).json()) as { projects: Array<{ id: number }> };
    expect(list.projects.map((p) => p.id)).toEqual([project.id]);
    expect((await output(new Request(`${base}/${project.id}/output`, { headers }), params(project.id))).status).toBe(404);
  });

  it("filters the list with ?search= on name or description", async () => {
    const { headers } = await bearer();
    for (const name of ["Todo list", "Weather", "Other"])
      expect((await createProject(post(base, { name, description: name === "Other" ? "a todo app" : null }, headers))).status).toBe(201);
    const names = async (query: string) =>
      ((await (await listProjects(new Request(`${base}${query}`, { headers }))).json()) as { projects: Array<{ name: string }> }).projects
        .map((p) => p.name)
        .sort();
    expect(await names("?search=TODO")).toEqual(["Other", "Todo list"]);
    expect(await names("?search=")).toEqual(["Other", "Todo list", "Weather"]);
  });

  it("accepts a session cookie", async () => {
    const user = await makeUser();
    const res = await listProjects(new Request(base, { headers: { cookie: await sessionCookie(user.id) } }));
    expect(res.status).toBe(200);
  });

  it("answers bad input with 4xx and a message saying what to change, writing nothing", async () => {
    const { headers } = await bearer();
    const created = (await (await createProject(post(base, { name: "p" }, headers))).json()) as { id: number };
    const cases: Array<[Request, number, string]> = [
      [post(base, "{not json", headers), 400, "not valid JSON"],
      [post(base, { name: "p", template: "cobol" }, headers), 400, "valid templates"],
      [post(base, { name: "p", ai_personality: "hal" }, headers), 400, "geppo"],
      [post(base, { name: "p", isPublic: true }, headers), 400, "unknown field `isPublic`: did you mean `is_public`?"],
      [post(base, { name: "x".repeat(300) }, headers), 400, "255"],
      [post(`${base}/${created.id}/files`, { path: "../x", content: "" }, headers), 400, "'..'"],
      [post(`${base}/${created.id}/files`, { path: "a", content: "x".repeat(1_048_577) }, headers), 413, "SANDBOX_MAX_FILE_SIZE"],
      [post(`${base}/${created.id}/files`, { path: "a", content: "x".repeat(3 * 1024 * 1024) }, headers), 413, "SANDBOX_MAX_BODY_BYTES"],
      [post(`${base}/${created.id}/execute`, { command: "true", timeout: 3000 }, headers), 400, "ceiling"],
      [post(`${base}/${created.id}/execute`, { command: "true", timeout: 99999 }, headers), 400, "at most 300 seconds"],
      [post(`${base}/${created.id}/execute`, {}, headers), 400, "either command"],
    ];
    for (const [req, status, message] of cases) {
      const url = new URL(req.url).pathname;
      const handler = url.endsWith("/files") ? writeFile : url.endsWith("/execute") ? execute : null;
      const res = handler ? await handler(req, params(created.id)) : await createProject(req);
      expect(res.status, message).toBe(status);
      expect(JSON.stringify(await res.json()), message).toContain(message);
    }
    const files = (await (await listFiles(new Request(`${base}/${created.id}/files`, { headers }), params(created.id))).json()) as { files: unknown[] };
    expect(files.files).toEqual([]);
  });

  it("refuses a streamed body above the cap before parsing (no Content-Length)", async () => {
    const { headers } = await bearer();
    const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 64) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const req = new Request(base, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
    const res = await createProject(req);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(10);
  });
});
