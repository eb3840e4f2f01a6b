import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { getAppRuntime } from "@/server/process/app-runtime";

/** This server process as the records know it: rows it starts carry its id (server_instances). */
export interface ServerInstanceIdentity {
  id: string;
  host: string;
  pid: number;
}

// In the process registry: rows are started in Next's route bundles, the sweeper runs in the custom server.

/** Set once at boot by the sweeper; null in processes that run no sweeper (tests, the admin CLI). */
export function currentServerInstance(): ServerInstanceIdentity | null {
  return getAppRuntime().serverInstance ?? null;
}

export function claimServerInstance(): ServerInstanceIdentity {
  const runtime = getAppRuntime();
  runtime.serverInstance ??= { id: `s-${randomBytes(6).toString("hex")}`, host: hostname(), pid: process.pid };
  return runtime.serverInstance;
}

export function releaseServerInstance(): void {
  getAppRuntime().serverInstance = undefined;
}
