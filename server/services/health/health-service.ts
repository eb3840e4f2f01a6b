import { type DatabaseAvailabilitySnapshot, type DatabaseState, getDatabaseAvailability } from "@/server/db/database-availability";
import { healthRepository } from "@/server/repositories/health-repository";
import { getAppRuntime } from "@/server/process/app-runtime";
import { pingDocker } from "@/server/process/docker-ping";

export interface Health {
  status: "ok" | "degraded";
  database: {
    status: "up" | "down";
    /** The supervisor's view: "restarting" while the embedded PostgreSQL is being brought back. */
    state: DatabaseState;
    latencyMs: number;
    error?: string;
    /** Outages seen since start-up: the one in progress and the last one that ended. */
    outages: Omit<DatabaseAvailabilitySnapshot, "state">;
  };
  docker: Record<string, unknown> & { status: "up" | "unavailable" };
  uptimeSeconds: number;
}

export async function checkHealth(): Promise<Health> {
  const started = performance.now();
  const { state, ...outages } = getDatabaseAvailability().snapshot();
  let database: Health["database"];
  try {
    await healthRepository.pingDatabase();
    database = { status: "up", state, latencyMs: Math.round(performance.now() - started), outages };
  } catch (e) {
    const error = e instanceof Error ? e.message.split("\n")[0] : "unreachable";
    // A failed ping the supervisor has not seen yet is still an outage to report.
    database = { status: "down", state: state === "up" ? "down" : state, latencyMs: Math.round(performance.now() - started), error, outages };
  }
  const docker = await (getAppRuntime().dockerStatus ?? pingDocker)();
  return { status: database.status === "up" && docker.status === "up" ? "ok" : "degraded", database, docker, uptimeSeconds: Math.round(process.uptime()) };
}
