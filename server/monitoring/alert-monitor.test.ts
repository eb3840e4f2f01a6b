import { describe, expect, it } from "vitest";
import type { EngineStatus } from "@/server/sandbox/engine";
import { createAlertMonitor, fleetObservations } from "./alert-monitor";
import { DEFAULT_POLICY } from "./alert-rules";

describe("createAlertMonitor", () => {
  it("notifies and stores each transition once, and a failing store does not throw", async () => {
    const sent: unknown[] = [];
    const stored: string[] = [];
    const monitor = createAlertMonitor({
      policy: { ...DEFAULT_POLICY, raiseAfter: 1, resolveAfter: 1 },
      notifier: { notify: (p) => sent.push(p), drain: async () => {} },
      onTransition: async (t) => {
        stored.push(t.kind);
        throw new Error("db down");
      },
    });
    const status = { pool: { leased: 60 } } as unknown as EngineStatus;
    const busy = fleetObservations(status, { executionsPerMinute: 10, errorRate: 0.5, p50Ms: 1, p95Ms: 2 });
    expect(
      monitor
        .tick(busy)
        .map((t) => t.rule)
        .sort(),
    ).toEqual(["concurrent_sandboxes", "error_rate"]);
    expect(monitor.tick(busy)).toEqual([]);
    expect(monitor.tick(fleetObservations(status, { executionsPerMinute: 10, errorRate: 0, p50Ms: 1, p95Ms: 2 })).map((t) => t.kind)).toEqual(["resolved"]);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(3);
    expect(stored).toEqual(["raised", "raised", "resolved"]);
    expect(sent[0]).toMatchObject({ kind: "raised", service: "pantheon-sandbox" });
  });
});
