"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { ActiveSandboxes } from "./ActiveSandboxes";
import styles from "./admin-metrics.module.css";
import { AlertsPanel, AnomaliesPanel } from "./AlertsAndAnomalies";
import { clock, LIVE_MS, ms, num, percent } from "./format";
import { LineChart } from "./LineChart";
import { PoolState } from "./PoolState";

const RANGES = [
  { label: "15 min", minutes: 15 },
  { label: "1 h", minutes: 60 },
  { label: "6 h", minutes: 360 },
  { label: "24 h", minutes: 1440 },
  { label: "7 d", minutes: 10080 },
] as const;

export function AdminMetrics() {
  const trpc = useTRPC();
  const [minutes, setMinutes] = useState<number>(15);
  const overview = useQuery({
    ...trpc.admin.fleetOverview.queryOptions({ minutes, maxPoints: 180 }),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
  const o = overview.data;
  const points = o?.series.points ?? [];
  const times = points.map((p) => p.at);
  const latest = o?.latest;
  const warm = Object.values(o?.engine?.pool.warm ?? {}).reduce<number>((a, b) => a + (b ?? 0), 0);

  return (
    <div className={styles.page}>
      <div className="row">
        <h1 className="grow" style={{ margin: 0 }}>
          Sandbox fleet
        </h1>
        <span className="muted" data-testid="engine-state">
          engine {o?.engine ? `${o.engine.state} (${o.engine.runtime})` : "not running in this process"}
          {o && !o.monitoring && " · collector not running"}
        </span>
        <span className="muted">
          updated <span data-testid="updated-at">{o ? clock(o.at) : "…"}</span>
        </span>
        <select aria-label="Range" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
          {RANGES.map((r) => (
            <option key={r.minutes} value={r.minutes}>
              {r.label}
            </option>
          ))}
        </select>
      </div>
      {overview.isError && (
        <p className="error" role="alert">
          Could not load the fleet figures: {overview.error.message}
        </p>
      )}

      <section className={styles.figures} aria-label="Fleet figures">
        <Figure
          label="Active sandboxes"
          testId="figure-active-sandboxes"
          value={o?.engine ? String(o.engine.pool.leased) : "–"}
          note={o?.engine ? `of ${o.engine.pool.maxConcurrent}` : ""}
        />
        <Figure
          label="Warm pool"
          testId="figure-warm-pool"
          value={o?.engine ? String(warm) : "–"}
          note={o?.engine ? `target ${o.engine.pool.warmTarget} per image` : ""}
        />
        <Figure
          label="Executions / min"
          testId="figure-executions"
          value={num(o?.live.executionsPerMinute, 0)}
          note={`${o?.engine?.activeExecutions ?? 0} running`}
        />
        <Figure label="Error rate" testId="figure-error-rate" value={percent(o?.live.errorRate)} note={`alert above ${percent(o?.thresholds.error_rate)}`} />
        <Figure label="Latency p50 / p95" testId="figure-latency" value={`${ms(o?.live.p50Ms)} / ${ms(o?.live.p95Ms)}`} note="last minute" />
        <Figure label="CPU (all sandboxes)" testId="figure-cpu" value={latest ? `${num(latest.cpuPercent)} %` : "–"} note="percent of one core" />
        <Figure
          label="Memory (all sandboxes)"
          testId="figure-memory"
          value={latest ? `${num(latest.memoryMb, 0)} MB` : "–"}
          note={`alert above ${num(o?.thresholds.memory_mb, 0)} MB each`}
        />
      </section>

      <section className={styles.charts} aria-label="Charts">
        <LineChart
          title="CPU, all sandboxes (% of one core)"
          testId="chart-cpu"
          times={times}
          series={[{ label: "CPU", color: "#7c9cff", values: points.map((p) => p.cpuPercent) }]}
          format={(v) => `${num(v)} %`}
          minMax={10}
        />
        <LineChart
          title="Memory, all sandboxes"
          testId="chart-memory"
          times={times}
          series={[{ label: "Memory", color: "#4cd19a", values: points.map((p) => p.memoryMb) }]}
          format={(v) => `${num(v, 0)} MB`}
          minMax={64}
        />
        <LineChart
          title="Executions per minute"
          testId="chart-executions"
          times={times}
          series={[{ label: "exec/min", color: "#f0b35a", values: points.map((p) => p.executionsPerMinute) }]}
          format={(v) => num(v, 0)}
          minMax={5}
        />
        <LineChart
          title="Error rate"
          testId="chart-error-rate"
          times={times}
          series={[{ label: "errors", color: "#ff6b6b", values: points.map((p) => p.errorRate) }]}
          format={(v) => percent(v)}
          threshold={o?.thresholds.error_rate}
          minMax={0.05}
        />
        <LineChart
          title="Execution latency"
          testId="chart-latency"
          times={times}
          series={[
            { label: "p50", color: "#7c9cff", values: points.map((p) => p.p50Ms) },
            { label: "p95", color: "#c58cff", values: points.map((p) => p.p95Ms) },
          ]}
          format={(v) => ms(v)}
          threshold={o?.thresholds.execution_time_ms}
          minMax={1000}
        />
        <LineChart
          title="Sandboxes"
          testId="chart-sandboxes"
          times={times}
          series={[
            { label: "active", color: "#4cd19a", values: points.map((p) => p.activeSandboxes) },
            { label: "warm", color: "#9aa3b5", values: points.map((p) => p.warmContainers) },
          ]}
          format={(v) => num(v, 0)}
          minMax={4}
        />
      </section>
      {o && (
        <p className="muted" style={{ margin: 0 }}>
          {points.length} points of {Math.round(o.series.bucketMs / 1000)} s each
        </p>
      )}

      <PoolState engine={o?.engine ?? null} cleanup={o?.cleanup ?? null} />
      <ActiveSandboxes />
      <div className={styles.columns}>
        <AlertsPanel />
        <AnomaliesPanel />
      </div>
    </div>
  );
}

function Figure({ label, value, note, testId }: { label: string; value: string; note: string; testId: string }) {
  return (
    <div className={styles.figure} data-testid={testId}>
      <span className="muted">{label}</span>
      <strong>{value}</strong>
      <small className="muted">{note}</small>
    </div>
  );
}
