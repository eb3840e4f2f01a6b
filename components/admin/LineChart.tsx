import styles from "./admin-metrics.module.css";
import { clock } from "./format";

export interface ChartSeries {
  label: string;
  color: string;
  values: readonly (number | null)[];
}

interface LineChartProps {
  title: string;
  testId: string;
  times: readonly Date[];
  series: readonly ChartSeries[];
  format: (v: number) => string;
  /** Drawn as a dashed line, and kept in view. */
  threshold?: number;
  /** The y axis shows at least this much, so a quiet fleet does not look busy. */
  minMax?: number;
}

const W = 480;
const H = 150;
const PAD = { top: 8, right: 8, bottom: 18, left: 8 };

/** A small SVG line chart: no library, fixed viewBox, scales to its container's width. */
export function LineChart({ title, testId, times, series, format, threshold, minMax = 1 }: LineChartProps) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(minMax, threshold !== undefined ? threshold * 1.1 : 0, ...all) * 1.05;
  const n = times.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom);
  const path = (values: readonly (number | null)[]) => {
    let d = "";
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    return d.trim();
  };

  return (
    <figure className={styles.chart} data-testid={testId}>
      <figcaption>
        <span>{title}</span>
        <span className={styles.legend}>
          {series.map((s) => {
            const last = [...s.values].reverse().find((v) => v !== null);
            return (
              <span key={s.label}>
                <i style={{ background: s.color }} /> {s.label} {last === undefined || last === null ? "–" : format(last)}
              </span>
            );
          })}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className={styles.axis} />
        <text x={W - PAD.right} y={PAD.top + 10} textAnchor="end" className={styles.tick}>
          {format(max / 1.05)}
        </text>
        {threshold !== undefined && <line x1={PAD.left} x2={W - PAD.right} y1={y(threshold)} y2={y(threshold)} className={styles.threshold} />}
        {series.map((s) => (
          <path key={s.label} d={path(s.values)} fill="none" stroke={s.color} strokeWidth={1.6} vectorEffect="non-scaling-stroke" />
        ))}
        {n > 0 && (
          <>
            <text x={PAD.left} y={H - 4} className={styles.tick}>
              {clock(times[0]!)}
            </text>
            <text x={W - PAD.right} y={H - 4} textAnchor="end" className={styles.tick}>
              {clock(times[n - 1]!)}
            </text>
          </>
        )}
        {n === 0 && (
          <text x={W / 2} y={H / 2} textAnchor="middle" className={styles.tick}>
            no samples yet
          </text>
        )}
      </svg>
    </figure>
  );
}
