import { projectPath, type Diagnostic, type DiagnosticKind } from "./diagnostic";

// "TypeError: …", "Error [ERR_MODULE_NOT_FOUND]: …", "Uncaught SyntaxError: …"
const ERROR_LINE = /^(?:Uncaught )?([A-Z]\w*(?:Error|Exception)|Error)(?: \[[\w-]+\])?: (.*)$/;
// "    at fn (/workspace/a.js:3:7)", "    at /workspace/a.js:3:7", "    at file:///workspace/a.mjs:5:1"
const FRAME = /^\s+at (?:.*? \()?((?:file:\/\/)?\/[^():]+|<anonymous>|node:[^():]+):(\d+):(\d+)\)?$/;
// Node prints where an uncaught error was thrown above it: "/workspace/a.js:3", the source line, a caret.
const HEADER = /^((?:file:\/\/)?\/\S+?):(\d+)$/;
// esbuild (tsx, vite) transform errors: "/workspace/src/a.ts:2:13: ERROR: Unexpected "*""
const ESBUILD = /^(\S+?):(\d+):(\d+): ERROR: (.*)$/;

const kindOf = (file: string): DiagnosticKind => (/\.(c|m)?tsx?$/.test(file) || file.endsWith(".vue") ? "typescript" : "node");

interface Location {
  file: string;
  line: number;
  column: number | null;
}

/** The thrown-at header above an error line, when it is in the project; the caret gives the column. */
function headerAbove(lines: readonly string[], errorIndex: number): Location | null {
  for (let i = errorIndex - 1; i >= Math.max(0, errorIndex - 5); i--) {
    const match = HEADER.exec(lines[i] ?? "");
    if (!match) continue;
    const file = projectPath(match[1] ?? "");
    if (!file) return null;
    const caret = (lines[i + 2] ?? "").indexOf("^");
    return { file, line: Number(match[2]), column: caret >= 0 ? caret + 1 : null };
  }
  return null;
}

export function parseNodeDiagnostics(lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";

    const esbuild = ESBUILD.exec(text);
    if (esbuild) {
      const file = projectPath(esbuild[1] ?? "");
      if (file)
        found.push({
          file,
          line: Number(esbuild[2]),
          column: Number(esbuild[3]),
          message: `SyntaxError: ${esbuild[4] ?? ""}`,
          kind: kindOf(file),
          severity: "error",
        });
      continue;
    }

    const error = ERROR_LINE.exec(text);
    if (!error) continue;
    // The innermost frame the user wrote: frames in node_modules or node internals are skipped.
    let location: Location | null = null;
    for (let j = i + 1; j < lines.length; j++) {
      const frame = FRAME.exec(lines[j] ?? "");
      if (!frame) {
        if (/^\s+at /.test(lines[j] ?? "")) continue; // "at Array.map (<anonymous>)" and the like
        break;
      }
      const file: string | null = location ? null : projectPath(frame[1] ?? "");
      if (file) location = { file, line: Number(frame[2]), column: Number(frame[3]) };
    }
    // Syntax errors have no project frame (the file never ran); the header names the line.
    location ??= headerAbove(lines, i);
    if (!location) continue;
    found.push({ ...location, message: `${error[1] ?? "Error"}: ${error[2] ?? ""}`.trim(), kind: kindOf(location.file), severity: "error" });
  }
  return found;
}
