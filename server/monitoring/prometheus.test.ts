import { describe, expect, it } from "vitest";
import type { EngineStatus } from "@/server/sandbox/engine";
import { createFleetMetrics } from "./prometheus";

const status = {
  state: "ready",
  pool: { warm: { node: 3, python: 1 }, creating: 0, leased: 7, maxConcurrent: 50, dockerAvailable: true, lastError: null },
  activeExecutions: 2,
} as unknown as EngineStatus;

describe("createFleetMetrics", () => {
  it("exposes fleet gauges from the engine status and execution figures", async () => {
    const m = createFleetMetrics(
      () => status,
      () => 1_000,
    );
    m.recordExecution({ status: "success", runtime: "runc", durationMs: 120 });
    m.recordExecution({ status: "timeout", runtime: "runsc", durationMs: 30_000 });
    const text = await m.registry.metrics();
    expect(text).toContain("pantheon_active_sandboxes 7");
    expect(text).toContain('pantheon_warm_pool_size{image="node"} 3');
    expect(text).toContain('pantheon_warm_pool_size{image="python"} 1');
    expect(text).toContain("pantheon_active_executions 2");
    expect(text).toContain("pantheon_engine_ready 1");
    expect(text).toContain('pantheon_executions_total{status="timeout",runtime="runsc"} 1');
    expect(text).toContain('pantheon_execution_duration_seconds_bucket{le="0.25",status="success",runtime="runc"} 1');
    expect(text).toContain("pantheon_executions_per_minute 2");
    expect(text).toContain("pantheon_execution_error_ratio 0.5");
  });

  it("reports zeros without an engine, and registries are independent", async () => {
    const a = createFleetMetrics(() => undefined);
    const b = createFleetMetrics(() => undefined);
    a.recordExecution({ status: "success", runtime: "runc", durationMs: 1 });
    expect(await a.registry.metrics()).toContain("pantheon_active_sandboxes 0");
    expect(await b.registry.metrics()).not.toContain("pantheon_executions_total{");
  });
});
