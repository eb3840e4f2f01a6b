import type pg from "pg";
import type pino from "pino";
import type { PrismaClient } from "@/server/db/generated/client";
import type { BoundedPool } from "@/server/db/bounded-pool";
import type { DatabaseAvailability } from "@/server/db/database-availability";
import type { RateLimits } from "@/server/limits/rate-limits";
import type { MonitoringHandle } from "@/server/monitoring/monitoring-runtime";
import type { MonitoringServices } from "@/server/monitoring/monitoring-services";
import type { FleetMetrics } from "@/server/monitoring/prometheus";
import type { SandboxLogger } from "@/server/monitoring/sandbox-log";
import type { MinuteCounters } from "@/server/monitoring/security-events";
import type { PreviewGateway } from "@/server/preview/preview-gateway";
import type { SandboxEngine } from "@/server/sandbox/engine";
import type { ClusterBus } from "@/server/services/cluster/cluster-bus";
import type { FeedRelay } from "@/server/services/cluster/feed-relay";
import type { PgListener } from "@/server/services/cluster/pg-listener";
import type { ProjectOwnership } from "@/server/services/cluster/project-ownership";
import type { ExecutionHub } from "@/server/services/executions/execution-hub";
import type { FileChangeHub } from "@/server/services/files/file-change-hub";
import type { LiveProcess } from "@/server/services/processes/live-processes";
import type { ServerInstanceIdentity } from "@/server/services/records/server-instance";
import type { ApiKeyCache } from "@/server/services/users/api-key-cache";
import type { ShellRegistry } from "@/server/services/terminal/shell-registry";
import type { VueCheckThread } from "@/server/services/vue-diagnostics/vue-check-thread";
import type { VueCheckSources } from "@/server/services/vue-diagnostics/vue-diagnostics-service";
import type { DockerStatus } from "./docker-ping";

// The process registry: every part that lives as long as the process, in one object on one
// globalThis slot. Why globalThis: the custom server (server/main.ts) creates these parts, and
// Next's route bundles load their modules a second time; a module-level variable would give each
// copy its own instance (two Prisma pools, an execution hub the engine never publishes to, a
// gateway nobody started). The registry names types only (`import type`), so every module,
// down to the logger and the database client, can read it without an import cycle; each part's
// own module creates it (lazily, through its getter) and keeps its public getter.

/** What start-up resolved that the environment may not say (server/process/startup-settings.ts). */
export interface StartupSettings {
  /** The database the server uses: DATABASE_URL, or the embedded PostgreSQL it started. */
  databaseUrl?: string;
  /** The app's public URL: NEXTAUTH_URL, or http://localhost:PORT. */
  publicUrl?: string;
  /** The session and preview-token secret: NEXTAUTH_SECRET, or the one generated in the data folder. */
  authSecret?: string;
}

/** The process's long-lived parts. A field is absent until its module creates it or start-up publishes it. */
export interface AppRuntime {
  /** Published by server/main.ts (the database URL also by the admin CLI) and passed on from here. */
  startup?: StartupSettings;

  /** The sandbox engine; published by server/startup/sandbox-runtime.ts (or a test harness). Scripts and tests that need none run without. */
  engine?: SandboxEngine;
  /** Docker's status with the engine's, for /api/health; published with the engine (without one, health pings Docker itself). */
  dockerStatus?: () => Promise<DockerStatus>;
  /** The preview listeners (server/process/preview-runtime.ts), published by server/startup/preview-gateway.ts. */
  previewGateway?: PreviewGateway;

  /** The Prisma client over its bounded pool (server/db/client.ts); replaced when the database comes back. */
  prisma?: PrismaClient;
  /** Its pool, for the statements made without Prisma (server/db/direct-query.ts). */
  prismaPool?: BoundedPool;
  /** Whether the database answers, for the 503s while it restarts (server/db/database-availability.ts). */
  databaseAvailability?: DatabaseAvailability;
  /** The embedded database's data folder, named when a full disk fails a write (server/db/data-folder.ts); absent for an external database. */
  dataFolder?: string;
  /** The rate limiters (server/process/rate-limits-runtime.ts), their own pg pool, and the configuration they were made for. */
  rateLimits?: { limits?: Promise<RateLimits>; pool?: pg.Pool; config?: string };

  /** The one logger (server/logging/logger.ts). */
  logger?: pino.Logger;
  /** The per-event sandbox log (server/monitoring/sandbox-log.ts). */
  sandboxLog?: SandboxLogger;
  /** Execution counters and fleet gauges for Prometheus (server/monitoring/prometheus.ts). */
  fleetMetrics?: FleetMetrics;
  /** Per-minute counts of failed sign-ins and refused paths, for the anomaly scan (server/monitoring/security-events.ts). */
  securityCounters?: MinuteCounters;
  /** The alert loop (server/monitoring/monitoring-runtime.ts), started once. */
  monitoring?: MonitoringHandle;
  /** Collector, alerts, anomaly scan and cleanup (server/monitoring/monitoring-services.ts), started by main.ts; read by the admin procedures. */
  monitoringServices?: MonitoringServices;

  /** Live output of running executions for their subscribers (server/services/executions/execution-hub.ts). */
  executionHub?: ExecutionHub;
  /** File changes for the IDE's subscribers (server/services/files/file-change-hub.ts). */
  fileChangeHub?: FileChangeHub;
  /** Background processes running now, by record id (server/services/processes/live-processes.ts). */
  liveProcesses?: Map<number, LiveProcess>;
  /** Open interactive shells (server/services/terminal/shell-registry.ts). */
  shellRegistry?: ShellRegistry;
  /** The thread that checks .vue files as vue-tsc does (server/services/vue-diagnostics/vue-check-thread.ts). */
  vueCheckThread?: VueCheckThread;
  /** The sources of recently checked projects, by project id, kept between .vue checks (server/services/vue-diagnostics/vue-diagnostics-service.ts). */
  vueCheckSources?: Map<number, VueCheckSources>;
  /** This server as the records know it, claimed at boot by the record sweeper (server/services/records/server-instance.ts). */
  serverInstance?: ServerInstanceIdentity;
  /** Commands between the app's instances over LISTEN/NOTIFY (server/services/cluster/cluster-bus.ts), started by main.ts. */
  clusterBus?: ClusterBus;
  /** File changes and execution starts relayed between instances (server/services/cluster/feed-relay.ts), started by main.ts. */
  feedRelay?: FeedRelay;
  /** Which instance holds a project's container (the ownership lease); unset: a built-in guess (server/services/cluster/locate-project.ts). */
  locateProject?: (projectId: number) => Promise<string | null>;
  /** The API keys this instance has checked (server/services/users/api-key-cache.ts). */
  apiKeyCache?: ApiKeyCache;
  /** The connection that hears changed keys and accounts and keeps that cache honest (server/services/users/auth-invalidation.ts), started by main.ts. */
  authInvalidation?: PgListener;
  /** Which projects this instance holds (services/cluster/project-ownership.ts); absent outside a server. */
  projectOwnership?: ProjectOwnership;
}

const slot = globalThis as typeof globalThis & { __pantheonAppRuntime?: AppRuntime };

/** The process's registry, created empty on first use. */
export function getAppRuntime(): AppRuntime {
  slot.__pantheonAppRuntime ??= {};
  return slot.__pantheonAppRuntime;
}

/** Publishes the sandbox engine and the Docker status that includes it (server/startup/sandbox-runtime.ts, the tests' harness). */
export function publishSandboxEngine(parts: Required<Pick<AppRuntime, "engine" | "dockerStatus">>): void {
  Object.assign(getAppRuntime(), parts);
}
