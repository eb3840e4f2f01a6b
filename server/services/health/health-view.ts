import type { Health } from "./health-service";

/**
 * What /api/health tells anyone who asks: whether each part is up, nothing more. Versions
 * (Docker's, the runtimes), the posture check's details, pool sizes, the engine's last error
 * (paths, hostnames, which isolation check failed) and the database's error text help an
 * attacker choose an exploit and help no load balancer; admins and the monitoring token get
 * the full report (security/THREAT_MODEL.md, "/api/health").
 */
export interface AnonymousHealth {
  status: Health["status"];
  database: { status: Health["database"]["status"]; state: Health["database"]["state"] };
  docker: { status: Health["docker"]["status"] };
  engine: { state: string } | null;
}

export function anonymousHealth(health: Health): AnonymousHealth {
  const engine = health.docker.engine as { state?: unknown } | undefined;
  return {
    status: health.status,
    database: { status: health.database.status, state: health.database.state },
    docker: { status: health.docker.status },
    engine: typeof engine?.state === "string" ? { state: engine.state } : null,
  };
}
