import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { appOriginHeader, newCredentials, signUp } from "./support";

// Issue 19 point 7 against the running app (`npm start`: Next's real routing, the custom server,
// Docker): unknown /api paths and wrong methods answer JSON, and the client package, packed and
// installed in a folder outside the repository, type-checks and drives the app.

const CLIENT_PACKAGE = resolve("packages/sandbox-client");
const TSC = resolve("node_modules/typescript/bin/tsc");

async function apiKey(page: Page): Promise<string> {
  await signUp(page, newCredentials());
  await page.waitForURL(/\/projects$/);
  const response = await page.request.post("/api/trpc/apiKeys.create", { data: { json: { name: "rest e2e" } }, headers: appOriginHeader(page) });
  expect(response.ok()).toBe(true);
  return ((await response.json()) as { result: { data: { json: { key: string } } } }).result.data.json.key;
}

test("unknown /api paths answer a JSON 404 and wrong methods a JSON 405 with Allow, through the real server", async ({ page }) => {
  const auth = { authorization: `Bearer ${await apiKey(page)}` };
  const unknown = [
    "/api",
    "/api/auth/nope",
    "/api/auth/session/x",
    "/api/sandbox/nope",
    "/api/sandbox/projects/1/nope",
    "/api/sandbox/projects/1/files/content/x",
    "/api/nothing/here",
    "/api/trpc/a/b",
  ];
  for (const path of unknown) {
    for (const method of ["GET", "POST", "DELETE", "PUT"]) {
      const res = await page.request.fetch(path, { method, headers: auth, data: method === "GET" ? undefined : {} });
      expect(res.status(), `${method} ${path}`).toBe(404);
      expect(res.headers()["content-type"]).toContain("application/json");
      expect(await res.json()).toEqual({
        error: { code: "NOT_FOUND", message: `No API route ${method} ${path}; every REST route is listed at /api/openapi.json` },
      });
    }
  }
  const wrong: Array<[string, string, string]> = [
    ["DELETE", "/api/sandbox/projects", "GET, HEAD, POST, OPTIONS"],
    ["PUT", "/api/sandbox/projects/1/files", "GET, HEAD, POST, OPTIONS"],
    ["GET", "/api/sandbox/projects/1/execute", "POST, OPTIONS"],
    ["POST", "/api/sandbox/projects/1/files/content", "GET, HEAD, OPTIONS"],
    ["PATCH", "/api/health", "GET, HEAD, OPTIONS"],
    ["DELETE", "/api/trpc/projects.list", "GET, HEAD, POST, OPTIONS"],
    ["POST", "/api/auth/csrf", "GET, HEAD, OPTIONS"],
    ["PUT", "/api/auth/callback/credentials", "GET, HEAD, POST, OPTIONS"],
  ];
  for (const [method, path, allow] of wrong) {
    const res = await page.request.fetch(path, { method, headers: auth });
    expect(res.status(), `${method} ${path}`).toBe(405);
    expect(res.headers()["allow"]).toBe(allow);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
  }
  // next-auth still answers the paths it serves: the page's session, a CSRF token.
  const session = (await (await page.request.get("/api/auth/session")).json()) as { user?: { email?: string } };
  expect(session.user?.email).toContain("@");
  const csrf = await page.request.get("/api/auth/csrf");
  expect(((await csrf.json()) as { csrfToken: string }).csrfToken).toMatch(/^[0-9a-f]{64}$/);
  const options = await page.request.fetch("/api/sandbox/projects", { method: "OPTIONS" });
  expect(options.status()).toBe(204);
  expect(options.headers()["allow"]).toBe("GET, HEAD, POST, OPTIONS");
});

