import type { AuthUser } from "@/server/auth/auth-user";
import { countRejectedPaths } from "@/server/api/rejected-paths";
import { contentTypeHeader, fileMediaType, wantsRawBytes } from "@/server/api/rest/file-media-type";
import { fileContentJson } from "@/server/api/rest/rest-dto";
import { errorResponse, json } from "@/server/api/rest/rest-response";
import { projectIdParam, restCaller } from "@/server/api/rest/rest-caller";
import { fileContentQuery } from "@/server/api/rest/rest-schemas";
import { AppError } from "@/server/errors/app-error";
import { readFile } from "@/server/services/files/file-service";
import { otherMethods } from "@/server/api/rest/method-not-allowed";

type Params = { params: Promise<{ id: string }> };

/**
 * One file's content: JSON {…file, content, encoding} by default (text as is, binary in base64);
 * the raw bytes with the file's media type when Accept prefers them (file-media-type.ts).
 */
export async function GET(req: Request, { params }: Params): Promise<Response> {
  let user: AuthUser | null = null;
  try {
    user = await restCaller(req, "projects:read");
    const projectId = await projectIdParam(params);
    const query = fileContentQuery.parse(Object.fromEntries(new URL(req.url).searchParams));
    const file = await readFile(user, projectId, query.path);
    if (query.max_bytes !== undefined && file.sizeBytes > query.max_bytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `${file.filePath} is ${file.sizeBytes} bytes, above max_bytes ${query.max_bytes}; ask with a larger max_bytes`);
    }
    const mediaType = fileMediaType(file.filePath, file.encoding);
    if (!wantsRawBytes(req.headers.get("accept"), mediaType)) {
      const response = json(fileContentJson(file));
      response.headers.set("vary", "accept");
      return response;
    }
    const bytes = Buffer.from(file.content ?? "", file.encoding === "base64" ? "base64" : "utf8");
    return new Response(new Uint8Array(bytes), { headers: rawHeaders(file.filePath, contentTypeHeader(mediaType, file.encoding), bytes.length) });
  } catch (e) {
    countRejectedPaths(e, user);
    return errorResponse(e, req);
  }
}

/**
 * The project's bytes are the user's (or an AI's) content served from the app's origin: never
 * rendered there (attachment, nosniff, a CSP sandbox with nothing allowed, so an HTML or SVG
 * file opened directly has an opaque origin and no script), and never loadable by another
 * site's <script> or <img> with the owner's cookie (Cross-Origin-Resource-Policy).
 */
function rawHeaders(path: string, contentType: string, length: number): HeadersInit {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return {
    "content-type": contentType,
    "content-length": String(length),
    "content-disposition": `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
    vary: "accept",
  };
}

// The methods this route does not serve: a JSON 405 with Allow (server/api/rest/method-not-allowed.ts).
export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
