import { describe, expect, it } from "vitest";
import { parseDockerStats } from "./docker-stats";

const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    read: "2026-11-26T18:03:10.530467862Z",
    pids_stats: { current: 3 },
    cpu_stats: { cpu_usage: { total_usage: 1_472_431_604 } },
    memory_stats: { usage: 50 * 1024 * 1024, stats: { total_inactive_file: 10 * 1024 * 1024, inactive_file: 1 } },
    ...over,
  });

describe("parseDockerStats", () => {
  it("reads cumulative CPU, memory without inactive page cache (cgroup v1), pids, and no network as 0", () => {
    expect(parseDockerStats(line())).toEqual({
      readAt: Date.parse("2026-11-26T18:03:10.530Z"),
      cpuTotalNs: 1_472_431_604,
      memoryBytes: 40 * 1024 * 1024,
      netRxBytes: 0,
      netTxBytes: 0,
      pids: 3,
    });
  });

  it("uses cgroup v2's inactive_file and sums every interface", () => {
    const s = parseDockerStats(
      line({
        memory_stats: { usage: 2048, stats: { inactive_file: 1024 } },
        networks: { eth0: { rx_bytes: 100, tx_bytes: 10 }, eth1: { rx_bytes: 5, tx_bytes: 1 } },
      }),
    );
    expect(s).toMatchObject({ memoryBytes: 1024, netRxBytes: 105, netTxBytes: 11 });
  });

  it("is null for a stopped container's zero reading and for garbage; missing fields are null", () => {
    expect(parseDockerStats(line({ read: "0001-01-01T00:00:00Z" }))).toBeNull();
    expect(parseDockerStats("{not json")).toBeNull();
    expect(parseDockerStats(JSON.stringify({ read: "2026-11-26T18:03:10Z" }))).toEqual({
      readAt: Date.parse("2026-11-26T18:03:10Z"),
      cpuTotalNs: null,
      memoryBytes: null,
      netRxBytes: 0,
      netTxBytes: 0,
      pids: null,
    });
  });
});
