// The fake API server's exec handler for pods "running" our images: the agent binary at its
// in-image path is the host's build of it, /workspace is a per-pod directory, and everything
// runs as uid 1000 as the pod spec says.
import { rmSync } from "node:fs";
import { AGENT_BINARY } from "@/server/sandbox/sandbox-exec";
import { WORKSPACE_DIR } from "@/server/sandbox/container-spec";
import { SANDBOX_GID, SANDBOX_UID } from "@/security/policy";
import type { FakeExecProcess, FakeExecRequest } from "./fake-kube-apiserver";
import { podWorkspace, spawnedExec } from "./fake-kube-execs";

export class FakePodProcesses {
  private readonly workspaces = new Map<string, string>();
  readonly execs: FakeExecRequest[] = [];

  constructor(private readonly agentBinary: string) {}

  workspaceOf(pod: string): string {
    let dir = this.workspaces.get(pod);
    if (!dir) this.workspaces.set(pod, (dir = podWorkspace()));
    return dir;
  }

  readonly onExec = (request: FakeExecRequest): FakeExecProcess => {
    this.execs.push(request);
    const workspace = this.workspaceOf(request.pod.metadata?.name ?? "?");
    const argv = request.command.map((a) => (a === AGENT_BINARY ? this.agentBinary : a === WORKSPACE_DIR ? workspace : a));
    if (argv[1] === "serve") argv.push("--workspace", workspace);
    return spawnedExec(argv, { uid: SANDBOX_UID, gid: SANDBOX_GID, cwd: workspace });
  };

  cleanup(): void {
    for (const dir of this.workspaces.values()) rmSync(dir, { recursive: true, force: true });
    this.workspaces.clear();
  }
}
