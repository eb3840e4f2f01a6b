"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { useTRPC, useTRPCClient } from "@/lib/trpc/client";
import { readUncancelled } from "./read-uncancelled";
import type { FileBuffer, SaveConflict } from "./types";

const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const errorText = (e: unknown) => (e instanceof Error ? e.message : "unknown error");
/** The tRPC error code of a failed call (the server's errorFormatter puts it in data.code). */
const errorCode = (e: unknown): string | null => {
  const data = (e as { data?: { code?: unknown } } | null)?.data;
  return typeof data?.code === "string" ? data.code : null;
};

/** The editor's open tabs and their buffers: open, edit, save, close, and follow renames and deletes. */
export function useOpenFiles(projectId: number) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [tabs, setTabs] = useState<string[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [buffers, setBuffers] = useState<Record<string, FileBuffer>>({});
  const [status, setStatus] = useState<{ kind: "error" | "ok"; text: string } | null>(null);
  const [loadingPath, setLoadingPath] = useState<string | null>(null);
  const [conflict, setConflict] = useState<SaveConflict | null>(null);
  const write = useMutation(trpc.files.write.mutationOptions());
  // What this tab is saving right now, and what the server last confirmed, per path, written at once
  // (not at the next render): the change feed's echo of our own save is never "changed elsewhere".
  const inFlight = useRef(new Map<string, string>());
  const confirmed = useRef(new Map<string, { content: string; version: string }>());
  // Callbacks (the change feed's, an open that awaited a read) see the latest buffers through a ref.
  const buffersRef = useRef(buffers);
  useEffect(() => {
    buffersRef.current = buffers;
  }, [buffers]);

  /** Reads a file into a fresh buffer; a binary file's buffer is empty, read-only and marked (BinaryFileView shows it). */
  const readBuffer = useCallback(
    async (path: string): Promise<FileBuffer> => {
      // A copy fetched for IntelliSense in the last seconds is current: the change feed invalidates changed files.
      const file = await readUncancelled(() => queryClient.fetchQuery({ ...trpc.files.read.queryOptions({ projectId, path }), staleTime: 10_000 }));
      const binary = file.encoding !== "utf8" || file.content === null;
      const content = binary ? "" : (file.content ?? "");
      return { content, saved: content, readOnly: binary, revision: 0, version: file.version, ...(binary ? { binary } : {}) };
    },
    [projectId, queryClient, trpc],
  );

  /**
   * Opens a file in a tab and shows it. A file not open yet is read first: the editor keeps showing
   * the current tab meanwhile (no flash of an empty pane), the status says what is opening.
   */
  const open = useCallback(
    async (path: string) => {
      const show = () => {
        setTabs((prev) => (prev.includes(path) ? prev : [...prev, path]));
        setActive(path);
      };
      if (buffersRef.current[path]) return show();
      setLoadingPath(path);
      try {
        const buffer = await readBuffer(path);
        setBuffers((prev) => (prev[path] ? prev : { ...prev, [path]: buffer }));
        show();
      } catch (e) {
        const text = `Opening ${path} failed: ${errorText(e)}`;
        setStatus({ kind: "error", text });
        toast.error(text);
      } finally {
        setLoadingPath((prev) => (prev === path ? null : prev));
      }
    },
    [readBuffer],
  );

  /**
   * Opens the tabs of a previous visit (or the entry point) as the IDE opens. Files that cannot be
   * read are left out; anything the user opened meanwhile stays, and stays active.
   */
  const restore = useCallback(
    async (paths: readonly string[], activePath: string | null) => {
      const read = await Promise.all(
        paths.map((path) =>
          readBuffer(path).then(
            (buffer) => [path, buffer] as const,
            () => null,
          ),
        ),
      );
      const loaded = read.filter((entry) => entry !== null);
      if (!loaded.length) return;
      const loadedPaths = loaded.map(([path]) => path);
      setBuffers((prev) => ({ ...Object.fromEntries(loaded), ...prev }));
      setTabs((prev) => [...loadedPaths.filter((p) => !prev.includes(p)), ...prev]);
      setActive((prev) => prev ?? (activePath && loadedPaths.includes(activePath) ? activePath : (loadedPaths[0] ?? null)));
    },
    [readBuffer],
  );

  /**
   * The file as stored now, asked of the server past the query cache: the change feed cancels a
   * cached read in flight when the file changes, and TanStack then resolves it with the data from
   * before (read-uncancelled.test.ts). A conflict or a tab following a change needs the file as it
   * is after the change, and the change that refused a save is often announced during this read.
   */
  const readNow = useCallback((path: string) => client.files.read.query({ projectId, path }), [client, projectId]);

  /** What is stored at `path` now, for a conflict: null content when it is gone. */
  const storedNow = useCallback(
    async (path: string): Promise<Pick<SaveConflict, "theirs" | "theirsVersion" | "theirsBinary">> => {
      try {
        const file = await readNow(path);
        const binary = file.encoding !== "utf8" || file.content === null;
        return { theirs: binary ? null : file.content, theirsVersion: file.version, theirsBinary: binary };
      } catch (e) {
        if (errorCode(e) === "NOT_FOUND") return { theirs: null, theirsVersion: null, theirsBinary: false };
        throw e;
      }
    },
    [readNow],
  );

  /**
   * Stores `content` at `path` as a change of version `baseVersion` (null: the file must not exist).
   * The server refuses it when the file changed meanwhile: nothing is lost, the user is asked.
   * Resolves true when saved.
   */
  const persist = useCallback(
    async (path: string, content: string, baseVersion: string | null): Promise<boolean> => {
      inFlight.current.set(path, content);
      try {
        const file = await write.mutateAsync({ projectId, path, content, baseVersion });
        confirmed.current.set(path, { content, version: file.version });
        setBuffers((prev) => {
          const current = prev[path];
          return current ? { ...prev, [path]: { ...current, saved: content, version: file.version } } : prev;
        });
        setStatus({ kind: "ok", text: `Saved ${path}` });
        setConflict((prev) => (prev?.path === path ? null : prev));
        void queryClient.invalidateQueries({ queryKey: trpc.files.tree.queryKey({ projectId }) });
        return true;
      } catch (e) {
        if (errorCode(e) === "CONFLICT") {
          try {
            const stored = await storedNow(path);
            setConflict({ path, mine: content, ...stored });
            const what = stored.theirsVersion === null ? "was deleted elsewhere" : "changed elsewhere";
            setStatus({ kind: "error", text: `Not saved: ${path} ${what}. Compare, overwrite or reload.` });
            return false;
          } catch (readError) {
            e = readError;
          }
        }
        // The server's own message (size cap, bad path, quota): the user can act on it.
        const text = `Saving ${path} failed: ${errorText(e)}`;
        setStatus({ kind: "error", text });
        toast.error(text);
        return false;
      } finally {
        if (inFlight.current.get(path) === content) inFlight.current.delete(path);
      }
    },
    [projectId, queryClient, storedNow, trpc, write],
  );

  /**
   * Saves the active tab, based on the version it was loaded or last saved as. The editor passes its
   * text as it is at the keystroke: React may not have rendered the last characters typed into the buffer yet.
   */
  const save = useCallback(
    async (fromEditor?: { path: string; content: string }) => {
      if (!active || (fromEditor && fromEditor.path !== active)) return;
      const buffer = buffers[active];
      if (!buffer || buffer.readOnly) return;
      await persist(active, fromEditor?.content ?? buffer.content, buffer.version);
    },
    [active, buffers, persist],
  );

  const edit = useCallback((path: string, content: string) => {
    setBuffers((prev) => {
      const current = prev[path];
      return current ? { ...prev, [path]: { ...current, content } } : prev;
    });
  }, []);

  const close = useCallback(
    (path: string) => {
      const buffer = buffers[path];
      if (buffer && buffer.content !== buffer.saved && !window.confirm(`${path} has unsaved changes. Close anyway?`)) return;
      const remaining = tabs.filter((t) => t !== path);
      setTabs(remaining);
      setBuffers((prev) => Object.fromEntries(Object.entries(prev).filter(([p]) => p !== path)));
      if (active === path) setActive(remaining.at(-1) ?? null);
    },
    [active, buffers, tabs],
  );

  const cycle = useCallback(
    (step: 1 | -1) => {
      if (!tabs.length) return;
      const index = active ? tabs.indexOf(active) : -1;
      setActive(tabs[(index + step + tabs.length) % tabs.length] ?? null);
    },
    [active, tabs],
  );

  const renamed = useCallback((from: string, to: string) => {
    const rename = (p: string) => (under(p, from) ? to + p.slice(from.length) : p);
    setTabs((prev) => prev.map(rename));
    setBuffers((prev) => Object.fromEntries(Object.entries(prev).map(([p, b]) => [rename(p), b])));
    setActive((prev) => (prev ? rename(prev) : prev));
  }, []);

  const deleted = useCallback(
    (path: string) => {
      const remaining = tabs.filter((t) => !under(t, path));
      setTabs(remaining);
      setActive((current) => (current && under(current, path) ? (remaining.at(-1) ?? null) : current));
      setBuffers((prev) => Object.fromEntries(Object.entries(prev).filter(([p]) => !under(p, path))));
    },
    [tabs],
  );

  /**
   * The user's answer to a save conflict. Overwrite stores their text (or the text they merged in
   * the comparison) over the version now stored; Reload drops their edits for the stored file;
   * Cancel keeps editing (the next save asks again).
   */
  const resolveConflict = useCallback(
    async (choice: "overwrite" | "reload" | "cancel", merged?: string) => {
      const current = conflict;
      if (!current) return;
      if (choice === "cancel") return setConflict(null);
      const { path } = current;
      if (choice === "overwrite") {
        const content = merged ?? current.mine;
        if (content !== current.mine) {
          // The merged text becomes the buffer first, so what is saved is what the editor shows.
          setBuffers((prev) => {
            const buffer = prev[path];
            return buffer ? { ...prev, [path]: { ...buffer, content, revision: buffer.revision + 1 } } : prev;
          });
        }
        await persist(path, content, current.theirsVersion);
        return;
      }
      setConflict(null);
      if (current.theirsVersion === null) return deleted(path);
      // The stored text was read when the save was refused; a binary file is read afresh.
      const fresh =
        current.theirs !== null
          ? { content: current.theirs, saved: current.theirs, readOnly: false, revision: 0, version: current.theirsVersion }
          : await readBuffer(path).catch(() => null);
      if (!fresh) return;
      setBuffers((prev) => {
        const buffer = prev[path];
        return buffer ? { ...prev, [path]: { ...fresh, revision: buffer.revision + 1 } } : prev;
      });
      setStatus({ kind: "ok", text: `Reloaded ${path}` });
    },
    [conflict, deleted, persist, readBuffer],
  );

  /**
   * Someone else changed or deleted files (an execution, an AI, another tab): open tabs without
   * unsaved edits follow the server; tabs with unsaved edits are kept, and the user is told. Only a
   * real difference counts: the feed's echo of this tab's own save, or a write of the same bytes
   * (a sync after a save while a shell runs), is compared away by version and content.
   */
  const changedElsewhere = useCallback(
    async (changed: { upserted: string[]; deleted: string[]; versions?: Record<string, string> } | "all") => {
      const open = Object.keys(buffersRef.current);
      const upserted = changed === "all" ? open : open.filter((p) => changed.upserted.includes(p));
      const removed = changed === "all" ? [] : open.filter((p) => changed.deleted.includes(p));
      for (const path of removed) {
        const buffer = buffersRef.current[path];
        if (buffer && buffer.content === buffer.saved) deleted(path);
        else toast.warning(`${path} was deleted elsewhere; your unsaved edits are kept (saving asks what to do)`);
      }
      const ours = (path: string, version: string | undefined, content?: string) => {
        const now = buffersRef.current[path];
        const mine = confirmed.current.get(path);
        if (version !== undefined && (version === now?.version || version === mine?.version)) return true;
        return content !== undefined && (content === now?.saved || content === mine?.content || content === inFlight.current.get(path));
      };
      for (const path of upserted) {
        const before = buffersRef.current[path];
        if (!before || before.readOnly) continue;
        if (changed !== "all" && ours(path, changed.versions?.[path])) continue;
        let file;
        try {
          file = await readNow(path);
        } catch {
          continue; // gone again, or unreachable: the next event or a reload settles it
        }
        if (file.encoding !== "utf8" || file.content === null) continue;
        const { content, version } = file;
        if (ours(path, version, content)) continue;
        const now = buffersRef.current[path];
        if (!now) continue;
        if (now.content !== now.saved && now.content !== content) {
          toast.warning(`${path} changed elsewhere; your unsaved edits are kept (saving offers Compare, Overwrite or Reload)`);
          continue;
        }
        setBuffers((prev) => {
          const current = prev[path];
          if (!current) return prev;
          // The same text typed here: it is simply saved now, nothing to replace.
          if (current.content === content) return { ...prev, [path]: { ...current, saved: content, version } };
          if (current.content !== current.saved) return prev;
          return { ...prev, [path]: { ...current, content, saved: content, version, revision: current.revision + 1 } };
        });
      }
    },
    [deleted, readNow],
  );

  const unsaved = Object.values(buffers).some((b) => b.content !== b.saved);
  return {
    tabs,
    active,
    setActive,
    buffers,
    status,
    loadingPath,
    unsaved,
    conflict,
    open,
    restore,
    save,
    resolveConflict,
    edit,
    close,
    cycle,
    renamed,
    deleted,
    changedElsewhere,
  };
}
