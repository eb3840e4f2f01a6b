// npm start: build the Next app when its sources changed since the last build, then run the
// custom server (server/main.ts) in production mode, passing signals through so SIGTERM
// reaches the server's graceful shutdown.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const say = (line) => console.log(`[pantheon] ${line}`);
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
  const build = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit", env });
  if (build.status !== 0) {
    console.error("[pantheon] next build failed; see the output above");
    process.exit(build.status ?? 1);
  }
  writeFileSync(stamp, hash);
  say(`built in ${Math.round((Date.now() - started) / 1000)} s`);
} else {
  say("web app build is up to date");
}

const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts", ...process.argv.slice(2)], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
