import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AnomalyFlag, SignalSeries } from "./anomaly";
import { AnomalyScanner } from "./anomaly-scan";

function capture() {
  const lines: { msg: string; anomaly?: string }[] = [];
  const log = pino({ level: "warn" }, { write: (l: string) => lines.push(JSON.parse(l) as { msg: string }) });
  return { log, lines };
}

// Two minutes pinned at full CPU: what a miner looks like at 5 s samples.
const miner: SignalSeries = { subject: { kind: "project", id: "12" }, signal: "cpu_percent", values: Array<number>(24).fill(99) };
const burst: AnomalyFlag = {
  subject: { kind: "project", id: "3" },
  signal: "executions",
  reason: "self",
  value: 80,
  baseline: 4,
  mad: 1,
  z: 51.3,
  message: "project 3: executions 80 against its own median 4 (MAD 1, z 51.3)",
};

describe("AnomalyScanner", () => {
  it("merges database and in-memory detections and logs each flag once while it persists", async () => {
    const { log, lines } = capture();
    let series = [miner];
    const scanner = new AnomalyScanner({ executionFlags: async () => [burst], series: () => series, log });
    const first = await scanner.scan();
    expect(first.flags.map((f) => `${f.subject.id}/${f.signal}/${f.reason}`)).toEqual(["3/executions/self", "12/cpu_percent/sustained"]);
    expect(first.flags[1]?.message).toBe("project 12: cpu_percent at or above 95 for the last 24 samples (lowest 99)");
    expect(lines.map((l) => l.msg)).toEqual([burst.message, first.flags[1]?.message]);
    await scanner.scan();
    expect(lines).toHaveLength(2);
    series = [];
    expect((await scanner.scan()).flags).toHaveLength(1);
    expect(scanner.latest()?.flags).toEqual([burst]);
  });

  it("a failing source is reported and the other still scanned", async () => {
    const { log } = capture();
    const scanner = new AnomalyScanner({
      executionFlags: async () => {
        throw new Error("database down");
      },
      series: () => [miner],
      log,
    });
    const scan = await scanner.scan();
    expect(scan.errors).toEqual(["executions: database down"]);
    expect(scan.flags.map((f) => f.reason)).toEqual(["sustained"]);
  });
});
