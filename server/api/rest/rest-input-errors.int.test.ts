import { describe, expect, it } from "vitest";
import { keyCaller } from "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as startProcess } from "@/app/api/sandbox/projects/[id]/processes/route";
import { POST as refactor } from "@/app/api/sandbox/projects/[id]/refactor/route";
import { GET as listCheckpoints } from "@/app/api/sandbox/projects/[id]/checkpoints/route";
import { POST as restoreCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/restore/route";
import { GET as readFileContent } from "@/app/api/sandbox/projects/[id]/files/content/route";

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

  it("converts a timeout sent in milliseconds under a unit-suffixed name to the seconds `timeout` takes", async () => {
    const { post, id } = await setup();
    const error = await refusal(await execute(post(`${base}/${id}/execute`, { command: "true", timeoutMs: 30000 }), params(id)));
    expect(error.message).toBe(
      'Invalid input: (body) unknown field `timeoutMs`: did you mean `timeout`? (in seconds: `"timeout": 30` for 30000 ms) (fields are snake_case: command, code, language, type, timeout, ai_personality)',
    );
    const seconds = await refusal(await execute(post(`${base}/${id}/execute`, { command: "true", timeout_seconds: 30 }), params(id)));
    expect(seconds.message).toContain("unknown field `timeout_seconds`: did you mean `timeout`? (in seconds)");
  });

  it("suggests the field on the change sets, their operations, checkpoint restores and the GET queries too", async () => {
    const { key, post, id } = await setup();
    const get = (url: string) => new Request(url, { headers: { authorization: `Bearer ${key}` } });
    const checkpoint = { params: Promise.resolve({ id: String(id), checkpointId: "1" }) };
    const change = (extra: object) => ({ description: "d", changes: [{ op: "write", path: "a.js", content: "", ...extra }], verify: "true" });
    const cases: Array<[Response, string]> = [
      [
        await refactor(post(`${base}/${id}/refactor`, { ...change({}), timeoutMs: 5000 }), params(id)),
        'did you mean `timeout`? (in seconds: `"timeout": 5` for 5000 ms)',
      ],
      [await refactor(post(`${base}/${id}/refactor`, change({ isExecutable: true })), params(id)), "unknown field `isExecutable`: did you mean `executable`?"],
      [await refactor(post(`${base}/${id}/refactor`, { ...change({}), verifyCommand: "npm test" }), params(id)), "unknown field `verifyCommand`"],
      [await restoreCheckpoint(post(`${base}/${id}/checkpoints/1/restore`, { aiPersonality: "geppo" }), checkpoint), "did you mean `ai_personality`?"],
      [await listCheckpoints(get(`${base}/${id}/checkpoints?beforeId=3`), params(id)), "unknown field `beforeId`: did you mean `before_id`?"],
      [await readFileContent(get(`${base}/${id}/files/content?path=a.js&maxBytes=10`), params(id)), "unknown field `maxBytes`: did you mean `max_bytes`?"],
    ];
    for (const [response, expected] of cases) {
      const error = await refusal(response);
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toContain(expected);
    }
    // The checkpoint list's own bounds, in the same shape.
    for (const query of ["limit=0", "limit=201", "limit=x", "before_id=-1"]) {
      const error = await refusal(await listCheckpoints(get(`${base}/${id}/checkpoints?${query}`), params(id)));
      expect(error.issues?.[0]?.path, query).toBe(query.split("=")[0]);
    }
    const page = await listCheckpoints(get(`${base}/${id}/checkpoints?limit=200&before_id=2147483647`), params(id));
    expect(page.status).toBe(200);
  });
});
