// npm test: every check and test layer, with a summary. Steps that do not depend on each other
// run side by side (the database/browser chain beside the Docker chain); each step's output is
// kept in test-results/logs/<step>.log and printed when the step ends, so lines never interleave.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { goTestCounts, goTestResults } from "./go-test-json.mjs";

const root = new URL("..", import.meta.url).pathname;
const logs = join(root, "test-results", "logs");
mkdirSync(logs, { recursive: true });
// TEST_RETRY: one retry for the tests against real services (vitest.config.ts, playwright.config.ts);
// the summary below names every test that passed only on its retry.
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0", NO_COLOR: "1", TEST_RETRY: process.env.TEST_RETRY ?? "1" };
const only = process.argv.slice(2); // e.g. `npm test -- unit integration` runs just those steps

const vitest = (project) => ({
  cmd: ["npx", "vitest", "run", "--project", project, "--reporter=default", "--reporter=json", `--outputFile.json=${join(logs, `${project}.json`)}`],
  counts: () => vitestCounts(join(logs, `${project}.json`)),
  names: () => vitestNames(join(logs, `${project}.json`)),
});

const steps = {
  typecheck: { cmd: ["npx", "tsc", "--noEmit"] },
  lint: { cmd: ["npx", "eslint", "."] },
  format: { cmd: ["npx", "prettier", "--check", "."] },
  unit: vitest("unit"),
  // pantheon-agent (Go): vet and its tests, as root (they switch uids) and CGO_ENABLED=0 as the
  // agent is built (the direct fork+exec path). Counts from `go test -json`.
  agent: {
    cmd: [
      "sh",
      "-c",
      // The launcher's test again in a process of its own (main_test.go): the first run's process
      // has given up the capabilities the launcher needs.
      `cd sandbox-images/agent && go vet ./... && { go test -count=1 -json ./...; PANTHEON_AGENT_TEST_LAUNCHER=1 go test -count=1 -json -run '^TestLauncherPathDropsTheSame$' ./internal/agent; } | tee ${join(logs, "agent.jsonl")} | node ${join(root, "scripts", "go-test-summary.mjs")}`,
    ],
    env: { CGO_ENABLED: "0" },
    counts: () => goTestCounts(goTestResults(readFileSync(join(logs, "agent.jsonl"), "utf8")).results),
  },
  integration: vitest("integration"),
  images: { cmd: ["npm", "run", "--silent", "images"] },
  "docker-runc": vitest("docker-runc"),
  "docker-runsc": vitest("docker-runsc"),
  // The web app is built first (when its sources changed), on its own clock: Playwright's start-up
  // timeout is for the server, and a build on two loaded cores can outlast it.
  e2e: {
    cmd: ["sh", "-c", "node scripts/start.mjs --build-only && npx playwright test --reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: join(logs, "e2e.json") },
    counts: () => playwrightCounts(join(logs, "e2e.json")),
    names: () => playwrightNames(join(logs, "e2e.json")),
  },
  // Fault injection, short (issue 12): each fault once against a live server (scripts/chaos.ts).
  // Exit 1 when a fault did not recover, something was lost, or a request answered 500.
  // The server's log is kept beside it: on a failure the harness prints its error lines.
  chaos: { cmd: ["npm", "run", "--silent", "chaos", "--", "--short"], env: { CHAOS_SERVER_LOG: join(logs, "chaos-server.log") } },
  // Replicas (issue 13): four real servers over one PostgreSQL and one Docker engine; cancel, stop
  // and files through a peer, a boot beside a live instance, kill -9 (scripts/replicas.ts).
  replicas: { cmd: ["npm", "run", "--silent", "replicas"] },
  // Production serves previews on another site (SANDBOX_PREVIEW_DOMAIN): the preview and the
  // cross-site attack specs again in that mode, against the same build.
  "e2e-preview-domain": {
    cmd: ["sh", "-c", "node scripts/start.mjs --build-only && npx playwright test e2e/preview.spec.ts e2e/csrf.spec.ts --reporter=list,json"],
    env: { PLAYWRIGHT_JSON_OUTPUT_NAME: join(logs, "e2e-preview-domain.json"), E2E_PREVIEW_DOMAIN: "1" },
    counts: () => playwrightCounts(join(logs, "e2e-preview-domain.json")),
    names: () => playwrightNames(join(logs, "e2e-preview-domain.json")),
  },
};

// Static checks and unit tests first, each run whatever the others say (one report shows every
// problem), with the sandbox images building beside them (a fresh machine builds them in about
// 100 s, partly waiting on Debian's mirror and the Go proxy): they were on the Docker chain's
// critical path. The web app's build stays in the e2e step: CPU-bound, it would slow the checks
// more than it saves on the database chain, which is not the longer one. Then two independent
// chains side by side; the Docker one runs only when the images built, and stops at its first
// failure.
const checks = { steps: ["typecheck", "lint", "format", "unit", "agent"], stopOnFailure: false };
const chains = [
  { steps: ["integration", "e2e", "e2e-preview-domain"], stopOnFailure: false },
  { steps: ["docker-runc", "docker-runsc"], stopOnFailure: true, needsImages: true },
];

// The short chaos run comes last, alone: it restarts the Docker engine (which would kill the other
// chains' containers), fills a data folder and builds Next like e2e does. It needs the images.
// The replicas run goes before it, alone too: it kills servers with -9 and counts containers by label.
const last = { steps: ["replicas", "chaos"], stopOnFailure: false };

const results = [];

function run(name) {
  const step = steps[name];
  if (only.length && !only.includes(name)) return Promise.resolve(true);
  const started = Date.now();
  const logFile = join(logs, `${name}.log`);
  return new Promise((resolve) => {
    const child = spawn(step.cmd[0], step.cmd.slice(1), { cwd: root, env: { ...env, ...step.env }, stdio: ["ignore", "pipe", "pipe"] });
    const chunks = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.stderr.on("data", (c) => chunks.push(c));
    child.on("close", (code) => {
      const output = Buffer.concat(chunks).toString();
      writeFileSync(logFile, output);
      const seconds = Math.round((Date.now() - started) / 1000);
      let counts = null;
      try {
        counts = step.counts?.() ?? null;
      } catch {
        counts = null;
      }
      // A test step that ran nothing has failed: a skipped suite must never pass for a green one.
      const ranNothing = step.counts && (!counts || counts.passed + counts.failed === 0);
      // Vitest reports an unhandled rejection as "Errors  N error" beside green tests: a failure too.
      const strayErrors = /^\s*Errors\s+\d+ errors?/m.test(output);
      const ok = code === 0 && !ranNothing && !strayErrors && (!counts || counts.failed === 0);
      let names = { failed: [], flaky: [] };
      try {
        names = step.names?.() ?? names;
      } catch {
        // no report (the step crashed): its log says why
      }
      results.push({ name, ok, seconds, counts, names });
      console.log(
        `\n──── ${name} (${seconds} s) ${ok ? "ok" : "FAILED"}${counts ? `: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` : ""}${ranNothing ? " — ran no test" : ""}${strayErrors ? " — unhandled errors" : ""} ────`,
      );
      console.log(ok && !process.env.VERBOSE_TESTS ? tail(output, 15) : output);
      resolve(ok);
    });
  });
}

async function runChain({ steps: names, stopOnFailure, skipAll = false }) {
  let ok = !skipAll;
  for (const name of names) {
    if (skipAll || (!ok && stopOnFailure)) {
      results.push({ name, ok: false, seconds: 0, counts: null, skipped: true });
      continue;
    }
    ok = (await run(name)) && ok;
  }
  return ok;
}

function tail(text, lines) {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

function vitestCounts(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.success || report.numFailedTests ? 0 : 1),
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

// Which tests failed, and which passed only on a retry, by name: the summary is the part of a CI
// log everyone sees, so it must say what to look at.
function vitestNames(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  const failed = [];
  const flaky = [];
  for (const suite of report.testResults) {
    const rel = suite.name.replace(root, "");
    const bad = suite.assertionResults.filter((a) => a.status === "failed");
    if (bad.length) for (const a of bad) failed.push(`${rel} › ${a.fullName}`);
    else if (suite.status === "failed") failed.push(`${rel} (the file failed: ${firstLine(suite.message)})`);
    // Vitest keeps a retried test's earlier errors: passed with errors = passed on its retry.
    for (const a of suite.assertionResults.filter((a) => a.status === "passed" && a.failureMessages?.length)) {
      flaky.push(`${rel} › ${a.fullName} (first try: ${firstLine(a.failureMessages[0])})`);
    }
  }
  return { failed, flaky };
}

function playwrightNames(file) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  const names = { failed: [], flaky: [] };
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        const label = `${spec.file}:${spec.line} › ${[...path, spec.title].join(" › ")}`;
        const error = test.results.at(-1)?.errors?.[0]?.message;
        if (test.status === "unexpected") names.failed.push(`${label} (${firstLine(error)})`);
        else if (test.status === "flaky") {
          // Its trace is kept (trace: retain-on-failure keeps a failed try's even when the retry passes).
          const trace = test.results[0]?.attachments?.find((a) => a.name === "trace")?.path;
          names.flaky.push(
            `${label} (first try: ${firstLine(test.results[0]?.errors?.[0]?.message)}${trace ? `; trace: ${relative(process.cwd(), trace)}` : ""})`,
          );
        }
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const suite of report.suites) walk(suite, []);
  return names;
}

