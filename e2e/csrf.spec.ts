import { expect, type Page, test } from "@playwright/test";
import { showPreview, trpcMutation, trpcQuery } from "./support";
import { newProject } from "./terminal-support";

// Issue 17 in the browser: a project's preview page (code a user or an AI wrote, same *site* as
// the app on a single-host install, so the owner's SameSite=Lax cookie rides along) fires every
// state-changing door of the app at it as its signed-in owner: each REST mutation, tRPC mutations
// (single and batched), sendBeacon, form posts (JSON smuggled in text/plain, sign-out, login
// CSRF) and the shell WebSocket. Nothing may take effect.

test.use({ viewport: { width: 1400, height: 1000 } });

// A page any project could serve: the attack runs in its own origin, as the page's script would.
const ATTACK_SERVER = `require("http").createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html" });
  res.end("<!doctype html><title>innocent page</title><h1>nothing to see</h1>");
}).listen(process.env.PORT || 9000);
`;

interface AttackContext {
  app: string;
  projectId: number;
  processId: number;
}

type AttackResult = { name: string; outcome: string };

/** Runs inside the preview page: fires everything, reports what the browser let it see. */
async function fireEverything({ app, projectId, processId }: AttackContext): Promise<AttackResult[]> {
  const results: AttackResult[] = [];
  const p = `${app}/api/sandbox/projects/${projectId}`;
  const simple = async (name: string, url: string, method: string, body?: string, type = "text/plain") => {
    try {
      // Only GET/HEAD/POST may go without a preflight; anything else is sent the way a browser allows.
      const mode = method === "POST" ? "no-cors" : "cors";
      const init: RequestInit = { method, mode, credentials: "include", headers: { "content-type": type } };
      if (body !== undefined) init.body = body;
      const r = await fetch(url, init);
      results.push({ name, outcome: `sent (opaque ${r.type})` });
    } catch (e) {
      results.push({ name, outcome: `network error ${String(e)}` });
    }
  };
  const json = JSON.stringify;
  // REST, every mutating route, as CORS-simple requests (no preflight: the browser sends them).
  await simple("rest create project", `${app}/api/sandbox/projects`, "POST", json({ name: "pwned-project", template: "node-api" }));
  await simple("rest execute", `${p}/execute`, "POST", json({ command: "echo pwned > pwned-exec.txt" }));
  await simple("rest write file", `${p}/files`, "POST", json({ path: "pwned-file.txt", content: "pwned" }));
  await simple("rest start process", `${p}/processes`, "POST", json({ command: "sleep 600", port: 9100 }));
  await simple("rest stop process (needs a preflight)", `${p}/processes/${processId}`, "DELETE");
  await simple("rest release", `${p}/release`, "POST");
  await simple("rest execute as form-urlencoded", `${p}/execute`, "POST", "command=echo+pwned+>+pwned-form.txt", "application/x-www-form-urlencoded");
  // The same with JSON and credentials: the browser must preflight, and the app grants no CORS.
  try {
    await fetch(`${p}/execute`, {
      method: "POST",
      credentials: "include",
      headers: { "content-type": "application/json" },
      body: json({ command: "echo pwned > pwned-cors.txt" }),
    });
    results.push({ name: "rest execute with CORS", outcome: "readable response (!)" });
  } catch {
    results.push({ name: "rest execute with CORS", outcome: "blocked by the browser" });
  }
  // tRPC mutations, one by one and batched.
  const trpc = `${app}/api/trpc`;
  await simple("trpc files.write", `${trpc}/files.write`, "POST", json({ json: { projectId, path: "pwned-trpc.txt", content: "x" } }));
  await simple("trpc projects.create", `${trpc}/projects.create`, "POST", json({ json: { name: "pwned-trpc-project" } }));
  await simple("trpc executions.run", `${trpc}/executions.run`, "POST", json({ json: { projectId, command: "echo pwned > pwned-run.txt" } }));
  await simple("trpc processes.stop", `${trpc}/processes.stop`, "POST", json({ json: { processId } }));
  await simple("trpc projects.delete", `${trpc}/projects.delete`, "POST", json({ json: { projectId } }));
  await simple(
    "trpc batch",
    `${trpc}/files.write,projects.release?batch=1`,
    "POST",
    json({ 0: { json: { projectId, path: "pwned-batch.txt", content: "x" } }, 1: { json: { projectId } } }),
  );
  results.push({
    name: "sendBeacon write",
    outcome: String(navigator.sendBeacon(`${p}/files`, new Blob([json({ path: "pwned-beacon.txt", content: "x" })], { type: "text/plain" }))),
  });
  // Form posts: JSON smuggled through text/plain, a sign-out and a login as someone else.
  const sink = document.createElement("iframe");
  sink.name = "sink";
  document.body.append(sink);
  const post = (action: string, enctype: string, fields: Record<string, string>) =>
    new Promise<void>((resolve) => {
      const form = document.createElement("form");
      form.method = "POST";
      form.action = action;
      form.enctype = enctype;
      form.target = "sink";
      for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      sink.addEventListener("load", () => resolve(), { once: true });
      setTimeout(resolve, 5_000);
      form.submit();
    });
  await post(`${p}/files`, "text/plain", { '{"path":"pwned-formjson.txt","content":"x","pad":"': '"}' });
  results.push({ name: "form post text/plain JSON", outcome: "submitted" });
  await post(`${app}/api/auth/signout`, "application/x-www-form-urlencoded", { csrfToken: "guess", json: "true" });
  results.push({ name: "form post sign-out", outcome: "submitted" });
  await post(`${app}/api/auth/callback/credentials`, "application/x-www-form-urlencoded", { email: "attacker@example.com", password: "whatever-123" });
  results.push({ name: "form post login CSRF", outcome: "submitted" });
  // The shell WebSocket, which would hand the page a shell in the owner's container.
  const ws = await new Promise<string>((resolve) => {
    const socket = new WebSocket(`${app.replace(/^http/, "ws")}/ws/shell/${projectId}?cols=80&rows=24`);
    socket.onopen = () => resolve("opened (!)");
    socket.onerror = () => resolve("refused");
    setTimeout(() => resolve("timed out"), 10_000);
  });
  results.push({ name: "shell websocket", outcome: ws });
  return results;
}

