// What each runtime image is made of, and the content hash that decides whether it must be rebuilt.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const IMAGES_DIR = fileURLToPath(new URL(".", import.meta.url));
/** The Go module of pantheon-agent, built into every image. */
export const AGENT_DIR = join(IMAGES_DIR, "agent");
export const IMAGE_NAMES = ["node", "python"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export const INPUTS_HASH_LABEL = "org.pantheon-sandbox.inputs-hash";
export const IMAGE_NAME_LABEL = "org.pantheon-sandbox.image";

export function defaultRegistry(): string {
  return process.env.SANDBOX_CONTAINER_REGISTRY?.trim() || "pantheon-sandbox";
}

export function imageTag(registry: string, name: ImageName): string {
  return `${registry.replace(/\/+$/, "")}/${name}:latest`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry === "node_modules") continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** What the agent binary is built from (its tests excluded: they do not change the binary). */
export function agentSourceFiles(): string[] {
  return listFiles(AGENT_DIR).filter((f) => !f.endsWith("_test.go") && !f.endsWith(".test.ts"));
}

/** Files that shape an image: the build scripts, the shared setup, the agent, and the image's own folder. */
export function imageInputFiles(name: ImageName): string[] {
  const scripts = readdirSync(IMAGES_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => join(IMAGES_DIR, f));
  return [...scripts.sort(), ...listFiles(join(IMAGES_DIR, "common")), ...agentSourceFiles(), ...listFiles(join(IMAGES_DIR, name))];
}

export function imageInputsHash(name: ImageName): string {
  const hash = createHash("sha256");
  for (const file of imageInputFiles(name)) {
    hash.update(relative(IMAGES_DIR, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 24);
}

/** ENV lines of the image's Dockerfile: the one source of the environment for both build paths. */
export function dockerfileEnv(name: ImageName): Record<string, string> {
  const env: Record<string, string> = {};
  const text = readFileSync(join(IMAGES_DIR, name, "Dockerfile"), "utf8");
  for (const line of text.split("\n")) {
    const m = /^ENV\s+([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
  }
  return env;
}

export interface NodeRuntimeVersions {
  node: string;
  npm: string;
}

export function nodeRuntimeVersions(): NodeRuntimeVersions {
  return JSON.parse(readFileSync(join(IMAGES_DIR, "node", "runtime.json"), "utf8")) as NodeRuntimeVersions;
}
