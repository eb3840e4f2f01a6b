import { openApiDocument } from "@/server/api/openapi/openapi-spec";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

// Public like the docs it describes: the shapes of the API, no data.
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
