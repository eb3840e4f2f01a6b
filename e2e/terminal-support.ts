import { createServer as createHttpServer, type IncomingHttpHeaders, request as httpRequest } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { expect, type Page } from "@playwright/test";
import { appOriginHeader, newCredentials, signUp } from "./support";

/** Signs a fresh user up and creates a project from `template`; returns its URL and id. */
export async function newProject(page: Page, name: string, template = "node-api") {
  await signUp(page, newCredentials());
  await expect(page).toHaveURL(/\/projects$/);
  await page.getByLabel("Project name").fill(name);
  await page.getByLabel("Template").selectOption(template);
  await page.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  const url = page.url();
  return { url, projectId: Number(url.split("/").at(-1)) };
}

/** A tRPC mutation over HTTP, as the page's signed-in user or with extra headers (an API key). */
export async function trpcMutation<T>(page: Page, path: string, input: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await page.request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { ...appOriginHeader(page), ...headers } });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!res.ok() || !body.result) throw new Error(`${path} failed: ${res.status()} ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** The text xterm has rendered in a terminal host, one string per visible row. */
export async function terminalRows(page: Page, testId: string): Promise<string[]> {
  return page
    .getByTestId(testId)
    .locator(".xterm-rows > div")
    .evaluateAll((rows) => rows.map((r) => (r.textContent ?? "").replace(/\u00a0/g, " ")));
}

/**
 * An HTTP proxy in front of the app whose connections the test can cut, as a flaky network would:
 * dropFor() destroys every proxied socket, and while `refusing` new connections are cut at once.
 * Cookies ignore the port, so a page signed in on the app is signed in through the proxy too. A
 * network between the browser and the app is invisible to both, so the proxy presents its
 * requests as the app's own (Host and Origin): the app refuses state changes from other origins.
 */
export async function startDroppableProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  let refusing = false;
  const appHost = `localhost:${targetPort}`;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  };
  let port = 0;
  const asApp = (headers: IncomingHttpHeaders) => {
    const out: IncomingHttpHeaders = { ...headers, host: appHost };
    if (headers.origin === `http://localhost:${port}`) out.origin = `http://${appHost}`;
    return out;
  };
  const server = createHttpServer((req, res) => {
    const upstream = httpRequest({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: asApp(req.headers) }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("socket", track);
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (client: Socket) => (refusing ? client.destroy() : track(client)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    /** Cuts every connection and refuses new ones for `ms`. */
    async dropFor(ms: number) {
      refusing = true;
      for (const s of sockets) s.destroy();
      await new Promise((r) => setTimeout(r, ms));
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
