import type { ContainerStatsSample } from "./driver";

// The shape of one line of Docker's stats stream (GET /containers/{id}/stats?stream=1), reduced
// to the fields we read. cgroup v1 and v2 name the page-cache counters differently.
interface DockerStatsLine {
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number | undefined> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

const finite = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * One stats line → a sample, or null when the line carries no reading (Docker sends zeros with a
 * read time of year 1 for a container that is not running). Memory subtracts the inactive page
 * cache as `docker stats` does, so a container that read many files does not look bloated.
 */
export function parseDockerStats(line: string): ContainerStatsSample | null {
  let raw: DockerStatsLine;
  try {
    raw = JSON.parse(line) as DockerStatsLine;
  } catch {
    return null;
  }
  const readAt = raw.read ? Date.parse(raw.read) : NaN;
  if (!Number.isFinite(readAt) || readAt <= 0) return null;

  const usage = finite(raw.memory_stats?.usage);
  const stats = raw.memory_stats?.stats ?? {};
  const inactive = finite(stats.total_inactive_file) ?? finite(stats.inactive_file) ?? 0;
  let rx = 0;
  let tx = 0;
  for (const net of Object.values(raw.networks ?? {})) {
    rx += finite(net.rx_bytes) ?? 0;
    tx += finite(net.tx_bytes) ?? 0;
  }
  return {
    readAt,
    cpuTotalNs: finite(raw.cpu_stats?.cpu_usage?.total_usage),
    memoryBytes: usage === null ? null : Math.max(0, usage - inactive),
    netRxBytes: rx,
    netTxBytes: tx,
    pids: finite(raw.pids_stats?.current),
  };
}
