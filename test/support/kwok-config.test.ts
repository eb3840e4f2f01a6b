// kwok's configuration for the opt-in cluster (npm run test:k8s), built from stage files laid out
// as in kwok's module: pod-ready keeps its own selector and gains the never-ready image's
// exclusion; the ClusterExec runs the sandbox namespace's execs as uid/gid 1000 in /workspace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAllYaml } from "@kubernetes/client-node";
import { afterAll, describe, expect, it } from "vitest";
import { kwokConfig } from "./kwok-config";

const moduleDir = mkdtempSync(join(tmpdir(), "kwok-module-"));
afterAll(() => rmSync(moduleDir, { recursive: true, force: true }));

function stage(path: string, name: string, kind: string, keys: string[]): void {
  const file = join(moduleDir, "kustomize/stage", path);
  mkdirSync(join(file, ".."), { recursive: true });
  const expressions = keys.map((k) => `    - key: '${k}'\n      operator: 'Exists'`).join("\n");
  writeFileSync(
    file,
    `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: ${name}\nspec:\n  resourceRef:\n    apiGroup: v1\n    kind: ${kind}\n  selector:\n    matchExpressions:\n${expressions}\n`,
  );
}

stage("node/fast/node-initialize.yaml", "node-initialize", "Node", [".status"]);
stage("pod/fast/pod-ready.yaml", "pod-ready", "Pod", [".metadata.name"]);
stage("pod/fast/pod-complete.yaml", "pod-complete", "Pod", [".metadata.name"]);
stage("pod/fast/pod-delete.yaml", "pod-delete", "Pod", [".metadata.deletionTimestamp"]);

describe("kwokConfig", () => {
  const docs = loadAllYaml(kwokConfig({ kwokModuleDir: moduleDir, namespace: "sandboxes", neverReadyImage: "never:1" })) as {
    kind: string;
    metadata: { name: string };
    spec: Record<string, unknown>;
  }[];

  it("keeps kwok's stages and excludes the never-ready image from pod-ready only", () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      "Stage/node-initialize",
      "Stage/pod-ready",
      "Stage/pod-complete",
      "Stage/pod-delete",
      "ClusterExec/pantheon-sandboxes",
    ]);
    const ready = docs[1]!.spec as { selector: { matchExpressions: unknown[] } };
    expect(ready.selector.matchExpressions).toEqual([
      { key: ".metadata.name", operator: "Exists" },
      { key: ".spec.containers.[0].image", operator: "NotIn", values: ["never:1"] },
    ]);
    expect(JSON.stringify(docs[2])).not.toContain("never:1");
  });

  it("runs the sandbox namespace's execs locally as uid/gid 1000 in /workspace", () => {
    expect(docs[4]!.spec).toEqual({
      selector: { matchNamespaces: ["sandboxes"] },
      execs: [{ local: { workDir: "/workspace", securityContext: { runAsUser: 1000, runAsGroup: 1000 } } }],
    });
  });
});
