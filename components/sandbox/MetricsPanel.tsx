"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { formatBytes, formatDuration, formatMb, formatTime } from "./format";
import type { IdePanelProps } from "./ide-panel-props";
import { Sparkline } from "./Sparkline";

const WINDOWS = [5, 15, 60, 360] as const;
/** The collector samples every SANDBOX_METRICS_INTERVAL (5 s by default): polling faster shows nothing new. */
const REFRESH_MS = 5_000;

/**
 * The project container's CPU, memory, disk and processes as the metrics collector samples them,
 * and its executions over a window; refreshed every 5 s while the tab is visible.
 */
export function MetricsPanel({ project, active }: IdePanelProps) {
  const trpc = useTRPC();
  const [windowMinutes, setWindowMinutes] = useState<number>(15);
  const metrics = useQuery({
    ...trpc.projects.metrics.queryOptions({ projectId: project.id, windowMinutes }),
    refetchInterval: active ? REFRESH_MS : false,
  });

  if (metrics.isPending) return <p className="muted pad">Loading metrics…</p>;
  if (metrics.isError)
    return (
      <p className="error pad" role="alert">
        Could not load metrics: {metrics.error.message}
      </p>
    );
  const m = metrics.data;
  const until = metrics.dataUpdatedAt;
  const since = until - m.windowMinutes * 60_000;
  const latest = m.latest;
  const fresh = latest.cpu_percent && until - latest.cpu_percent.at.getTime() < 3 * REFRESH_MS;
  const ex = m.executions;

  return (
    <div className="metrics-panel" data-testid="metrics-panel">
      <div className="metrics-head">
        <span className={fresh ? "ok" : "muted"} data-testid="container-state">
          {fresh
            ? "● container running"
            : latest.cpu_percent
              ? `○ no container now (last sample ${formatTime(latest.cpu_percent.at)})`
              : "○ no container samples yet: they appear while the project's container runs"}
        </span>
        <label className="muted small">
          Window{" "}
          <select className="select-small" value={windowMinutes} onChange={(e) => setWindowMinutes(Number(e.target.value))} aria-label="Metrics window">
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w < 60 ? `${w} min` : `${w / 60} h`}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="metric-cards">
        <section className="metric-card" aria-label="CPU">
          <h3>CPU</h3>
          <p className="metric-value" data-testid="metric-cpu">
            {latest.cpu_percent ? `${latest.cpu_percent.value.toFixed(1)} %` : "—"}
          </p>
          <Sparkline label="CPU over the window" points={m.cpu.map((b) => ({ at: b.at, value: b.avg }))} since={since} until={until} max={100} />
        </section>
        <section className="metric-card" aria-label="Memory">
          <h3>Memory</h3>
          <p className="metric-value" data-testid="metric-memory">
            {formatMb(latest.memory_mb?.value)}
          </p>
          <Sparkline label="Memory over the window" points={m.memory.map((b) => ({ at: b.at, value: b.avg }))} since={since} until={until} />
        </section>
        <section className="metric-card" aria-label="Executions">
          <h3>Executions</h3>
          <p className="metric-value" data-testid="metric-executions">
            {ex.total}
            <span className="muted small">
              {" "}
              · {ex.success} ok · {ex.failed} failed{ex.running ? ` · ${ex.running} running` : ""}
            </span>
          </p>
          <Sparkline label="Executions per interval" kind="bars" points={ex.perBucket.map((b) => ({ at: b.at, value: b.count }))} since={since} until={until} />
        </section>
        <section className="metric-card" aria-label="Durations">
          <h3>Duration</h3>
          <p className="metric-value" data-testid="metric-duration">
            {formatDuration(ex.avgMs)} <span className="muted small">avg · p95 {formatDuration(ex.p95Ms)}</span>
          </p>
          <p className="muted small">
            disk {formatMb(latest.disk_mb?.value)} · processes {latest.pids?.value ?? "—"} · net ↓{formatBytes(latest.net_rx_bytes?.value)} ↑
            {formatBytes(latest.net_tx_bytes?.value)}
          </p>
        </section>
      </div>
    </div>
  );
}