// The program another repository would write: only the installed package, strict TypeScript.
function consumerProgram(url: string, apiKey: string): string {
  return `import { createSandboxClient, SandboxApiError, type Execution, type ExecutionStreamEvent } from "@pantheon/sandbox-client";

const client = createSandboxClient({ url: ${JSON.stringify(url)}, apiKey: ${JSON.stringify(apiKey)} });
const project = await client.createProject({ name: "from another repository", ai_personality: "geppo" });
await client.writeFile(project.id, { path: "hello.js", content: "console.log('hello ' + (1 + 2))\\n", is_entry_point: true });
await client.writeFile(project.id, { path: "dot.png", content: "iVBORw0KGgo=", encoding: "base64" });
// @ts-expect-error: the REST API is snake_case, and the types say so
await client.writeFile(project.id, { path: "x.js", content: "", isEntryPoint: true }).catch(() => undefined);

const text = await client.readFile(project.id, "hello.js");
const png = await client.readFileBytes(project.id, "dot.png");
const execution: Execution = await client.execute(project.id, { command: "node hello.js", timeout: 30 });
const events: ExecutionStreamEvent["event"][] = [];
let streamed = "";
for await (const e of client.executeStream(project.id, { command: "node hello.js" })) {
  events.push(e.event);
  if (e.event === "stdout") streamed += e.data.data;
}
const refusals: string[] = [];
for (const attempt of [
  () => client.readFile(project.id, "missing.js"),
  () => client.readFile(project.id, "../etc/passwd"),
  () => client.execute(project.id, { command: "true", timeout: 30000 }),
]) {
  try {
    await attempt();
  } catch (e) {
    if (e instanceof SandboxApiError) refusals.push(\`\${e.status} \${e.code} \${e.message}\`);
  }
}
console.log(JSON.stringify({
  text: { content: text.content, encoding: text.encoding },
  png: { contentType: png.contentType, bytes: Array.from(png.bytes) },
  execution: { status: execution.status, output: execution.output },
  events: [...new Set(events)],
  streamed,
  refusals,
  files: (await client.listFiles(project.id)).map((f) => f.path),
}));
`;
}

test("the client package packs, installs outside the repository, type-checks and drives the app", async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  const key = await apiKey(page);
  const work = mkdtempSync(join(tmpdir(), "sandbox-client-consumer-"));
  try {
    // npm pack runs the package's prepack (tsc): dist/ is built from src/ alone.
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: CLIENT_PACKAGE, encoding: "utf8", timeout: 120_000 }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(work, packed[0]?.filename ?? "");
    const shipped = packed[0]?.files.map((f) => f.path) ?? [];
    expect(shipped).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/openapi.d.ts"]));
    expect(shipped.filter((p) => p.startsWith("src/"))).toEqual([]);

    const app = join(work, "consumer");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: app, encoding: "utf8", timeout: 120_000 });
    const installed = join(app, "node_modules/@pantheon/sandbox-client/dist");
    for (const file of readdirSync(installed)) expect(readFileSync(join(installed, file), "utf8"), file).not.toMatch(/from "@\/|require\("@\//);

    writeFileSync(join(app, "main.ts"), consumerProgram(baseURL ?? "", key));
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2022", "DOM"], types: [], strict: true, outDir: "out" },
        files: ["main.ts"],
      }),
    );
    execFileSync(process.execPath, [TSC, "-p", app], { cwd: app, encoding: "utf8", timeout: 120_000 });
    const output = execFileSync(process.execPath, [join(app, "out/main.js")], { cwd: app, encoding: "utf8", timeout: 120_000 });
    const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as {
      text: { content: string; encoding: string };
      png: { contentType: string; bytes: number[] };
      execution: { status: string; output: string };
      events: string[];
      streamed: string;
      refusals: string[];
      files: string[];
    };
    expect(result.text).toEqual({ content: "console.log('hello ' + (1 + 2))\n", encoding: "utf8" });
    expect(result.png).toEqual({ contentType: "image/png", bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] });
    expect(result.execution).toEqual({ status: "success", output: "hello 3\n" });
    expect(result.events).toEqual(["started", "stdout", "exit", "result"]);
    expect(result.streamed).toBe("hello 3\n");
    expect(result.refusals).toEqual([
      expect.stringMatching(/^404 NOT_FOUND No file missing\.js/),
      expect.stringMatching(/^400 BAD_REQUEST .*'\.\.'/),
      "400 BAD_REQUEST Invalid input: timeout must be at most 300 seconds (the ceiling, SANDBOX_MAX_TIMEOUT); ask for 300 or less",
    ]);
    expect(result.files).toEqual(["dot.png", "hello.js"]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
