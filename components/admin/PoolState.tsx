import styles from "./admin-metrics.module.css";
import { clock, duration } from "./format";

interface PoolStateProps {
  engine: {
    state: string;
    lastError: string | null;
    pool: { warm: Record<string, number | undefined>; warmTarget: number; creating: number; leased: number; maxConcurrent: number; dockerAvailable: boolean };
  } | null;
  cleanup: {
    intervalMs: number;
    last: {
      at: Date;
      durationMs: number;
      idleReleased: number;
      orphansRemoved: number | null;
      rowsDeleted: number | null;
      pool: { from: number; to: number; peakPerMinute: number } | null;
      errors: string[];
    } | null;
  } | null;
}

/** Warm containers per image against the target, and what the last cleanup run did. */
export function PoolState({ engine, cleanup }: PoolStateProps) {
  const last = cleanup?.last;
  return (
    <section className={`card ${styles.columns}`} aria-label="Warm pool and cleanup">
      <div data-testid="pool-state">
        <h2 className={styles.h2}>Warm pool</h2>
        {!engine && <p className="muted">No sandbox engine in this process.</p>}
        {engine && (
          <ul className={styles.list}>
            {Object.entries(engine.pool.warm).map(([image, n]) => (
              <li key={image}>
                <span>
                  <strong>{image}</strong>: {n ?? 0} warm of {engine.pool.warmTarget}
                </span>
                <meter min={0} max={Math.max(1, engine.pool.warmTarget)} value={n ?? 0} />
              </li>
            ))}
            <li>
              <span>
                {engine.pool.creating} being created · {engine.pool.leased} of {engine.pool.maxConcurrent} leased · Docker{" "}
                {engine.pool.dockerAvailable ? <span className="ok">up</span> : <span className="error">unreachable</span>}
              </span>
            </li>
            {engine.lastError && <li className="error">{engine.lastError}</li>}
          </ul>
        )}
      </div>
      <div data-testid="cleanup-state">
        <h2 className={styles.h2}>Cleanup</h2>
        <p className="muted">Every {cleanup ? duration(cleanup.intervalMs) : "–"}.</p>
        {!last && <p className="muted">Not run yet.</p>}
        {last && (
          <ul className={styles.list}>
            <li>
              Last run {clock(last.at)} ({last.durationMs} ms): {last.idleReleased} idle released, {last.orphansRemoved ?? "–"} orphans removed,{" "}
              {last.rowsDeleted ?? "–"} expired rows deleted
            </li>
            {last.pool && (
              <li>
                Pool {last.pool.from} → {last.pool.to} per image (busiest minute: {last.pool.peakPerMinute} binds)
              </li>
            )}
            {last.errors.map((e) => (
              <li key={e} className="error">
                {e}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
