import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { sessionCaller } from "@/test/support/callers";
import { makeUser } from "@/test/fixtures/accounts";
import { httpGet, previewCookie, startPreviewHarness, waitForPreview } from "@/test/support/preview-harness";

// Issue 7 points 1, 2 and 4: each web template's dev server starts with one call and answers
// through its preview listener (the real engine, gateway and tunnel), and Vite's HMR WebSocket
// connects through the proxy and delivers an update when a file is saved.

let harness: Awaited<ReturnType<typeof startPreviewHarness>>;
beforeAll(async () => {
  harness = await startPreviewHarness("4700-4719");
}, 180_000);
afterAll(async () => {
  await harness?.stop();
});

async function devServerOf(template: "react-app" | "vue-app" | "node-api") {
  const owner = await makeUser();
  const caller = await sessionCaller(owner.id);
  const project = await caller.projects.create({ name: `${template} preview`, template });
  const started = await caller.processes.startDev({ projectId: project.id });
  expect(started).toMatchObject({ status: "running", previewUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:47\d\d\/$/) });
  return { caller, project, started, previewUrl: started.previewUrl ?? "", cookie: await previewCookie(caller, started.id) };
}

/** The Vite client's WebSocket token, from the client module the page loads. */
async function viteToken(previewUrl: string, cookie: string): Promise<string> {
  const client = await httpGet(`${previewUrl}@vite/client`, { cookie });
  const token = /wsToken\s*=\s*"([^"]+)"/.exec(client.body)?.[1];
  if (!token) throw new Error(`no wsToken in /@vite/client: ${client.body.slice(0, 200)}`);
  return token;
}

function openHmrSocket(previewUrl: string, cookie: string, token: string) {
  const url = new URL(previewUrl);
  const messages: HmrMessage[] = [];
  const socket = new WebSocket(`ws://${url.host}/?token=${encodeURIComponent(token)}`, "vite-hmr", { headers: { cookie, origin: url.origin } });
  socket.on("message", (data: Buffer) => messages.push(JSON.parse(data.toString("utf8")) as (typeof messages)[number]));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
  });
  return { socket, messages, opened };
}

/** Waits for `predicate`; on timeout the error carries `explain()`, what was seen instead. */
async function until(predicate: () => boolean, explain: () => Promise<string> | string = () => "", ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not reached in time\n${await explain()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type HmrMessage = { type: string; updates?: { path: string }[] };
const appUpdates = (messages: HmrMessage[]) => messages.filter((m) => m.type === "update" && (m.updates ?? []).some((u) => u.path.includes("App.tsx"))).length;

/** Adds a comment to src/App.tsx until Vite pushes an update for it (at most 10 tries, 3 s apart): its watcher covers the file. */
async function untilWatching(caller: Awaited<ReturnType<typeof sessionCaller>>, projectId: number, messages: HmrMessage[], explain: () => Promise<string>) {
  const source = (await caller.files.read({ projectId, path: "src/App.tsx" })).content ?? "";
  for (let attempt = 1; attempt <= 10; attempt++) {
    const before = appUpdates(messages);
    await caller.files.write({ projectId, path: "src/App.tsx", content: `${source}// edit ${attempt}\n` });
    const seen = await until(() => appUpdates(messages) > before, undefined, 3_000).then(
      () => true,
      () => false,
    );
    if (seen) return;
  }
  throw new Error(`Vite pushed no update after 10 edits of src/App.tsx\n${await explain()}`);
}

describe("template dev servers through the preview", () => {
  it("react-app: the page, its transformed modules, and HMR over the proxied WebSocket", async () => {
    const { caller, project, started, previewUrl, cookie } = await devServerOf("react-app");
    const page = await waitForPreview(previewUrl, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>React App</title>");
    expect(page.body).toContain("/@vite/client");
    const app = await httpGet(`${previewUrl}src/App.tsx`, { cookie });
    expect(app.status).toBe(200);
    expect(app.body).toContain("What needs doing?");

    const hmr = openHmrSocket(previewUrl, cookie, await viteToken(previewUrl, cookie));
    await hmr.opened;
    await until(() => hmr.messages.some((m) => m.type === "connected"));
    const explain = async () =>
      `socket state ${hmr.socket.readyState}; HMR messages: ${JSON.stringify(hmr.messages)}\ndev server output:\n${(await caller.processes.get({ processId: started.id })).output}`;
    // Vite serves pages before its watcher (chokidar) has finished its first scan, and an edit in
    // that window goes unseen. A loaded CI run once waited 30 s here for an update that never came
    // (the failure now prints the messages and Vite's output). So the test first edits a comment
    // until Vite answers, then checks that the real edit reaches the page.
    await untilWatching(caller, project.id, hmr.messages, explain);
    // Saving a file reaches the live container; Vite sees it and pushes an update to the page.
    const source = await caller.files.read({ projectId: project.id, path: "src/App.tsx" });
    const updates = appUpdates(hmr.messages);
    await caller.files.write({ projectId: project.id, path: "src/App.tsx", content: (source.content ?? "").replace("<h1>Todos</h1>", "<h1>Todos, live</h1>") });
    await until(() => appUpdates(hmr.messages) > updates, explain);
    expect((await httpGet(`${previewUrl}src/App.tsx`, { cookie })).body).toContain("Todos, live");
    hmr.socket.close();

    await caller.processes.stop({ processId: started.id });
  }, 180_000);

  it("vue-app: the page and its single-file component compile through the preview", async () => {
    const { caller, started, previewUrl, cookie } = await devServerOf("vue-app");
    const page = await waitForPreview(previewUrl, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain("<title>Vue App</title>");
    const component = await httpGet(`${previewUrl}src/App.vue`, { cookie });
    expect(component.status).toBe(200);
    expect(component.body).toContain("Count: ");
    const hmr = openHmrSocket(previewUrl, cookie, await viteToken(previewUrl, cookie));
    await hmr.opened;
    await until(() => hmr.messages.some((m) => m.type === "connected"));
    hmr.socket.close();
    await caller.processes.stop({ processId: started.id });
  }, 180_000);

  it("node-api: the API answers JSON through the preview", async () => {
    const { caller, started, previewUrl, cookie } = await devServerOf("node-api");
    const health = await waitForPreview(`${previewUrl}health`, { cookie });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    const missing = await httpGet(`${previewUrl}nope`, { cookie });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: "no route for GET /nope" });
    await caller.processes.stop({ processId: started.id });
  }, 180_000);
});
