// npm start: build the Next app when its sources changed since the last build, then run the
// custom server (server/main.ts) in production mode, passing signals through so SIGTERM
// reaches the server's graceful shutdown. Every line printed is a log line of the one shape
// (scripts/log-line.mjs): the server's own lines pass through, anything else is wrapped.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { logLine, pipeAsLogLines } from "./log-line.mjs";

const root = new URL("..", import.meta.url).pathname;
const say = (line, level = "info") => process.stdout.write(logLine(line, { level }));
const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" };

const INPUTS = ["app", "components", "lib", "server", "public", "next.config.ts", "package-lock.json", "tsconfig.json"];
const SKIP = /(^|\/)(node_modules|generated)(\/|$)|\.test\.tsx?$/;

function sourceHash() {
  const hash = createHash("sha256");
  const visit = (path) => {
    if (!existsSync(path) || SKIP.test(relative(root, path))) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) visit(join(path, entry));
    } else {
      hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  for (const input of INPUTS) visit(join(root, input));
  return hash.digest("hex");
}

const stamp = join(root, ".next", "pantheon-source-hash");
const hash = sourceHash();
if (!existsSync(join(root, ".next", "BUILD_ID")) || !existsSync(stamp) || readFileSync(stamp, "utf8") !== hash) {
  say("building the web app (next build); later starts skip this until the sources change");
  const started = Date.now();
  const build = spawn("npx", ["next", "build"], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  const [status] = await Promise.all([
    new Promise((resolve) => build.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)))),
    pipeAsLogLines(build.stdout, process.stdout, { component: "next-build" }),
    pipeAsLogLines(build.stderr, process.stdout, { component: "next-build", level: "warn" }),
  ]);
  if (status !== 0) {
    say("next build failed; see the lines above", "error");
    process.exit(status);
  }
  writeFileSync(stamp, hash);
  say(`built in ${Math.round((Date.now() - started) / 1000)} s`);
} else {
  say("web app build is up to date");
}
// `--build-only`: stop here. The test runner builds before Playwright starts the server, so the
// server's start-up timeout never has to cover a build on a loaded machine.
if (process.argv.includes("--build-only")) process.exit(0);

const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", ...process.argv.slice(2)], {
  cwd: root,
  stdio: ["inherit", "pipe", "pipe"],
  env,
});
void pipeAsLogLines(child.stdout, process.stdout, { component: "server" });
void pipeAsLogLines(child.stderr, process.stdout, { component: "server", level: "error" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
// "close", not "exit": the server's last lines (its shutdown) are through the pipes first.
child.on("close", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
