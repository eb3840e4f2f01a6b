import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** This server process as the records know it: rows it starts carry its id (server_instances). */
export interface ServerInstanceIdentity {
  id: string;
  host: string;
  pid: number;
}

// On globalThis: rows are started in Next's route bundles, the sweeper runs in the custom server.
const holder = globalThis as typeof globalThis & { __pantheonServerInstance?: ServerInstanceIdentity };

/** Set once at boot by the sweeper; null in processes that run no sweeper (tests, the admin CLI). */
export function currentServerInstance(): ServerInstanceIdentity | null {
  return holder.__pantheonServerInstance ?? null;
}

export function claimServerInstance(): ServerInstanceIdentity {
  holder.__pantheonServerInstance ??= { id: `s-${randomBytes(6).toString("hex")}`, host: hostname(), pid: process.pid };
  return holder.__pantheonServerInstance;
}

export function releaseServerInstance(): void {
  holder.__pantheonServerInstance = undefined;
}
