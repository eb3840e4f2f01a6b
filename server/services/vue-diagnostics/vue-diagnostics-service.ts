import type { AuthUser } from "@/server/auth/auth-user";
import { AppError } from "@/server/errors/app-error";
import { fileRepository } from "@/server/repositories/file-repository";
import { assertFilePath } from "@/server/services/files/file-path";
import { requireProject } from "@/server/services/projects/project-access";
import { getVueCheckThread } from "./vue-check-thread";
import type { VueDiagnostic } from "./vue-checker";
import { getAppRuntime } from "@/server/process/app-runtime";

// The IDE's diagnostics for a Vue single-file component, as vue-tsc reports them: the file's
// unsaved text checked with the project's saved sources. Owner (and admin) only: a check costs the
// server CPU, and only someone who edits the project sees markers.

/** What a check reads: the sources TypeScript and vue-tsc read, and the tsconfig.json that sets their options. */
const CHECKED = /\.(vue|ts|tsx|mts|cts)$|(^|\/)tsconfig\.json$/;
/** Ceilings on one check's input: a project beyond them is refused, not checked in part (a partial program gives false errors). */
export const VUE_CHECK_CEILINGS = { maxFiles: 400, maxTotalBytes: 4 * 1024 * 1024 } as const;
/** Projects whose sources are kept between checks (read again only when their version changes). */
const KEPT_PROJECTS = 32;

/** One project's checked sources by path, with the version each was read at. */
export type VueCheckSources = Map<string, { version: string; content: string }>;
type Sources = VueCheckSources;

/** The project's sources, reading only files whose version changed since the last check. */
async function projectSources(projectId: number): Promise<Map<string, string>> {
  const runtime = getAppRuntime();
  const cache = (runtime.vueCheckSources ??= new Map<number, Sources>());
  const previous: Sources = cache.get(projectId) ?? new Map<string, { version: string; content: string }>();
  cache.delete(projectId);
  const metas = (await fileRepository.listMeta(projectId)).filter(
    (f) => f.encoding === "utf8" && CHECKED.test(f.filePath) && !f.filePath.split("/").includes("node_modules"),
  );
  if (metas.length > VUE_CHECK_CEILINGS.maxFiles) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The project has ${metas.length} source files; Vue files are checked in projects of at most ${VUE_CHECK_CEILINGS.maxFiles}`,
    );
  }
  const total = metas.reduce((sum, f) => sum + f.sizeBytes, 0);
  if (total > VUE_CHECK_CEILINGS.maxTotalBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The project's sources are ${total} bytes; Vue files are checked in projects of at most ${VUE_CHECK_CEILINGS.maxTotalBytes}`,
    );
  }
  const stale = metas.filter((f) => previous.get(f.filePath)?.version !== f.version).map((f) => f.filePath);
  const fresh = new Map((stale.length ? await fileRepository.findMany(projectId, stale) : []).map((f) => [f.filePath, f]));
  const sources: Sources = new Map();
  for (const meta of metas) {
    const file = fresh.get(meta.filePath) ?? previous.get(meta.filePath);
    if (file?.content != null) sources.set(meta.filePath, { version: file.version, content: file.content });
  }
  cache.set(projectId, sources);
  for (const oldest of cache.keys()) {
    if (cache.size <= KEPT_PROJECTS) break;
    cache.delete(oldest);
  }
  return new Map([...sources].map(([path, f]) => [path, f.content]));
}

/** Diagnostics of `path` (a .vue file) with `content` as its text, at 1-based lines and columns of that text. */
export async function vueDiagnostics(user: AuthUser, projectId: number, path: string, content: string): Promise<VueDiagnostic[]> {
  await requireProject(user, projectId, "write");
  const file = assertFilePath(path);
  if (!file.endsWith(".vue")) throw new AppError("BAD_REQUEST", `${path} is not a Vue single-file component (.vue)`);
  const files = await projectSources(projectId);
  files.set(file, content);
  return getVueCheckThread().check(projectId, files, file);
}
