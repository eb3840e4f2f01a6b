import { mayReadMetrics } from "@/server/monitoring/metrics-access";
import { getFleetMetrics } from "@/server/monitoring/prometheus";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

export const dynamic = "force-dynamic";

// Prometheus exposition. Anyone not allowed gets the same 404 as a missing page, so the
// endpoint's existence does not leak (as admin tRPC procedures answer NOT_FOUND).
export async function GET(request: Request) {
  if (!(await mayReadMetrics(request.headers))) return new Response("Not found", { status: 404, headers: { "cache-control": "no-store" } });
  const { registry } = getFleetMetrics();
  return new Response(await registry.metrics(), { status: 200, headers: { "content-type": registry.contentType, "cache-control": "no-store" } });
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