async function fileNames(page: Page, projectId: number): Promise<string[]> {
  return ((await trpcQuery(page, "files.tree", { projectId })) as Array<{ filePath: string }>).map((f) => f.filePath);
}

test("a preview page cannot act as its signed-in owner on any route", async ({ page, baseURL }) => {
  test.setTimeout(240_000);
  const { projectId } = await newProject(page, "e2e csrf target");
  await trpcMutation(page, "files.write", { projectId, path: "attack-server.cjs", content: ATTACK_SERVER });

  // The owner starts the page in the background and opens its preview, as anyone would.
  await page.reload();
  await showPreview(page);
  const pane = page.getByTestId("preview-pane");
  await pane.getByLabel("Background command").fill("node attack-server.cjs");
  await pane.getByLabel("Port").fill("9000");
  await pane.getByRole("button", { name: "Run in background" }).click();
  await expect(pane.getByTestId("process-status")).toHaveText("running", { timeout: 60_000 });
  const processes = (await trpcQuery(page, "processes.list", { projectId })) as Array<{ id: number; status: string }>;
  expect(processes).toHaveLength(1);
  const processId = processes[0]!.id;
  const [preview] = await Promise.all([page.context().waitForEvent("page"), pane.getByTestId("preview-open").click()]);
  await expect(preview.getByRole("heading", { name: "nothing to see" })).toBeVisible({ timeout: 30_000 });
  const app = new URL(baseURL ?? "").origin;
  expect(new URL(preview.url()).origin).not.toBe(app);

  const results = await preview.evaluate(fireEverything, { app, projectId, processId });
  console.log(results.map((r) => `${r.name}: ${r.outcome}`).join("\n"));
  expect(results.find((r) => r.name === "rest execute with CORS")?.outcome).toBe("blocked by the browser");
  expect(results.find((r) => r.name === "shell websocket")?.outcome).toBe("refused");
  await preview.waitForTimeout(2_000); // anything that got through has had time to land

  // Nothing took effect: one project, no new file, no execution, the page's own process still
  // running (neither stopped nor released), and the owner still signed in as themself.
  const projects = (await trpcQuery(page, "projects.list", {})) as { items: Array<{ name: string }> };
  expect(projects.items.map((p) => p.name)).toEqual(["e2e csrf target"]);
  const files = await fileNames(page, projectId);
  expect(files.filter((f) => f.startsWith("pwned"))).toEqual([]);
  expect(await trpcQuery(page, "executions.history", { projectId })).toEqual([]);
  const after = (await trpcQuery(page, "processes.list", { projectId })) as Array<{ id: number; status: string }>;
  expect(after.map((p) => [p.id, p.status])).toEqual([[processId, "running"]]);
  await page.goto("/projects");
  await expect(page.getByRole("link", { name: "e2e csrf target" })).toBeVisible();

  // The same doors still open for the app's own pages (the rule refuses origins, not routes).
  const own = await page.evaluate(async (id) => {
    const r = await fetch(`/api/sandbox/projects/${id}/files`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: "own.txt", content: "mine" }),
    });
    return r.status;
  }, projectId);
  expect(own).toBeLessThan(300);
  expect(await fileNames(page, projectId)).toContain("own.txt");
});

test("pages carry a nonce-based Content-Security-Policy and the IDE runs under it without violations", async ({ page }) => {
  test.setTimeout(120_000);
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|create|frame)/i.test(m.text())) violations.push(m.text());
  });
  const response = await page.goto("/signin");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(policy).toContain("frame-ancestors 'self'");
  expect(policy).not.toContain("unsafe-inline' 'nonce"); // scripts: no unsafe-inline
  // Each response has its own nonce, and Next put it on the scripts it rendered.
  const again = (await page.request.get("/signin")).headers()["content-security-policy"];
  expect(again).not.toBe(policy);
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
  expect(await page.evaluate(() => Array.from(document.scripts).every((s) => s.nonce !== "" || s.src !== ""))).toBe(true);
  expect(nonce).toBeTruthy();

  // An inline script that slipped into the page would not run.
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { injected?: boolean };
    const s = document.createElement("script");
    s.textContent = "window.injected = true";
    document.body.append(s);
    await new Promise((r) => setTimeout(r, 200));
    return w.injected === true;
  });
  expect(ran).toBe(false);
  violations.length = 0; // that refusal was the point; from here on, none is expected

  // The IDE (Monaco and its workers, xterm, the preview frame) works under the policy.
  const { projectId } = await newProject(page, "e2e csp");
  await trpcMutation(page, "files.write", { projectId, path: "src/csp.ts", content: 'export const n: number = "not a number";\n' });
  await page.getByTestId("file-src/csp.ts").click();
  const editor = page.locator(".monaco-editor");
  await expect(editor.locator(".view-lines")).toContainText("not a number", { timeout: 60_000 });
  // The type error is found by TypeScript's worker: workers start under the policy.
  await expect(editor.locator(".squiggly-error").first()).toBeVisible({ timeout: 30_000 });
  const command = page.getByLabel("Command");
  await command.fill("echo csp-ok");
  await command.press("Enter");
  await expect(page.getByTestId("run-output")).toContainText("csp-ok", { timeout: 60_000 });
  expect(violations).toEqual([]);
});
