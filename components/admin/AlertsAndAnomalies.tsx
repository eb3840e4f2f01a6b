"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";
import styles from "./admin-metrics.module.css";
import { clock, duration, LIVE_MS } from "./format";

export function AlertsPanel() {
  const trpc = useTRPC();
  const alerts = useQuery({ ...trpc.admin.alerts.queryOptions(), refetchInterval: LIVE_MS });
  const open = alerts.data?.open ?? [];
  const recent = alerts.data?.recent ?? [];
  return (
    <section className="card" aria-label="Alerts" data-testid="alerts">
      <h2 className={styles.h2}>Alerts</h2>
      {alerts.isError && <p className="error">Could not load alerts: {alerts.error.message}</p>}
      {alerts.data && open.length === 0 && <p className="ok">No open alert.</p>}
      <ul className={styles.list}>
        {open.map((a) => (
          <li key={a.id} className={styles.open}>
            <strong>{a.message}</strong>
            <span className="muted">
              since {clock(a.raisedAt)} ({duration(Date.now() - a.raisedAt.getTime())}), peak {a.peak}
            </span>
          </li>
        ))}
      </ul>
      {recent.length > 0 && (
        <>
          <h3 className="muted">Resolved in the last 24 h</h3>
          <ul className={styles.list}>
            {recent.map((a) => (
              <li key={a.id}>
                <span>{a.message}</span>
                <span className="muted">
                  {clock(a.raisedAt)} → {a.resolvedAt ? clock(a.resolvedAt) : ""}, peak {a.peak}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function AnomaliesPanel() {
  const trpc = useTRPC();
  const scan = useQuery({ ...trpc.admin.anomalies.queryOptions(), refetchInterval: LIVE_MS });
  const flags = scan.data?.flags ?? [];
  return (
    <section className="card" aria-label="Anomalies" data-testid="anomalies">
      <h2 className={styles.h2}>Anomalies</h2>
      {scan.isError && <p className="error">Could not load anomalies: {scan.error.message}</p>}
      {scan.data === null && <p className="muted">No scan yet (the first runs shortly after start-up, then every minute).</p>}
      {scan.data && flags.length === 0 && <p className="ok">Nothing unusual (scanned {clock(scan.data.at)}).</p>}
      {scan.data?.errors.map((e) => (
        <p key={e} className="error">
          Scan incomplete: {e}
        </p>
      ))}
      <ul className={styles.list}>
        {flags.map((f) => (
          <li key={`${f.subject.kind}/${f.subject.id}/${f.signal}/${f.reason}`}>
            <strong>{f.message}</strong>
            <span className="muted">
              {f.reason} · value {f.value}, baseline {f.baseline}
              {f.z !== null && `, z ${f.z}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
