import { describe, expect, it, vi } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as refactor } from "@/app/api/sandbox/projects/[id]/refactor/route";
import { POST as optimize } from "@/app/api/sandbox/projects/[id]/optimize/route";

// The ceiling a refusal states is the configured one, read from the same getEnv() the check
// uses: here an operator lowered SANDBOX_MAX_TIMEOUT to 120 and SANDBOX_MAX_FILE_SIZE to 1000, so
// the default ceilings (300 s, 1 MiB) and the variables' own upper bounds (3600 s, 10 MiB) must
// appear nowhere. (Set before the first getEnv() of this file's worker: the parse is cached.)
vi.hoisted(() => {
  process.env.SANDBOX_MAX_TIMEOUT = "120";
  process.env.SANDBOX_MAX_FILE_SIZE = "1000";
});

const base = "http://localhost/api/sandbox/projects";
const params = (id: number) => ({ params: Promise.resolve({ id: String(id) }) });

describe("refusals state the configured ceiling", () => {
  it("timeout above SANDBOX_MAX_TIMEOUT=120 on execute, change sets and optimize; a file above SANDBOX_MAX_FILE_SIZE=1000", async () => {
    const user = await makeUser();
    const key = await keyFor(user, { name: "ceilings" });
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const post = (url: string, body: unknown) => new Request(url, { method: "POST", headers, body: JSON.stringify(body) });
    const { id } = (await (await createProject(post(base, { name: "ceilings" }))).json()) as { id: number };

    const ceiling = "Invalid input: timeout must be at most 120 seconds (the ceiling, SANDBOX_MAX_TIMEOUT); ask for 120 or less";
    const refusals: Response[] = [];
    for (const timeout of [121, 300, 30000]) refusals.push(await execute(post(`${base}/${id}/execute`, { command: "true", timeout }), params(id)));
    refusals.push(
      await refactor(post(`${base}/${id}/refactor`, { description: "d", changes: [{ op: "delete", path: "a.js" }], timeout: 121 }), params(id)),
      await optimize(post(`${base}/${id}/optimize`, { command: "true", timeout: 121 }), params(id)),
    );
    for (const res of refusals) {
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error).toMatchObject({ code: "BAD_REQUEST", message: ceiling });
    }

    const big = await writeFile(post(`${base}/${id}/files`, { path: "big.txt", content: "x".repeat(1001) }), params(id));
    expect(big.status).toBe(413);
    const { error } = (await big.json()) as { error: { message: string } };
    expect(error.message).toBe("big.txt is 1001 bytes; files may be at most 1000 bytes (SANDBOX_MAX_FILE_SIZE)");
    const fits = await writeFile(post(`${base}/${id}/files`, { path: "fits.txt", content: "x".repeat(1000) }), params(id));
    expect(fits.status).toBe(201);
  });
});
