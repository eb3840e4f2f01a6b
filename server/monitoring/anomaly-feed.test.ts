import { describe, expect, it } from "vitest";
import { detectAnomalies } from "./anomaly";
import { executionSeries } from "./anomaly-feed";

const now = new Date("2026-11-26T12:59:30Z");
const minute = (m: number) => new Date(Date.UTC(2026, 10, 26, 12, m));

describe("executionSeries", () => {
  it("fills empty minutes with zeros and sums a user's projects", () => {
    const series = executionSeries(
      [
        { projectId: 1, userId: 7, minute: minute(58), total: 3, timeouts: 1, ooms: 0 },
        { projectId: 2, userId: 7, minute: minute(58), total: 2, timeouts: 0, ooms: 0 },
        { projectId: 1, userId: 7, minute: minute(10), total: 9, timeouts: 0, ooms: 0 }, // outside the window
      ],
      now,
      5,
    );
    const get = (kind: string, id: string, signal: string) => series.find((s) => s.subject.kind === kind && s.subject.id === id && s.signal === signal)?.values;
    expect(get("project", "1", "executions")).toEqual([0, 0, 0, 3, 0]);
    expect(get("user", "7", "executions")).toEqual([0, 0, 0, 5, 0]);
    expect(get("project", "1", "timeouts")).toEqual([0, 0, 0, 1, 0]);
  });

  it("feeds detectAnomalies: a burst in the current minute is flagged for the project and its user", () => {
    const buckets = Array.from({ length: 60 }, (_, m) => ({
      projectId: 1,
      userId: 7,
      minute: minute(m),
      total: m === 59 ? 80 : 5 + (m % 3),
      timeouts: 0,
      ooms: 0,
    }));
    const flags = detectAnomalies(executionSeries(buckets, now, 60));
    expect(flags.map((f) => `${f.subject.kind}/${f.reason}/${f.value}`).sort()).toEqual(["project/self/80", "user/self/80"]);
  });
});
