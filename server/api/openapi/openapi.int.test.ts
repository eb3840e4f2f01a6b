import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { keyFor, makeUser } from "@/test/fixtures/accounts";
import { GET as editorTypes } from "@/app/api/editor-types/node/route";
import { GET as health } from "@/app/api/health/route";
import { GET as metrics } from "@/app/api/metrics/route";
import { GET as openapi } from "@/app/api/openapi.json/route";
import { GET as listProjects, POST as createProject } from "@/app/api/sandbox/projects/route";
import { POST as execute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { GET as listFiles, POST as writeFile } from "@/app/api/sandbox/projects/[id]/files/route";
import { GET as readContent } from "@/app/api/sandbox/projects/[id]/files/content/route";
import { GET as output } from "@/app/api/sandbox/projects/[id]/output/route";
import { POST as cancel } from "@/app/api/sandbox/projects/[id]/executions/[executionId]/cancel/route";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { GET as getProcess, DELETE as stopProcess } from "@/app/api/sandbox/projects/[id]/processes/[processId]/route";
import { GET as listProcesses, POST as startProcess } from "@/app/api/sandbox/projects/[id]/processes/route";
import { POST as release } from "@/app/api/sandbox/projects/[id]/release/route";
import { GET as listCheckpoints } from "@/app/api/sandbox/projects/[id]/checkpoints/route";
import { GET as getCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/route";
import { POST as restoreCheckpoint } from "@/app/api/sandbox/projects/[id]/checkpoints/[checkpointId]/restore/route";
import { POST as refactorCode } from "@/app/api/sandbox/projects/[id]/refactor/route";
import { POST as addFeature } from "@/app/api/sandbox/projects/[id]/features/route";
import { POST as optimizePerformance } from "@/app/api/sandbox/projects/[id]/optimize/route";
import { executionRepository } from "@/server/repositories/execution-repository";
import { processRepository } from "@/server/repositories/process-repository";

// The contract: every REST route file is in /api/openapi.json, and what the real handlers
// answer validates against it (JSON Schema 2020-12, as OpenAPI 3.1 specifies).

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
}
let doc: Doc;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  const res = openapi();
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
  ajv.addSchema(doc, "openapi");
});

// Not REST: tRPC has its own typed client, next-auth its own protocol, MCP is JSON-RPC; the
// catch-all only answers unknown paths with a JSON 404.
const NOT_REST = ["app/api/trpc/", "app/api/auth/", "app/api/mcp/", "app/api/[[...path]]/"];
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

function routeFiles(dir = "app/api"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return routeFiles(path);
    return e.name === "route.ts" ? [relative(".", path).split(sep).join("/")] : [];
  });
}

/** app/api/sandbox/projects/[id]/files/route.ts → /api/sandbox/projects/{id}/files */
function openApiPath(file: string): string {
  return file
    .replace(/^app/, "")
    .replace(/\/route\.ts$/, "")
    .replace(/\[([^\]]+)\]/g, "{$1}");
}

function exportedMethods(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return METHODS.filter((m) => new RegExp(`export (async )?function ${m}\\b|export const ${m}\\b|as ${m}\\b`).test(text));
}

