import type { Logger } from "pino";
import { getAppRuntime } from "@/server/process/app-runtime";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { stopLiveProcess } from "@/server/services/processes/process-service";
import type { ServerInstanceIdentity } from "@/server/services/records/server-instance";
import { ClusterBus, type ClusterCommand } from "./cluster-bus";

/** What this instance does with a command a peer forwarded (the peer already checked the caller's access). */
async function handle(command: ClusterCommand): Promise<boolean> {
  switch (command.type) {
    case "cancel-execution":
      return getExecutionHub().cancel(command.executionId);
    case "stop-process":
      return stopLiveProcess(command.processId);
  }
}

/** Starts this server's end of the bus and publishes it in the process registry (stopped by main.ts). */
export async function startClusterBus(self: ServerInstanceIdentity, databaseUrl: string, log: Logger): Promise<ClusterBus> {
  const bus = new ClusterBus({ databaseUrl, self: self.id, handle, log: log.child({ component: "cluster" }) });
  await bus.start();
  getAppRuntime().clusterBus = bus;
  return bus;
}

export async function stopClusterBus(): Promise<void> {
  const bus = getAppRuntime().clusterBus;
  getAppRuntime().clusterBus = undefined;
  await bus?.stop();
}
