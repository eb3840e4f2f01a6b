// Reads `go test -json` on stdin and prints what a person wants in the log: what was not JSON (go
// vet), failures with their output, go test's closing line per package ("ok pkg 1.2s", "FAIL pkg"),
// then "N passed, N failed, N skipped". Exits 1 when a test or a package failed (a package that
// does not build has no test to count).
import { text } from "node:stream/consumers";
import { goTestCounts, goTestResults } from "./go-test-json.mjs";

const { results, plain } = goTestResults(await text(process.stdin));
for (const line of plain) console.log(line);
for (const r of results.filter((r) => r.test !== undefined && r.action === "fail")) process.stdout.write(`--- FAIL ${r.package} ${r.test}\n${r.output}`);
for (const r of results.filter((r) => r.test === undefined)) {
  // A failed package's whole output (a panic outside any test ends there); otherwise its closing line.
  const lines = r.output.split("\n").filter((l) => l !== "");
  const shown = r.action === "fail" ? lines : lines.filter((l) => /^(ok|FAIL|\?)\s/.test(l));
  if (shown.length) console.log(shown.join("\n"));
}
const { passed, failed, skipped } = goTestCounts(results);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (results.some((r) => r.action === "fail")) process.exitCode = 1;
