import { createServer, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { makeTarget } from "@/test/support/attack-matrix";
import { keyFor } from "@/test/fixtures/accounts";
import { parseEnv } from "@/lib/env";
import { PreviewGateway } from "@/server/preview/preview-gateway";
import { previewSettings } from "@/server/preview/preview-settings";
import { getAppRuntime } from "@/server/process/app-runtime";
import { instanceAddressRepository } from "@/server/repositories/instance-address-repository";
import { processRepository } from "@/server/repositories/process-repository";
import { serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import { remotePreviews } from "@/server/startup/preview-gateway";
import { authorizePreview, redeemPreviewHandoff } from "@/server/services/processes/preview-access";
import { probePreview } from "@/server/services/processes/process-service";
import { sessionScopes } from "@/server/auth/auth-user";
import { createPortTunnelRoute } from "./port-tunnel";

// Previews through any instance (domain mode), over the real PostgreSQL: "A" is a stand-in instance
// in this process with a preview gateway of its own whose upstream is a real dev server (HTTP and
// WebSocket echo) on the host, and whose port tunnel is served to its peers by the real route on a
// real listener; "B" is this process as the server runs it (its instance id, the real remote lookup,
// the real access checks). B's preview listener is asked for the slot A handed out.
const log = pino({ level: "silent" });
const tag = Math.random().toString(36).slice(2, 8);
const A = `p-a-${tag}`;
const B = `p-b-${tag}`;
const domain = (listen: number) =>
  previewSettings(
    parseEnv({ SANDBOX_PREVIEW_DOMAIN: `http://preview.localhost:${listen}`, SANDBOX_PREVIEW_LISTEN_PORT: String(listen), SANDBOX_PREVIEW_PORTS: "3770-3779" }),
    "http://localhost:3750",
  );
let devServer: Server;
let tunnelA: Server;
let gatewayA: PreviewGateway;
let gatewayB: PreviewGateway;
let slot: number;
let processId: number;
let apiKey: string;
let ownerId: number;
let projectId: number;
const B_LISTEN = 3762;

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port: B_LISTEN, path, headers: { host: `${slot}.preview.localhost:${B_LISTEN}`, ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

beforeAll(async () => {
  devServer = createServer((req, res) => res.end(`page from A: ${req.url}`));
  const echo = new WebSocketServer({ server: devServer });
  echo.on("connection", (ws) => ws.on("message", (data) => ws.send(`echo:${(data as Buffer).toString("utf8")}`)));
  await new Promise<void>((resolve) => devServer.listen(0, "127.0.0.1", resolve));
  const devPort = (devServer.address() as AddressInfo).port;

  gatewayA = new PreviewGateway(
    domain(3761),
    { authorize: authorizePreview, redeem: redeemPreviewHandoff, connect: async () => connect(devPort, "127.0.0.1") },
    log,
  );
  const route = createPortTunnelRoute((id) => gatewayA.connectHeld(id));
  tunnelA = createServer((_req, res) => res.writeHead(404).end());
  tunnelA.on("upgrade", route);
  await new Promise<void>((resolve) => tunnelA.listen(0, "127.0.0.1", resolve));

  const now = new Date();
  await serverInstanceRepository.beat({ id: A, host: "replica-a", pid: 1 }, now);
  await serverInstanceRepository.beat({ id: B, host: "replica-b", pid: process.pid }, now);
  await instanceAddressRepository.record(A, `http://127.0.0.1:${(tunnelA.address() as AddressInfo).port}`);
  getAppRuntime().serverInstance = { id: B, host: "replica-b", pid: process.pid };

  const target = await makeTarget();
  apiKey = await keyFor({ id: target.ownerId, role: "user" });
  ownerId = target.ownerId;
  projectId = target.projectId;
  const row = await processRepository.start({
    projectId: target.projectId,
    userId: target.ownerId,
    command: "dev",
    image: "node",
    port: 5173,
    startedByAi: null,
    instanceId: A,
  });
  processId = row.id;
  slot = await gatewayA.open({ processId, projectId: target.projectId, port: 5173, image: "node" });
  expect(await processRepository.claimPreviewSlot(processId, slot)).not.toBeNull();

  gatewayB = new PreviewGateway(
    domain(B_LISTEN),
    {
      authorize: authorizePreview,
      redeem: redeemPreviewHandoff,
      connect: async () => {
        throw new Error("B runs no dev server");
      },
    },
    log,
    remotePreviews,
  );
  // B runs no preview of its own: its listener is up for the previews of others.
  await gatewayB.listen();
});

afterAll(async () => {
  getAppRuntime().serverInstance = undefined;
  await gatewayB?.stop();
  await gatewayA?.stop();
  tunnelA?.closeAllConnections();
  await new Promise((resolve) => tunnelA?.close(resolve));
  devServer?.closeAllConnections();
  await new Promise((resolve) => devServer?.close(resolve));
});

describe("previews through any instance", () => {
  it("serves a preview A runs through B's listener: authenticated on B, bytes from A's dev server", async () => {
    expect(await get("/hello?x=1", { authorization: `Bearer ${apiKey}` })).toEqual({ status: 200, body: "page from A: /hello?x=1" });
    // Without credentials B answers as for any preview one may not see.
    expect((await get("/hello", {})).status).toBe(404);
    expect((await get("/hello", { authorization: "Bearer pk_wrong" })).status).toBe(404);
  });

  it("carries a WebSocket through B to A's dev server and back", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${B_LISTEN}/hmr`, {
      headers: { host: `${slot}.preview.localhost:${B_LISTEN}`, authorization: `Bearer ${apiKey}` },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("ping"));
      ws.on("message", (data) => resolve((data as Buffer).toString("utf8")));
      ws.on("error", reject);
      ws.on("unexpected-response", (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    });
    ws.close();
    expect(reply).toBe("echo:ping");
  });

  it("opens A's port tunnel only to a signed hop", async () => {
    const port = (tunnelA.address() as AddressInfo).port;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write(`GET /__pantheon/cluster/port/${processId} HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: pantheon-port\r\n\r\n`),
      );
      let got = "";
      socket.setEncoding("utf8").on("data", (c: string) => (got += c));
      socket.on("close", () => resolve(got)).on("error", reject);
    });
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 404 Not Found");
  });

  it("answers processes.probe through B from A's dev server: listening, and A's refusal for a preview it does not serve", async () => {
    const owner = {
      id: ownerId,
      email: "",
      role: "user" as const,
      via: "session" as const,
      scopes: sessionScopes("user"),
      apiKeyId: null,
      defaultAiPersonality: null,
    };
    expect(await probePreview(owner, processId)).toEqual({ listening: true, detail: null });
    // A process of the same project recorded on A whose preview A does not serve: B relays A's refusal.
    const quiet = await processRepository.start({ projectId, userId: ownerId, command: "idle", image: "node", port: 5174, startedByAi: null, instanceId: A });
    expect(await processRepository.claimPreviewSlot(quiet.id, 3779)).not.toBeNull();
    const answer = await probePreview(owner, quiet.id);
    await processRepository.finish(quiet.id, { status: "exited", exitCode: 0, output: "" });
    expect(answer).toEqual({ listening: false, detail: "the instance running this preview refused (404)" });
  });

  it("stops serving it through B once the process has ended on A", async () => {
    await processRepository.finish(processId, { status: "exited", exitCode: 0, output: "" });
    expect((await get("/hello", { authorization: `Bearer ${apiKey}` })).status).toBe(404);
  });
});
