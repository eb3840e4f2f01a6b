// The fake API server's exec handler for pods "running" our images. Each exec runs on the host
// as the pod would run it: uid 1000 without groups, in a private mount namespace where the pod's
// own directory is bind-mounted at /workspace (the engine and the agent use that path), with the
// host's build of the agent at its in-image path's place, and in a network namespace of its own
// with only loopback up (what a pod under the default-deny policy can reach: itself). The agent's
// children share its namespace, so a program and the agent's listener or forward meet on
// 127.0.0.1, as in a pod. It is not a container: the host's root filesystem and /tmp are visible.
import { mkdirSync, rmSync } from "node:fs";
import { WORKSPACE_DIR } from "@/server/sandbox/container-spec";
import { AGENT_BINARY } from "@/server/sandbox/sandbox-exec";
import { SANDBOX_GID, SANDBOX_UID } from "@/security/policy";
import type { FakeExecProcess, FakeExecRequest } from "./fake-kube-apiserver";
import { podWorkspace, spawnedExec } from "./fake-kube-execs";

const IN_NAMESPACE = `ip link set lo up && mount --bind "$0" ${WORKSPACE_DIR} && cd ${WORKSPACE_DIR} && exec setpriv --reuid ${SANDBOX_UID} --regid ${SANDBOX_GID} --clear-groups -- "$@"`;

export class FakePodProcesses {
  private readonly workspaces = new Map<string, string>();
  readonly execs: FakeExecRequest[] = [];

  constructor(private readonly agentBinary: string) {
    // The mount point only (an empty directory): each exec's bind mount is private to it.
    mkdirSync(WORKSPACE_DIR, { recursive: true });
  }

  workspaceOf(pod: string): string {
    let dir = this.workspaces.get(pod);
    if (!dir) this.workspaces.set(pod, (dir = podWorkspace()));
    return dir;
  }

  readonly onExec = (request: FakeExecRequest): FakeExecProcess => {
    this.execs.push(request);
    const workspace = this.workspaceOf(request.pod.metadata?.name ?? "?");
    const argv = request.command.map((a) => (a === AGENT_BINARY ? this.agentBinary : a));
    return spawnedExec(["unshare", "--mount", "--net", "--propagation", "private", "--", "sh", "-c", IN_NAMESPACE, workspace, ...argv]);
  };

  cleanup(): void {
    for (const dir of this.workspaces.values()) rmSync(dir, { recursive: true, force: true });
    this.workspaces.clear();
  }
}
