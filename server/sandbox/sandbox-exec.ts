// Until every execution goes through pantheon-agent (engine v2), the engine's own `docker exec`s run
// sandbox code through the agent's `sandbox-exec`: exec'd as root, it applies the agent's privilege
// drop (uid 1000, no capability, bounding set empty, no_new_privs, oom_score_adj 1000) and becomes
// the command in place (same pid, same stdio, same terminal). A plain exec as uid 1000 would keep
// the container's capability bounding set, which holds the agent's CapAdd (container-spec.ts).
import { SANDBOX_USER, WORKSPACE_DIR } from "./container-spec";

/** pantheon-agent in every image (sandbox-images/agent.ts builds it there). */
export const AGENT_BINARY = "/opt/pantheon/bin/pantheon-agent";

export interface ExecIdentity {
  Cmd: string[];
  User: string;
}

/** The Docker exec command and user that run `cmd` as `user`; only the sandbox user is wrapped. */
export function sandboxExec(cmd: string[], user: string, workdir: string | undefined): ExecIdentity {
  if (user !== SANDBOX_USER) return { Cmd: cmd, User: user };
  return { Cmd: [AGENT_BINARY, "sandbox-exec", "--run-as", user, "--cwd", workdir ?? WORKSPACE_DIR, "--", ...cmd], User: "0:0" };
}
