import { describe, expect, it } from "vitest";
import { keyCaller } from "@/lib/testing/callers";
import { keyFor, makeUser } from "@/lib/testing/fixtures";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as startProcess } from "@/app/api/sandbox/projects/[id]/processes/route";

// Refusals that say what to change: the real ceiling (SANDBOX_MAX_TIMEOUT, 300 s here), not a
// bound of the schema's own; and the snake_case field meant by a camelCase one.
const base = "http://localhost/api/sandbox/projects";
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });

async function setup() {
  const user = await makeUser();
  const key = await keyFor(user, { name: "errors" });
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const post = (url: string, body: unknown) => new Request(url, { method: "POST", headers, body: JSON.stringify(body) });
  const project = (await (await createProject(post(base, { name: "errors" }))).json()) as { id: number };
  return { user, key, post, id: project.id };
}

async function refusal(res: Response) {
  expect(res.status).toBe(400);
  return ((await res.json()) as { error: { code: string; message: string; issues: Array<{ path: string; message: string }> } }).error;
}

describe("REST input errors", () => {
  it("states the configured timeout ceiling (300 s), whatever was asked above it", async () => {
    const { post, id } = await setup();
    for (const timeout of [301, 3600, 30000]) {
      const error = await refusal(await execute(post(`${base}/${id}/execute`, { command: "true", timeout }), params(id)));
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toBe("Invalid input: timeout must be at most 300 seconds (the ceiling, SANDBOX_MAX_TIMEOUT); ask for 300 or less");
      expect(error.message).not.toContain("3600");
    }
  });

  it("a tRPC caller is told the same ceiling", async () => {
    const { user, id } = await setup();
    const { caller } = await keyCaller(user, ["executions:run"]);
    await expect(caller.executions.run({ projectId: id, kind: "command", command: "true", timeoutSeconds: 30000 })).rejects.toThrow(
      /at most 300 seconds \(the ceiling, SANDBOX_MAX_TIMEOUT\)/,
    );
  });

  it("suggests the snake_case field for a camelCase one, on every REST body", async () => {
    const { post, id } = await setup();
    const cases: Array<[Promise<Response>, string]> = [
      [createProject(post(base, { name: "p", aiPersonality: "geppo" })), "unknown field `aiPersonality`: did you mean `ai_personality`?"],
      [writeFile(post(`${base}/${id}/files`, { path: "a.js", content: "", isEntryPoint: true }), params(id)), "did you mean `is_entry_point`?"],
      [execute(post(`${base}/${id}/execute`, { comand: "true" }), params(id)), "unknown field `comand`: did you mean `command`?"],
      [startProcess(post(`${base}/${id}/processes`, { command: "node s.js", port: 3000, aiPersonality: "c24" }), params(id)), "did you mean `ai_personality`?"],
    ];
    for (const [response, expected] of cases) {
      const error = await refusal(await response);
      expect(error.message).toContain(expected);
      expect(error.message).toContain("fields are snake_case");
    }
  });
});
