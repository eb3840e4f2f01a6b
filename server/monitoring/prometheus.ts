import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { EngineStatus } from "@/server/sandbox/engine";
import { getAppRuntime } from "@/server/process/app-runtime";
import { ExecutionWindow } from "./execution-window";

export interface ExecutionRecord {
  status: string;
  runtime: string;
  durationMs: number;
}

export interface FleetMetrics {
  registry: Registry;
  recordExecution(record: ExecutionRecord): void;
  /** The last minute's figures, for alerts and the admin page. */
  window: ExecutionWindow;
}

// Seconds, as Prometheus convention wants; bounds span a 50 ms exec to the 300 s ceiling.
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * A registry of its own (not prom-client's global one) so that tests and a second module load
 * never collide on metric names. Gauges are read at scrape time from `status()`, so nothing
 * polls the engine between scrapes.
 */
export function createFleetMetrics(status: () => EngineStatus | undefined, now: () => number = Date.now): FleetMetrics {
  const registry = new Registry();
  const window = new ExecutionWindow();

  const executions = new Counter({
    name: "pantheon_executions_total",
    help: "Executions finished, by status and runtime",
    labelNames: ["status", "runtime"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "pantheon_execution_duration_seconds",
    help: "Execution wall time, by status and runtime",
    labelNames: ["status", "runtime"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: "pantheon_active_sandboxes",
    help: "Containers leased to a project",
    registers: [registry],
    collect() {
      this.set(status()?.pool.leased ?? 0);
    },
  });
  new Gauge({
    name: "pantheon_active_executions",
    help: "Executions in progress",
    registers: [registry],
    collect() {
      this.set(status()?.activeExecutions ?? 0);
    },
  });
  new Gauge({
    name: "pantheon_warm_pool_size",
    help: "Warm containers ready, per image",
    labelNames: ["image"] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [image, n] of Object.entries(status()?.pool.warm ?? {})) this.set({ image }, n ?? 0);
    },
  });
  new Gauge({
    name: "pantheon_engine_ready",
    help: "1 while the sandbox engine serves executions",
    registers: [registry],
    collect() {
      this.set(status()?.state === "ready" ? 1 : 0);
    },
  });
  const figure = (name: string, help: string, pick: (f: ReturnType<ExecutionWindow["figures"]>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(pick(window.figures(now())));
      },
    });
  figure("pantheon_executions_per_minute", "Executions finished in the last minute", (f) => f.executionsPerMinute);
  figure("pantheon_execution_error_ratio", "Share of the last minute's executions that did not succeed (0..1)", (f) => f.errorRate);
  figure("pantheon_execution_p50_seconds", "Median execution time over the last minute", (f) => f.p50Ms / 1000);
  figure("pantheon_execution_p95_seconds", "95th percentile execution time over the last minute", (f) => f.p95Ms / 1000);

  return {
    registry,
    window,
    recordExecution({ status: s, runtime, durationMs }) {
      const labels = { status: s, runtime };
      executions.inc(labels);
      duration.observe(labels, durationMs / 1000);
      window.add({ at: now(), status: s, durationMs });
    },
  };
}

// One instance per process, in the process registry (server/process/app-runtime.ts).

export function getFleetMetrics(): FleetMetrics {
  const runtime = getAppRuntime();
  runtime.fleetMetrics ??= createFleetMetrics(() => getAppRuntime().engine?.status());
  return runtime.fleetMetrics;
}

/** Called once per finished execution (execution-service). Never throws into the caller. */
export function recordExecution(record: ExecutionRecord): void {
  try {
    getFleetMetrics().recordExecution(record);
  } catch {
    // Metrics must never fail an execution.
  }
}
