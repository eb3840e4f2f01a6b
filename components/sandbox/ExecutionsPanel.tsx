"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";
import { shownOutput } from "./binary-output";
import { BinaryOutputNote } from "./BinaryOutputNote";
import { LinkifiedText } from "./file-links/LinkifiedText";
import { truncationSummary } from "./output-truncation";
import { formatDuration, formatMb, formatTime, stripAnsi } from "./format";
import type { IdePanelProps } from "./ide-panel-props";

type Summary = { id: number; userId: number | null; executedByAi: string | null };

function RanBy({ execution, myId }: { execution: Summary; myId: number | undefined }) {
  if (execution.executedByAi) return <span className="badge">{execution.executedByAi}</span>;
  if (execution.userId !== null && execution.userId === myId) return <span>you</span>;
  return <span className="muted">{execution.userId === null ? "deleted user" : `user #${execution.userId}`}</span>;
}

/**
 * The project's execution history (status, exit code, duration, peak memory, who ran it: a person
 * or an AI personality); clicking a row shows its full stored output. Refreshes while visible.
 */
export function ExecutionsPanel({ project, active, fileLinks }: IdePanelProps) {
  const trpc = useTRPC();
  const [limit, setLimit] = useState(30);
  const [selected, setSelected] = useState<number | null>(null);
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
  const history = useQuery({
    ...trpc.executions.history.queryOptions({ projectId: project.id, limit }),
    refetchInterval: active ? 3_000 : false,
  });
  const detail = useQuery({ ...trpc.executions.get.queryOptions({ executionId: selected ?? 1 }), enabled: selected !== null });
  const running = detail.data && detail.data.finishedAt === null;

  return (
    <div className="executions-panel" data-testid="executions-panel">
      <div className="executions-list">
        {history.isPending && <p className="muted pad">Loading executions…</p>}
        {history.isError && (
          <p className="error pad" role="alert">
            Could not load executions: {history.error.message}
          </p>
        )}
        {history.data?.length === 0 && <p className="muted pad">No executions yet. Run something in the Terminal tab.</p>}
        {history.data && history.data.length > 0 && (
          <table className="data-table" data-testid="executions-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Command</th>
                <th>Status</th>
                <th>Exit</th>
                <th>Duration</th>
                <th>Memory</th>
                <th>By</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {history.data.map((e) => (
                <tr
                  key={e.id}
                  className={`clickable${e.id === selected ? " selected" : ""}`}
                  onClick={() => setSelected(e.id)}
                  onKeyDown={(event) => event.key === "Enter" && setSelected(e.id)}
                  tabIndex={0}
                  aria-selected={e.id === selected}
                  data-testid={`execution-${e.id}`}
                >
                  <td className="muted">{e.id}</td>
                  <td className="mono ellipsis" title={e.executedCode ?? ""}>
                    {e.executedCode ?? "—"}
                  </td>
                  <td>
                    <span className={`status status-${e.status ?? "running"}`}>{e.finishedAt === null ? "running" : (e.status ?? "—")}</span>
                    {e.statusReason && <span className="muted"> · {e.statusReason}</span>}
                  </td>
                  <td>{e.exitCode ?? "—"}</td>
                  <td>{e.finishedAt === null ? "…" : formatDuration(e.executionTimeMs)}</td>
                  <td>{formatMb(e.memoryUsedMb)}</td>
                  <td>
                    <RanBy execution={e} myId={me.data?.id} />
                  </td>
                  <td className="muted" title={e.executedAt.toLocaleString()}>
                    {formatTime(e.executedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {history.data?.length === limit && limit < 100 && (
          <button className="btn btn-ghost btn-small more" onClick={() => setLimit(100)}>
            Show up to 100
          </button>
        )}
      </div>
      {selected !== null && (
        <section className="execution-detail" aria-label={`Execution ${selected}`} data-testid="execution-detail">
          <header className="detail-head">
            <strong>Execution #{selected}</strong>
            {detail.data && (
              <span className="muted">
                {running ? "running" : detail.data.status} · exit {detail.data.exitCode ?? "—"} · {formatDuration(detail.data.executionTimeMs)}
                {detail.data.outputTruncated && <span data-testid="execution-truncation"> · {truncationSummary(true, detail.data.outputTruncation)}</span>}
              </span>
            )}
            <button className="icon-btn" onClick={() => setSelected(null)} aria-label="Close the output">
              ×
            </button>
          </header>
          {detail.isPending && <p className="muted pad">Loading output…</p>}
          {detail.isError && <p className="error pad">Could not load the output: {detail.error.message}</p>}
          {detail.data && (
            <pre className="output" data-testid="execution-output">
              {detail.data.executedCode && <span className="muted">{`$ ${detail.data.executedCode}\n`}</span>}
              <LinkifiedText text={shownOutput(stripAnsi(detail.data.output ?? ""))} handler={fileLinks} />
              {detail.data.errorOutput && (
                <span className="stderr">
                  <LinkifiedText text={shownOutput(stripAnsi(detail.data.errorOutput))} handler={fileLinks} />
                </span>
              )}
              {running && <span className="muted">(still running: the output is stored when it ends)</span>}
              {!running && !detail.data.output && !detail.data.errorOutput && <span className="muted">(no output)</span>}
            </pre>
          )}
          {detail.data && (
            <>
              <BinaryOutputNote stream="stdout" text={detail.data.output} base64={detail.data.outputBase64} executionId={detail.data.id} />
              <BinaryOutputNote stream="stderr" text={detail.data.errorOutput} base64={detail.data.errorOutputBase64} executionId={detail.data.id} />
            </>
          )}
        </section>
      )}
    </div>
  );
}
