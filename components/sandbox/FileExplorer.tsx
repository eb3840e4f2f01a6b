"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc/client";

type Row = { path: string; name: string; depth: number; folder: boolean; entryPoint: boolean };

/** Flat server paths → sorted rows with their parent folders, folders first at each level. */
function toRows(files: { filePath: string; isEntryPoint: boolean }[]): Row[] {
  const rows = new Map<string, Row>();
  for (const file of files) {
    const parts = file.filePath.split("/");
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join("/");
      const folder = i < parts.length - 1;
      if (!rows.has(path)) rows.set(path, { path, name, depth: i, folder, entryPoint: !folder && file.isEntryPoint });
    });
  }
  const key = (r: Row) =>
    r.path
      .split("/")
      .map((part, i, all) => (i < all.length - 1 || r.folder ? `0${part}` : `1${part}`))
      .join("/");
  return [...rows.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

type Props = {
  projectId: number;
  active: string | null;
  onOpen: (path: string) => void;
  onRenamed: (from: string, to: string) => void;
  onDeleted: (path: string) => void;
};

export function FileExplorer({ projectId, active, onOpen, onRenamed, onDeleted }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tree = useQuery(trpc.files.tree.queryOptions({ projectId }));
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.files.tree.queryKey({ projectId }) });
  const create = useMutation(trpc.files.create.mutationOptions({ onSettled: invalidate }));
  const move = useMutation(trpc.files.move.mutationOptions({ onSettled: invalidate }));
  const remove = useMutation(trpc.files.delete.mutationOptions({ onSettled: invalidate }));

  async function attempt(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : "The file operation failed");
    }
  }

  const onCreate = () =>
    attempt(async () => {
      const path = window.prompt("New file path (folders are created as needed)", "src/new-file.ts")?.trim();
      if (!path) return;
      await create.mutateAsync({ projectId, path, content: "" });
      onOpen(path);
    });
  const onRename = (from: string) =>
    attempt(async () => {
      const to = window.prompt(`Rename or move ${from} to`, from)?.trim();
      if (!to || to === from) return;
      await move.mutateAsync({ projectId, from, to });
      onRenamed(from, to);
    });
  const onDelete = (path: string) =>
    attempt(async () => {
      if (!window.confirm(`Delete ${path}?`)) return;
      await remove.mutateAsync({ projectId, path });
      onDeleted(path);
    });

  const rows = tree.data ? toRows(tree.data) : [];
  const hidden = (row: Row) => [...collapsed].some((folder) => row.path.startsWith(`${folder}/`));

  return (
    <nav className="explorer" aria-label="Files">
      <div className="explorer-head">
        <span>Files</span>
        <button className="icon-btn" onClick={onCreate} title="New file" aria-label="New file">
          +
        </button>
      </div>
      {tree.isPending && <p className="muted pad">Loading files…</p>}
      {tree.isError && <p className="error pad">Could not load files: {tree.error.message}</p>}
      {error && (
        <p className="error pad" role="alert" data-testid="explorer-error">
          {error}
        </p>
      )}
      {tree.data?.length === 0 && <p className="muted pad">No files yet.</p>}
      <ul className="tree" data-testid="file-tree">
        {rows
          .filter((row) => !hidden(row))
          .map((row) => (
            <li key={row.path} className={`tree-row${row.path === active ? " active" : ""}`} style={{ paddingLeft: 8 + row.depth * 14 }}>
              {row.folder ? (
                <button
                  className="tree-name"
                  onClick={() =>
                    setCollapsed((prev) => {
                      const next = new Set(prev);
                      if (!next.delete(row.path)) next.add(row.path);
                      return next;
                    })
                  }
                >
                  {collapsed.has(row.path) ? "▸" : "▾"} {row.name}
                </button>
              ) : (
                <button className="tree-name" onClick={() => onOpen(row.path)} data-testid={`file-${row.path}`}>
                  {row.name}
                  {row.entryPoint && (
                    <span className="badge entry" title="Entry point">
                      entry
                    </span>
                  )}
                </button>
              )}
              <span className="tree-actions">
                <button className="icon-btn" onClick={() => onRename(row.path)} aria-label={`Rename ${row.path}`} title="Rename / move">
                  ✎
                </button>
                <button className="icon-btn" onClick={() => onDelete(row.path)} aria-label={`Delete ${row.path}`} title="Delete">
                  🗑
                </button>
              </span>
            </li>
          ))}
      </ul>
    </nav>
  );
}
