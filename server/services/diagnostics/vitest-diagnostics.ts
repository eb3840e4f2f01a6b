import { projectPath, type Diagnostic, type DiagnosticKind } from "./diagnostic";

// A failing test: " FAIL  src/a.test.ts > suite > name", the error line, then
// " ❯ src/a.test.ts:8:21" (or " ❯ fn src/a.ts:2:20") frames, innermost first.
const FAIL = /^\s*FAIL\s+(\S+)\s+>\s+(.*)$/;
const FRAME = /^\s*❯ (?:\S+ )?(\S+?):(\d+):(\d+)$/;
const ERROR = /^([A-Z]\w*(?:Error|Exception)|Error): (.*)$/;

const kindOf = (file: string): DiagnosticKind => (/\.(c|m)?tsx?$/.test(file) || file.endsWith(".vue") ? "typescript" : "node");

export function parseVitestDiagnostics(lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fail = FAIL.exec(lines[i] ?? "");
    if (!fail) continue;
    let error = "";
    for (let j = i + 1; j < lines.length && !FAIL.test(lines[j] ?? "") && !(lines[j] ?? "").startsWith("⎯"); j++) {
      const text = lines[j] ?? "";
      if (!error && ERROR.test(text)) error = text.trim();
      const frame = FRAME.exec(text);
      const file = frame ? projectPath(frame[1] ?? "") : null;
      if (!frame || !file) continue;
      const message = `${fail[2] ?? ""}: ${error || "test failed"}`;
      found.push({ file, line: Number(frame[2]), column: Number(frame[3]), message, kind: kindOf(file), severity: "error" });
      break;
    }
  }
  return found;
}
