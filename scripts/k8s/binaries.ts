// The opt-in Kubernetes test's binaries (npm run test:k8s): etcd, kube-apiserver and kwok, built
// from the Go module proxy by the module in scripts/k8s/tools (its go.mod pins the versions and
// replaces k8s.io/kubernetes' staging modules by their published copies). Built once into
// ~/.cache/pantheon-k8s/<hash of go.mod and go.sum>/, so a second run starts at once and a
// version change builds anew. One package at a time (-p=1): the machine is shared.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const TOOLS_DIR = fileURLToPath(new URL("./tools/", import.meta.url));

/** Binary name → the package that builds it (each is a `tool` line in tools/go.mod). */
export const K8S_TOOLS = {
  etcd: "go.etcd.io/etcd/server/v3",
  "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
  kwok: "sigs.k8s.io/kwok/cmd/kwok",
} as const;

export type K8sTool = keyof typeof K8S_TOOLS;

export function k8sBinaryDir(): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum"]) hash.update(readFileSync(join(TOOLS_DIR, file)));
  const root = process.env.PANTHEON_K8S_CACHE ?? join(homedir(), ".cache", "pantheon-k8s");
  return join(root, hash.digest("hex").slice(0, 12));
}

export function k8sBinary(tool: K8sTool): string {
  return join(k8sBinaryDir(), tool);
}

/** The paths of the three binaries, building those not in the cache yet. */
export function buildK8sBinaries(log: (line: string) => void = console.log): Record<K8sTool, string> {
  const dir = k8sBinaryDir();
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, GOFLAGS: "-p=1 -buildvcs=false" };
  for (const [tool, pkg] of Object.entries(K8S_TOOLS) as [K8sTool, string][]) {
    const out = join(dir, tool);
    if (existsSync(out)) continue;
    const started = Date.now();
    log(`building ${tool} (${pkg}) into ${dir} — the first time takes many minutes`);
    execFileSync("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", `${out}.tmp`, pkg], { cwd: TOOLS_DIR, env, stdio: "inherit" });
    renameSync(`${out}.tmp`, out);
    log(`built ${tool} in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  return { etcd: k8sBinary("etcd"), "kube-apiserver": k8sBinary("kube-apiserver"), kwok: k8sBinary("kwok") };
}

/** The directory of a module in the module cache (kwok's stage files are read from there). */
export function goModuleDir(module: string): string {
  return execFileSync("go", ["list", "-m", "-f", "{{.Dir}}", module], { cwd: TOOLS_DIR, encoding: "utf8" }).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const paths = buildK8sBinaries();
  for (const [tool, path] of Object.entries(paths)) console.log(`${tool}: ${path}`);
}
