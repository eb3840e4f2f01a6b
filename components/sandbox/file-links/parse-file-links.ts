/**
 * Finds `file:line(:col)` references in one line of program output (stack traces, compiler and
 * bundler errors) and turns the printed path into a project path, or refuses it. Program output
 * is written by sandboxed code, so every reference is untrusted: only a path that normalises to a
 * place inside /workspace and names a file the project has becomes a link; anything else (paths
 * outside the workspace, `..` escapes, encoded tricks, names of files that do not exist) stays text.
 */

/** The project's folder inside its container (server/sandbox/container-spec.ts WORKSPACE_DIR). */
export const WORKSPACE_ROOT = "/workspace";

/** A reference as printed: where it sits in the line and what it names. */
export type FileReference = {
  /** Offsets in the line of the linked text (the path and its position), end exclusive. */
  start: number;
  end: number;
  /** The path as printed (absolute, relative to /workspace, or a file:// URL). */
  printed: string;
  /** 1-based. */
  line: number;
  /** 1-based, when the output gives one. */
  column: number | null;
};

/** Longer lines are only scanned up to here: output is hostile and regexes must stay cheap. */
const MAX_SCANNED = 4096;
const MAX_LINE = 10_000_000;
const MAX_PATH = 1024;

// A path: optional file:// scheme, then path characters. The look-behind keeps it from starting in
// the middle of a word, a URL (`http://host:port/x`) or a scheme (`node:internal/...`).
// One character class, one quantifier: no nested or adjacent repetition that could backtrack badly.
const PATH = String.raw`(?<![\w.\/:@~%+-])((?:file:\/\/)?[\w.\/@~%+-]+)`;

const PATTERNS: Array<{ regex: RegExp; columnBase: 0 | 1; only?: RegExp }> = [
  // Python: File "/workspace/main.py", line 3
  { regex: /File "([^"\n]{1,1024})", line (\d{1,8})()/g, columnBase: 1 },
  // TypeScript (tsc without --pretty): src/index.ts(3,7): error TS2322
  { regex: new RegExp(String.raw`${PATH}\((\d{1,8}),(\d{1,8})\)`, "g"), columnBase: 1 },
  // Node, tsc --pretty, esbuild, Vite, pytest, vitest: /workspace/x.js:3:7, src/a.ts:3, (file:///workspace/x.mjs:3:7)
  { regex: new RegExp(String.raw`${PATH}:(\d{1,8})(?::(\d{1,8}))?(?![\w.\/-])`, "g"), columnBase: 1 },
  // Babel through Vite: [plugin:vite:react-babel] /workspace/src/App.tsx: Unexpected token (3:10) (0-based column)
  { regex: new RegExp(String.raw`${PATH}: [^\n]*?\((\d{1,8}):(\d{1,8})\)\s*$`, "g"), columnBase: 0, only: /\(\d{1,8}:\d{1,8}\)\s*$/ },
];

/** Every reference in the line, in order, without overlaps (the first pattern to claim a span wins). */
export function findFileReferences(text: string): FileReference[] {
  const line = text.length > MAX_SCANNED ? text.slice(0, MAX_SCANNED) : text;
  const found: FileReference[] = [];
  for (const { regex, columnBase, only } of PATTERNS) {
    if (only && !only.test(line)) continue;
    regex.lastIndex = 0;
    for (let match = regex.exec(line); match; match = regex.exec(line)) {
      const printed = match[1] ?? "";
      const lineNumber = Number(match[2]);
      const column = match[3] ? Number(match[3]) + (1 - columnBase) : null;
      if (!printed || printed.length > MAX_PATH || !(lineNumber >= 1 && lineNumber <= MAX_LINE)) continue;
      const start = match.index + match[0].indexOf(printed);
      // Python's span covers `File "…", line N`; the others the path and its numbers.
      const end = columnBase === 0 ? start + printed.length : match.index + match[0].length;
      if (found.some((f) => start < f.end && f.start < end)) continue;
      found.push({ start, end, printed, line: lineNumber, column: column !== null && column >= 1 ? column : null });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * The project path (relative, no leading slash) a printed path names, or null when it leaves the
 * workspace or is not a plain path. Relative paths are taken from /workspace, where every command
 * runs. `exists` says whether the project has that file; only existing files become links.
 */
export function toWorkspacePath(printed: string, exists: (path: string) => boolean): string | null {
  let path = printed;
  if (path.startsWith("file://")) {
    if (!path.startsWith("file:///")) return null; // file://host/… names another machine
    try {
      path = decodeURIComponent(path.slice("file://".length));
    } catch {
      return null;
    }
  } else if (path.includes("%")) {
    return null; // only URLs are percent-encoded; a bare path with % is printed as is, or forged
  }
  // Control characters, NUL and backslashes never belong to a path we open.
  if (/[\x00-\x1f\x7f\\]/.test(path)) return null;
  const absolute = path.startsWith("/") ? path : `${WORKSPACE_ROOT}/${path}`;
  const parts: string[] = [];
  for (const segment of absolute.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (!parts.length) return null;
      parts.pop();
    } else parts.push(segment);
  }
  if (parts[0] !== WORKSPACE_ROOT.slice(1) || parts.length < 2) return null;
  const relative = parts.slice(1).join("/");
  return exists(relative) ? relative : null;
}

/** A reference that names a project file: what a click opens. */
export type FileLink = FileReference & { path: string };

/** The references in a line that name files of the project; everything else stays plain text. */
export function findFileLinks(text: string, exists: (path: string) => boolean): FileLink[] {
  return findFileReferences(text).flatMap((ref) => {
    const path = toWorkspacePath(ref.printed, exists);
    return path ? [{ ...ref, path }] : [];
  });
}
