"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/lib/trpc/client";
import { formatTime } from "./format";
import type { IdePanelProps } from "./ide-panel-props";

const CheckpointDiff = dynamic(() => import("./CheckpointDiff"), { ssr: false, loading: () => <p className="muted pad">Loading the diff…</p> });

type Author = { userId: number | null; name: string | null; aiPersonality: string | null };

/** The author badge: the AI personality that made the change, else the person. */
function AuthorBadge({ author, myId }: { author: Author; myId: number | undefined }) {
  if (author.aiPersonality)
    return (
      <span className="badge" data-testid="author-ai">
        {author.aiPersonality}
      </span>
    );
  const who = author.userId !== null && author.userId === myId ? "you" : (author.name ?? (author.userId === null ? "deleted user" : `user #${author.userId}`));
  return (
    <span className="badge person" data-testid="author-person">
      {who}
    </span>
  );
}

/**
 * The project's checkpoints (every change set: saves, AI change sets, refactors, rollbacks,
 * restores), newest first. The list is refetched by the file change feed (use-file-change-feed),
 * so an AI's change set appears here as it is applied. A row opens its files in Monaco's diff
 * editor; Restore returns the files to that point after a confirmation, and is itself a checkpoint.
 */
export function HistoryPanel({ project }: IdePanelProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<number | null>(null);
  const [path, setPath] = useState<string | null>(null);
  const me = useQuery({ ...trpc.auth.me.queryOptions(), staleTime: Infinity });
  const list = useQuery(trpc.checkpoints.list.queryOptions({ projectId: project.id }));
  const detail = useQuery({ ...trpc.checkpoints.get.queryOptions({ projectId: project.id, checkpointId: selected ?? 1 }), enabled: selected !== null });
  const restore = useMutation(
    trpc.checkpoints.restore.mutationOptions({
      onSuccess: (result) => {
        toast.success(result.checkpointId === null ? "Already at that point: nothing to restore" : `Restored to #${result.restoredFrom}`);
        void queryClient.invalidateQueries({ queryKey: trpc.checkpoints.list.queryKey({ projectId: project.id }) });
      },
      onError: (err) => toast.error(`Restore failed: ${err.message}`),
    }),
  );
  const shown = detail.data?.diffs.find((d) => d.path === path) ?? detail.data?.diffs[0];

  const askRestore = (id: number, description: string) => {
    if (!window.confirm(`Restore the files to checkpoint #${id} (${description})? The restore is recorded, so you can undo it from History.`)) return;
    restore.mutate({ projectId: project.id, checkpointId: id });
  };

  return (
    <div className="executions-panel" data-testid="history-panel">
      <div className="executions-list">
        {list.isPending && <p className="muted pad">Loading history…</p>}
        {list.isError && (
          <p className="error pad" role="alert">
            Could not load the history: {list.error.message}
          </p>
        )}
        {list.data?.checkpoints.length === 0 && <p className="muted pad">No checkpoints yet. Every save and every AI change set will appear here.</p>}
        {list.data && list.data.checkpoints.length > 0 && (
          <table className="data-table" data-testid="history-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Change</th>
                <th>Files</th>
                <th>By</th>
                <th>When</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.checkpoints.map((c) => (
                <tr
                  key={c.id}
                  className={`clickable${c.id === selected ? " selected" : ""}`}
                  onClick={() => {
                    setSelected(c.id);
                    setPath(null);
                  }}
                  onKeyDown={(event) => event.key === "Enter" && setSelected(c.id)}
                  tabIndex={0}
                  aria-selected={c.id === selected}
                  data-testid={`checkpoint-${c.id}`}
                >
                  <td className="muted">{c.id}</td>
                  <td className="ellipsis" title={c.description}>
                    <span className="muted">{c.source}</span> {c.description}
                  </td>
                  <td className="muted">{c.files.length}</td>
                  <td>
                    <AuthorBadge author={c.author} myId={me.data?.id} />
                  </td>
                  <td className="muted" title={c.createdAt.toLocaleString()}>
                    {formatTime(c.createdAt)}
                  </td>
                  <td>
                    <button
                      className="btn btn-ghost btn-small"
                      disabled={restore.isPending}
                      onClick={(event) => {
                        event.stopPropagation();
                        askRestore(c.id, c.description);
                      }}
                      aria-label={`Restore checkpoint ${c.id}`}
                    >
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {selected !== null && (
        <section className="execution-detail" aria-label={`Checkpoint ${selected}`} data-testid="checkpoint-detail">
          <header className="detail-head">
            <strong>Checkpoint #{selected}</strong>
            <select className="select-small" aria-label="File" value={shown?.path ?? ""} onChange={(e) => setPath(e.target.value)}>
              {detail.data?.diffs.map((d) => (
                <option key={d.path} value={d.path}>
                  {d.change === "added" ? "+ " : d.change === "deleted" ? "− " : "~ "}
                  {d.path}
                </option>
              ))}
            </select>
            <span className="muted" />
            <button className="icon-btn" onClick={() => setSelected(null)} aria-label="Close the diff">
              ×
            </button>
          </header>
          {detail.isPending && <p className="muted pad">Loading the checkpoint…</p>}
          {detail.isError && <p className="error pad">Could not load the checkpoint: {detail.error.message}</p>}
          {shown && (shown.before?.binary || shown.after?.binary || shown.before?.content === null || shown.after?.content === null) && (
            <p className="muted pad" data-testid="checkpoint-binary">
              {shown.path}: binary or too large to show ({shown.before?.sizeBytes ?? 0} → {shown.after?.sizeBytes ?? 0} bytes)
            </p>
          )}
          {shown && !shown.before?.binary && !shown.after?.binary && shown.before?.content !== null && shown.after?.content !== null && (
            <CheckpointDiff key={`${selected}:${shown.path}`} path={shown.path} original={shown.before?.content ?? ""} modified={shown.after?.content ?? ""} />
          )}
        </section>
      )}
    </div>
  );
}