/** Checks one real response against the document's entry for its path, method and status. */
async function conforms(path: string, method: string, res: Response, expected?: number): Promise<unknown> {
  if (expected !== undefined) expect(res.status, `${method} ${path}`).toBe(expected);
  const operation = doc.paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} in the document`).toBeDefined();
  const status = String(res.status);
  const responses = operation?.responses ?? {};
  const declared = status in responses ? status : "default";
  expect(responses[declared], `${method} ${path} declares ${status} (or a default)`).toBeDefined();
  const type = (res.headers.get("content-type") ?? "").split(";")[0]?.trim() ?? "";
  const content = responses[declared]?.content;
  expect(content?.[type], `${method} ${path} ${status} declares ${type}`).toBeDefined();
  const pointer = ["paths", path, method.toLowerCase(), "responses", declared, "content", type, "schema"]
    .map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1"))
    .join("/");
  const body: unknown = type === "application/json" ? await res.json() : await res.text();
  const validate = ajv.getSchema(`openapi#/${pointer}`);
  expect(validate, pointer).toBeDefined();
  const ok = validate?.(body);
  expect(ok, `${method} ${path} ${status}: ${ajv.errorsText(validate?.errors)}\n${JSON.stringify(body).slice(0, 500)}`).toBe(true);
  return body;
}

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 and lists every REST route file with each method it exports", () => {
    expect(doc.openapi).toBe("3.1.0");
    const files = routeFiles().filter((f) => !NOT_REST.some((p) => f.startsWith(p)));
    expect(files.length).toBeGreaterThanOrEqual(11);
    const missing: string[] = [];
    for (const file of files) {
      for (const method of exportedMethods(file)) {
        if (!doc.paths[openApiPath(file)]?.[method.toLowerCase()]) missing.push(`${method} ${openApiPath(file)} (${file})`);
      }
    }
    expect(missing).toEqual([]);
    // And nothing documented that does not exist.
    const served = new Set(files.flatMap((f) => exportedMethods(f).map((m) => `${m} ${openApiPath(f)}`)));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.filter((d) => !served.has(d))).toEqual([]);
  });

  it("describes what the real handlers answer, successes and refusals alike", async () => {
    const user = await makeUser();
    const key = await keyFor(user, { name: "contract" });
    const auth = { authorization: `Bearer ${key}` };
    const base = "http://localhost";
    const post = (url: string, body: unknown) =>
      new Request(`${base}${url}`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify(body) });
    const get = (url: string, headers: Record<string, string> = auth) => new Request(`${base}${url}`, { headers });
    const params = (id: number | string, processId?: number | string) => ({
      params: Promise.resolve({ id: String(id), processId: String(processId ?? 0) }),
    });

    const project = (await conforms("/api/sandbox/projects", "POST", await createProject(post("/api/sandbox/projects", { name: "contract" })), 201)) as {
      id: number;
    };
    const id = project.id;
    await conforms("/api/sandbox/projects", "GET", await listProjects(get("/api/sandbox/projects?include_public=1")), 200);
    await conforms("/api/sandbox/projects", "GET", await listProjects(get("/api/sandbox/projects", {})), 401);
    await conforms("/api/sandbox/projects", "POST", await createProject(post("/api/sandbox/projects", { name: "" })), 400);

    await conforms(
      "/api/sandbox/projects/{id}/files",
      "POST",
      await writeFile(post(`/api/sandbox/projects/${id}/files`, { path: "src/a.ts", content: "1" }), params(id)),
      201,
    );
    await conforms(
      "/api/sandbox/projects/{id}/files",
      "POST",
      await writeFile(post(`/api/sandbox/projects/${id}/files`, { path: "../etc/passwd", content: "" }), params(id)),
      400,
    );
    await conforms("/api/sandbox/projects/{id}/files", "GET", await listFiles(get(`/api/sandbox/projects/${id}/files`), params(id)), 200);
    await conforms("/api/sandbox/projects/{id}/files", "GET", await listFiles(get(`/api/sandbox/projects/999999999/files`), params(999999999)), 404);
    const content = (path: string) => readContent(get(`/api/sandbox/projects/${id}/files/content?${path}`), params(id));
    await conforms("/api/sandbox/projects/{id}/files/content", "GET", await content("path=src/a.ts"), 200);
    await conforms("/api/sandbox/projects/{id}/files/content", "GET", await content("path=src/none.ts"), 404);
    await conforms("/api/sandbox/projects/{id}/files/content", "GET", await content("path=../x"), 400);
    await conforms("/api/sandbox/projects/{id}/files/content", "GET", await content("path=src/a.ts&max_bytes=0"), 400);

    // No engine runs in this layer: execute answers its refusal (a 503 or the like); the
    // execution shape itself is checked through …/output from a real row.
    await conforms(
      "/api/sandbox/projects/{id}/execute",
      "POST",
      await execute(post(`/api/sandbox/projects/${id}/execute`, { command: "echo hi" }), params(id)),
    );
    await conforms("/api/sandbox/projects/{id}/execute", "POST", await execute(post(`/api/sandbox/projects/${id}/execute`, {}), params(id)), 400);
    await conforms("/api/sandbox/projects/{id}/output", "GET", await output(get(`/api/sandbox/projects/${id}/output`), params(id)), 404);
    const running = await executionRepository.start({
      projectId: id,
      userId: user.id,
      executedCode: "echo hi",
      language: null,
      executionType: "run",
      executedByAi: "geppo",
    });
    await conforms("/api/sandbox/projects/{id}/output", "GET", await output(get(`/api/sandbox/projects/${id}/output`), params(id)), 200);
    // Cancel: a run in this process's hub is aborted (one elsewhere is asked over the cluster bus).
    const running2 = new AbortController();
    getExecutionHub().open(running.id, id, running2);
    const ex = (id: number, executionId: number | string) => ({ params: Promise.resolve({ id: String(id), executionId: String(executionId) }) });
    const cancelUrl = (executionId: number | string) => `/api/sandbox/projects/${id}/executions/${executionId}/cancel`;
    const cancelPath = "/api/sandbox/projects/{id}/executions/{executionId}/cancel";
    expect(await conforms(cancelPath, "POST", await cancel(post(cancelUrl(running.id), {}), ex(id, running.id)), 200)).toEqual({ cancelled: true });
    expect(running2.signal.aborted).toBe(true);
    await conforms(cancelPath, "POST", await cancel(post(cancelUrl("x"), {}), ex(id, "x")), 404);
    await conforms(cancelPath, "POST", await cancel(post(cancelUrl(running.id), {}), ex(id + 1000, running.id)), 404);
    getExecutionHub().push(running.id, { seq: 1, type: "exit", exitCode: null, status: "error", reason: "cancelled", truncated: false });
    await executionRepository.finish(running.id, {
      output: "hi\n",
      errorOutput: "",
      outputTruncated: false,
      exitCode: 0,
      executionTimeMs: 12,
      memoryUsedMb: 3.5,
      cpuUsagePercent: null,
      status: "success",
      statusReason: null,
    });
    const finished = (await conforms("/api/sandbox/projects/{id}/output", "GET", await output(get(`/api/sandbox/projects/${id}/output`), params(id)), 200)) as {
      status: string;
    };
    expect(finished.status).toBe("success");
    expect(await conforms(cancelPath, "POST", await cancel(post(cancelUrl(running.id), {}), ex(id, running.id)), 200)).toEqual({ cancelled: false });

    const proc = await processRepository.start({ projectId: id, userId: user.id, command: "node server.js", image: "node", port: 3000, startedByAi: null });
    await processRepository.finish(proc.id, { status: "exited", exitCode: 0, output: "listening\n" });
    await conforms("/api/sandbox/projects/{id}/processes", "GET", await listProcesses(get(`/api/sandbox/projects/${id}/processes`), params(id)), 200);
    await conforms(
      "/api/sandbox/projects/{id}/processes",
      "POST",
      await startProcess(post(`/api/sandbox/projects/${id}/processes`, { port: 3000 }), params(id)),
    );
    await conforms(
      "/api/sandbox/projects/{id}/processes/{processId}",
      "GET",
      await getProcess(get(`/api/sandbox/projects/${id}/processes/${proc.id}`), params(id, proc.id)),
      200,
    );
    await conforms(
      "/api/sandbox/projects/{id}/processes/{processId}",
      "GET",
      await getProcess(get(`/api/sandbox/projects/${id}/processes/x`), params(id, "x")),
      404,
    );
    const del = new Request(`${base}/api/sandbox/projects/${id}/processes/${proc.id}`, { method: "DELETE", headers: auth });
    await conforms("/api/sandbox/projects/{id}/processes/{processId}", "DELETE", await stopProcess(del, params(id, proc.id)));
    await conforms("/api/sandbox/projects/{id}/release", "POST", await release(post(`/api/sandbox/projects/${id}/release`, {}), params(id)), 200);

    // Checkpoints: the write of src/a.ts above is one.
    const cp = (id: number, checkpointId: number | string) => ({ params: Promise.resolve({ id: String(id), checkpointId: String(checkpointId) }) });
    const listed = (await conforms(
      "/api/sandbox/projects/{id}/checkpoints",
      "GET",
      await listCheckpoints(get(`/api/sandbox/projects/${id}/checkpoints?limit=5`), params(id)),
      200,
    )) as { checkpoints: { id: number; source: string }[] };
    const checkpointId = listed.checkpoints[0]!.id;
    expect(listed.checkpoints[0]!.source).toBe("api");
    await conforms(
      "/api/sandbox/projects/{id}/checkpoints",
      "GET",
      await listCheckpoints(get(`/api/sandbox/projects/${id}/checkpoints?limit=0`), params(id)),
      400,
    );
    const shown = (await conforms(
      "/api/sandbox/projects/{id}/checkpoints/{checkpointId}",
      "GET",
      await getCheckpoint(get(`/api/sandbox/projects/${id}/checkpoints/${checkpointId}`), cp(id, checkpointId)),
      200,
    )) as { diffs: { path: string; diff: string }[] };
    expect(shown.diffs[0]).toMatchObject({ path: "src/a.ts", diff: expect.stringContaining("+1") });
    await conforms(
      "/api/sandbox/projects/{id}/checkpoints/{checkpointId}",
      "GET",
      await getCheckpoint(get(`/api/sandbox/projects/${id}/checkpoints/999999999`), cp(id, 999999999)),
      404,
    );
    await conforms(
      "/api/sandbox/projects/{id}/checkpoints/{checkpointId}/restore",
      "POST",
      await restoreCheckpoint(post(`/api/sandbox/projects/${id}/checkpoints/${checkpointId}/restore`, {}), cp(id, checkpointId)),
      200,
    );
    const changes = [
      { op: "write", path: "src/a.ts", content: "2" },
      { op: "delete", path: "src/a.ts" },
    ];
    await conforms(
      "/api/sandbox/projects/{id}/refactor",
      "POST",
      await refactorCode(post(`/api/sandbox/projects/${id}/refactor`, { description: "dup", changes, verify: "true" }), params(id)),
      400,
    );
    // No engine here: the verification cannot run, the change set is rolled back and the refusal documented.
    await conforms(
      "/api/sandbox/projects/{id}/features",
      "POST",
      await addFeature(
        post(`/api/sandbox/projects/${id}/features`, { description: "f", changes: [{ op: "write", path: "b.ts", content: "b" }], verify: "true" }),
        params(id),
      ),
    );
    await conforms(
      "/api/sandbox/projects/{id}/features",
      "POST",
      await addFeature(post(`/api/sandbox/projects/${id}/features`, { changes: [] }), params(id)),
      400,
    );

    // optimize_performance: no engine here either, so a valid body answers the engine's refusal; a bad one a 400.
    await conforms(
      "/api/sandbox/projects/{id}/optimize",
      "POST",
      await optimizePerformance(post(`/api/sandbox/projects/${id}/optimize`, { command: "node main.js", runs: 1 }), params(id)),
    );
    await conforms(
      "/api/sandbox/projects/{id}/optimize",
      "POST",
      await optimizePerformance(post(`/api/sandbox/projects/${id}/optimize`, { runs: 0 }), params(id)),
      400,
    );
    await conforms(
      "/api/sandbox/projects/{id}/optimize",
      "POST",
      await optimizePerformance(post(`/api/sandbox/projects/999999999/optimize`, {}), params(999999999)),
      404,
    );

    await conforms("/api/health", "GET", await health(get("/api/health", {})), 200);
    await conforms(
      "/api/health",
      "GET",
      await health(get("/api/health", { authorization: `Bearer ${await keyFor(await makeUser("admin"), { name: "ops", scopes: ["admin"] })}` })),
      200,
    );
    await conforms("/api/metrics", "GET", await metrics(get("/api/metrics", {})), 404);
    await conforms("/api/editor-types/node", "GET", await editorTypes(), 200);
    await conforms("/api/openapi.json", "GET", openapi(), 200);
  }, 60_000);
});
