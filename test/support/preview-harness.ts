import { request } from "node:http";
import { connect } from "node:net";
import pino from "pino";
import { parseEnv } from "@/lib/env";
import { previewSettings } from "@/server/preview/preview-settings";
import { stopPreviewGateway } from "@/server/process/preview-runtime";
import { startPreviewGateway } from "@/server/startup/preview-gateway";
import { startAppEngine } from "./app-engine";

/**
 * The app's real preview wiring for docker tests: the engine over the database store, and the
 * preview gateway (listeners on `ports`, tunnels spawned by that engine) published as the
 * server does. Each test file takes its own port range so files never collide.
 */
export async function startPreviewHarness(ports: string, env: Record<string, string> = {}) {
  const appUrl = "http://127.0.0.1:3999";
  process.env.NEXTAUTH_URL = appUrl;
  const { engine, docker } = await startAppEngine({ maxConcurrent: 8, limits: { memoryBytes: 512 * 1024 * 1024 } });
  const settings = previewSettings(parseEnv({ ...process.env, SANDBOX_PREVIEW_PORTS: ports, ...env }), appUrl);
  const gateway = startPreviewGateway(settings, engine, pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }));
  return {
    engine,
    docker,
    gateway,
    async stop() {
      await stopPreviewGateway();
      await engine.stop();
    },
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP request with full control of the headers (fetch forbids some, e.g. Host). `rawPath`
 * is sent as it is (a URL would normalise "/%2e%2e/" away).
 */
export function httpGet(url: string, headers: Record<string, string> = {}, method = "GET", rawPath?: string): Promise<HttpAnswer> {
  const { hostname, port, pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath ?? `${pathname}${search}`, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sends raw bytes and returns everything the server answers until it closes (or `ms` pass). */
export function rawExchange(port: number, bytes: string, ms = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on("data", (c: Buffer) => (text += c.toString("latin1")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on("error", reject);
    socket.write(bytes);
  });
}

/**
 * The browser's way in: the preview link the IDE asks for, opened without following its redirect;
 * returns the `name=value` of the cookie the preview sets (send it as the Cookie header).
 */
export async function previewCookie(
  caller: { processes: { previewLink(input: { processId: number }): Promise<{ url: string }> } },
  processId: number,
): Promise<string> {
  const { url } = await caller.processes.previewLink({ processId });
  const answer = await httpGet(url);
  const setCookie = answer.headers["set-cookie"]?.[0];
  if (answer.status !== 303 || !setCookie) throw new Error(`preview hand-off answered ${answer.status}: ${answer.body.slice(0, 200)}`);
  return setCookie.split(";", 1)[0] ?? "";
}

/** Polls the preview until it answers something other than "nothing listening" (a dev server starting). */
export async function waitForPreview(url: string, headers: Record<string, string>, timeoutMs = 90_000): Promise<HttpAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await httpGet(url, headers);
    if (answer.status !== 502) return answer;
    if (Date.now() > deadline) throw new Error(`preview ${url} still answers 502 after ${timeoutMs} ms: ${answer.body.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