function firstLine(text) {
  return (text ?? "no message")
    .replace(/\u001b\[[0-9;]*m/g, "")
    .trim()
    .split("\n")[0]
    .slice(0, 200);
}

function playwrightCounts(file) {
  const stats = JSON.parse(readFileSync(file, "utf8")).stats;
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
}

const started = Date.now();
const [checksOk, imagesBuilt] = await Promise.all([runChain(checks), run("images")]);
const chainsOk = await Promise.all(chains.map((chain) => runChain({ ...chain, skipAll: chain.needsImages && !imagesBuilt })));
const lastOk = imagesBuilt
  ? await runChain(last)
  : (results.push(...last.steps.map((name) => ({ name, ok: false, seconds: 0, counts: null, skipped: true }))), false);
const allOk = checksOk && imagesBuilt && chainsOk.every(Boolean) && lastOk;

console.log("\n════ summary ════");
let passed = 0;
let failed = 0;
let skipped = 0;
for (const r of results) {
  console.log(
    `${r.ok ? "ok    " : r.skipped ? "not run" : "FAILED"} ${r.name}${r.counts ? ` — ${r.counts.passed} passed, ${r.counts.failed} failed` : ""} (${r.seconds} s)`,
  );
  for (const test of r.names?.failed ?? []) console.log(`         ✘ ${test}`);
  for (const test of r.names?.flaky ?? []) console.log(`         ⚠ passed on a retry: ${test}`);
  if (r.counts) {
    passed += r.counts.passed;
    failed += r.counts.failed;
    skipped += r.counts.skipped;
  } else if (!r.ok) {
    failed += 1; // a failed check (typecheck, lint, images) counts as one failure
  }
}
console.log(`total time ${Math.round((Date.now() - started) / 1000)} s; logs in test-results/logs/`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(allOk && failed === 0 ? 0 : 1);
