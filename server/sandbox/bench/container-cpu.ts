import { readFileSync } from "node:fs";

/** CPU nanoseconds the containers' cgroups used (cgroup v1 cpuacct, else v2 cpu.stat); null if unreadable. */
export function containersCpuNs(ids: Iterable<string>): number | null {
  let sum = 0;
  for (const id of ids) {
    try {
      sum += Number(readFileSync(`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, "utf8"));
    } catch {
      try {
        const usec = /usage_usec (\d+)/.exec(readFileSync(`/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, "utf8"))?.[1];
        if (usec === undefined) return null;
        sum += Number(usec) * 1000;
      } catch {
        return null;
      }
    }
  }
  return sum;
}
