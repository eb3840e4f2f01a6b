import { projectFileInput, fileWriteInput } from "@/server/api/routers/files/files.schema";
import { listFilesOutput } from "@/server/api/routers/files/list-files.schema";
import { readFileOutput } from "@/server/api/routers/files/read-file.schema";
import { writeFileOutput } from "@/server/api/routers/files/write-file.schema";
import { projectIdInput } from "@/server/api/routers/projects/get-project.schema";
import { listFiles, readFile, writeFile } from "@/server/services/files/file-service";
import { defineTool } from "../mcp-tool";

export const listFilesTool = defineTool({
  name: "list_files",
  title: "List a project's files",
  description: "The project's files (path, size, type, entry point, which AI wrote it), sorted by path; folders are the paths' prefixes.",
  scopes: ["projects:read"],
  readOnly: true,
  input: projectIdInput,
  run: async ({ user }, input) => ({ files: listFilesOutput.parse(await listFiles(user, input.projectId)) }),
});

export const readFileTool = defineTool({
  name: "read_file",
  title: "Read a file",
  description:
    "A file's content and metadata. Binary files come back base64 (encoding says which). `version` (SHA-256 of the bytes) is what a write based on this read sends as baseVersion.",
  scopes: ["projects:read"],
  readOnly: true,
  input: projectFileInput,
  run: async ({ user }, input) => readFileOutput.parse(await readFile(user, input.projectId, input.path)),
});

export const writeFileTool = defineTool({
  name: "write_file",
  title: "Write a file",
  description:
    "Creates or replaces a file (relative path like src/index.ts; encoding base64 for binary). Refused above SANDBOX_MAX_FILE_SIZE. " +
    "Send baseVersion (the `version` from read_file, get_context or your last write) so the write is refused with CONFLICT, nothing written, if someone changed the file since " +
    "(the error lists the current version: read it again and redo your change); baseVersion null creates only; without baseVersion it overwrites whatever is there. " +
    "Attributed to aiPersonality, or to the API key's default personality.",
  scopes: ["projects:write"],
  readOnly: false,
  input: fileWriteInput,
  run: async ({ actor, config }, input) => writeFileOutput.parse(await writeFile(actor, input.projectId, input, config)),
});
