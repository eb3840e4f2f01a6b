import { describe, expect, it } from "vitest";
import { keepersOf, rootsOf, setKeepers, settledKeepersOf, trackPendingSpawn } from "./lease-processes";
import { newLeaseState } from "./lease-state";

const lease = () => ({ state: newLeaseState() });

describe("lease processes", () => {
  it("formats keepers and kept roots as the sweep scripts read them", () => {
    const l = lease();
    expect(keepersOf(l)).toBe("|");
    setKeepers(l, "7");
    rootsOf(l).add(40).add(41);
    expect(keepersOf(l)).toBe("7|40 41");
  });

  it("a kill-all's keepers wait for a spawn that is starting, and include its pid once known", async () => {
    const l = lease();
    setKeepers(l, "7");
    let register = () => {};
    void trackPendingSpawn(
      l,
      new Promise<void>((resolve) => {
        register = () => {
          rootsOf(l).add(99);
          resolve();
        };
      }),
    );
    let settled: string | null = null;
    const waiting = settledKeepersOf(l).then((k) => (settled = k));
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBeNull();
    register();
    await waiting;
    expect(settled).toBe("7|99");
  });

  it("a spawn stuck in its exec holds a kill-all back for a bounded time only", async () => {
    const l = lease();
    void trackPendingSpawn(l, new Promise<void>(() => {})); // never settles
    await expect(settledKeepersOf(l, 30)).resolves.toBe("|");
  });

  it("a spawn that fails neither blocks the keepers nor surfaces as an unhandled rejection", async () => {
    const l = lease();
    const failing = trackPendingSpawn(l, Promise.reject(new Error("exec refused")));
    await expect(failing).rejects.toThrow("exec refused");
    await expect(settledKeepersOf(l)).resolves.toBe("|");
  });
});
