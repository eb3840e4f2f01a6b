import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { DatabaseWorkspaceStore } from "@/server/services/files/database-workspace-store";
import { pushToContainer } from "@/server/services/files/push-to-container";
import { startForwardedProcess, stopLiveProcess } from "@/server/services/processes/process-service";
import { releaseLocalContainer } from "@/server/services/projects/release-container";
import type { ServerInstanceIdentity } from "@/server/services/records/server-instance";
import { ClusterBus, type ClusterCommand } from "./cluster-bus";
import { awaitExecutionEnd, startForwardedExecution } from "./forwarded-execution";
import { releaseForPeer } from "./lease-mover";
import { startProjectOwnership, stopProjectOwnership } from "./ownership-runtime";

/** What this instance does with a command a peer forwarded (the peer already checked the caller's access). */
async function handle(command: ClusterCommand): Promise<boolean> {
  switch (command.type) {
    case "cancel-execution":
      return getExecutionHub().cancel(command.executionId);
    case "stop-process":
      return stopLiveProcess(command.processId);
    case "push-files":
      return pushSavedFiles(command.projectId, command.paths, command.deleted);
    case "release-project":
      return releaseForPeer(command.projectId, command.force === true, releaseLocalContainer);
    case "start-execution":
      return startForwardedExecution(command);
    case "await-execution":
      return awaitExecutionEnd(command.executionId);
    case "start-process":
      return startForwardedProcess(command.processId, command.projectId, command.maxPerProject);
  }
}

/** Mirrors files a peer saved into this instance's live container of the project; false when it holds none. */
async function pushSavedFiles(projectId: number, paths: string[] | null, deleted: string[]): Promise<boolean> {
  const engine = getAppRuntime().engine;
  if (!engine?.fleet.activeSandboxes().some((s) => s.projectId === String(projectId))) return false;
  // The database has the saved bytes (the peer answered its caller only after storing them).
  const wanted = paths && new Set(paths);
  const files = (await new DatabaseWorkspaceStore().loadFiles(String(projectId))).filter((f) => !wanted || wanted.has(f.path));
  await pushToContainer(projectId, files, deleted);
  return true;
}

/** Starts this server's end of the bus and publishes it in the process registry (stopped by main.ts). */
export async function startClusterBus(self: ServerInstanceIdentity, databaseUrl: string, log: Logger): Promise<ClusterBus> {
  const bus = new ClusterBus({ databaseUrl, self: self.id, handle, log: log.child({ component: "cluster" }) });
  await bus.start();
  getAppRuntime().clusterBus = bus;
  startProjectOwnership(self, log);
  return bus;
}

export async function stopClusterBus(): Promise<void> {
  const bus = getAppRuntime().clusterBus;
  getAppRuntime().clusterBus = undefined;
  await bus?.stop();
  await stopProjectOwnership().catch(() => {});
}
