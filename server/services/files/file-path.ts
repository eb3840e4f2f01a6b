import { AppError } from "@/server/errors/app-error";
import { checkStoredPath } from "@/server/sandbox/byte-names";

export const MAX_PATH_DEPTH = 32;

/**
 * The engine's path rules (no "..", absolute paths, NUL, backslashes, over-long names) plus a depth
 * cap. A name that is not UTF-8 is addressed by its escaped path (`\xff.bin`, byte-names.ts).
 */
export function pathProblem(path: string): string | null {
  const check = checkStoredPath(path);
  if (!check.ok) return check.reason;
  if (path.split("/").length > MAX_PATH_DEPTH) return `path deeper than ${MAX_PATH_DEPTH} levels`;
  return null;
}

export function assertFilePath(path: string): string {
  const problem = pathProblem(path);
  if (problem) throw new AppError("BAD_REQUEST", `rejected path ${JSON.stringify(path.slice(0, 120))}: ${problem}; use a relative path like "src/index.ts"`);
  return path;
}

/** True when `path` is `dir` itself or inside it. */
export function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}
