import { checkHealth } from "@/server/services/health-service";

export const dynamic = "force-dynamic";

// 200 while the database answers (the app can serve); Docker being down is reported, not fatal.
export async function GET() {
  const health = await checkHealth();
  return Response.json(health, { status: health.database.status === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
