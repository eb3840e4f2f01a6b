// pantheon-agent (agent/, Go): built on the host for both build paths, static (CGO_ENABLED=0), then
// copied to AGENT_PATH in every image. The build host needs Go (go.mod's version); modules come
// from the Go module proxy (or GOFLAGS=-mod=vendor / GOPROXY as the host sets them).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { AGENT_DIR, agentSourceFiles, IMAGES_DIR } from "./image-inputs";
import { runCommand, type Log } from "./run-command";

/** Inside the Docker build context (sandbox-images/), so the Dockerfiles can COPY it; git-ignored. */
export const BUILD_DIR = join(IMAGES_DIR, ".build");

/** Where the images carry the agent (the engine execs it by this path, as uid 0). */
export const AGENT_PATH = "/opt/pantheon/bin/pantheon-agent";

function sourcesHash(): string {
  const hash = createHash("sha256");
  for (const file of agentSourceFiles()) hash.update(relative(AGENT_DIR, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** Builds the agent if its sources changed since the last build; returns the binary's host path. */
export async function buildAgent(log: Log): Promise<string> {
  const out = join(BUILD_DIR, "pantheon-agent");
  const stamp = join(BUILD_DIR, `pantheon-agent.${sourcesHash()}`);
  if (existsSync(stamp) && existsSync(out)) return out;
  mkdirSync(BUILD_DIR, { recursive: true });
  log("agent: go build ./cmd/pantheon-agent (static)");
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await runCommand("go", ["build", "-trimpath", "-ldflags", "-s -w", "-o", tmp, "./cmd/pantheon-agent"], {
      cwd: AGENT_DIR,
      env: { ...process.env, CGO_ENABLED: "0", GOOS: "linux", GOARCH: process.arch === "arm64" ? "arm64" : "amd64" },
      log,
      label: "go| ",
    });
  } catch (err) {
    throw new Error(`building pantheon-agent failed (needs Go on the build host): ${(err as Error).message}`, { cause: err });
  }
  renameSync(tmp, out);
  writeFileSync(stamp, "");
  return out;
}
