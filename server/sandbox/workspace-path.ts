// Pure checks shared by both sync directions: a path that fails here never reaches Docker
// (inbound) and is never stored (outbound). Paths are relative to /workspace, "/"-separated.

export const MAX_PATH_LENGTH = 500; // sandbox_files.file_path is VARCHAR(500)
const MAX_SEGMENT_LENGTH = 255;

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

export function checkWorkspacePath(path: string): PathCheck {
  if (typeof path !== "string" || path.length === 0) return { ok: false, reason: "empty path" };
  if (path.length > MAX_PATH_LENGTH) return { ok: false, reason: `path longer than ${MAX_PATH_LENGTH} characters` };
  // NUL truncates C strings; other control characters (newline, tab, ESC) break line-based tools and terminals.
  if (/[\u0000-\u001f\u007f]/.test(path)) return { ok: false, reason: "control character in path" };
  if (path.includes("\\")) return { ok: false, reason: "backslash in path" };
  if (path.startsWith("/")) return { ok: false, reason: "absolute path" };
  for (const segment of path.split("/")) {
    if (segment === "") return { ok: false, reason: "empty path segment" };
    if (segment === "..") return { ok: false, reason: "'..' in path" };
    if (segment === ".") return { ok: false, reason: "'.' segment in path" };
    if (segment.length > MAX_SEGMENT_LENGTH) return { ok: false, reason: "path segment too long" };
  }
  return { ok: true, path };
}

export class PathRejectedError extends Error {
  override readonly name = "PathRejectedError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`rejected path ${JSON.stringify(path.slice(0, 120))}: ${reason}`);
  }
}

/** True when any segment of the path is on the ignore list (e.g. "a/node_modules/b"). */
export function isIgnoredPath(path: string, ignore: readonly string[]): boolean {
  if (ignore.length === 0) return false;
  return path.split("/").some((segment) => ignore.includes(segment));
}
