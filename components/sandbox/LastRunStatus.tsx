"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc/client";

/** The status of a project's latest execution (queries batch into one request per list render). */
export function LastRunStatus({ projectId }: { projectId: number }) {
  const trpc = useTRPC();
  // While the last run is still going, look again every few seconds until it ends.
  const history = useQuery({
    ...trpc.executions.history.queryOptions({ projectId, limit: 1 }),
    refetchInterval: (query) => (query.state.data?.[0] && query.state.data[0].finishedAt === null ? 3_000 : false),
  });
  if (history.isPending) return <span className="muted">…</span>;
  if (history.isError) return <span className="muted">unknown</span>;
  const last = history.data[0];
  if (!last) return <span className="muted">never run</span>;
  const status = last.finishedAt === null ? "running" : (last.status ?? "unknown");
  return (
    <span className={`status status-${status}`} title={last.executedAt.toLocaleString()}>
      {status}
      {last.exitCode !== null && ` (${last.exitCode})`}
    </span>
  );
}
