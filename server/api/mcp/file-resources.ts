import { McpError, ErrorCode, type ListResourcesResult, type ReadResourceResult, type ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import type { AuthUser } from "@/server/auth/auth-user";
import { listFiles, readFile } from "@/server/services/files/file-service";
import { listProjects } from "@/server/services/projects/project-service";

// Project files as MCP resources: sandbox://projects/<id>/files/<path>, each path segment
// percent-encoded. Reading one goes through the same file service (and access check) as read_file.

const PROJECTS_PER_PAGE = 10;

export const FILE_RESOURCE_TEMPLATE: ResourceTemplate = {
  uriTemplate: "sandbox://projects/{projectId}/files/{+path}",
  name: "project-file",
  title: "A file of one of your projects",
  description: "The file's content: text for utf8 files, a base64 blob for binary ones.",
};

export function fileUri(projectId: number, path: string): string {
  return `sandbox://projects/${projectId}/files/${path.split("/").map(encodeURIComponent).join("/")}`;
}

/** The project and path a file URI names; anything else is an invalid-params error naming the shape. */
export function parseFileUri(uri: string): { projectId: number; path: string } {
  const match = /^sandbox:\/\/projects\/([1-9]\d{0,9})\/files\/(.+)$/.exec(uri);
  const projectId = Number(match?.[1]);
  let path: string | null = null;
  try {
    path = match?.[2] ? match[2].split("/").map(decodeURIComponent).join("/") : null;
  } catch {
    path = null;
  }
  if (!match || path === null || !Number.isSafeInteger(projectId) || projectId > 2_147_483_647)
    throw new McpError(ErrorCode.InvalidParams, `Unknown resource ${uri.slice(0, 200)}: expected sandbox://projects/<id>/files/<path>`);
  return { projectId, path };
}

/** The files of your projects, a page of projects at a time (the cursor is the next page's offset). */
export async function listFileResources(user: AuthUser, cursor: string | undefined): Promise<ListResourcesResult> {
  if (cursor !== undefined && !/^\d{1,6}$/.test(cursor)) throw new McpError(ErrorCode.InvalidParams, `Invalid cursor ${cursor.slice(0, 40)}`);
  const skip = cursor === undefined ? 0 : Number(cursor);
  const { items, total } = await listProjects(user, { scope: "own", sort: "updatedAt", order: "desc", take: PROJECTS_PER_PAGE, skip });
  const resources: ListResourcesResult["resources"] = [];
  for (const project of items) {
    for (const file of await listFiles(user, project.id)) {
      resources.push({
        uri: fileUri(project.id, file.filePath),
        name: `${project.name}/${file.filePath}`,
        mimeType: file.encoding === "base64" ? "application/octet-stream" : "text/plain",
        size: file.sizeBytes,
      });
    }
  }
  const next = skip + items.length;
  return next < total ? { resources, nextCursor: String(next) } : { resources };
}

export async function readFileResource(user: AuthUser, uri: string): Promise<ReadResourceResult> {
  const { projectId, path } = parseFileUri(uri);
  const file = await readFile(user, projectId, path);
  const content = file.content ?? "";
  return {
    contents: [file.encoding === "base64" ? { uri, mimeType: "application/octet-stream", blob: content } : { uri, mimeType: "text/plain", text: content }],
  };
}
