import { getAppRuntime } from "@/server/process/app-runtime";
import { AppError } from "@/server/errors/app-error";

export interface ShellLimits {
  perProject: number;
  perUser: number;
}

/** Something the registry can end on shutdown: an open shell session. */
export interface ClosableShell {
  close(reason: "shutdown"): void;
}

/**
 * The shells open in this process, counted per user and per user+project so one person cannot
 * fill a host with PTYs; refusals say which limit was hit and how to free a slot.
 */
export class ShellRegistry {
  private readonly counts = new Map<string, number>();
  private readonly sessions = new Set<ClosableShell>();

  /** Takes a slot or throws TOO_MANY_REQUESTS; the returned function gives it back (once). */
  reserve(userId: number, projectId: number, limits: ShellLimits): () => void {
    const userKey = `u${userId}`;
    const projectKey = `u${userId}/p${projectId}`;
    if ((this.counts.get(projectKey) ?? 0) >= limits.perProject) {
      throw new AppError(
        "TOO_MANY_REQUESTS",
        `You already have ${limits.perProject} shells open in this project (SANDBOX_SHELL_MAX_PER_PROJECT); close one first`,
      );
    }
    if ((this.counts.get(userKey) ?? 0) >= limits.perUser) {
      throw new AppError("TOO_MANY_REQUESTS", `You already have ${limits.perUser} shells open (SANDBOX_SHELL_MAX_PER_USER); close one first`);
    }
    this.bump(userKey, 1);
    this.bump(projectKey, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.bump(userKey, -1);
      this.bump(projectKey, -1);
    };
  }

  open(userId: number, projectId?: number): number {
    return this.counts.get(projectId === undefined ? `u${userId}` : `u${userId}/p${projectId}`) ?? 0;
  }

  track(session: ClosableShell): () => void {
    this.sessions.add(session);
    return () => this.sessions.delete(session);
  }

  /** Ends every open shell (server shutdown): each tells its browser why before closing. */
  closeAll(): number {
    const all = [...this.sessions];
    for (const session of all) session.close("shutdown");
    return all.length;
  }

  private bump(key: string, by: number): void {
    const next = (this.counts.get(key) ?? 0) + by;
    if (next > 0) this.counts.set(key, next);
    else this.counts.delete(key);
  }
}

/** One registry per process (in the process registry, server/process/app-runtime.ts). */
export function getShellRegistry(): ShellRegistry {
  const runtime = getAppRuntime();
  runtime.shellRegistry ??= new ShellRegistry();
  return runtime.shellRegistry;
}
