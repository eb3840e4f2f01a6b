"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/lib/trpc/client";
import { LastRunStatus } from "./LastRunStatus";

type Project = { id: number; name: string; templateType: string | null; createdByAi: string | null; updatedAt: Date; userId: number };

const errorText = (e: unknown) => (e instanceof Error ? e.message : "unknown error");

/**
 * One project of the dashboard with what can be done to it: open, rename (in place), duplicate,
 * delete (after a confirmation naming it). Each action goes through the same procedures as the API
 * (projects.update, projects.duplicate, projects.delete); the list refreshes after it.
 */
export function ProjectRow({ project, mine }: { project: Project; mine: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() });
  const rename = useMutation(trpc.projects.update.mutationOptions({ onSuccess: refresh }));
  const duplicate = useMutation(trpc.projects.duplicate.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.projects.delete.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const busy = rename.isPending || duplicate.isPending || remove.isPending;

  async function onRename(event: FormEvent) {
    event.preventDefault();
    const name = (editing ?? "").trim();
    if (!name || name === project.name) return setEditing(null);
    try {
      await rename.mutateAsync({ projectId: project.id, name });
      setEditing(null);
      toast.success(`Renamed to “${name}”`);
    } catch (e) {
      toast.error(`Renaming failed: ${errorText(e)}`);
    }
  }

  async function onDuplicate() {
    try {
      const copy = await duplicate.mutateAsync({ projectId: project.id });
      toast.success(`Created “${copy.name}”`);
    } catch (e) {
      toast.error(`Duplicating failed: ${errorText(e)}`);
    }
  }

  async function onDelete() {
    if (!window.confirm(`Delete “${project.name}” with all its files and run history? This cannot be undone.`)) return;
    try {
      await remove.mutateAsync({ projectId: project.id });
      toast.success(`Deleted “${project.name}”`);
    } catch (e) {
      toast.error(`Deleting failed: ${errorText(e)}`);
    }
  }

  return (
    <tr data-testid={`project-row-${project.id}`}>
      <td>
        {editing !== null ? (
          <form className="rename-form" onSubmit={(e) => void onRename(e)}>
            <input
              aria-label={`New name for ${project.name}`}
              value={editing}
              maxLength={255}
              autoFocus
              onChange={(e) => setEditing(e.target.value)}
              onKeyDown={(e) => e.key === "Escape" && setEditing(null)}
            />
            <button className="btn btn-small" type="submit" disabled={busy || !editing.trim()}>
              Save
            </button>
            <button className="btn btn-ghost btn-small" type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </form>
        ) : (
          <Link href={`/projects/${project.id}`}>{project.name}</Link>
        )}
      </td>
      <td className="muted">{project.templateType ?? "empty"}</td>
      <td>{project.createdByAi ? <span className="badge">{project.createdByAi}</span> : <span className="muted">you</span>}</td>
      <td>
        <LastRunStatus projectId={project.id} />
      </td>
      <td className="muted">{project.updatedAt.toLocaleString()}</td>
      <td className="project-actions">
        {mine && (
          <button className="btn btn-ghost btn-small" disabled={busy} onClick={() => setEditing(project.name)} aria-label={`Rename ${project.name}`}>
            Rename
          </button>
        )}
        <button className="btn btn-ghost btn-small" disabled={busy} onClick={() => void onDuplicate()} aria-label={`Duplicate ${project.name}`}>
          {duplicate.isPending ? "Copying…" : "Duplicate"}
        </button>
        {mine && (
          <button className="btn btn-ghost btn-small danger" disabled={busy} onClick={() => void onDelete()} aria-label={`Delete ${project.name}`}>
            {remove.isPending ? "Deleting…" : "Delete"}
          </button>
        )}
      </td>
    </tr>
  );
}
