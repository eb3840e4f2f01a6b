// Reads `go test -json` on stdin and prints what a person wants in the log: failures with their
// output, then go test's own closing lines ("ok pkg 1.2s", "FAIL pkg", "N passed, N failed").
import { createInterface } from "node:readline";

const output = new Map(); // "pkg test" -> lines
let passed = 0;
let failed = 0;
let skipped = 0;
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.startsWith("{")) {
    console.log(line);
    continue;
  }
  const e = JSON.parse(line);
  const key = `${e.Package} ${e.Test ?? ""}`;
  if (e.Action === "output") {
    if (!e.Test && /^(ok|FAIL|\?)\s/.test(e.Output)) process.stdout.write(e.Output);
    else output.set(key, [...(output.get(key) ?? []), e.Output]);
  } else if (e.Test && e.Action === "pass") passed++;
  else if (e.Test && e.Action === "skip") skipped++;
  else if (e.Action === "fail") {
    if (e.Test) failed++;
    process.stdout.write(`--- FAIL ${key}\n${(output.get(key) ?? []).join("")}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
