import { openApiDocument } from "@/server/api/openapi/openapi-spec";

// Public like the docs it describes: the shapes of the API, no data.
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
