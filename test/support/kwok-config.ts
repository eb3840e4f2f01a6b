// kwok's configuration for the opt-in test cluster: kwok's own "fast" stages, read from its module
// in the Go module cache (node-initialize; pod-ready, pod-complete, pod-delete), with pod-ready
// narrowed so that pods of one image never become ready (the "pod that never becomes ready"
// case), and a ClusterExec that runs every exec in the sandbox namespace as a local process as
// uid/gid 1000 in /workspace, as our pods run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dumpYaml, loadYaml } from "@kubernetes/client-node";
import { WORKSPACE_DIR } from "@/server/sandbox/container-spec";
import { SANDBOX_GID, SANDBOX_UID } from "@/security/policy";

interface Stage {
  spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] } };
}

export function kwokConfig(options: { kwokModuleDir: string; namespace: string; neverReadyImage: string }): string {
  const stage = (path: string) => readFileSync(join(options.kwokModuleDir, "kustomize/stage", path), "utf8");
  const podReady = loadYaml<Stage>(stage("pod/fast/pod-ready.yaml"));
  podReady.spec.selector.matchExpressions.push({ key: ".spec.containers.[0].image", operator: "NotIn", values: [options.neverReadyImage] });
  const clusterExec = {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "ClusterExec",
    metadata: { name: "pantheon-sandboxes" },
    spec: {
      selector: { matchNamespaces: [options.namespace] },
      execs: [{ local: { workDir: WORKSPACE_DIR, securityContext: { runAsUser: SANDBOX_UID, runAsGroup: SANDBOX_GID } } }],
    },
  };
  return [
    stage("node/fast/node-initialize.yaml"),
    dumpYaml(podReady),
    stage("pod/fast/pod-complete.yaml"),
    stage("pod/fast/pod-delete.yaml"),
    dumpYaml(clusterExec),
  ]
    .map((doc) => doc.trim())
    .join("\n---\n");
}
