import { otherMethods } from "@/server/api/rest/method-not-allowed";
import { editorTypings } from "@/server/services/editor/editor-typings";

export const dynamic = "force-dynamic";

// Public type definitions (npm packages), not user data: no session needed; browsers may cache them.
export async function GET() {
  return Response.json(await editorTypings("react"), { headers: { "cache-control": "public, max-age=86400" } });
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
