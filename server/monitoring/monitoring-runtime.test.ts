import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import type { EngineStatus } from "@/server/sandbox/engine";
import { alertConfigFrom } from "./alert-config";
import type { AlertTransition } from "./alert-rules";
import { startMonitoring } from "./monitoring-runtime";

describe("startMonitoring", () => {
  it("ticks fleet observations into alerts, starts once per process, and stops", async () => {
    const transitions: AlertTransition[] = [];
    const status = { pool: { leased: 60 } } as unknown as EngineStatus;
    const alerts = alertConfigFrom(parseEnv({ SANDBOX_ALERT_MAX_CONCURRENT: "50" }));
    const handle = startMonitoring({
      intervalMs: 5,
      alerts,
      status: () => status,
      containerObservations: () => {
        throw new Error("collector hiccup");
      },
      onTransition: async (t) => {
        transitions.push(t);
      },
    });
    expect(startMonitoring({ intervalMs: 5, alerts })).toBe(handle);
    await new Promise((r) => setTimeout(r, 60));
    await handle.stop();
    expect(transitions.map((t) => `${t.kind}/${t.rule}`)).toEqual(["raised/concurrent_sandboxes"]);
    expect(handle.monitor.machine.open()).toHaveLength(1);
  });

  it("refuses a bad configuration at start-up, naming the variable (the one parse, lib/env.ts)", () => {
    expect(() => parseEnv({ SANDBOX_ALERT_WEBHOOK_URL: "ftp://x" })).toThrow(/SANDBOX_ALERT_WEBHOOK_URL/);
  });
});
