import fc from "fast-check";
import superjson from "superjson";
import { beforeAll, describe, expect, it } from "vitest";
import "@/test/support/callers";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { POST as startProcess } from "@/app/api/sandbox/projects/[id]/processes/route";
import { GET as readContent } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { GET as trpcGet, POST as trpcPost } from "@/app/api/trpc/[trpc]/route";

// Property: no input, however hostile, makes the API answer 5xx. The one 5xx allowed is 503
// "engine not running" for a well-formed execution (this layer runs without Docker).
let headers: Record<string, string>;
let projectId: number;
beforeAll(async () => {
  const user = await makeUser();
  headers = { authorization: `Bearer ${await keyFor(user, { name: "fuzz" })}`, "content-type": "application/json" };
  const res = await createProject(new Request("http://localhost/api/sandbox/projects", { method: "POST", headers, body: JSON.stringify({ name: "fuzz" }) }));
  projectId = ((await res.json()) as { id: number }).id;
});

/** The tRPC wire format; inputs superjson itself refuses to encode (a "__proto__" key) go as plain {json}, so the server still meets them. */
function wire(value: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(value));
  } catch {
    return JSON.stringify({ json: value });
  }
}

async function expectNo5xx(res: Response) {
  const text = await res.text();
  if (res.status === 503) expect(text).toContain("sandbox engine is not running");
  else expect(res.status, text.slice(0, 300)).toBeLessThan(500);
}

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "../etc/passwd",
    "/abs",
    "a\u0000b",
    "a\\b",
    "./x",
    "a//b",
    "",
    " ",
    "x".repeat(600),
    "d/".repeat(50) + "f",
    "react-typescript",
    "cobol",
    "geppo",
    "hal9000",
  ),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, 3601, 301, 1e308));
const hostileValue = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.anything({ maxDepth: 2 }));
const near = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), hostileValue, { maxKeys: keys.length });

/** A procedure path with an input built from its own field names (near-valid, so validation is reached deeply). */
const withInput = (list: Array<[string, string[]]>) => fc.constantFrom(...list).chain(([path, keys]) => fc.tuple(fc.constant(path), near(keys)));

const procedures: Array<[string, string[]]> = [
  ["projects.create", ["name", "description", "template", "isPublic", "aiPersonality"]],
  ["projects.update", ["projectId", "name", "description", "isPublic"]],
  ["projects.duplicate", ["projectId", "name", "aiPersonality"]],
  ["files.write", ["projectId", "path", "content", "encoding", "isEntryPoint", "aiPersonality"]],
  ["files.move", ["projectId", "from", "to"]],
  ["files.writeMany", ["projectId", "writes", "deletes"]],
  ["files.vueDiagnostics", ["projectId", "path", "content"]],
  ["executions.run", ["projectId", "kind", "command", "language", "code", "timeoutSeconds", "type", "image", "aiPersonality"]],
  ["executions.cancel", ["executionId"]],
  ["processes.start", ["projectId", "command", "port", "aiPersonality"]],
  ["processes.startDev", ["projectId", "aiPersonality"]],
  ["processes.stop", ["processId"]],
  ["processes.previewLink", ["processId"]],
  ["ai.applyChanges", ["projectId", "writes", "deletes", "verifyCommand", "timeoutSeconds"]],
  ["ai.runTests", ["projectId", "timeoutSeconds"]],
  ["ai.optimizePerformance", ["projectId", "command", "runs", "timeoutSeconds", "candidate"]],
];
const queries: Array<[string, string[]]> = [
  ["projects.list", ["scope", "search", "sort", "order", "limit", "offset"]],
  ["files.read", ["projectId", "path"]],
  ["ai.getContext", ["projectId", "byteBudget"]],
  ["executions.history", ["projectId", "limit", "beforeId"]],
];

describe("fuzz: no 5xx", () => {
  it("a __proto__ key in the input is refused as bad input, not a crash", async () => {
    for (const path of ["projects.create", "files.write"]) {
      await expectNo5xx(
        await trpcPost(
          new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers, body: '{"json":{"__proto__":{"isAdmin":true},"name":"x"}}' }),
        ),
      );
    }
  });

  it("tRPC mutations with hostile inputs (own project id mixed in)", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(procedures), fc.constantFrom("own", "as-is", "raw"), fc.anything({ maxDepth: 2 }), async ([path, input], mode, raw) => {
        const body = mode === "own" ? { ...input, projectId } : mode === "raw" ? raw : input;
        await expectNo5xx(await trpcPost(new Request(`http://localhost/api/trpc/${path}`, { method: "POST", headers, body: wire(body) })));
      }),
      { numRuns: 150 },
    );
  });

  it("tRPC queries with hostile inputs, and raw garbage bodies", async () => {
    await fc.assert(
      fc.asyncProperty(withInput(queries), fc.string({ maxLength: 200 }), async ([path, fuzzed], garbage) => {
        const input = { ...fuzzed, projectId };
        await expectNo5xx(await trpcGet(new Request(`http://localhost/api/trpc/${path}?input=${encodeURIComponent(wire(input))}`, { headers })));
        await expectNo5xx(await trpcPost(new Request(`http://localhost/api/trpc/files.write`, { method: "POST", headers, body: garbage })));
      }),
      { numRuns: 100 },
    );
  });

  it("REST bodies: structured near-misses and raw strings", async () => {
    const base = `http://localhost/api/sandbox/projects`;
    const params = { params: Promise.resolve({ id: String(projectId) }) };
    await fc.assert(
      fc.asyncProperty(
        near(["name", "description", "template", "ai_personality", "is_public"]),
        near(["path", "content", "is_entry_point", "encoding"]),
        near(["command", "timeout", "code", "language", "type"]),
        fc.string({ maxLength: 100 }),
        near(["command", "port", "ai_personality"]),
        async (project, file, exec, raw, proc) => {
          await expectNo5xx(await createProject(new Request(base, { method: "POST", headers, body: JSON.stringify(project) })));
          await expectNo5xx(await writeFile(new Request(`${base}/${projectId}/files`, { method: "POST", headers, body: JSON.stringify(file) }), params));
          await expectNo5xx(await execute(new Request(`${base}/${projectId}/execute`, { method: "POST", headers, body: JSON.stringify(exec) }), params));
          await expectNo5xx(await execute(new Request(`${base}/${projectId}/execute`, { method: "POST", headers, body: raw }), params));
          await expectNo5xx(await startProcess(new Request(`${base}/${projectId}/processes`, { method: "POST", headers, body: JSON.stringify(proc) }), params));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("REST file content: hostile query strings and Accept headers", async () => {
    const params = { params: Promise.resolve({ id: String(projectId) }) };
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        fc.oneof(hostileString, hostileNumber.map(String)),
        fc.string({ maxLength: 100 }),
        hostileString,
        async (path, maxBytes, raw, accept) => {
          const query = new URLSearchParams({ path, max_bytes: maxBytes });
          for (const search of [query.toString(), raw]) {
            const url = `http://localhost/api/sandbox/projects/${projectId}/files/content?${search}`;
            let acceptHeader: Record<string, string> = {};
            try {
              acceptHeader = { accept: new Headers({ accept }).get("accept") ?? "" };
            } catch {
              // A value no HTTP client could send as a header.
            }
            await expectNo5xx(await readContent(new Request(url, { headers: { ...headers, ...acceptHeader } }), params));
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
