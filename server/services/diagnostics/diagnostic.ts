export type DiagnosticKind = "typescript" | "node" | "python";
export type DiagnosticSeverity = "error" | "warning";

/** One problem found in an execution's output, located in a project file. */
export interface Diagnostic {
  /**
   * Relative to /workspace ("src/a.ts"), "<snippet>" for a code snippet run by the engine, or
   * "<command>" for a program given on the command line (`python3 -c`).
   */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, or null when the tool does not print one (Python). */
  column: number | null;
  message: string;
  kind: DiagnosticKind;
  severity: DiagnosticSeverity;
}

const WORKSPACE = "/workspace/";
// The engine runs snippets from /tmp/.pantheon-run-<pid><suffix> (server/sandbox/container-scripts.ts).
const SNIPPET = /^\/tmp\/\.pantheon-run-\d+\.\w+$/;

/**
 * A path as printed by a tool, as the project sees it: relative to /workspace, or "<snippet>".
 * Null for anything the user did not write (the runtime, libraries in node_modules or
 * site-packages): a diagnostic there would point the user at code they cannot change.
 */
export function projectPath(printed: string): string | null {
  let path = printed;
  if (path.startsWith("file://")) {
    try {
      path = decodeURI(path.slice("file://".length));
    } catch {
      return null; // malformed %-escape: not a path Node printed
    }
  }
  if (SNIPPET.test(path)) return "<snippet>";
  if (path.startsWith(WORKSPACE)) path = path.slice(WORKSPACE.length);
  else if (path.startsWith("/") || path.startsWith("node:") || path.startsWith("<")) return null;
  if (path.startsWith("./")) path = path.slice(2);
  if (/(^|\/)(node_modules|site-packages|dist-packages)\//.test(path)) return null;
  return path === "" ? null : path;
}

// Colour codes (vitest, tsc --pretty) would otherwise end up in paths and messages.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}
