import pino from "pino";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { metricsRepository } from "@/server/repositories/metrics-repository";
import { getMonitoringServices, startMonitoringServices } from "./monitoring-services";

describe("startMonitoringServices", () => {
  it("starts once per process, writes fleet rows every interval without an engine, and stops", async () => {
    const env = parseEnv({ SANDBOX_METRICS_INTERVAL: "500", SANDBOX_CLEANUP_INTERVAL: "600000" });
    const since = new Date();
    const services = startMonitoringServices(env, pino({ level: "silent" }));
    try {
      expect(startMonitoringServices(env)).toBe(services);
      expect(getMonitoringServices()).toBe(services);
      const deadline = Date.now() + 10_000;
      let rows = 0;
      while (rows < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        rows = (await metricsRepository.fleetSeries(since, new Date(Date.now() + 1000), 3600_000)).reduce((n, b) => n + b.samples, 0);
      }
      expect(rows).toBeGreaterThanOrEqual(2);
      expect(services.collector.latestFleet()).toMatchObject({ activeSandboxes: 0 });
      expect((await services.anomalies.scan()).errors).toEqual([]);
      expect(await services.cleanup.run()).toMatchObject({ errors: [], orphans: null, pool: null });
      expect(services.cleanupSettings).toMatchObject({ intervalMs: 600_000, pool: { min: 1, max: 10 } });
    } finally {
      await services.stop();
    }
    expect(getMonitoringServices()).toBeUndefined();
  });
});
