import type { Logger } from "pino";
import { getDatabaseAvailability } from "@/server/db/database-availability";
import { getAppRuntime } from "@/server/process/app-runtime";
import { getExecutionHub } from "@/server/services/executions/execution-hub";
import { liveProcesses } from "@/server/services/processes/live-processes";
import { RecordSweeper } from "./record-sweeper";
import { claimServerInstance } from "./server-instance";

/** The server's sweeper: this process's identity, what it runs (hub, live processes), paused while the database is away. */
export function startRecordSweeper(log: Logger): RecordSweeper {
  const sweeper = new RecordSweeper({
    self: claimServerInstance(),
    live: {
      // A run in flight keeps its hub entry open until its end is recorded (or given up).
      execution: (id) => !getExecutionHub().isFinished(id),
      process: (id) => liveProcesses().has(id),
    },
    databaseUp: () => getDatabaseAvailability().isUp(),
    containers: () => getAppRuntime().engine?.fleet,
    // Fencing (services/cluster/project-ownership.ts): a beat that finds this instance was silent stops it serving its projects.
    afterBeat: async (beat) => getAppRuntime().projectOwnership?.afterBeat(beat),
    log: log.child({ component: "records" }),
  });
  sweeper.start();
  return sweeper;
}
