import type { AuthUser } from "@/server/auth/auth-user";
import { executionRepository } from "@/server/repositories/execution-repository";
import { fileRepository } from "@/server/repositories/file-repository";
import { parseDiagnostics } from "@/server/services/diagnostics/parse-diagnostics";
import { requireProject } from "@/server/services/projects/project-access";

const OUTPUT_TAIL = 4096;

/**
 * get_context: what an AI needs to optimise, extend or refactor a project: the file tree, as many
 * contents as fit in `byteBudget` (entry point first, then smaller files first; binary files
 * never), and the last executions with the tail of their output and their diagnostics.
 */
export async function projectContext(user: AuthUser, projectId: number, byteBudget: number) {
  const project = await requireProject(user, projectId, "read");
  const files = await fileRepository.listWithContent(projectId);
  const ordered = [...files].sort(
    (a, b) => Number(b.isEntryPoint) - Number(a.isEntryPoint) || a.sizeBytes - b.sizeBytes || a.filePath.localeCompare(b.filePath),
  );
  let left = byteBudget;
  const contents: { path: string; content: string; version: string }[] = [];
  const omitted: string[] = [];
  for (const file of ordered) {
    if (file.encoding !== "utf8" || file.sizeBytes > left) {
      omitted.push(file.filePath);
      continue;
    }
    contents.push({ path: file.filePath, content: file.content ?? "", version: file.version });
    left -= file.sizeBytes;
  }
  const recent = await executionRepository.recent(projectId, 3);
  return {
    project: { id: project.id, name: project.name, description: project.description, templateType: project.templateType },
    tree: files.map((f) => ({ path: f.filePath, sizeBytes: f.sizeBytes, isEntryPoint: f.isEntryPoint, version: f.version })),
    contents,
    omitted,
    lastExecutions: recent.map((e) => ({
      id: e.id,
      command: e.executedCode,
      status: e.status,
      exitCode: e.exitCode,
      outputTail: (e.output ?? "").slice(-OUTPUT_TAIL),
      errorOutputTail: (e.errorOutput ?? "").slice(-OUTPUT_TAIL),
      diagnostics: e.status && e.status !== "success" ? parseDiagnostics(e.output ?? "", e.errorOutput ?? "") : [],
    })),
  };
}
