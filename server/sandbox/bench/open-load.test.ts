import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runOpenLoad, type OpenLoadOptions } from "./open-load";

// The scheduler on a fake clock (setTimeout and performance.now), with fake fire() functions
// standing in for a server: exact arrival times, so the figures are exact too.

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the load and moves the fake clock until it is done. */
async function drive(fire: (projectIndex: number) => Promise<void>, options: OpenLoadOptions, clockMs = 10_000) {
  const running = runOpenLoad(fire, { jitter: 0, ...options });
  await vi.advanceTimersByTimeAsync(clockMs);
  return running;
}

describe("runOpenLoad", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("achieves the offered rate when fire() is fast, round-robin over the projects, and drops the warm-up's samples", async () => {
    const perProject = [0, 0, 0, 0, 0];
    const r = await drive(
      async (p) => {
        perProject[p]!++;
        await after(1);
      },
      { rate: 100, durationSeconds: 2, warmupSeconds: 0.5, projects: 5 },
    );
    expect(perProject).toEqual([50, 50, 50, 50, 50]); // 250 arrivals: 50 of warm-up, 200 measured
    expect(r.latencies).toHaveLength(200);
    expect(Math.max(...r.latencies)).toBeCloseTo(1, 5);
    expect(r.achievedRate).toBeGreaterThan(99);
    expect(r.achievedRate).toBeLessThan(101);
    expect(r.errors).toBe(0);
    expect(r.dropped).toBe(0);
  });

  it("times each request from its scheduled arrival: on one project serving slower than the arrivals, latencies grow with the queue", async () => {
    // A server that runs one project's executions one at a time, 20 ms each, offered one every 10 ms.
    let queue = Promise.resolve();
    const serialised = () => (queue = queue.then(() => after(20)));
    const r = await drive(serialised, { rate: 100, durationSeconds: 1, warmupSeconds: 0, projects: 1 });
    expect(r.latencies).toHaveLength(100);
    // Arrival k at 10k ms completes at 20(k+1) ms: a latency of 10k + 20 ms, not the 20 ms of service.
    r.latencies.forEach((latency, k) => expect(latency).toBeCloseTo(10 * k + 20, 5));
    expect(r.peakOutstanding).toBeGreaterThan(40);
    expect(r.achievedRate).toBeCloseTo(50, 5); // the service rate, not the offered one
  });

  it("charges a late sender's lateness to the requests it sent late (no coordinated omission)", async () => {
    let calls = 0;
    const r = await drive(
      async () => {
        // The first send blocks the sender's event loop for 200 ms; the server itself answers at once.
        if (calls++ === 0) vi.advanceTimersByTime(200);
        await Promise.resolve();
      },
      { rate: 100, durationSeconds: 1, warmupSeconds: 0, projects: 10 },
    );
    expect(r.latencies).toHaveLength(100);
    // Arrivals 1 … 20, due at 10 … 200 ms, all went at 200 ms.
    expect(r.latencies.slice(1, 21)).toEqual(Array.from({ length: 20 }, (_, i) => 200 - 10 * (i + 1)));
    expect(r.latencies.slice(21).every((latency) => latency === 0)).toBe(true);
  });

  it("counts rejections as errors, keeps the first reason, and goes on", async () => {
    let calls = 0;
    const r = await drive(
      async () => {
        await after(1);
        if (calls++ % 4 === 0) throw new Error(`refused ${calls}`);
      },
      { rate: 50, durationSeconds: 1, warmupSeconds: 0, projects: 3 },
    );
    expect(r.errors).toBe(13);
    expect(r.latencies).toHaveLength(37);
    expect((r.firstError as Error).message).toBe("refused 1");
  });

  it("sends no more than maxOutstanding at once and counts the arrivals it did not send", async () => {
    const r = await drive(() => after(500), { rate: 100, durationSeconds: 1, warmupSeconds: 0, projects: 50, maxOutstanding: 10 });
    expect(r.peakOutstanding).toBe(10);
    expect(r.dropped).toBeGreaterThan(30);
    expect(r.latencies.length + r.dropped).toBe(100);
  });

  it("refuses a rate or a duration that is not positive", async () => {
    await expect(runOpenLoad(() => Promise.resolve(), { rate: 0, durationSeconds: 1, warmupSeconds: 0, projects: 1 })).rejects.toThrow("rate > 0");
    await expect(runOpenLoad(() => Promise.resolve(), { rate: 10, durationSeconds: Number.NaN, warmupSeconds: 0, projects: 1 })).rejects.toThrow(
      "duration > 0",
    );
  });
});
