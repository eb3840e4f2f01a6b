import pino from "pino";
import { describe, expect, it } from "vitest";
import { withDeadline, type EngineOperation } from "./deadline";
import type { ExecRequest, SandboxDriver } from "./driver";
import { SandboxError } from "./errors";
import type { PreparedExecution } from "./execution-request";
import { Executor, type RunTarget } from "./executor";

// The executor under deadlines, with a fake driver whose commands a "frozen" container never
// finishes: the run ends as an error with the expired operation named, never as a success.

const prepared = (timeoutMs: number): PreparedExecution => ({
  image: "node",
  argv: ["sleep", "1"],
  suffix: "-",
  stdin: undefined,
  command: "sleep 1",
  language: null,
  type: "run",
  timeoutMs,
});

/** Commands named in `frozen` never end (a SIGSTOPped process ignores everything, the signal included). */
function frozenDriver(frozen: Set<string>, runExit: number | null = null) {
  const driver = {
    resetMemoryPeak: async () => true,
    usage: async () => null,
    inspect: async () => null,
    exec: (_id: string, request: ExecRequest) => {
      const name = request.cmd[3] ?? "";
      if (frozen.has(name)) return new Promise(() => {});
      if (name === "pantheon-run" && runExit === null) {
        // The run's stream ends only when the engine stops reading it.
        return new Promise((resolve) => request.signal?.addEventListener("abort", () => resolve({ exitCode: null }), { once: true }));
      }
      return Promise.resolve({ exitCode: name === "pantheon-run" ? runExit : 0 });
    },
  } as unknown as SandboxDriver;
  return driver;
}

/** The engine's wiring of a lease, in miniature: an expired deadline marks it lost and fires `died`. */
function lease(budgets: Partial<Record<EngineOperation | "run", number>>) {
  const died = new AbortController();
  let dead: "lost" | null = null;
  const target: RunTarget = {
    containerId: "c1",
    keepers: () => "|",
    settledKeepers: async () => "|",
    deathReason: () => dead,
    deathSignal: died.signal,
    guard: (operation, work) =>
      withDeadline(
        {
          operation,
          budgetMs: budgets[operation] ?? 60_000,
          ...(operation === "run" ? {} : { lost: died.signal }),
          onExpire: (err) => {
            dead = "lost";
            died.abort(new SandboxError("CONTAINER_LOST", err.message));
          },
        },
        work,
      ),
    lostReason: () => (dead === "lost" ? (died.signal.reason as Error).message : null),
  };
  return target;
}

const executor = (driver: SandboxDriver) => new Executor(driver, 64 * 1024, pino({ level: "silent" }));

describe("an execution in a container whose engine commands are frozen", () => {
  it("a frozen kill after the timeout: error, reason killed, the kill named, within timeout + kill budget", async () => {
    const started = Date.now();
    const r = await executor(frozenDriver(new Set(["pantheon-kill"]))).run(lease({ kill: 200, run: 5_000 }), prepared(100));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r).toMatchObject({ status: "error", reason: "killed", containerLost: true, error: { code: "CONTAINER_LOST" } });
    expect(r.error?.message).toBe("engine command 'kill' did not finish within 0.2 s (container treated as lost)");
  });

  it("a run script frozen after its command (no timer of ours fires): the run's own deadline ends it as an error", async () => {
    const started = Date.now();
    const r = await executor(frozenDriver(new Set(["pantheon-run"]))).run(lease({ run: 300 }), prepared(60_000));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r).toMatchObject({ status: "error", reason: "killed", containerLost: true });
    expect(r.error?.message).toContain("engine command 'run' did not finish");
  });

  it("a healthy container is untouched by the deadlines", async () => {
    const r = await executor(frozenDriver(new Set(), 0)).run(lease({ kill: 200, run: 5_000 }), prepared(5_000));
    expect(r).toMatchObject({ status: "success", containerLost: false, error: null });
  });
});
