// Whether the database answers now, as the supervisor last saw it, and the outages it saw.
// One per process, in the process registry (server/process/app-runtime.ts): the custom server's
// supervisor writes it, and Next's route bundles read it for health and for mapping errors to 503.

import { getAppRuntime } from "@/server/process/app-runtime";

export type DatabaseState = "up" | "down" | "restarting";

export interface DatabaseOutage {
  startedAt: string;
  /** Null while the outage lasts. */
  recoveredAt: string | null;
  downMs: number | null;
  reason: string;
  /** Embedded PostgreSQL restarts attempted during this outage (0 with an external database). */
  restartAttempts: number;
}

export interface DatabaseAvailabilitySnapshot {
  state: DatabaseState;
  outages: number;
  current: DatabaseOutage | null;
  last: DatabaseOutage | null;
}

/** Seconds a caller is told to wait while the database is away (a restart takes ~1-3 s). */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export class DatabaseAvailability {
  private state: DatabaseState = "up";
  private outages = 0;
  private current: (DatabaseOutage & { startedMs: number }) | null = null;
  private last: DatabaseOutage | null = null;
  private readonly waiters = new Set<() => void>();

  isUp(): boolean {
    return this.state === "up";
  }

  /** Opens an outage (or updates the one in progress: down → restarting and back). */
  markDown(reason: string, state: Exclude<DatabaseState, "up"> = "down"): void {
    if (!this.current) {
      this.outages++;
      this.current = { startedAt: new Date().toISOString(), startedMs: Date.now(), recoveredAt: null, downMs: null, reason, restartAttempts: 0 };
    }
    this.state = state;
  }

  countRestartAttempt(): void {
    if (this.current) this.current.restartAttempts++;
  }

  /** Closes the outage in progress; returns how long it lasted (0 when there was none). */
  markUp(): number {
    this.state = "up";
    const outage = this.current;
    this.current = null;
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    if (!outage) return 0;
    const downMs = Date.now() - outage.startedMs;
    this.last = { startedAt: outage.startedAt, recoveredAt: new Date().toISOString(), downMs, reason: outage.reason, restartAttempts: outage.restartAttempts };
    return downMs;
  }

  /** Resolves true as soon as the database is up, false after `ms`. */
  waitUntilUp(ms: number): Promise<boolean> {
    if (this.isUp()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        resolve(false);
      }, ms);
      timer.unref();
      this.waiters.add(wake);
    });
  }

  snapshot(): DatabaseAvailabilitySnapshot {
    const c = this.current;
    const current: DatabaseOutage | null = c
      ? { startedAt: c.startedAt, recoveredAt: null, downMs: Date.now() - c.startedMs, reason: c.reason, restartAttempts: c.restartAttempts }
      : null;
    return { state: this.state, outages: this.outages, current, last: this.last };
  }
}

export function getDatabaseAvailability(): DatabaseAvailability {
  const runtime = getAppRuntime();
  runtime.databaseAvailability ??= new DatabaseAvailability();
  return runtime.databaseAvailability;
}
