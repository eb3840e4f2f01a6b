import { getAppRuntime } from "@/server/process/app-runtime";
import { serverInstanceRepository } from "@/server/repositories/server-instance-repository";
import { DEFAULT_SWEEP } from "@/server/services/records/record-sweeper";
import { currentServerInstance } from "@/server/services/records/server-instance";
import type { ClusterAnswer, ClusterCommand } from "./cluster-bus";
import { pushChunks } from "./push-chunks";

/** How long a caller waits for another instance's answer before deciding from the records. */
export const OWNER_ANSWER_MS = {
  "cancel-execution": 5_000,
  "stop-process": 15_000,
  "push-files": 3_000,
  // Saving an idle project's files and releasing its container (lease-mover.ts).
  "release-project": 20_000,
  "start-execution": 10_000,
  // The caller waits for the run's end with its own bound (forwarded-execution.ts).
  "await-execution": 60_000,
  // Binding the project's container if needed, spawning, opening the preview listener.
  "start-process": 30_000,
} as const;

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

/**
 * Files just saved to the database reach the live container of the project on every other live
 * instance before the save is answered, so a run through any instance sees them (SCALE.md,
 * "file coherence"). Each peer answers at once when it holds no container of the project; a peer
 * that does not answer in time (dying) costs this save at most OWNER_ANSWER_MS["push-files"].
 */
export async function pushToPeers(projectId: number, paths: string[], deleted: string[]): Promise<void> {
  const bus = getAppRuntime().clusterBus;
  if (!bus || (!paths.length && !deleted.length)) return;
  const since = new Date(Date.now() - DEFAULT_SWEEP.staleAfterMs);
  const peers = (await serverInstanceRepository.beatSince(since)).filter((id) => id !== bus.self);
  // Each chunk fits one NOTIFY, so deletions are mirrored however many names a save has.
  const chunks = pushChunks(projectId, paths, deleted);
  await Promise.all(peers.flatMap((peer) => chunks.map((command) => bus.ask(peer, command, OWNER_ANSWER_MS["push-files"]))));
}
