"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type DragEvent, useRef, useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/lib/trpc/client";
import { ESCAPED_NAME_HINT, FOLDER_KEEP, type TreeRow, baseName, dropTarget, isEscapedName, joinPath, parentOf, toTreeRows } from "./file-tree";
import { FolderPlusIcon, PencilIcon, PlusIcon, TrashIcon, UploadIcon } from "./icons";
import { UPLOAD_HARD_CAP, conflictingVersion, readForUpload } from "./upload";

const DRAG_TYPE = "application/x-pantheon-path";

type Props = {
  projectId: number;
  active: string | null;
  onOpen: (path: string) => void;
  onRenamed: (from: string, to: string) => void;
  onDeleted: (path: string) => void;
};

/**
 * The project's file tree: create files and folders, rename, delete, drag rows onto folders to
 * move them, upload with the button or by dropping files from the desktop. Refusals show the server's message.
 */
export function FileExplorer({ projectId, active, onOpen, onRenamed, onDeleted }: Props) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tree = useQuery(trpc.files.tree.queryOptions({ projectId }));
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [dropFolder, setDropFolder] = useState<string | null>(null);
  const [uploading, setUploading] = useState(0);
  const uploadInput = useRef<HTMLInputElement>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.files.tree.queryKey({ projectId }) });
  const create = useMutation(trpc.files.create.mutationOptions({ onSettled: invalidate }));
  const write = useMutation(trpc.files.write.mutationOptions({ onSettled: invalidate }));
  const move = useMutation(trpc.files.move.mutationOptions({ onSettled: invalidate }));
  const remove = useMutation(trpc.files.delete.mutationOptions({ onSettled: invalidate }));

  function fail(text: string) {
    setError(text);
    toast.error(text);
  }
  async function attempt(what: string, action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      fail(`${what} failed: ${e instanceof Error ? e.message : "unknown error"}`);
    }
  }

  const ask = (question: string, suggestion: string) => window.prompt(question, suggestion)?.trim().replace(/\/+$/, "") || null;

  const onCreateFile = (folder: string) =>
    attempt("Creating the file", async () => {
      const path = ask("New file path (folders are created as needed)", joinPath(folder, folder ? "" : "src/new-file.ts"));
      if (!path || path === folder) return;
      await create.mutateAsync({ projectId, path, content: "" });
      onOpen(path);
    });
  const onCreateFolder = (folder: string) =>
    attempt("Creating the folder", async () => {
      const path = ask("New folder path", joinPath(folder, folder ? "" : "new-folder"));
      if (!path || path === folder) return;
      await create.mutateAsync({ projectId, path: joinPath(path, FOLDER_KEEP), content: "" });
      setCollapsed((prev) => new Set([...prev].filter((p) => p !== path)));
    });
  // Open tabs follow at once, before the change feed reports the old path as deleted; a refusal puts them back.
  const moveTo = async (from: string, to: string) => {
    onRenamed(from, to);
    try {
      await move.mutateAsync({ projectId, from, to });
    } catch (e) {
      onRenamed(to, from);
      throw e;
    }
  };
  const onRename = (from: string) =>
    attempt(`Moving ${from}`, async () => {
      const to = ask(`Rename or move ${from} to`, from);
      if (to && to !== from) await moveTo(from, to);
    });
  const onDelete = (row: TreeRow) =>
    attempt(`Deleting ${row.path}`, async () => {
      if (!window.confirm(row.folder ? `Delete the folder ${row.path} and everything in it?` : `Delete ${row.path}?`)) return;
      await remove.mutateAsync({ projectId, path: row.path });
      onDeleted(row.path);
    });

  async function upload(files: File[], folder: string) {
    setError(null);
    setUploading((n) => n + files.length);
    for (const file of files) {
      const path = joinPath(folder, file.name);
      try {
        if (file.size > UPLOAD_HARD_CAP) throw new Error(`${file.name} is ${file.size} bytes, far above any file size limit`);
        const body = await readForUpload(file);
        // Create-only first: an upload never replaces a file (maybe open with edits, or just
        // changed by someone else) unless the person says so, and then only the version they saw refused.
        try {
          await write.mutateAsync({ projectId, path, ...body, baseVersion: null });
        } catch (e) {
          const existing = conflictingVersion(e, path);
          if (existing === null) throw e;
          if (!window.confirm(`${path} already exists. Replace it with the uploaded ${file.name}?`)) {
            toast.info(`Kept ${path}; ${file.name} was not uploaded`);
            continue;
          }
          await write.mutateAsync({ projectId, path, ...body, baseVersion: existing });
        }
        toast.success(`Uploaded ${path}`);
      } catch (e) {
        fail(`Uploading ${path} failed: ${e instanceof Error ? e.message : "unknown error"}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  }

  // Drag and drop: a tree row onto a folder (or the empty area = root) moves it; desktop files upload there.
  const dragKind = (event: DragEvent) => (event.dataTransfer.types.includes(DRAG_TYPE) ? "move" : event.dataTransfer.types.includes("Files") ? "upload" : null);
  const onDragOver = (event: DragEvent, folder: string) => {
    const kind = dragKind(event);
    if (!kind) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = kind === "move" ? "move" : "copy";
    if (dropFolder !== folder) setDropFolder(folder);
  };
  const onDrop = (event: DragEvent, folder: string) => {
    const kind = dragKind(event);
    if (!kind) return;
    event.preventDefault();
    event.stopPropagation();
    setDropFolder(null);
    if (kind === "upload") return void upload([...event.dataTransfer.files], folder);
    const from = event.dataTransfer.getData(DRAG_TYPE);
    const to = from ? dropTarget(from, folder) : null;
    if (from && to) void attempt(`Moving ${from}`, () => moveTo(from, to));
  };

  const rows = tree.data ? toTreeRows(tree.data) : [];
  const hidden = (row: TreeRow) => [...collapsed].some((folder) => row.path.startsWith(`${folder}/`));
  const toggle = (path: string) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (!next.delete(path)) next.add(path);
      return next;
    });

  return (
    <nav
      className={`explorer${dropFolder === "" ? " drop-target" : ""}`}
      aria-label="Files"
      onDragOver={(e) => onDragOver(e, "")}
      onDragLeave={(e) => e.currentTarget === e.target && setDropFolder(null)}
      onDrop={(e) => onDrop(e, "")}
      data-testid="explorer"
    >
      <div className="explorer-head">
        <span>Files</span>
        <span>
          <button className="icon-btn" onClick={() => void onCreateFile("")} title="New file" aria-label="New file">
            <PlusIcon />
          </button>
          <button className="icon-btn" onClick={() => void onCreateFolder("")} title="New folder" aria-label="New folder">
            <FolderPlusIcon />
          </button>
          <button className="icon-btn" onClick={() => uploadInput.current?.click()} title="Upload files" aria-label="Upload files">
            <UploadIcon />
          </button>
          <input
            ref={uploadInput}
            type="file"
            multiple
            hidden
            data-testid="upload-input"
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = "";
              void upload(files, "");
            }}
          />
        </span>
      </div>
      {tree.isPending && <p className="muted pad">Loading files…</p>}
      {tree.isError && <p className="error pad">Could not load files: {tree.error.message}</p>}
      {error && (
        <p className="error pad" role="alert" data-testid="explorer-error">
          {error}
        </p>
      )}
      {uploading > 0 && <p className="muted pad">Uploading {uploading}…</p>}
      {tree.data?.length === 0 && <p className="muted pad">No files yet. Create one, or drop files here.</p>}
      <ul className="tree" data-testid="file-tree">
        {rows
          .filter((row) => !hidden(row))
          .map((row) => (
            <li
              key={row.path}
              className={`tree-row${row.path === active ? " active" : ""}${row.folder && dropFolder === row.path ? " drop-target" : ""}`}
              style={{ paddingLeft: 8 + row.depth * 14 }}
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, row.path);
                e.dataTransfer.effectAllowed = "move";
              }}
              onDragEnd={() => setDropFolder(null)}
              // Dropping on a file means its folder.
              onDragOver={(e) => onDragOver(e, row.folder ? row.path : parentOf(row.path))}
              onDrop={(e) => onDrop(e, row.folder ? row.path : parentOf(row.path))}
              data-testid={row.folder ? `folder-${row.path}` : undefined}
            >
              {row.folder ? (
                <button
                  className="tree-name"
                  onClick={() => toggle(row.path)}
                  aria-expanded={!collapsed.has(row.path)}
                  {...(isEscapedName(row.name) ? { title: `${row.path}\n${ESCAPED_NAME_HINT}`, "data-escaped-name": true } : {})}
                >
                  {collapsed.has(row.path) ? "▸" : "▾"} {row.name}
                </button>
              ) : (
                <button
                  className="tree-name"
                  onClick={() => onOpen(row.path)}
                  data-testid={`file-${row.path}`}
                  title={isEscapedName(row.path) ? `${row.path}\n${ESCAPED_NAME_HINT}` : row.path}
                  {...(isEscapedName(baseName(row.path)) ? { "data-escaped-name": true } : {})}
                >
                  {baseName(row.path)}
                  {row.entryPoint && (
                    <span className="badge entry" title="Entry point">
                      entry
                    </span>
                  )}
                </button>
              )}
              <span className="tree-actions">
                {row.folder && (
                  <button className="icon-btn" onClick={() => void onCreateFile(row.path)} aria-label={`New file in ${row.path}`} title="New file here">
                    <PlusIcon />
                  </button>
                )}
                <button className="icon-btn" onClick={() => void onRename(row.path)} aria-label={`Rename ${row.path}`} title="Rename / move">
                  <PencilIcon />
                </button>
                <button className="icon-btn" onClick={() => void onDelete(row)} aria-label={`Delete ${row.path}`} title="Delete">
                  <TrashIcon />
                </button>
              </span>
            </li>
          ))}
      </ul>
    </nav>
  );
}
