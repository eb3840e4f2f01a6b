import { stripAnsi, type Diagnostic } from "./diagnostic";
import { parseNodeDiagnostics } from "./node-diagnostics";
import { parsePythonDiagnostics } from "./python-diagnostics";
import { parseTypeScriptDiagnostics } from "./typescript-diagnostics";
import { parseVitestDiagnostics } from "./vitest-diagnostics";

/** Output is written by sandboxed code: long lines are skipped so no regex can be made to backtrack for long. */
export const MAX_PARSED_LINE_LENGTH = 4096;
/** Enough for any real compiler run; bounds the response for output made of fake errors. */
export const MAX_DIAGNOSTICS = 200;

export type { Diagnostic } from "./diagnostic";

/**
 * Errors located in project files, from an execution's stdout and stderr: TypeScript (tsc,
 * vue-tsc), Node (uncaught errors, tsx/esbuild transform errors, failing vitest tests) and
 * Python tracebacks. Paths are relative to /workspace; duplicates are dropped. Ordered by
 * stream (stdout first: tsc writes there, runtimes write to stderr), then by tool, then by
 * position in the output.
 */
export function parseDiagnostics(output: string, errorOutput: string): Diagnostic[] {
  const seen = new Set<string>();
  const found: Diagnostic[] = [];
  for (const stream of [output, errorOutput]) {
    const lines = stream
      .replace(/\r\n?/g, "\n")
      .split("\n")
      .map((line) => (line.length > MAX_PARSED_LINE_LENGTH ? "" : stripAnsi(line)));
    for (const diagnostic of [
      ...parseTypeScriptDiagnostics(lines),
      ...parseVitestDiagnostics(lines),
      ...parseNodeDiagnostics(lines),
      ...parsePythonDiagnostics(lines),
    ]) {
      const key = `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push(diagnostic);
      if (found.length === MAX_DIAGNOSTICS) return found;
    }
  }
  return found;
}
