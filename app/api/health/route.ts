import { mayReadMetrics } from "@/server/monitoring/metrics-access";
import { checkHealth } from "@/server/services/health/health-service";
import { anonymousHealth } from "@/server/services/health/health-view";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

export const dynamic = "force-dynamic";

// 200 while the database answers (the app can serve); Docker being down is reported, not fatal.
// Anyone gets the up/down of each part; admins and SANDBOX_METRICS_TOKEN get versions, posture,
// pool and the engine's last error too.
export async function GET(req: Request) {
  const health = await checkHealth();
  const detailed = await mayReadMetrics(req.headers).catch(() => false); // with the database down, nobody is an admin
  return Response.json(detailed ? health : anonymousHealth(health), {
    status: health.database.status === "up" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
