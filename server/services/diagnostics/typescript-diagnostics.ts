import { projectPath, type Diagnostic } from "./diagnostic";

// tsc / vue-tsc, plain ("src/a.ts(3,5): error TS2322: …") and --pretty ("src/a.ts:3:5 - error TS2322: …").
const PLAIN = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;
const PRETTY = /^(.+?):(\d+):(\d+) - (error|warning) (TS\d+): (.*)$/;

export function parseTypeScriptDiagnostics(lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = PLAIN.exec(lines[i] ?? "") ?? PRETTY.exec(lines[i] ?? "");
    if (!match) continue;
    const [, printedFile = "", line = "0", column = "0", severity, code = "", text = ""] = match;
    const file = projectPath(printedFile);
    if (!file) continue;
    // tsc indents the elaboration of a message ("Type 'x' is not assignable to …") on the next lines.
    const details: string[] = [];
    while (/^ {2}\S/.test(lines[i + 1] ?? "")) details.push((lines[++i] ?? "").trim());
    found.push({
      file,
      line: Number(line),
      column: Number(column),
      message: [`${code}: ${text}`, ...details].join("\n"),
      kind: "typescript",
      severity: severity === "warning" ? "warning" : "error",
    });
  }
  return found;
}
