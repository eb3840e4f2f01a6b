import { describe, expect, it } from "vitest";
import { engineBudgets, EngineDeadlineError, withDeadline } from "./deadline";
import { isSandboxError, SandboxError } from "./errors";

// The deadline logic on its own: no container, fake work that never finishes or finishes late.

const never = () => new Promise<never>(() => {});

describe("withDeadline", () => {
  it("rejects with the operation and budget when the work outlives it, aborts the work's signal and calls onExpire once", async () => {
    let seen: AbortSignal | null = null;
    const expired: Error[] = [];
    const started = Date.now();
    const err = await withDeadline({ operation: "collect", budgetMs: 50, onExpire: (e) => expired.push(e) }, (signal) => {
      seen = signal;
      return never();
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(err).toBeInstanceOf(EngineDeadlineError);
    expect(isSandboxError(err, "CONTAINER_LOST")).toBe(true);
    expect((err as Error).message).toBe("engine command 'collect' did not finish within 0.1 s (container treated as lost)");
    expect(seen!.aborted).toBe(true);
    expect(expired).toEqual([err]);
  });

  it("settles at once when the container is lost, with the loss's reason, and never calls onExpire", async () => {
    const lost = new AbortController();
    let expired = 0;
    const running = withDeadline({ operation: "finish", budgetMs: 60_000, lost: lost.signal, onExpire: () => expired++ }, () => never());
    lost.abort(new SandboxError("CONTAINER_LOST", "the container was released (released by caller)"));
    await expect(running).rejects.toThrow("the container was released");
    expect(expired).toBe(0);
    await expect(withDeadline({ operation: "kill", budgetMs: 60_000, lost: lost.signal }, () => Promise.resolve(1))).rejects.toThrow("released");
  });

  it("passes results and errors through and disarms its timer", async () => {
    let expired = 0;
    expect(await withDeadline({ operation: "load", budgetMs: 30, onExpire: () => expired++ }, async () => 7)).toBe(7);
    await expect(withDeadline({ operation: "load", budgetMs: 30, onExpire: () => expired++ }, () => Promise.reject(new Error("tar failed")))).rejects.toThrow(
      "tar failed",
    );
    await new Promise((r) => setTimeout(r, 80));
    expect(expired).toBe(0);
  });
});

describe("engineBudgets", () => {
  it("gives transfers time for the largest project, and short operations at most 10 s", () => {
    const b = engineBudgets({ engineCommandTimeoutMs: 20_000, maxProjectSize: 100 * 1024 * 1024 });
    expect(b).toEqual({ load: 45_000, write: 45_000, collect: 45_000, finish: 20_000, list: 20_000, spawn: 20_000, kill: 10_000, stats: 10_000 });
    expect(engineBudgets({ engineCommandTimeoutMs: 3_000, maxProjectSize: 1024 }).kill).toBe(3_000);
  });
});
