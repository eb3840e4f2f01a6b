import { projectPath, type Diagnostic } from "./diagnostic";

// '  File "/workspace/main.py", line 4, in <module>' (and without ", in …" for SyntaxError)
const FRAME = /^ {2}File "(.+)", line (\d+)(?:, in .*)?$/;
// "NameError: name 'x' is not defined", "KeyboardInterrupt", "mod.CustomError: …"
// A program given on the command line (`python3 -c '…'`): its frames are File "<string>", the
// first one at module level. exec()'d code inside a real file (dataclasses' __init__, …) is also
// "<string>", but never a traceback's first frame at <module>: that one is not taken.
const COMMAND_FRAME = /^ {2}File "<string>", line (\d+), in <module>$/;
/** How a program given with `python3 -c` is named in a diagnostic (its code is the command). */
export const COMMAND_FILE = "<command>";
const EXCEPTION = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration))(?::\s?(.*))?$/;

/**
 * Python tracebacks (including unittest's failure blocks and chained exceptions): one
 * diagnostic per exception, at the innermost frame in the project. Python prints no column
 * (its carets are under a re-indented copy of the line), so column is null.
 */
export function parsePythonDiagnostics(lines: readonly string[]): Diagnostic[] {
  const found: Diagnostic[] = [];
  let frames: { file: string; line: number }[] = [];
  let inTraceback = false;
  let fromCommand = false;
  for (const text of lines) {
    if (text.startsWith("Traceback (most recent call last):")) {
      frames = [];
      inTraceback = true;
      fromCommand = false;
      continue;
    }
    const frame = FRAME.exec(text);
    if (frame) {
      if (inTraceback && frames.length === 0 && !fromCommand && COMMAND_FRAME.test(text)) fromCommand = true;
      inTraceback = true;
      const file = frame[1] === "<string>" ? (fromCommand ? COMMAND_FILE : null) : projectPath(frame[1] ?? "");
      if (file) frames.push({ file, line: Number(frame[2]) });
      continue;
    }
    if (!inTraceback) continue;
    const exception = EXCEPTION.exec(text);
    if (!exception) continue;
    const innermost = frames.at(-1);
    if (innermost) {
      const message = exception[2] ? `${exception[1] ?? ""}: ${exception[2]}` : (exception[1] ?? "");
      found.push({ ...innermost, column: null, message, kind: "python", severity: "error" });
    }
    frames = [];
    inTraceback = false;
    fromCommand = false;
  }
  return found;
}
