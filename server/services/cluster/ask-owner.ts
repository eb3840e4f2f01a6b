import { getAppRuntime } from "@/server/process/app-runtime";
import { currentServerInstance } from "@/server/services/records/server-instance";
import type { ClusterAnswer, ClusterCommand } from "./cluster-bus";

/** How long a caller waits for the owning instance's answer before deciding from the records. */
export const OWNER_ANSWER_MS = { "cancel-execution": 5_000, "stop-process": 15_000 } as const;

/**
 * Sends a command to the instance that runs the execution or process. Null when that instance is
 * this one (nothing to forward), when this process has no bus (tests, scripts), or when no answer
 * came in time (the owner is dead or stuck; the record sweeper ends its rows).
 */
export async function askOwner(ownerInstanceId: string | null, command: ClusterCommand): Promise<ClusterAnswer> {
  const bus = getAppRuntime().clusterBus;
  if (!bus || !ownerInstanceId || ownerInstanceId === currentServerInstance()?.id) return null;
  return bus.ask(ownerInstanceId, command, OWNER_ANSWER_MS[command.type]);
}
