// pantheon-tunnel (common/pantheon-tunnel.c): compiled static with the host's gcc for both build
// paths, then copied to TUNNEL_PATH in every image. Static: the images' libc is irrelevant and
// the binary needs no loader; gcc + libc6-dev (for libc.a) must be installed on the build host.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IMAGES_DIR } from "./image-inputs";
import { runCommand, type Log } from "./run-command";

/** Where the images carry the tunnel (the engine execs it by this path). */
export const TUNNEL_PATH = "/opt/pantheon/bin/pantheon-tunnel";
const SOURCE = join(IMAGES_DIR, "common/pantheon-tunnel.c");
/** Inside the Docker build context (sandbox-images/), so the Dockerfiles can COPY it; git-ignored. */
export const TUNNEL_BUILD_DIR = join(IMAGES_DIR, ".build");

/** Compiles the tunnel if its source changed since the last build; returns the binary's host path. */
export async function buildTunnel(log: Log): Promise<string> {
  const source = readFileSync(SOURCE);
  const out = join(TUNNEL_BUILD_DIR, "pantheon-tunnel");
  const stamp = join(TUNNEL_BUILD_DIR, `pantheon-tunnel.${createHash("sha256").update(source).digest("hex").slice(0, 16)}`);
  if (existsSync(stamp) && existsSync(out)) return out;
  mkdirSync(TUNNEL_BUILD_DIR, { recursive: true });
  log("tunnel: gcc -static -O2 common/pantheon-tunnel.c");
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await runCommand("gcc", ["-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", tmp, SOURCE], { log, label: "gcc| " });
  } catch (err) {
    throw new Error(`compiling pantheon-tunnel failed (needs gcc and libc6-dev on the build host): ${(err as Error).message}`, { cause: err });
  }
  renameSync(tmp, out);
  writeFileSync(stamp, "");
  return out;
}
