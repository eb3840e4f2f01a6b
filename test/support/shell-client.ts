import { getEnv } from "@/lib/env";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import WebSocket from "ws";
import type { ShellServerMessage } from "@/lib/shell-protocol";
import { createShellRoute } from "@/server/ws/shell-route";
import { createUpgradeRouter } from "@/server/ws/upgrade-router";

export const TEST_ORIGIN = "http://app.test";

/** An HTTP server carrying only the shell route, as server/main.ts mounts it. */
export async function startShellServer(opts: { idleMs?: number; heartbeatMs?: number } = {}) {
  const route = createShellRoute({
    allowedOrigin: TEST_ORIGIN,
    idleMs: opts.idleMs ?? 60_000,
    limits: getEnv(),
    ...(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {}),
    log: pino({ level: process.env.SANDBOX_TEST_LOG ?? "silent" }),
  });
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", createUpgradeRouter([[route.prefix, route.handler]], null));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      await route.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type ShellOutcome = { opened: true; client: ShellTestClient } | { opened: false; status: number; body: string };

/** A WebSocket to /ws/shell/<id> that records output, control messages and the close. */
export class ShellTestClient {
  output = "";
  messages: ShellServerMessage[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) this.output += data.toString("utf8");
      else this.messages.push(JSON.parse(data.toString("utf8")) as ShellServerMessage);
    });
    ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  type(text: string) {
    this.ws.send(Buffer.from(text, "utf8"), { binary: true });
  }

  resize(cols: number, rows: number) {
    this.ws.send(JSON.stringify({ type: "resize", cols, rows }));
  }

  message(type: ShellServerMessage["type"]) {
    return this.messages.find((m) => m.type === type);
  }

  /** Waits until the output matches, from `from` on (so an earlier match does not count). */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.slice(from).match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`no ${pattern} in shell output: ${JSON.stringify(this.output.slice(-400))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async waitClosed(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("the shell socket did not close");
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.closed;
  }
}

/** Opens a shell socket; a refused upgrade resolves with its HTTP status and body instead. */
export function openShell(url: string, projectId: number | string, headers: Record<string, string>, size = { cols: 80, rows: 24 }): Promise<ShellOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/ws/shell/${projectId}?cols=${size.cols}&rows=${size.rows}`, { headers });
    const client = new ShellTestClient(ws);
    ws.once("open", () => resolve({ opened: true, client }));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
    ws.once("error", (e) => reject(e));
  });
}
