import { nodeTypings } from "@/server/services/editor-typings";

export const dynamic = "force-dynamic";

// Public type definitions (npm packages), not user data: no session needed; browsers may cache them.
export async function GET() {
  return Response.json(await nodeTypings(), { headers: { "cache-control": "public, max-age=86400" } });
}
