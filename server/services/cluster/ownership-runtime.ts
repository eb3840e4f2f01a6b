import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { DEFAULT_SWEEP } from "@/server/services/records/record-sweeper";
import type { ServerInstanceIdentity } from "@/server/services/records/server-instance";
import { ProjectOwnership } from "./project-ownership";

/** Starts this server's side of project ownership and publishes it in the process registry (main.ts stops it). */
export function startProjectOwnership(self: ServerInstanceIdentity, log: Logger): ProjectOwnership {
  const ownership = new ProjectOwnership({
    self: self.id,
    staleAfterMs: DEFAULT_SWEEP.staleAfterMs,
    // One sweep interval and a margin: a peer's round that read our stale beat has removed what it meant to.
    settleMs: DEFAULT_SWEEP.intervalMs + 2_000,
    engine: () => getAppRuntime().engine,
    log: log.child({ component: "ownership" }),
  });
  getAppRuntime().projectOwnership = ownership;
  return ownership;
}

/** A clean shutdown, after the engine stopped: the rows go, so peers take the projects at once. */
export async function stopProjectOwnership(): Promise<void> {
  const ownership = getAppRuntime().projectOwnership;
  getAppRuntime().projectOwnership = undefined;
  await ownership?.releaseAll();
}

/**
 * Who a save of a container's files is made as (the fence checked in the save's transaction):
 * undefined outside a server (tests, scripts: no ownership). A project this instance does not
 * hold gets an epoch no row has, so its save is refused.
 */
export function savingOwner(projectId: number): { instanceId: string; epoch: number } | undefined {
  const ownership = getAppRuntime().projectOwnership;
  if (!ownership) return undefined;
  return { instanceId: ownership.self, epoch: ownership.epochOf(projectId) ?? -1 };
}
