// `go test -json` read once for everyone: the agent step's summary (scripts/go-test-summary.mjs),
// its counts in `npm test` (scripts/test.mjs) and the agent's container tests
// (sandbox-images/agent/agent.docker.test.ts). What belongs to no test or package run (lines that
// are not JSON, as go vet's; the compiler's errors, "build-output") is kept apart, in order.

/**
 * Each test's outcome (pass, fail, skip) and each package's, with what it printed. A package's
 * entry has no `test`; its output is the lines go printed outside any test (a build error, a panic
 * in init, the closing "ok"/"FAIL" line).
 */
export function goTestResults(text) {
  const outputs = new Map();
  const results = [];
  const plain = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) {
      if (line !== "") plain.push(line);
      continue;
    }
    const e = JSON.parse(line);
    if (e.Action === "build-output") {
      plain.push((e.Output ?? "").replace(/\n$/, ""));
      continue;
    }
    const key = `${e.Package ?? ""} ${e.Test ?? ""}`;
    if (e.Action === "output") outputs.set(key, (outputs.get(key) ?? "") + (e.Output ?? ""));
    else if (e.Action === "pass" || e.Action === "fail" || e.Action === "skip") {
      results.push({ package: e.Package ?? "", test: e.Test, action: e.Action, output: outputs.get(key) ?? "" });
    }
  }
  return { results, plain };
}

/** Passed, failed and skipped tests (packages are not counted: a package that fails to build fails the step through go's exit code). */
export function goTestCounts(results) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) {
    if (r.test === undefined) continue;
    if (r.action === "pass") counts.passed++;
    else if (r.action === "fail") counts.failed++;
    else counts.skipped++;
  }
  return counts;
}
