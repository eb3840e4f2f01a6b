"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/lib/trpc/client";
import styles from "./admin-metrics.module.css";
import { duration, LIVE_MS, num } from "./format";

/** Live containers with owner, AI, age and the collector's latest figures; an admin can stop one. */
export function ActiveSandboxes() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sandboxes = useQuery({ ...trpc.admin.activeSandboxes.queryOptions(), refetchInterval: LIVE_MS });
  const stop = useMutation(
    trpc.admin.stopSandbox.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.admin.activeSandboxes.queryKey() }),
    }),
  );

  return (
    <section className="card" aria-label="Active sandboxes">
      <h2 className={styles.h2}>Active sandboxes</h2>
      {sandboxes.isError && <p className="error">Could not load the sandboxes: {sandboxes.error.message}</p>}
      {stop.isError && (
        <p className="error" role="alert">
          Stopping failed: {stop.error.message}
        </p>
      )}
      {sandboxes.data?.length === 0 && <p className="muted">No project holds a container right now.</p>}
      {sandboxes.data && sandboxes.data.length > 0 && (
        <table className="project-table" data-testid="active-sandboxes">
          <thead>
            <tr>
              <th>Project</th>
              <th>Owner</th>
              <th>AI</th>
              <th>Image</th>
              <th>Age</th>
              <th>Idle</th>
              <th>CPU</th>
              <th>Memory</th>
              <th>Disk</th>
              <th>Pids</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sandboxes.data.map((s) => (
              <tr key={s.projectId} data-testid={`sandbox-${s.projectId}`}>
                <td>
                  {/^\d+$/.test(s.projectId) ? <Link href={`/projects/${s.projectId}`}>{s.projectName ?? `#${s.projectId}`}</Link> : s.projectId}
                  <div className="muted mono">{s.containerId}</div>
                </td>
                <td>{s.ownerEmail ?? <span className="muted">–</span>}</td>
                <td>
                  {s.createdByAi ? <span className="badge">{s.createdByAi}</span> : <span className="muted">person</span>}
                  {s.lastRunByAi && s.lastRunByAi !== s.createdByAi && <span className="muted"> · ran by {s.lastRunByAi}</span>}
                </td>
                <td>{s.image}</td>
                <td>{duration(s.ageMs)}</td>
                <td>{s.busy > 0 ? <span className="ok">running</span> : duration(s.idleMs)}</td>
                <td>{s.cpuPercent === null ? "–" : `${num(s.cpuPercent)} %`}</td>
                <td>{s.memoryMb === null ? "–" : `${num(s.memoryMb, 0)} MB`}</td>
                <td>{s.diskMb === null ? "–" : `${num(s.diskMb)} MB`}</td>
                <td>{s.pids ?? "–"}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    disabled={stop.isPending && stop.variables.projectId === Number(s.projectId)}
                    onClick={() => {
                      if (window.confirm(`Stop the sandbox of ${s.projectName ?? s.projectId}? Running executions are cancelled; files are kept.`))
                        stop.mutate({ projectId: Number(s.projectId) });
                    }}
                  >
                    Stop
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
