import { healthRepository } from "@/server/repositories/health-repository";
import { getAppRuntime } from "@/server/runtime/app-runtime";

export interface Health {
  status: "ok" | "degraded";
  database: { status: "up" | "down"; latencyMs: number; error?: string };
  docker: Record<string, unknown> & { status: "up" | "unavailable" };
  uptimeSeconds: number;
}

export async function checkHealth(): Promise<Health> {
  const started = performance.now();
  let database: Health["database"];
  try {
    await healthRepository.pingDatabase();
    database = { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    database = { status: "down", latencyMs: Math.round(performance.now() - started), error: e instanceof Error ? e.message.split("\n")[0] : "unreachable" };
  }
  const docker = await getAppRuntime().dockerStatus();
  return { status: database.status === "up" && docker.status === "up" ? "ok" : "degraded", database, docker, uptimeSeconds: Math.round(process.uptime()) };
}
