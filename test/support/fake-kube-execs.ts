// Processes the fake API server runs for a pod exec: a plain program, or the real Go agent run
// as the pod would run it (uid 1000, non-root, its own workspace directory).
import { spawn } from "node:child_process";
import { chownSync, mkdtempSync } from "node:fs";
import { SANDBOX_GID, SANDBOX_UID } from "@/security/policy";
import type { FakeExecProcess } from "./fake-kube-apiserver";

export function spawnedExec(argv: string[], options: { uid?: number; gid?: number; cwd?: string } = {}): FakeExecProcess {
  const [cmd, ...args] = argv;
  if (!cmd) throw new Error("empty command");
  // Nothing of the test runner's environment reaches the "pod" but PATH.
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" } as unknown as NodeJS.ProcessEnv;
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env, ...options });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(127));
  });
  return { stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, kill: () => child.kill("SIGKILL") };
}

/** A workspace owned by the sandbox user, in /tmp (uid 1000 cannot reach a root-only temp dir). */
export function podWorkspace(): string {
  const dir = mkdtempSync("/tmp/fake-pod-ws-");
  chownSync(dir, SANDBOX_UID, SANDBOX_GID);
  return dir;
}

/** `pantheon-agent serve --stdio` as in a pod: the host binary, as uid 1000, on the pod's workspace. */
export function agentExec(binary: string, workspace: string, command: string[]): FakeExecProcess {
  const args = command.slice(1);
  return spawnedExec([binary, ...args, "--workspace", workspace], { uid: SANDBOX_UID, gid: SANDBOX_GID, cwd: workspace });
}
