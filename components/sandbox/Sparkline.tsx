"use client";

type Point = { at: Date; value: number };

/**
 * A small SVG chart over a fixed time window: a line (or bars) of the points, scaled to `max`
 * (or the largest value). Time is the x axis, so gaps without samples stay gaps.
 */
export function Sparkline({
  points,
  since,
  until,
  max,
  kind = "line",
  label,
}: {
  points: Point[];
  since: number;
  until: number;
  max?: number;
  kind?: "line" | "bars";
  label: string;
}) {
  const width = 240;
  const height = 48;
  const top = Math.max(max ?? 0, ...points.map((p) => p.value), 1e-9);
  const x = (at: Date) => ((at.getTime() - since) / Math.max(1, until - since)) * width;
  const y = (value: number) => height - (value / top) * (height - 2) - 1;
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} className="axis" />
      {kind === "bars"
        ? points.map((p) => <rect key={p.at.getTime()} x={x(p.at)} y={y(p.value)} width={Math.max(2, width / 60 - 1)} height={height - y(p.value)} />)
        : points.length > 0 && <polyline points={points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ")} />}
      {kind === "line" && points.length > 0 && <circle cx={x(points[points.length - 1]!.at)} cy={y(points[points.length - 1]!.value)} r="2" />}
    </svg>
  );
}
